import { UnknownWorkflowError, type AnyWorkflow } from '@floxide/core';
import { subflowChild } from '@floxide/core/engine';
import type { WorkflowRef } from '../contracts/work-queue.js';

/**
 * Workflows known to a worker or orchestrator, by name and version.
 *
 * @remarks Routing is by both: an item of `order@2` is never run by the definition of `order@1`.
 *
 * @example
 * ```ts
 * const registry = new WorkflowRegistry([orderV1, orderV2]);
 * registry.get('order', 2); // orderV2
 * ```
 */
export class WorkflowRegistry {
  readonly #byKey = new Map<string, AnyWorkflow>();
  readonly #latest = new Map<string, AnyWorkflow>();

  constructor(workflows: readonly AnyWorkflow[]) {
    for (const wf of workflows) this.add(wf);
  }

  /**
   * Registers a workflow, and the child workflows of its `subflow` nodes (they run as runs of their own);
   * a second definition with the same name and version replaces the first.
   */
  add(wf: AnyWorkflow): void {
    const key = `${wf.name}@${wf.version}`;
    const known = this.#byKey.get(key);
    this.#byKey.set(key, wf);
    const latest = this.#latest.get(wf.name);
    if (!latest || latest.version <= wf.version) this.#latest.set(wf.name, wf);
    // The same object again (a child used twice, a recursive graph) is walked once.
    if (known === wf) return;
    for (const n of wf.nodes.values()) {
      const child = subflowChild(n);
      if (child !== undefined && this.#byKey.get(`${child.name}@${child.version}`) !== child) this.add(child);
    }
  }

  /** The workflow with this name and version, or `undefined`. */
  get(name: string, version: number): AnyWorkflow | undefined {
    return this.#byKey.get(`${name}@${version}`);
  }

  /** The highest registered version of `name`; throws {@link UnknownWorkflowError} when there is none. */
  latest(name: string): AnyWorkflow {
    const wf = this.#latest.get(name);
    if (!wf) throw new UnknownWorkflowError(`Workflow '${name}' is not registered`);
    return wf;
  }

  /**
   * The workflow versions whose task queue is in `queues` (every registered one when `queues` is absent):
   * a worker's lease filter. Throws {@link UnknownWorkflowError} when `queues` selects none.
   */
  leaseFilter(queues?: readonly string[]): WorkflowRef[] {
    const served = queues === undefined ? undefined : new Set(queues);
    const refs = [...this.#byKey.values()]
      .filter((wf) => served === undefined || served.has(wf.queue))
      .map((wf) =>
        wf.maxConcurrency === undefined
          ? { name: wf.name, version: wf.version }
          : { name: wf.name, version: wf.version, maxConcurrency: wf.maxConcurrency },
      );
    if (refs.length === 0 && queues !== undefined) {
      const known = [...new Set([...this.#byKey.values()].map((wf) => wf.queue))].sort();
      throw new UnknownWorkflowError(
        `No registered workflow is in the queues [${[...queues].join(', ')}] this worker serves (its workflows' queues: [${known.join(', ')}])`,
      );
    }
    return refs;
  }

  /** Every registered workflow. */
  list(): AnyWorkflow[] {
    return [...this.#byKey.values()];
  }
}
