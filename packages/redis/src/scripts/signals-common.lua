--- Signal waits (see `SignalStore`), kept in the run hash so they go wherever the run goes (retention
--- deletes them with it) and every script over them touches one slot:
--- - `waits`: JSON array `[{ i: itemId, a: attempt, n: name, d: node }]` of parked items, oldest first (ids,
---   names and numbers only: safe to decode); an entry whose live entry moved on or is leased (its timeout
---   firing) is stale and dropped by the next script that reads it;
--- - `q:<name>:<n>` the payload JSON of the n-th signal stored for `name`, `qh:<name>` / `qt:<name>` the head and
---   tail of that queue;
--- - `sid:<signalId>` for every signal id received (exactly once by id).
--- A parked item with a timeout (or a run deadline) is an ordinary delayed item (outbox, then a delayed BullMQ
--- job); one without either is a live entry with no job at all, due never, until a signal replaces it.
---
--- KEYS: as the including script's.
---
--! include prelude.lua
-- Beyond every due time a BullMQ delay can express: a parked item without timeout or deadline has no job.
local NEVER = '8640000000000000'

local function shardPrefix()
  return string.sub(indexBase(), 1, -6)
end

-- The parked items that still wait (live entry at the parked attempt, not leased), and whether they are all
-- the run has outstanding. Stale entries are dropped from the stored list.
local function validWaits()
  local raw = rcall('HGET', K_RUN, 'waits')
  if not raw then return {}, false end
  local list = decodeTable(raw) or {}
  local valid = {}
  for _, w in ipairs(list) do
    if type(w) == 'table' and type(w.i) == 'string' then
      local _, ea = parseEntry(rcall('HGET', K_LIVE, w.i))
      if ea and ea == w.a and rcall('HEXISTS', K_LEASED, w.i) == 0 then valid[#valid + 1] = w end
    end
  end
  if #valid ~= #list then
    if #valid == 0 then rcall('HDEL', K_RUN, 'waits') else rcall('HSET', K_RUN, 'waits', cjson.encode(valid)) end
  end
  return valid, #valid > 0 and #valid == rcall('HLEN', K_LIVE)
end
