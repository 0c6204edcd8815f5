#!/usr/bin/env bash
# A private Redis Cluster for tests: its own redis-server processes on free ports, in a temp directory.
#
#   redis-cluster.sh start DIR MASTERS REPLICAS   starts MASTERS masters with REPLICAS replicas each, joins
#                                                 them (redis-cli --cluster create) and waits until the
#                                                 cluster is ok and every replica is in sync; writes
#                                                 DIR/nodes (host:port,… of the masters) and DIR/<port>.pid
#   redis-cluster.sh restart DIR PORT             starts the node of PORT again (after it was killed): with
#                                                 its cluster config it rejoins, as a replica if its slots
#                                                 were failed over meanwhile
#   redis-cluster.sh stop DIR                     kills the servers by their pids and removes DIR
#   redis-cluster.sh run MASTERS REPLICAS -- CMD  starts a cluster in a fresh temp dir, runs CMD with
#                                                 FLOXIDE_REDIS_CLUSTER=<DIR/nodes> and FLOXIDE_REDIS_CLUSTER_DIR
#                                                 set, stops the cluster whatever CMD did; exits with CMD's status
#
# Servers keep no data on disk (no RDB, no AOF). Needs redis-server and redis-cli (Debian's redis-server).
set -uo pipefail

log() { echo "[redis-cluster] $*" >&2; }

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Sets FREE_PORT to a port that is free (and not handed out before), and whose cluster bus port (port + 10000) is free too. Ports come from 20000-29999,
# so no node's port is another node's bus port (30000-39999).
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 10000))
    if ! port_busy "$p" && ! port_busy $((p + 10000)) && [[ " ${USED_PORTS:-} " != *" $p "* ]]; then
      USED_PORTS="${USED_PORTS:-} $p"
      FREE_PORT=$p
      return 0
    fi
  done
  return 1
}

# Starts (or restarts, with its cluster config: it rejoins the cluster) the node on port $2.
start_node() {
  local dir=$1 p=$2
  mkdir -p "$dir/$p"
  # In a subshell, so the servers are not jobs of this shell (no job notices when they are killed).
  (
    redis-server --port "$p" --bind 127.0.0.1 --dir "$dir/$p" --cluster-enabled yes \
      --cluster-config-file "$dir/$p/nodes.conf" --cluster-node-timeout 2000 --save '' --appendonly no \
      --logfile "$dir/$p/redis.log" >/dev/null 2>&1 &
    echo $! >"$dir/$p.pid"
  )
}

start_cluster() {
  local dir=$1 masters=$2 replicas=$3
  local total=$((masters * (replicas + 1))) ports=() p
  mkdir -p "$dir"
  for _ in $(seq 1 "$total"); do
    free_port || { log "no free port"; return 1; }
    p=$FREE_PORT
    start_node "$dir" "$p"
    ports+=("$p")
  done
  local up
  for p in "${ports[@]}"; do
    up=0
    # Up to 60 s: on a loaded machine a server can take long to answer its first PING.
    for _ in $(seq 1 600); do
      [ "$(redis-cli -p "$p" ping 2>/dev/null)" = PONG ] && up=1 && break
      kill -0 "$(cat "$dir/$p.pid")" 2>/dev/null || break
      sleep 0.1
    done
    [ "$up" = 1 ] || { log "redis-server on port $p did not start: $(tail -3 "$dir/$p/redis.log" 2>/dev/null)"; return 1; }
  done
  local addrs=()
  for p in "${ports[@]}"; do addrs+=("127.0.0.1:$p"); done
  if ! redis-cli --cluster create "${addrs[@]}" --cluster-replicas "$replicas" --cluster-yes >"$dir/create.log" 2>&1; then
    log "cluster create failed: $(tail -5 "$dir/create.log")"
    return 1
  fi
  # Ready when every node sees state ok, and every replica's link to its master is up.
  local ready
  for _ in $(seq 1 300); do
    ready=1
    for p in "${ports[@]}"; do
      redis-cli -p "$p" cluster info 2>/dev/null | grep -q 'cluster_state:ok' || ready=0
      if redis-cli -p "$p" info replication 2>/dev/null | grep -q 'role:slave'; then
        redis-cli -p "$p" info replication | grep -q 'master_link_status:up' || ready=0
      fi
    done
    [ "$ready" = 1 ] && break
    sleep 0.1
  done
  [ "$ready" = 1 ] || { log "cluster did not become ready"; return 1; }
  local nodes=()
  for p in "${ports[@]}"; do
    redis-cli -p "$p" role 2>/dev/null | head -1 | grep -q master && nodes+=("127.0.0.1:$p")
  done
  (IFS=,; echo "${nodes[*]}") >"$dir/nodes"
  log "ready: $masters masters, $replicas replica(s) each ($(cat "$dir/nodes"))"
}

stop_cluster() {
  local dir=$1 pidfile pid
  [ -d "$dir" ] || return 0
  for pidfile in "$dir"/*.pid; do
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    kill -9 "$pid" 2>/dev/null
    while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
  done
  rm -rf "$dir"
}

case "${1:-}" in
  start)
    # A port taken by another process between the check and the bind: start over on other ports.
    for attempt in 1 2 3; do
      start_cluster "$2" "$3" "$4" && exit 0
      stop_cluster "$2"
      log "attempt $attempt failed"
    done
    exit 1
    ;;
  stop)
    stop_cluster "$2"
    ;;
  restart)
    start_node "$2" "$3"
    ;;
  run)
    masters=$2 replicas=$3
    shift 3
    [ "${1:-}" = -- ] && shift
    dir=$(mktemp -d "${TMPDIR:-/tmp}/floxide-cluster-XXXXXX")
    trap 'stop_cluster "$dir"' EXIT
    started=0
    for attempt in 1 2 3; do
      start_cluster "$dir" "$masters" "$replicas" && started=1 && break
      stop_cluster "$dir"
      log "attempt $attempt failed"
    done
    [ "$started" = 1 ] || exit 1
    FLOXIDE_REDIS_CLUSTER=$(cat "$dir/nodes") FLOXIDE_REDIS_CLUSTER_DIR=$dir "$@"
    exit $?
    ;;
  *)
    sed -n '2,17p' "$0" >&2
    exit 2
    ;;
esac
