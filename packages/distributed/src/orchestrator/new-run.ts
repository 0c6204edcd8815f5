import { randomUUID } from 'node:crypto';
import { RunStateError, ValidationError, type AnyWorkflow } from '@floxide/core';
import type { NewRun, StartRunResult } from '../contracts/backend.js';
import { canonicalJson } from './canonical-json.js';
import type { StartRunOptions } from './orchestrator-options.js';

/**
 * What `start` stores for one run of `wf`: validates `input` with the workflow's schema and `options`
 * (throws `ValidationError`, or `SerializationError` for an input JSON cannot carry) before anything is
 * stored, and stamps `createdAt` and the deadline with `now`.
 */
export function prepareNewRun(
  wf: AnyWorkflow,
  input: unknown,
  options: StartRunOptions = {},
  now: number = Date.now(),
): NewRun {
  const runId = options.runId ?? randomUUID();
  const deadlineAt = options.deadlineMs === undefined ? undefined : now + options.deadlineMs;
  const priority = checkPriority(options.priority);
  const startItem = wf.createStartItem(runId, input, {
    ...(deadlineAt === undefined ? {} : { deadlineAt }),
    ...(priority === 0 ? {} : { priority }),
  });
  return {
    runId,
    workflow: wf.name,
    version: wf.version,
    // The input as stored: what JSON keeps of it (the start item holds the same).
    input: startItem.input,
    context: wf.initialContext(options.context),
    startItem,
    createdAt: now,
    ...(deadlineAt === undefined ? {} : { deadlineAt }),
  };
}

/**
 * The `RunStateError` for a start whose run id already belonged to another run (another workflow or
 * version, or another input compared as canonical JSON), or `undefined` when the start created the run or
 * found the same one.
 */
export function startConflict(newRun: NewRun, result: StartRunResult): RunStateError | undefined {
  if (result.created) return undefined;
  const { run } = result;
  if (run.workflow !== newRun.workflow || run.version !== newRun.version)
    return new RunStateError(
      `Run id ${newRun.runId} already belongs to workflow '${run.workflow}' version ${run.version}`,
    );
  if (canonicalJson(run.input) !== canonicalJson(newRun.input))
    return new RunStateError(`Run id ${newRun.runId} already exists with a different input`);
  return undefined;
}

/** A run's priority, checked: an integer from -1000 to 1000 (default 0). */
function checkPriority(priority: number | undefined): number {
  if (priority === undefined) return 0;
  if (!Number.isInteger(priority) || priority < -1000 || priority > 1000)
    throw new ValidationError(`priority must be an integer from -1000 to 1000 (got ${String(priority)})`);
  return priority;
}
