--- Migration 0007_run_list_indexes.
--- The runs list by workflow and status at once is an index range too.
---
--- `{{schema}}` stands for the schema name (see migration-provider.ts).

create index if not exists runs_workflow_status_created_idx
  on "{{schema}}".runs (workflow, status, created_at desc, run_id desc);
