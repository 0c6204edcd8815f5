import { BackendError } from '@floxide/core';
import type { CommitResult, StepCommit } from '@floxide/distributed';
import type { PgPoolLike } from '../pg-pool-like.js';
import type { SchemaDb } from '../schema-db.js';
import { commitPayload, commitResult, commitStep, type CommitAnswer } from './commit.js';
import { runCommitMessage } from './run-commit-message.js';

/** Most commits one `commit_steps` call applies: bounds how long one batch holds its run row. */
export const MAX_COMMIT_BATCH = 64;

/** A commit waiting for the commit of its run in flight from this process. */
interface Waiting {
  readonly step: StepCommit;
  readonly payload: string;
  readonly resolve: (result: CommitResult) => void;
  readonly reject: (error: unknown) => void;
}

/** What `commit_steps` answers (its feed notices already sent by the commit message): one `commit_step` answer per payload, in order. */
interface BatchAnswer {
  readonly results: readonly CommitAnswer[];
}

/**
 * Sends the step commits of this process, batching those of one run that arrive while a commit of that
 * run is in flight: they go together in one `commit_steps` call once it returns (see
 * `migrations/0023_commit_batches.sql`).
 *
 * @remarks
 * Every commit holds its run's row until its transaction's WAL flush ends, so commits of one run wait for
 * each other anyway; a wide fan-out's branches committed one flush at a time. Waiting here instead lets
 * the commits that queued meanwhile share one transaction and one flush. Nothing waits on a timer: a lone
 * commit (a chain, or the first branch) is sent at once, through `commit_step_notify_after` as before, and
 * commits of different runs never share a transaction. A batch that fails as a whole (one element raised)
 * applied nothing; its steps are then committed one by one, each answering or failing on its own.
 */
export class CommitBatcher {
  readonly #db: SchemaDb;
  readonly #pool: PgPoolLike;
  /** For each run with a commit in flight from this process: the commits of that run that arrived since. */
  readonly #waiting = new Map<string, Waiting[]>();

  constructor(db: SchemaDb, pool: PgPoolLike) {
    this.#db = db;
    this.#pool = pool;
  }

  /** Records one step exactly once (see `Backend.commit`), alone or in a batch of its run's commits. */
  async commit(step: StepCommit): Promise<CommitResult> {
    const runId = step.lease.item.runId;
    const queue = this.#waiting.get(runId);
    if (queue !== undefined) {
      const payload = commitPayload(step);
      return new Promise((resolve, reject) => {
        queue.push({ step, payload, resolve, reject });
      });
    }
    this.#waiting.set(runId, []);
    try {
      return await commitStep(this.#db, this.#pool, step);
    } finally {
      void this.#drain(runId);
    }
  }

  /** Sends the run's waiting commits, a batch at a time, until none is left; then forgets the run. */
  async #drain(runId: string): Promise<void> {
    for (;;) {
      const queue = this.#waiting.get(runId);
      if (queue === undefined || queue.length === 0) {
        this.#waiting.delete(runId);
        return;
      }
      await this.#send(queue.splice(0, MAX_COMMIT_BATCH));
    }
  }

  /** Commits `batch` and settles each of its commits; never throws. */
  async #send(batch: readonly Waiting[]): Promise<void> {
    let answers: readonly CommitAnswer[] | undefined;
    if (batch.length > 1) {
      try {
        answers = await this.#commitBatch(batch);
      } catch {
        // The transaction applied nothing: each step alone below says what was wrong with it.
        answers = undefined;
      }
    }
    for (const [i, waiting] of batch.entries()) {
      try {
        const answer = answers?.[i];
        waiting.resolve(
          answer === undefined
            ? await commitStep(this.#db, this.#pool, waiting.step)
            : commitResult(waiting.step, answer),
        );
      } catch (error) {
        waiting.reject(error);
      }
    }
  }

  /** One `commit_steps` call for `batch`: the answers in order (its feed notices sent right after its COMMIT, in the same message). */
  async #commitBatch(batch: readonly Waiting[]): Promise<readonly CommitAnswer[]> {
    const payload = `[${batch.map((w) => w.payload).join(',')}]`;
    const row = (await runCommitMessage(this.#db, this.#pool, payload, 'commit_steps')) as
      BatchAnswer | undefined;
    if (row?.results.length !== batch.length) {
      throw new BackendError('PostgreSQL batch commit returned no result for every step');
    }
    return row.results;
  }
}
