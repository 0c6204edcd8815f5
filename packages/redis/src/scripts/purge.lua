--- Drops every queued, not leased item of a run. Returns the dropped job ids.
--- KEYS: 1..13 the run's keys in `RUN_KEY_NAMES` order (keys.ts). ARGV: none.
---
--! include prelude.lua
return purge()
