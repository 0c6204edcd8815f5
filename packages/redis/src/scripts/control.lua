import { PRELUDE_LUA } from './prelude.lua.js';

/**
 * Pauses, resumes, cancels or revives a run (see `Backend.control`). Status times come from the server clock.
 *
 * ARGV: 1 action, 2 (unused), 3 cancel error info JSON.
 * Returns `{ 'ok', runHashFlat, outboxFlat, droppedJobIds }`, `{ 'missing' }`, `{ 'state', status }` or
 * `{ 'corrupt', what, runHashFlat, failedNow (0|1) }`: a record the action needs is unreadable; an unfinished
 * run was failed with CORRUPT_RECORD (failedNow 1) and nothing else changed. `cancel` never answers `corrupt`: it repairs the run hash
 * fields it needs and cancels.
 */
export const CONTROL_LUA = `${PRELUDE_LUA}
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
        local nl = string.find(p, '\\n', 1, true)
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
`;

/**
 * Fails an unfinished run with an error record (see `Backend.failRun`). ARGV: 1 error info JSON, 2 error
 * record JSON, 3 at. Unreadable run-hash fields are repaired first. Returns 1 when the run was failed, 0
 * for a missing or finished run.
 */
export const FAIL_RUN_LUA = `${PRELUDE_LUA}
checkRun()
if CORRUPT then repairRun() end
local status = runStatus()
if not status or isFinished(status) then return 0 end
rcall('RPUSH', K_ERRORS, ARGV[2])
failRun(ARGV[1], tonumber(ARGV[3]))
return 1
`;

/**
 * Fails the run of a BullMQ job whose data is unreadable (CORRUPT_RECORD) and sets its item aside: the
 * item is parked when its queue entry names this job (retryFailed re-adds it from that entry), its outbox
 * entry and lease are dropped. ARGV: 1 itemId, 2 jobId, 3 error info JSON, 4 error record JSON.
 * Returns 1 when the run was failed, else 0.
 */
export const FAIL_JOB_LUA = `${PRELUDE_LUA}
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
`;

/** Drops every queued, not leased item of a run. Returns the dropped job ids. */
export const PURGE_LUA = `${PRELUDE_LUA}
return purge()
`;

/**
 * The sweeper's view of one run: its status, how many outbox entries it has, and the job ids of the entries
 * due at least ARGV[1] ms ago by the server clock, the only ones a crashed hand-off can have left behind.
 * Only one HSCAN page of the outbox is looked at per call (ARGV[2] cursor, ARGV[3] count): a sweep tick
 * costs the same however large the outbox; the next ticks carry on from the returned cursor. Values are not
 * returned: most old entries are still waiting in BullMQ and are not re-sent (see `RedisWorkQueue.sweep`).
 * An unreadable entry fails the run with CORRUPT_RECORD and is removed (the error record names it).
 * KEYS[14] is the run's `fanouts` hash: its size is the number of wide fan-outs still being materialised.
 * Returns `{ status, outboxSize, oldJobIds, nextCursor, fanouts }`.
 */
export const OUTBOX_LUA = `${PRELUDE_LUA}
local cutoff = serverNow() - tonumber(ARGV[1])
local old, bad = {}, {}
local page = rcall('HSCAN', K_OUTBOX, ARGV[2], 'COUNT', ARGV[3])
local entries = page[2]
for i = 1, #entries, 2 do
  local readyAt = parseOutbox(entries[i + 1])
  if not readyAt then
    corrupt('outbox entry ' .. entries[i])
    bad[#bad + 1] = entries[i]
  elseif readyAt <= cutoff then
    old[#old + 1] = entries[i]
  end
end
if CORRUPT then
  checkRun()
  failCorrupt(serverNow())
  for _, jobId in ipairs(bad) do rcall('HDEL', K_OUTBOX, jobId) end
end
return { rcall('HGET', K_RUN, 'status') or '', rcall('HLEN', K_OUTBOX), old, page[1], rcall('HLEN', KEYS[14]) }
`;

/**
 * Enqueues items of one run outside a commit (idempotent by `(itemId, attempt)`); ignored for a missing,
 * cancelled or completed run. ARGV: 1 control JSON `{ runId, enq: [{ itemId, node, base, attempt, delayMs,
 * idx }] }`, then the item JSONs. Due times are the server clock plus `delayMs`. Returns the outbox (empty
 * when a record was corrupt: the run was failed with CORRUPT_RECORD instead).
 */
export const ENQUEUE_LUA = `${PRELUDE_LUA}
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
`;

/**
 * Fails an unfinished run whose deadline passed by the server clock with DEADLINE_EXCEEDED (error record,
 * run error, `run.status` event), whether or not a worker touches it (see `RedisWorkQueue.sweep`).
 * Returns `'failed'`, `'later'` (not due yet) or `'gone'` (missing, finished, or without a deadline).
 */
export const DEADLINE_LUA = `${PRELUDE_LUA}
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
`;
