// Generated from ../commit.lua by scripts/lua-codegen.mjs (nx run @floxide/redis:codegen): do not edit.
import { PRELUDE_LUA } from './prelude.js';
import { CONTEXT_FIELDS_LUA } from './context-fields.js';

/**
 * Records one step atomically and exactly once (see `Backend.commit`). `KEYS[14..]` are the join keys the
 * step's arrivals refer to (same hash slot as the run).
 *
 * ARGV[1] is a control JSON without user data:
 * `{ itemId, attempt, node, jobId, at, kind, durationMs, ctx?, outputIdx?, errIdx?, timer?,
 *    recIdx?, noTerminalIdx, enq: [{ itemId, node, base, attempt, delayMs, idx }],
 *    joins: [{ key, itemId, node, base, attempt, index, total, headIdx, valueIdx }] }`;
 * the `*Idx` fields point at further ARGV entries holding raw JSON (output, error info, error record, items,
 * join heads and values); `ctx` holds the step's context changes per field (see `context-fields.lua`).
 *
 * A wide fan-out (`c.wide = { stage, fanouts, token, count }`: key indexes of its stage list and of the run's
 * `fanouts` hash) does not carry its successors in ARGV: the caller staged them in the stage list, and the
 * commit only checks the list is complete and registers it for materialisation in bounded batches
 * (FANOUT_LUA), so this script's work does not grow with the fan-out. Any answer but `committed` deletes
 * the stage (it belonged to this commit attempt only); the run-hash field `wide` counts registered stages
 * still being materialised (a run with one is not drained).
 *
 * With `c.strand = { token }` a committed advance leases the run's next item to the committer under the job
 * `c.jobId` (see the strand block at the end); `c.carried` says that job is a strand's carrier (another
 * item's job). Returns `{ status, runStatus, outboxFlat, droppedJobIds, next }` — `next` the leased
 * item's JSON or false; for a duplicate, 1 when a strand goes on under the job (it must not be completed) —
 * with status committed | duplicate | rejected |
 * conflict | corrupt | restage (the stage list is incomplete, e.g. expired: nothing changed). Every stored record the script reads (run hash, context, the item's state and queue
 * entry, those of its successors, join state, metrics, outbox) is checked before its first write: on
 * `corrupt` the run was failed with CORRUPT_RECORD and nothing else changed (runStatus is then the name of
 * the corrupt record). Successors land in the outbox; the caller hands the new entries to BullMQ (a duplicate or rejected
 * commit returns the entries of a small outbox, to finish an interrupted hand-off; a large one is the
 * sweeper's); claiming a job deletes its entry.
 *
 * KEYS: 1..13 the run's keys in `RUN_KEY_NAMES` order (keys.ts), then the join keys
 * and the wide fan-out's stage list and `fanouts` hash (indexed by the control JSON; same hash slot). ARGV and the reply: above.
 */
export const COMMIT_LUA = `${PRELUDE_LUA}
${CONTEXT_FIELDS_LUA}
local c = cjson.decode(ARGV[1])
RUN_ID = c.runId
local K_WSTAGE = c.wide and KEYS[c.wide.stage]
-- The stage of a wide fan-out belongs to this commit attempt: gone whenever the attempt does not commit.
local function dropStage()
  if K_WSTAGE then rcall('DEL', K_WSTAGE) end
end
local now = serverNow()
local at = c.at
checkRun()
local status = runStatus()
if not status then dropStage() return { 'rejected', 'cancelled', {}, {} } end
local doneKey = c.itemId .. '#' .. c.attempt
local duplicate = rcall('SISMEMBER', K_DONE, doneKey) == 1

-- Every check before the first write (Redis does not roll a script back).
local outbox = {}
if duplicate or isFinished(status) then outbox = recoveryOutbox() end
checkContextFields(c.ctx)
-- The item's own state and entry and those of its successors: one read of each hash.
local ids = { c.itemId }
for _, s in ipairs(c.enq) do ids[#ids + 1] = s.itemId end
checkEnqueue(ids)
local own = LIVES[c.itemId]
local m = rcall('HMGET', K_METRICS, 'completed', 'failed', 'retries', 'n:' .. c.node)
for i = 1, 3 do
  if m[i] and not isInt(m[i]) then corrupt('metrics') end
end
if m[4] and not string.match(m[4], '^%-?[%d.e+-]+	%-?[%d.e+-]+	%-?[%d.e+-]+$') then corrupt('metrics') end
local fired = {}
local fires = {}
for i, j in ipairs(c.joins) do
  local key = KEYS[j.key]
  local h = rcall('HMGET', key, 'n', 'total', 'fired', 'v:' .. j.index)
  if (h[1] and not isInt(h[1])) or (h[2] and not isInt(h[2])) then
    corrupt('join state of ' .. j.itemId)
  elseif not h[3] then
    local n = (tonumber(h[1]) or 0)
    if not h[4] then n = n + 1 end
    if n >= j.total then
      -- This arrival fires the join: every value it concatenates into the join item is checked now.
      fires[i] = true
      fired[#fired + 1] = j.itemId
      for k = 0, j.total - 1 do
        local v = rcall('HGET', key, 'v:' .. k)
        if k == j.index and not v then v = ARGV[j.valueIdx] end
        if v and not plausibleJson(v) then corrupt('join state of ' .. j.itemId) break end
      end
    end
  end
end
if #fired > 0 then checkEnqueue(fired) end
if CORRUPT then
  if not isFinished(status) then failCorrupt(at, c.itemId, c.node, c.attempt) end
  dropStage()
  return { 'corrupt', CORRUPT, {}, {} }
end

if duplicate then
  dropStage()
  -- A strand goes on under this job (an earlier try of this commit leased the next item): the job must go
  -- back to BullMQ, not be completed, so its redelivery resumes that item.
  local on = rcall('HGET', K_RUN, 's:' .. c.jobId)
  local held = on and string.sub(on, 1, #c.itemId + 1) ~= c.itemId .. '\\n'
  return { 'duplicate', status, withClock(outbox), {}, held and 1 or 0 }
end
-- Nothing changes; the caller hands the job back to BullMQ, whose next claim parks (failed run) or drops it.
if isFinished(status) then dropStage() return { 'rejected', status, withClock(outbox), {} } end
if K_WSTAGE and rcall('LLEN', K_WSTAGE) ~= c.wide.count then dropStage() return { 'restage', status, {}, {} } end
if CTX_CONFLICT then dropStage() return { 'conflict', status, {}, {} } end
applyContextFields(c.ctx)
-- From here on every path ends at the final return: the run's events and counter are written once there.
deferEvents()
deferItems()

rcall('SADD', K_DONE, doneKey)
rcall('HDEL', K_LEASED, c.itemId)
if own then
  local _, ea = parseEntry(own)
  if ea == c.attempt then
    rcall('HDEL', K_LIVE, c.itemId)
    LIVES[c.itemId] = nil
  end
end

-- One field per node, 'count total max' (tab-separated): one read and one write per step instead of
-- a counter, a float counter and a compare-and-set maximum. The step's counter ('completed' or 'failed',
-- read with it: m[i]) goes in the same HSET.
local function timing(node, ms, counter, i)
  local field = 'n:' .. node
  local count, total, max = 0, 0, ms
  local cur = m[4]
  if cur then
    local a, b, mx = string.match(cur, '^(%S+)	(%S+)	(%S+)$')
    count, total, max = tonumber(a), tonumber(b), tonumber(mx)
    if ms > max then max = ms end
  end
  rcall('HSET', K_METRICS, counter, string.format('%d', (tonumber(m[i]) or 0) + 1),
    field, string.format('%d	%.17g	%.17g', count + 1, total + ms, max))
end

-- [durable timers] An advance with c.timer = { delayMs } | { dueAt } makes its successors and the join item
-- it completes due at TIMER_AT (server clock); the run hash's waitingUntil names the latest commit's timer.
local TIMER_AT = nil
if c.kind == 'advance' and c.timer then
  if c.timer.dueAt then TIMER_AT = math.max(now, c.timer.dueAt) else TIMER_AT = now + c.timer.delayMs end
end
if RUN_WAITING then rcall('HDEL', K_RUN, 'waitingUntil') end
if TIMER_AT and TIMER_AT > now and not c.outputIdx and (#c.enq > 0 or #c.joins > 0) then
  rcall('HSET', K_RUN, 'waitingUntil', string.format('%d', TIMER_AT))
end
-- [/durable timers]

-- Strands (see StrandRequest): the next item — the first successor, else the first join this commit
-- fired — is leased to the committer under the BullMQ job it holds (c.jobId, the strand's carrier) instead
-- of going to the outbox, while the run is running (a pause, cancel or failure before this commit ends the
-- strand here). A due first successor is leased as it is queued (LEASED_FIRST: one write per record); a
-- fired join goes through the outbox first (strandNext below).
local strandOn = c.strand and c.kind == 'advance' and not c.outputIdx and not K_WSTAGE and status == 'running'
local LEASED_FIRST = nil
-- Items this commit queued or leased: the run has live work, whatever the live hash held before.
local queued = 0
local function enqueueAll()
  for i, s in ipairs(c.enq) do
    local readyAt = TIMER_AT or (now + s.delayMs)
    local lease = nil
    if i == 1 and strandOn and readyAt <= now then lease = { jobId = c.jobId, token = c.strand.token } end
    if enqueue(c.runId, s.itemId, s.node, s.base, s.attempt, readyAt, ARGV[s.idx], now, lease) then
      queued = queued + 1
      if lease then LEASED_FIRST = s end
    end
  end
end

local dropped = {}
local errJson = nil
if c.errIdx then errJson = ARGV[c.errIdx] end

if c.kind == 'advance' then
  setItem(c.itemId, 'completed', c.attempt, nil)
  timing(c.node, c.durationMs, 'completed', 1)
  event(at, { type = 'step.committed', itemId = c.itemId, node = c.node, attempt = c.attempt })
  if c.outputIdx then
    -- First terminal output wins; the run is finished, so nothing else of this step matters.
    setStatus('completed', at, { 'output', ARGV[c.outputIdx] })
    dropped = purge()
    dropStage()
  else
    enqueueAll()
    if K_WSTAGE then
      -- Registered, not yet materialised: FANOUT_LUA batches do that (the committing worker, else any drain).
      rcall('PERSIST', K_WSTAGE)
      rcall('HSET', KEYS[c.wide.fanouts], c.wide.token, '	0')
      rcall('HINCRBY', K_RUN, 'wide', 1)
    end
    for i, j in ipairs(c.joins) do
      local key = KEYS[j.key]
      if rcall('HSETNX', key, 'v:' .. j.index, ARGV[j.valueIdx]) == 1 then
        rcall('HINCRBY', key, 'n', 1)
      end
      rcall('HSETNX', key, 'total', j.total)
      if fires[i] then
        local values = {}
        for k = 0, j.total - 1 do
          values[#values + 1] = rcall('HGET', key, 'v:' .. k) or 'null'
        end
        -- The values live in the join item now; keeping them would double the memory of large fan-outs.
        rcall('DEL', key)
        rcall('HSET', key, 'fired', 1)
        local itemJson = ARGV[j.headIdx] .. ',"input":[' .. table.concat(values, ',') .. ']}'
        if enqueue(c.runId, j.itemId, j.node, j.base, j.attempt, TIMER_AT or now, itemJson, now) then
          queued = queued + 1
        end
      end
    end
  end
elseif c.kind == 'retry' then
  setItem(c.itemId, 'waiting-retry', c.attempt, errJson)
  rcall('HINCRBY', K_METRICS, 'retries', 1)
  rcall('RPUSH', K_ERRORS, ARGV[c.recIdx])
  event(at, { type = 'step.retrying', itemId = c.itemId, node = c.node, attempt = c.attempt, error = decodeTable(errJson) })
  enqueueAll()
else
  rcall('RPUSH', K_ERRORS, ARGV[c.recIdx])
  timing(c.node, c.durationMs, 'failed', 2)
  event(at, { type = 'step.failed', itemId = c.itemId, node = c.node, attempt = c.attempt, error = decodeTable(errJson) })
  if #c.enq > 0 then
    setItem(c.itemId, 'failed', c.attempt, errJson)
    enqueueAll()
  else
    setItem(c.itemId, 'dead', c.attempt, errJson)
    failRun(errJson, at)
  end
end

local final = runStatus()
-- A run with nothing left to run and no terminal output failed ('wide': a registered fan-out still drains).
if (final == 'queued' or final == 'running' or final == 'paused') and queued == 0 and not RUN_WIDE
    and not K_WSTAGE and rcall('HLEN', K_LIVE) == 0 then
  failRun(ARGV[c.noTerminalIdx], at)
  final = 'failed'
end

-- 's:<carrier job id>' in the run hash names the item the strand is on: a redelivered carrier job resumes
-- from there (see CLAIM_LUA). Run-hash fields go out with the event counter (flushEvents).
local runFields = {}
local function strandNext()
  if not strandOn or final ~= 'running' then return nil end
  if LEASED_FIRST then
    local s = LEASED_FIRST
    runFields = { 's:' .. c.jobId, s.itemId .. '\\n' .. s.node }
    event(now, { type = 'step.started', itemId = s.itemId, node = s.node, attempt = s.attempt })
    return ARGV[s.idx]
  end
  -- The first successor was leased as it was queued, or cannot be (not due, or already queued).
  local cands = {}
  for i, j in ipairs(c.joins) do
    if fires[i] then cands[#cands + 1] = j end
  end
  for _, s in ipairs(cands) do
    local jobId, attempt, readyAt, json = parseEntry(rcall('HGET', K_LIVE, s.itemId))
    -- Only an entry this commit just put in the outbox: its job is not in BullMQ yet.
    local pos = nil
    for k = 1, #NEW_OUTBOX, 2 do
      if NEW_OUTBOX[k] == jobId then pos = k break end
    end
    if pos and readyAt <= now then
      table.remove(NEW_OUTBOX, pos)
      table.remove(NEW_OUTBOX, pos)
      rcall('HDEL', K_OUTBOX, jobId)
      rcall('HSET', K_LIVE, s.itemId, c.jobId .. '\\n' .. attempt .. '\\n' .. string.format('%d', readyAt) .. '\\n' .. json)
      rcall('HSET', K_LEASED, s.itemId, c.strand.token)
      runFields = { 's:' .. c.jobId, s.itemId .. '\\n' .. s.node }
      setItem(s.itemId, 'running', attempt, nil)
      event(now, { type = 'step.started', itemId = s.itemId, node = s.node, attempt = attempt })
      return json
    end
  end
  return nil
end
local nextJson = strandNext()
if not nextJson and c.carried then rcall('HDEL', K_RUN, 's:' .. c.jobId) end
flushItems()
flushEvents(runFields)
return { 'committed', final, withClock(NEW_OUTBOX), dropped, nextJson or false }
`;
