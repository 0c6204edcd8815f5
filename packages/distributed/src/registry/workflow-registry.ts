import { UnknownWorkflowError, type AnyWorkflow } from '@floxide/core';

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

  /** Registers a workflow; a second definition with the same name and version replaces the first. */
  add(wf: AnyWorkflow): void {
    this.#byKey.set(`${wf.name}@${wf.version}`, wf);
    const latest = this.#latest.get(wf.name);
    if (!latest || latest.version <= wf.version) this.#latest.set(wf.name, wf);
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

  /** Every registered workflow. */
  list(): AnyWorkflow[] {
    return [...this.#byKey.values()];
  }
}
