import { node, workflow, type AnyWorkflow } from '@floxide/core';

/** Steps of each P14 chain. */
export const FLEET_CHAIN_STEPS = 5;
/** Each step waits this long (I/O-bound work), so the workers do not compete for CPU. */
export const FLEET_STEP_MS = 10;

/** P14's chain named `name`: {@link FLEET_CHAIN_STEPS} steps, each waiting {@link FLEET_STEP_MS} and adding 1. */
export function fleetChain(name: string): AnyWorkflow {
  const steps = Array.from({ length: FLEET_CHAIN_STEPS }, (_, i) =>
    node({
      name: `s${i}`,
      process: async (n: number) => {
        await new Promise((resolve) => setTimeout(resolve, FLEET_STEP_MS));
        return n + 1;
      },
    }),
  );
  let builder = workflow({ name }).start(steps[0] as (typeof steps)[number]);
  for (let i = 1; i < steps.length; i++) builder = builder.edge(steps[i - 1] as never, steps[i] as never);
  return builder.build();
}
