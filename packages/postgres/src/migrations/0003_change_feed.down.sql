--- Reverts migration 0003_change_feed (`{{schema}}`: the schema name).

drop trigger if exists events_notify_feed on "{{schema}}".events;
drop function if exists "{{schema}}".notify_feed();
drop index if exists "{{schema}}".events_feed_idx;
alter table "{{schema}}".events drop column if exists tx;
