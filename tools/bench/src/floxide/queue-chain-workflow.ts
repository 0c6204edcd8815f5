import { node, workflow, type AnyNode, type Workflow } from '@floxide/core';
import type { StepProbe } from '../workers/step-probe.js';

/** Payload of every step of the queue chain: the run's index. */
export interface ChainPayload {
  readonly run: number;
}

/** Name of the chain workflow (the worker routes items by name and version). */
export const QUEUE_CHAIN_WORKFLOW = 'bench-queue-chain';

/**
 * The chain workload of P3–P7 for Floxide: `stepsPerRun` nodes in a row, each reporting to the probe
 * and passing `{ run }` on. The orchestrating process builds it without a probe (it only starts runs).
 */
export function floxideQueueChain(
  stepsPerRun: number,
  probe?: StepProbe,
): Workflow<ChainPayload, ChainPayload> {
  const nodes: AnyNode[] = Array.from({ length: stepsPerRun }, (_, k) =>
    node({
      name: `s${k}`,
      process: (input: ChainPayload): ChainPayload => {
        probe?.begin(input.run, k);
        probe?.end(input.run, k);
        return { run: input.run };
      },
    }),
  );
  const [first, ...rest] = nodes;
  if (!first) throw new RangeError('a chain needs at least one step');
  let builder = workflow({ name: QUEUE_CHAIN_WORKFLOW, version: 1 }).start(first);
  let previous = first;
  for (const next of rest) {
    builder = builder.edge(previous, next);
    previous = next;
  }
  return builder.build() as Workflow<ChainPayload, ChainPayload>;
}
