--- DELIVER: sends a signal to a run (see `SignalStore.deliver`). KEYS[1..13] the run's keys. ARGV: 1 control
--- JSON `{ runId, name, signalId? }`, 2 the payload JSON, 3 the name as a JSON string. Reply
--- `{ verdict, itemId or status, outboxFlat }`, verdict delivered | stored | duplicate | missing | state.
--- The delivered item is the parked one as its next attempt: `parked` replaced by `delivered`, `attempt` and
--- `waitAttempts` raised (found by their first match: see item-codec.ts), under a new job id (the parked
--- attempt's delayed job, if any, is then stale and dropped by its claim).
---
---
--! include signals-common.lua
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
