--- Migration 0020_feed_notify_after_commit.
--- A step commit's feed notifications leave after its commit.
---
--- `{{schema}}` stands for the schema name (see migration-provider.ts).
--- Defines: feed_notice, notify_feed, notify_run_finished, commit_step_notify_after, feed_notify.
---
--- @remarks
--- PostgreSQL serialises the commits of every transaction that sent a NOTIFY: it takes a database-wide
--- lock before the commit record and holds it through the WAL flush. The feed triggers (`notify_feed` of
--- `0006_feed_latency`, `notify_run_finished` of `0014_finished_run_records`) notified from inside every
--- step commit, so under a busy worker each commit queued behind the others' flushes, one at a time: the
--- finished run's notice reached `wait` only once its commit had waited its turn (measured with 16
--- committers: 260 commits/s with the NOTIFY, about 2,000 without; status write → notice 53 ms p50).
---
--- Now both triggers hand their payload to `feed_notice`, which notifies as before — unless the transaction
--- set `floxide.feed_defer`, then it collects the payload in the transaction-local setting
--- `floxide.feed_notices` (identical payloads once, as PostgreSQL folds them). `commit_step_notify_after`
--- is `commit_step` in such a transaction: it returns the commit's answer with the collected payloads as
--- `feedNotices`, and the client sends them right after the commit with `feed_notify`, in a transaction of
--- their own that writes nothing and commits without waiting for its WAL flush (`synchronous_commit = off`
--- for that transaction only: a notification is not durable anyway). The step commit itself stays durable
--- and no longer takes the NOTIFY lock. A notice lost between the two (the client died) is what a lost
--- notification always was: the table is the source of truth and feed readers re-read from their position.
--- Every other writer (start, control, claims, retention) still notifies from its own transaction.

create or replace function "{{schema}}".feed_notice(p_payload text) returns void language plpgsql as $$
declare
  v_notices jsonb;
begin
  if current_setting('floxide.feed_defer', true) is distinct from 'on' then
    perform pg_notify('floxide_{{schema}}_feed', p_payload);
    return;
  end if;
  v_notices := coalesce(nullif(current_setting('floxide.feed_notices', true), '')::jsonb, '[]'::jsonb);
  if not v_notices @> jsonb_build_array(p_payload) then
    perform set_config('floxide.feed_notices', (v_notices || jsonb_build_array(p_payload))::text, true);
  end if;
end $$;

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
  perform "{{schema}}".feed_notice(finished);
  return null;
end $$;

create or replace function "{{schema}}".notify_run_finished() returns trigger language plpgsql as $$
declare
  payload text;
begin
  payload := jsonb_build_object('run', "{{schema}}".run_json(new))::text;
  if octet_length(payload) <= 7900 then
    perform "{{schema}}".feed_notice(payload);
  end if;
  return null;
end $$;

create or replace function "{{schema}}".commit_step_notify_after(p jsonb) returns jsonb language plpgsql as $$
declare
  v_result jsonb;
begin
  perform set_config('floxide.feed_defer', 'on', true);
  perform set_config('floxide.feed_notices', '', true);
  v_result := "{{schema}}".commit_step(p);
  perform set_config('floxide.feed_defer', '', true);
  return v_result || jsonb_build_object('feedNotices',
    coalesce(nullif(current_setting('floxide.feed_notices', true), '')::jsonb, '[]'::jsonb));
end $$;

create or replace function "{{schema}}".feed_notify(p_notices jsonb) returns void language plpgsql as $$
declare
  v_payload text;
begin
  perform set_config('synchronous_commit', 'off', true);
  for v_payload in select jsonb_array_elements_text(p_notices) loop
    perform pg_notify('floxide_{{schema}}_feed', v_payload);
  end loop;
end $$;
