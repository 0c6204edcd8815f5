/**
 * Timer-driven source (Rust `timer_example.rs`): `source(workflow)` runs the workflow once per input of an
 * async iterable — here a timer that ticks every 20 ms, ten times — and yields each run's output.
 */
import { node, source, workflow } from '@floxide/core';
import { setTimeout as sleep } from 'node:timers/promises';
import { runMain } from './run-main.js';

const onTick = node({ name: 'on-tick', process: (tick: number) => `tick ${tick} → ${tick * tick}` });

/** Handles one tick. */
export const tickWorkflow = workflow({ name: 'tick' }).start(onTick).build();

/** A timer as an async iterable: `count` ticks, `everyMs` apart. */
export async function* ticks(count: number, everyMs: number): AsyncGenerator<number> {
  for (let tick = 1; tick <= count; tick++) {
    await sleep(everyMs);
    yield tick;
  }
}

/** Drives one run per tick; returns the outputs in order. */
export async function main(): Promise<string[]> {
  const outputs: string[] = [];
  for await (const output of source(tickWorkflow).run(ticks(10, 20))) outputs.push(output);
  return outputs;
}

runMain(import.meta.url, main);
