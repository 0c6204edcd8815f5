--- Migration 0006_feed_latency.
--- Finished-run hints in the feed's notification, so `wait` need not wait for the ordered feed.
---
--- `{{schema}}` stands for the schema name (see migration-provider.ts).
--- Defines: notify_feed.

create or replace function "{{schema}}".notify_feed() returns trigger language plpgsql as $$
declare
  finished text;
begin
  select json_agg(distinct n.run_id)::text into finished
    from new_rows n
    where n.type = 'run.status' and n.status in ('completed', 'failed', 'cancelled');
  if finished is null or octet_length(finished) > 7900 then
    finished := '';
  end if;
  perform pg_notify('floxide_{{schema}}_feed', finished);
  return null;
end $$;

drop trigger if exists events_notify_feed on "{{schema}}".events;
create trigger events_notify_feed after insert on "{{schema}}".events
  referencing new table as new_rows
  for each statement execute function "{{schema}}".notify_feed();
