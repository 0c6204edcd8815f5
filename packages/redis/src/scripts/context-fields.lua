--- Lua helpers of the commit script for the run's context, stored per field (see `keys.ts`): the `ctx` hash
--- holds `version`, `split` (set once the context is stored per field), `logs` (JSON array of the event-log
--- field names), `f:<field>` (a field's JSON state) and `r:<field>` (a reducer's own version); each event
--- log is a list (`ctxlog:<field>`, entry JSON `{"id","event"}`) plus a set of its event ids
--- (`ctxids:<field>`). A context still stored as one `state` document (how `startRun` and older releases
--- store it) is split by a worker's first read (`read-context.lua`); a commit with field changes on it is
--- a `conflict`, so the worker reads (and splits) it, then commits again.
---
--- `x` is the control's `ctx`: `{ fields: [{ kind = 'counter', name, add } | { kind = 'eventLog', name,
--- logKey, idsKey, events = [{ idIdx, entryIdx }] } | { kind = 'register', name, idx } | { kind = 'reducer',
--- name, expectedVersion, idx }] }` (`*Key` index KEYS, `*Idx` index ARGV). Every read and check happens in
--- `checkContextFields`, before the script's first write; `applyContextFields` only writes. The cost is the
--- step's own changes: nothing reads or rewrites the rest of the context.
---
--- An include file (`--! include context-fields.lua`, after the prelude): no KEYS, ARGV or reply of its
--- own; the commit script's KEYS and ARGV are what `*Key` and `*Idx` index.
---

-- Set by checkContextFields when a reducer moved on (or the context is not split yet): the commit changes nothing.
local CTX_CONFLICT = false

local function checkContextFields(x)
  local h = rcall('HMGET', K_CTX, 'version', 'state', 'split')
  if h[1] and not isInt(h[1]) then corrupt('context') end
  if h[2] and not plausibleJson(h[2]) then corrupt('context') end
  if x == nil then return end
  if not h[3] then
    CTX_CONFLICT = true
    return
  end
  for _, f in ipairs(x.fields) do
    if f.kind == 'counter' then
      local cur = rcall('HGET', K_CTX, 'f:' .. f.name)
      if cur and not tonumber(cur) then corrupt('context field ' .. f.name) end
    elseif f.kind == 'reducer' then
      local v = rcall('HGET', K_CTX, 'r:' .. f.name)
      if v and not isInt(v) then corrupt('context field ' .. f.name) end
      if (tonumber(v) or 0) ~= f.expectedVersion then CTX_CONFLICT = true end
    end
  end
end

local function applyContextFields(x)
  if x == nil then return end
  for _, f in ipairs(x.fields) do
    if f.kind == 'counter' then
      -- Double arithmetic and 17 significant digits: the same sum JavaScript computes.
      local cur = tonumber(rcall('HGET', K_CTX, 'f:' .. f.name)) or 0
      rcall('HSET', K_CTX, 'f:' .. f.name, string.format('%.17g', cur + f.add))
    elseif f.kind == 'eventLog' then
      for _, e in ipairs(f.events) do
        if rcall('SADD', KEYS[f.idsKey], ARGV[e.idIdx]) == 1 then rcall('RPUSH', KEYS[f.logKey], ARGV[e.entryIdx]) end
      end
    elseif f.kind == 'register' then
      rcall('HSET', K_CTX, 'f:' .. f.name, ARGV[f.idx])
    elseif f.kind == 'reducer' then
      rcall('HSET', K_CTX, 'f:' .. f.name, ARGV[f.idx], 'r:' .. f.name, f.expectedVersion + 1)
    end
  end
  rcall('HINCRBY', K_CTX, 'version', 1)
end
