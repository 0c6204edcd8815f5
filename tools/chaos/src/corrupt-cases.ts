import { context, counter, isFloxideError, node, RetryPolicy, Transition, workflow } from '@floxide/core';
import type { ChaosCase } from './chaos-case.js';
import type { CorruptHook, CorruptRecordKind } from './corrupt-hooks.js';

const Hits = context({ hits: counter() });

/** `fan` → nextAll([0, 1]) → `work` → join `collect`; branch 1's first attempt fails with a 1 s retry. */
function protocolWorkflow() {
  const fan = node({ name: 'fan', process: () => Transition.nextAll([0, 1]) });
  const work = node({
    name: 'work',
    context: Hits,
    retry: RetryPolicy.fixed({ maxAttempts: 3, initialDelayMs: 1_000 }),
    process: (n: number, ctx) => {
      if (n === 1 && ctx.attempt === 1) throw new Error('first attempt of branch 1 fails');
      ctx.context.hits.add(1);
      return n;
    },
  });
  const collect = node({ name: 'collect', process: (xs: number[]) => xs });
  return workflow({ name: 'chaos-corrupt', version: 1, context: Hits })
    .start(fan)
    .join(collect, { from: fan })
    .edge(fan, work)
    .edge(work, collect)
    .build();
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/**
 * One case per kind the backend can corrupt, following the conformance protocol: once branch 0 sits in
 * the join and branch 1 waits for its retry, pause, corrupt, resume; the run must end `failed` with
 * `CORRUPT_RECORD` (an `outbox` entry may go unread: then it must still end).
 */
export function corruptCases(hook: CorruptHook): ChaosCase[] {
  const wf = protocolWorkflow();
  return hook.kinds.map((kind: CorruptRecordKind) => ({
    name: `corrupt ${kind} record`,
    workflows: [wf],
    async run(ctx) {
      const { orchestrator } = ctx;
      const runId = await orchestrator.start(wf, null);
      const violations: string[] = [];
      const ready = await until(async () => {
        const work = (await orchestrator.workItems(runId)).filter((i) => i.node === 'work');
        return work.some((i) => i.status === 'completed') && work.some((i) => i.status === 'waiting-retry');
      }, 10_000);
      if (!ready)
        return { outcome: 'protocol state never reached', violations: ['branch states not reached'] };
      await orchestrator.pause(runId);
      await hook.corrupt(ctx.backend, runId, kind);
      await orchestrator.resume(runId).catch((e: unknown) => {
        if (!isFloxideError(e, 'CORRUPT_RECORD')) throw e;
      });
      let status = 'running';
      let code: string | undefined;
      const ended = await until(async () => {
        try {
          const run = await orchestrator.get(runId);
          status = run.status;
          code = run.error?.code;
          return ['completed', 'failed', 'cancelled'].includes(run.status);
        } catch (e) {
          if (isFloxideError(e, 'CORRUPT_RECORD')) return false;
          throw e;
        }
      }, 15_000);
      if (!ended) violations.push(`still ${status} 15 s after resume`);
      else if (
        !(kind === 'outbox' && status === 'completed') &&
        (status !== 'failed' || code !== 'CORRUPT_RECORD')
      )
        violations.push(`ended ${status} ${code ?? ''} instead of failed CORRUPT_RECORD`);
      return { outcome: `${status}${code ? ` ${code}` : ''}`, violations };
    },
  }));
}
