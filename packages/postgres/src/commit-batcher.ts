import { sql } from 'kysely';
import { BackendError, CorruptRecordError } from '@floxide/core';
import type { CommitResult, StepCommit } from '@floxide/distributed';
import { type CommitAnswer, commitPayload } from './commit.js';
import { translatePgError } from './errors.js';
import type { SchemaDb } from './schema-db.js';

/** One answer of `commit_steps`: a step's answer, or the error its subtransaction raised. */
type BatchAnswer =
  CommitAnswer | { readonly status: 'error'; readonly code: string; readonly message: string };

interface Waiting {
  readonly payload: string;
  readonly resolve: (result: CommitResult) => void;
  readonly reject: (error: unknown) => void;
}

/** Most steps per `commit_steps` call (each runs in a subtransaction; PostgreSQL caches 64 per backend). */
export const MAX_COMMIT_BATCH = 32;

/**
 * Group commit for one backend: a step commit sent while `maxInFlight` calls are already running waits and
 * leaves with every other step that waited, in one `commit_steps` call — one round trip, one transaction,
 * one WAL flush for all of them.
 *
 * @remarks
 * Nothing waits while fewer calls are in flight, so a lone commit costs what it did. Each step keeps its
 * own answer: `commit_steps` runs every step in a subtransaction, so a step that raises fails alone (a
 * `BackendError`, retryable when the error is), and the batch's transaction failing as a whole (connection
 * lost) fails each of its steps with that error. Steps are idempotent by `(itemId, attempt)`, so a step whose
 * answer was lost with the connection is a `duplicate` when sent again.
 */
export class CommitBatcher {
  readonly #db: SchemaDb;
  readonly #maxInFlight: number;
  readonly #waiting: Waiting[] = [];
  #inFlight = 0;

  constructor(db: SchemaDb, maxInFlight: number) {
    this.#db = db;
    this.#maxInFlight = Math.max(1, maxInFlight);
  }

  /** Records one step (see `Backend.commit`), alone or in a batch with others sent meanwhile. */
  async commit(step: StepCommit): Promise<CommitResult> {
    const payload = commitPayload(step);
    return new Promise<CommitResult>((resolve, reject) => {
      this.#waiting.push({ payload, resolve, reject });
      this.#drain();
    });
  }

  #drain(): void {
    while (this.#inFlight < this.#maxInFlight && this.#waiting.length > 0) {
      const batch = this.#waiting.splice(0, MAX_COMMIT_BATCH);
      this.#inFlight++;
      void this.#send(batch).finally(() => {
        this.#inFlight--;
        this.#drain();
      });
    }
  }

  async #send(batch: Waiting[]): Promise<void> {
    try {
      const answers = await this.#call(batch.map((w) => w.payload));
      batch.forEach((w, i) => {
        try {
          w.resolve(settle(answers[i]));
        } catch (error) {
          w.reject(error);
        }
      });
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }

  async #call(payloads: string[]): Promise<BatchAnswer[]> {
    const db = this.#db;
    const result = await db.run('commit', (k) =>
      sql<{
        answers: BatchAnswer[] | null;
      }>`select ${db.ref('commit_steps')}(${`[${payloads.join(',')}]`}::jsonb) as answers`.execute(k),
    );
    const answers = result.rows[0]?.answers;
    if (!answers || answers.length !== payloads.length) {
      throw new BackendError('PostgreSQL commit returned no result for some steps');
    }
    return answers;
  }
}

/** A step's answer as `Backend.commit` returns it, or the error it stands for. */
function settle(answer: BatchAnswer | undefined): CommitResult {
  if (!answer) throw new BackendError('PostgreSQL commit returned no result');
  if (answer.status === 'corrupt') throw new CorruptRecordError(answer.error.message);
  if (answer.status === 'error') {
    throw translatePgError(Object.assign(new Error(answer.message), { code: answer.code }), 'commit');
  }
  return answer;
}
