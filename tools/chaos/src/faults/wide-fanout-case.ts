import type { FaultCase } from './fault-case.js';
import { checkCompleted, mapLimited } from './check-runs.js';
import {
  bigOutputWorkflow,
  STORM_BRANCHES,
  STORM_ITEMS,
  stormWorkflow,
  wideWorkflow,
} from './fault-workflows.js';
import { withTarget } from './with-target.js';

const WORKERS = 3;
const OTHERS = 10;

/**
 * Wide fan-out: one run of `size.wide.branches` branches joined again, with 10 storm runs started right
 * beside it on the same 3 workers. The wide run must complete with every branch counted once, within a
 * generous bound (the figure is reported, speed belongs to the bench); the others must complete too. First,
 * one run with a big output (`size.wide.bigBefore` characters) on the same workers: issue 11 saw a
 * 100,000-branch fan-out stall 4 times out of 4 on Redis workers that had just stored a 50 MB output.
 */
export function wideFanOutCase(): FaultCase {
  return {
    name: 'wide fan-out',
    async run({ backend, size, note }) {
      return withTarget(backend, async ({ backend: store, orchestrator, fleet }) => {
        const wide = wideWorkflow();
        const storm = stormWorkflow();
        const n = size.wide.branches;
        // Worker processes, as the issue's target and the bench run them: on a loaded machine three
        // processes also get three shares of the CPU, where three workers in this process shared one.
        await fleet.spawn(WORKERS, { CHAOS_LEASE_MS: '3000' });
        const violations: string[] = [];
        let bigLine = '';
        if (size.wide.bigBefore > 0) {
          const bigAt = Date.now();
          const bigId = await orchestrator.start(bigOutputWorkflow(), size.wide.bigBefore);
          let waitError = '';
          const big = await orchestrator
            .wait(bigId, { timeoutMs: size.wide.timeoutMs })
            .catch((error: unknown) => {
              waitError = error instanceof Error ? `: ${error.message}` : `: ${String(error)}`;
              return undefined;
            });
          // Stored whole, or refused with a typed error: either way the workers go on to the fan-out.
          const stored = big?.status === 'completed' && (big.output as string).length === size.wide.bigBefore;
          const typed = big?.status === 'failed' && typeof big.error?.code === 'string';
          if (!stored && !typed)
            violations.push(
              `the big output run before the fan-out ended ${big?.status ?? `not at all (wait failed${waitError})`}`,
            );
          bigLine = `after a ${(size.wide.bigBefore / 1e6).toFixed(0)} MB output run (${big?.status ?? 'not done'} in ${((Date.now() - bigAt) / 1000).toFixed(1)} s), `;
          note(bigLine.slice(0, -2));
        }
        const began = Date.now();
        const wideId = await orchestrator.start(wide, n);
        const inputs = Array.from({ length: OTHERS }, (_, i) => 1_000 + i);
        const otherIds = await mapLimited(inputs, 4, (i) => orchestrator.start(storm, i));
        const expected = await Promise.all(inputs.map((i) => storm.run(i)));
        const others = checkCompleted(
          store,
          orchestrator,
          otherIds.map((runId, i) => ({
            runId,
            output: expected[i],
            items: STORM_ITEMS,
            counter: { field: 'hits', value: STORM_BRANCHES },
          })),
          size.wide.timeoutMs,
        ).then((c) => ({ ...c, doneMs: Date.now() - began }));
        const wideInfo = await orchestrator
          .wait(wideId, { timeoutMs: size.wide.timeoutMs })
          .catch(() => undefined);
        const wideMs = Date.now() - began;
        const otherCheck = await others;
        note(
          `${n} branches ${wideInfo ? 'completed' : 'NOT done'} after ${(wideMs / 1000).toFixed(1)} s (${Math.round((n + 2) / (wideMs / 1000))} steps/s); the ${OTHERS} runs beside it all ended after ${(otherCheck.doneMs / 1000).toFixed(1)} s; worker peak RSS ${fleet.peakRssMb() ?? '?'} MB`,
        );
        violations.push(...otherCheck.violations);
        if (wideInfo === undefined) {
          // How far it got tells a slow run from a stalled one.
          const metrics = await store.metrics.get(wideId);
          violations.push(
            `the wide run did not end within ${size.wide.timeoutMs} ms (${metrics?.completed ?? 0} of ${n + 2} items completed)`,
          );
        } else {
          const check = await checkCompleted(
            store,
            orchestrator,
            [
              {
                runId: wideId,
                output: { count: n, sum: (n * (n - 1)) / 2, leaves: n },
                items: n + 2,
                counter: { field: 'leaves', value: n },
              },
            ],
            10_000,
          );
          violations.push(...check.violations);
        }
        return {
          outcome:
            `${bigLine}${n} branches ${wideInfo ? 'in' : 'not done after'} ${(wideMs / 1000).toFixed(1)} s; ${otherCheck.completed}/${OTHERS} runs beside it completed exactly ` +
            `(all within ${(otherCheck.doneMs / 1000).toFixed(1)} s); worker peak RSS ${fleet.peakRssMb() ?? '?'} MB`,
          violations,
        };
      });
    },
  };
}
