import { RunNotFoundError, ValidationError } from '@floxide/core';
import type { RunStatus } from './records.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** How long finished runs are kept, per final status (ms after `finishedAt`; `Infinity` keeps them). */
export interface RetentionTimes {
  /** Completed runs (default 7 days). */
  readonly completedMs?: number;
  /** Failed runs (default 30 days: they may still be revived with `retryFailed`). */
  readonly failedMs?: number;
  /** Cancelled runs (default 7 days). */
  readonly cancelledMs?: number;
}

/**
 * Backend option `retention`: finished runs and everything they own are deleted this long after they
 * finished, judged by the backend's clock. `workflows` overrides the times per workflow name (fields it
 * leaves out come from the backend-wide times).
 *
 * @example
 * ```ts
 * new MemoryBackend({ retention: { completedMs: 3_600_000, workflows: { audit: { completedMs: Infinity } } } });
 * ```
 */
export interface RetentionPolicy extends RetentionTimes {
  readonly workflows?: Readonly<Record<string, RetentionTimes>>;
}

/** A backend's `retention` option: a policy, or `false` to keep every run forever. */
export type RetentionOption = RetentionPolicy | false;

/** The retention a backend applies when the option is absent. */
export const DEFAULT_RETENTION: Required<RetentionTimes> = {
  completedMs: 7 * DAY_MS,
  failedMs: 30 * DAY_MS,
  cancelledMs: 7 * DAY_MS,
};

type FinalStatus = 'completed' | 'failed' | 'cancelled';
const FINAL_STATUSES: readonly FinalStatus[] = ['completed', 'failed', 'cancelled'];

/** One deletion rule of a {@link Retention} (see {@link Retention.rules}). */
export interface RetentionRule {
  readonly status: FinalStatus;
  /** Runs that finished longer ago than this (ms, backend clock) are due. */
  readonly ageMs: number;
  /** Only runs of this workflow; absent: every workflow except those in `skip`. */
  readonly workflow?: string;
  readonly skip: readonly string[];
}

/** A validated retention policy: how long a finished run of a workflow is kept. */
export class Retention {
  readonly #base: Required<RetentionTimes>;
  readonly #workflows: ReadonlyMap<string, Required<RetentionTimes>>;

  private constructor(
    base: Required<RetentionTimes>,
    workflows: ReadonlyMap<string, Required<RetentionTimes>>,
  ) {
    this.#base = base;
    this.#workflows = workflows;
  }

  /**
   * The policy of a backend option (absent: {@link DEFAULT_RETENTION}); `undefined` for `false`.
   * Throws `ValidationError` for a time that is not a non-negative number.
   */
  static of(option: RetentionOption | undefined): Retention | undefined {
    if (option === false) return undefined;
    const base = merge(DEFAULT_RETENTION, option ?? {}, 'retention');
    const workflows = new Map<string, Required<RetentionTimes>>();
    for (const [name, times] of Object.entries(option?.workflows ?? {}))
      workflows.set(name, merge(base, times, `retention.workflows['${name}']`));
    return new Retention(base, workflows);
  }

  /** How long a run of `workflow` that ended with `status` is kept (ms; `Infinity`: forever). */
  keepMs(status: RunStatus, workflow: string): number {
    if (!isFinal(status)) return Infinity;
    return (this.#workflows.get(workflow) ?? this.#base)[`${status}Ms`];
  }

  /**
   * The policy as deletion rules a store can apply with one indexed query each: runs with `status` that
   * finished more than `ageMs` ago, of `workflow` only, or (without it) of every workflow not in `skip`.
   * Rules that keep runs forever are left out.
   */
  rules(): RetentionRule[] {
    const out: RetentionRule[] = [];
    for (const status of FINAL_STATUSES) {
      const key = `${status}Ms` as const;
      const overridden = [...this.#workflows].filter(([, t]) => t[key] !== this.#base[key]).map(([w]) => w);
      if (Number.isFinite(this.#base[key])) out.push({ status, ageMs: this.#base[key], skip: overridden });
      for (const workflow of overridden) {
        const ageMs = (this.#workflows.get(workflow) as Required<RetentionTimes>)[key];
        if (Number.isFinite(ageMs)) out.push({ status, ageMs, workflow, skip: [] });
      }
    }
    return out;
  }

  /** The shortest time any finished run is kept: nothing finished more recently than this is due. */
  get shortestMs(): number {
    let shortest = Infinity;
    for (const times of [this.#base, ...this.#workflows.values()])
      shortest = Math.min(shortest, times.completedMs, times.failedMs, times.cancelledMs);
    return shortest;
  }
}

function isFinal(status: RunStatus): status is FinalStatus {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}

function merge(
  base: Required<RetentionTimes>,
  times: RetentionTimes,
  where: string,
): Required<RetentionTimes> {
  const out = { ...base };
  for (const key of ['completedMs', 'failedMs', 'cancelledMs'] as const) {
    const value = times[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || Number.isNaN(value) || value < 0)
      throw new ValidationError(
        `${where}.${key} must be a non-negative number of ms or Infinity (got ${String(value)})`,
      );
    out[key] = value;
  }
  return out;
}

/** The error for a run id a backend does not hold: it never existed, or retention deleted it. */
export function runNotFoundError(runId: string): RunNotFoundError {
  return new RunNotFoundError(
    `Run ${runId} not found: it never existed, or it finished and was deleted by the backend's retention policy`,
  );
}
