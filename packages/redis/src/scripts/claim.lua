--- Validates a job BullMQ just handed out and turns it into a lease, or tells the caller to drop or park it.
---
--- ARGV: 1 itemId, 2 attempt, 3 jobId, 4 (unused: times come from the server clock), 5 node, 6 runId,
--- 7 the BullMQ lock token (recorded as the lease's owner, see RELEASE_LUA).
--- A strand's carrier job (run-hash field `s:<jobId>`, see COMMIT_LUA) is claimed for the item the strand
--- is on; `'ok'` then carries that item's JSON as a third element (else false).
--- Returns `{ verdict, outboxFlat }`: `'ok'` (leased: item running, attempt counted, `step.started` event), `'drop'` (stale job, or the
--- run is gone, cancelled or completed), `'park'` (run paused or failed: kept until resume/retryFailed) or
--- `'corrupt'` (a record of the run is unreadable: the run was failed with CORRUPT_RECORD; the job is
--- dropped, its item parked for retryFailed). Every record is checked before the first write.
---
--- KEYS: 1..13 the run's keys in `RUN_KEY_NAMES` order (keys.ts).
---
--! include prelude.lua
local itemId, attempt, jobId, node = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[5]
RUN_ID = ARGV[6]
local now = serverNow()
-- A strand's carrier job (see COMMIT_LUA) resumes from the item the strand is on, not the one it carries.
-- (Read with the run hash's other fields: one read of it.)
local strand = checkRun({ 's:' .. jobId })[1]
local strandJson = nil
if strand then
  local nl = string.find(strand, '\n', 1, true)
  if nl then itemId, node = string.sub(strand, 1, nl - 1), string.sub(strand, nl + 1) end
end
local status = runStatus()
if not status then
  rcall('HDEL', K_OUTBOX, jobId)
  return { 'drop', {} }
end
-- The job's own outbox entry is redundant once BullMQ handed the job out, but an unreadable one still
-- means the run's records cannot be trusted.
local own = rcall('HGET', K_OUTBOX, jobId)
if own and not parseOutbox(own) then corrupt('outbox entry ' .. jobId) end
local e = checkLive(itemId)
local liveJob, liveAttempt, liveReady, liveJson = parseEntry(e)
if strand and liveJob == jobId then attempt, strandJson = liveAttempt, liveJson end
checkItem(itemId)
-- A stale job (already committed, re-added after a crash, or superseded by a re-add) is dropped; a small
-- outbox is returned so a commit whose hand-off to BullMQ was interrupted gets flushed now (a large one is
-- the sweeper's: see recoveryOutbox).
local stale = not liveJob or liveJob ~= jobId
local outbox = {}
if stale and not isFinished(status) then outbox = recoveryOutbox() end
if CORRUPT and not isFinished(status) then
  failCorrupt(now, itemId, node, attempt)
  rcall('HDEL', K_OUTBOX, jobId)
  rcall('HDEL', K_LEASED, itemId)
  if liveJob == jobId then rcall('SADD', K_PARKED, itemId) end
  return { 'corrupt', {} }
end
-- The job reached BullMQ, so its outbox entry has done its work.
rcall('HDEL', K_OUTBOX, jobId)
if strand and (stale or status ~= 'running' and status ~= 'queued') then
  -- The strand ends here. A parked item gets its own job id back, so resume re-queues it as itself.
  rcall('HDEL', K_RUN, 's:' .. jobId)
  local payload = rcall('HGET', K_PAYLOADS, itemId)
  local base = payload and string.match(payload, '^([^\n]*)\n')
  if not stale and base then
    rcall('HSET', K_LIVE, itemId, base .. '/' .. liveAttempt .. '\n' .. liveAttempt .. '\n' ..
      string.format('%d', liveReady) .. '\n' .. liveJson)
  end
end
if stale then
  if isFinished(status) then return { 'drop', {} } end
  return { 'drop', withClock(outbox) }
end
if status == 'cancelled' or status == 'completed' then
  rcall('HDEL', K_LIVE, itemId)
  rcall('HDEL', K_LEASED, itemId)
  return { 'drop', {} }
end
if status == 'paused' or status == 'failed' then
  rcall('SADD', K_PARKED, itemId)
  rcall('HDEL', K_LEASED, itemId)
  unrunItem(itemId)
  return { 'park', {} }
end
-- The run's events and counter are written once, at the end (see deferEvents).
deferEvents()
rcall('HSET', K_LEASED, itemId, ARGV[7])
setItem(itemId, 'running', attempt, nil)
if status == 'queued' then setStatus('running', now, { 'startedAt', string.format('%d', now) }) end
event(now, { type = 'step.started', itemId = itemId, node = node, attempt = attempt })
flushEvents()
return { 'ok', {}, strandJson or false }
