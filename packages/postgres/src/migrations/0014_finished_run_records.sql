--- Migration 0014_finished_run_records.
--- The final run record in the feed's notification, so `wait` resolves without reading the run.
---
--- `{{schema}}` stands for the schema name (see migration-provider.ts).
--- Defines: notify_run_finished.
---
--- Finished-run records on the feed's notification (migration `0014_finished_run_records`): when a run's
--- status becomes final (completed, failed, cancelled), a row trigger on `runs` notifies the feed channel
--- with `{"run": <the run record>}` (the record `run_json` builds, as `runs.get` reads it).
---
--- @remarks
--- `wait` resolves from that payload without reading the run: the run record reaches the waiting process
--- in the notification itself, one hop after the commit. PostgreSQL delivers a notification only once its
--- transaction has committed, so the record is the committed one. A record over 7 900 bytes (a large
--- output or error) is not sent: the feed trigger's finished-run ids (`0006_feed_latency`) still name the
--- run, and `wait` reads it. The trigger fires only on the transition to a final status (its `when`
--- clause), so ordinary commits pay one comparison.

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
