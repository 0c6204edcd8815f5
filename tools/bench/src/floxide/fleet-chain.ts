import { node, workflow, type AnyWorkflow } from '@floxide/core';

/** Steps of each P14 chain. */
export const FLEET_CHAIN_STEPS = 5;
/**
 * Each step waits this long (I/O-bound work): 50 ms by default, `BENCH_P14_STEP_MS` to change it (the
 * worker processes inherit the environment). Why 50: with 10 ms steps one fleet already saturates
 * Postgres on a 2-core machine (~360 steps/s where the slots allow ~740), so a mixed fleet — twice the
 * load — would measure the store's capacity instead of what sharing a store with another workflow costs.
 */
export const FLEET_STEP_MS = Number(process.env['BENCH_P14_STEP_MS'] ?? 50);

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
