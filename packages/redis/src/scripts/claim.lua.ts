import { PRELUDE_LUA } from './prelude.lua.js';

/**
 * Validates a job BullMQ just handed out and turns it into a lease, or tells the caller to drop or park it.
 *
 * ARGV: 1 itemId, 2 attempt, 3 jobId, 4 now, 5 node, 6 runId.
 * Returns `{ verdict, outboxFlat }`: `'ok'` (leased: item running, attempt counted, `step.started` event), `'drop'` (stale job, or the
 * run is gone, cancelled or completed) or `'park'` (run paused or failed: kept until resume/retryFailed).
 */
export const CLAIM_LUA = `${PRELUDE_LUA}
local itemId, attempt, jobId, now = ARGV[1], tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
RUN_ID = ARGV[6]
-- The job reached BullMQ, so its outbox entry has done its work.
rcall('HDEL', K_OUTBOX, jobId)
local status = runStatus()
if not status then return { 'drop', {} } end
local e = rcall('HGET', K_LIVE, itemId)
-- A stale job (already committed, re-added after a crash, or superseded by a re-add) is dropped; the run's
-- outbox is returned so a commit whose hand-off to BullMQ was interrupted gets flushed now.
if not e then return { 'drop', outboxReply() } end
local liveJob = splitEntry(e)
if liveJob ~= jobId then return { 'drop', outboxReply() } end
if status == 'cancelled' or status == 'completed' then
  rcall('HDEL', K_LIVE, itemId)
  rcall('SREM', K_LEASED, itemId)
  return { 'drop', {} }
end
if status == 'paused' or status == 'failed' then
  rcall('SADD', K_PARKED, itemId)
  rcall('SREM', K_LEASED, itemId)
  unrunItem(itemId)
  return { 'park', {} }
end
rcall('SADD', K_LEASED, itemId)
setItem(itemId, 'running', attempt, nil)
if status == 'queued' then
  rcall('HSET', K_RUN, 'startedAt', string.format('%d', now))
  setStatus('running', now)
end
event(now, { type = 'step.started', itemId = itemId, node = ARGV[5], attempt = attempt })
return { 'ok', {} }
`;

/**
 * Gives a leased item back without a commit (lease released): not leased any more, state `pending`.
 * ARGV: 1 itemId, 2 jobId. Returns 1 when the item was still ours to release, else 0.
 */
export const RELEASE_LUA = `${PRELUDE_LUA}
local itemId, jobId = ARGV[1], ARGV[2]
local e = rcall('HGET', K_LIVE, itemId)
if not e or splitEntry(e) ~= jobId then return 0 end
rcall('SREM', K_LEASED, itemId)
unrunItem(itemId)
return 1
`;
