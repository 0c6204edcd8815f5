import { PRELUDE_LUA } from './prelude.lua.js';

/**
 * Records one step atomically and exactly once (see `Backend.commit`). `KEYS[14..]` are the join keys the
 * step's arrivals refer to (same hash slot as the run).
 *
 * ARGV[1] is a control JSON without user data:
 * `{ itemId, attempt, node, jobId, at, now, kind, durationMs, expectedVersion?, ctxIdx?, outputIdx?, errIdx?,
 *    recIdx?, noTerminalIdx, enq: [{ itemId, node, base, attempt, readyAt, idx }],
 *    joins: [{ key, itemId, node, base, attempt, index, total, headIdx, valueIdx }] }`;
 * the `*Idx` fields point at further ARGV entries holding raw JSON (context, output, error info, error
 * record, items, join heads and values).
 *
 * Returns `{ status, runStatus, outboxFlat, droppedJobIds }` with status committed | duplicate | rejected |
 * conflict. Successors land in the outbox; the caller hands the new entries to BullMQ (a duplicate or rejected
 * commit returns every entry, to finish an interrupted hand-off); claiming a job deletes its entry.
 */
export const COMMIT_LUA = `${PRELUDE_LUA}
local c = cjson.decode(ARGV[1])
RUN_ID = c.runId
local status = runStatus()
if not status then return { 'rejected', 'cancelled', {}, {} } end
local doneKey = c.itemId .. '#' .. c.attempt
-- One call both tests and marks (itemId, attempt) committed; the paths that change nothing take it back.
if rcall('SADD', K_DONE, doneKey) == 0 then
  return { 'duplicate', status, outboxReply(), {} }
end
if isFinished(status) then
  rcall('SREM', K_DONE, doneKey)
  -- Nothing changes; the caller hands the job back to BullMQ, whose next claim parks (failed run) or drops it.
  return { 'rejected', status, outboxReply(), {} }
end
if c.expectedVersion ~= nil then
  local v = tonumber(rcall('HGET', K_CTX, 'version'))
  if v ~= c.expectedVersion then
    rcall('SREM', K_DONE, doneKey)
    return { 'conflict', status, {}, {} }
  end
  rcall('HSET', K_CTX, 'state', ARGV[c.ctxIdx], 'version', v + 1)
end

local at, now = c.at, c.now
rcall('SREM', K_LEASED, c.itemId)
local own = rcall('HGET', K_LIVE, c.itemId)
if own then
  local _, ea = splitEntry(own)
  if ea == c.attempt then rcall('HDEL', K_LIVE, c.itemId) end
end

-- One field per node, 'count total max' (tab-separated): one read and one write per step instead of
-- a counter, a float counter and a compare-and-set maximum.
local function timing(node, ms)
  local field = 'n:' .. node
  local count, total, max = 0, 0, ms
  local cur = rcall('HGET', K_METRICS, field)
  if cur then
    local a, b, m = string.match(cur, '^(%S+)\t(%S+)\t(%S+)$')
    count, total, max = tonumber(a), tonumber(b), tonumber(m)
    if ms > max then max = ms end
  end
  rcall('HSET', K_METRICS, field, string.format('%d\t%.17g\t%.17g', count + 1, total + ms, max))
end

local function enqueueAll()
  for _, s in ipairs(c.enq) do
    enqueue(c.runId, s.itemId, s.node, s.base, s.attempt, s.readyAt, ARGV[s.idx], now)
  end
end

local dropped = {}
local errJson = nil
if c.errIdx then errJson = ARGV[c.errIdx] end

if c.kind == 'advance' then
  setItem(c.itemId, 'completed', c.attempt, nil)
  rcall('HINCRBY', K_METRICS, 'completed', 1)
  timing(c.node, c.durationMs)
  event(at, { type = 'step.committed', itemId = c.itemId, node = c.node, attempt = c.attempt })
  if c.outputIdx then
    -- First terminal output wins; the run is finished, so nothing else of this step matters.
    rcall('HSET', K_RUN, 'output', ARGV[c.outputIdx])
    setStatus('completed', at)
    dropped = purge()
  else
    enqueueAll()
    for _, j in ipairs(c.joins) do
      local key = KEYS[j.key]
      if rcall('HSETNX', key, 'v:' .. j.index, ARGV[j.valueIdx]) == 1 then
        rcall('HINCRBY', key, 'n', 1)
      end
      rcall('HSETNX', key, 'total', j.total)
      local n = tonumber(rcall('HGET', key, 'n'))
      if rcall('HEXISTS', key, 'fired') == 0 and n >= j.total then
        local values = {}
        for i = 0, j.total - 1 do
          values[#values + 1] = rcall('HGET', key, 'v:' .. i) or 'null'
        end
        -- The values live in the join item now; keeping them would double the memory of large fan-outs.
        rcall('DEL', key)
        rcall('HSET', key, 'fired', 1)
        local itemJson = ARGV[j.headIdx] .. ',"input":[' .. table.concat(values, ',') .. ']}'
        enqueue(c.runId, j.itemId, j.node, j.base, j.attempt, now, itemJson, now)
      end
    end
  end
elseif c.kind == 'retry' then
  setItem(c.itemId, 'waiting-retry', c.attempt, errJson)
  rcall('HINCRBY', K_METRICS, 'retries', 1)
  rcall('RPUSH', K_ERRORS, ARGV[c.recIdx])
  event(at, { type = 'step.retrying', itemId = c.itemId, node = c.node, attempt = c.attempt, error = cjson.decode(errJson) })
  enqueueAll()
else
  rcall('HINCRBY', K_METRICS, 'failed', 1)
  rcall('RPUSH', K_ERRORS, ARGV[c.recIdx])
  timing(c.node, c.durationMs)
  event(at, { type = 'step.failed', itemId = c.itemId, node = c.node, attempt = c.attempt, error = cjson.decode(errJson) })
  if #c.enq > 0 then
    setItem(c.itemId, 'failed', c.attempt, errJson)
    enqueueAll()
  else
    setItem(c.itemId, 'dead', c.attempt, errJson)
    failRun(errJson, at)
  end
end

local final = runStatus()
if rcall('HLEN', K_LIVE) == 0 and (final == 'queued' or final == 'running' or final == 'paused') then
  failRun(ARGV[c.noTerminalIdx], at)
  final = 'failed'
end
return { 'committed', final, NEW_OUTBOX, dropped }
`;
