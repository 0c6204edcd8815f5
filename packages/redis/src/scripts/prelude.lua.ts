/**
 * Lua helpers shared by every per-run script. `KEYS[1..13]` are the run's keys in `RUN_KEY_NAMES` order.
 *
 * @remarks User data (inputs, outputs, context, join values) is never decoded here: cjson would rewrite
 * numbers and turn empty arrays into objects. Items travel as canonical JSON strings (see item-codec.ts).
 */
export const PRELUDE_LUA = `
local K_RUN, K_CTX, K_ITEMS, K_ORDER, K_LIVE, K_OUTBOX, K_PARKED, K_LEASED, K_DONE, K_EVENTS, K_ERRORS, K_METRICS, K_PAYLOADS =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10], KEYS[11], KEYS[12], KEYS[13]
local rcall = redis.call
-- Outbox entries written by this script call, flat { jobId, value, ... }: what the caller must hand to BullMQ.
local NEW_OUTBOX = {}

local function outboxAdd(jobId, value)
  rcall('HSET', K_OUTBOX, jobId, value)
  NEW_OUTBOX[#NEW_OUTBOX + 1] = jobId
  NEW_OUTBOX[#NEW_OUTBOX + 1] = value
end

local function isFinished(s)
  return s == 'completed' or s == 'failed' or s == 'cancelled'
end

-- Splits a live entry 'jobId\\nattempt\\nreadyAt\\nitemJson'.
local function splitEntry(e)
  local a = string.find(e, '\\n', 1, true)
  local b = string.find(e, '\\n', a + 1, true)
  local c = string.find(e, '\\n', b + 1, true)
  return string.sub(e, 1, a - 1), tonumber(string.sub(e, a + 1, b - 1)), tonumber(string.sub(e, b + 1, c - 1)), string.sub(e, c + 1)
end

-- Scripts that know the run id assign it up front; otherwise the first event reads it from the run hash.
local RUN_ID = nil
-- The run's status, read once per script; every change goes through setStatus, which keeps it current.
local RUN_STATUS = nil
local function runStatus()
  if RUN_STATUS == nil then RUN_STATUS = rcall('HGET', K_RUN, 'status') or false end
  return RUN_STATUS
end
-- Every event also goes to the prefix's change feed '<prefix>:feed' (a stream trimmed to ~FEED_MAXLEN
-- entries), in the same script, so the feed holds exactly the committed events in commit order. The feed
-- key is global (no run hash tag): on Redis Cluster it lives in another slot (see keys.ts).
local FEED_MAXLEN = 100000
local function event(at, fields)
  fields.seq = rcall('HINCRBY', K_RUN, 'seq', 1)
  if not RUN_ID then RUN_ID = rcall('HGET', K_RUN, 'runId') end
  fields.runId = RUN_ID
  fields.at = at
  local json = cjson.encode(fields)
  rcall('RPUSH', K_EVENTS, json)
  -- K_RUN is '<prefix>:{<runId>}:run': the prefix is what precedes ':{<runId>}:run'.
  rcall('XADD', string.sub(K_RUN, 1, #K_RUN - #RUN_ID - 7) .. ':feed', 'MAXLEN', '~', FEED_MAXLEN, '*', 'e', json)
end

local function setStatus(status, at)
  rcall('HSET', K_RUN, 'status', status)
  RUN_STATUS = status
  if isFinished(status) then rcall('HSET', K_RUN, 'finishedAt', at) end
  local fields = { type = 'run.status', status = status }
  local err = rcall('HGET', K_RUN, 'error')
  if err then fields.error = cjson.decode(err) end
  event(at, fields)
end

local function failRun(errJson, at)
  rcall('HSET', K_RUN, 'error', errJson)
  setStatus('failed', at)
end

local function setItem(itemId, status, attempt, errJson)
  local raw = rcall('HGET', K_ITEMS, itemId)
  if not raw then return end
  local st = cjson.decode(raw)
  st.status = status
  if attempt and attempt > (st.attempts or 0) then st.attempts = attempt end
  if errJson then st.lastError = cjson.decode(errJson) end
  rcall('HSET', K_ITEMS, itemId, cjson.encode(st))
end

-- An item handed back without a commit (parked or released) is no longer running: back to pending.
local function unrunItem(itemId)
  local raw = rcall('HGET', K_ITEMS, itemId)
  if raw then
    local st = cjson.decode(raw)
    if st.status == 'running' then
      st.status = 'pending'
      rcall('HSET', K_ITEMS, itemId, cjson.encode(st))
    end
  end
end

-- Puts an item into the run's queue bookkeeping: the outbox (handed to BullMQ after the script), or the
-- parked set while the run is paused. Skips an (itemId, attempt) already committed or already queued.
local function enqueue(runId, itemId, node, base, attempt, readyAt, itemJson, now)
  if rcall('SISMEMBER', K_DONE, itemId .. '#' .. attempt) == 1 then return false end
  local existing = rcall('HGET', K_LIVE, itemId)
  if existing then
    local _, ea = splitEntry(existing)
    if ea >= attempt then return false end
  end
  local jobId = base .. '/' .. attempt
  -- A new item (the common case) costs one call; an existing one (a retry) is read and rewritten.
  local fresh = cjson.encode({ itemId = itemId, runId = runId, node = node, status = 'pending', attempts = 0 })
  if rcall('HSETNX', K_ITEMS, itemId, fresh) == 1 then
    -- metrics.totalItems is the length of this list: no counter to keep in step.
    rcall('RPUSH', K_ORDER, itemId)
  else
    local st = cjson.decode(rcall('HGET', K_ITEMS, itemId))
    if readyAt > now then st.status = 'waiting-retry' else st.status = 'pending' end
    rcall('HSET', K_ITEMS, itemId, cjson.encode(st))
  end
  rcall('HSET', K_LIVE, itemId, jobId .. '\\n' .. attempt .. '\\n' .. string.format('%d', readyAt) .. '\\n' .. itemJson)
  rcall('HSET', K_PAYLOADS, itemId, base .. '\\n' .. itemJson)
  if runStatus() == 'paused' then
    rcall('SADD', K_PARKED, itemId)
  else
    outboxAdd(jobId, string.format('%d', readyAt) .. '\\n' .. itemJson)
  end
  return true
end

-- Drops every queued item that is not leased; returns the dropped job ids.
local function purge()
  local dropped = {}
  local live = rcall('HGETALL', K_LIVE)
  for i = 1, #live, 2 do
    if rcall('SISMEMBER', K_LEASED, live[i]) == 0 then
      local jobId = splitEntry(live[i + 1])
      table.insert(dropped, jobId)
      rcall('HDEL', K_LIVE, live[i])
    end
  end
  rcall('DEL', K_PARKED, K_OUTBOX)
  return dropped
end

-- Re-queues parked items under fresh job ids (their old jobs may still exist in BullMQ).
local function unpark(now)
  local parked = rcall('SMEMBERS', K_PARKED)
  for _, itemId in ipairs(parked) do
    local e = rcall('HGET', K_LIVE, itemId)
    if e then
      local jobId, attempt, readyAt, itemJson = splitEntry(e)
      local base = string.match(jobId, '^(.-/.-/%d+)')
      local newId = base .. '/r' .. rcall('HINCRBY', K_RUN, 'gen', 1)
      rcall('HSET', K_LIVE, itemId, newId .. '\\n' .. attempt .. '\\n' .. string.format('%d', readyAt) .. '\\n' .. itemJson)
      outboxAdd(newId, string.format('%d', readyAt) .. '\\n' .. itemJson)
    end
  end
  rcall('DEL', K_PARKED)
end

-- Every outbox entry (recovery paths: a redelivered job, a sweep). Entries leave the outbox when their job
-- is claimed, which proves BullMQ holds it.
local function outboxReply()
  return rcall('HGETALL', K_OUTBOX)
end
`;
