import type { RunInfo } from '@floxide/distributed';
import type { RedisShared } from './redis-shared.js';
import { LuaScript } from './scripts/lua-script.js';
import { WAITS_LUA } from './scripts/generated/waits.js';

const WAITS = new LuaScript(WAITS_LUA);

/**
 * The run as `runs.get` reports it: with `waitingFor` (the names its parked items wait for) and status
 * `waiting` when a running run has nothing but parked items outstanding. Neither is stored: a timeout's
 * claim or a commit changes the items without touching the waits, so they are read from the items (one
 * script, only for a run whose hash lists waits).
 */
export async function withWaits(
  shared: RedisShared,
  info: RunInfo | undefined,
  hash: Record<string, string>,
): Promise<RunInfo | undefined> {
  if (!info || hash['waits'] === undefined || (info.status !== 'running' && info.status !== 'paused'))
    return info;
  const [names, allParked] = (await WAITS.run(shared.client, shared.keys.runKeys(info.runId), [])) as [
    string[],
    number,
  ];
  if (names.length === 0) return info;
  const status = allParked === 1 && info.status === 'running' ? 'waiting' : info.status;
  return { ...info, status, waitingFor: names };
}
