-- Bench-only stamps of P12 in its scratch database (`{{schema}}` stands for the Floxide schema), the
-- Postgres counterparts of the Redis feed entry's id, which is the server's clock when the commit script ran.
--
-- 1. The end of each run's final commit (the primary measuring point): the commit message runs, right after
--    its COMMIT has returned (WAL flushed, rows visible), the send of its feed notices (`feed_notify`, see
--    `packages/postgres/src/notices-after-commit.ts`). That function is wrapped here: the wrapper writes the
--    server's clock at that moment into `finishedAt` of every finished-run record it is about to send, then
--    calls the original unchanged. A waiter resolved from that notice returns the stamped record; one that
--    read the run instead gets the stored `finishedAt`, earlier than the commit, so its figure errs high.
-- 2. The start of each run's final COMMIT (the earlier measuring point, kept as a second figure): a deferred
--    constraint trigger, which the COMMIT runs after every statement of the transaction, just before the
--    commit record, so that figure includes the commit's own WAL flush.

alter function "{{schema}}".feed_notify(jsonb) rename to bench_product_feed_notify;

create function "{{schema}}".feed_notify(p_notices jsonb) returns void language plpgsql as $$
declare
  v_at numeric := floor(extract(epoch from clock_timestamp()) * 1000);
begin
  perform "{{schema}}".bench_product_feed_notify(coalesce((
    select jsonb_agg(case when n like '{"run"%'
                          then jsonb_set(n::jsonb, '{run,finishedAt}', to_jsonb(v_at))::text
                          else n end order by i)
      from jsonb_array_elements_text(p_notices) with ordinality as t(n, i)), '[]'::jsonb));
end $$;

create table "{{schema}}".bench_commit_starts (run_id text primary key, at double precision not null);

create function "{{schema}}".bench_stamp_commit_start() returns trigger language plpgsql as $$
begin
  insert into "{{schema}}".bench_commit_starts values (new.run_id, extract(epoch from clock_timestamp()) * 1000)
    on conflict do nothing;
  return null;
end $$;

create constraint trigger bench_stamp_commit_start after update of status on "{{schema}}".runs
  deferrable initially deferred for each row
  when (new.status in ('completed', 'failed', 'cancelled'))
  execute function "{{schema}}".bench_stamp_commit_start();
