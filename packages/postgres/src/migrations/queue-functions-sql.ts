import { notifyChannel } from '../notify-channel.js';

/**
 * SQL functions of migration `0001_initial` behind the work queue: claim, extend, release, enqueue, purge.
 *
 * @remarks
 * `claim_items` locks the chosen items with `FOR UPDATE SKIP LOCKED` (concurrent claims never wait on each
 * other and never get the same item), then locks their runs in run-id order, re-reads their status and only
 * then leases: a run cancelled or paused while the items were being picked is respected. Items first, run
 * second is the order commits use too, so claims and commits cannot deadlock.
 */
export function queueFunctionsSql(schema: string): string {
  const s = `"${schema}"`;
  const channel = notifyChannel(schema);
  return `
create or replace function ${s}.claim_items(p_worker text, p_lease_ms bigint, p_max integer)
returns table (item jsonb, token text, expires_at bigint) language plpgsql as $$
declare
  v_now bigint := ${s}.now_ms();
  v_runs text[];
  v_items text[];
  r record;
begin
  select array_agg(x.run_id), array_agg(x.item_id) into v_runs, v_items from (
    select w.run_id, w.item_id from ${s}.work_items w
    join ${s}.runs ru on ru.run_id = w.run_id and ru.status in ('queued', 'running')
    where w.queue_state <> 'done' and w.visible_at <= v_now
    order by w.visible_at
    limit p_max
    for update of w skip locked) x;
  if v_runs is null then return; end if;
  perform 1 from ${s}.runs where run_id = any(v_runs) order by run_id for update;
  -- A run finished while its items were picked: they leave the queue instead of being leased.
  update ${s}.work_items w set queue_state = 'done', lease_token = null, worker_id = null
  from ${s}.runs ru, unnest(v_runs, v_items) as k(run_id, item_id)
  where w.run_id = k.run_id and w.item_id = k.item_id and ru.run_id = w.run_id
    and ru.status in ('completed', 'cancelled');
  for r in
    update ${s}.work_items w set queue_state = 'leased', status = 'running',
      lease_token = gen_random_uuid()::text, worker_id = p_worker, visible_at = v_now + p_lease_ms,
      attempts = greatest(w.attempts, w.attempt)
    from ${s}.runs ru, unnest(v_runs, v_items) as k(run_id, item_id)
    where w.run_id = k.run_id and w.item_id = k.item_id and ru.run_id = w.run_id
      and ru.status in ('queued', 'running')
    returning w.run_id, w.item_id, w.attempt, w.node, w.item, w.lease_token, w.visible_at
  loop
    update ${s}.runs set status = 'running', started_at = v_now where run_id = r.run_id and status = 'queued';
    if found then
      perform ${s}.add_event(r.run_id, v_now, 'run.status', 'running', null, null, null, null);
    end if;
    perform ${s}.add_event(r.run_id, v_now, 'step.started', null, r.item_id, r.node, r.attempt, null);
    item := r.item;
    token := r.lease_token;
    expires_at := r.visible_at;
    return next;
  end loop;
end $$;

create or replace function ${s}.extend_lease(p_run text, p_item text, p_token text, p_lease_ms bigint)
returns text language plpgsql as $$
declare v_status text;
begin
  select status into v_status from ${s}.runs where run_id = p_run;
  if v_status is null or v_status in ('completed', 'failed', 'cancelled') then
    -- The step is abandoned: a completed or cancelled run's item leaves the queue now rather than at expiry
    -- (cancel skips rows locked at that instant, e.g. by this very heartbeat).
    if v_status in ('completed', 'cancelled') then
      update ${s}.work_items set queue_state = 'done', lease_token = null, worker_id = null
      where run_id = p_run and item_id = p_item and lease_token = p_token and queue_state = 'leased';
    end if;
    return 'cancelled';
  end if;
  update ${s}.work_items set visible_at = ${s}.now_ms() + p_lease_ms
  where run_id = p_run and item_id = p_item and lease_token = p_token and queue_state = 'leased';
  if found then return 'active'; end if;
  return 'lost';
end $$;

create or replace function ${s}.release_lease(p_run text, p_item text, p_token text, p_delay_ms bigint)
returns void language plpgsql as $$
declare
  v_visible bigint := ${s}.now_ms() + greatest(p_delay_ms, 0);
  v_status text;
begin
  select status into v_status from ${s}.runs where run_id = p_run;
  if v_status in ('completed', 'cancelled') then
    -- Nobody will ever claim it again: drop it instead of queueing it.
    update ${s}.work_items set queue_state = 'done', lease_token = null, worker_id = null,
      status = case when status = 'running' then 'pending' else status end
    where run_id = p_run and item_id = p_item and lease_token = p_token and queue_state = 'leased';
    return;
  end if;
  update ${s}.work_items set queue_state = 'ready', visible_at = v_visible, lease_token = null, worker_id = null,
    status = case when status = 'running' then 'pending' else status end
  where run_id = p_run and item_id = p_item and lease_token = p_token and queue_state = 'leased';
  if found then perform pg_notify('${channel}', v_visible::text); end if;
end $$;

-- Enqueues items of existing, unfinished runs; an item already present with the same or a later attempt
-- (queued, leased or committed) is left alone. Returns how many were added.
create or replace function ${s}.enqueue_items(p_items jsonb, p_delay_ms bigint) returns integer
language plpgsql as $$
declare
  x jsonb;
  v_status text;
  v_inserted boolean;
  v_count integer := 0;
  v_visible bigint := ${s}.now_ms() + greatest(p_delay_ms, 0);
  v_item_status text := case when p_delay_ms > 0 then 'waiting-retry' else 'pending' end;
begin
  for x in select value from jsonb_array_elements(p_items) loop
    select status into v_status from ${s}.runs where run_id = x->>'runId';
    continue when v_status is null or v_status in ('completed', 'cancelled');
    insert into ${s}.work_items (run_id, item_id, attempt, node, item, status, queue_state, visible_at)
    values (x->>'runId', x->>'itemId', (x->>'attempt')::integer, x->>'node', x, v_item_status, 'ready', v_visible)
    on conflict (run_id, item_id) do update set attempt = excluded.attempt, item = excluded.item,
      status = excluded.status, queue_state = 'ready', visible_at = excluded.visible_at, lease_token = null,
      worker_id = null
    where ${s}.work_items.attempt < excluded.attempt
    returning (xmax = 0) into v_inserted;
    if not found then continue; end if;
    v_count := v_count + 1;
    if v_inserted then
      update ${s}.runs set total_items = total_items + 1 where run_id = x->>'runId';
    end if;
  end loop;
  if v_count > 0 then perform pg_notify('${channel}', v_visible::text); end if;
  return v_count;
end $$;

create or replace function ${s}.purge_run(p_run text) returns integer language plpgsql as $$
declare v_count integer;
begin
  update ${s}.work_items set queue_state = 'done' where run_id = p_run and queue_state = 'ready';
  get diagnostics v_count = row_count;
  return v_count;
end $$;
`;
}
