// Generated from ../delete-run.lua by scripts/lua-codegen.mjs (nx run @floxide/redis:codegen): do not edit.
import { PRELUDE_LUA } from './prelude.js';

/**
 * DELETE_RUN: deletes one finished run with everything it owns, when it is still due.
 *
 * `KEYS[1..13]` the run's keys. `ARGV[1]` the status the run must still have, `ARGV[2]` the cutoff: the run
 * must have finished at or before it (its score in the retention set: server clock ms), `ARGV[3..]` further keys of the run to delete (its
 * join hashes, found by the caller from the items' fan-out frames). Also removed: the event-log lists and id
 * sets named by the context's `logs`, the wide fan-out stages and their `fanouts` hash, and the run's entries
 * in the list, retention, active and deadline indexes. Keys go with `UNLINK` (memory freed in the background).
 * Reply: `deleted`, `kept` (revived, or not due yet) or `gone` (no run hash).
 */
export const DELETE_RUN_LUA = `${PRELUDE_LUA}
local h = rcall('HMGET', K_RUN, 'status', 'runId')
if not h[2] then return 'gone' end
if h[1] ~= ARGV[1] then return 'kept' end
RUN_ID = h[2]
local base = indexBase()
local member, workflow = indexMember()
local finished = tonumber(rcall('ZSCORE', base .. 'finished:' .. h[1] .. ':' .. workflow, RUN_ID))
if not finished or finished > tonumber(ARGV[2]) then return 'kept' end
rcall('ZREM', string.sub(base, 1, -2), member)
rcall('ZREM', base .. 'workflow:' .. workflow, member)
rcall('ZREM', base .. 'ids', RUN_ID)
rcall('ZREM', base .. 'status:' .. h[1], member)
rcall('ZREM', base .. 'wfstatus:' .. h[1] .. ':' .. workflow, member)
rcall('ZREM', base .. 'finished:' .. h[1] .. ':' .. workflow, RUN_ID)
local prefix = string.sub(base, 1, -6)
rcall('SREM', prefix .. 'active', RUN_ID)
rcall('ZREM', prefix .. 'deadlines', RUN_ID)
local names = rcall('HGET', K_CTX, 'logs')
if names then
  local ok, list = pcall(cjson.decode, names)
  if ok and type(list) == 'table' then
    for _, name in ipairs(list) do
      if type(name) == 'string' then rcall('UNLINK', K_CTX .. 'log:' .. name, K_CTX .. 'ids:' .. name) end
    end
  end
end
local runPrefix = string.sub(K_RUN, 1, #K_RUN - 3)
for _, token in ipairs(rcall('HKEYS', runPrefix .. 'fanouts')) do rcall('UNLINK', runPrefix .. 'stage:' .. token) end
rcall('UNLINK', runPrefix .. 'fanouts')
for i = 3, #ARGV do rcall('UNLINK', ARGV[i]) end
for i = 1, 13 do rcall('UNLINK', KEYS[i]) end
return 'deleted'
`;
