import { PRELUDE_LUA } from './prelude.lua.js';

/**
 * Signal waits (see `SignalStore`), kept in the run hash so they go wherever the run goes (retention
 * deletes them with it) and every script over them touches one slot:
 * - `waits`: JSON array `[{ i: itemId, a: attempt, n: name, d: node }]` of parked items, oldest first (ids,
 *   names and numbers only: safe to decode); an entry whose live entry moved on or is leased (its timeout
 *   firing) is stale and dropped by the next script that reads it;
 * - `q:<name>:<n>` the payload JSON of the n-th signal stored for `name`, `qh:<name>` / `qt:<name>` the head and
 *   tail of that queue;
 * - `sid:<signalId>` for every signal id received (exactly once by id).
 * A parked item with a timeout (or a run deadline) is an ordinary delayed item (outbox, then a delayed BullMQ
 * job); one without either is a live entry with no job at all, due never, until a signal replaces it.
 */
const SIGNALS_COMMON_LUA = `${PRELUDE_LUA}
-- Beyond every due time a BullMQ delay can express: a parked item without timeout or deadline has no job.
local NEVER = '8640000000000000'

local function shardPrefix()
  return string.sub(indexBase(), 1, -6)
end

-- The parked items that still wait (live entry at the parked attempt, not leased), and whether they are all
-- the run has outstanding. Stale entries are dropped from the stored list.
local function validWaits()
  local raw = rcall('HGET', K_RUN, 'waits')
  if not raw then return {}, false end
  local list = decodeTable(raw) or {}
  local valid = {}
  for _, w in ipairs(list) do
    if type(w) == 'table' and type(w.i) == 'string' then
      local _, ea = parseEntry(rcall('HGET', K_LIVE, w.i))
      if ea and ea == w.a and rcall('HEXISTS', K_LEASED, w.i) == 0 then valid[#valid + 1] = w end
    end
  end
  if #valid ~= #list then
    if #valid == 0 then rcall('HDEL', K_RUN, 'waits') else rcall('HSET', K_RUN, 'waits', cjson.encode(valid)) end
  end
  return valid, #valid > 0 and #valid == rcall('HLEN', K_LIVE)
end
`;

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

/**
 * DELIVER: sends a signal to a run (see `SignalStore.deliver`). KEYS[1..13] the run's keys. ARGV: 1 control
 * JSON `{ runId, name, signalId? }`, 2 the payload JSON, 3 the name as a JSON string. Reply
 * `{ verdict, itemId or status, outboxFlat }`, verdict delivered | stored | duplicate | missing | state.
 * The delivered item is the parked one as its next attempt: `parked` replaced by `delivered`, `attempt` and
 * `waitAttempts` raised (found by their first match: see item-codec.ts), under a new job id (the parked
 * attempt's delayed job, if any, is then stale and dropped by its claim).
 */
export const DELIVER_LUA = `${SIGNALS_COMMON_LUA}
local c = cjson.decode(ARGV[1])
RUN_ID = c.runId
local status = rcall('HGET', K_RUN, 'status')
if not status then return { 'missing', '', {} } end
-- A retried send of a signal already received is a duplicate even once the run has finished.
if c.signalId and rcall('HEXISTS', K_RUN, 'sid:' .. c.signalId) == 1 then return { 'duplicate', '', {} } end
if isFinished(status) then return { 'state', status, {} } end
if c.signalId then rcall('HSET', K_RUN, 'sid:' .. c.signalId, 1) end
local now = serverNow()
local valid, allParked = validWaits()
for k, w in ipairs(valid) do
  if w.n == c.name then
    local jobId, attempt, _, json = parseEntry(rcall('HGET', K_LIVE, w.i))
    local p = string.find(json, ',"parked":', 1, true)
    local q = string.find(json, ',"input":', 1, true)
    local base = jobId and string.match(jobId, '^([^/]+/[^/]+)/')
    if p and q and q > p and base then
      local head = string.sub(json, 1, p - 1)
      head = string.gsub(head, '"attempt":%d+', '"attempt":' .. (attempt + 1), 1)
      head = string.gsub(head, '"waitAttempts":(%d+)', function(n) return '"waitAttempts":' .. (tonumber(n) + 1) end, 1)
      local item = head .. ',"delivered":{"name":' .. ARGV[3] .. ',"payload":' .. ARGV[2] .. '}' .. string.sub(json, q)
      enqueue(c.runId, w.i, w.d or '', base, attempt + 1, now, item, now)
      table.remove(valid, k)
      if #valid == 0 then rcall('HDEL', K_RUN, 'waits') else rcall('HSET', K_RUN, 'waits', cjson.encode(valid)) end
      if #NEW_OUTBOX > 0 then rcall('SADD', shardPrefix() .. 'active', c.runId) end
      if allParked and status == 'running' then event(now, { type = 'run.status', status = 'running' }) end
      return { 'delivered', w.i, withClock(NEW_OUTBOX) }
    end
  end
end
local t = tonumber(rcall('HGET', K_RUN, 'qt:' .. c.name)) or 0
if not rcall('HGET', K_RUN, 'qh:' .. c.name) then rcall('HSET', K_RUN, 'qh:' .. c.name, t) end
rcall('HSET', K_RUN, 'q:' .. c.name .. ':' .. t, ARGV[2])
rcall('HSET', K_RUN, 'qt:' .. c.name, t + 1)
return { 'stored', '', {} }
`;

/**
 * WAITS: the names a run's parked items wait for and whether they are all it has outstanding (read-only but
 * for dropping stale wait entries). KEYS[1..13] the run's keys. Reply `{ names, allParked (0/1) }`.
 */
export const WAITS_LUA = `${SIGNALS_COMMON_LUA}
local valid, allParked = validWaits()
local names = {}
for _, w in ipairs(valid) do names[#names + 1] = w.n end
return { names, allParked and 1 or 0 }
`;
