#!/usr/bin/env bash
# Issue 3's object-command figures in one run: a fresh appliance (embedded Postgres,
# synchronous_commit on), PRELOAD domains (default 1,000,000) loaded, then
#  1. pgbench -M prepared running the SQL one domain:create performs, as bench/create-pgbench.ts
#     records it from the real flow against this very database (so it follows the code);
#  2. EPP create-only, check of 1 and of 5 names, and a 70/20/10 check/info/create mix, over
#     32 sessions from 2 client processes.
# Needs `npm run build`, psql and pgbench (Debian: postgresql-client). Output: one line per
# measurement, and the raw JSON of each run under $OUT (default /tmp/objects-bench-<time>/).
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${DUR:-10}
PRELOAD=${PRELOAD:-1000000}
SESSIONS=${SESSIONS:-32}
OUT=${OUT:-/tmp/objects-bench-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
DATA=$(mktemp -d /tmp/registry-bench-XXXXXX)
chmod 755 "$DATA"
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
EPP=$(free_port); MET=$(free_port); PG=$(free_port)
node dist/cluster/start.js --data-dir "$DATA" --epp.port="$EPP" --metrics.port="$MET" --database.embeddedPort="$PG" \
  --epp.processes="${PROCESSES:-2}" --workers.threads="${THREADS:-1}" --database.poolSize="${POOL:-16}" > "$DATA/start.log" 2>&1 &
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

# The statements of one domain:create, recorded from the flow itself (see bench/create-pgbench.ts).
node dist/bench/create-pgbench.js --db="$DB" --clid=demo-a --registrant=bench-owner > "$OUT/create.pgbench"
echo "create.pgbench: $(grep -c ';$' "$OUT/create.pgbench") statements incl. BEGIN/END (in $OUT/create.pgbench)"
for c in 4 16; do
  pgbench -n -M prepared -c $c -j 2 -T "$DUR" -f "$OUT/create.pgbench" "$DB" > "$OUT/pgbench-$c.txt" 2>&1 || { cat "$OUT/pgbench-$c.txt"; exit 1; }
  echo "pgbench create, $c clients: $(grep -E '^tps|latency average' "$OUT/pgbench-$c.txt" | tr '\n' ' ') [load $(cut -d' ' -f1 /proc/loadavg)]"
done

load() {
  local name=$1; shift
  node dist/bench/epp-load.js --credentials="$CREDS" --procs=2 --sessions="$SESSIONS" --duration="$DUR" "$@" > "$OUT/$name.txt"
  echo "epp $name: $(head -1 "$OUT/$name.txt") [load $(cut -d' ' -f1 /proc/loadavg)]"
}
load create --mix=create:100
load check1 --mix=check1:100
load check5 --mix=check5:100
load mix --mix=check1:70,info:20,create:10
echo "domains at the end: $(psql -At "$DB" -c 'SELECT count(*) FROM domains')"
