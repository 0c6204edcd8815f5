import { sql } from 'kysely';
import type { MetricsStore, NodeTimings, RunMetrics } from '@floxide/distributed';
import type { SchemaDb } from './schema-db.js';

/**
 * Per-run counters: kept on the `runs` row and in `node_timings` by commits; `running` is counted from the
 * live leases at read time, so an expired lease stops counting without any write.
 */
export class PostgresMetricsStore implements MetricsStore {
  readonly #db: SchemaDb;

  constructor(db: SchemaDb) {
    this.#db = db;
  }

  /** The run's counters, or `undefined` for a missing run. */
  async get(runId: string): Promise<RunMetrics | undefined> {
    const db = this.#db;
    const result = await db.run('metrics read', (k) =>
      sql<{
        total_items: number;
        completed: number;
        failed: number;
        retries: number;
        running: string | number;
        nodes: NodeRow[] | null;
      }>`
        select r.total_items, r.completed, r.failed, r.retries,
          (select count(*) from ${db.ref('work_items')} w where w.run_id = r.run_id and w.queue_state = 'leased'
            and w.visible_at > ${db.ref('now_ms')}()) as running,
          (select jsonb_agg(jsonb_build_object('node', t.node, 'count', t.count, 'totalMs', t.total_ms, 'maxMs', t.max_ms))
            from ${db.ref('node_timings')} t where t.run_id = r.run_id) as nodes
        from ${db.ref('runs')} r where r.run_id = ${runId}`.execute(k),
    );
    const row = result.rows[0];
    if (!row) return undefined;
    const nodes: Record<string, NodeTimings> = {};
    for (const t of row.nodes ?? []) nodes[t.node] = { count: t.count, totalMs: t.totalMs, maxMs: t.maxMs };
    return {
      totalItems: row.total_items,
      completed: row.completed,
      failed: row.failed,
      retries: row.retries,
      running: Number(row.running),
      nodes,
    };
  }
}

interface NodeRow {
  readonly node: string;
  readonly count: number;
  readonly totalMs: number;
  readonly maxMs: number;
}
