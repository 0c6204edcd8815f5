import { applyContextFieldsSql } from './context-fields-sql.js';
import { replaceSqlBlock } from './replace-sql-block.js';

/**
 * SQL of migration `0008_context_scale`: `apply_context_fields` with an event-log append that costs one
 * unique-index probe per event, whatever the length of the log.
 *
 * @remarks
 * The 0004 function (see `context-fields-sql.ts`) skipped ids already in the log with one set-wise
 * `insert … select … where not exists (…)`. PostgreSQL planned that anti-join as a materialized scan of
 * every event of the field (the statistics of a log that was empty when last analyzed promise one row),
 * filtering the ids in the join: each append read the whole log, so a fan-out of N appending branches did
 * O(N²) work under the run's row lock (bench P11: 5,000 buffers per append at 5,000 events). Here each
 * event is one `insert … on conflict (run_id, field, event_id) do nothing`, whose arbiter is the unique
 * index: no plan to get wrong. Everything else is unchanged: checks before writes, positions reserved
 * under the field row's lock (dense, in commit order), the first occurrence of an id wins (now also
 * within one append), counters, registers and reducers as before. `commit_step` calls the function by
 * name, so it is not replaced.
 *
 * The tail read of a log (`read_context`: `run_id = … and field = … and pos >= …`) had the same fault:
 * both the primary key (run_id, field, pos) and the unique (run_id, field, event_id) index start with the
 * run and field, and with those statistics PostgreSQL took the second, reading every event to filter
 * `pos`. The id index is rebuilt as (run_id, event_id, field): it still makes ids unique per field (and
 * still serves the append's `on conflict`), but no longer competes for a range of positions, which only
 * the primary key now serves with all three columns.
 */
/** 0004's append: one set-wise insert skipping logged ids with an anti-join over the field's events. */
function antiJoinAppend(s: string): string {
  return `      insert into ${s}.context_events (run_id, field, pos, event_id, event)
      select p_run_id, f->>'field', v_len + row_number() over (order by e.ord) - 1, e.x->>'id', e.x->'event'
      from jsonb_array_elements(f->'append') with ordinality as e(x, ord)
      where not exists (select 1 from ${s}.context_events c
        where c.run_id = p_run_id and c.field = f->>'field' and c.event_id = e.x->>'id');
      get diagnostics v_n = row_count;
`;
}

/** 0008's append: one probe of the unique index per event. */
function probingAppend(s: string): string {
  return `      v_n := 0;
      -- One probe of the unique (run_id, field, event_id) index per event: an id already logged is skipped.
      for e in select x from jsonb_array_elements(f->'append') as t(x) loop
        insert into ${s}.context_events (run_id, field, pos, event_id, event)
        values (p_run_id, f->>'field', v_len + v_n, e->>'id', e->'event')
        on conflict (run_id, field, event_id) do nothing;
        if found then v_n := v_n + 1; end if;
      end loop;
`;
}

export function contextScaleSql(schema: string): string {
  const s = `"${schema}"`;
  let fn = replaceSqlBlock(
    applyContextFieldsSql(s),
    '  f jsonb;\n',
    '  f jsonb;\n  e jsonb;\n',
    'apply_context_fields 0004: the declarations',
  );
  fn = replaceSqlBlock(fn, antiJoinAppend(s), probingAppend(s), 'apply_context_fields 0004: the append');
  return `
create unique index if not exists context_events_event_id_idx on ${s}.context_events (run_id, event_id, field);
alter table ${s}.context_events drop constraint if exists context_events_run_id_field_event_id_key;

${fn}`;
}
