--- Fails an unfinished run whose deadline passed by the server clock with DEADLINE_EXCEEDED (error record,
--- run error, `run.status` event), whether or not a worker touches it (see `RedisWorkQueue.sweep`).
--- Returns `'failed'`, `'later'` (not due yet) or `'gone'` (missing, finished, or without a deadline).
---
--- KEYS: 1..13 the run's keys in `RUN_KEY_NAMES` order (keys.ts). ARGV: none.
---
--! include prelude.lua
local now = serverNow()
checkRun()
if CORRUPT then repairRun() end
local status = runStatus()
if not status or isFinished(status) then return 'gone' end
local deadlineAt = tonumber(rcall('HGET', K_RUN, 'deadlineAt'))
if not deadlineAt then return 'gone' end
if deadlineAt > now then return 'later' end
RUN_ID = rcall('HGET', K_RUN, 'runId') or ''
local err = { name = 'DeadlineExceededError', code = 'DEADLINE_EXCEEDED',
  message = "run '" .. RUN_ID .. "' passed its deadline" }
rcall('RPUSH', K_ERRORS, cjson.encode({ runId = RUN_ID, itemId = '', node = '', attempt = 0, error = err, at = now }))
failRun(cjson.encode(err), now)
return 'failed'
