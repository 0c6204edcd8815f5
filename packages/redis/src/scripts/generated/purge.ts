// Generated from ../purge.lua by scripts/lua-codegen.mjs (nx run @floxide/redis:codegen): do not edit.
import { PRELUDE_LUA } from './prelude.js';

/**
 * Drops every queued, not leased item of a run. Returns the dropped job ids.
 * KEYS: 1..13 the run's keys in `RUN_KEY_NAMES` order (keys.ts). ARGV: none.
 */
export const PURGE_LUA = `${PRELUDE_LUA}
return purge()
`;
