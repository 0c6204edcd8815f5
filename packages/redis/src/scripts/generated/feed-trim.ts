// Generated from ../feed-trim.lua by scripts/lua-codegen.mjs (nx run @floxide/redis:codegen): do not edit.
/**
 * Trims a shard's change-feed stream by age: drops every entry older than `keepMs` by this server's
 * clock (the clock that gave the entries their ids, also on a Cluster, where the stream's master runs
 * the script). Exact trimming: no entry older than the cutoff stays, none younger goes. The length cap
 * of the scripts' `XADD` still applies on top. Records the newest entry removed as the stream's
 * max-deleted-entry-id (XTRIM leaves it alone), so a reader can tell a gap from an idle feed (feed-read.lua).
 * KEYS: 1 the shard's feed stream. ARGV: 1 keepMs (a non-negative integer). Returns the entries removed.
 */
export const FEED_TRIM_LUA = `
local key = KEYS[1]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cutoff = string.format('%d', now - tonumber(ARGV[1]))
if tonumber(cutoff) <= 0 then return 0 end
local newest = redis.call('XREVRANGE', key, '(' .. cutoff .. '-0', '-', 'COUNT', 1)[1]
if not newest then return 0 end
local removed = redis.call('XTRIM', key, 'MINID', cutoff)
local info = redis.call('XINFO', 'STREAM', key)
local last = nil
for i = 1, #info - 1, 2 do
  if info[i] == 'last-generated-id' then last = info[i + 1] end
end
redis.call('XSETID', key, last, 'MAXDELETEDID', newest[1])
return removed
`;
