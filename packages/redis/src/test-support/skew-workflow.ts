import { node, workflow } from '@floxide/core';

/** `slow` (sleeps `ms`, long enough to pause its run meanwhile) → `after` (terminal). */
export function skewWorkflow() {
  const slow = node({
    name: 'slow',
    async process(ms: number, ctx) {
      await ctx.sleep(ms);
      return ms;
    },
  });
  const after = node({ name: 'after', process: (ms: number) => ({ slept: ms }) });
  return workflow({ name: 'clock-skew', version: 1 }).start(slow).edge(slow, after).build();
}
