import { z } from 'zod';
import { node, RetryPolicy, Transition, workflow } from '@floxide/core';

/**
 * Gates a test opens to let a `gated` run's `wait` node finish: the test sees the graph with `wait`
 * running, then completed. In-process only (Memory, or Redis/Postgres with an in-process worker).
 */
const gates = new Map<string, { open: () => void; opened: Promise<void> }>();

function gate(key: string): { open: () => void; opened: Promise<void> } {
  let entry = gates.get(key);
  if (entry === undefined) {
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    entry = { open, opened };
    gates.set(key, entry);
  }
  return entry;
}

/** Lets the `wait` node of the run started with `{ gate: key }` finish. */
export function openGate(key: string): void {
  gate(key).open();
}

const fetchDoc = node({
  name: 'fetch',
  input: z.object({ gate: z.string() }),
  process: (input: { gate: string }) => ({ gate: input.gate, words: ['a', 'b', 'c'] }),
});
const fanOut = node({
  name: 'fan-out',
  process: (doc: { gate: string; words: string[] }) =>
    Transition.nextAll(doc.words.map((w) => ({ gate: doc.gate, w }))),
});
const wait = node({
  name: 'wait',
  process: async (x: { gate: string; w: string }, ctx) => {
    await Promise.race([
      gate(x.gate).opened,
      new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted')))),
    ]);
    return x.w.toUpperCase();
  },
});
const collect = node({ name: 'collect', process: (words: readonly string[]) => words.join('') });
const store = node({ name: 'store', process: (s: string) => ({ stored: s }) });

/** fetch → fan-out → wait ×3 (held until the gate opens) → collect (join) → store. */
export const gatedWorkflow = workflow({ name: 'gated' })
  .start(fetchDoc)
  .edge(fetchDoc, fanOut)
  .join(collect, { from: fanOut })
  .edge(fanOut, wait)
  .edge(wait, collect)
  .edge(collect, store)
  .build();

const load = node({ name: 'load', process: (n: number) => n + 1 });
const explode = node({
  name: 'explode',
  retry: RetryPolicy.fixed({ maxAttempts: 2, initialDelayMs: 10 }),
  process: (): number => {
    throw new Error('disk quota exceeded while writing the report');
  },
});

/** A run that fails for good on its second node (after one retry), with a message the page must show. */
export const failingWorkflow = workflow({ name: 'failing' }).start(load).edge(load, explode).build();

/** One quick node: runs that finish at once. */
export const quickWorkflow = workflow({ name: 'quick' })
  .start(node({ name: 'double', input: z.number(), process: (n: number) => n * 2 }))
  .build();

const Decision = z.object({ approved: z.boolean(), by: z.string() });
const request = node({
  name: 'request',
  input: z.object({ amount: z.number(), answerWithinMs: z.number().optional() }),
  process: (r: { amount: number; answerWithinMs?: number | undefined }) => r,
});
const ask = node({
  name: 'ask',
  // Parks on 'approval' (no lease, no worker slot) until a signal (the dashboard's form) answers it.
  process: (r: { amount: number; answerWithinMs?: number | undefined }) =>
    Transition.waitFor('approval', {
      schema: Decision,
      ...(r.answerWithinMs === undefined ? {} : { timeoutMs: r.answerWithinMs }),
    }),
});
const decide = node({
  name: 'decide',
  process: (d: z.infer<typeof Decision>) => (d.approved ? `approved by ${d.by}` : `refused by ${d.by}`),
});

/** request → ask (waits for the 'approval' signal, with a timeout when the input gives one) → decide. */
export const approvalWorkflow = workflow({ name: 'approval' })
  .start(request)
  .edge(request, ask)
  .edge(ask, decide)
  .build();

/** Every workflow the dashboard tests serve and run. */
export const testWorkflows = [gatedWorkflow, failingWorkflow, quickWorkflow, approvalWorkflow];

const spread = node({
  name: 'spread',
  process: (n: number) => Transition.nextAll(Array.from({ length: n }, (_, i) => i)),
});
const work = node({
  name: 'work',
  retry: RetryPolicy.fixed({ maxAttempts: 2, initialDelayMs: 10 }),
  process: async (i: number, ctx) => {
    // The first branch fails its first attempt: the tracing test sees a retry in the trace.
    if (i === 0 && ctx.attempt === 1) throw new Error('first attempt of branch 0 fails');
    // Long enough that both workers of the tracing test get a share of the items.
    await new Promise((resolve) => setTimeout(resolve, 150));
    return i * i;
  },
});
// A durable timer between the join and the last step: the item waits in the backend's timer storage.
const sum = node({
  name: 'sum',
  process: (values: readonly number[]) =>
    Transition.next(
      values.reduce((a, b) => a + b, 0),
      { delayMs: 100 },
    ),
});
const report = node({ name: 'report', process: (total: number) => ({ total }) });

/**
 * spread (fan-out of n) → work ×n (150 ms each; branch 0 retried once) → sum (join) → 100 ms timer → report:
 * a run that several workers share.
 */
export const spreadWorkflow = workflow({ name: 'spread' })
  .start(spread)
  .join(sum, { from: spread })
  .edge(spread, work)
  .edge(work, sum)
  .edge(sum, report)
  .build();
