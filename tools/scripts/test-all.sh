#!/usr/bin/env bash
# Installs what is missing, makes sure Redis and PostgreSQL run, then lints, typechecks, builds and runs
# every test of every project (backend integration and crash tests included). Ends with `N passed, N failed`.
set -uo pipefail
cd "$(dirname "$0")/../.."
export NX_DAEMON=false NX_TUI=false FORCE_COLOR=0 NX_NO_CLOUD=true FLOXIDE_TEST_REPORT=1
# In CI, Nx caches into the clone, not the machine's shared cache (~/.nx): an entry there can hold a build
# output that a developer's dist folder kept after its source was deleted (tsc --build never removes
# outputs), and a clean clone must build from its own sources only.
if [ "${CI:-}" = true ]; then
  export NX_CACHE_DIRECTORY="$PWD/.nx/ci-cache"
  rm -rf "$NX_CACHE_DIRECTORY"
fi
bash tools/scripts/bootstrap.sh --with-browser || exit 1
bash tools/scripts/services.sh || exit 1
# The suites create and drop a schema (tables, functions, triggers) per test file; on a server run with
# `autovacuum = off` (as CI machines may be) the dead catalog rows pile up over a day of test runs, and every
# migration and plan then walks them: one machine's pg_attribute held 1,000,000 dead rows and the Postgres
# demo test took 60 s instead of 9, the whole CI 34 minutes. Compact the system catalogs of the test database first (a second or two; never fatal).
PGOPTIONS='-c lock_timeout=10s' psql "${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}" -qX \
  -c 'VACUUM FULL pg_catalog.pg_attribute, pg_catalog.pg_proc, pg_catalog.pg_depend, pg_catalog.pg_class, pg_catalog.pg_index, pg_catalog.pg_type, pg_catalog.pg_constraint, pg_catalog.pg_attrdef, pg_catalog.pg_trigger, pg_catalog.pg_sequence, pg_catalog.pg_namespace, pg_catalog.pg_description' \
  -c 'ANALYZE pg_catalog.pg_attribute, pg_catalog.pg_proc, pg_catalog.pg_depend, pg_catalog.pg_class' ||
  echo '[tests] could not compact the PostgreSQL catalogs; going on'
find packages apps tools \( -name vitest-report.json -o -name vitest-cluster-report.json \) -not -path '*/node_modules/*' -delete

status=0
pnpm nx sync:check || status=1
pnpm exec prettier --check . || status=1
pnpm exec knip --no-progress || status=1
# The TypeScript modules generated from the Lua scripts and SQL migrations (committed) match their sources.
node packages/redis/scripts/lua-codegen.mjs --check || status=1
node packages/postgres/scripts/sql-codegen.mjs --check || status=1
pnpm nx run-many -t lint typecheck build --parallel=2 --outputStyle=stream || status=1
# Tests run one project at a time: backend suites and crash tests share the machine's two cores (inside a
# project, the backend suites run two files at a time and their crash and restart tests alone; see each
# package's vitest.config.ts). This includes tools/pack-test: it packs every publishable package, checks
# the tarballs (publint --strict, attw), installs them with npm into a fresh project outside the workspace
# and uses them as a user would.
pnpm nx run-many -t test --parallel=1 --outputStyle=stream --skip-nx-cache || status=1
# The Redis conformance suite, engine scenarios and crash test again, on a private 3-master Redis Cluster
# (tools/scripts/redis-cluster.sh starts it on ports of its own and removes it afterwards).
pnpm nx run @floxide/redis:test-cluster --outputStyle=stream --skip-nx-cache || status=1
node tools/scripts/count-tests.mjs || status=1
exit $status
