/**
 * DDL of the tables and indexes of migration `0001_initial`, for one schema.
 *
 * @remarks
 * Times are epoch milliseconds in `bigint` columns, so they compare directly with the engine's timestamps.
 * Identifier columns use the "C" collation: listing orders then match JavaScript's string order.
 * Queue visibility lives in one column, `visible_at`: the ready time of a queued or delayed item and the
 * lease deadline of a leased one, so one partial index serves both "ready" and "lease expired" claims.
 */
export function tablesSql(schema: string): string {
  const s = `"${schema}"`;
  return `
create table ${s}.runs (
  run_id text collate "C" primary key,
  workflow text collate "C" not null,
  version integer not null,
  status text not null,
  input jsonb,
  output jsonb,
  error jsonb,
  created_at bigint not null,
  started_at bigint,
  finished_at bigint,
  deadline_at bigint,
  context jsonb,
  context_version integer not null default 0,
  total_items integer not null default 0,
  completed integer not null default 0,
  failed integer not null default 0,
  retries integer not null default 0,
  event_seq bigint not null default 0
);
create index runs_created_idx on ${s}.runs (created_at desc, run_id desc);
create index runs_status_created_idx on ${s}.runs (status, created_at desc, run_id desc);
create index runs_workflow_created_idx on ${s}.runs (workflow, created_at desc, run_id desc);
create index runs_finished_idx on ${s}.runs (finished_at) where status in ('completed', 'failed', 'cancelled');

create table ${s}.work_items (
  run_id text collate "C" not null,
  item_id text collate "C" not null,
  seq bigserial not null,
  attempt integer not null,
  node text not null,
  item jsonb not null,
  status text not null,
  queue_state text not null,
  visible_at bigint not null,
  lease_token text,
  worker_id text,
  attempts integer not null default 0,
  last_error jsonb,
  primary key (run_id, item_id)
);
create index work_items_claim_idx on ${s}.work_items (visible_at) where queue_state <> 'done';
create index work_items_open_idx on ${s}.work_items (run_id) where queue_state <> 'done';

create table ${s}.join_arrivals (
  run_id text collate "C" not null,
  join_item_id text collate "C" not null,
  idx integer not null,
  total integer not null,
  value jsonb not null,
  primary key (run_id, join_item_id, idx)
);

create table ${s}.errors (
  id bigserial primary key,
  run_id text collate "C" not null,
  item_id text not null,
  node text not null,
  attempt integer not null,
  error jsonb not null,
  at bigint not null
);
create index errors_run_idx on ${s}.errors (run_id, id);

create table ${s}.events (
  run_id text collate "C" not null,
  seq bigint not null,
  at bigint not null,
  type text not null,
  status text,
  item_id text,
  node text,
  attempt integer,
  error jsonb,
  primary key (run_id, seq)
);

create table ${s}.node_timings (
  run_id text collate "C" not null,
  node text collate "C" not null,
  count integer not null,
  total_ms double precision not null,
  max_ms double precision not null,
  primary key (run_id, node)
);

-- Lease calls about to wait for work: commits notify only while one may be waiting (see register_waiter).
create table ${s}.waiters (
  waiter_id text collate "C" primary key,
  idle_until bigint not null
);

create table ${s}.workers (
  worker_id text collate "C" primary key,
  health jsonb not null,
  last_heartbeat bigint not null
);
`;
}
