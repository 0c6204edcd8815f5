--- Migration 0006_feed_latency.
--- Finished-run hints in the feed's notification, so `wait` need not wait for the ordered feed.
---
--- `{{schema}}` stands for the schema name (see migration-provider.ts).
--- Defines: notify_feed.
---
--- Finished-run hints on the feed's notification (migration `0006_feed_latency`): the feed trigger now
--- names, as a JSON array payload, the runs whose final status (completed, failed, cancelled) the inserting
--- statement wrote.
---
--- @remarks
--- The ordered feed reads only below the oldest running transaction (see `0003_change_feed.sql`), so under load an
--- event waits there for as long as the slowest concurrent transaction runs. PostgreSQL delivers a
--- notification only after its transaction commits, so a named run is final by the time a listener hears
--- of it: `wait` reads the run record at once instead of waiting for the ordered feed. The table stays the
--- source of truth — a lost or oversized notification (over 7 900 bytes: sent empty) only loses the
--- shortcut. Statements that wrote no final status keep notifying with the empty payload, which PostgreSQL
--- collapses within a transaction as before.

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
