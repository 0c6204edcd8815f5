--- Admits leases of a workflow version with a `maxConcurrency`. `KEYS[1]` is its lease set (job id → lock
--- deadline, server ms); `ARGV[1]` the limit, `ARGV[2]` the lease duration (ms), `ARGV[3..]` job ids in the
--- order the caller fetched them. Lapsed leases are dropped first; a job already in the set keeps its
--- place. Returns how many of the jobs, from the first, are admitted (each recorded until its deadline).
---

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit, lease = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local n = 0
for i = 3, #ARGV do
  if not redis.call('ZSCORE', KEYS[1], ARGV[i]) and redis.call('ZCARD', KEYS[1]) >= limit then break end
  redis.call('ZADD', KEYS[1], now + lease, ARGV[i])
  n = n + 1
end
if redis.call('ZCARD', KEYS[1]) > 0 then redis.call('PEXPIRE', KEYS[1], lease + 60000) end
return n
