import { node, RetryPolicy, subflow, withRetry, workflow } from '@floxide/core';

/** What the nodes of a child-run scenario saw, and a gate holding the child's step until opened. */
export class ChildProbe {
  readonly runs = new Map<string, number>();
  /** Run ids the child's `work` node ran in, in order. */
  readonly childRuns: string[] = [];
  #open = true;
  #waiters: (() => void)[] = [];

  count(name: string): void {
    this.runs.set(name, (this.runs.get(name) ?? 0) + 1);
  }

  /** Closes the gate: the child's `work` waits until {@link open}. */
  close(): void {
    this.#open = false;
  }

  open(): void {
    this.#open = true;
    for (const wake of this.#waiters.splice(0)) wake();
  }

  async pass(): Promise<void> {
    if (!this.#open) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }
}

/** Options of {@link childRunWorkflows}. */
export interface ChildRunOptions {
  /** Suffix of the workflow names (each scenario its own pair). */
  readonly name: string;
  /** The child's first this-many runs fail (`child failed <n>`). */
  readonly failures?: number;
  /** The parent's `call` node retries (attempts in all). */
  readonly attempts?: number;
  /** Adds `call --onFailure--> rescue`, which returns `{ rescued: true }`. */
  readonly fallback?: boolean;
}

/**
 * A parent `prepare → call → finish` whose `call` is `subflow('call', child)`, and the child
 * `work → add` (`work` doubles `n` after the probe's gate; `add` adds one). `finish` wraps the child's
 * output as `{ result }`. So `{ n: 5 }` ends as `{ result: 11 }`.
 */
export function childRunWorkflows(probe: ChildProbe, options: ChildRunOptions) {
  let failed = 0;
  const work = node({
    name: 'work',
    process: async (input: { n: number }, ctx) => {
      probe.count('work');
      probe.childRuns.push(ctx.runId);
      await probe.pass();
      if (failed < (options.failures ?? 0)) {
        failed += 1;
        throw new Error(`child failed ${failed}`);
      }
      return input.n * 2;
    },
  });
  const add = node({ name: 'add', process: (n: number) => n + 1 });
  const child = workflow({ name: `conformance-child-${options.name}`, version: 1 })
    .start(work)
    .edge(work, add)
    .build();
  const prepare = node({
    name: 'prepare',
    process: (input: { n: number }) => {
      probe.count('prepare');
      return input;
    },
  });
  const plain = subflow('call', child);
  const call =
    options.attempts === undefined
      ? plain
      : withRetry(plain, RetryPolicy.fixed({ maxAttempts: options.attempts, initialDelayMs: 20 }));
  const finish = node({
    name: 'finish',
    process: (result: number) => {
      probe.count('finish');
      return { result };
    },
  });
  const rescue = node({
    name: 'rescue',
    process: () => {
      probe.count('rescue');
      return { rescued: true };
    },
  });
  const base = workflow({ name: `conformance-parent-${options.name}`, version: 1 })
    .start(prepare)
    .edge(prepare, call)
    .edge(call, finish);
  const parent = options.fallback ? base.onFailure(call, rescue).build() : base.build();
  return { parent, child };
}
