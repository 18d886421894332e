#!/usr/bin/env bash
# Issue 3's object-command figures in one run: a fresh appliance (embedded Postgres,
# synchronous_commit on), PRELOAD domains (default 1,000,000) loaded, then
#  1. pgbench -M prepared running the SQL one domain:create performs, as bench/create-pgbench.ts
#     records it from the real flow against this very database (so it follows the code);
#  2. EPP create-only, check of 1 and of 5 names, and a 70/20/10 check/info/create mix, over
#     32 sessions from 2 client processes.
# Needs `npm run build`, psql and pgbench (Debian: postgresql-client). Output: one line per
# measurement, and the raw JSON of each run under $OUT (default /tmp/objects-bench-<time>/).
# ROUNDS=n repeats the measurements n times on the same preloaded database (on a shared
# machine, compare ratios within one round). APPLIANCE_FLAGS adds appliance flags, e.g.
# "--dns.enabled=false --rdds.processes=0" to measure the EPP path alone.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/wait-dns-drained.sh
DUR=${DUR:-10}
PRELOAD=${PRELOAD:-1000000}
SESSIONS=${SESSIONS:-32}
ROUNDS=${ROUNDS:-1}
OUT=${OUT:-/tmp/objects-bench-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
DATA=$(mktemp -d /tmp/registry-bench-XXXXXX)
chmod 755 "$DATA"
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
EPP=$(free_port); MET=$(free_port); PG=$(free_port)
node dist/cluster/start.js --data-dir "$DATA" --epp.port="$EPP" --metrics.port="$MET" --database.embeddedPort="$PG" \
  --epp.processes="${PROCESSES:-2}" --workers.threads="${THREADS:-1}" --database.poolSize="${POOL:-16}" ${APPLIANCE_FLAGS:-} > "$DATA/start.log" 2>&1 &
APP=$!
trap 'kill -INT $APP 2>/dev/null; wait $APP 2>/dev/null; cp "$DATA/start.log" "$OUT/" 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$MET/ready" >/dev/null 2>&1 && break; sleep 0.5; done
CREDS="$DATA/credentials.json"
DB=$(node -e "console.log(JSON.parse(require('fs').readFileSync('$CREDS')).database)")

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB, node $(node --version), $(psql -At "$DB" -c 'SHOW server_version') synchronous_commit=$(psql -At "$DB" -c 'SHOW synchronous_commit'), commit $(git rev-parse --short HEAD)"
echo "appliance: ${PROCESSES:-2} EPP processes, ${THREADS:-1} parse thread each, pool ${POOL:-16}; load: $SESSIONS sessions, 2 client processes, ${DUR}s after a 2s warm-up"
t0=$(date +%s)
psql -q -v ON_ERROR_STOP=1 "$DB" <<SQL
INSERT INTO contacts (roid, contact_id, sponsor_id, creator_id, postal_int, email, auth_pw, created_at)
SELECT 'C' || nextval('roid_seq') || '-REG', 'bench-owner', r.id, r.id, '{"name":"Bench","city":"Bench","cc":"US"}', 'bench@example.net', 'x', now()
  FROM registrars r WHERE r.client_id = 'demo-a';
INSERT INTO domains (roid, name, zone_id, sponsor_id, creator_id, registrant_id, auth_pw, created_at, expires_at)
SELECT 'D' || nextval('roid_seq') || '-REG', 'pre' || g || '.example', z.id, r.id, r.id, c.id, '', now(), now() + interval '1 year'
  FROM generate_series(1, $PRELOAD) g, zones z, registrars r, contacts c
 WHERE z.name = 'example' AND r.client_id = 'demo-a' AND c.contact_id = 'bench-owner';
VACUUM ANALYZE;
SQL
echo "preloaded $(psql -At "$DB" -c 'SELECT count(*) FROM domains') domains in $(( $(date +%s) - t0 )) s"
# Unless DNS publication is off (then nothing drains the queue, and nothing competes for the CPU).
case " ${APPLIANCE_FLAGS:-} " in *" --dns.enabled=false "*) ;; *) wait_dns_drained "$DB" ;; esac

# The statements of one domain:create, recorded from the flow itself (see bench/create-pgbench.ts).
node dist/bench/create-pgbench.js --db="$DB" --clid=demo-a --registrant=bench-owner > "$OUT/create.pgbench"
echo "create.pgbench: $(grep -c ';$' "$OUT/create.pgbench") statements incl. BEGIN/END (in $OUT/create.pgbench)"
# CPU time (clock ticks) of this appliance's EPP front-ends and of its Postgres (the postmaster
# and its children), from /proc: on a shared machine, CPU per operation is steadier than rates.
POSTMASTER=$(head -1 "$DATA/pg/pgdata/postmaster.pid")
ticks() {
  local fe=0 pg=0 pid st line
  for st in /proc/[0-9]*/stat; do
    pid=${st#/proc/}; pid=${pid%/stat}
    line=$(cat "$st" 2>/dev/null) || continue
    # Fields after "(comm) ": state ppid … utime (12th) stime (13th).
    read -r -a f <<< "${line##*) }"
    # The postmaster's own time plus its reaped children's (pgbench's backends exit before we look).
    if [ "$pid" = "$POSTMASTER" ]; then pg=$((pg + f[11] + f[12] + f[13] + f[14]))
    elif [ "${f[1]}" = "$POSTMASTER" ]; then pg=$((pg + f[11] + f[12]))
    elif tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q "epp-frontend.js --data-dir $DATA "; then fe=$((fe + f[11] + f[12])); fi
  done
  echo "$fe $pg"
}
HZ=$(getconf CLK_TCK)
# Prints: ms of CPU per operation in the front-ends, in Postgres and in the load generator.
cpu_per_op() {  # before-ticks after-ticks client-seconds ops
  awk -v b="$1" -v a="$2" -v c="$3" -v n="$4" -v hz="$HZ" 'BEGIN { split(b, x, " "); split(a, y, " ");
    printf "cpu/op: front-ends %.2f ms, postgres %.2f ms, client %.2f ms", 1000*(y[1]-x[1])/hz/n, 1000*(y[2]-x[2])/hz/n, 1000*c/n }'
}
load() {
  local name=$1; shift
  local before after
  before=$(ticks)
  /usr/bin/time -f '%U %S' -o "$OUT/$name.time" node dist/bench/epp-load.js --credentials="$CREDS" --procs=2 --sessions="$SESSIONS" --duration="$DUR" "$@" > "$OUT/$name.txt"
  after=$(ticks)
  # Operations over the whole run, warm-up included (the CPU samples cover it too).
  local ops client
  ops=$(tail -1 "$OUT/$name.txt" | node -e "const r=JSON.parse(require('fs').readFileSync(0));console.log(Math.round(r.opsPerSecond*(r.seconds+r.warmupSeconds)))")
  client=$(awk '{print $1+$2}' "$OUT/$name.time")
  echo "epp $name: $(head -1 "$OUT/$name.txt") [load $(cut -d' ' -f1 /proc/loadavg); $(cpu_per_op "$before" "$after" "$client" "$ops")]"
}
for round in $(seq 1 "$ROUNDS"); do
  [ "$ROUNDS" -gt 1 ] && echo "-- round $round"
  for c in 4 16; do
    before=$(ticks)
    /usr/bin/time -f '%U %S' -o "$OUT/pgbench-$c-$round.time" pgbench -n -M prepared -c $c -j 2 -T "$DUR" -f "$OUT/create.pgbench" "$DB" > "$OUT/pgbench-$c-$round.txt" 2>&1 || { cat "$OUT/pgbench-$c-$round.txt"; exit 1; }
    after=$(ticks)
    txns=$(awk '/number of transactions actually processed/ {print $NF}' "$OUT/pgbench-$c-$round.txt")
    echo "pgbench create, $c clients: $(grep -E '^tps|latency average' "$OUT/pgbench-$c-$round.txt" | tr '\n' ' ') [load $(cut -d' ' -f1 /proc/loadavg); $(cpu_per_op "$before" "$after" "$(awk '{print $1+$2}' "$OUT/pgbench-$c-$round.time")" "$txns")]"
  done
  # The session layer alone, as the floor under every command's front-end cost.
  load "hello-$round" --mix=hello:100
  load "create-$round" --mix=create:100
  load "check1-$round" --mix=check1:100
  load "check5-$round" --mix=check5:100
  load "mix-$round" --mix=check1:70,info:20,create:10
done
echo "domains at the end: $(psql -At "$DB" -c 'SELECT count(*) FROM domains')"
