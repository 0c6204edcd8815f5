import type { ErrorInfo } from '@floxide/core';
import type { WorkItem } from '@floxide/core/engine';
import type { StepCommit } from '@floxide/distributed';
import { buildContextControl } from './context-args.js';
import { encodeItem, itemHead, jobBase } from '../item-codec.js';
import type { RedisKeys } from '../keys.js';

/** Why a run that consumed its last work item without a terminal output fails. */
export const NO_TERMINAL_OUTPUT: ErrorInfo = {
  name: 'NoTerminalOutputError',
  code: 'NO_TERMINAL_OUTPUT',
  message: 'The run consumed its last work item without reaching a terminal node',
};

/** A wide fan-out's successors staged before the commit (see fanout-drain.ts). */
export interface WideStage {
  /** Unique to this commit attempt. */
  readonly token: string;
  /** The stage list holding the successors (`RedisKeys.stage`). */
  readonly stageKey: string;
  /** The run's `fanouts` hash (`RedisKeys.fanouts`). */
  readonly fanoutsKey: string;
  /** How many successors the stage list holds. */
  readonly count: number;
}

/**
 * One staged successor as FANOUT_LUA reads it: a small JSON header the script decodes
 * (`[itemId, node, jobBase, attempt, delayMs]`), a newline, then the item JSON it stores as it is.
 */
export function stageEntry(next: WorkItem): string {
  const header = JSON.stringify([next.itemId, next.node, jobBase(next.runId, next.itemId), next.attempt, 0]);
  return `${header}\n${encodeItem(next)}`;
}

/** KEYS and ARGV of the commit script for one step. */
export interface CommitArgs {
  readonly keys: string[];
  readonly args: string[];
}

/**
 * How a commit takes part in a strand: `carried` when the lease's BullMQ job is another item's (a strand's
 * carrier job); `token` (the carrier's lock token) when the worker asks for the next item.
 */
export interface StrandArgs {
  readonly carried: boolean;
  readonly token?: string;
}

/**
 * Builds the commit script's arguments: a control JSON without user data, plus raw JSON strings the script
 * stores or concatenates as they are (context values and events, output, items, join values).
 */
export function buildCommitArgs(
  keys: RedisKeys,
  step: StepCommit,
  jobId: string,
  wide?: WideStage,
  strand?: StrandArgs,
): CommitArgs {
  const item = step.lease.item;
  const outcome = step.outcome;
  const runKeys = keys.runKeys(item.runId);
  const args: string[] = [''];
  // ARGV is 1-based in Lua and ARGV[1] is the control JSON, so a value pushed now sits at args.length.
  const push = (raw: string): number => {
    args.push(raw);
    return args.length;
  };
  const control: Record<string, unknown> = {
    runId: item.runId,
    itemId: item.itemId,
    attempt: item.attempt,
    node: item.node,
    jobId,
    at: step.at,
    kind: outcome.kind,
    durationMs: outcome.durationMs,
    noTerminalIdx: push(JSON.stringify(NO_TERMINAL_OUTPUT)),
    enq: [],
    joins: [],
  };
  const extraKeys: string[] = [];
  if (step.context && step.context.fields.length > 0) {
    control['ctx'] = buildContextControl(keys, item.runId, step.context.fields, push, (key) => {
      extraKeys.push(key);
      return runKeys.length + extraKeys.length;
    });
  }
  const enq: Record<string, unknown>[] = [];
  // Due times are the script's server clock plus a delay: a worker's own clock never decides when a job runs.
  const enqueue = (next: typeof item, delayMs: number): void => {
    enq.push({
      itemId: next.itemId,
      node: next.node,
      base: jobBase(next.runId, next.itemId),
      attempt: next.attempt,
      delayMs: Math.max(0, Math.ceil(delayMs)),
      idx: push(encodeItem(next)),
    });
  };
  if (outcome.kind === 'advance') {
    // A durable timer: the script makes this step's successors (and a join item it completes) due at its
    // server clock plus `delayMs`, or at `dueAt` (see COMMIT_LUA's timer block).
    if (outcome.dueAt !== undefined) control['timer'] = { dueAt: outcome.dueAt };
    else if (outcome.delayMs !== undefined) control['timer'] = { delayMs: outcome.delayMs };
    if (outcome.output !== undefined)
      control['outputIdx'] = push(JSON.stringify(outcome.output.value) ?? 'null');
    // A wide fan-out's successors are in its stage list already.
    if (!wide) for (const successor of outcome.successors) enqueue(successor, 0);
    control['joins'] = outcome.joins.map((arrival) => {
      extraKeys.push(keys.join(item.runId, arrival.joinItem.itemId));
      return {
        key: runKeys.length + extraKeys.length,
        itemId: arrival.joinItem.itemId,
        node: arrival.joinItem.node,
        base: jobBase(arrival.joinItem.runId, arrival.joinItem.itemId),
        attempt: arrival.joinItem.attempt,
        index: arrival.index,
        total: arrival.total,
        headIdx: push(itemHead(arrival.joinItem)),
        valueIdx: push(JSON.stringify(arrival.value) ?? 'null'),
      };
    });
  } else {
    const error = outcome.error;
    // The run's error, the item's last error and the step event keep the stack too (see ErrorInfo.stack).
    control['errIdx'] = push(
      JSON.stringify({
        name: error.name,
        code: error.code,
        message: error.message,
        ...(error.stack === undefined ? {} : { stack: error.stack }),
      }),
    );
    control['recIdx'] = push(
      JSON.stringify({
        runId: item.runId,
        itemId: item.itemId,
        node: item.node,
        attempt: item.attempt,
        error,
        at: step.at,
      }),
    );
    if (outcome.kind === 'retry') enqueue(outcome.retryItem, outcome.delayMs);
    else for (const fallback of outcome.fallback) enqueue(fallback, 0);
  }
  control['enq'] = enq;
  if (wide) {
    extraKeys.push(wide.stageKey, wide.fanoutsKey);
    control['wide'] = {
      stage: runKeys.length + extraKeys.length - 1,
      fanouts: runKeys.length + extraKeys.length,
      token: wide.token,
      count: wide.count,
    };
  }
  if (strand?.carried) control['carried'] = true;
  if (strand?.token !== undefined) control['strand'] = { token: strand.token };
  args[0] = JSON.stringify(control);
  return { keys: [...runKeys, ...extraKeys], args };
}
