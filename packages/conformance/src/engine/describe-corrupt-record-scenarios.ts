import { describe, expect, it } from 'vitest';
import { isFloxideError } from '@floxide/core';
import type { Backend, DistributedOrchestrator, RunInfo } from '@floxide/distributed';
import { SUITE_TEST_TIMEOUT_MS, type BackendTestInit } from '../support/backend-test-init.js';
import { waitFor } from '../support/wait-for.js';
import { corruptProtocolWorkflow, healthyWorkflow } from './bad-input-workflows.js';
import { useEngineHarness } from './engine-harness.js';

/**
 * A kind of stored record a backend may hold per run: the run record, a work item's state, the context,
 * a join's arrivals, an outbox entry (successors waiting to be handed to a queue), a queue job's data.
 */
export type CorruptRecordKind = 'run' | 'item' | 'context' | 'join' | 'outbox' | 'job';

/** A {@link BackendTestInit} that can also break its own stored records, for `describeCorruptRecordScenarios`. */
export interface CorruptibleBackendInit extends BackendTestInit {
  /** The kinds of record this backend stores and can corrupt. */
  readonly corruptible: readonly CorruptRecordKind[];
  /** Overwrites the stored record of `kind` belonging to `runId` with garbage (wrong JSON shape or non-JSON). */
  corrupt(backend: Backend, runId: string, kind: CorruptRecordKind): Promise<void>;
}

/**
 * Kinds whose record the protocol's run may never read again after the corruption: an outbox entry is
 * only read to re-send successors after a crash, and the protocol's run has handed its successors over
 * already. For these the run must still end (completed, or failed with `CORRUPT_RECORD`), never hang.
 */
const MAY_GO_UNREAD: ReadonlySet<CorruptRecordKind> = new Set(['outbox']);

const HEALTHY_RUNS = 10;
const END_WITHIN_MS = 15_000;

/** The run's record, or undefined while reading it fails because it is the corrupt one. */
async function readRun(orchestrator: DistributedOrchestrator, runId: string): Promise<RunInfo | undefined> {
  try {
    return await orchestrator.get(runId);
  } catch (error) {
    if (isFloxideError(error, 'CORRUPT_RECORD')) return undefined;
    throw error;
  }
}

/**
 * Corrupt stored records fail their run, never hang it, and leave the other runs alone.
 *
 * @remarks
 * Protocol, once per kind in `init.corruptible`: start run R of a workflow `fan` → nextAll([0, 1]) →
 * `work` → join `collect` (from `fan`); `work` counts a context hit, returns at once for branch 0, and for
 * branch 1 throws on its first attempt with a 1 s retry delay, so a durable delayed retry item exists.
 * Once branch 0 has committed (its arrival is in the join) and branch 1's item is `waiting-retry`, R is
 * paused, `init.corrupt(backend, R, kind)` breaks the record, 10 healthy runs of another workflow start
 * on the same workers, and R is resumed (a resume that itself reads the corrupt record may reject with
 * `CORRUPT_RECORD`). Expected: within 15 s R ends `failed` with error code `CORRUPT_RECORD` (for an
 * `outbox` entry, which the run may never read again, R must end either way), and every healthy run
 * completes. The in-memory backend stores live objects, has nothing to corrupt, and does not run this.
 *
 * @example
 * ```ts
 * describeCorruptRecordScenarios({
 *   ...init,
 *   corruptible: ['run', 'item', 'context', 'join'],
 *   corrupt: (backend, runId, kind) => overwriteWithGarbage(backend as MyBackend, runId, kind),
 * });
 * ```
 */
export function describeCorruptRecordScenarios(init: CorruptibleBackendInit): void {
  describe(`corrupt records: ${init.name}`, { timeout: SUITE_TEST_TIMEOUT_MS }, () => {
    const harness = useEngineHarness(init);

    it.each(init.corruptible.map((kind) => [kind]))(
      'a corrupt %s record fails its run with CORRUPT_RECORD; the other runs complete',
      async (kind) => {
        const wf = corruptProtocolWorkflow(1_000);
        const healthy = healthyWorkflow();
        const orchestrator = harness.orchestrator([wf, healthy]);
        await harness.startPool({ workflows: [wf, healthy], size: 2, concurrency: 4 });
        const runId = await orchestrator.start(wf, null);
        await waitFor(
          async () => {
            const items = await orchestrator.workItems(runId);
            const work = items.filter((item) => item.node === 'work');
            return (
              work.length === 2 &&
              work.some((item) => item.status === 'completed') &&
              work.some((item) => item.status === 'waiting-retry')
            );
          },
          { timeoutMs: 10_000, message: 'branch 0 committed and branch 1 waiting for its retry' },
        );
        await orchestrator.pause(runId);
        await init.corrupt(harness.backend(), runId, kind);
        const healthyIds = await Promise.all(
          Array.from({ length: HEALTHY_RUNS }, (_, i) => orchestrator.start(healthy, i)),
        );
        await orchestrator.resume(runId).catch((error: unknown) => {
          if (!isFloxideError(error, 'CORRUPT_RECORD')) throw error;
        });
        let final: RunInfo | undefined;
        await waitFor(
          async () => {
            const run = await readRun(orchestrator, runId);
            if (run === undefined || !['completed', 'failed', 'cancelled'].includes(run.status)) return false;
            final = run;
            return true;
          },
          { timeoutMs: END_WITHIN_MS, message: `run with a corrupt ${kind} record ends` },
        );
        if (MAY_GO_UNREAD.has(kind)) expect(['completed', 'failed']).toContain(final?.status);
        if (!MAY_GO_UNREAD.has(kind) || final?.status === 'failed') {
          expect(final).toMatchObject({ status: 'failed', error: { code: 'CORRUPT_RECORD' } });
        }
        for (const [i, id] of healthyIds.entries()) {
          expect(await orchestrator.wait(id, { timeoutMs: END_WITHIN_MS })).toMatchObject({
            status: 'completed',
            output: i * 4,
          });
        }
      },
    );
  });
}
