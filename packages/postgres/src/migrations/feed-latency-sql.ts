import { feedChannel } from '../notify-channel.js';

/**
 * Finished-run hints on the feed's notification (migration `0006_feed_latency`): the feed trigger now
 * names, as a JSON array payload, the runs whose final status (completed, failed, cancelled) the inserting
 * statement wrote.
 *
 * @remarks
 * The ordered feed reads only below the oldest running transaction (see `changeFeedSql`), so under load an
 * event waits there for as long as the slowest concurrent transaction runs. PostgreSQL delivers a
 * notification only after its transaction commits, so a named run is final by the time a listener hears
 * of it: `wait` reads the run record at once instead of waiting for the ordered feed. The table stays the
 * source of truth — a lost or oversized notification (over 7 900 bytes: sent empty) only loses the
 * shortcut. Statements that wrote no final status keep notifying with the empty payload, which PostgreSQL
 * collapses within a transaction as before.
 */
export function feedLatencySql(schema: string): string {
  const s = `"${schema}"`;
  return `
create or replace function ${s}.notify_feed() returns trigger language plpgsql as $$
declare
  finished text;
begin
  select json_agg(distinct n.run_id)::text into finished
    from new_rows n
    where n.type = 'run.status' and n.status in ('completed', 'failed', 'cancelled');
  if finished is null or octet_length(finished) > 7900 then
    finished := '';
  end if;
  perform pg_notify('${feedChannel(schema)}', finished);
  return null;
end $$;

drop trigger if exists events_notify_feed on ${s}.events;
create trigger events_notify_feed after insert on ${s}.events
  referencing new table as new_rows
  for each statement execute function ${s}.notify_feed();
`;
}

/** Undoes {@link feedLatencySql}: the trigger of `0003_change_feed` (always the empty payload). */
export function dropFeedLatencySql(schema: string): string {
  const s = `"${schema}"`;
  return `
create or replace function ${s}.notify_feed() returns trigger language plpgsql as $$
begin
  perform pg_notify('${feedChannel(schema)}', '');
  return null;
end $$;

drop trigger if exists events_notify_feed on ${s}.events;
create trigger events_notify_feed after insert on ${s}.events
  for each statement execute function ${s}.notify_feed();
`;
}
