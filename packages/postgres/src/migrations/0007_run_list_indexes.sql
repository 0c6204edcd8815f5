--- Migration 0007_run_list_indexes.
--- The runs list by workflow and status at once is an index range too.
---
--- `{{schema}}` stands for the schema name (see migration-provider.ts).
---
--- DDL of migration `0007_run_list_indexes`: the index of the runs list filtered by workflow and status at
--- once (the dashboard's two filters together).
---
--- @remarks The other lists already had theirs in `0001_initial` (newest first, by status, by workflow; the
--- `since` filter is the lower end of the same ranges; a run id prefix scans the primary key, whose "C"
--- collation is byte order). Without this one, a rare status of a common workflow walked the workflow's
--- whole index to fill a page. A plain `create index` (migrations run in a transaction): it holds writes
--- to `runs` while it builds, seconds for a million runs.

create index if not exists runs_workflow_status_created_idx
  on "{{schema}}".runs (workflow, status, created_at desc, run_id desc);
