// Generated from ../prelude.lua by scripts/lua-codegen.mjs (nx run @floxide/redis:codegen): do not edit.
/**
 * Lua helpers shared by every per-run script. `KEYS[1..13]` are the run's keys in `RUN_KEY_NAMES` order.
 *
 * @remarks User data (inputs, outputs, context, join values) is never decoded here: cjson would rewrite
 * numbers and turn empty arrays into objects. Items travel as canonical JSON strings (see item-codec.ts).
 *
 * Redis does not roll back a script that errors, so every script reads and checks the stored records it
 * relies on before its first write (the `check*` helpers below note what is wrong in `CORRUPT`), and every
 * helper that runs after the checks tolerates a malformed record instead of raising. A script that found a
 * corrupt record fails the run with `CORRUPT_RECORD` (`failCorrupt`) and writes nothing else.
 *
 * An include file (`--! include prelude.lua`, the first line of every per-run script): it defines
 * helpers and the `K_*` key locals and returns nothing.
 */
export const PRELUDE_LUA = `
local K_RUN, K_CTX, K_ITEMS, K_ORDER, K_LIVE, K_OUTBOX, K_PARKED, K_LEASED, K_DONE, K_EVENTS, K_ERRORS, K_METRICS, K_PAYLOADS =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10], KEYS[11], KEYS[12], KEYS[13]
local rcall = redis.call
-- Outbox entries written by this script call, flat { jobId, value, ... }: what the caller must hand to BullMQ.
local NEW_OUTBOX = {}
-- The first corrupt record a check found (a short description without user data), or nil.
local CORRUPT = nil
local STATUSES = { queued = true, running = true, paused = true, completed = true, failed = true, cancelled = true }

local function corrupt(what)
  if not CORRUPT then CORRUPT = what end
end

-- The Redis server clock in epoch ms: every due time and status time comes from it, never a worker's clock.
-- Read once per script call (a script runs atomically, so one reading is its time throughout).
local NOW_MS = nil
local function serverNow()
  if not NOW_MS then
    local t = rcall('TIME')
    NOW_MS = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  end
  return NOW_MS
end

local function outboxAdd(jobId, value)
  rcall('HSET', K_OUTBOX, jobId, value)
  NEW_OUTBOX[#NEW_OUTBOX + 1] = jobId
  NEW_OUTBOX[#NEW_OUTBOX + 1] = value
end

local function isFinished(s)
  return s == 'completed' or s == 'failed' or s == 'cancelled'
end

local function isInt(v)
  local n = tonumber(v)
  return n ~= nil and n == math.floor(n)
end

-- A table decoded from JSON, or nil when the text is not a JSON object or array.
local function decodeTable(raw)
  if type(raw) ~= 'string' then return nil end
  local ok, v = pcall(cjson.decode, raw)
  if ok and type(v) == 'table' then return v end
  return nil
end

-- A cheap plausibility check of JSON written by a client (user data is never decoded here: see above):
-- it must start and end like a JSON value.
local function plausibleJson(raw)
  if type(raw) ~= 'string' or #raw == 0 then return false end
  local first, last = string.sub(raw, 1, 1), string.sub(raw, -1)
  if not string.find('{["-0123456789tfn', first, 1, true) then return false end
  return string.find('}]"0123456789el', last, 1, true) ~= nil
end

-- Splits a live entry 'jobId\\nattempt\\nreadyAt\\nitemJson'; nil when it is malformed.
local function parseEntry(e)
  if type(e) ~= 'string' then return nil end
  local a = string.find(e, '\\n', 1, true)
  if not a or a == 1 then return nil end
  local b = string.find(e, '\\n', a + 1, true)
  if not b then return nil end
  local c = string.find(e, '\\n', b + 1, true)
  if not c then return nil end
  local attempt, readyAt = tonumber(string.sub(e, a + 1, b - 1)), tonumber(string.sub(e, b + 1, c - 1))
  local json = string.sub(e, c + 1)
  if not attempt or not readyAt or string.sub(json, 1, 1) ~= '{' or string.sub(json, -1) ~= '}' then return nil end
  return string.sub(e, 1, a - 1), attempt, readyAt, json
end

-- The due time of an outbox entry 'readyAt\\nitemJson'; nil when it is malformed.
local function parseOutbox(v)
  if type(v) ~= 'string' then return nil end
  local nl = string.find(v, '\\n', 1, true)
  if not nl then return nil end
  local readyAt = tonumber(string.sub(v, 1, nl - 1))
  if not readyAt or string.sub(v, nl + 1, nl + 1) ~= '{' or string.sub(v, -1) ~= '}' then return nil end
  return readyAt
end

-- Scripts that know the run id assign it up front; otherwise the first event reads it from the run hash.
local RUN_ID = nil
-- The run's status, read once per script; every change goes through setStatus, which keeps it current.
local RUN_STATUS = nil
local function runStatus()
  if RUN_STATUS == nil then RUN_STATUS = rcall('HGET', K_RUN, 'status') or false end
  return RUN_STATUS
end

-- Run-hash fields checkRun read along with the status (false: absent), so a script reads the run hash once.
local RUN_SEQ, RUN_WAITING, RUN_WIDE = nil, false, false

-- Reads the run's status and checks the run-hash fields every script relies on (status, event and re-add
-- counters, error). A missing run is not corrupt: runStatus() is false then. 'extra' names further run-hash
-- fields read in the same call; their values are returned (in order).
local function checkRun(extra)
  local fields = { 'status', 'seq', 'gen', 'error', 'waitingUntil', 'wide' }
  for _, f in ipairs(extra or {}) do fields[#fields + 1] = f end
  local h = rcall('HMGET', K_RUN, unpack(fields))
  RUN_STATUS = h[1] or false
  RUN_SEQ, RUN_WAITING, RUN_WIDE = h[2], h[5] or false, h[6] or false
  if h[1] then
    if not STATUSES[h[1]] then corrupt('run status') end
    if not isInt(h[2]) then corrupt('run event counter') end
    if h[3] and not isInt(h[3]) then corrupt('run re-add counter') end
    if h[4] and not decodeTable(h[4]) then corrupt('run error') end
  end
  return { unpack(h, 7, #fields) }
end

-- Item states checked by checkItem, by item id (false: no state stored).
local STATES = {}
local function checkItem(itemId)
  if STATES[itemId] ~= nil then return end
  local raw = rcall('HGET', K_ITEMS, itemId)
  if not raw then STATES[itemId] = false return end
  local st = decodeTable(raw)
  if not st or type(st.status) ~= 'string' then
    corrupt('state of item ' .. itemId)
    STATES[itemId] = false
  else
    STATES[itemId] = st
  end
end

local function checkLive(itemId)
  local e = rcall('HGET', K_LIVE, itemId)
  if e and not parseEntry(e) then corrupt('queue entry of item ' .. itemId) end
  return e
end

-- Checks every entry of the run's outbox; returns them flat (what recovery paths hand to BullMQ).
local function checkOutbox()
  local entries = rcall('HGETALL', K_OUTBOX)
  for i = 1, #entries, 2 do
    if not parseOutbox(entries[i + 1]) then corrupt('outbox entry ' .. entries[i]) end
  end
  return entries
end

-- Every event also goes to the prefix's change feed '<prefix>:feed' (a stream trimmed to ~FEED_MAXLEN
-- entries), in the same script, so the feed holds exactly the committed events in commit order. The feed
-- key is global (no run hash tag): on Redis Cluster it lives in another slot (see keys.ts).
local FEED_MAXLEN = 100000
-- Between deferEvents() and flushEvents() the run's event list and counter are written once, at the flush:
-- the events of one script call go out in one RPUSH, the counter with the script's other run-hash fields.
local EVENT_BUF = nil
-- 'run' (optional): the finished run's record for the entry's 'r' field (see finishedRecord).
local function event(at, fields, run)
  if EVENT_BUF then
    RUN_SEQ = RUN_SEQ + 1
    fields.seq = RUN_SEQ
  else
    fields.seq = rcall('HINCRBY', K_RUN, 'seq', 1)
  end
  if not RUN_ID then RUN_ID = rcall('HGET', K_RUN, 'runId') end
  fields.runId = RUN_ID
  fields.at = at
  local json = cjson.encode(fields)
  if EVENT_BUF then EVENT_BUF[#EVENT_BUF + 1] = json else rcall('RPUSH', K_EVENTS, json) end
  -- K_RUN is '<prefix>:{<runId>}:run': the prefix is what precedes ':{<runId>}:run'.
  local feed = string.sub(K_RUN, 1, #K_RUN - #RUN_ID - 7) .. ':feed'
  if run then
    rcall('XADD', feed, 'MAXLEN', '~', FEED_MAXLEN, '*', 'e', json, 'r', run)
  else
    rcall('XADD', feed, 'MAXLEN', '~', FEED_MAXLEN, '*', 'e', json)
  end
end

-- Defers the event list and counter writes (see EVENT_BUF). Only after checkRun read a valid counter, and
-- only in a script whose every return after this point goes through flushEvents.
local function deferEvents()
  RUN_SEQ = tonumber(RUN_SEQ)
  EVENT_BUF = {}
end

-- Writes the deferred events and the counter; 'fields' (flat field, value, ...) are further run-hash fields
-- the caller writes in the same HSET.
local function flushEvents(fields)
  fields = fields or {}
  if EVENT_BUF and #EVENT_BUF > 0 then
    rcall('RPUSH', K_EVENTS, unpack(EVENT_BUF))
    fields[#fields + 1] = 'seq'
    fields[#fields + 1] = string.format('%d', RUN_SEQ)
  end
  EVENT_BUF = nil
  if #fields > 0 then rcall('HSET', K_RUN, unpack(fields)) end
end

-- A finished run's final feed entry carries its record (the run hash's RunInfo fields as a JSON
-- [field, value, ...] array), so wait resolves without reading the run; nil above FEED_RUN_MAX bytes.
local FEED_RUN_FIELDS = { 'runId', 'workflow', 'version', 'status', 'input', 'output', 'error', 'createdAt',
  'startedAt', 'finishedAt', 'deadlineAt' }
local FEED_RUN_MAX = 8000
local function finishedRecord(values)
  values = values or rcall('HMGET', K_RUN, unpack(FEED_RUN_FIELDS))
  local flat, size = {}, 0
  for i, field in ipairs(FEED_RUN_FIELDS) do
    local value = values[i]
    if value then
      size = size + #value
      flat[#flat + 1] = field
      flat[#flat + 1] = value
    end
  end
  if size > FEED_RUN_MAX then return nil end
  return cjson.encode(flat)
end

-- Run list indexes (keys.ts): global sorted sets next to the feed, score 0. The time-ordered ones hold
-- '<createdAt zero-padded to 16>:<runId>' (the member of '<prefix>:runs'); '<prefix>:runs:ids' holds run ids.
-- Kept here, in the scripts that change a status, so a list by status never disagrees with the run hash.
local function indexBase()
  if not RUN_ID then RUN_ID = rcall('HGET', K_RUN, 'runId') end
  return string.sub(K_RUN, 1, #K_RUN - #RUN_ID - 7) .. ':runs:'
end

-- 'h' (optional): the run's createdAt and workflow, when the caller read them already.
local function indexMember(h)
  h = h or rcall('HMGET', K_RUN, 'createdAt', 'workflow')
  local t = tonumber(h[1])
  local ts = '0'
  if t and t > 0 then ts = string.format('%d', math.floor(t)) end
  return string.rep('0', 16 - #ts) .. ts .. ':' .. RUN_ID, h[2] or ''
end

-- Files the run under 'status' in the status and workflow-status indexes and removes it from those of
-- 'old' (from every status when 'old' is unknown: a repaired or reindexed run). 'h': as for indexMember.
local function indexStatus(status, old, h)
  local base = indexBase()
  local member, workflow = indexMember(h)
  for s in pairs(STATUSES) do
    if s ~= status and (s == old or not STATUSES[old or '']) then
      rcall('ZREM', base .. 'status:' .. s, member)
      rcall('ZREM', base .. 'wfstatus:' .. s .. ':' .. workflow, member)
    end
  end
  rcall('ZADD', base .. 'status:' .. status, 0, member)
  rcall('ZADD', base .. 'wfstatus:' .. status .. ':' .. workflow, 0, member)
end

-- Files a run in every list index (start-run; a rebuild of the indexes passes old = nil).
local function indexRun(status, old)
  local base = indexBase()
  local member, workflow = indexMember()
  rcall('ZADD', string.sub(base, 1, -2), 0, member)
  rcall('ZADD', base .. 'workflow:' .. workflow, 0, member)
  rcall('ZADD', base .. 'ids', 0, RUN_ID)
  indexStatus(status, old)
end

-- Retention index (keys.ts): '<shard>:runs:finished:<status>:<workflow>' holds finished run ids scored by
-- the server time they finished at, '<shard>:runs:finishedwf' the workflows that have any. A revived run leaves its old set.
local function indexFinished(status, old, workflow)
  if not isFinished(status) and not isFinished(old or '') then return end
  local base = indexBase()
  workflow = workflow or rcall('HGET', K_RUN, 'workflow') or ''
  if old and old ~= status and isFinished(old) then
    rcall('ZREM', base .. 'finished:' .. old .. ':' .. workflow, RUN_ID)
  end
  if isFinished(status) then
    -- Scored by the server clock (a commit's 'at' comes from the worker's): retention is judged by it.
    rcall('ZADD', base .. 'finished:' .. status .. ':' .. workflow, serverNow(), RUN_ID)
    rcall('SADD', base .. 'finishedwf', workflow)
  end
end

-- Sets the run's status (with 'extra', flat field, value, ...: further run-hash fields, in the same HSET),
-- keeps the indexes in step and records the \`run.status\` event: one write and one read of the run hash.
local function setStatus(status, at, extra)
  local old = runStatus()
  local finished = isFinished(status)
  local writes = { 'status', status }
  if finished then
    writes[3] = 'finishedAt'
    writes[4] = at
  end
  for _, v in ipairs(extra or {}) do writes[#writes + 1] = v end
  rcall('HSET', K_RUN, unpack(writes))
  RUN_STATUS = status
  -- Read after the write: the finished record holds the stored values. Its fields include what the
  -- indexes and the event need; an unfinished run reads only those.
  local names = finished and FEED_RUN_FIELDS or { 'createdAt', 'workflow', 'error' }
  local values = rcall('HMGET', K_RUN, unpack(names))
  local v = {}
  for i, name in ipairs(names) do v[name] = values[i] end
  if old ~= status then indexStatus(status, old, { v.createdAt, v.workflow }) end
  indexFinished(status, old, v.workflow or '')
  local fields = { type = 'run.status', status = status }
  local err = decodeTable(v.error)
  if err then fields.error = err end
  local run = nil
  if finished then run = finishedRecord(values) end
  event(at, fields, run)
end

local function failRun(errJson, at)
  setStatus('failed', at, { 'error', errJson })
end

-- Rewrites the run-hash fields a failure and later reads need (counters, JSON fields) when they are
-- unreadable: a run failed for a corrupt record stays readable. A field that cannot be recovered becomes null.
local function repairRun()
  if not isInt(rcall('HGET', K_RUN, 'seq')) then rcall('HSET', K_RUN, 'seq', rcall('LLEN', K_EVENTS)) end
  local gen = rcall('HGET', K_RUN, 'gen')
  -- Re-added jobs are named '/r<gen>': a clock-based restart cannot collide with the small counts used so far.
  if gen and not isInt(gen) then rcall('HSET', K_RUN, 'gen', serverNow()) end
  if not STATUSES[rcall('HGET', K_RUN, 'status') or ''] then rcall('HSET', K_RUN, 'status', 'running') end
  for _, f in ipairs({ 'input', 'output' }) do
    local raw = rcall('HGET', K_RUN, f)
    if raw and not pcall(cjson.decode, raw) then rcall('HSET', K_RUN, f, 'null') end
  end
  for _, f in ipairs({ 'createdAt', 'startedAt', 'version' }) do
    local raw = rcall('HGET', K_RUN, f)
    if raw and not isInt(raw) then rcall('HSET', K_RUN, f, 0) end
  end
  if not decodeTable(rcall('HGET', K_RUN, 'error')) then rcall('HDEL', K_RUN, 'error') end
  RUN_STATUS = nil
end

-- Fails the run because a check found a corrupt record (CORRUPT): an error record and the run's error say
-- which record. A finished run is left as it is. The error names the record, never its content.
local function failCorrupt(at, itemId, node, attempt)
  repairRun()
  local status = runStatus()
  if not status or isFinished(status) then return end
  if not RUN_ID then RUN_ID = rcall('HGET', K_RUN, 'runId') or '' end
  local err = { name = 'CorruptRecordError', code = 'CORRUPT_RECORD',
    message = 'Run ' .. RUN_ID .. ' has a corrupt stored record (' .. CORRUPT .. '); the run was failed' }
  local errJson = cjson.encode(err)
  rcall('RPUSH', K_ERRORS, cjson.encode({ runId = RUN_ID, itemId = itemId or '', node = node or '',
    attempt = attempt or 0, error = err, at = at }))
  failRun(errJson, at)
end

-- Between deferItems() and flushItems() item states are written once, at the flush (one HSET for the
-- states a commit changes); STATES holds them meanwhile, so nothing reads the hash for them.
local ITEM_BUF = nil
local ITEM_ORDER = {}
local function writeItem(itemId, st)
  STATES[itemId] = st
  if not ITEM_BUF then
    rcall('HSET', K_ITEMS, itemId, cjson.encode(st))
    return
  end
  if ITEM_BUF[itemId] == nil then ITEM_ORDER[#ITEM_ORDER + 1] = itemId end
  ITEM_BUF[itemId] = st
end

local function deferItems()
  ITEM_BUF = {}
end

local function flushItems()
  local flat = {}
  for _, itemId in ipairs(ITEM_ORDER) do
    flat[#flat + 1] = itemId
    flat[#flat + 1] = cjson.encode(ITEM_BUF[itemId])
  end
  ITEM_BUF, ITEM_ORDER = nil, {}
  if #flat > 0 then rcall('HSET', K_ITEMS, unpack(flat)) end
end

-- Changes an item's state; an unreadable state (only possible on paths that did not check it) is left alone.
local function setItem(itemId, status, attempt, errJson)
  local st = STATES[itemId]
  if not st then st = decodeTable(rcall('HGET', K_ITEMS, itemId)) end
  if not st then return end
  st.status = status
  if attempt and attempt > (tonumber(st.attempts) or 0) then st.attempts = attempt end
  if errJson then st.lastError = decodeTable(errJson) end
  writeItem(itemId, st)
end

-- An item handed back without a commit (parked or released) is no longer running: back to pending.
local function unrunItem(itemId)
  local st = decodeTable(rcall('HGET', K_ITEMS, itemId))
  if st and st.status == 'running' then
    st.status = 'pending'
    rcall('HSET', K_ITEMS, itemId, cjson.encode(st))
    STATES[itemId] = st
  end
end

-- Live entries checkEnqueue read, by item id (false: none); enqueue() uses them instead of reading again.
-- Whoever changes a cached entry drops it from here.
local LIVES = {}

-- Checks the records enqueue() reads for these item ids (state and live entry), in bulk.
local function checkEnqueue(itemIds)
  for i = 1, #itemIds, 4000 do
    local chunk = { unpack(itemIds, i, math.min(i + 3999, #itemIds)) }
    local states = rcall('HMGET', K_ITEMS, unpack(chunk))
    local lives = rcall('HMGET', K_LIVE, unpack(chunk))
    for j, id in ipairs(chunk) do
      local raw = states[j]
      if raw then
        local st = decodeTable(raw)
        if not st or type(st.status) ~= 'string' then corrupt('state of item ' .. id) else STATES[id] = st end
      else
        STATES[id] = false
      end
      if lives[j] and not parseEntry(lives[j]) then corrupt('queue entry of item ' .. id) end
      LIVES[id] = lives[j]
    end
  end
end

-- Puts an item into the run's queue bookkeeping: the outbox (handed to BullMQ after the script), or the
-- parked set while the run is paused. Skips an (itemId, attempt) already committed or already queued.
-- Unreadable records here (paths that checked nothing: a new run) are replaced, never decoded.
-- With 'lease' ({ jobId, token }: a strand's carrier job and lock token, see COMMIT_LUA) the item is leased
-- at once instead: running under that job, never in the outbox; the run must be running and the item due.
-- Returns true when the item was queued (or leased), false when it was skipped.
local function enqueue(runId, itemId, node, base, attempt, readyAt, itemJson, now, lease)
  -- An item checkEnqueue found without a state was never queued, so none of its attempts is done.
  if STATES[itemId] ~= false and rcall('SISMEMBER', K_DONE, itemId .. '#' .. attempt) == 1 then return false end
  local existing = LIVES[itemId]
  if existing == nil then existing = rcall('HGET', K_LIVE, itemId) end
  LIVES[itemId] = nil
  if existing then
    local _, ea = parseEntry(existing)
    if ea and ea >= attempt then return false end
  end
  local jobId = base .. '/' .. attempt
  local status = 'pending'
  if lease then
    jobId = lease.jobId
    status = 'running'
  elseif readyAt > now then
    status = 'waiting-retry'
  end
  -- A new item (the common case) costs one call; an existing one (a retry) is read and rewritten.
  -- A new item is pending even when due later (only a re-queued one waits for a retry).
  local fresh = { itemId = itemId, runId = runId, node = node, status = lease and 'running' or 'pending',
    attempts = lease and attempt or 0 }
  -- (An item checkEnqueue found without a state is new: no HSETNX needed to tell.)
  local new
  if STATES[itemId] == false then
    writeItem(itemId, fresh)
    new = true
  else
    new = rcall('HSETNX', K_ITEMS, itemId, cjson.encode(fresh)) == 1
    if new then STATES[itemId] = fresh end
  end
  if new then
    -- metrics.totalItems is the length of this list: no counter to keep in step.
    rcall('RPUSH', K_ORDER, itemId)
  else
    local st = STATES[itemId] or decodeTable(rcall('HGET', K_ITEMS, itemId)) or fresh
    st.status = status
    if lease and attempt > (tonumber(st.attempts) or 0) then st.attempts = attempt end
    writeItem(itemId, st)
  end
  rcall('HSET', K_LIVE, itemId, jobId .. '\\n' .. attempt .. '\\n' .. string.format('%d', readyAt) .. '\\n' .. itemJson)
  rcall('HSET', K_PAYLOADS, itemId, base .. '\\n' .. itemJson)
  if lease then
    rcall('HSET', K_LEASED, itemId, lease.token)
  elseif runStatus() == 'paused' then
    rcall('SADD', K_PARKED, itemId)
  else
    outboxAdd(jobId, string.format('%d', readyAt) .. '\\n' .. itemJson)
  end
  return true
end

-- Drops every queued item that is not leased; returns the dropped job ids. A malformed entry is dropped
-- too (its job, if any, is dropped at claim: no live entry matches it any more).
local function purge()
  local dropped = {}
  local live = rcall('HGETALL', K_LIVE)
  for i = 1, #live, 2 do
    if rcall('HEXISTS', K_LEASED, live[i]) == 0 then
      local jobId = parseEntry(live[i + 1])
      if jobId then table.insert(dropped, jobId) end
      rcall('HDEL', K_LIVE, live[i])
    end
  end
  rcall('DEL', K_PARKED, K_OUTBOX)
  return dropped
end

-- Checks the live entries unpark() re-queues.
local function checkParked()
  for _, itemId in ipairs(rcall('SMEMBERS', K_PARKED)) do checkLive(itemId) end
end

-- Re-queues parked items under fresh job ids (their old jobs may still exist in BullMQ).
local function unpark(now)
  local parked = rcall('SMEMBERS', K_PARKED)
  for _, itemId in ipairs(parked) do
    local jobId, attempt, readyAt, itemJson = parseEntry(rcall('HGET', K_LIVE, itemId))
    local base = jobId and string.match(jobId, '^(.-/.-/%d+)')
    if base then
      local newId = base .. '/r' .. rcall('HINCRBY', K_RUN, 'gen', 1)
      rcall('HSET', K_LIVE, itemId, newId .. '\\n' .. attempt .. '\\n' .. string.format('%d', readyAt) .. '\\n' .. itemJson)
      outboxAdd(newId, string.format('%d', readyAt) .. '\\n' .. itemJson)
    end
  end
  rcall('DEL', K_PARKED)
end

-- Every outbox list a script returns ends with the server time it was made at (ms): the caller turns due
-- times into BullMQ delays against the server's clock, never its own ([jobId, value, ..., now]).
local function withClock(list)
  list[#list + 1] = string.format('%d', serverNow())
  return list
end

-- Every outbox entry (recovery paths: a redelivered job, a sweep). Entries leave the outbox when their job
-- is claimed, which proves BullMQ holds it.
local function outboxReply()
  return withClock(rcall('HGETALL', K_OUTBOX))
end

-- At most this many outbox entries are re-sent by a recovery path that runs once per step (a stale claim,
-- a duplicate or rejected commit): the cost of a step must not grow with the run's outbox, and a re-flush
-- of a large snapshot would re-create jobs that finished meanwhile. A larger outbox is left to the sweeper.
local RECOVERY_MAX = 256
local function recoveryOutbox()
  if rcall('HLEN', K_OUTBOX) > RECOVERY_MAX then return {} end
  return checkOutbox()
end
`;
