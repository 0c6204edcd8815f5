import { PRELUDE_LUA } from './prelude.lua.js';

/**
 * Pauses, resumes, cancels or revives a run (see `Backend.control`).
 *
 * ARGV: 1 action, 2 now, 3 cancel error info JSON.
 * Returns `{ 'ok', runHashFlat, outboxFlat, droppedJobIds }`, `{ 'missing' }` or `{ 'state', status }`.
 */
export const CONTROL_LUA = `${PRELUDE_LUA}
local action, now = ARGV[1], tonumber(ARGV[2])
local status = runStatus()
if not status then return { 'missing' } end
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
  local dead = {}
  local items = rcall('HGETALL', K_ITEMS)
  for i = 1, #items, 2 do
    local st = cjson.decode(items[i + 1])
    if st.status == 'dead' then table.insert(dead, st) end
  end
  if #dead == 0 and rcall('HLEN', K_LIVE) == 0 then return { 'state', 'nothing' } end
  rcall('HDEL', K_RUN, 'error', 'finishedAt')
  setStatus('running', now)
  for _, st in ipairs(dead) do
    local p = rcall('HGET', K_PAYLOADS, st.itemId)
    if p then
      local nl = string.find(p, '\\n', 1, true)
      local base = string.sub(p, 1, nl - 1)
      local json = string.sub(p, nl + 1)
      local attempt = tonumber(string.match(json, '"attempt":(%d+)')) + 1
      json = string.gsub(json, '"attempt":%d+', '"attempt":' .. attempt, 1)
      enqueue(st.runId, st.itemId, st.node, base, attempt, now, json, now)
    end
  end
  unpark(now)
else
  return redis.error_reply('unknown control action')
end
return { 'ok', rcall('HGETALL', K_RUN), outboxReply(), dropped }
`;

/**
 * Fails an unfinished run with an error record (see `Backend.failRun`). ARGV: 1 error info JSON, 2 error
 * record JSON, 3 now. Returns 1 when the run was failed, 0 for a missing or finished run.
 */
export const FAIL_RUN_LUA = `${PRELUDE_LUA}
local status = runStatus()
if not status or isFinished(status) then return 0 end
rcall('RPUSH', K_ERRORS, ARGV[2])
failRun(ARGV[1], tonumber(ARGV[3]))
return 1
`;

/** Drops every queued, not leased item of a run. Returns the dropped job ids. */
export const PURGE_LUA = `${PRELUDE_LUA}
return purge()
`;

/**
 * The sweeper's view of one run: its status, how many outbox entries it has, and the job ids of the entries
 * due at or before ARGV[1] (epoch ms), the only ones a crashed hand-off can have left behind. Values are not
 * returned: most old entries are still waiting in BullMQ and are not re-sent (see `RedisWorkQueue.sweep`).
 * Returns `{ status, outboxSize, oldJobIds }`.
 */
export const OUTBOX_LUA = `${PRELUDE_LUA}
local cutoff = tonumber(ARGV[1])
local old = {}
local entries = rcall('HGETALL', K_OUTBOX)
for i = 1, #entries, 2 do
  local v = entries[i + 1]
  local readyAt = tonumber(string.sub(v, 1, string.find(v, '\\n', 1, true) - 1))
  if readyAt <= cutoff then old[#old + 1] = entries[i] end
end
return { rcall('HGET', K_RUN, 'status') or '', #entries / 2, old }
`;

/**
 * Enqueues items of one run outside a commit (idempotent by `(itemId, attempt)`); ignored for a missing,
 * cancelled or completed run. ARGV: 1 control JSON `{ runId, now, enq: [{ itemId, node, base, attempt,
 * readyAt, idx }] }`, then the item JSONs. Returns the outbox.
 */
export const ENQUEUE_LUA = `${PRELUDE_LUA}
local c = cjson.decode(ARGV[1])
local status = runStatus()
if not status or status == 'cancelled' or status == 'completed' then return {} end
for _, s in ipairs(c.enq) do
  enqueue(c.runId, s.itemId, s.node, s.base, s.attempt, s.readyAt, ARGV[s.idx], c.now)
end
return outboxReply()
`;
