// Generated from ../read-context.lua by scripts/lua-codegen.mjs (nx run @floxide/redis:codegen): do not edit.
/**
 * READ: reads fields of a run's context stored per field (layout: see `context-fields.lua`); decodes no
 * user data. `KEYS[1]` the `ctx` hash, `KEYS[2..]` event-log lists. `ARGV[1]` `{ fields: [name], logs: [{ key,
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
