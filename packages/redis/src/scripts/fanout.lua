--- Materialises one bounded batch of a wide fan-out's staged successors (see `fanout-drain.ts`).
---
--- KEYS: the 13 run keys, 14 the run's `fanouts` hash, 15 the stage list. ARGV: 1 stage token, 2 owner (a
--- random id per drain), 3 lease ms, 4 batch size, 5 run id, 6 the NO_TERMINAL_OUTPUT error info JSON.
---
--- One call takes up to ARGV[4] entries from the head of the stage list, enqueues them exactly as a commit
--- would (item state, order, live entry, payload, outbox — or parked while the run is paused), and trims them
--- off, all in one script: a batch is applied whole or not at all, so a drain cut short anywhere resumes with
--- the next untouched entry and nothing is enqueued twice. A drain owns the stage for ARGV[3] ms from each
--- batch (recorded in the `fanouts` hash), so a second drain (the sweeper's) waits until the owner stops
--- renewing it — a crashed worker's drain is taken over once its lease lapses.
---
--- Returns `{ verdict, outboxFlat, left }`: `more` (entries remain), `done` (the fan-out is fully
--- materialised, or dropped because the run finished, is cancelled or gone), `busy` (another drain owns it),
--- `held` (the run failed: the rest waits for retryFailed) or `corrupt` (a record the batch needs is
--- unreadable: the run was failed with CORRUPT_RECORD, nothing of the batch was applied).
---
--! include prelude.lua
local K_FANOUTS, K_STAGE = KEYS[14], KEYS[15]
local token, owner, leaseMs, batch = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
RUN_ID = ARGV[5]
local now = serverNow()
local holder = rcall('HGET', K_FANOUTS, token)
if not holder then return { 'done', {}, 0 } end
local heldBy, leaseUntil = string.match(holder, '^(.-)\t(%-?%d+)$')
if heldBy and heldBy ~= owner and heldBy ~= '' and tonumber(leaseUntil) > now then
  return { 'busy', {}, rcall('LLEN', K_STAGE) }
end
local function finishFanout()
  rcall('DEL', K_STAGE)
  rcall('HDEL', K_FANOUTS, token)
  local wide = tonumber(rcall('HGET', K_RUN, 'wide')) or 1
  if wide > 1 then rcall('HSET', K_RUN, 'wide', wide - 1) else rcall('HDEL', K_RUN, 'wide') end
end
checkRun()
local status = runStatus()
if not status or status == 'completed' or status == 'cancelled' then
  finishFanout()
  return { 'done', {}, 0 }
end
if status == 'failed' then
  -- A failed run's successors wait for retryFailed; the lease is given up so any drain can carry on then.
  rcall('HSET', K_FANOUTS, token, '\t0')
  return { 'held', {}, rcall('LLEN', K_STAGE) }
end

-- Each entry is '[itemId,node,base,attempt,delayMs]\nitemJson' (the header is small and decoded; the item
-- is user data and stays a string).
local entries = rcall('LRANGE', K_STAGE, 0, batch - 1)
local parsed, ids = {}, {}
for i, e in ipairs(entries) do
  local nl = string.find(e, '\n', 1, true)
  local h = nl and decodeTable(string.sub(e, 1, nl - 1))
  local json = nl and string.sub(e, nl + 1)
  if not h or type(h[1]) ~= 'string' or type(h[2]) ~= 'string' or type(h[3]) ~= 'string'
      or type(h[4]) ~= 'number' or type(h[5]) ~= 'number' or string.sub(json, 1, 1) ~= '{'
      or string.sub(json, -1) ~= '}' then
    corrupt('staged successor ' .. i .. ' of fan-out ' .. token)
    break
  end
  parsed[i] = { h, json }
  ids[#ids + 1] = h[1]
end
if not CORRUPT then checkEnqueue(ids) end
if CORRUPT then
  failCorrupt(now)
  rcall('HSET', K_FANOUTS, token, '\t0')
  return { 'corrupt', {}, rcall('LLEN', K_STAGE) }
end

for _, p in ipairs(parsed) do
  local h = p[1]
  enqueue(RUN_ID, h[1], h[2], h[3], h[4], now + h[5], p[2], now)
end
if #entries > 0 then rcall('LTRIM', K_STAGE, #entries, -1) end
local left = rcall('LLEN', K_STAGE)
if left > 0 then
  rcall('HSET', K_FANOUTS, token, owner .. '\t' .. string.format('%d', now + leaseMs))
  return { 'more', withClock(NEW_OUTBOX), left }
end
finishFanout()
-- Every successor may already have been consumed elsewhere (nothing enqueued): a drained run cannot wait.
local final = runStatus()
if rcall('HLEN', K_LIVE) == 0 and not rcall('HGET', K_RUN, 'wide')
    and (final == 'queued' or final == 'running' or final == 'paused') then
  failRun(ARGV[6], now)
end
return { 'done', withClock(NEW_OUTBOX), 0 }
