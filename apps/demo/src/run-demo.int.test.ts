import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type { DemoBackendConfig } from './demo-backend.js';
import { runDemo, type DemoOptions } from './run-demo.js';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

function options(backend: DemoBackendConfig, log: string[]): DemoOptions {
  return {
    backend,
    documents: 8,
    workers: 2,
    concurrency: 4,
    // Worker processes take a second or two to start (tsx): kill often enough to hit several mid-step.
    killEveryMs: 1_200,
    pipeline: { sentencesPerChunk: 2, workMs: 200, flakeRate: 0.3 },
    timeoutMs: 90_000,
    leaseMs: 1_000,
    heartbeatMs: 250,
    keepData: false,
    stream: { write: (t: string) => log.push(t), isTTY: false },
    pollMs: 100,
  };
}

async function schemaExists(schema: string): Promise<boolean> {
  const pg = createRequire(import.meta.resolve('@floxide/postgres'))('pg') as {
    Client: new (o: object) => {
      connect(): Promise<void>;
      query(s: string, v: unknown[]): Promise<{ rowCount: number | null }>;
      end(): Promise<void>;
    };
  };
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    const result = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    return (result.rowCount ?? 0) > 0;
  } finally {
    await client.end();
  }
}

describe('demo with real worker processes killed while it runs', () => {
  it('loses nothing on Redis: every run completes with exact output and counters; keys removed', async () => {
    const log: string[] = [];
    const report = await runDemo(
      options({ kind: 'redis', redisUrl: REDIS_URL, databaseUrl: DATABASE_URL }, log),
    );
    expect(report.results.filter((r) => !r.verified)).toEqual([]);
    expect(report.verified).toBe(true);
    expect(report.kills).toBeGreaterThan(1);
    expect(report.crashes).toBe(0);
    expect(log.join('')).toMatch(/runs 8\/8/);
    const { RedisBackend } = await import('@floxide/redis');
    const probe = new RedisBackend({ connection: REDIS_URL, prefix: report.namespace as string });
    try {
      expect((await probe.runs.list()).runs).toEqual([]);
    } finally {
      await probe.close();
    }
  }, 120_000);

  it('loses nothing on PostgreSQL: every run completes with exact output and counters; schema dropped', async () => {
    const log: string[] = [];
    const report = await runDemo(
      options({ kind: 'postgres', redisUrl: REDIS_URL, databaseUrl: DATABASE_URL }, log),
    );
    expect(report.results.filter((r) => !r.verified)).toEqual([]);
    expect(report.verified).toBe(true);
    expect(report.kills).toBeGreaterThan(1);
    expect(report.crashes).toBe(0);
    expect(await schemaExists(report.namespace as string)).toBe(false);
  }, 120_000);
});
