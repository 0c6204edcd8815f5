--- Moves a recorded lease's deadline to server now + `ARGV[2]` ms (`ARGV[1]` the job id); absent: no-op.
--- KEYS: 1 the lease set. Returns nothing.
---

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = tonumber(ARGV[2])
if redis.call('ZADD', KEYS[1], 'XX', 'CH', now + lease, ARGV[1]) == 1 then
  redis.call('PEXPIRE', KEYS[1], lease + 60000)
end
return 1
