--- Migration 0024_strand_lease_on_insert.
--- A strand's next item is inserted already leased, and the commit writes its run row and events once.
---
--- `{{schema}}` stands for the schema name (see migration-provider.ts).
--- Defines: commit_step.
---
--- @remarks
--- `commit_step` of `0012_durable_waits.sql` (with the strand continuation of `0010_strands`), changed only
--- on a chain step's hot path: an `advance` that asks for a strand (`p.strand`), in a run that is running,
--- not past its deadline, whose successors are due now. There the first successor is inserted straight in
--- the `leased` state (token, worker, lease deadline) instead of inserted ready and then updated to leased:
--- one row version and one set of index entries instead of two, and no fair tag (`0019_fair_share`: an item
--- inserted leased takes none, as a delayed one; a lease that lapses makes it claimable like any untagged
--- item). Its `step.started` event goes in the same insert as the step's `step.committed` (one run of the
--- statement-level feed trigger instead of two), and the run row is updated once (`event_seq` included).
--- A commit that leased its successor and queued no other item sends no work NOTIFY: nothing new is
--- claimable (with a lease call waiting, every chain commit used to notify, which serialises commits behind
--- the NOTIFY lock and wakes every listener of the database).
--- Everything else is 0012's: the checks and their order, the answers, the other outcomes, and the strand
--- continuation through a fired join or a successor that existed already (a replayed commit), which still
--- leases by update (`for update skip locked`, ready and visible).

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
  -- [durable timers] When this advance's successors are due: now, after delayMs, or at dueAt.
  v_timer_at bigint;
  v_join_id text;
  v_join_input jsonb;
  v_why text;
  v_error jsonb;
  v_queue text;
  x jsonb;
  -- [strand on insert] Whether this commit leases its first successor as it inserts it, and that item.
  v_lease_first boolean;
  v_next "{{schema}}".work_items%rowtype;
  v_started boolean := false;
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
  if v_why is null then v_why := "{{schema}}".join_arrivals_corruption(v_run_id, o->'joins'); end if;
  if v_why is not null then
    -- Nothing of the step is applied: the run fails, and the item waits (parked) for a retryFailed.
    v_error := "{{schema}}".fail_corrupt_run(v_run_id, v_why, v_item_id, v_node, v_attempt);
    update "{{schema}}".work_items set queue_state = 'parked', status = 'pending', lease_token = null, worker_id = null
    where run_id = v_run_id and item_id = v_item_id and queue_state <> 'done';
    return jsonb_build_object('status', 'corrupt', 'error', v_error);
  end if;
  -- Successors of a paused run wait outside the claim index until it is resumed.
  v_queue := case when v_run.status = 'paused' then 'parked' else 'ready' end;
  v_timer_at := case when v_kind <> 'advance' then v_now
    when o ? 'dueAt' then greatest(v_now, (o->>'dueAt')::bigint)
    else v_now + greatest(coalesce((o->>'delayMs')::bigint, 0), 0) end;
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
    -- coalesce: a commit without a strand (p->'strand' absent) makes the test null, and a null here would
    -- keep the first successor out of the insert below.
    v_lease_first := coalesce(not (o ? 'output') and jsonb_typeof(p->'strand') = 'object'
      and v_run.status = 'running' and coalesce(v_run.deadline_at > v_now, true) and v_timer_at <= v_now
      and jsonb_typeof(o->'successors'->0) = 'object', false);
    if v_lease_first then
      -- [strand on insert] The first successor leased to the committing worker as it is inserted; its
      -- step.started event joins the step.committed one below. An item that existed already (a replay)
      -- inserts nothing here: the continuation at the end then tries it the old way.
      x := o->'successors'->0;
      insert into "{{schema}}".work_items (run_id, item_id, attempt, node, item, status, queue_state, visible_at,
        lease_token, worker_id, attempts)
      values (x->>'runId', x->>'itemId', (x->>'attempt')::integer, x->>'node', x, 'running', 'leased',
        v_now + (p->'strand'->>'leaseMs')::bigint, gen_random_uuid()::text, p->'strand'->>'workerId',
        greatest((x->>'attempt')::integer, 0))
      on conflict (run_id, item_id) do nothing
      returning * into v_next;
      v_started := found;
    end if;
    if v_started then
      insert into "{{schema}}".events (run_id, seq, at, type, item_id, node, attempt)
      values (v_run_id, v_seq, v_at, 'step.committed', v_item_id, v_node, v_attempt),
        (v_run_id, v_seq + 1, v_now, 'step.started', v_next.item_id, v_next.node, v_next.attempt);
      v_seq := v_seq + 1;
    else
      insert into "{{schema}}".events (run_id, seq, at, type, item_id, node, attempt)
      values (v_run_id, v_seq, v_at, 'step.committed', v_item_id, v_node, v_attempt);
    end if;
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
      select t.e->>'runId', t.e->>'itemId', (t.e->>'attempt')::integer, t.e->>'node', t.e, 'pending', v_queue, v_timer_at
      from jsonb_array_elements(coalesce(o->'successors', '[]'::jsonb)) with ordinality as t(e, i)
      where not (v_lease_first and t.i = 1)
      on conflict (run_id, item_id) do nothing;
      get diagnostics v_n = row_count;
      v_added := v_added + v_n;
      for x in select value from jsonb_array_elements(coalesce(o->'joins', '[]'::jsonb)) loop
        v_join_id := x->'joinItem'->>'itemId';
        v_join_input := "{{schema}}".record_join_arrival(v_run_id, x);
        if v_join_input is not null then
          insert into "{{schema}}".work_items (run_id, item_id, attempt, node, item, status, queue_state, visible_at)
          values (v_run_id, v_join_id, (x->'joinItem'->>'attempt')::integer, x->'joinItem'->>'node',
            (x->'joinItem') || jsonb_build_object('input', v_join_input), 'pending', v_queue, v_timer_at)
          on conflict (run_id, item_id) do nothing;
          get diagnostics v_n = row_count;
          v_added := v_added + v_n;
        end if;
      end loop;
    end if;
    if v_added > 0 then v_wake := v_timer_at; end if;
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
    total_items = total_items + v_added + (case when v_started then 1 else 0 end), completed = v_run.completed,
    failed = v_run.failed, retries = v_run.retries, event_seq = v_seq,
    waiting_until = case when v_timer_at > v_now and v_added > 0 then v_timer_at end
  where run_id = v_run_id;
  -- NOTIFY serialises committing transactions (a database-wide lock held through the WAL flush), so it is
  -- sent only while a lease call may be waiting; the shared lock pairs with register_waiter's exclusive one.
  if v_wake is not null and v_run.status = 'running' then
    perform pg_advisory_xact_lock_shared(hashtext('floxide_waiters:{{schema}}'), 1);
    if exists (select 1 from "{{schema}}".waiters where idle_until >= v_now) then
      perform pg_notify('floxide_{{schema}}', v_wake::text);
    end if;
  end if;
  if v_started then
    return jsonb_build_object('status', 'committed', 'runStatus', v_run.status, 'next',
      jsonb_build_object('item', v_next.item, 'token', v_next.lease_token, 'expiresAt', v_next.visible_at));
  end if;
  if v_kind = 'advance' and jsonb_typeof(p->'strand') = 'object' and v_run.status = 'running'
      and coalesce(v_run.deadline_at > v_now, true) then
    declare
      v_cand text;
    begin
      foreach v_cand in array array_remove(array[o->'successors'->0->>'itemId'] || array(
          select t.e->'joinItem'->>'itemId' from jsonb_array_elements(coalesce(o->'joins', '[]'::jsonb)) as t(e)), null)
      loop
        perform 1 from "{{schema}}".work_items where run_id = v_run_id and item_id = v_cand
          and queue_state = 'ready' and visible_at <= v_now for update skip locked;
        if found then
          update "{{schema}}".work_items set queue_state = 'leased', status = 'running',
            lease_token = gen_random_uuid()::text, worker_id = p->'strand'->>'workerId',
            visible_at = v_now + (p->'strand'->>'leaseMs')::bigint, attempts = greatest(attempts, attempt)
          where run_id = v_run_id and item_id = v_cand
          returning * into v_next;
          v_seq := v_seq + 1;
          insert into "{{schema}}".events (run_id, seq, at, type, item_id, node, attempt)
          values (v_run_id, v_seq, v_now, 'step.started', v_cand, v_next.node, v_next.attempt);
          update "{{schema}}".runs set event_seq = v_seq where run_id = v_run_id;
          return jsonb_build_object('status', 'committed', 'runStatus', v_run.status, 'next',
            jsonb_build_object('item', v_next.item, 'token', v_next.lease_token, 'expiresAt', v_next.visible_at));
        end if;
      end loop;
    end;
  end if;
  return jsonb_build_object('status', 'committed', 'runStatus', v_run.status);
end $$;

