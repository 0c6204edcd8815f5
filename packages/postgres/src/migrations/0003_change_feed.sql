--- Migration 0003_change_feed.
--- The change feed: a global event position and a NOTIFY per committed event.
---
--- `{{schema}}` stands for the schema name (see migration-provider.ts).
--- Defines: notify_feed.

alter table "{{schema}}".events add column tx xid8 not null default pg_current_xact_id();
create index events_feed_idx on "{{schema}}".events (tx, run_id, seq);

create or replace function "{{schema}}".notify_feed() returns trigger language plpgsql as $$
begin
  perform pg_notify('floxide_{{schema}}_feed', '');
  return null;
end $$;

create trigger events_notify_feed after insert on "{{schema}}".events
  for each statement execute function "{{schema}}".notify_feed();
