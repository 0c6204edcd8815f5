import type { ErrorInfo } from '@floxide/core';
import type { RunInfo, RunStatus } from '@floxide/distributed';
import { parseJson } from './item-codec.js';

/** Turns a flat `[field, value, ...]` reply (Lua HGETALL) into an object. */
export function flatToRecord(flat: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i] as string] = flat[i + 1] as string;
  return out;
}

/** Builds a {@link RunInfo} from the run hash; `undefined` when the hash is empty (no such run). */
export function parseRunHash(h: Record<string, string>): RunInfo | undefined {
  if (h['runId'] === undefined) return undefined;
  const num = (field: string): number | undefined => (h[field] === undefined ? undefined : Number(h[field]));
  const startedAt = num('startedAt');
  const finishedAt = num('finishedAt');
  const deadlineAt = num('deadlineAt');
  // A durable timer's due time (see RunInfo.waitingUntil) means nothing once the run is finished.
  const status = h['status'] as RunStatus;
  const waitingUntil = isUnfinished(status) ? num('waitingUntil') : undefined;
  return {
    runId: h['runId'],
    workflow: h['workflow'] ?? '',
    version: Number(h['version']),
    status,
    input: parseJson(h['input'] ?? 'null', 'run input'),
    ...(h['output'] === undefined ? {} : { output: parseJson(h['output'], 'run output') }),
    ...(h['error'] === undefined ? {} : { error: parseJson<ErrorInfo>(h['error'], 'run error') }),
    createdAt: Number(h['createdAt']),
    ...(startedAt === undefined ? {} : { startedAt }),
    ...(finishedAt === undefined ? {} : { finishedAt }),
    ...(deadlineAt === undefined ? {} : { deadlineAt }),
    ...(waitingUntil === undefined || !Number.isFinite(waitingUntil) ? {} : { waitingUntil }),
    ...(h['parentRunId'] === undefined ? {} : { parentRunId: h['parentRunId'] }),
  };
}

function isUnfinished(status: RunStatus): boolean {
  return status === 'queued' || status === 'running' || status === 'paused';
}
