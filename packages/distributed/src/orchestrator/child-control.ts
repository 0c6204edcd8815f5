import { isFloxideError, type Logger } from '@floxide/core';
import type { Backend, RunControl } from '../contracts/backend.js';
import { FINISHED_RUN_STATUSES, type RunInfo } from '../contracts/records.js';
import { deliverToParent } from '../worker/child-runs.js';

/**
 * The live child runs of `runId` (runs a `subflow` node started: their ids start with `<runId>/` and
 * their `parentRunId` is `runId`), read page by page from the run-id prefix index.
 */
async function liveChildren(backend: Backend, runId: string): Promise<RunInfo[]> {
  const out: RunInfo[] = [];
  let cursor: string | undefined;
  do {
    const page = await backend.runs.list({
      runIdPrefix: `${runId}/`,
      limit: 200,
      ...(cursor === undefined ? {} : { cursor }),
    });
    for (const run of page.runs)
      if (run.parentRunId === runId && !FINISHED_RUN_STATUSES.includes(run.status)) out.push(run);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return out;
}

/**
 * Applies `cancel` or `pause` / `resume` to a run's live child runs, and theirs, after the run itself.
 * A child that finished or changed meanwhile is skipped (`RunStateError`, `RunNotFoundError`). A cancelled
 * child run hands its cancellation to its parent at once (see `deliverToParent`).
 */
export async function controlChildren(
  backend: Backend,
  run: RunInfo,
  action: Extract<RunControl, 'cancel' | 'pause' | 'resume'>,
  logger: Logger,
): Promise<void> {
  if (action === 'cancel') await deliverToParent(backend, run, logger);
  for (const child of await liveChildren(backend, run.runId)) {
    let updated: RunInfo;
    try {
      updated = await backend.control(child.runId, action);
    } catch (error) {
      if (isFloxideError(error, 'RUN_STATE') || isFloxideError(error, 'RUN_NOT_FOUND')) continue;
      throw error;
    }
    await controlChildren(backend, updated, action, logger);
  }
}
