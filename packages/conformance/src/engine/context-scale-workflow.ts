import { z } from 'zod';
import {
  context,
  counter,
  eventLog,
  node,
  reducer,
  register,
  RetryPolicy,
  Transition,
  workflow,
} from '@floxide/core';

/** One field of each kind a branch writes: counter, event log, register, reducer. */
export const ScaleContext = context({
  hits: counter(),
  seen: eventLog(z.number()),
  last: register(z.string()),
  sum: reducer(z.number(), (state: number, op: number) => state + op, { initial: 0 }),
});

/** Options of {@link contextScaleWorkflow}. */
export interface ContextScaleOptions {
  /** Branches whose first attempt fails after recording its operations (a retry must drop them). */
  readonly failFirst?: (i: number) => boolean;
  /** Called at the start of every branch execution; may stall (abortable by `signal`). */
  readonly onBranch?: (i: number, signal: AbortSignal) => Promise<void> | void;
}

/**
 * `fan` spreads `0..n-1`; each `branch` adds 1 to `hits`, appends `i` to `seen`, sets `last` and
 * dispatches `i` to the `sum` reducer; `report` joins them and reads the context. Built by a function so a
 * test can give one worker a variant (a stalling branch) of the same graph.
 */
export function contextScaleWorkflow(options: ContextScaleOptions = {}) {
  const fan = node({
    name: 'fan',
    process: (n: number) => Transition.nextAll(Array.from({ length: n }, (_, i) => i)),
  });
  const branch = node({
    name: 'branch',
    context: ScaleContext,
    retry: RetryPolicy.fixed({ maxAttempts: 3, initialDelayMs: 10 }),
    async process(i: number, ctx) {
      await options.onBranch?.(i, ctx.signal);
      ctx.context.hits.add(1);
      ctx.context.seen.append(i);
      ctx.context.last.set(`b${i}`);
      ctx.context.sum.dispatch(i);
      if (ctx.attempt === 1 && options.failFirst?.(i)) throw new Error(`injected failure of branch ${i}`);
      return i;
    },
  });
  const report = node({
    name: 'report',
    context: ScaleContext,
    process: (values: number[], ctx) => ({
      branches: values.length,
      hits: ctx.context.hits.value,
      seen: ctx.context.seen.values.length,
      distinct: new Set(ctx.context.seen.entries.map((e) => e.id)).size,
      sum: ctx.context.sum.value,
    }),
  });
  return workflow({ name: 'conformance-context-scale', version: 1, context: ScaleContext })
    .start(fan)
    .join(report, { from: fan })
    .edge(fan, branch)
    .edge(branch, report)
    .build();
}
