import { node, Transition, workflow, type TimerOptions } from '@floxide/core';

/** Node start times seen by the workers of a timer scenario (epoch ms, this process's clock). */
export class TimerProbe {
  readonly wokeAt = new Map<string, number>();
}

/**
 * `arm → wake`: `arm` returns `Transition.next(input, timer(input))`, so `wake` runs when the durable timer is
 * due; `wake` records when it started (by the input's `tag`) and returns `{ tag, woke: true }`.
 */
export function timerWorkflow(
  probe: TimerProbe,
  timer: (input: { readonly tag: string }) => TimerOptions,
  name = 'conformance-timer',
) {
  const arm = node({
    name: 'arm',
    process: (input: { tag: string }) => Transition.next(input, timer(input)),
  });
  const wake = node({
    name: 'wake',
    process: (input: { tag: string }) => {
      probe.wokeAt.set(input.tag, Date.now());
      return { tag: input.tag, woke: true };
    },
  });
  return workflow({ name, version: 1 }).start(arm).edge(arm, wake).build();
}

/** `spread` fans out `n` branches, each delayed by `delayMs`, joined by `collect` (their count). */
export function timerFanOutWorkflow(n: number, delayMs: number) {
  const spread = node({
    name: 'spread',
    process: () =>
      Transition.nextAll(
        Array.from({ length: n }, (_, i) => i),
        { delayMs },
      ),
  });
  const branch = node({ name: 'branch', process: (i: number) => i });
  const collect = node({ name: 'collect', process: (values: number[]) => values.length });
  return workflow({ name: 'conformance-timer-fan-out', version: 1 })
    .start(spread)
    .join(collect, { from: spread })
    .edge(spread, branch)
    .edge(branch, collect)
    .build();
}
