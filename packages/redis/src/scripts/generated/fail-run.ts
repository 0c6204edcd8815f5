// Generated from ../fail-run.lua by scripts/lua-codegen.mjs (nx run @floxide/redis:codegen): do not edit.
import { PRELUDE_LUA } from './prelude.js';

/**
 * Fails an unfinished run with an error record (see `Backend.failRun`). ARGV: 1 error info JSON, 2 error
 * record JSON, 3 at. Unreadable run-hash fields are repaired first. Returns 1 when the run was failed, 0
 * for a missing or finished run.
 *
 * KEYS: 1..13 the run's keys in `RUN_KEY_NAMES` order (keys.ts).
 */
export const FAIL_RUN_LUA = `${PRELUDE_LUA}
checkRun()
if CORRUPT then repairRun() end
local status = runStatus()
if not status or isFinished(status) then return 0 end
rcall('RPUSH', K_ERRORS, ARGV[2])
failRun(ARGV[1], tonumber(ARGV[3]))
return 1
`;
