// Generated from ../start-run.lua by scripts/lua-codegen.mjs (nx run @floxide/redis:codegen): do not edit.
import { PRELUDE_LUA } from './prelude.js';

/**
 * Creates a run atomically: run hash, context (version 0), the `queued` event and the start item in the
 * outbox, and files the run in the list indexes (keys.ts). Idempotent by run id.
 *
 * ARGV: 1 control JSON `{ runId, workflow, version, createdAt, deadlineAt?, parentRunId?, itemId, node, base }`,
 * 2 input JSON, 3 context JSON, 4 start item JSON.
 * The start item is due at once by the server clock.
 * Returns `{ created (0|1), runHashFlat, outboxFlat }`.
 *
 * KEYS: 1..13 the run's keys in `RUN_KEY_NAMES` order (keys.ts).
 */
export const START_RUN_LUA = `${PRELUDE_LUA}
local c = cjson.decode(ARGV[1])
local now = serverNow()
if rcall('EXISTS', K_RUN) == 1 then
  return { 0, rcall('HGETALL', K_RUN), outboxReply() }
end
rcall('HSET', K_RUN, 'runId', c.runId, 'workflow', c.workflow, 'version', c.version, 'status', 'queued',
  'input', ARGV[2], 'createdAt', string.format('%d', c.createdAt), 'seq', 0, 'gen', 0)
if c.deadlineAt then rcall('HSET', K_RUN, 'deadlineAt', string.format('%d', c.deadlineAt)) end
if c.parentRunId then rcall('HSET', K_RUN, 'parentRunId', c.parentRunId) end
RUN_ID = c.runId
indexRun('queued', 'queued')
rcall('HSET', K_CTX, 'state', ARGV[3], 'version', 0)
rcall('HSET', K_METRICS, 'totalItems', 0, 'completed', 0, 'failed', 0, 'retries', 0)
event(c.createdAt, { type = 'run.status', status = 'queued' })
enqueue(c.runId, c.itemId, c.node, c.base, 1, now, ARGV[4], now)
return { 1, rcall('HGETALL', K_RUN), withClock(NEW_OUTBOX) }
`;
