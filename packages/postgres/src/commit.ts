import type { ErrorInfo } from '@floxide/core';
import type { CommitResult, StepCommit } from '@floxide/distributed';
import { encodeJson } from './encode-json.js';

/** What `commit_step` answers: a {@link CommitResult}, or the verdict that a stored record is corrupt. */
export type CommitAnswer = CommitResult | { readonly status: 'corrupt'; readonly error: ErrorInfo };

/**
 * The JSON argument of `commit_step` for one step (see `migrations/commit-function-v2-sql.ts` for the
 * exact order of checks and effects; `commit-batcher.ts` sends it).
 *
 * @remarks
 * A step whose outcome JSON cannot encode throws a non-retryable `ValidationError` before anything is sent.
 */
export function commitPayload(step: StepCommit): string {
  return encodeJson(
    {
      item: step.lease.item,
      token: step.lease.token,
      at: Math.round(step.at),
      outcome: step.outcome,
      ...(step.context === undefined ? {} : { context: step.context }),
    },
    `the step result of item ${step.lease.item.itemId}`,
  );
}
