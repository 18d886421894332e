#!/usr/bin/env bash
# Issue 6's figures in one run: a throwaway two-node Patroni cluster (ops/bin/registry-cluster,
# one etcd member, loopback) and one appliance (2 EPP front-ends) pointed at both nodes; domain
# create throughput with synchronous and asynchronous replication, alternated (sync, async,
# sync, async) so drift on a shared machine hits both; then failover runs: kill -9 of the
# primary's postmaster under create load, timed by bench/ha-failover.ts. Needs `npm run build`,
# patroni, etcd-server, python3-etcd. Run as root (Postgres runs as the postgres user).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
DUR=${DUR:-15}
SESSIONS=${SESSIONS:-16}
FAILOVERS=${FAILOVERS:-3}
# Patroni's failure detection: the example file's production values are LOOP_WAIT=5, TTL=20.
LOOP_WAIT=${LOOP_WAIT:-1}
TTL=${TTL:-10}
WORK=$(mktemp -d /tmp/registry-ha-bench-XXXXXX)
chmod 755 "$WORK"
CLUSTER="$ROOT/ops/bin/registry-cluster"
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
ETCD_CLIENT=$(free_port); ETCD_PEER=$(free_port)
declare -A PGPORT APIPORT
for n in 1 2; do
  ops/bin/loopback-cluster-env "$n" "$WORK" "$ETCD_CLIENT" "$ETCD_PEER" CLUSTER_NAME=registry-bench \
    TTL="$TTL" LOOP_WAIT="$LOOP_WAIT" SHARED_BUFFERS=256MB APP_PASSWORD=Bench-app-1 >"$WORK/pg$n.env"
  PGPORT[$n]=$(. "$WORK/pg$n.env"; echo "$PG_PORT"); APIPORT[$n]=$(. "$WORK/pg$n.env"; echo "$PATRONI_PORT")
done
APP=""
cleanup() {
  [ -n "$APP" ] && { kill -TERM "$APP" 2>/dev/null; wait "$APP" 2>/dev/null || true; }
  "$CLUSTER" --env "$WORK/pg2.env" stop >/dev/null 2>&1 || true
  "$CLUSTER" --env "$WORK/pg1.env" stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB, node $(node --version), $(patroni --version), commit $(git rev-parse --short HEAD), load before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$CLUSTER" --env "$WORK/pg1.env" bootstrap 2>&1 | tail -1
"$CLUSTER" --env "$WORK/pg2.env" join 2>&1 | tail -1

EPP=$(free_port); MET=$(free_port)
mkdir -p "$WORK/app"
cat >"$WORK/app/registry.json" <<EOF
{ "mode": "production",
  "database": { "hosts": ["postgres://registry:Bench-app-1@127.0.0.1:${PGPORT[1]}/registry", "postgres://registry:Bench-app-1@127.0.0.1:${PGPORT[2]}/registry"],
                "patroniUrls": ["http://127.0.0.1:${APIPORT[1]}", "http://127.0.0.1:${APIPORT[2]}"],
                "poolSize": 16, "probeIntervalMs": 500, "connectTimeoutMs": 1000 },
  "epp": { "port": $EPP, "processes": ${PROCESSES:-2} },
  "workers": { "threads": ${THREADS:-1} },
  "metrics": { "port": $MET } }
EOF
node dist/src/cli/registry.js --data-dir "$WORK/app" db migrate >/dev/null
node dist/src/cli/registry.js --data-dir "$WORK/app" zone add example >/dev/null
node dist/src/cli/registry.js --data-dir "$WORK/app" registrar create bench-a --name "Bench A" --password Bench-reg-1 --ip 127.0.0.0/8 --zone example --max-sessions 200 >/dev/null
node dist/cluster/start.js --data-dir "$WORK/app" >"$WORK/app.log" 2>&1 &
APP=$!
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$MET/ready" >/dev/null 2>&1 && break; sleep 0.5; done
cat >"$WORK/creds.json" <<EOF
{ "epp": { "host": "127.0.0.1", "port": $EPP }, "caCert": "$WORK/app/pki/ca.crt", "registrars": [{ "clID": "bench-a", "password": "Bench-reg-1" }] }
EOF

members() { "$CLUSTER" --env "$WORK/pg1.env" status --json | python3 -c 'import json,sys; print(" ".join(m["Member"] + "=" + m["Role"] for m in sorted(json.load(sys.stdin), key=lambda m: m["Member"])))'; }
wait_for() { for _ in $(seq 1 240); do [[ "$(members)" =~ $1 ]] && return 0; sleep 0.5; done; echo "timed out waiting for: $1 (now: $(members))" >&2; return 1; }
load() { node dist/bench/epp-load.js --credentials="$WORK/creds.json" --sessions="$SESSIONS" --duration="$DUR" --mix=create:100 "$@" | head -1; }

for round in 1 2; do
  "$CLUSTER" --env "$WORK/pg1.env" sync on >/dev/null
  wait_for "Sync Standby"
  echo "round $round, synchronous  ($(members)): $(load)"
  "$CLUSTER" --env "$WORK/pg1.env" sync off >/dev/null
  wait_for "=Replica"
  echo "round $round, asynchronous ($(members)): $(load)"
done
"$CLUSTER" --env "$WORK/pg1.env" sync on >/dev/null

for i in $(seq 1 "$FAILOVERS"); do
  wait_for "Sync Standby"
  leader=$(members | tr ' ' '\n' | sed -n 's/=Leader$//p')
  n=${leader#pg}
  echo "failover $i (primary $leader, load ${LOOP_WAIT}s loop/${TTL}s ttl): $(node dist/bench/ha-failover.js --credentials="$WORK/creds.json" --sessions=12 --kill-pid-file="$WORK/pg$n/data/postmaster.pid" --kill-after=8 --duration=25 | tail -1)"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
