import { z } from 'zod';
import { CorruptRecordError } from '@floxide/core';
import type { WorkItem } from '@floxide/core/engine';
import type { RunInfo, VersionedContext, WorkItemState } from '@floxide/distributed';

/*
 * Shapes of the records this backend reads back. The SQL functions check the same rules before they decide
 * anything (`run_corruption`, `item_corruption`, `join_corruption` in migration 0002); these schemas guard
 * every read in TypeScript, so a row changed behind the backend's back surfaces as `CORRUPT_RECORD` instead
 * of being coerced into something plausible.
 */

const errorInfoSchema = z.looseObject({ name: z.string(), code: z.string(), message: z.string() });

const branchFrameSchema = z.looseObject({
  fanOutItemId: z.string(),
  join: z.string(),
  index: z.number().int().nonnegative(),
  total: z.number().int().positive(),
});

/** A stored work item (`work_items.item`). */
export const workItemSchema = z.looseObject({
  itemId: z.string().min(1),
  runId: z.string().min(1),
  workflow: z.string().min(1),
  version: z.number(),
  node: z.string().min(1),
  attempt: z.number().int().positive(),
  branches: z.array(branchFrameSchema),
  deadlineAt: z.number().optional(),
});

/** A run record as `run_json` builds it from a `runs` row. */
export const runInfoSchema = z.looseObject({
  runId: z.string().min(1),
  workflow: z.string().min(1),
  version: z.number(),
  status: z.enum(['queued', 'running', 'waiting', 'paused', 'completed', 'failed', 'cancelled']),
  error: errorInfoSchema.optional(),
  createdAt: z.number(),
  startedAt: z.number().optional(),
  finishedAt: z.number().optional(),
  deadlineAt: z.number().optional(),
  waitingUntil: z.number().optional(),
  waitingFor: z.array(z.string()).optional(),
  parentRunId: z.string().optional(),
});

/** The state of one work item as the `work_items` row holds it. */
export const workItemStateSchema = z.looseObject({
  itemId: z.string(),
  runId: z.string(),
  node: z.string(),
  status: z.enum(['pending', 'running', 'completed', 'failed', 'waiting-retry', 'dead']),
  attempts: z.number().int().nonnegative(),
  lastError: errorInfoSchema.optional(),
});

/** A run context: an object, or `null` for a run started without one. */
export const contextStateSchema = z.union([z.record(z.string(), z.unknown()), z.null()]);

/** Parses a stored record or throws {@link CorruptRecordError} naming the record (never its contents). */
export function parseRecord<TSchema extends z.ZodType>(
  schema: TSchema,
  value: unknown,
  what: string,
): z.output<TSchema> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  throw new CorruptRecordError(`Stored ${what} is corrupt${where}: ${issue?.message ?? 'invalid shape'}`);
}

/** A stored work item, checked. */
export function parseWorkItem(value: unknown, what: string): WorkItem {
  return parseRecord(workItemSchema, value, what) as unknown as WorkItem;
}

/** A stored run record, checked. */
export function parseRunInfo(value: unknown, runId: string): RunInfo {
  return parseRecord(runInfoSchema, value, `run ${runId}`) as unknown as RunInfo;
}

/** A stored work item state, checked. */
export function parseWorkItemState(value: unknown): WorkItemState {
  return parseRecord(workItemStateSchema, value, 'work item state') as WorkItemState;
}

/**
 * A stored context, checked: an object, or `null` only for a run started without a context (`hasContext`
 * false, or unknown for runs created before migration 0002).
 */
export function parseContext(
  state: unknown,
  version: number,
  hasContext: boolean | null,
  runId: string,
): VersionedContext {
  const checked = parseRecord(contextStateSchema, state, `context of run ${runId}`);
  if (checked === null && hasContext === true) {
    throw new CorruptRecordError(
      `Stored context of run ${runId} is corrupt: null where the run has a context`,
    );
  }
  return { state: checked, version };
}
