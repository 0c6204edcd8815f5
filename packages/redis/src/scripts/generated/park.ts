// Generated from ../park.lua by scripts/lua-codegen.mjs (nx run @floxide/redis:codegen): do not edit.
import { SIGNALS_COMMON_LUA } from './signals-common.js';

/**
 * PARK: parks a leased item on a signal (see `SignalStore.park`), idempotent by `(itemId, attempt)` like a
 * commit. KEYS[1..13] the run's keys. ARGV: 1 control JSON `{ runId, itemId, attempt, node, jobId, carried,
 * base, name, timeoutMs?, at, refused? }` (no user data), 2 the next attempt's item head (see item-codec.ts:
 * no `parked`, `delivered` or `input`, no closing brace), 3 the item's input JSON, 4 the name as a JSON
 * string, 5 the refusal's error record JSON (when `refused`). Reply `{ verdict, runStatus, outboxFlat }`,
 * verdict parked | delivered | duplicate | rejected | corrupt (runStatus is then the corrupt record's name).
 */
export const PARK_LUA = `${SIGNALS_COMMON_LUA}
local c = cjson.decode(ARGV[1])
RUN_ID = c.runId
checkRun()
local status = runStatus()
if not status then return { 'rejected', 'cancelled', {} } end
if rcall('SISMEMBER', K_DONE, c.itemId .. '#' .. c.attempt) == 1 then return { 'duplicate', status, {} } end
checkItem(c.itemId)
local own = checkLive(c.itemId)
if CORRUPT then
  if not isFinished(status) then failCorrupt(c.at, c.itemId, c.node, c.attempt) end
  return { 'corrupt', CORRUPT, {} }
end
if isFinished(status) then return { 'rejected', status, {} } end
local now = serverNow()
rcall('SADD', K_DONE, c.itemId .. '#' .. c.attempt)
rcall('HDEL', K_LEASED, c.itemId)
if c.carried then rcall('HDEL', K_RUN, 's:' .. c.jobId) end
if own then
  local _, ea = parseEntry(own)
  if ea == c.attempt then rcall('HDEL', K_LIVE, c.itemId) end
end
if c.refused then rcall('RPUSH', K_ERRORS, ARGV[5]) end
local attempt = c.attempt + 1
local qh = tonumber(rcall('HGET', K_RUN, 'qh:' .. c.name)) or 0
local qt = tonumber(rcall('HGET', K_RUN, 'qt:' .. c.name)) or 0
local verdict = 'parked'
if qh < qt then
  -- A signal of that name came first: consumed now, the step runs again with it at once.
  local payload = rcall('HGET', K_RUN, 'q:' .. c.name .. ':' .. qh) or 'null'
  rcall('HDEL', K_RUN, 'q:' .. c.name .. ':' .. qh)
  if qh + 1 >= qt then rcall('HDEL', K_RUN, 'qh:' .. c.name, 'qt:' .. c.name) else rcall('HSET', K_RUN, 'qh:' .. c.name, qh + 1) end
  local json = ARGV[2] .. ',"delivered":{"name":' .. ARGV[4] .. ',"payload":' .. payload .. '},"input":' .. ARGV[3] .. '}'
  enqueue(c.runId, c.itemId, c.node, c.base, attempt, now, json, now)
  verdict = 'delivered'
else
  local timeoutAt = nil
  if c.timeoutMs then timeoutAt = now + c.timeoutMs end
  local parked = '{"name":' .. ARGV[4]
  if timeoutAt then parked = parked .. ',"timeoutAt":' .. string.format('%d', timeoutAt) end
  local json = ARGV[2] .. ',"parked":' .. parked .. '},"input":' .. ARGV[3] .. '}'
  local due = timeoutAt
  local deadline = tonumber(rcall('HGET', K_RUN, 'deadlineAt'))
  if deadline and (not due or deadline < due) then due = deadline end
  if due then
    enqueue(c.runId, c.itemId, c.node, c.base, attempt, math.max(due, now), json, now)
  else
    rcall('HSET', K_LIVE, c.itemId, c.base .. '/' .. attempt .. '\\n' .. attempt .. '\\n' .. NEVER .. '\\n' .. json)
    rcall('HSET', K_PAYLOADS, c.itemId, c.base .. '\\n' .. json)
  end
  setItem(c.itemId, 'pending', nil, nil)
  local list = decodeTable(rcall('HGET', K_RUN, 'waits')) or {}
  list[#list + 1] = { i = c.itemId, a = attempt, n = c.name, d = c.node }
  rcall('HSET', K_RUN, 'waits', cjson.encode(list))
end
if #NEW_OUTBOX > 0 then rcall('SADD', shardPrefix() .. 'active', c.runId) end
local _, allParked = validWaits()
if allParked and status == 'running' then
  event(now, { type = 'run.status', status = 'waiting' })
  return { verdict, 'waiting', withClock(NEW_OUTBOX) }
end
return { verdict, status, withClock(NEW_OUTBOX) }
`;
