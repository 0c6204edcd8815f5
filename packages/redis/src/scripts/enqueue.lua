--- Enqueues items of one run outside a commit (idempotent by `(itemId, attempt)`); ignored for a missing,
--- cancelled or completed run. ARGV: 1 control JSON `{ runId, enq: [{ itemId, node, base, attempt, delayMs,
--- idx }] }`, then the item JSONs. Due times are the server clock plus `delayMs`. Returns the outbox (empty
--- when a record was corrupt: the run was failed with CORRUPT_RECORD instead).
---
--- KEYS: 1..13 the run's keys in `RUN_KEY_NAMES` order (keys.ts).
---
--! include prelude.lua
local c = cjson.decode(ARGV[1])
RUN_ID = c.runId
local now = serverNow()
checkRun()
local status = runStatus()
if not status or status == 'cancelled' or status == 'completed' then return {} end
local ids = {}
for _, s in ipairs(c.enq) do ids[#ids + 1] = s.itemId end
checkEnqueue(ids)
local outbox = checkOutbox()
if CORRUPT then
  if not isFinished(status) then failCorrupt(now) end
  return {}
end
for _, s in ipairs(c.enq) do
  enqueue(c.runId, s.itemId, s.node, s.base, s.attempt, now + s.delayMs, ARGV[s.idx], now)
end
return outboxReply()
