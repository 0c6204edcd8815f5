--- Reverts migration 0023_commit_batches (`{{schema}}`: the schema name).

drop function if exists "{{schema}}".commit_steps(jsonb);
