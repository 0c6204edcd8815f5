/**
 * SQL of migration `0005_wide_fanout`, part 1: join arrivals in constant work per branch.
 *
 * @remarks
 * Until this migration every branch arriving at a join counted the join's stored arrivals and checked all
 * of them for corruption (three scans of up to N rows), under the run row lock: a 100,000-branch fan-out
 * did O(N²) work and crawled at about 100 steps/s. Now each join keeps a header row in `join_arrivals`
 * (`idx` −1, `value` = how many branches arrived, `total`), so an arrival is one insert plus one counter
 * update, and the check before it looks at the header and the first and last stored arrival only (bounded
 * index reads). The arrival that completes the join checks every value it concatenates (once per join, the
 * work the join itself needs), then the values move into the join item and the rows go, header included.
 * The header lives in `join_arrivals` so everything that removes a run's arrivals (retention) removes it too.
 * Existing joins get their header from their stored arrivals.
 */
export function wideFanoutSql(schema: string): string {
  const s = `"${schema}"`;
  return `
insert into ${s}.join_arrivals (run_id, join_item_id, idx, total, value)
select run_id, join_item_id, -1, min(total), to_jsonb(count(*)) from ${s}.join_arrivals
group by run_id, join_item_id
on conflict do nothing;

-- Every stored row of one join, checked (the arrival that completes the join runs this once).
create or replace function ${s}.join_corruption(p_run text, p_join text, p_total integer) returns text
language sql stable as $$
  select 'the join state of ' || p_join || ' is inconsistent' from ${s}.join_arrivals a
  where a.run_id = p_run and a.join_item_id = p_join
    and (a.total <> p_total or a.value is null or a.idx < -1 or a.idx >= a.total
      or (a.idx = -1 and jsonb_typeof(a.value) <> 'number'))
  limit 1
$$;

-- The check before a step's join arrivals are recorded: bounded work per arrival (the header, the first and
-- the last stored arrival), plus every stored value when this arrival completes its join. Null when sound.
create or replace function ${s}.join_arrivals_corruption(p_run text, p_joins jsonb) returns text
language plpgsql stable as $$
declare
  x jsonb;
  v_join text;
  v_total integer;
  v_arrived integer;
  v_new boolean;
  v_why text;
begin
  for x in select value from jsonb_array_elements(coalesce(p_joins, '[]'::jsonb)) loop
    v_join := x->'joinItem'->>'itemId';
    v_total := (x->>'total')::integer;
    select 'the join state of ' || v_join || ' is inconsistent' into v_why from (
      (select a.idx, a.total, a.value from ${s}.join_arrivals a
        where a.run_id = p_run and a.join_item_id = v_join and a.idx = -1)
      union all
      (select a.idx, a.total, a.value from ${s}.join_arrivals a
        where a.run_id = p_run and a.join_item_id = v_join and a.idx >= 0 order by a.idx limit 1)
      union all
      (select a.idx, a.total, a.value from ${s}.join_arrivals a
        where a.run_id = p_run and a.join_item_id = v_join and a.idx >= 0 order by a.idx desc limit 1)
    ) a
    where a.total <> v_total or a.value is null or a.idx >= a.total
      or (a.idx = -1 and jsonb_typeof(a.value) <> 'number')
    limit 1;
    if v_why is not null then return v_why; end if;
    select (a.value #>> '{}')::integer into v_arrived from ${s}.join_arrivals a
    where a.run_id = p_run and a.join_item_id = v_join and a.idx = -1;
    -- (plpgsql reads an IF condition up to the first THEN: the arrival test is computed beforehand.)
    v_new := not exists (select 1 from ${s}.join_arrivals a
      where a.run_id = p_run and a.join_item_id = v_join and a.idx = (x->>'index')::integer);
    if coalesce(v_arrived, 0) + v_new::integer >= v_total then
      -- This arrival completes the join: every value it concatenates is checked now, and the count with it.
      v_why := ${s}.join_corruption(p_run, v_join, v_total);
      if v_why is null and (select count(*) from ${s}.join_arrivals a
          where a.run_id = p_run and a.join_item_id = v_join and a.idx >= 0) <> coalesce(v_arrived, 0) then
        v_why := 'the join state of ' || v_join || ' is inconsistent';
      end if;
      if v_why is not null then return v_why; end if;
    end if;
  end loop;
  return null;
end $$;

-- Records one arrival (x: { joinItem, index, total, value }); returns the join's input (the values in
-- branch order) when this arrival completes the join, whose rows are then removed; else null. An arrival
-- already recorded changes nothing.
create or replace function ${s}.record_join_arrival(p_run text, x jsonb) returns jsonb language plpgsql as $$
declare
  v_join text := x->'joinItem'->>'itemId';
  v_total integer := (x->>'total')::integer;
  v_n integer;
  v_input jsonb;
begin
  insert into ${s}.join_arrivals (run_id, join_item_id, idx, total, value)
  values (p_run, v_join, (x->>'index')::integer, v_total, coalesce(x->'value', 'null'::jsonb))
  on conflict do nothing;
  if not found then return null; end if;
  insert into ${s}.join_arrivals as a (run_id, join_item_id, idx, total, value)
  values (p_run, v_join, -1, v_total, '1'::jsonb)
  on conflict (run_id, join_item_id, idx) do update set value = to_jsonb((a.value #>> '{}')::integer + 1)
  returning (a.value #>> '{}')::integer into v_n;
  if v_n < v_total then return null; end if;
  select jsonb_agg(a.value order by a.idx) into v_input from ${s}.join_arrivals a
  where a.run_id = p_run and a.join_item_id = v_join and a.idx >= 0;
  -- The values live in the join item now; keeping them would double the storage of large fan-outs.
  delete from ${s}.join_arrivals where run_id = p_run and join_item_id = v_join;
  return v_input;
end $$;
`;
}
