--- How many leases of the set are live now (the caller compares with the limit).
--- KEYS: 1 the lease set. ARGV: none. Returns the count.
---

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')
