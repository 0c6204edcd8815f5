--- WAITS: the names a run's parked items wait for and whether they are all it has outstanding (read-only but
--- for dropping stale wait entries). KEYS[1..13] the run's keys. Reply `{ names, allParked (0/1) }`.
---
---
--! include signals-common.lua
local valid, allParked = validWaits()
local names = {}
for _, w in ipairs(valid) do names[#names + 1] = w.n end
return { names, allParked and 1 or 0 }
