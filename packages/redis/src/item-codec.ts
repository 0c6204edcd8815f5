import { CorruptRecordError } from '@floxide/core';
import type { WorkItem } from '@floxide/core/engine';

/**
 * The BullMQ job id base of an item: `<runId>/<itemId>` URI-encoded, so it never contains `:` (which
 * BullMQ forbids) and the parts cannot be confused. The job id of one attempt is `<base>/<attempt>`;
 * a parked item re-added on resume gets a further `/r<n>` suffix.
 */
export function jobBase(runId: string, itemId: string): string {
  return `${encodeURIComponent(runId)}/${encodeURIComponent(itemId)}`;
}

/** The deterministic BullMQ job id of one attempt of an item. */
export function jobIdOf(item: Pick<WorkItem, 'runId' | 'itemId' | 'attempt'>): string {
  return `${jobBase(item.runId, item.itemId)}/${item.attempt}`;
}

/**
 * Serialises an item with `input` last, without the closing brace.
 *
 * @remarks The Lua scripts rely on this shape: they never decode user data (cjson would change numbers
 * and empty arrays); they append `,"input":…}` to build a join item and rewrite the first
 * `"attempt":N` to build a retry. `input` being last makes that first match the item's own field.
 */
export function itemHead(item: Omit<WorkItem, 'input'>): string {
  const head: Record<string, unknown> = {
    itemId: item.itemId,
    runId: item.runId,
    workflow: item.workflow,
    version: item.version,
    node: item.node,
    attempt: item.attempt,
    branches: item.branches,
  };
  if (item.deadlineAt !== undefined) head['deadlineAt'] = item.deadlineAt;
  if (item.priority !== undefined) head['priority'] = item.priority;
  // Set by a tracer only; its strings never contain `"attempt":` (the retry rewrite's first match).
  if (item.trace !== undefined) head['trace'] = item.trace;
  // Signal waits (see scripts/signals-common.lua, park.lua, deliver.lua): after every field the scripts match, before `input`.
  if (item.waitAttempts !== undefined) head['waitAttempts'] = item.waitAttempts;
  if (item.parked !== undefined) head['parked'] = item.parked;
  if (item.delivered !== undefined) head['delivered'] = item.delivered;
  const json = JSON.stringify(head);
  return json.slice(0, -1);
}

/** Serialises an item in the canonical shape the scripts expect (see {@link itemHead}). */
export function encodeItem(item: WorkItem): string {
  return `${itemHead(item)},"input":${JSON.stringify(item.input) ?? 'null'}}`;
}

/** Parses a stored item; throws CorruptRecordError when it is not one. */
export function decodeItem(json: string): WorkItem {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new CorruptRecordError('a stored work item is not valid JSON', { cause: error });
  }
  const item = parsed as Partial<WorkItem> | null;
  if (
    !item ||
    typeof item.itemId !== 'string' ||
    typeof item.runId !== 'string' ||
    typeof item.attempt !== 'number'
  ) {
    throw new CorruptRecordError('a stored work item lacks itemId, runId or attempt');
  }
  return item as WorkItem;
}

/** Parses a JSON value written by the backend; throws CorruptRecordError otherwise. */
export function parseJson<T>(json: string, what: string): T {
  try {
    return JSON.parse(json) as T;
  } catch (error) {
    throw new CorruptRecordError(`stored ${what} is not valid JSON`, { cause: error });
  }
}

/**
 * The run id, item id and attempt a job id names (`<runId>/<itemId>/<attempt>[/r<n>]`, URI-encoded parts),
 * or `undefined` when the id has another shape: how a job whose data is unreadable is traced to its run.
 */
export function parseJobId(jobId: string): { runId: string; itemId: string; attempt: number } | undefined {
  const parts = jobId.split('/');
  if (parts.length < 3 || parts.length > 4) return undefined;
  const [run, item, attempt, readd] = parts as [string, string, string, string | undefined];
  if (!/^\d+$/.test(attempt) || (readd !== undefined && !/^r\d+$/.test(readd))) return undefined;
  try {
    const runId = decodeURIComponent(run);
    const itemId = decodeURIComponent(item);
    return runId.length > 0 && itemId.length > 0 ? { runId, itemId, attempt: Number(attempt) } : undefined;
  } catch {
    return undefined;
  }
}
