import { node, workflow } from '@floxide/core';
import type { Probe } from './scenario-workflows.js';

/** The state a {@link loopWorkflow} step carries from one step to the next. */
interface LoopState {
  readonly i: number;
  readonly n: number;
}

/** Options of {@link loopWorkflow}. */
export interface LoopOptions {
  /** Wait this long in every step (ms; default 0), so a long chain takes measurable time. */
  readonly stepMs?: number;
  /** The step with this `i` fails on its first attempt (no retry policy: the run fails). */
  readonly failAt?: number;
}

/**
 * A chain of `n` steps of one node that routes back to itself: input `{ i: 0, n }`, output `{ steps: n }`.
 * Every execution records `step` and `step:<i>` in `probe`, so a scenario sees how far a run got and that
 * each step ran once.
 */
export function loopWorkflow(probe: Probe, options: LoopOptions = {}) {
  const stepMs = options.stepMs ?? 0;
  const step = node({
    name: 'step',
    async process(state: LoopState, ctx) {
      probe.hit('step');
      probe.hit(`step:${state.i}`);
      if (state.i === options.failAt && ctx.attempt === 1) throw new Error(`step ${state.i} failed`);
      if (stepMs > 0) await ctx.sleep(stepMs);
      return { i: state.i + 1, n: state.n };
    },
  });
  const done = node({ name: 'done', process: (state: LoopState) => ({ steps: state.i }) });
  return workflow({ name: 'conformance-loop', version: 1 })
    .start(step)
    .route(step, (out) => (out.i >= out.n ? 'finish' : 'again'), { again: step, finish: done })
    .build();
}

/** A one-step workflow recording `quick` in `probe` when its step starts. */
export function quickWorkflow(probe: Probe) {
  const quick = node({
    name: 'quick',
    process(n: number) {
      probe.hit('quick');
      return n;
    },
  });
  return workflow({ name: 'conformance-quick', version: 1 }).start(quick).build();
}
