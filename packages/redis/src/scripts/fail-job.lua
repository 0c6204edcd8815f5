--- Fails the run of a BullMQ job whose data is unreadable (CORRUPT_RECORD) and sets its item aside: the
--- item is parked when its queue entry names this job (retryFailed re-adds it from that entry), its outbox
--- entry and lease are dropped. ARGV: 1 itemId, 2 jobId, 3 error info JSON, 4 error record JSON.
--- Returns 1 when the run was failed, else 0.
---
--- KEYS: 1..13 the run's keys in `RUN_KEY_NAMES` order (keys.ts).
---
--! include prelude.lua
local itemId, jobId = ARGV[1], ARGV[2]
checkRun()
if CORRUPT then repairRun() end
local status = runStatus()
if not status then return 0 end
rcall('HDEL', K_OUTBOX, jobId)
rcall('HDEL', K_LEASED, itemId)
if parseEntry(rcall('HGET', K_LIVE, itemId)) == jobId and status ~= 'cancelled' and status ~= 'completed' then
  rcall('SADD', K_PARKED, itemId)
  unrunItem(itemId)
end
if isFinished(status) then return 0 end
rcall('RPUSH', K_ERRORS, ARGV[4])
failRun(ARGV[3], serverNow())
return 1
