--- Migration 0014_finished_run_records.
--- The final run record in the feed's notification, so `wait` resolves without reading the run.
---
--- `{{schema}}` stands for the schema name (see migration-provider.ts).
--- Defines: notify_run_finished.

create or replace function "{{schema}}".notify_run_finished() returns trigger language plpgsql as $$
declare
  payload text;
begin
  payload := jsonb_build_object('run', "{{schema}}".run_json(new))::text;
  if octet_length(payload) <= 7900 then
    perform pg_notify('floxide_{{schema}}_feed', payload);
  end if;
  return null;
end $$;

drop trigger if exists runs_notify_finished on "{{schema}}".runs;
create trigger runs_notify_finished after update of status on "{{schema}}".runs
  for each row
  when (new.status in ('completed', 'failed', 'cancelled') and old.status is distinct from new.status)
  execute function "{{schema}}".notify_run_finished();
