/**
 * Reads of a run's context stored per field (layout: see `context-fields.lua.ts`). None of these scripts
 * decodes user data.
 *
 * READ: `KEYS[1]` the `ctx` hash, `KEYS[2..]` event-log lists. `ARGV[1]` `{ fields: [name], logs: [{ key,
 * from }] }`. Returns nil for a missing run; `{ 'legacy', version, stateJson }` for a context still stored
 * as one document (the caller splits it with SPLIT); else `{ 'split', version, { value|nil, fieldVersion,
 * ... }, { entries of each log from its position } }`.
 */
export const READ_CONTEXT_LUA = `
local c = cjson.decode(ARGV[1])
local h = redis.call('HMGET', KEYS[1], 'version', 'split', 'state')
if not h[1] then return false end
if not h[2] then return { 'legacy', h[1], h[3] or 'null' } end
local values = {}
for _, name in ipairs(c.fields) do
  local v = redis.call('HMGET', KEYS[1], 'f:' .. name, 'r:' .. name)
  values[#values + 1] = v[1] or false
  values[#values + 1] = v[2] or '0'
end
local logs = {}
for _, l in ipairs(c.logs) do logs[#logs + 1] = redis.call('LRANGE', KEYS[l.key], l.from, -1) end
return { 'split', h[1], values, logs }
`;

/**
 * GET: the whole context in one atomic read, for the orchestrator and tools. `KEYS[1]` the `ctx` hash; the
 * event-log keys are derived from it (`<ctx>log:<field>`, the same hash slot). Returns nil for a missing
 * run, else `{ hashFlat, { name, entries, ... } }`.
 */
export const GET_CONTEXT_LUA = `
local h = redis.call('HGETALL', KEYS[1])
if #h == 0 then return false end
local logs = {}
local names = redis.call('HGET', KEYS[1], 'logs')
if names and redis.call('HEXISTS', KEYS[1], 'split') == 1 then
  local ok, list = pcall(cjson.decode, names)
  if ok and type(list) == 'table' then
    for _, name in ipairs(list) do
      logs[#logs + 1] = name
      logs[#logs + 1] = redis.call('LRANGE', KEYS[1] .. 'log:' .. name, 0, -1)
    end
  end
end
return { h, logs }
`;

/**
 * SPLIT: stores a context kept as one `state` document per field, once. `KEYS[1]` the `ctx` hash,
 * `KEYS[2..]` event-log lists and id sets. `ARGV[1]` `{ values: [{ name, idx }], logs: [{ logKey, idsKey,
 * events: [{ idIdx, entryIdx }] }], names: 'JSON array of log names' }`, `ARGV[2]` the `state` the caller
 * split (nothing happens when it changed meanwhile). Returns 1 when the context is split (now or before),
 * 0 when the caller must read again.
 */
export const SPLIT_CONTEXT_LUA = `
local c = cjson.decode(ARGV[1])
local h = redis.call('HMGET', KEYS[1], 'version', 'split', 'state')
if not h[1] then return 0 end
if h[2] then return 1 end
if h[3] ~= ARGV[2] then return 0 end
for _, v in ipairs(c.values) do redis.call('HSET', KEYS[1], 'f:' .. v.name, ARGV[v.idx]) end
for _, l in ipairs(c.logs) do
  for _, e in ipairs(l.events) do
    if redis.call('SADD', KEYS[l.idsKey], ARGV[e.idIdx]) == 1 then redis.call('RPUSH', KEYS[l.logKey], ARGV[e.entryIdx]) end
  end
end
redis.call('HSET', KEYS[1], 'logs', c.names, 'split', 1)
redis.call('HDEL', KEYS[1], 'state')
return 1
`;
