--- Reverts migration 0006_feed_latency (`{{schema}}`: the schema name).

create or replace function "{{schema}}".notify_feed() returns trigger language plpgsql as $$
begin
  perform pg_notify('floxide_{{schema}}_feed', '');
  return null;
end $$;

drop trigger if exists events_notify_feed on "{{schema}}".events;
create trigger events_notify_feed after insert on "{{schema}}".events
  for each statement execute function "{{schema}}".notify_feed();
