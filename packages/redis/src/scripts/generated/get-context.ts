// Generated from ../get-context.lua by scripts/lua-codegen.mjs (nx run @floxide/redis:codegen): do not edit.
/**
 * GET: the whole context in one atomic read, for the orchestrator and tools. `KEYS[1]` the `ctx` hash; the
 * event-log keys are derived from it (`<ctx>log:<field>`, the same hash slot). Returns nil for a missing
 * run, else `{ hashFlat, { name, entries, ... } }`.
 *
 * ARGV: none.
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
