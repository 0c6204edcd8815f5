// Generated from ../outbox.lua by scripts/lua-codegen.mjs (nx run @floxide/redis:codegen): do not edit.
import { PRELUDE_LUA } from './prelude.js';

/**
 * The sweeper's view of one run: its status, how many outbox entries it has, and the job ids of the entries
 * due at least ARGV[1] ms ago by the server clock, the only ones a crashed hand-off can have left behind.
 * Only one HSCAN page of the outbox is looked at per call (ARGV[2] cursor, ARGV[3] count): a sweep tick
 * costs the same however large the outbox; the next ticks carry on from the returned cursor. Values are not
 * returned: most old entries are still waiting in BullMQ and are not re-sent (see `RedisWorkQueue.sweep`).
 * An unreadable entry fails the run with CORRUPT_RECORD and is removed (the error record names it).
 * KEYS[14] is the run's `fanouts` hash: its size is the number of wide fan-outs still being materialised.
 * Returns `{ status, outboxSize, oldJobIds, nextCursor, fanouts }`.
 *
 * KEYS: 1..13 the run's keys in `RUN_KEY_NAMES` order (keys.ts), 14 the run's `fanouts` hash.
 */
export const OUTBOX_LUA = `${PRELUDE_LUA}
local cutoff = serverNow() - tonumber(ARGV[1])
local old, bad = {}, {}
local page = rcall('HSCAN', K_OUTBOX, ARGV[2], 'COUNT', ARGV[3])
local entries = page[2]
for i = 1, #entries, 2 do
  local readyAt = parseOutbox(entries[i + 1])
  if not readyAt then
    corrupt('outbox entry ' .. entries[i])
    bad[#bad + 1] = entries[i]
  elseif readyAt <= cutoff then
    old[#old + 1] = entries[i]
  end
end
if CORRUPT then
  checkRun()
  failCorrupt(serverNow())
  for _, jobId in ipairs(bad) do rcall('HDEL', K_OUTBOX, jobId) end
end
return { rcall('HGET', K_RUN, 'status') or '', rcall('HLEN', K_OUTBOX), old, page[1], rcall('HLEN', KEYS[14]) }
`;
