import { commitFunctionV2Sql } from './commit-function-v2-sql.js';
import { replaceSqlBlock } from './replace-sql-block.js';

/**
 * DDL and functions of migration `0004_context_fields`: the run context stored per field.
 *
 * @remarks
 * - `context_fields`: one row per field: `value` (JSON state; null for an event log), `version` (raised by
 *   each reducer commit), `log_length` (an event log's event count; null for other kinds).
 * - `context_events`: one row per event of an event-log field at its position, unique by event id.
 * - `runs.context_split`: false while the context is still the one `runs.context` document that
 *   `start_run` (and every release before) writes; `split_context` moves it into the tables on a worker's
 *   first read (the layout, which only the workflow knows, says which fields are event logs) and leaves
 *   `runs.context = '{}'`.
 * - `apply_context_fields` applies a step's field commits: counter `add` (double arithmetic, as
 *   JavaScript), event-log `append` (positions reserved under the field row's lock, ids already in the log
 *   skipped), register `set`, reducer state under a per-field version check. Every check precedes every
 *   write. Its cost is the step's own changes: no statement reads the rest of the context.
 * - `read_context` returns some fields and the tails of some logs; `commit_step` is the 0002 version with
 *   its whole-context compare-and-set replaced by a call of `apply_context_fields`.
 * Both tables reference `runs` with `on delete cascade`, so retention removes them with the run.
 */
export function contextFieldsSql(schema: string): string {
  const s = `"${schema}"`;
  return `
alter table ${s}.runs add column context_split boolean not null default false;

create table ${s}.context_fields (
  run_id text collate "C" not null references ${s}.runs (run_id) on delete cascade,
  field text collate "C" not null,
  value jsonb,
  version integer not null default 0,
  log_length bigint,
  primary key (run_id, field)
);

create table ${s}.context_events (
  run_id text collate "C" not null references ${s}.runs (run_id) on delete cascade,
  field text collate "C" not null,
  pos bigint not null,
  event_id text collate "C" not null,
  event jsonb,
  primary key (run_id, field, pos),
  unique (run_id, field, event_id)
);

create or replace function ${s}.split_context(p_run_id text, p_layout jsonb) returns void language plpgsql as $$
declare
  v_ctx jsonb;
  v_split boolean;
begin
  select context, context_split into v_ctx, v_split from ${s}.runs where run_id = p_run_id for update;
  if not found or v_split or jsonb_typeof(v_ctx) <> 'object' then return; end if;
  insert into ${s}.context_fields (run_id, field, value, log_length)
  select p_run_id, t.k, case when p_layout->>t.k = 'eventLog' then null else t.v end,
    case when p_layout->>t.k = 'eventLog' then 0 end
  from jsonb_each(v_ctx) as t(k, v);
  insert into ${s}.context_fields (run_id, field, value, log_length)
  select p_run_id, t.k, null, 0 from jsonb_each_text(p_layout) as t(k, kind)
  where t.kind = 'eventLog' and not v_ctx ? t.k;
  -- First occurrence of each id wins; positions are dense (0..n-1) in log order.
  insert into ${s}.context_events (run_id, field, pos, event_id, event)
  select p_run_id, d.k, row_number() over (partition by d.k order by d.ord) - 1, d.id, d.ev
  from (
    select distinct on (f.k, coalesce(e.x->>'id', 'initial:' || (e.ord - 1)))
      f.k, e.ord, coalesce(e.x->>'id', 'initial:' || (e.ord - 1)) as id, e.x->'event' as ev
    from jsonb_each(v_ctx) as f(k, v),
      jsonb_array_elements(case when jsonb_typeof(f.v) = 'array' then f.v else '[]'::jsonb end)
        with ordinality as e(x, ord)
    where p_layout->>f.k = 'eventLog'
    order by f.k, coalesce(e.x->>'id', 'initial:' || (e.ord - 1)), e.ord
  ) as d;
  update ${s}.context_fields c set log_length = (
    select count(*) from ${s}.context_events e where e.run_id = c.run_id and e.field = c.field)
  where c.run_id = p_run_id and c.log_length is not null;
  update ${s}.runs set context = '{}'::jsonb, context_split = true where run_id = p_run_id;
end $$;

create or replace function ${s}.read_context(p_run_id text, p_layout jsonb, p_fields jsonb, p_logs jsonb)
returns jsonb language plpgsql as $$
declare
  v_version integer;
  v_split boolean;
begin
  select context_version, context_split into v_version, v_split from ${s}.runs where run_id = p_run_id;
  if not found then return null; end if;
  if not v_split then perform ${s}.split_context(p_run_id, p_layout); end if;
  return jsonb_build_object(
    'version', v_version,
    'fields', coalesce((
      select jsonb_object_agg(c.field, jsonb_build_object('value', c.value, 'version', c.version))
      from ${s}.context_fields c
      where c.run_id = p_run_id and c.field in (select jsonb_array_elements_text(p_fields))), '{}'::jsonb),
    'logs', coalesce((
      select jsonb_object_agg(l.key, coalesce((
        select jsonb_agg(jsonb_build_object('id', e.event_id, 'event', e.event) order by e.pos)
        from ${s}.context_events e
        where e.run_id = p_run_id and e.field = l.key and e.pos >= l.value::bigint), '[]'::jsonb))
      from jsonb_each_text(p_logs) as l), '{}'::jsonb));
end $$;

${applyContextFieldsSql(s)}
${commitFunctionV3Sql(schema)}
`;
}

/** The context block of the 0002 `commit_step`: one compare-and-set of the whole context document. */
const WHOLE_CONTEXT_BLOCK = `  if jsonb_typeof(p->'context') = 'object' then
    if v_run.context_version <> (p->'context'->>'expectedVersion')::integer then
      return jsonb_build_object('status', 'conflict');
    end if;
    v_run.context := coalesce(p->'context'->'state', 'null'::jsonb);
    v_run.context_version := v_run.context_version + 1;
  end if;`;

/** Its replacement: the step's field commits, applied per field (see `apply_context_fields`). */
function perFieldBlock(s: string): string {
  return `  if jsonb_typeof(p->'context') = 'object' and jsonb_array_length(coalesce(p->'context'->'fields', '[]'::jsonb)) > 0 then
    if ${s}.apply_context_fields(v_run_id, p->'context'->'fields') = 'conflict' then
      return jsonb_build_object('status', 'conflict');
    end if;
    v_run.context_version := v_run.context_version + 1;
  end if;`;
}

/**
 * `commit_step` as migration `0004_context_fields` replaces it: the 0002 function (see
 * `commit-function-v2-sql.ts`, whose text never changes) with the context block swapped for
 * {@link perFieldBlock}. Nothing before that block writes, so a `conflict` still changes nothing.
 */
export function commitFunctionV3Sql(schema: string): string {
  return replaceSqlBlock(
    commitFunctionV2Sql(schema),
    WHOLE_CONTEXT_BLOCK,
    perFieldBlock(`"${schema}"`),
    'commit_step 0002: the context block',
  );
}

/** `apply_context_fields` as migration 0004 creates it (`s`: the quoted schema); 0008 builds on its text. */
export function applyContextFieldsSql(s: string): string {
  return `create or replace function ${s}.apply_context_fields(p_run_id text, p_fields jsonb) returns text
language plpgsql as $$
declare
  f jsonb;
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
      insert into ${s}.context_events (run_id, field, pos, event_id, event)
      select p_run_id, f->>'field', v_len + row_number() over (order by e.ord) - 1, e.x->>'id', e.x->'event'
      from jsonb_array_elements(f->'append') with ordinality as e(x, ord)
      where not exists (select 1 from ${s}.context_events c
        where c.run_id = p_run_id and c.field = f->>'field' and c.event_id = e.x->>'id');
      get diagnostics v_n = row_count;
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
