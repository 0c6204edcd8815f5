// Generated from ../release.lua by scripts/lua-codegen.mjs (nx run @floxide/redis:codegen): do not edit.
import { PRELUDE_LUA } from './prelude.js';

/**
 * Gives a leased item back without a commit (lease released): not leased any more, state `pending`.
 * ARGV: 1 itemId, 2 jobId, 3 the lock token of the lease being released. Only the lease's owner may
 * release it: a claim by another worker (its job came back meanwhile) records its own token, so a late
 * release never marks that worker's running item `pending`. Returns 1 when the item was ours, else 0.
 *
 * KEYS: 1..13 the run's keys in `RUN_KEY_NAMES` order (keys.ts).
 */
export const RELEASE_LUA = `${PRELUDE_LUA}
local itemId, jobId, token = ARGV[1], ARGV[2], ARGV[3]
if rcall('HGET', K_LEASED, itemId) ~= token then return 0 end
local e = rcall('HGET', K_LIVE, itemId)
if parseEntry(e) ~= jobId then return 0 end
rcall('HDEL', K_LEASED, itemId)
unrunItem(itemId)
return 1
`;
