--- Reverts migration 0014_finished_run_records (`{{schema}}`: the schema name).

drop trigger if exists runs_notify_finished on "{{schema}}".runs;
drop function if exists "{{schema}}".notify_run_finished();
