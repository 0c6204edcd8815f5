--- Migration 0008_context_scale.
--- An event-log append probes the unique event-id index per event instead of scanning the whole log
---: the cost of a commit no longer grows with the log.
---
--- `{{schema}}` stands for the schema name (see migration-provider.ts).
--- Defines: apply_context_fields.

create unique index if not exists context_events_event_id_idx on "{{schema}}".context_events (run_id, event_id, field);
alter table "{{schema}}".context_events drop constraint if exists context_events_run_id_field_event_id_key;

create or replace function "{{schema}}".apply_context_fields(p_run_id text, p_fields jsonb) returns text
language plpgsql as $$
declare
  f jsonb;
  e jsonb;
  v_version integer;
  v_len bigint;
  v_n bigint;
begin
  if not coalesce((select context_split from "{{schema}}".runs where run_id = p_run_id), false) then
    return 'conflict';
  end if;
  -- Checks first: the reducer rows stay locked, so their versions cannot move before this commit ends.
  for f in select x from jsonb_array_elements(p_fields) as t(x) loop
    if f->>'kind' = 'reducer' then
      select version into v_version from "{{schema}}".context_fields
      where run_id = p_run_id and field = f->>'field' for update;
      if coalesce(v_version, 0) <> (f->>'expectedVersion')::integer then return 'conflict'; end if;
    end if;
  end loop;
  for f in select x from jsonb_array_elements(p_fields) as t(x) loop
    if f->>'kind' = 'counter' then
      insert into "{{schema}}".context_fields as c (run_id, field, value) values (p_run_id, f->>'field', to_jsonb((f->>'add')::float8))
      on conflict (run_id, field) do update
        set value = to_jsonb(coalesce((c.value #>> '{}')::float8, 0) + (f->>'add')::float8);
    elsif f->>'kind' = 'eventLog' then
      insert into "{{schema}}".context_fields (run_id, field, log_length) values (p_run_id, f->>'field', 0)
      on conflict (run_id, field) do nothing;
      -- The field row's lock orders concurrent appenders: positions are dense and commit in order.
      select coalesce(log_length, 0) into v_len from "{{schema}}".context_fields
      where run_id = p_run_id and field = f->>'field' for update;
      v_n := 0;
      -- One probe of the unique (run_id, field, event_id) index per event: an id already logged is skipped.
      for e in select x from jsonb_array_elements(f->'append') as t(x) loop
        insert into "{{schema}}".context_events (run_id, field, pos, event_id, event)
        values (p_run_id, f->>'field', v_len + v_n, e->>'id', e->'event')
        on conflict (run_id, field, event_id) do nothing;
        if found then v_n := v_n + 1; end if;
      end loop;
      if v_n > 0 then
        update "{{schema}}".context_fields set log_length = v_len + v_n where run_id = p_run_id and field = f->>'field';
      end if;
    elsif f->>'kind' = 'register' then
      insert into "{{schema}}".context_fields (run_id, field, value) values (p_run_id, f->>'field', f->'set')
      on conflict (run_id, field) do update set value = excluded.value;
    elsif f->>'kind' = 'reducer' then
      insert into "{{schema}}".context_fields as c (run_id, field, value, version) values (p_run_id, f->>'field', f->'state', 1)
      on conflict (run_id, field) do update set value = excluded.value, version = c.version + 1;
    end if;
  end loop;
  return 'applied';
end $$;
