#!/usr/bin/env bash
# Makes sure Redis (127.0.0.1:6379) and PostgreSQL (127.0.0.1:5432, trust auth) are reachable.
# Starts them when installed but down; installs them from Debian's packages when missing and we are root.
# Honours REDIS_URL / DATABASE_URL: when either points elsewhere, that service is left alone.
# Also installs Debian's pgbouncer when missing: the Postgres tests start private PgBouncers of their own
# (on free ports); a system pgbouncer service the package may start is left alone.
set -euo pipefail

log() { echo "[services] $*" >&2; }

redis_up() { (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; }
pg_up() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }

install_missing() {
  local pkgs=()
  command -v redis-server >/dev/null 2>&1 || pkgs+=(redis-server)
  command -v pg_ctlcluster >/dev/null 2>&1 || pkgs+=(postgresql)
  [ ${#pkgs[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    log "missing ${pkgs[*]} and not root: install them, or set REDIS_URL / DATABASE_URL"
    return 1
  fi
  log "installing ${pkgs[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null
}

start_redis() {
  redis_up && return 0
  install_missing
  log "starting redis-server"
  mkdir -p /tmp/floxide-redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no \
    --dir /tmp/floxide-redis --logfile /tmp/floxide-redis/redis.log
}

trust_local_connections() {
  # Debian's default pg_hba asks for a password on 127.0.0.1; the test setup uses trust auth on loopback.
  local hba
  hba=$(ls /etc/postgresql/*/main/pg_hba.conf 2>/dev/null | head -1) || return 0
  [ -n "$hba" ] || return 0
  if ! grep -q '^host all all 127.0.0.1/32 trust' "$hba"; then
    sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
  fi
}

start_postgres() {
  pg_up && return 0
  install_missing
  log "starting postgresql"
  trust_local_connections
  local version
  version=$(ls /etc/postgresql | sort -n | tail -1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 50); do pg_up && break; sleep 0.2; done
  su postgres -c "psql -tAc \"SELECT 1 FROM pg_database WHERE datname='test'\"" | grep -q 1 ||
    su postgres -c "createdb test"
}

install_pgbouncer() {
  if command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ] || [ -n "${PGBOUNCER_BIN:-}" ]; then
    return 0
  fi
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    log "pgbouncer is missing: install it (Debian: apt-get install pgbouncer) or set PGBOUNCER_BIN"
    return 0
  fi
  log "installing pgbouncer"
  # Not fatal here: without it only the Postgres package's `pgbouncer` test project fails, saying why.
  { DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer >/dev/null; } ||
    log "could not install pgbouncer"
}

wait_for() {
  local name=$1 check=$2
  for _ in $(seq 1 50); do $check && return 0; sleep 0.2; done
  log "$name is not reachable"
  return 1
}

if [ -z "${REDIS_URL:-}" ]; then start_redis; wait_for redis redis_up; fi
if [ -z "${DATABASE_URL:-}" ]; then start_postgres; wait_for postgresql pg_up; fi
install_pgbouncer
log "redis and postgresql reachable"
