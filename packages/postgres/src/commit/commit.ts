import { BackendError, CorruptRecordError, type ErrorInfo } from '@floxide/core';
import type { CommitResult, Lease, RunStatus, StepCommit } from '@floxide/distributed';
import { encodeJson } from '../encode-json.js';
import type { PgPoolLike } from '../pg-pool-like.js';
import { parseWorkItem } from '../record-schemas.js';
import type { SchemaDb } from '../schema-db.js';
import { runCommitMessage } from './run-commit-message.js';

/**
 * What `commit_step` answers (exported for the batch call, `commit-batcher.ts`): a {@link CommitResult}, or
 * the verdict that a stored record is corrupt (its `feedNotices` stay on the server: see `commit-message.ts`).
 */
export type CommitAnswer =
  | Exclude<CommitResult, { readonly status: 'committed' }>
  | { readonly status: 'committed'; readonly runStatus: RunStatus; readonly next?: StrandAnswer }
  | { readonly status: 'corrupt'; readonly error: ErrorInfo };

/** The strand item `commit_step` leased to the committing worker, as the function returns it. */
interface StrandAnswer {
  readonly item: unknown;
  readonly token: string;
  readonly expiresAt: string | number;
}

/**
 * The `commit_step` payload of `step` as JSON text (the lease, the outcome, the context update and the
 * strand request). Throws a non-retryable `ValidationError` when the outcome cannot encode.
 */
export function commitPayload(step: StepCommit): string {
  return encodeJson(
    {
      item: step.lease.item,
      token: step.lease.token,
      at: Math.round(step.at),
      outcome: step.outcome,
      ...(step.context === undefined ? {} : { context: step.context }),
      ...(step.strand === undefined
        ? {}
        : { strand: { workerId: step.lease.workerId, leaseMs: Math.round(step.strand.leaseMs) } }),
    },
    `the step result of item ${step.lease.item.itemId}`,
  );
}

/**
 * The {@link CommitResult} of `step` from the answer `commit_step` gave it (its feed notices removed).
 * Throws {@link CorruptRecordError} for the `corrupt` verdict.
 */
export function commitResult(step: StepCommit, answer: CommitAnswer): CommitResult {
  if (answer.status === 'corrupt') throw new CorruptRecordError(answer.error.message);
  if (answer.status !== 'committed') return answer;
  const { next, ...committed } = answer;
  if (next === undefined) return committed;
  const lease: Lease = {
    item: parseWorkItem(next.item, `work item of run ${step.lease.item.runId}`),
    token: next.token,
    workerId: step.lease.workerId,
    expiresAt: Number(next.expiresAt),
  };
  return { ...committed, next: lease };
}

/**
 * Records one step with a single call of the schema's `commit_step` function: one transaction, one round
 * trip, idempotent by `(itemId, attempt)` (see the newest `commit_step` in `migrations/*.sql` for the
 * exact order of checks and effects). The call goes through `commit_step_notify_after`, in one message
 * that also sends the commit's feed notifications right after its COMMIT (see `commit-message.ts` and
 * `migrations/0020_feed_notify_after_commit.sql`).
 *
 * @remarks
 * Throws {@link CorruptRecordError} when the run row or a join state it needed was corrupt: the function
 * then failed the run (`CORRUPT_RECORD`) and applied nothing of the step. A step whose outcome JSON cannot
 * encode throws a non-retryable `ValidationError` before anything is sent.
 */
export async function commitStep(db: SchemaDb, pool: PgPoolLike, step: StepCommit): Promise<CommitResult> {
  const answer = (await runCommitMessage(db, pool, commitPayload(step))) as CommitAnswer | undefined;
  if (!answer) throw new BackendError('PostgreSQL commit returned no result');
  return commitResult(step, answer);
}
