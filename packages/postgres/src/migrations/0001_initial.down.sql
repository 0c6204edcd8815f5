--- Reverts migration 0001_initial (`{{schema}}`: the schema name).
drop table if exists "{{schema}}".runs cascade;
drop table if exists "{{schema}}".work_items cascade;
drop table if exists "{{schema}}".join_arrivals cascade;
drop table if exists "{{schema}}".errors cascade;
drop table if exists "{{schema}}".events cascade;
drop table if exists "{{schema}}".node_timings cascade;
drop table if exists "{{schema}}".workers cascade;
drop table if exists "{{schema}}".waiters cascade;