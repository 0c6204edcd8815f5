--- Migration 0025_feed_readers.
--- Feed notifications are sent only while a feed reader is registered.
---
--- `{{schema}}` stands for the schema name (see migration-provider.ts).
--- Defines: feed_readers, register_feed_reader, unregister_feed_reader, feed_readers_open, feed_notice.
---
--- @remarks
--- Every step commit and claim sent its feed notices (a NOTIFY in an autocommit statement after the
--- COMMIT), and PostgreSQL wakes every LISTENing backend of the database on any NOTIFY, whatever its channel:
--- per chain step, one transaction for the send and about one more in the worker's LISTEN session it woke,
--- paid even when no process reads the feed. A feed reader (the change feed of an orchestrator process)
--- now registers a row that it refreshes before it expires, BEFORE it LISTENs and reads, and removes it
--- when it closes; a row of a process that died stops counting at its `expires_at` (database clock).
---
--- `feed_notice` decides once per transaction (`floxide.feed_gate`, transaction-local: `open` or
--- `closed`) under a shared advisory lock that pairs with `register_feed_reader`'s exclusive one, exactly as
--- the work channel's `waiters` gate of 0001. While closed, the notice is dropped: a deferring transaction
--- collects nothing, so the client learns from the gate that it may leave the post-commit send out of its
--- next message (see `notices-after-commit.ts`).
---
--- Why no event is lost for a reader: notices are hints; the `events` table is the source of truth, and a
--- reader re-reads from its position after it has registered and LISTENs. A transaction that took the
--- shared lock before the registration either ended before `register_feed_reader` returns (the exclusive
--- lock waits for it), so the reader's read that follows sees its events; or it takes the lock after the
--- registration committed, checks with a newer snapshot, sees the row and notifies. A registration that
--- lapsed (a refresh failed) is re-made the same way and followed by a re-read.

create table "{{schema}}".feed_readers (
  reader_id text collate "C" primary key,
  expires_at bigint not null
);

-- Registers (or refreshes) a reader for p_ttl_ms (database clock). True when its row was live already,
-- false when the reader was not registered (new, expired or removed): notices may have been skipped, so
-- the reader must re-read from its position. Rows lapsed for an hour are dropped.
create or replace function "{{schema}}".register_feed_reader(p_reader text, p_ttl_ms bigint) returns boolean
language plpgsql as $$
declare
  v_now bigint := "{{schema}}".now_ms();
  v_live boolean;
begin
  perform pg_advisory_xact_lock(hashtext('floxide_feed_readers:{{schema}}'), 1);
  select expires_at >= v_now into v_live from "{{schema}}".feed_readers where reader_id = p_reader;
  insert into "{{schema}}".feed_readers as r (reader_id, expires_at) values (p_reader, v_now + greatest(p_ttl_ms, 0))
  on conflict (reader_id) do update set expires_at = greatest(r.expires_at, excluded.expires_at);
  delete from "{{schema}}".feed_readers where expires_at < v_now - 3600000;
  return coalesce(v_live, false);
end $$;

create or replace function "{{schema}}".unregister_feed_reader(p_reader text) returns void
language sql as $$
  delete from "{{schema}}".feed_readers where reader_id = p_reader;
$$;

-- Whether this transaction sends feed notices: decided at its first notice and kept for the rest of it.
create or replace function "{{schema}}".feed_readers_open() returns boolean language plpgsql as $$
declare
  v_gate text := current_setting('floxide.feed_gate', true);
begin
  if v_gate is null or v_gate = '' then
    perform pg_advisory_xact_lock_shared(hashtext('floxide_feed_readers:{{schema}}'), 1);
    v_gate := case when exists (select 1 from "{{schema}}".feed_readers where expires_at >= "{{schema}}".now_ms())
      then 'open' else 'closed' end;
    perform set_config('floxide.feed_gate', v_gate, true);
  end if;
  return v_gate = 'open';
end $$;

create or replace function "{{schema}}".feed_notice(p_payload text) returns void language plpgsql as $$
declare
  v_notices jsonb;
begin
  if not "{{schema}}".feed_readers_open() then
    return;
  end if;
  if current_setting('floxide.feed_defer', true) is distinct from 'on' then
    perform pg_notify('floxide_{{schema}}_feed', p_payload);
    return;
  end if;
  v_notices := coalesce(nullif(current_setting('floxide.feed_notices', true), '')::jsonb, '[]'::jsonb);
  if not v_notices @> jsonb_build_array(p_payload) then
    perform set_config('floxide.feed_notices', (v_notices || jsonb_build_array(p_payload))::text, true);
  end if;
end $$;
