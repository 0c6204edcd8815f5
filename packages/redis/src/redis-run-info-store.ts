import {
  encodeRunListCursor,
  normalizeRunListQuery,
  runMatchesFilters,
  type NormalizedRunListQuery,
  type RunInfo,
  type RunInfoStore,
  type RunListQuery,
  type RunPage,
} from '@floxide/distributed';
import { isCluster } from './connection.js';
import { parseRunIndexMember, runIndexMember, SHARDS } from './keys.js';
import { withWaits } from './redis-run-waits.js';
import type { RedisShared } from './redis-shared.js';
import { mergeSorted } from './merge-sorted.js';
import { parseRunHash } from './run-hash.js';

/** The byte after every UTF-8 run id that starts with a prefix (0xff never occurs in UTF-8). */
const AFTER_PREFIX = Buffer.from([0xff]);

/**
 * The Redis {@link RunInfoStore}: one hash per run, listed through sorted-set indexes.
 *
 * @remarks Every list reads one kind of index (keys.ts): `<shard>:runs` (all runs), `runs:status:<status>`,
 * `runs:workflow:<workflow>`, `runs:wfstatus:<status>:<workflow>` (members `<zero-padded createdAt>:<runId>`
 * scanned with ZREVRANGEBYLEX, so newest first and `since` is a lower bound) or `runs:ids` (run ids in byte
 * order, for a prefix search). The scripts that create runs and change statuses keep them, so a page is
 * one range read per shard (the indexes are sharded like the runs: keys.ts; the reads are merged, and a
 * page reads `limit + 1` entries of each of the 16 shards) plus one pipelined read of its runs, however
 * many runs are stored. A cursor is an
 * exclusive bound: pages stay stable while newer runs are added. Each listed run is checked against its
 * hash, so an entry whose run vanished or moved on between the two reads is skipped.
 *
 * @example
 * ```ts
 * const { runs, nextCursor } = await backend.runs.list({ status: 'failed', limit: 20 });
 * ```
 */
export class RedisRunInfoStore implements RunInfoStore {
  readonly #shared: RedisShared;

  constructor(shared: RedisShared) {
    this.#shared = shared;
  }

  /** The run, or `undefined`. */
  async get(runId: string): Promise<RunInfo | undefined> {
    const s = this.#shared;
    return s.guard('runs.get', async () => {
      const hash = await s.client.hgetall(s.keys.run(runId, 'run'));
      return withWaits(s, parseRunHash(hash), hash);
    });
  }

  /** Runs newest first (by id with `runIdPrefix`), filtered, one page after `cursor`. */
  async list(query: RunListQuery = {}): Promise<RunPage> {
    const q = normalizeRunListQuery(query);
    const byId = q.runIdPrefix !== undefined;
    return this.#shared.guard('runs.list', async () => {
      const found = byId ? await this.#idPage(q, q.runIdPrefix as string) : await this.#timePage(q);
      const page = found.slice(0, q.limit);
      const last = page[page.length - 1];
      return found.length > q.limit && last
        ? { runs: page, nextCursor: encodeRunListCursor(last, byId) }
        : { runs: page };
    });
  }

  /** Up to `limit + 1` runs newest first from the narrowest index. */
  async #timePage(q: NormalizedRunListQuery): Promise<RunInfo[]> {
    const keys = this.#shared.keys;
    // A waiting run is stored as running (see withWaits): its index is running's, filtered after the read.
    const status = q.status === 'waiting' ? 'running' : q.status;
    const key = (k: number): string =>
      status !== undefined && q.workflow !== undefined
        ? keys.runsByWorkflowStatus(q.workflow, status, k)
        : status !== undefined
          ? keys.runsByStatus(status, k)
          : q.workflow !== undefined
            ? keys.runsByWorkflow(q.workflow, k)
            : keys.runs(k);
    let upper = q.cursor?.kind === 'time' ? `(${runIndexMember(q.cursor.createdAt, q.cursor.runId)}` : '+';
    // Members are '<padded createdAt>:<runId>': every one of a time >= since sorts at or after the padded time.
    const lower = q.since === undefined ? '-' : `[${runIndexMember(Math.ceil(q.since), '').slice(0, -1)}`;
    const found: RunInfo[] = [];
    const chunk = q.limit + 1;
    for (;;) {
      const members = await this.#merged('zrevrangebylex', key, upper, lower, chunk);
      if (members.length === 0) break;
      const runs = await this.#read(members.map((m) => parseRunIndexMember(m).runId));
      members.forEach((m, i) => {
        const run = runs[i];
        // Skip an entry whose run vanished or was re-registered with another createdAt.
        if (run && run.createdAt === parseRunIndexMember(m).createdAt && runMatchesFilters(run, q))
          found.push(run);
      });
      if (found.length > q.limit || members.length < chunk) break;
      upper = `(${members[members.length - 1] as string}`;
    }
    return found;
  }

  /** Up to `limit + 1` runs whose id starts with `prefix`, by id, that pass the other filters. */
  async #idPage(q: NormalizedRunListQuery, prefix: string): Promise<RunInfo[]> {
    const s = this.#shared;
    let lower = q.cursor?.kind === 'id' ? `(${q.cursor.runId}` : `[${prefix}`;
    const upper = Buffer.concat([Buffer.from(`(${prefix}`), AFTER_PREFIX]);
    const found: RunInfo[] = [];
    // Filters skip runs: read more per round trip then, so a selective filter costs fewer trips.
    const filtered = q.status !== undefined || q.workflow !== undefined || q.since !== undefined;
    const chunk = filtered ? Math.max(q.limit + 1, 200) : q.limit + 1;
    for (;;) {
      const ids = await this.#merged('zrangebylex', (k) => s.keys.runIds(k), lower, upper, chunk);
      if (ids.length === 0) break;
      const runs = await this.#read(ids);
      for (const run of runs) if (run && runMatchesFilters(run, q)) found.push(run);
      if (found.length > q.limit || ids.length < chunk) break;
      lower = `(${ids[ids.length - 1] as string}`;
    }
    return found;
  }

  /**
   * The first `chunk` members of one range read over every shard's index, in byte order (descending when
   * `newestFirst`), as one read of an unsharded index would give them. The 16 reads go out in one pipeline
   * (one socket write and one reply parse instead of 16; a Cluster spreads them over its nodes instead), and
   * the already sorted replies are merged without allocating: comparing members as byte strings, with
   * `Buffer`s made in a sort comparator, was 40% of a page's client CPU.
   */
  async #merged(
    command: 'zrangebylex' | 'zrevrangebylex',
    key: (shard: number) => string,
    from: string | Buffer,
    to: string | Buffer,
    chunk: number,
  ): Promise<string[]> {
    const client = this.#shared.client;
    let lists: string[][];
    if (isCluster(client)) {
      lists = await Promise.all(SHARDS.map((k) => client[command](key(k), from, to, 'LIMIT', 0, chunk)));
    } else {
      const pipeline = client.pipeline();
      for (const k of SHARDS) pipeline[command](key(k), from, to, 'LIMIT', 0, chunk);
      lists = ((await pipeline.exec()) ?? []).map(([error, value]) => {
        if (error) throw error;
        return value as string[];
      });
    }
    return mergeSorted(lists, chunk, command === 'zrevrangebylex' ? -1 : 1);
  }

  /** The runs of these ids in one round trip (`undefined` for a missing one). */
  async #read(runIds: readonly string[]): Promise<(RunInfo | undefined)[]> {
    const s = this.#shared;
    if (isCluster(s.client)) {
      const hashes = await Promise.all(runIds.map((id) => s.client.hgetall(s.keys.run(id, 'run'))));
      return Promise.all(hashes.map((h) => withWaits(s, parseRunHash(h), h)));
    }
    const pipeline = s.client.pipeline();
    for (const id of runIds) pipeline.hgetall(s.keys.run(id, 'run'));
    const results = (await pipeline.exec()) ?? [];
    return Promise.all(
      runIds.map((_, i) => {
        const [error, value] = results[i] ?? [null, {}];
        if (error) throw error;
        const hash = value as Record<string, string>;
        return withWaits(s, parseRunHash(hash), hash);
      }),
    );
  }
}
