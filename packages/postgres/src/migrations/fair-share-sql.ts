import { claimPickLimitedSql, laneLockKey } from './concurrency-limits-sql.js';
import { replaceSqlBlock } from './replace-sql-block.js';
import { claimPickSql } from './task-queues-sql.js';

/** A lane's pick of 0011/0016 (`cap`: its row cap), in visibility order. */
function visiblePick(s: string, cap: string): string {
  return `      cross join lateral (
        select w.run_id, w.item_id, w.priority, w.visible_at from ${s}.work_items w
        where w.lane = l.lane and w.queue_state in ('ready', 'leased') and w.visible_at <= p_now
        order by w.priority desc, w.visible_at limit ${cap} for update skip locked) p
      order by p.priority desc, p.visible_at limit p_max;`;
}

/**
 * The same pick in fair order: items without a fair tag (delayed, released, from before 0019) first by
 * visibility time, then tagged items by tag — each through its own index range, so neither walks over
 * the other's items.
 */
function fairPick(s: string, cap: string): string {
  return `      cross join lateral (
        select * from (select w.run_id, w.item_id, w.priority, w.fair_tag, w.visible_at from ${s}.work_items w
          where w.lane = l.lane and w.queue_state in ('ready', 'leased') and w.fair_tag is null
            and w.visible_at <= p_now
          order by w.priority desc, w.visible_at limit ${cap} for update skip locked) u
        union all
        select * from (select w.run_id, w.item_id, w.priority, w.fair_tag, w.visible_at from ${s}.work_items w
          where w.lane = l.lane and w.queue_state in ('ready', 'leased') and w.fair_tag is not null
            and w.visible_at <= p_now
          order by w.priority desc, w.fair_tag, w.visible_at limit ${cap} for update skip locked) t) p
      order by p.priority desc, p.fair_tag nulls first, p.visible_at limit p_max;`;
}

/**
 * SQL of migration `0019_fair_share`: runs of equal priority share a lane's workers (start-time fair
 * queuing), so a run started behind another run's large backlog waits for about one item per run with
 * a backlog, not for the backlog.
 *
 * @remarks
 * - `work_items.fair_tag`: set by the `before insert` trigger `work_items_fair_tag` on every item inserted
 *   ready and visible (by start_run, commit_step, enqueue_items: no function changes). An item's tag is
 *   `V + 1` where `V` is the smallest tag queued (ready or leased) in its lane and priority, read through
 *   `work_items_fair_idx`; the next items the same transaction inserts for the same run take the next
 *   tags (a transaction-local setting carries the run's last tag), so a fan-out of 50,000 holds tags
 *   `V + 1 .. V + 50,000` while a run that enqueues later gets `V' + 1`. Items inserted delayed (durable
 *   timers) get none: they become visible later, when a tag taken now would be stale.
 * - `claim_pick` and `claim_pick_limited` (0011's and 0016's with their per-lane pick replaced) take, per
 *   lane, the visible items without a tag (by visibility time, through `work_items_untagged_idx`) ahead of
 *   the tagged ones (by tag, through `work_items_fair_idx`), each range locked as it is read. Neither range
 *   holds delayed items of the other kind, so a lane with many sleeping timers is not walked per claim.
 * - Claims without a workflow filter (`p_lanes` null) keep the visibility order.
 */
export function fairShareSql(schema: string): string {
  const s = `"${schema}"`;
  const pick = replaceSqlBlock(
    claimPickSql(s),
    visiblePick(s, 'p_max'),
    fairPick(s, 'p_max'),
    'claim_pick 0011: the lane pick',
  );
  const limited = replaceSqlBlock(
    claimPickLimitedSql(s, laneLockKey(schema)),
    visiblePick(s, 'l.cap')
      .replace('      cross join lateral', '    cross join lateral')
      .replaceAll('\n      ', '\n    '),
    fairPick(s, 'l.cap')
      .replace('      cross join lateral', '    cross join lateral')
      .replaceAll('\n      ', '\n    '),
    'claim_pick_limited 0016: the lane pick',
  );
  return `
alter table ${s}.work_items add column fair_tag bigint;
create index work_items_fair_idx on ${s}.work_items (lane, priority desc, fair_tag, visible_at)
  where queue_state in ('ready', 'leased') and fair_tag is not null;
create index work_items_untagged_idx on ${s}.work_items (lane, priority desc, visible_at)
  where queue_state in ('ready', 'leased') and fair_tag is null;

create or replace function ${s}.fair_tag_item() returns trigger language plpgsql as $$
declare
  v_last text;
  v_sep integer;
  v_tag bigint;
  v_lane text;
  v_priority integer;
begin
  if new.queue_state <> 'ready' or new.visible_at > ${s}.now_ms() then
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
    v_tag := coalesce((select w.fair_tag from ${s}.work_items w
      where w.lane = v_lane and w.priority = v_priority and w.queue_state in ('ready', 'leased')
        and w.fair_tag is not null
      order by w.priority desc, w.fair_tag limit 1), 0) + 1;
  end if;
  perform set_config('floxide.fair_last', v_tag || ' ' || new.run_id, true);
  new.fair_tag := v_tag;
  return new;
end $$;

create trigger work_items_fair_tag before insert on ${s}.work_items
  for each row execute function ${s}.fair_tag_item();

${pick}
${limited}
`;
}
