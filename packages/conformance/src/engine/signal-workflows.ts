import { node, Transition, workflow } from '@floxide/core';
import { z } from 'zod';

/** What the nodes of a signal scenario saw: node runs by name, and the payloads `done` received. */
export class SignalProbe {
  readonly runs = new Map<string, number>();
  readonly received: unknown[] = [];

  count(name: string): void {
    this.runs.set(name, (this.runs.get(name) ?? 0) + 1);
  }
}

/** Options of {@link approvalWorkflow}. */
export interface ApprovalOptions {
  readonly name?: string;
  /** The wait's timeout (ms). */
  readonly timeoutMs?: number;
  /** Adds `ask --onFailure--> timedOut`, which returns `{ timedOut: true }`. */
  readonly fallback?: boolean;
  /** `prepare` sleeps this long before `ask` (so a signal can arrive before the wait). */
  readonly prepareMs?: number;
}

/**
 * `prepare → ask → done`: `ask` waits for signal `approval` (payload `{ approved: boolean }`, checked by a
 * schema); `done` returns `{ approved }`. With `fallback`, a timed-out wait goes to `timedOut`.
 */
export function approvalWorkflow(probe: SignalProbe, options: ApprovalOptions = {}) {
  const prepare = node({
    name: 'prepare',
    process: async (input: { id: string }) => {
      probe.count('prepare');
      if (options.prepareMs) await new Promise((resolve) => setTimeout(resolve, options.prepareMs));
      return input;
    },
  });
  const ask = node({
    name: 'ask',
    process: () => {
      probe.count('ask');
      return Transition.waitFor('approval', {
        schema: z.object({ approved: z.boolean() }),
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      });
    },
  });
  const done = node({
    name: 'done',
    process: (payload: { approved: boolean }) => {
      probe.count('done');
      probe.received.push(payload);
      return { approved: payload.approved };
    },
  });
  const timedOut = node({
    name: 'timedOut',
    process: () => {
      probe.count('timedOut');
      return { timedOut: true };
    },
  });
  const name = options.name ?? 'conformance-approval';
  const base = workflow({ name, version: 1 }).start(prepare).edge(prepare, ask).edge(ask, done);
  return options.fallback ? base.onFailure(ask, timedOut).build() : base.build();
}
