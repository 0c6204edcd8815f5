import type pg from 'pg';
import type { ListCase } from './list-queries.js';

/**
 * The plan PostgreSQL picks for a list: the same `where` / `order by` / `limit` the Postgres run store
 * sends (rebuilt here, literal values inlined) run through EXPLAIN; returns the scan nodes, e.g.
 * `Index Scan using runs_status_created_idx`.
 */
export async function explainList(client: pg.Client, schema: string, c: ListCase): Promise<string> {
  const q = c.query;
  const lit = (v: string): string => `'${v.replace(/'/g, "''")}'`;
  const where = ['true'];
  if (q.status !== undefined) where.push(`r.status = ${lit(q.status)}`);
  if (q.workflow !== undefined) where.push(`r.workflow = ${lit(q.workflow)}`);
  if (q.since !== undefined) where.push(`r.created_at >= ${Math.ceil(q.since)}`);
  if (q.runIdPrefix !== undefined) {
    where.push(`r.run_id >= ${lit(q.runIdPrefix)}`);
    const last = q.runIdPrefix.at(-1) as string;
    where.push(`r.run_id < ${lit(q.runIdPrefix.slice(0, -1) + String.fromCharCode(last.charCodeAt(0) + 1))}`);
  }
  const order = q.runIdPrefix !== undefined ? 'r.run_id' : 'r.created_at desc, r.run_id desc';
  const result = await client.query<{ 'QUERY PLAN': string }>(
    `explain select "${schema}".run_json(r) from "${schema}".runs r where ${where.join(' and ')}
     order by ${order} limit ${(q.limit ?? 50) + 1}`,
  );
  return result.rows
    .map((row) => row['QUERY PLAN'].trim().replace(/^->\s*/, ''))
    .filter((line) => /Scan/.test(line))
    .map((line) => line.replace(/\s+\(cost=.*$/, ''))
    .join(' → ');
}
