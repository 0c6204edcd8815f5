--- Reverts migration 0007_run_list_indexes (`{{schema}}`: the schema name).
drop index if exists "{{schema}}".runs_workflow_status_created_idx;