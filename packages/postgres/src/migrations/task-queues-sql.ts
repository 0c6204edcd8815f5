import { claimItemsV2Sql } from './queue-functions-v2-sql.js';
import { replaceSqlBlock } from './replace-sql-block.js';

/** 0002's pick: the oldest visible items of the claim index, whatever their workflow. */
function unfilteredPick(s: string): string {
  return `    select w.run_id, w.item_id from ${s}.work_items w
    where w.queue_state in ('ready', 'leased') and w.visible_at <= v_now
    order by w.visible_at
    limit p_max
    for update skip locked) x;`;
}

/** 0011's `claim_items(p_worker, p_lease_ms, p_max, p_lanes)` (schema `s` quoted), for later migrations. */
export function claimItemsV3Sql(s: string): string {
  const claim = replaceSqlBlock(
    claimItemsV2Sql(s),
    `create or replace function ${s}.claim_items(p_worker text, p_lease_ms bigint, p_max integer)`,
    `create or replace function ${s}.claim_items(p_worker text, p_lease_ms bigint, p_max integer, p_lanes text[])`,
    'claim_items 0002: the signature',
  );
  return replaceSqlBlock(
    claim,
    unfilteredPick(s),
    `    select c.run_id, c.item_id from ${s}.claim_pick(p_lanes, p_max, v_now) c) x;`,
    'claim_items 0002: the pick',
  );
}

/** 0011's `claim_pick(p_lanes, p_max, p_now)` (schema `s` quoted), for later migrations. */
export function claimPickSql(s: string): string {
  return `create or replace function ${s}.claim_pick(p_lanes text[], p_max integer, p_now bigint)
returns table (run_id text, item_id text) language plpgsql
set enable_bitmapscan = off set enable_seqscan = off as $$
begin
  if p_lanes is null then
    return query select w.run_id, w.item_id from ${s}.work_items w
      where w.queue_state in ('ready', 'leased') and w.visible_at <= p_now
      order by w.visible_at limit p_max for update skip locked;
  else
    -- One index range per lane, each locked as it is read; the lanes merge by visibility time.
    return query select p.run_id, p.item_id from unnest(p_lanes || array['']::text[]) as l(lane)
      cross join lateral (
        select w.run_id, w.item_id, w.priority, w.visible_at from ${s}.work_items w
        where w.lane = l.lane and w.queue_state in ('ready', 'leased') and w.visible_at <= p_now
        order by w.priority desc, w.visible_at limit p_max for update skip locked) p
      order by p.priority desc, p.visible_at limit p_max;
  end if;
end $$;
`;
}

/**
 * SQL of migration `0011_task_queues`: claims filtered by workflow version (a worker leases only items of
 * the workflows it registered, in the task queues it serves).
 *
 * @remarks
 * - `work_items.lane` is a stored generated column, `<version>@<workflow>` read from the item (empty when
 *   the item does not name them: a corrupt item, which every claim still picks up and fails), and
 *   `work_items.priority` the item's run priority (0 when absent), indexed `(lane, priority desc,
 *   visible_at)` over the claim states, so a filtered claim walks only its own workflows' items, highest
 *   priority first (leased and delayed items of a higher priority are walked over, not claimed).
 * - `claim_pick(p_lanes, p_max, p_now)` picks and locks (`FOR UPDATE SKIP LOCKED`) the items a claim takes:
 *   the first visible ones of each requested lane (plus the empty lane) by priority then visibility time,
 *   merged in that order; with `p_lanes` null, the oldest of every lane as before (no priority order).
 * - `claim_items(p_worker, p_lease_ms, p_max, p_lanes)` is 0002's `claim_items` with its pick replaced by
 *   `claim_pick`; the three-argument version is dropped (callers pass null for no filter).
 * - `next_wake(p_lanes)`: 0002's `next_wake` over the requested lanes only (all with null; the
 *   zero-argument version is dropped), so an item nobody running can take never wakes an idle worker.
 */
export function taskQueuesSql(schema: string): string {
  const s = `"${schema}"`;
  const claim = claimItemsV3Sql(s);
  return `
alter table ${s}.work_items
  add column lane text collate "C" not null generated always as (
    case when jsonb_typeof(item->'workflow') = 'string' and jsonb_typeof(item->'version') = 'number'
      then (item->>'version') || '@' || (item->>'workflow') else '' end) stored,
  add column priority integer not null generated always as (
    case when jsonb_typeof(item->'priority') = 'number'
      then least(greatest(round((item->>'priority')::numeric), -1000), 1000)::integer else 0 end) stored;
create index work_items_lane_ready_idx on ${s}.work_items (lane, priority desc, visible_at)
  where queue_state in ('ready', 'leased');

${claimPickSql(s)}
drop function if exists ${s}.claim_items(text, bigint, integer);
${claim}
create or replace function ${s}.next_wake(p_lanes text[]) returns table (item_in bigint, deadline_in bigint)
language sql stable as $$
  select (case when p_lanes is null then (select w.visible_at from ${s}.work_items w
      where w.queue_state in ('ready', 'leased') order by w.visible_at limit 1)
    else (select min(n.visible_at) from unnest(p_lanes || array['']::text[]) as l(lane)
      cross join lateral (select w.visible_at from ${s}.work_items w
        where w.lane = l.lane and w.queue_state in ('ready', 'leased')
        order by w.visible_at limit 1) n) end) - ${s}.now_ms(),
    (select r.deadline_at from ${s}.runs r where r.deadline_at is not null
      and r.status in ('queued', 'running', 'paused') order by r.deadline_at limit 1) - ${s}.now_ms()
$$;
drop function if exists ${s}.next_wake();
`;
}
