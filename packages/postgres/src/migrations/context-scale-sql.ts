/**
 * SQL of migration `0008_context_scale`: `apply_context_fields` with an event-log append that costs one
 * unique-index probe per event, whatever the length of the log.
 *
 * @remarks
 * The 0004 function (see `context-fields-sql.ts`) skipped ids already in the log with one set-wise
 * `insert … select … where not exists (…)`. PostgreSQL planned that anti-join as a materialized scan of
 * every event of the field (the statistics of a log that was empty when last analyzed promise one row),
 * filtering the ids in the join: each append read the whole log, so a fan-out of N appending branches did
 * O(N²) work under the run's row lock (bench P11: 5,000 buffers per append at 5,000 events). Here each
 * event is one `insert … on conflict (run_id, field, event_id) do nothing`, whose arbiter is the unique
 * index: no plan to get wrong. Everything else is unchanged: checks before writes, positions reserved
 * under the field row's lock (dense, in commit order), the first occurrence of an id wins (now also
 * within one append), counters, registers and reducers as before. `commit_step` calls the function by
 * name, so it is not replaced.
 *
 * The tail read of a log (`read_context`: `run_id = … and field = … and pos >= …`) had the same fault:
 * both the primary key (run_id, field, pos) and the unique (run_id, field, event_id) index start with the
 * run and field, and with those statistics PostgreSQL took the second, reading every event to filter
 * `pos`. The id index is rebuilt as (run_id, event_id, field): it still makes ids unique per field (and
 * still serves the append's `on conflict`), but no longer competes for a range of positions, which only
 * the primary key now serves with all three columns.
 */
export function contextScaleSql(schema: string): string {
  const s = `"${schema}"`;
  return `
create unique index if not exists context_events_event_id_idx on ${s}.context_events (run_id, event_id, field);
alter table ${s}.context_events drop constraint if exists context_events_run_id_field_event_id_key;

create or replace function ${s}.apply_context_fields(p_run_id text, p_fields jsonb) returns text
language plpgsql as $$
declare
  f jsonb;
  e jsonb;
  v_version integer;
  v_len bigint;
  v_n bigint;
begin
  if not coalesce((select context_split from ${s}.runs where run_id = p_run_id), false) then
    return 'conflict';
  end if;
  -- Checks first: the reducer rows stay locked, so their versions cannot move before this commit ends.
  for f in select x from jsonb_array_elements(p_fields) as t(x) loop
    if f->>'kind' = 'reducer' then
      select version into v_version from ${s}.context_fields
      where run_id = p_run_id and field = f->>'field' for update;
      if coalesce(v_version, 0) <> (f->>'expectedVersion')::integer then return 'conflict'; end if;
    end if;
  end loop;
  for f in select x from jsonb_array_elements(p_fields) as t(x) loop
    if f->>'kind' = 'counter' then
      insert into ${s}.context_fields as c (run_id, field, value) values (p_run_id, f->>'field', to_jsonb((f->>'add')::float8))
      on conflict (run_id, field) do update
        set value = to_jsonb(coalesce((c.value #>> '{}')::float8, 0) + (f->>'add')::float8);
    elsif f->>'kind' = 'eventLog' then
      insert into ${s}.context_fields (run_id, field, log_length) values (p_run_id, f->>'field', 0)
      on conflict (run_id, field) do nothing;
      -- The field row's lock orders concurrent appenders: positions are dense and commit in order.
      select coalesce(log_length, 0) into v_len from ${s}.context_fields
      where run_id = p_run_id and field = f->>'field' for update;
      v_n := 0;
      -- One probe of the unique (run_id, field, event_id) index per event: an id already logged is skipped.
      for e in select x from jsonb_array_elements(f->'append') as t(x) loop
        insert into ${s}.context_events (run_id, field, pos, event_id, event)
        values (p_run_id, f->>'field', v_len + v_n, e->>'id', e->'event')
        on conflict (run_id, field, event_id) do nothing;
        if found then v_n := v_n + 1; end if;
      end loop;
      if v_n > 0 then
        update ${s}.context_fields set log_length = v_len + v_n where run_id = p_run_id and field = f->>'field';
      end if;
    elsif f->>'kind' = 'register' then
      insert into ${s}.context_fields (run_id, field, value) values (p_run_id, f->>'field', f->'set')
      on conflict (run_id, field) do update set value = excluded.value;
    elsif f->>'kind' = 'reducer' then
      insert into ${s}.context_fields as c (run_id, field, value, version) values (p_run_id, f->>'field', f->'state', 1)
      on conflict (run_id, field) do update set value = excluded.value, version = c.version + 1;
    end if;
  end loop;
  return 'applied';
end $$;
`;
}
