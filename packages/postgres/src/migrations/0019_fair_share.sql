--- Migration 0019_fair_share.
--- Runs of equal priority share a lane's workers (start-time fair queuing), so a run started behind another
--- run's large backlog waits for about one item per run with a backlog, not for the backlog.
---
--- `{{schema}}` stands for the schema name (see migration-provider.ts).
--- Defines: fair_tag_item (trigger work_items_fair_tag), claim_pick, claim_pick_limited.
---
--- @remarks
--- - `work_items.fair_tag`: set by the `before insert` trigger `work_items_fair_tag` on every item inserted
---   ready and visible (by start_run, commit_step, enqueue_items: no function changes). An item's tag is
---   `V + 1` where `V` is the smallest tag queued (ready or leased) in its lane and priority, read through
---   `work_items_fair_idx`; the next items the same transaction inserts for the same run take the next
---   tags (a transaction-local setting carries the run's last tag), so a fan-out of 50,000 holds tags
---   `V + 1 .. V + 50,000` while a run that enqueues later gets `V' + 1`. Items inserted delayed (durable
---   timers) get none: they become visible later, when a tag taken now would be stale.
--- - `claim_pick` and `claim_pick_limited` (0011's and 0016's with their per-lane pick replaced) take, per
---   lane, the visible items without a tag (by visibility time, through `work_items_untagged_idx`) ahead of
---   the tagged ones (by tag, through `work_items_fair_idx`), each range locked as it is read. Neither range
---   holds delayed items of the other kind, so a lane with many sleeping timers is not walked per claim.
--- - Claims without a workflow filter (`p_lanes` null) keep the visibility order.

alter table "{{schema}}".work_items add column fair_tag bigint;
create index work_items_fair_idx on "{{schema}}".work_items (lane, priority desc, fair_tag, visible_at)
  where queue_state in ('ready', 'leased') and fair_tag is not null;
create index work_items_untagged_idx on "{{schema}}".work_items (lane, priority desc, visible_at)
  where queue_state in ('ready', 'leased') and fair_tag is null;

create or replace function "{{schema}}".fair_tag_item() returns trigger language plpgsql as $$
declare
  v_last text;
  v_sep integer;
  v_tag bigint;
  v_lane text;
  v_priority integer;
begin
  if new.queue_state <> 'ready' or new.visible_at > "{{schema}}".now_ms() then
    new.fair_tag := null;
    return new;
  end if;
  -- '<tag> <run id>': the last tag this transaction gave an item of that run.
  v_last := current_setting('floxide.fair_last', true);
  v_sep := position(' ' in coalesce(v_last, ''));
  if v_sep > 0 and substr(v_last, v_sep + 1) = new.run_id then
    v_tag := left(v_last, v_sep - 1)::bigint + 1;
  else
    -- The generated lane and priority columns are computed after this trigger: the same expressions.
    v_lane := case when jsonb_typeof(new.item->'workflow') = 'string' and jsonb_typeof(new.item->'version') = 'number'
      then (new.item->>'version') || '@' || (new.item->>'workflow') else '' end;
    v_priority := case when jsonb_typeof(new.item->'priority') = 'number'
      then least(greatest(round((new.item->>'priority')::numeric), -1000), 1000)::integer else 0 end;
    v_tag := coalesce((select w.fair_tag from "{{schema}}".work_items w
      where w.lane = v_lane and w.priority = v_priority and w.queue_state in ('ready', 'leased')
        and w.fair_tag is not null
      order by w.priority desc, w.fair_tag limit 1), 0) + 1;
  end if;
  perform set_config('floxide.fair_last', v_tag || ' ' || new.run_id, true);
  new.fair_tag := v_tag;
  return new;
end $$;

create trigger work_items_fair_tag before insert on "{{schema}}".work_items
  for each row execute function "{{schema}}".fair_tag_item();

create or replace function "{{schema}}".claim_pick(p_lanes text[], p_max integer, p_now bigint)
returns table (run_id text, item_id text) language plpgsql
set enable_bitmapscan = off set enable_seqscan = off as $$
begin
  if p_lanes is null then
    return query select w.run_id, w.item_id from "{{schema}}".work_items w
      where w.queue_state in ('ready', 'leased') and w.visible_at <= p_now
      order by w.visible_at limit p_max for update skip locked;
  else
    -- One index range per lane, each locked as it is read; the lanes merge by visibility time.
    return query select p.run_id, p.item_id from unnest(p_lanes || array['']::text[]) as l(lane)
      cross join lateral (
        select * from (select w.run_id, w.item_id, w.priority, w.fair_tag, w.visible_at from "{{schema}}".work_items w
          where w.lane = l.lane and w.queue_state in ('ready', 'leased') and w.fair_tag is null
            and w.visible_at <= p_now
          order by w.priority desc, w.visible_at limit p_max for update skip locked) u
        union all
        select * from (select w.run_id, w.item_id, w.priority, w.fair_tag, w.visible_at from "{{schema}}".work_items w
          where w.lane = l.lane and w.queue_state in ('ready', 'leased') and w.fair_tag is not null
            and w.visible_at <= p_now
          order by w.priority desc, w.fair_tag, w.visible_at limit p_max for update skip locked) t) p
      order by p.priority desc, p.fair_tag nulls first, p.visible_at limit p_max;
  end if;
end $$;

create or replace function "{{schema}}".claim_pick_limited(p_lanes text[], p_max integer, p_now bigint, p_limits integer[])
returns table (run_id text, item_id text) language plpgsql
set enable_bitmapscan = off set enable_seqscan = off as $$
declare
  v_caps integer[];
  v_lane text;
  v_limit integer;
  v_live integer;
  i integer;
begin
  if p_lanes is null or p_limits is null
    or not exists (select 1 from unnest(p_limits) as m(lim) where m.lim is not null) then
    return query select c.run_id, c.item_id from "{{schema}}".claim_pick(p_lanes, p_max, p_now) c;
    return;
  end if;
  for v_lane in select distinct l.lane from unnest(p_lanes, p_limits) as l(lane, lim)
      where l.lim is not null order by 1 loop
    perform pg_advisory_xact_lock(hashtextextended('floxide lane limit {{schema}} ' || v_lane, 0));
  end loop;
  v_caps := array[]::integer[];
  for i in 1 .. coalesce(array_length(p_lanes, 1), 0) loop
    v_limit := p_limits[i];
    if v_limit is null then
      v_caps := v_caps || p_max;
    else
      select count(*)::integer into v_live from (select 1 from "{{schema}}".work_items w
        where w.lane = p_lanes[i] and w.queue_state = 'leased' and w.visible_at > p_now limit v_limit) c;
      v_caps := v_caps || greatest(0, least(p_max, v_limit - v_live));
    end if;
  end loop;
  return query select p.run_id, p.item_id from unnest(p_lanes || array['']::text[], v_caps || p_max) as l(lane, cap)
    cross join lateral (
      select * from (select w.run_id, w.item_id, w.priority, w.fair_tag, w.visible_at from "{{schema}}".work_items w
        where w.lane = l.lane and w.queue_state in ('ready', 'leased') and w.fair_tag is null
          and w.visible_at <= p_now
        order by w.priority desc, w.visible_at limit l.cap for update skip locked) u
      union all
      select * from (select w.run_id, w.item_id, w.priority, w.fair_tag, w.visible_at from "{{schema}}".work_items w
        where w.lane = l.lane and w.queue_state in ('ready', 'leased') and w.fair_tag is not null
          and w.visible_at <= p_now
        order by w.priority desc, w.fair_tag, w.visible_at limit l.cap for update skip locked) t) p
    order by p.priority desc, p.fair_tag nulls first, p.visible_at limit p_max;
end $$;
