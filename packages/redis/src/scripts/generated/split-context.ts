// Generated from ../split-context.lua by scripts/lua-codegen.mjs (nx run @floxide/redis:codegen): do not edit.
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
