import { CorruptRecordError } from '@floxide/core';
import type { ContextStore, VersionedContext } from '@floxide/distributed';
import { parseJson } from './item-codec.js';
import type { RedisShared } from './redis-shared.js';

/**
 * The Redis {@link ContextStore}: the run's `ctx` hash (`state` JSON, `version`), changed only by commits.
 *
 * @example
 * ```ts
 * const ctx = await backend.context.get(runId);
 * ```
 */
export class RedisContextStore implements ContextStore {
  readonly #shared: RedisShared;

  constructor(shared: RedisShared) {
    this.#shared = shared;
  }

  /** The context and its version, or `undefined` for a missing run. */
  async get(runId: string): Promise<VersionedContext | undefined> {
    const s = this.#shared;
    return s.guard('context.get', async () => {
      const [state, version] = await s.client.hmget(s.keys.run(runId, 'ctx'), 'state', 'version');
      if (state === null || state === undefined || version === null || version === undefined)
        return undefined;
      const v = Number(version);
      if (!Number.isSafeInteger(v) || v < 0)
        throw new CorruptRecordError(`stored context version of run ${runId} is not a number`);
      return { state: parseJson(state, 'context'), version: v };
    });
  }
}
