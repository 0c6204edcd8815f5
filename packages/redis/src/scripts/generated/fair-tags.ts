// Generated from ../fair-tags.lua by scripts/lua-codegen.mjs (nx run @floxide/redis:codegen): do not edit.
/**
 * Hands out start-time fair tags of one lane (BullMQ queue), used as the BullMQ priority of its jobs so
 * runs of equal priority take turns (see fair-share.ts).
 *
 * `KEYS[1]` the lane's run tags (sorted set: run id → the last tag handed to it), `KEYS[2]` the lane's
 * virtual time `V` (string), `KEYS[3]` BullMQ's `prioritized` set of the lane, `KEYS[4]` its `delayed` set;
 * all in the lane's slot. `ARGV[1]` the key prefix of the lane's job hashes, `ARGV[2]` the largest tag
 * (BullMQ's priority limit), then pairs (run id, number of jobs). Returns, per pair, the tag before its
 * first: the run's jobs take the next tags in order.
 *
 * `V` follows the head of the `prioritized` set (the next job served; a BullMQ score is
 * `priority × 2^32 + counter`) and never goes back. A run's first tag is `max(V, its last tag) + 1`: a run
 * with a backlog holds tags far ahead of `V`, a run that enqueues later gets `V + 1`. Runs whose last tag
 * is at or below `V` have nothing queued ahead and are forgotten (so the set holds about the runs with a
 * backlog).
 *
 * Tags must stay within BullMQ's range (1 .. 2^21 - 1): when a run's tags would pass it, every tag of the
 * lane is lowered by `V - 1` (the queued and delayed jobs' priorities, the runs' last tags): O(jobs queued)
 * once per about two million jobs through the lane. Tags that still do not fit are clamped by the caller.
 */
export const FAIR_TAGS_LUA = `
local rcall = redis.call
local SPAN = 4294967296
local jobPrefix, limit = ARGV[1], tonumber(ARGV[2])
local v = tonumber(rcall('GET', KEYS[2]) or '0') or 0
local head = rcall('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
if head[2] then
  local p = math.floor(tonumber(head[2]) / SPAN) - 1
  if p > v then v = p end
end
rcall('ZREMRANGEBYSCORE', KEYS[1], '-inf', v)

-- Lowers every tag of the lane by 'shift' (never below 1).
local function rebase(shift)
  local queued = rcall('ZRANGE', KEYS[3], 0, -1, 'WITHSCORES')
  for i = 1, #queued, 2 do
    local score = tonumber(queued[i + 1])
    local p = math.floor(score / SPAN)
    local np = math.max(1, p - shift)
    rcall('ZADD', KEYS[3], np * SPAN + (score - p * SPAN), queued[i])
    if rcall('HEXISTS', jobPrefix .. queued[i], 'priority') == 1 then
      rcall('HSET', jobPrefix .. queued[i], 'priority', np)
    end
  end
  for _, id in ipairs(rcall('ZRANGE', KEYS[4], 0, -1)) do
    local p = tonumber(rcall('HGET', jobPrefix .. id, 'priority'))
    if p and p > 0 then rcall('HSET', jobPrefix .. id, 'priority', math.max(1, p - shift)) end
  end
  local runs = rcall('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
  rcall('DEL', KEYS[1])
  for i = 1, #runs, 2 do
    local t = tonumber(runs[i + 1]) - shift
    if t > 1 then rcall('ZADD', KEYS[1], t, runs[i]) end
  end
  v = v - shift
end

local out = {}
for i = 3, #ARGV, 2 do
  local run, n = ARGV[i], tonumber(ARGV[i + 1])
  local start = math.max(v, tonumber(rcall('ZSCORE', KEYS[1], run)) or 0)
  if start + n > limit and v > 1 then
    rebase(v - 1)
    start = math.max(v, tonumber(rcall('ZSCORE', KEYS[1], run)) or 0)
  end
  rcall('ZADD', KEYS[1], math.min(start + n, limit), run)
  out[#out + 1] = start
end
rcall('SET', KEYS[2], v)
return out
`;
