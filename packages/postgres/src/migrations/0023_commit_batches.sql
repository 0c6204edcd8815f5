--- Migration 0023_commit_batches.
--- Several step commits of one run in one transaction (issue 11 §1: a wide fan-out's branch commits).
---
--- `{{schema}}` stands for the schema name (see migration-provider.ts).
--- Defines: commit_steps.
---
--- @remarks
--- Every step commit of a run holds the run row (`FOR UPDATE`, for its counters, its dense event numbers and
--- the exclusion of cancel and pause) until its transaction ends, and that end waits for the WAL flush: the
--- branches of one fan-out committed one flush at a time, whatever the number of workers (measured: 248
--- commits/s of one run against 1,457/s spread over as many runs, 3 processes × 16 committers).
--- `commit_steps(p jsonb)` takes an array of `commit_step` payloads and applies them in order in one
--- transaction, so the commits that queued behind one another share one flush and one hold of the run row.
--- The client (`src/commit/commit-batcher.ts`) sends a batch only of commits of one run that arrived while
--- an earlier commit of that run was in flight from the same process: a lone commit (a chain) still goes
--- through `commit_step_notify_after` alone, and a batch never holds two run rows.
--- - Each element is exactly `commit_step(element)`: the same checks, effects and answer, in array order, as
---   if committed one after another (duplicates, rejections after a cancel, a strand's next lease).
--- - The item rows of the batch are locked first, in key order, before any run row: the order every commit
---   and claim takes (items, then the run), so a batch cannot deadlock with them.
--- - The feed notices are collected for the whole batch as `commit_step_notify_after` collects them.
--- - An error raised by one element rolls the whole batch back; the client then commits each step alone.
--- - Items the batch's commits insert ready take consecutive fair tags (0019: the next items one
---   transaction inserts for a run), as a fan-out's successors do.
--- Answer: `{ "results": [<commit_step answer>...], "feedNotices": [...] }`.

create or replace function "{{schema}}".commit_steps(p jsonb) returns jsonb language plpgsql as $$
declare
  v_results jsonb := '[]'::jsonb;
  v_run text;
  v_item text;
  x jsonb;
begin
  perform set_config('floxide.feed_defer', 'on', true);
  perform set_config('floxide.feed_notices', '', true);
  -- One primary-key lookup per item (never a join the planner could turn into a scan of every item).
  for v_run, v_item in select e->'item'->>'runId', e->'item'->>'itemId' from jsonb_array_elements(p) as e
      order by e->'item'->>'runId' collate "C", e->'item'->>'itemId' collate "C" loop
    perform 1 from "{{schema}}".work_items where run_id = v_run and item_id = v_item for update;
  end loop;
  for x in select value from jsonb_array_elements(p) loop
    v_results := v_results || jsonb_build_array("{{schema}}".commit_step(x));
  end loop;
  perform set_config('floxide.feed_defer', '', true);
  return jsonb_build_object('results', v_results, 'feedNotices',
    coalesce(nullif(current_setting('floxide.feed_notices', true), '')::jsonb, '[]'::jsonb));
end $$;
