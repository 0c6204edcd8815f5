import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@floxide/conformance';
import { DistributedOrchestrator, DistributedWorker } from '@floxide/distributed';
import type { PostgresBackend } from './postgres-backend.js';
import { corruptPostgresRecord, POSTGRES_CORRUPTIBLE } from './test-support/corrupt-postgres-record.js';
import { corruptScenarioWorkflow } from './test-support/corrupt-workflow.js';
import {
  createTestBackend,
  destroyTestBackend,
  TEST_DATABASE_URL,
} from './test-support/postgres-test-init.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** Every row of one run, table by table: what a reader would find after the run failed. */
async function dumpRun(schema: string, runId: string): Promise<Record<string, Record<string, unknown>[]>> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    const dump: Record<string, Record<string, unknown>[]> = {};
    for (const [table, order] of [
      ['runs', 'run_id'],
      ['work_items', 'seq'],
      ['join_arrivals', 'idx'],
      ['errors', 'id'],
      ['events', 'seq'],
    ] as const) {
      const result = await client.query(
        `select * from "${schema}".${table} where run_id = $1 order by ${order}`,
        [runId],
      );
      dump[table] = result.rows as Record<string, unknown>[];
    }
    return dump;
  } finally {
    await client.end();
  }
}

describe('PostgresBackend: a corrupt stored record fails its run alone', () => {
  for (const kind of POSTGRES_CORRUPTIBLE) {
    it(`fails the run with CORRUPT_RECORD when its ${kind} record is corrupt, half-writes nothing, and 10 healthy runs complete`, async () => {
      const backend: PostgresBackend = await createTestBackend();
      closers.push(() => destroyTestBackend(backend));
      const wf = corruptScenarioWorkflow(1_000);
      const orchestrator = new DistributedOrchestrator({ backend, workflows: [wf] });
      for (let i = 0; i < 2; i += 1) {
        const worker = new DistributedWorker({
          backend,
          workflows: [wf],
          concurrency: 4,
          leaseMs: 2_000,
          heartbeatMs: 200,
          idleWaitMs: 200,
        });
        closers.push(() => worker.close({ graceMs: 0 }));
        await worker.start();
      }

      const runId = await orchestrator.start(wf, 1);
      // Branch 0 committed (one join arrival) and branch 1 waits for its delayed retry.
      await waitFor(
        async () => {
          const work = (await orchestrator.workItems(runId)).filter((s) => s.node === 'work');
          return work.some((s) => s.status === 'completed') && work.some((s) => s.status === 'waiting-retry');
        },
        { timeoutMs: 10_000, message: 'branch 0 committed and branch 1 waiting for its retry' },
      );
      await orchestrator.pause(runId);
      await corruptPostgresRecord(backend, runId, kind);
      const before = await dumpRun(backend.schema, runId);
      const healthy = await Promise.all(
        Array.from({ length: 10 }, (_, i) => orchestrator.start(wf, 100 + i)),
      );
      await orchestrator.resume(runId);

      const failed = await orchestrator.wait(runId, { timeoutMs: 15_000 });
      expect(failed.status).toBe('failed');
      expect(failed.error?.code).toBe('CORRUPT_RECORD');
      for (const [i, id] of healthy.entries()) {
        const info = await orchestrator.wait(id, { timeoutMs: 15_000 });
        const n = 100 + i;
        expect(info).toMatchObject({
          status: 'completed',
          output: { hits: 2, values: [n * 20, (n * 10 + 1) * 2] },
        });
      }

      const after = await dumpRun(backend.schema, runId);
      // Nothing of the run is claimable any more, and nothing of the step that met the corrupt record landed:
      // no join item, no second arrival, no commit counted, the corrupt record itself left for inspection.
      const items = after['work_items'] ?? [];
      expect(
        items.filter((row) => row['queue_state'] === 'ready' || row['queue_state'] === 'leased'),
      ).toEqual([]);
      expect(items.some((row) => row['node'] === 'collect')).toBe(false);
      expect(
        items
          .filter((row) => row['status'] === 'completed')
          .map((row) => row['node'])
          .sort(),
      ).toEqual(['fan', 'work']);
      const run = after['runs']?.[0] ?? {};
      expect(run['completed']).toBe(2);
      expect(run['context_version']).toBe(before['runs']?.[0]?.['context_version']);
      expect(after['join_arrivals']).toEqual(before['join_arrivals']);
      expect(
        (after['errors'] ?? []).some((row) => (row['error'] as { code?: string }).code === 'CORRUPT_RECORD'),
      ).toBe(true);
      expect((after['events'] ?? []).filter((row) => row['type'] === 'step.committed').length).toBe(2);
      if (kind === 'context') expect(run['context']).toBe('garbage');
      if (kind === 'item') {
        expect(items.find((row) => row['node'] === 'work' && row['status'] !== 'completed')?.['status']).toBe(
          'dead',
        );
      }
      const brief = (row: Record<string, unknown>, keys: readonly string[]) =>
        keys.map((key) => `${key}=${JSON.stringify(row[key])}`).join(' ');
      console.info(
        [
          `corrupt ${kind}: rows of run ${runId} after it failed`,
          ...(after['runs'] ?? []).map(
            (r) =>
              `  runs: ${brief(r, ['status', 'completed', 'failed', 'retries', 'context', 'context_version'])}`,
          ),
          ...items.map(
            (r) => `  work_items: ${brief(r, ['item_id', 'node', 'attempt', 'status', 'queue_state'])}`,
          ),
          ...(after['join_arrivals'] ?? []).map(
            (r) => `  join_arrivals: ${brief(r, ['join_item_id', 'idx', 'total', 'value'])}`,
          ),
          ...(after['errors'] ?? []).map(
            (r) =>
              `  errors: ${brief(r, ['item_id', 'attempt'])} code=${(r['error'] as { code?: string }).code}`,
          ),
        ].join('\n'),
      );
    }, 60_000);
  }
});
