// Commits of one run's branches from several worker processes at once (issue 11 §1): three backends on one
// schema (three processes' pools), 16 committers each, every branch arriving at one join. The join fires
// once with every value, counters are exact, events dense — and the commit rate is printed beside the
// rate of the same number of commits spread over as many runs (no shared run row), on the same machine.
// CI size: 300 branches (a few seconds); FLOXIDE_BRANCH_COMMITS=<n> measures a bigger fan-out.
import { afterEach, describe, expect, it } from 'vitest';
import { advance, leaseBranches, leaseN, stepCommit, testItem, testRun } from '@floxide/conformance';
import type { Lease, StepCommit } from '@floxide/distributed';
import { PostgresBackend } from './postgres-backend.js';
import {
  createTestBackend,
  destroyTestBackend,
  TEST_DATABASE_URL,
} from './test-support/postgres-test-init.js';

const BRANCHES = Number(process.env['FLOXIDE_BRANCH_COMMITS'] ?? 300);
const PROCESSES = 3;
const COMMITTERS = 16;

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** `PROCESSES` backends on one fresh schema, each with a pool of its own. */
async function fleet(): Promise<PostgresBackend[]> {
  const first = await createTestBackend({ poolSize: COMMITTERS });
  closers.push(() => destroyTestBackend(first));
  const others = Array.from({ length: PROCESSES - 1 }, () => {
    const b = new PostgresBackend({
      connectionString: TEST_DATABASE_URL,
      schema: first.schema,
      poolSize: COMMITTERS,
    });
    closers.push(() => b.close());
    return b;
  });
  return [first, ...others];
}

/** Commits every step, `COMMITTERS` at a time per backend (step `i` through backend `i % PROCESSES`). */
async function commitAll(backends: PostgresBackend[], steps: StepCommit[]): Promise<number> {
  const started = performance.now();
  await Promise.all(
    backends.map(async (backend, b) => {
      const mine = steps.filter((_, i) => i % backends.length === b);
      let next = 0;
      await Promise.all(
        Array.from({ length: COMMITTERS }, async () => {
          while (next < mine.length) {
            const step = mine[next++];
            if (step === undefined) break;
            const result = await backend.commit(step);
            expect(result.status).toBe('committed');
          }
        }),
      );
    }),
  );
  return steps.length / ((performance.now() - started) / 1000);
}

/** The arrival of branch lease `lease` at the run's join `j` of `total` branches. */
function arrive(lease: Lease, total: number): StepCommit {
  const joinItem = testItem({ runId: lease.item.runId, itemId: 'j', node: 'collect' });
  return stepCommit(
    lease,
    advance({ joins: [{ joinItem, index: Number(lease.item.input), total, value: lease.item.input }] }),
  );
}

describe('PostgresBackend: one run’s branches committed by three processes at once', () => {
  it(
    `${BRANCHES} branches → one join: exact, and the rate against ${BRANCHES} separate runs`,
    { timeout: 600_000 },
    async () => {
      const backends = await fleet();
      const [backend] = backends;
      if (!backend) throw new Error('no backend');
      // First as many commits, one per run (each finishes its run, so it does more than a branch commit):
      // what the machine does without a shared run row.
      for (let i = 0; i < BRANCHES; i++) await backend.startRun(testRun(`solo${i}`));
      const solo = await leaseN(backend, BRANCHES, { leaseMs: 600_000, timeoutMs: 60_000 });
      const soloRate = await commitAll(
        backends,
        solo.map((l) => stepCommit(l, advance({ output: 1 }))),
      );

      const leases = await leaseBranches(backend, 'fan', BRANCHES, { leaseMs: 600_000 });
      const fanRate = await commitAll(
        backends,
        leases.map((l) => arrive(l, BRANCHES)),
      );

      const [join] = await backend.queue.lease({ workerId: 'w', leaseMs: 30_000, max: 10 });
      expect(join?.item.itemId).toBe('j');
      expect(join?.item.input).toEqual(Array.from({ length: BRANCHES }, (_, i) => i));
      expect(await backend.metrics.get('fan')).toMatchObject({
        completed: BRANCHES + 1,
        totalItems: BRANCHES + 2,
      });
      const seqs = (await backend.events.read('fan', 0)).map((e) => e.seq);
      expect(seqs).toEqual(Array.from({ length: 4 + 2 * BRANCHES + 1 }, (_, i) => i + 1));
      console.log(
        `branch commits: ${BRANCHES} of one run ${fanRate.toFixed(0)}/s; ${BRANCHES} runs ${soloRate.toFixed(0)}/s ` +
          `(${PROCESSES} backends × ${COMMITTERS} committers)`,
      );
    },
  );
});
