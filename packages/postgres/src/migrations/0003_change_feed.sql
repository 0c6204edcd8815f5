--- Migration 0003_change_feed.
--- The change feed: a global event position and a NOTIFY per committed event.
---
--- `{{schema}}` stands for the schema name (see migration-provider.ts).
--- Defines: notify_feed.
---
--- The change feed (migration `0002_change_feed`): every row of `events` records the transaction that
--- wrote it, the feed reads rows in `(tx, run_id, seq)` order, and each inserting statement notifies the
--- schema's feed channel.
---
--- @remarks
--- A sequence number taken at insert would not do: transactions commit in another order than they take
--- numbers, so a reader following it could pass a row that commits later. `tx` is the writing
--- transaction's id; every row with `tx` below the oldest running transaction (`pg_snapshot_xmin`) is
--- final, so a reader that reads only below that horizon, in key order, never misses a row and never sees
--- one twice. Within a transaction, `run_id, seq` keeps each run's events in their recorded order. The
--- trigger is statement-level: one notification per writing statement, delivered by PostgreSQL when the
--- transaction commits (identical ones collapsed).

alter table "{{schema}}".events add column tx xid8 not null default pg_current_xact_id();
create index events_feed_idx on "{{schema}}".events (tx, run_id, seq);

create or replace function "{{schema}}".notify_feed() returns trigger language plpgsql as $$
begin
  perform pg_notify('floxide_{{schema}}_feed', '');
  return null;
end $$;

create trigger events_notify_feed after insert on "{{schema}}".events
  for each statement execute function "{{schema}}".notify_feed();
