import { node, split, workflow, type Workflow } from '@floxide/core';
import type { FanJoinProbe } from '../workers/fan-join-probe.js';

/** Input of a P8 run, and what each branch carries: the run's index (and the branch's). */
interface Branch {
  readonly run: number;
  readonly i: number;
}

/** Output of a P8 run: its index and how many branch results the join received in place. */
export interface FanJoinOutput {
  readonly run: number;
  readonly count: number;
}

/** Name of the P8 workflow (the worker routes items by name and version). */
const FAN_JOIN_WORKFLOW = 'bench-fan-join';

/**
 * The P8 workload for Floxide: `fan` splits `{ run }` into `width` branches, `branch` passes each on,
 * `join` receives every branch's output in fan-out order. Each step reports to the probe (the
 * orchestrating process builds it without one: it only starts runs).
 */
export function floxideFanJoin(
  width: number,
  probe?: FanJoinProbe,
): Workflow<{ run: number }, FanJoinOutput> {
  const fan = split('fan', (input: { run: number }): Branch[] => {
    probe?.begin(input.run, 'fan');
    probe?.end(input.run, 'fan');
    return Array.from({ length: width }, (_, i) => ({ run: input.run, i }));
  });
  const branch = node({
    name: 'branch',
    process: (b: Branch): Branch => {
      probe?.begin(b.run, b.i);
      probe?.end(b.run, b.i);
      return b;
    },
  });
  const join = node({
    name: 'join',
    process: (values: readonly Branch[]): FanJoinOutput => {
      const run = values[0]?.run ?? -1;
      probe?.begin(run, 'join');
      // Results in place: branch i's output at index i, all of this run.
      const count = values.filter((v, i) => v.run === run && v.i === i).length;
      probe?.end(run, 'join', count);
      return { run, count };
    },
  });
  return (
    workflow({ name: FAN_JOIN_WORKFLOW, version: 1 })
      .start(fan)
      // Declaring the join first lets the builder type `branch → join` as a branch arriving at it.
      .join(join, { from: fan })
      .edge(fan, branch)
      .edge(branch, join)
      .build() as Workflow<{ run: number }, FanJoinOutput>
  );
}
