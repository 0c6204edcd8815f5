--- Migration 0017_signals.
--- Durable signal waits (see `SignalStore` in `@floxide/distributed`).
---
--- `{{schema}}` stands for the schema name (see migration-provider.ts).
--- Defines: run_waits, run_json, park_item, deliver_signal.
---
--- @remarks
--- - `signal_inbox`: signals sent before a step waited for them, consumed oldest first by name;
---   `signal_ids`: the signal ids a run received (exactly once by id). Both cascade with their run (retention).
--- - A parked item is its `work_items` row as the next attempt, its JSON carrying `parked` (`waitAttempts`
---   raised), not leased, visible at its timeout or the run deadline (`8.64e15`, never, without either).
--- - `run_waits(run)`: `{ waitingFor, waiting? }` of a run from its parked rows (`waiting` when no other item
---   is outstanding); `run_json` (0012's, derived) reports them.
--- - `park_item(p)` and `deliver_signal(p)`: one transaction each under the run row lock, the item row locked
---   after it (the order commits and claims lock in). A park is idempotent by `(itemId, attempt)` like a commit
---   (the row moved to the next attempt); a delivery takes the oldest parked row of that name that is not
---   leased (a lease there is its timeout firing), else stores the signal.

alter table "{{schema}}".runs add column if not exists signal_parks integer not null default 0;
create table if not exists "{{schema}}".signal_inbox (
  run_id text collate "C" not null references "{{schema}}".runs (run_id) on delete cascade,
  seq bigserial not null,
  name text collate "C" not null,
  payload jsonb not null,
  primary key (run_id, seq)
);
create table if not exists "{{schema}}".signal_ids (
  run_id text collate "C" not null references "{{schema}}".runs (run_id) on delete cascade,
  signal_id text collate "C" not null,
  primary key (run_id, signal_id)
);

create or replace function "{{schema}}".run_waits(p_run text) returns jsonb language sql stable as $$
  select case when w.names is null then '{}'::jsonb
    when exists (select 1 from "{{schema}}".work_items o where o.run_id = p_run and o.queue_state <> 'done'
        and (o.queue_state = 'leased' or not (o.item ? 'parked')))
      then jsonb_build_object('waitingFor', w.names)
    else jsonb_build_object('waitingFor', w.names, 'waiting', true) end
  from (select jsonb_agg(i.item->'parked'->>'name' order by i.seq) as names from "{{schema}}".work_items i
    where i.run_id = p_run and i.queue_state in ('ready', 'parked') and i.item ? 'parked') w
$$;

create or replace function "{{schema}}".run_json(r "{{schema}}".runs) returns jsonb language sql stable as $$
  select jsonb_build_object('runId', r.run_id, 'workflow', r.workflow, 'version', r.version, 'status', r.status,
      'createdAt', r.created_at)
    || case when r.input is null then '{}'::jsonb else jsonb_build_object('input', r.input) end
    || case when r.output is null then '{}'::jsonb else jsonb_build_object('output', r.output) end
    || case when r.error is null then '{}'::jsonb else jsonb_build_object('error', r.error) end
    || case when r.started_at is null then '{}'::jsonb else jsonb_build_object('startedAt', r.started_at) end
    || case when r.finished_at is null then '{}'::jsonb else jsonb_build_object('finishedAt', r.finished_at) end
    || case when r.deadline_at is null then '{}'::jsonb else jsonb_build_object('deadlineAt', r.deadline_at) end
    || case when r.waiting_until is null or r.status not in ('queued', 'running', 'paused') then '{}'::jsonb
      else jsonb_build_object('waitingUntil', r.waiting_until) end
    || case when r.signal_parks = 0 or r.status not in ('running', 'paused') then '{}'::jsonb
      else (select case when x ? 'waiting' and r.status = 'running'
          then (x - 'waiting') || jsonb_build_object('status', 'waiting') else x - 'waiting' end
        from "{{schema}}".run_waits(r.run_id) x) end
$$;

create or replace function "{{schema}}".park_item(p jsonb) returns jsonb language plpgsql as $$
declare
  v_run "{{schema}}".runs%rowtype;
  v_item "{{schema}}".work_items%rowtype;
  v_now bigint := "{{schema}}".now_ms();
  v_attempt integer := (p->>'attempt')::integer;
  v_name text := p->>'name';
  v_next jsonb;
  v_sig record;
  v_timeout bigint;
  v_visible bigint;
  v_status text;
begin
  select * into v_run from "{{schema}}".runs where run_id = p->>'runId' for update;
  if not found then return jsonb_build_object('status', 'rejected', 'runStatus', 'cancelled'); end if;
  select * into v_item from "{{schema}}".work_items where run_id = v_run.run_id and item_id = p->>'itemId' for update;
  if not found or v_item.attempt > v_attempt
      or (v_item.attempt = v_attempt and v_item.status in ('completed', 'failed', 'dead')) then
    return jsonb_build_object('status', 'duplicate');
  end if;
  if v_run.status in ('completed', 'failed', 'cancelled') then
    return jsonb_build_object('status', 'rejected', 'runStatus', v_run.status);
  end if;
  if p ? 'refused' then
    insert into "{{schema}}".errors (run_id, item_id, node, attempt, error, at)
    values (v_run.run_id, v_item.item_id, v_item.node, v_attempt, p->'refused', (p->>'at')::bigint);
  end if;
  v_next := (v_item.item - 'parked' - 'delivered') || jsonb_build_object('attempt', v_attempt + 1,
    'waitAttempts', coalesce((v_item.item->>'waitAttempts')::integer, 0) + 1);
  select i.seq, i.payload into v_sig from "{{schema}}".signal_inbox i
    where i.run_id = v_run.run_id and i.name = v_name order by i.seq limit 1 for update;
  if found then
    delete from "{{schema}}".signal_inbox where run_id = v_run.run_id and seq = v_sig.seq;
    v_next := v_next || jsonb_build_object('delivered', jsonb_build_object('name', v_name, 'payload', v_sig.payload));
    v_visible := v_now;
    v_status := 'delivered';
  else
    v_timeout := case when p ? 'timeoutMs' then v_now + (p->>'timeoutMs')::bigint end;
    v_next := v_next || jsonb_build_object('parked', jsonb_build_object('name', v_name)
      || case when v_timeout is null then '{}'::jsonb else jsonb_build_object('timeoutAt', v_timeout) end);
    v_visible := least(coalesce(v_timeout, 8640000000000000), coalesce(v_run.deadline_at, 8640000000000000));
    v_status := 'parked';
    update "{{schema}}".runs set signal_parks = signal_parks + 1 where run_id = v_run.run_id;
  end if;
  update "{{schema}}".work_items set attempt = v_attempt + 1, item = v_next, status = 'pending',
    queue_state = case when v_run.status in ('paused', 'failed') then 'parked' else 'ready' end,
    visible_at = v_visible, lease_token = null, worker_id = null
  where run_id = v_run.run_id and item_id = v_item.item_id;
  if v_status = 'delivered' then
    perform pg_notify('floxide_{{schema}}', v_now::text);
  elsif "{{schema}}".run_waits(v_run.run_id) ? 'waiting' and v_run.status = 'running' then
    perform "{{schema}}".add_event(v_run.run_id, v_now, 'run.status', 'waiting', null, null, null, null);
  end if;
  return jsonb_build_object('status', v_status, 'runStatus',
    case when v_status = 'parked' and v_run.status = 'running' and "{{schema}}".run_waits(v_run.run_id) ? 'waiting'
      then 'waiting' else v_run.status end);
end $$;

create or replace function "{{schema}}".deliver_signal(p jsonb) returns jsonb language plpgsql as $$
declare
  v_run "{{schema}}".runs%rowtype;
  v_item "{{schema}}".work_items%rowtype;
  v_now bigint := "{{schema}}".now_ms();
  v_name text := p->>'name';
  v_waiting boolean;
begin
  select * into v_run from "{{schema}}".runs where run_id = p->>'runId' for update;
  if not found then return jsonb_build_object('error', 'RUN_NOT_FOUND'); end if;
  -- A retried send of a signal already received is a duplicate even once the run has finished.
  if p ? 'signalId' and exists (select 1 from "{{schema}}".signal_ids
      where run_id = v_run.run_id and signal_id = p->>'signalId') then
    return jsonb_build_object('status', 'duplicate');
  end if;
  if v_run.status in ('completed', 'failed', 'cancelled') then
    return jsonb_build_object('error', 'RUN_STATE', 'status', v_run.status);
  end if;
  if p ? 'signalId' then
    insert into "{{schema}}".signal_ids (run_id, signal_id) values (v_run.run_id, p->>'signalId');
  end if;
  v_waiting := v_run.status = 'running' and v_run.signal_parks > 0 and "{{schema}}".run_waits(v_run.run_id) ? 'waiting';
  select * into v_item from "{{schema}}".work_items w
    where w.run_id = v_run.run_id and w.queue_state in ('ready', 'parked') and w.item->'parked'->>'name' = v_name
    order by w.seq limit 1 for update;
  if not found then
    insert into "{{schema}}".signal_inbox (run_id, name, payload) values (v_run.run_id, v_name, p->'payload');
    return jsonb_build_object('status', 'stored');
  end if;
  update "{{schema}}".work_items set attempt = v_item.attempt + 1, status = 'pending', visible_at = v_now,
    item = (v_item.item - 'parked') || jsonb_build_object('attempt', v_item.attempt + 1,
      'waitAttempts', coalesce((v_item.item->>'waitAttempts')::integer, 0) + 1,
      'delivered', jsonb_build_object('name', v_name, 'payload', p->'payload'))
  where run_id = v_run.run_id and item_id = v_item.item_id;
  if v_item.queue_state = 'ready' then perform pg_notify('floxide_{{schema}}', v_now::text); end if;
  if v_waiting then
    perform "{{schema}}".add_event(v_run.run_id, v_now, 'run.status', 'running', null, null, null, null);
  end if;
  return jsonb_build_object('status', 'delivered', 'itemId', v_item.item_id);
end $$;
