import { ValidationError } from '@floxide/core';
import type { RunInfo, RunInfoStore, RunListQuery, RunPage } from '@floxide/distributed';
import { parseRunIndexMember, runIndexMember } from './keys.js';
import type { RedisShared } from './redis-shared.js';
import { parseRunHash } from './run-hash.js';

function encodeCursor(run: RunInfo): string {
  return Buffer.from(JSON.stringify([run.createdAt, run.runId])).toString('base64url');
}

function decodeCursor(cursor: string): string {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && typeof parsed[0] === 'number' && typeof parsed[1] === 'string') {
      return runIndexMember(parsed[0], parsed[1]);
    }
  } catch {
    // Reported below with one message for every malformed cursor.
  }
  throw new ValidationError('Invalid run list cursor');
}

/**
 * The Redis {@link RunInfoStore}: one hash per run, listed through the `<prefix>:runs` index.
 *
 * @remarks The index is a sorted set of `<zero-padded createdAt>:<runId>` members scanned with
 * ZREVRANGEBYLEX, so pages are newest first (then run id descending) and a cursor is an exclusive bound:
 * pages stay stable while newer runs are added.
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
    return s.guard('runs.get', async () => parseRunHash(await s.client.hgetall(s.keys.run(runId, 'run'))));
  }

  /** Runs newest first, filtered by status and workflow, one page after `cursor`. */
  async list(query: RunListQuery = {}): Promise<RunPage> {
    const s = this.#shared;
    const limit = Math.max(1, query.limit ?? 50);
    let upper = query.cursor === undefined ? '+' : `(${decodeCursor(query.cursor)}`;
    return s.guard('runs.list', async () => {
      const found: RunInfo[] = [];
      const chunk = Math.max(limit + 1, 100);
      for (;;) {
        const members = await s.client.zrevrangebylex(s.keys.runs, upper, '-', 'LIMIT', 0, chunk);
        if (members.length === 0) break;
        const pipeline = s.client.pipeline();
        for (const m of members) pipeline.hgetall(s.keys.run(parseRunIndexMember(m).runId, 'run'));
        const results = (await pipeline.exec()) ?? [];
        members.forEach((m, i) => {
          const [error, value] = results[i] ?? [null, {}];
          if (error) throw error;
          const run = parseRunHash(value as Record<string, string>);
          const idx = parseRunIndexMember(m);
          // Skip index entries whose run vanished or was re-registered with another createdAt.
          if (!run || run.createdAt !== idx.createdAt) return;
          if (query.status !== undefined && run.status !== query.status) return;
          if (query.workflow !== undefined && run.workflow !== query.workflow) return;
          found.push(run);
        });
        if (found.length > limit || members.length < chunk) break;
        upper = `(${members[members.length - 1] as string}`;
      }
      const page = found.slice(0, limit);
      const last = page[page.length - 1];
      return found.length > limit && last ? { runs: page, nextCursor: encodeCursor(last) } : { runs: page };
    });
  }
}
