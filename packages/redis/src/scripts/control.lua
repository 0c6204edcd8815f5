--- Pauses, resumes, cancels or revives a run (see `Backend.control`). Status times come from the server clock.
---
--- ARGV: 1 action, 2 (unused), 3 cancel error info JSON.
--- Returns `{ 'ok', runHashFlat, outboxFlat, droppedJobIds }`, `{ 'missing' }`, `{ 'state', status }` or
--- `{ 'corrupt', what, runHashFlat, failedNow (0|1) }`: a record the action needs is unreadable; an unfinished
--- run was failed with CORRUPT_RECORD (failedNow 1) and nothing else changed. `cancel` never answers `corrupt`: it repairs the run hash
--- fields it needs and cancels.
---
--- KEYS: 1..13 the run's keys in `RUN_KEY_NAMES` order (keys.ts).
---
--! include prelude.lua
local action = ARGV[1]
local now = serverNow()
checkRun()
local status = runStatus()
if not status then return { 'missing' } end
if action == 'cancel' and CORRUPT then
  repairRun()
  CORRUPT = nil
  status = runStatus()
end
if action == 'resume' or action == 'retryFailed' then
  checkParked()
  checkOutbox()
end
-- retryFailed re-adds the dead items from their stored payloads: read and check them all first.
local dead = {}
if action == 'retryFailed' and status == 'failed' then
  local items = rcall('HGETALL', K_ITEMS)
  for i = 1, #items, 2 do
    local st = decodeTable(items[i + 1])
    if not st or type(st.status) ~= 'string' then
      corrupt('state of item ' .. items[i])
    elseif st.status == 'dead' then
      local p = rcall('HGET', K_PAYLOADS, items[i])
      if p then
        local nl = string.find(p, '\n', 1, true)
        local json = nl and string.sub(p, nl + 1)
        local attempt = json and tonumber(string.match(json, '"attempt":(%d+)'))
        if not attempt or string.sub(json, 1, 1) ~= '{' or string.sub(json, -1) ~= '}' then
          corrupt('payload of item ' .. items[i])
        else
          dead[#dead + 1] = { itemId = items[i], node = st.node, base = string.sub(p, 1, nl - 1), json = json, attempt = attempt + 1 }
        end
      end
    end
  end
end
if CORRUPT then
  local failedNow = 0
  if not isFinished(status) then
    failCorrupt(now)
    failedNow = 1
  end
  return { 'corrupt', CORRUPT, rcall('HGETALL', K_RUN), failedNow }
end

local dropped = {}
if action == 'pause' then
  if status ~= 'queued' and status ~= 'running' then return { 'state', status } end
  setStatus('paused', now)
elseif action == 'resume' then
  if status ~= 'paused' then return { 'state', status } end
  setStatus('running', now)
  unpark(now)
elseif action == 'cancel' then
  if isFinished(status) then return { 'state', status } end
  rcall('HSET', K_RUN, 'error', ARGV[3])
  setStatus('cancelled', now)
  dropped = purge()
elseif action == 'retryFailed' then
  if status ~= 'failed' then return { 'state', status } end
  -- (A wide fan-out still registered is work to carry on: the backend resumes its drain after this.)
  if #dead == 0 and rcall('HLEN', K_LIVE) == 0 and not rcall('HGET', K_RUN, 'wide') then return { 'state', 'nothing' } end
  rcall('HDEL', K_RUN, 'error', 'finishedAt')
  setStatus('running', now)
  for _, d in ipairs(dead) do
    local json = string.gsub(d.json, '"attempt":%d+', '"attempt":' .. d.attempt, 1)
    enqueue(RUN_ID or rcall('HGET', K_RUN, 'runId'), d.itemId, d.node, d.base, d.attempt, now, json, now)
  end
  unpark(now)
else
  return redis.error_reply('unknown control action')
end
return { 'ok', rcall('HGETALL', K_RUN), outboxReply(), dropped }
