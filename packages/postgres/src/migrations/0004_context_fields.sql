--- Migration 0004_context_fields.
--- The context stored per field; commits apply counter adds, event-log appends, register sets and
--- reducer compare-and-sets per field.
---
--- `{{schema}}` stands for the schema name (see migration-provider.ts).
--- Defines: split_context, read_context, apply_context_fields, commit_step.
---
--- DDL and functions of migration `0004_context_fields`: the run context stored per field.
---
--- @remarks
--- - `context_fields`: one row per field: `value` (JSON state; null for an event log), `version` (raised by
---   each reducer commit), `log_length` (an event log's event count; null for other kinds).
--- - `context_events`: one row per event of an event-log field at its position, unique by event id.
--- - `runs.context_split`: false while the context is still the one `runs.context` document that
---   `start_run` (and every release before) writes; `split_context` moves it into the tables on a worker's
---   first read (the layout, which only the workflow knows, says which fields are event logs) and leaves
---   `runs.context = '{}'`.
--- - `apply_context_fields` applies a step's field commits: counter `add` (double arithmetic, as
---   JavaScript), event-log `append` (positions reserved under the field row's lock, ids already in the log
---   skipped), register `set`, reducer state under a per-field version check. Every check precedes every
---   write. Its cost is the step's own changes: no statement reads the rest of the context.
--- - `read_context` returns some fields and the tails of some logs; `commit_step` is the 0002 version with
---   its whole-context compare-and-set replaced by a call of `apply_context_fields`.
--- Both tables reference `runs` with `on delete cascade`, so retention removes them with the run.

alter table "{{schema}}".runs add column context_split boolean not null default false;

create table "{{schema}}".context_fields (
  run_id text collate "C" not null references "{{schema}}".runs (run_id) on delete cascade,
  field text collate "C" not null,
  value jsonb,
  version integer not null default 0,
  log_length bigint,
  primary key (run_id, field)
);

create table "{{schema}}".context_events (
  run_id text collate "C" not null references "{{schema}}".runs (run_id) on delete cascade,
  field text collate "C" not null,
  pos bigint not null,
  event_id text collate "C" not null,
  event jsonb,
  primary key (run_id, field, pos),
  unique (run_id, field, event_id)
);

create or replace function "{{schema}}".split_context(p_run_id text, p_layout jsonb) returns void language plpgsql as $$
declare
  v_ctx jsonb;
  v_split boolean;
begin
  select context, context_split into v_ctx, v_split from "{{schema}}".runs where run_id = p_run_id for update;
  if not found or v_split or jsonb_typeof(v_ctx) <> 'object' then return; end if;
  insert into "{{schema}}".context_fields (run_id, field, value, log_length)
  select p_run_id, t.k, case when p_layout->>t.k = 'eventLog' then null else t.v end,
    case when p_layout->>t.k = 'eventLog' then 0 end
  from jsonb_each(v_ctx) as t(k, v);
  insert into "{{schema}}".context_fields (run_id, field, value, log_length)
  select p_run_id, t.k, null, 0 from jsonb_each_text(p_layout) as t(k, kind)
  where t.kind = 'eventLog' and not v_ctx ? t.k;
  -- First occurrence of each id wins; positions are dense (0..n-1) in log order.
  insert into "{{schema}}".context_events (run_id, field, pos, event_id, event)
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
  update "{{schema}}".context_fields c set log_length = (
    select count(*) from "{{schema}}".context_events e where e.run_id = c.run_id and e.field = c.field)
  where c.run_id = p_run_id and c.log_length is not null;
  update "{{schema}}".runs set context = '{}'::jsonb, context_split = true where run_id = p_run_id;
end $$;

create or replace function "{{schema}}".read_context(p_run_id text, p_layout jsonb, p_fields jsonb, p_logs jsonb)
returns jsonb language plpgsql as $$
declare
  v_version integer;
  v_split boolean;
begin
  select context_version, context_split into v_version, v_split from "{{schema}}".runs where run_id = p_run_id;
  if not found then return null; end if;
  if not v_split then perform "{{schema}}".split_context(p_run_id, p_layout); end if;
  return jsonb_build_object(
    'version', v_version,
    'fields', coalesce((
      select jsonb_object_agg(c.field, jsonb_build_object('value', c.value, 'version', c.version))
      from "{{schema}}".context_fields c
      where c.run_id = p_run_id and c.field in (select jsonb_array_elements_text(p_fields))), '{}'::jsonb),
    'logs', coalesce((
      select jsonb_object_agg(l.key, coalesce((
        select jsonb_agg(jsonb_build_object('id', e.event_id, 'event', e.event) order by e.pos)
        from "{{schema}}".context_events e
        where e.run_id = p_run_id and e.field = l.key and e.pos >= l.value::bigint), '[]'::jsonb))
      from jsonb_each_text(p_logs) as l), '{}'::jsonb));
end $$;

create or replace function "{{schema}}".apply_context_fields(p_run_id text, p_fields jsonb) returns text
language plpgsql as $$
declare
  f jsonb;
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
      insert into "{{schema}}".context_events (run_id, field, pos, event_id, event)
      select p_run_id, f->>'field', v_len + row_number() over (order by e.ord) - 1, e.x->>'id', e.x->'event'
      from jsonb_array_elements(f->'append') with ordinality as e(x, ord)
      where not exists (select 1 from "{{schema}}".context_events c
        where c.run_id = p_run_id and c.field = f->>'field' and c.event_id = e.x->>'id');
      get diagnostics v_n = row_count;
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


create or replace function "{{schema}}".commit_step(p jsonb) returns jsonb language plpgsql as $$
declare
  v_lease jsonb := p->'item';
  v_run_id text := v_lease->>'runId';
  v_item_id text := v_lease->>'itemId';
  v_node text := v_lease->>'node';
  v_attempt integer := (v_lease->>'attempt')::integer;
  v_at bigint := (p->>'at')::bigint;
  o jsonb := p->'outcome';
  v_kind text := o->>'kind';
  v_duration double precision := coalesce((o->>'durationMs')::double precision, 0);
  v_now bigint := "{{schema}}".now_ms();
  v_run "{{schema}}".runs%rowtype;
  v_item "{{schema}}".work_items%rowtype;
  v_has_item boolean;
  v_seq bigint;
  v_added integer := 0;
  v_n integer;
  v_wake bigint;
  v_join_id text;
  v_join_input jsonb;
  v_why text;
  v_error jsonb;
  v_queue text;
  x jsonb;
begin
  select * into v_item from "{{schema}}".work_items where run_id = v_run_id and item_id = v_item_id for update;
  v_has_item := found;
  if v_has_item and (v_item.attempt > v_attempt
      or (v_item.attempt = v_attempt and v_item.status in ('completed', 'failed', 'dead'))) then
    return jsonb_build_object('status', 'duplicate');
  end if;
  select * into v_run from "{{schema}}".runs where run_id = v_run_id for update;
  if not found then return jsonb_build_object('status', 'rejected', 'runStatus', 'cancelled'); end if;
  if v_run.status in ('completed', 'failed', 'cancelled') then
    return jsonb_build_object('status', 'rejected', 'runStatus', v_run.status);
  end if;
  v_why := "{{schema}}".run_corruption(v_run);
  if v_why is null then
    select "{{schema}}".join_corruption(v_run_id, j->'joinItem'->>'itemId', (j->>'total')::integer) into v_why
    from jsonb_array_elements(coalesce(o->'joins', '[]'::jsonb)) as t(j)
    where "{{schema}}".join_corruption(v_run_id, j->'joinItem'->>'itemId', (j->>'total')::integer) is not null
    limit 1;
  end if;
  if v_why is not null then
    -- Nothing of the step is applied: the run fails, and the item waits (parked) for a retryFailed.
    v_error := "{{schema}}".fail_corrupt_run(v_run_id, v_why, v_item_id, v_node, v_attempt);
    update "{{schema}}".work_items set queue_state = 'parked', status = 'pending', lease_token = null, worker_id = null
    where run_id = v_run_id and item_id = v_item_id and queue_state <> 'done';
    return jsonb_build_object('status', 'corrupt', 'error', v_error);
  end if;
  -- Successors of a paused run wait outside the claim index until it is resumed.
  v_queue := case when v_run.status = 'paused' then 'parked' else 'ready' end;
  if jsonb_typeof(p->'context') = 'object' and jsonb_array_length(coalesce(p->'context'->'fields', '[]'::jsonb)) > 0 then
    if "{{schema}}".apply_context_fields(v_run_id, p->'context'->'fields') = 'conflict' then
      return jsonb_build_object('status', 'conflict');
    end if;
    v_run.context_version := v_run.context_version + 1;
  end if;
  if not v_has_item then
    -- Committed under a lease this queue never handed out (a tool replaying a step): keep its state anyway.
    insert into "{{schema}}".work_items (run_id, item_id, attempt, node, item, status, queue_state, visible_at)
    values (v_run_id, v_item_id, v_attempt, v_node, v_lease, 'running', 'done', v_now);
  end if;
  v_seq := v_run.event_seq;

  if v_kind = 'advance' then
    update "{{schema}}".work_items set status = 'completed', queue_state = 'done', lease_token = null, worker_id = null,
      attempts = greatest(attempts, v_attempt)
    where run_id = v_run_id and item_id = v_item_id;
    v_run.completed := v_run.completed + 1;
    v_seq := v_seq + 1;
    insert into "{{schema}}".events (run_id, seq, at, type, item_id, node, attempt)
    values (v_run_id, v_seq, v_at, 'step.committed', v_item_id, v_node, v_attempt);
    if o ? 'output' then
      -- First terminal output wins; the run is finished, so nothing else of this step matters.
      v_run.output := coalesce(o->'output'->'value', 'null'::jsonb);
      v_run.status := 'completed';
      v_run.finished_at := v_now;
      v_seq := v_seq + 1;
      insert into "{{schema}}".events (run_id, seq, at, type, status, error)
      values (v_run_id, v_seq, v_at, 'run.status', 'completed', v_run.error);
      update "{{schema}}".work_items w set queue_state = 'done', lease_token = null, worker_id = null
      where (w.run_id, w.item_id) in (select run_id, item_id from "{{schema}}".work_items
        where run_id = v_run_id and queue_state <> 'done' for update skip locked);
    else
      insert into "{{schema}}".work_items (run_id, item_id, attempt, node, item, status, queue_state, visible_at)
      select t.e->>'runId', t.e->>'itemId', (t.e->>'attempt')::integer, t.e->>'node', t.e, 'pending', v_queue, v_now
      from jsonb_array_elements(coalesce(o->'successors', '[]'::jsonb)) as t(e)
      on conflict (run_id, item_id) do nothing;
      get diagnostics v_n = row_count;
      v_added := v_added + v_n;
      for x in select value from jsonb_array_elements(coalesce(o->'joins', '[]'::jsonb)) loop
        v_join_id := x->'joinItem'->>'itemId';
        insert into "{{schema}}".join_arrivals (run_id, join_item_id, idx, total, value)
        values (v_run_id, v_join_id, (x->>'index')::integer, (x->>'total')::integer, coalesce(x->'value', 'null'::jsonb))
        on conflict do nothing;
        select count(*), jsonb_agg(value order by idx) into v_n, v_join_input
        from "{{schema}}".join_arrivals where run_id = v_run_id and join_item_id = v_join_id;
        if v_n >= (x->>'total')::integer then
          insert into "{{schema}}".work_items (run_id, item_id, attempt, node, item, status, queue_state, visible_at)
          values (v_run_id, v_join_id, (x->'joinItem'->>'attempt')::integer, x->'joinItem'->>'node',
            (x->'joinItem') || jsonb_build_object('input', v_join_input), 'pending', v_queue, v_now)
          on conflict (run_id, item_id) do nothing;
          get diagnostics v_n = row_count;
          v_added := v_added + v_n;
          -- The values live in the join item now; keeping them would double the storage of large fan-outs.
          delete from "{{schema}}".join_arrivals where run_id = v_run_id and join_item_id = v_join_id;
        end if;
      end loop;
    end if;
    if v_added > 0 then v_wake := v_now; end if;
  elsif v_kind = 'retry' then
    x := o->'retryItem';
    v_wake := v_now + greatest(coalesce((o->>'delayMs')::bigint, 0), 0);
    update "{{schema}}".work_items set attempt = (x->>'attempt')::integer, item = x,
      status = case when v_wake > v_now then 'waiting-retry' else 'pending' end, queue_state = v_queue,
      visible_at = v_wake, lease_token = null, worker_id = null, attempts = greatest(attempts, v_attempt),
      last_error = o->'error'
    where run_id = v_run_id and item_id = v_item_id;
    v_run.retries := v_run.retries + 1;
    insert into "{{schema}}".errors (run_id, item_id, node, attempt, error, at)
    values (v_run_id, v_item_id, v_node, v_attempt, o->'error', v_at);
    v_seq := v_seq + 1;
    insert into "{{schema}}".events (run_id, seq, at, type, item_id, node, attempt, error)
    values (v_run_id, v_seq, v_at, 'step.retrying', v_item_id, v_node, v_attempt, o->'error');
  else
    v_run.failed := v_run.failed + 1;
    insert into "{{schema}}".errors (run_id, item_id, node, attempt, error, at)
    values (v_run_id, v_item_id, v_node, v_attempt, o->'error', v_at);
    v_seq := v_seq + 1;
    insert into "{{schema}}".events (run_id, seq, at, type, item_id, node, attempt, error)
    values (v_run_id, v_seq, v_at, 'step.failed', v_item_id, v_node, v_attempt, o->'error');
    if jsonb_array_length(coalesce(o->'fallback', '[]'::jsonb)) > 0 then
      update "{{schema}}".work_items set status = 'failed', queue_state = 'done', lease_token = null, worker_id = null,
        attempts = greatest(attempts, v_attempt), last_error = o->'error'
      where run_id = v_run_id and item_id = v_item_id;
      insert into "{{schema}}".work_items (run_id, item_id, attempt, node, item, status, queue_state, visible_at)
      select t.e->>'runId', t.e->>'itemId', (t.e->>'attempt')::integer, t.e->>'node', t.e, 'pending', v_queue, v_now
      from jsonb_array_elements(o->'fallback') as t(e)
      on conflict (run_id, item_id) do nothing;
      get diagnostics v_n = row_count;
      v_added := v_added + v_n;
      if v_added > 0 then v_wake := v_now; end if;
    else
      update "{{schema}}".work_items set status = 'dead', queue_state = 'done', lease_token = null, worker_id = null,
        attempts = greatest(attempts, v_attempt), last_error = o->'error'
      where run_id = v_run_id and item_id = v_item_id;
      -- Other queued items of a failed run wait, parked, for a later retryFailed (SKIP LOCKED: a claim or
      -- release holding one re-reads the run and parks it itself).
      update "{{schema}}".work_items w set queue_state = 'parked'
      where (w.run_id, w.item_id) in (select run_id, item_id from "{{schema}}".work_items
        where run_id = v_run_id and queue_state = 'ready' for update skip locked);
      v_run.status := 'failed';
      v_run.error := o->'error';
      v_run.finished_at := v_now;
      v_seq := v_seq + 1;
      insert into "{{schema}}".events (run_id, seq, at, type, status, error)
      values (v_run_id, v_seq, v_at, 'run.status', 'failed', v_run.error);
    end if;
  end if;

  if v_kind <> 'retry' then
    insert into "{{schema}}".node_timings as t (run_id, node, count, total_ms, max_ms)
    values (v_run_id, v_node, 1, v_duration, v_duration)
    on conflict (run_id, node) do update set count = t.count + 1, total_ms = t.total_ms + excluded.total_ms,
      max_ms = greatest(t.max_ms, excluded.max_ms);
  end if;

  if v_run.status in ('queued', 'running', 'paused') and not exists (
      select 1 from "{{schema}}".work_items where run_id = v_run_id and queue_state <> 'done') then
    v_run.status := 'failed';
    v_run.error := '{"name":"NoTerminalOutputError","code":"NO_TERMINAL_OUTPUT","message":"The run consumed its last work item without reaching a terminal node"}'::jsonb;
    v_run.finished_at := v_now;
    v_seq := v_seq + 1;
    insert into "{{schema}}".events (run_id, seq, at, type, status, error)
    values (v_run_id, v_seq, v_at, 'run.status', 'failed', v_run.error);
  end if;

  update "{{schema}}".runs set status = v_run.status, output = v_run.output, error = v_run.error,
    finished_at = v_run.finished_at, context = v_run.context, context_version = v_run.context_version,
    total_items = total_items + v_added, completed = v_run.completed, failed = v_run.failed,
    retries = v_run.retries, event_seq = v_seq
  where run_id = v_run_id;
  -- NOTIFY serialises committing transactions (a database-wide lock held through the WAL flush), so it is
  -- sent only while a lease call may be waiting; the shared lock pairs with register_waiter's exclusive one.
  if v_wake is not null and v_run.status = 'running' then
    perform pg_advisory_xact_lock_shared(hashtext('floxide_waiters:{{schema}}'), 1);
    if exists (select 1 from "{{schema}}".waiters where idle_until >= v_now) then
      perform pg_notify('floxide_{{schema}}', v_wake::text);
    end if;
  end if;
  return jsonb_build_object('status', 'committed', 'runStatus', v_run.status);
end $$;

