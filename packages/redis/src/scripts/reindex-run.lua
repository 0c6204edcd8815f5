--- Files one run in every list index under its stored status and takes it out of the other status lists
--- (a one-time rebuild for runs stored before the indexes existed). ARGV: 1 runId. Returns 1 when the run
--- was indexed, 0 when it is missing or its status is unreadable (such a run is failed by the next script
--- that touches it, which indexes it then).
---
--- KEYS: 1..13 the run's keys in `RUN_KEY_NAMES` order (keys.ts).
---
--! include prelude.lua
local status = rcall('HGET', K_RUN, 'status')
if not status or not STATUSES[status] then return 0 end
RUN_ID = ARGV[1]
indexRun(status, nil)
return 1
