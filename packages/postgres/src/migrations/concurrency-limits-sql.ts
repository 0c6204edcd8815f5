import { replaceSqlBlock } from './replace-sql-block.js';
import { claimItemsV3Sql } from './task-queues-sql.js';

/**
 * 0016's `claim_pick_limited(p_lanes, p_max, p_now, p_limits)` (schema `s` quoted, `lockKey` the SQL
 * literal prefixing its advisory lock keys), for later migrations.
 */
export function claimPickLimitedSql(s: string, lockKey: string): string {
  return `create or replace function ${s}.claim_pick_limited(p_lanes text[], p_max integer, p_now bigint, p_limits integer[])
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
    return query select c.run_id, c.item_id from ${s}.claim_pick(p_lanes, p_max, p_now) c;
    return;
  end if;
  for v_lane in select distinct l.lane from unnest(p_lanes, p_limits) as l(lane, lim)
      where l.lim is not null order by 1 loop
    perform pg_advisory_xact_lock(hashtextextended(${lockKey} || v_lane, 0));
  end loop;
  v_caps := array[]::integer[];
  for i in 1 .. coalesce(array_length(p_lanes, 1), 0) loop
    v_limit := p_limits[i];
    if v_limit is null then
      v_caps := v_caps || p_max;
    else
      select count(*)::integer into v_live from (select 1 from ${s}.work_items w
        where w.lane = p_lanes[i] and w.queue_state = 'leased' and w.visible_at > p_now limit v_limit) c;
      v_caps := v_caps || greatest(0, least(p_max, v_limit - v_live));
    end if;
  end loop;
  return query select p.run_id, p.item_id from unnest(p_lanes || array['']::text[], v_caps || p_max) as l(lane, cap)
    cross join lateral (
      select w.run_id, w.item_id, w.priority, w.visible_at from ${s}.work_items w
      where w.lane = l.lane and w.queue_state in ('ready', 'leased') and w.visible_at <= p_now
      order by w.priority desc, w.visible_at limit l.cap for update skip locked) p
    order by p.priority desc, p.visible_at limit p_max;
end $$;
`;
}

/** The SQL literal prefixing the advisory lock key of a limited lane in `schema`. */
export function laneLockKey(schema: string): string {
  return `'${`floxide lane limit ${schema} `.replaceAll("'", "''")}'`;
}

/**
 * SQL of migration `0016_concurrency_limits`: fleet-wide `maxConcurrency` per workflow version, enforced
 * by the claim.
 *
 * @remarks
 * - `work_items_lane_leased_idx (lane, visible_at) where queue_state = 'leased'`: the live leases of a lane
 *   (deadline still ahead) are counted through it, never through the lane's backlog.
 * - `claim_pick_limited(p_lanes, p_max, p_now, p_limits)`: `p_limits[i]` is the limit of `p_lanes[i]`
 *   (null: none). Each limited lane is locked for the claim's transaction (an advisory transaction lock
 *   per schema and lane, taken in lane order so claims never deadlock), its live leases are counted, and
 *   at most the remaining allowance of its items is picked; a claim that commits releases the lock after
 *   its leases are visible, so the next claim of the lane counts them. Lanes without a limit cost what
 *   0011's `claim_pick` costs (it is called as is when no lane has a limit).
 * - `claim_items(p_worker, p_lease_ms, p_max, p_lanes, p_limits)`: 0011's `claim_items` with its pick
 *   replaced by `claim_pick_limited`. The four-argument version stays for callers without limits.
 * A strand's commit that leases the run's next item (0010) finishes one lease as it takes the next, so it
 * never raises the count.
 */
export function concurrencyLimitsSql(schema: string): string {
  const s = `"${schema}"`;
  const lockKey = laneLockKey(schema);
  let claim = replaceSqlBlock(
    claimItemsV3Sql(s),
    `create or replace function ${s}.claim_items(p_worker text, p_lease_ms bigint, p_max integer, p_lanes text[])`,
    `create or replace function ${s}.claim_items(p_worker text, p_lease_ms bigint, p_max integer, p_lanes text[], p_limits integer[])`,
    'claim_items 0011: the signature',
  );
  claim = replaceSqlBlock(
    claim,
    `    select c.run_id, c.item_id from ${s}.claim_pick(p_lanes, p_max, v_now) c) x;`,
    `    select c.run_id, c.item_id from ${s}.claim_pick_limited(p_lanes, p_max, v_now, p_limits) c) x;`,
    'claim_items 0011: the pick',
  );
  return `
create index work_items_lane_leased_idx on ${s}.work_items (lane, visible_at) where queue_state = 'leased';

${claimPickLimitedSql(s, lockKey)}
${claim}
`;
}
