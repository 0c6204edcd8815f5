import { feedChannel } from '../notify-channel.js';
import { feedLatencySql } from './feed-latency-sql.js';
import { finishedRunRecordsSql } from './finished-run-records-sql.js';
import { replaceSqlBlock } from './replace-sql-block.js';

/** The `create or replace function <name>` statement of a migration's script, up to its closing `end $$;`. */
function functionOf(script: string, schema: string, name: string): string {
  const start = script.indexOf(`create or replace function "${schema}".${name}(`);
  const end = script.indexOf('\nend $$;', start);
  if (start < 0 || end < 0) throw new Error(`${name} was not found in its migration`);
  return script.slice(start, end + '\nend $$;'.length);
}

/**
 * The feed's notifications of a step commit sent after the commit (migration `0020_feed_notify_after_commit`).
 *
 * @remarks
 * PostgreSQL serialises the commits of every transaction that sent a NOTIFY: it takes a database-wide
 * lock before the commit record and holds it through the WAL flush. The feed triggers (`notify_feed` of
 * `0006_feed_latency`, `notify_run_finished` of `0014_finished_run_records`) notified from inside every
 * step commit, so under a busy worker each commit queued behind the others' flushes, one at a time: the
 * finished run's notice reached `wait` only once its commit had waited its turn (measured with 16
 * committers: 260 commits/s with the NOTIFY, about 2,000 without; status write → notice 53 ms p50).
 *
 * Now both triggers hand their payload to `feed_notice`, which notifies as before — unless the transaction
 * set `floxide.feed_defer`, then it collects the payload in the transaction-local setting
 * `floxide.feed_notices` (identical payloads once, as PostgreSQL folds them). `commit_step_notify_after`
 * is `commit_step` in such a transaction: it returns the commit's answer with the collected payloads as
 * `feedNotices`, and the client sends them right after the commit with `feed_notify`, in a transaction of
 * their own that writes nothing and commits without waiting for its WAL flush (`synchronous_commit = off`
 * for that transaction only: a notification is not durable anyway). The step commit itself stays durable
 * and no longer takes the NOTIFY lock. A notice lost between the two (the client died) is what a lost
 * notification always was: the table is the source of truth and feed readers re-read from their position.
 * Every other writer (start, control, claims, retention) still notifies from its own transaction.
 */
export function feedNotifyAfterCommitSql(schema: string): string {
  const s = `"${schema}"`;
  const channel = feedChannel(schema);
  const notifyFeed = replaceSqlBlock(
    functionOf(feedLatencySql(schema), schema, 'notify_feed'),
    `  perform pg_notify('${channel}', finished);`,
    `  perform ${s}.feed_notice(finished);`,
    'notify_feed 0006: the notification',
  );
  const notifyRunFinished = replaceSqlBlock(
    functionOf(finishedRunRecordsSql(schema), schema, 'notify_run_finished'),
    `    perform pg_notify('${channel}', payload);`,
    `    perform ${s}.feed_notice(payload);`,
    'notify_run_finished 0014: the notification',
  );
  return `
create or replace function ${s}.feed_notice(p_payload text) returns void language plpgsql as $$
declare
  v_notices jsonb;
begin
  if current_setting('floxide.feed_defer', true) is distinct from 'on' then
    perform pg_notify('${channel}', p_payload);
    return;
  end if;
  v_notices := coalesce(nullif(current_setting('floxide.feed_notices', true), '')::jsonb, '[]'::jsonb);
  if not v_notices @> jsonb_build_array(p_payload) then
    perform set_config('floxide.feed_notices', (v_notices || jsonb_build_array(p_payload))::text, true);
  end if;
end $$;

${notifyFeed}

${notifyRunFinished}

create or replace function ${s}.commit_step_notify_after(p jsonb) returns jsonb language plpgsql as $$
declare
  v_result jsonb;
begin
  perform set_config('floxide.feed_defer', 'on', true);
  perform set_config('floxide.feed_notices', '', true);
  v_result := ${s}.commit_step(p);
  perform set_config('floxide.feed_defer', '', true);
  return v_result || jsonb_build_object('feedNotices',
    coalesce(nullif(current_setting('floxide.feed_notices', true), '')::jsonb, '[]'::jsonb));
end $$;

create or replace function ${s}.feed_notify(p_notices jsonb) returns void language plpgsql as $$
declare
  v_payload text;
begin
  perform set_config('synchronous_commit', 'off', true);
  for v_payload in select jsonb_array_elements_text(p_notices) loop
    perform pg_notify('${channel}', v_payload);
  end loop;
end $$;
`;
}

/** Undoes {@link feedNotifyAfterCommitSql}: the triggers notify from their transaction again. */
export function dropFeedNotifyAfterCommitSql(schema: string): string {
  const s = `"${schema}"`;
  return `
${functionOf(feedLatencySql(schema), schema, 'notify_feed')}

${functionOf(finishedRunRecordsSql(schema), schema, 'notify_run_finished')}

drop function if exists ${s}.commit_step_notify_after(jsonb);
drop function if exists ${s}.feed_notify(jsonb);
drop function if exists ${s}.feed_notice(text);
`;
}
