import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { isFloxideError } from '@floxide/core';
import { toErrorInfo, type WorkItem } from '@floxide/core/engine';
import type { Lease, LeaseOptions, LeaseState, WorkQueue } from '@floxide/distributed';
import { claimMessage, claimMessageRows, type ClaimRow } from './claim-message.js';
import { encodeJson } from './encode-json.js';
import type { NotifyListener } from './notify.js';
import type { PgPoolLike } from './pg-pool-like.js';
import { parseWorkItem } from './record-schemas.js';
import { runNoticeMessage } from './run-notice-message.js';
import type { SchemaDb } from './schema-db.js';

/**
 * The `work_items.lane` values (`<version>@<workflow>`, see migration 0011) a lease filter selects; null
 * for no filter.
 */
function laneFilter(workflows: LeaseOptions['workflows']): string[] | null {
  return workflows === undefined ? null : workflows.map((w) => `${w.version}@${w.name}`);
}

/** The `maxConcurrency` of each lane of {@link laneFilter} (null entries: no limit); null when none has one. */
function laneLimits(workflows: LeaseOptions['workflows']): (number | null)[] | null {
  if (workflows?.some((w) => w.maxConcurrency !== undefined) !== true) return null;
  return workflows.map((w) => w.maxConcurrency ?? null);
}

/** Options of {@link PostgresWorkQueue}. */
export interface PostgresWorkQueueOptions {
  readonly db: SchemaDb;
  readonly listener: NotifyListener;
  /**
   * The pool `db` queries through. With it, a claim is one message that sends its feed notices after its
   * COMMIT (see `claim-message.ts`); without it, the claim notifies from its own transaction.
   */
  readonly pool?: PgPoolLike;
  /** Poll interval of a waiting lease call while no LISTEN connection is up (down, or none). Default 1 s. */
  readonly fallbackPollMs?: number;
  /** This process's clock (default `Date.now`): measures waits only, never compared with stored times. */
  readonly clock?: () => number;
}

/** Shortest sleep between two claims of a waiting lease call, so items locked by others do not spin it. */
const MIN_WAIT_MS = 25;
/**
 * Shortest waiter registration: an idle worker's repeated lease calls re-register at most this often,
 * and commits keep notifying for at most this long after its last wait.
 */
const MIN_WAITER_MS = 10_000;

/**
 * The PostgreSQL {@link WorkQueue}: one `claim_items` call per claim (`FOR UPDATE SKIP LOCKED`, batch of
 * `max`), long polls woken by LISTEN/NOTIFY or a timer set to the next visibility time, never a busy loop.
 *
 * @remarks
 * The lease deadline is the item's `visible_at`: an expired lease is claimable again by the same index
 * scan that finds ready items. A lease call about to wait first registers in the `waiters` table (at most
 * once per 10 s while idle): commits send NOTIFY only while some waiter is registered, because a notifying
 * transaction holds a database-wide lock through its commit and so serialises every other one. Times of
 * leases and delays come from the database clock, so workers with skewed clocks agree on them: a waiting
 * call asks the database how long until the next item becomes visible or the next run deadline passes,
 * and sleeps that long on its own clock. Every claim also fails runs past their deadline, so a deadline
 * fires while any worker polls the queue, even for a paused run or one waiting on a delayed retry.
 *
 * @example
 * ```ts
 * const leases = await backend.queue.lease({ workerId: 'w1', leaseMs: 30_000, max: 8, waitMs: 5_000 });
 * ```
 */
export class PostgresWorkQueue implements WorkQueue {
  readonly #db: SchemaDb;
  readonly #listener: NotifyListener;
  readonly #pool: PgPoolLike | undefined;
  readonly #fallbackPollMs: number;
  readonly #clock: () => number;
  /** This queue's row in the `waiters` table. */
  readonly #waiterId = randomUUID();
  /** Until when (local clock, conservative) the waiter row makes commits notify. */
  #waiterUntil = 0;

  constructor(options: PostgresWorkQueueOptions) {
    this.#db = options.db;
    this.#listener = options.listener;
    this.#pool = options.pool;
    this.#fallbackPollMs = options.fallbackPollMs ?? 1_000;
    this.#clock = options.clock ?? Date.now;
  }

  /** Adds items of existing unfinished runs; idempotent by `(itemId, attempt)`. */
  async enqueue(items: readonly WorkItem[], options: { delayMs?: number } = {}): Promise<void> {
    if (items.length === 0) return;
    const db = this.#db;
    await db.run('enqueue', (k) =>
      sql`select ${db.ref('enqueue_items')}(${encodeJson(items, 'the enqueued items')}::jsonb, ${Math.round(options.delayMs ?? 0)}::bigint)`.execute(
        k,
      ),
    );
  }

  /** Claims up to `max` ready items; waits up to `waitMs` (LISTEN/NOTIFY + timer) when none is ready. */
  async lease(options: LeaseOptions): Promise<Lease[]> {
    const max = Math.max(1, Math.floor(options.max ?? 1));
    const waitMs = Math.max(0, options.waitMs ?? 0);
    const now = this.#clock;
    const deadline = now() + waitMs;
    const lanes = laneFilter(options.workflows);
    const limits = laneLimits(options.workflows);
    if (waitMs > 0) await this.#listener.start();
    for (;;) {
      const generation = this.#listener.generation;
      const leases = await this.#claim(options, max, lanes, limits);
      if (leases.length > 0 || options.signal?.aborted || now() >= deadline) return leases;
      // A notification that arrived during the claim may be for work the claim did not see yet.
      if (generation !== this.#listener.generation) continue;
      // Commits notify only while a waiter is registered: register, then claim once more, since a commit
      // that ended before the registration did not notify. Without a LISTEN connection nobody hears them.
      if (this.#listener.enabled && (await this.#registerWaiter(deadline))) continue;
      // Delays on the database clock, turned into a local deadline: skewed clocks never meet in a comparison.
      const wakeInMs = await this.#nextWakeInMs(lanes);
      // Nobody waited while that query ran: a notification then would otherwise be lost until the timer.
      if (generation !== this.#listener.generation) continue;
      let until = deadline;
      if (wakeInMs !== undefined) until = Math.min(until, now() + Math.max(wakeInMs, MIN_WAIT_MS));
      if (!this.#listener.listening) until = Math.min(until, now() + this.#fallbackPollMs);
      await this.#listener.wait(until, options.signal, now);
    }
  }

  /** Moves the deadline to now + `leaseMs`; `'lost'` / `'cancelled'` as the contract says. */
  async extend(lease: Lease, leaseMs: number): Promise<LeaseState> {
    const db = this.#db;
    const { item } = lease;
    const result = await db.run('lease extension', (k) =>
      sql<{
        state: LeaseState;
      }>`select ${db.ref('extend_lease')}(${item.runId}, ${item.itemId}, ${lease.token}, ${Math.round(leaseMs)}::bigint) as state`.execute(
        k,
      ),
    );
    return result.rows[0]?.state ?? 'lost';
  }

  /** Gives the item back, visible after `delayMs`, same attempt; no-op for a lost lease. */
  async release(lease: Lease, options: { delayMs?: number } = {}): Promise<void> {
    const db = this.#db;
    const { item } = lease;
    await db.run('lease release', (k) =>
      sql`select ${db.ref('release_lease')}(${item.runId}, ${item.itemId}, ${lease.token}, ${Math.round(options.delayMs ?? 0)}::bigint)`.execute(
        k,
      ),
    );
  }

  /** Removes the run's queued (not leased) items; returns how many. */
  async purgeRun(runId: string): Promise<number> {
    const db = this.#db;
    const result = await db.run('purge', (k) =>
      sql<{ count: number }>`select ${db.ref('purge_run')}(${runId}) as count`.execute(k),
    );
    return Number(result.rows[0]?.count ?? 0);
  }

  /** The run's queued, delayed and leased items, in creation order. */
  async pending(runId: string): Promise<WorkItem[]> {
    const rows = await this.#db.run('pending items read', (k) =>
      k
        .selectFrom('work_items')
        .select('item')
        .where('run_id', '=', runId)
        .where('queue_state', '<>', 'done')
        .orderBy('seq')
        .execute(),
    );
    return rows.map((row) => parseWorkItem(row.item, `work item of run ${runId}`));
  }

  async #claim(
    options: LeaseOptions,
    max: number,
    lanes: string[] | null,
    limits: (number | null)[] | null,
  ): Promise<Lease[]> {
    const leases: Lease[] = [];
    for (const row of await this.#claimRows(options, max, lanes, limits)) {
      try {
        const item = parseWorkItem(row.item, 'work item');
        leases.push({
          item,
          token: row.token,
          workerId: options.workerId,
          expiresAt: Number(row.expires_at),
        });
      } catch (error) {
        // claim_items applies the same checks, so this is a second line: fail the run the item names, if it
        // names one, and never hand the item to a worker. The other leases of the batch go out as usual.
        if (!isFloxideError(error, 'CORRUPT_RECORD')) throw error;
        await this.#failCorrupt(row.item, error as Error);
      }
    }
    return leases;
  }

  /** One `claim_items` call: its rows, its feed notices sent after its COMMIT when the pool is known. */
  async #claimRows(
    options: LeaseOptions,
    max: number,
    lanes: string[] | null,
    limits: (number | null)[] | null,
  ): Promise<readonly ClaimRow[]> {
    const db = this.#db;
    if (this.#pool) {
      const message = claimMessage(db.schema, {
        workerId: options.workerId,
        leaseMs: options.leaseMs,
        max,
        lanes,
        limits,
      });
      return claimMessageRows(await runNoticeMessage(db, this.#pool, 'claim', message));
    }
    const result = await db.run('claim', (k) =>
      sql<ClaimRow>`select item, token, expires_at from ${db.ref('claim_items')}(${options.workerId}, ${Math.round(options.leaseMs)}::bigint, ${max}::integer, ${lanes}::text[], ${limits}::integer[])`.execute(
        k,
      ),
    );
    return result.rows;
  }

  async #failCorrupt(item: unknown, error: Error): Promise<void> {
    const runId = typeof item === 'object' && item !== null ? (item as { runId?: unknown }).runId : undefined;
    if (typeof runId !== 'string') return;
    const db = this.#db;
    await db.run('run failure', (k) =>
      sql`select ${db.ref('fail_run')}(${runId}, ${encodeJson(toErrorInfo(error), 'an error record')}::jsonb, ${Math.round(this.#clock())}::bigint)`.execute(
        k,
      ),
    );
  }

  /** Registers this queue as waiting until at least `deadline` unless it is already; true if it registered. */
  async #registerWaiter(deadline: number): Promise<boolean> {
    const sentAt = this.#clock();
    if (this.#waiterUntil >= deadline) return false;
    const waitMs = Math.max(deadline - sentAt, MIN_WAITER_MS);
    const db = this.#db;
    await db.run('waiter registration', (k) =>
      sql`select ${db.ref('register_waiter')}(${this.#waiterId}, ${waitMs}::bigint)`.execute(k),
    );
    // The row lasts waitMs of database time from a moment after sentAt: never shorter than this estimate.
    this.#waiterUntil = Math.max(this.#waiterUntil, sentAt + waitMs);
    return true;
  }

  /**
   * Milliseconds (database clock) until the next item of the claim index becomes visible or the next run
   * deadline passes, whichever is sooner; `undefined` when there is neither.
   */
  async #nextWakeInMs(lanes: string[] | null): Promise<number | undefined> {
    const db = this.#db;
    const result = await db.run('queue inspection', (k) =>
      sql<{
        item_in: string | null;
        deadline_in: string | null;
      }>`select item_in, deadline_in from ${db.ref('next_wake')}(${lanes}::text[])`.execute(k),
    );
    const row = result.rows[0];
    const delays = [row?.item_in, row?.deadline_in]
      .filter((d): d is string => d !== null && d !== undefined)
      .map(Number);
    return delays.length === 0 ? undefined : Math.min(...delays);
  }
}
