--- Reads a shard's change-feed stream after a position and says whether entries after that position were
--- trimmed (by retention, feed-trim.lua, or by the scripts' length cap) before the reader got them.
--- KEYS: 1 the shard's feed stream. ARGV: 1 the id last read (`0-0`: none), 2 at most this many entries.
--- Returns { skip, entries }: `entries` as XRANGE answers them; `skip` is '' or, when entries after the
--- position were trimmed, an id to continue after (past every trimmed entry, before every retained one).
--- Needs Redis 7 (XINFO's entries-added, max-deleted-entry-id); older servers answer '' always.
---
--- @remarks Trimming removes the oldest entries only (nothing calls XDEL), so while the entry at the
--- position is retained nothing after it is gone. Otherwise: an empty stream lost what came after the
--- position when newer ids were generated; a non-empty one lost nothing only when retention's trim ended
--- exactly at the position (it records its newest removed id); a length-cap trim past the position counts
--- as a gap (it records nothing, so a gap is assumed: a reader then re-reads state it did not need to).
---

local key, after = KEYS[1], ARGV[1]
local entries = redis.call('XRANGE', key, '(' .. after, '+', 'COUNT', ARGV[2])
-- Checked after the XRANGE, so a trim between the two is seen.
if after ~= '0-0' and #redis.call('XRANGE', key, after, after, 'COUNT', 1) > 0 then return { '', entries } end
if redis.call('EXISTS', key) == 0 then return { '', entries } end
local info = redis.call('XINFO', 'STREAM', key)
local f = {}
for i = 1, #info - 1, 2 do f[info[i]] = info[i + 1] end
local length, last, deleted, added = f['length'], f['last-generated-id'], f['max-deleted-entry-id'], f['entries-added']
if type(deleted) ~= 'string' or type(added) ~= 'number' then return { '', entries } end

-- Compares stream ids '<ms>-<seq>': -1, 0 or 1.
local function cmp(a, b)
  local am, as = string.match(a, '^(%d+)-(%d+)$')
  local bm, bs = string.match(b, '^(%d+)-(%d+)$')
  am, as, bm, bs = tonumber(am), tonumber(as), tonumber(bm), tonumber(bs)
  if am ~= bm then return am < bm and -1 or 1 end
  if as ~= bs then return as < bs and -1 or 1 end
  return 0
end

local gap
if length == 0 then
  gap = cmp(last, after) > 0
elseif after == '0-0' then
  gap = added > length
else
  gap = cmp(deleted, after) ~= 0
end
if not gap then return { '', entries } end
if length == 0 then return { last, entries } end
-- Just before the oldest retained entry.
local first = redis.call('XRANGE', key, '-', '+', 'COUNT', 1)[1][1]
local ms, seq = string.match(first, '^(%d+)-(%d+)$')
if tonumber(seq) > 0 then return { ms .. '-' .. string.format('%d', tonumber(seq) - 1), entries } end
return { string.format('%d', tonumber(ms) - 1) .. '-18446744073709551615', entries }
