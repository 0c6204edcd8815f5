import { Pipeline, Redis } from 'ioredis';
import pg from 'pg';

/** Client-side operation counts of this process. */
export interface OpCounts {
  /** Redis round trips: one per plain command, one per pipeline or MULTI batch. */
  redisRoundTrips: number;
  /** Commands inside those round trips. */
  redisCommands: number;
  /** PostgreSQL `Client#query` calls (each is one round trip; pool queries go through it too). */
  pgQueries: number;
  /** The same calls by {@link pgStatementKind}, for the cost breakdowns. */
  pgByKind: Record<string, number>;
}

const counts: OpCounts = { redisRoundTrips: 0, redisCommands: 0, pgQueries: 0, pgByKind: {} };

/**
 * A short name for a PostgreSQL statement: the first schema-qualified function it calls (`commit_step_notify_after`,
 * `claim_items`…), marked `(message)` when the statement is a multi-statement message opening with `begin`;
 * otherwise its first three words.
 */
export function pgStatementKind(text: string): string {
  const fn = /"[A-Za-z0-9_]+"\.([a-z_]+)\(/.exec(text);
  if (fn?.[1] !== undefined) return text.startsWith('begin') ? `${fn[1]} (message)` : fn[1];
  return text.trim().split(/\s+/).slice(0, 3).join(' ').slice(0, 40);
}

/** The SQL text of a `Client#query` call's first argument (a string or a query config). */
function queryText(arg: unknown): string {
  if (typeof arg === 'string') return arg;
  const text = (arg as { text?: unknown } | null)?.text;
  return typeof text === 'string' ? text : '?';
}
let installed = false;

/**
 * Wraps ioredis `sendCommand` / `Pipeline#exec` and pg `Client#query` to count round trips in this process.
 *
 * @remarks
 * A pipeline hands each of its commands to `sendCommand` with a `stream` argument; those count as
 * commands but not as round trips, and the pipeline's `exec` counts once. Every ioredis and pg user in
 * the process (BullMQ, Graphile Worker, pg-boss, Floxide's backends) resolves to the same module copy,
 * so one patch sees them all. Idempotent.
 */
export function installOpCounters(): void {
  if (installed) return;
  installed = true;
  const redisProto = Redis.prototype as unknown as {
    sendCommand: (command: unknown, stream?: unknown) => unknown;
  };
  const originalSend = redisProto.sendCommand;
  redisProto.sendCommand = function (this: unknown, command: unknown, stream?: unknown) {
    counts.redisCommands++;
    if (stream === undefined) counts.redisRoundTrips++;
    return originalSend.call(this, command, stream);
  };
  const pipelineProto = Pipeline.prototype as unknown as { exec: (...args: unknown[]) => unknown };
  const originalExec = pipelineProto.exec;
  pipelineProto.exec = function (this: unknown, ...args: unknown[]) {
    counts.redisRoundTrips++;
    return originalExec.apply(this, args);
  };
  const pgProto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const originalQuery = pgProto.query;
  pgProto.query = function (this: unknown, ...args: unknown[]) {
    counts.pgQueries++;
    const kind = pgStatementKind(queryText(args[0]));
    counts.pgByKind[kind] = (counts.pgByKind[kind] ?? 0) + 1;
    return originalQuery.apply(this, args);
  };
}

/** A copy of the counts so far. */
export function snapshotOpCounts(): OpCounts {
  return { ...counts, pgByKind: { ...counts.pgByKind } };
}

/** `after − before`, field by field. */
export function diffOpCounts(before: OpCounts, after: OpCounts): OpCounts {
  return {
    redisRoundTrips: after.redisRoundTrips - before.redisRoundTrips,
    redisCommands: after.redisCommands - before.redisCommands,
    pgQueries: after.pgQueries - before.pgQueries,
    pgByKind: Object.fromEntries(
      Object.entries(after.pgByKind)
        .map(([kind, n]) => [kind, n - (before.pgByKind[kind] ?? 0)] as const)
        .filter(([, n]) => n > 0),
    ),
  };
}
