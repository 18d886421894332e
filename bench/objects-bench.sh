#!/usr/bin/env bash
# Issue 3's object-command figures in one run: a fresh appliance (embedded Postgres), 1,000,000
# domains preloaded, then pgbench executing the SQL one domain:create performs (the same
# statements as src/epp/flows/domain/domain-create.ts, in one transaction, prepared, with
# synchronous commit on), then EPP create-only, check (1 and 5 names) and a 70/20/10 mix over
# 32 sessions. Needs `npm run build`, psql and pgbench (Debian: postgresql-client).
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${DUR:-10}
PRELOAD=${PRELOAD:-1000000}
DATA=$(mktemp -d /tmp/registry-bench-XXXXXX)
chmod 755 "$DATA"
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
EPP=$(free_port); MET=$(free_port); PG=$(free_port)
node dist/cluster/start.js --data-dir "$DATA" --epp.port="$EPP" --metrics.port="$MET" --database.embeddedPort="$PG" \
  --epp.processes="${PROCESSES:-2}" --workers.threads="${THREADS:-1}" --database.poolSize=16 > "$DATA/start.log" 2>&1 &
APP=$!
trap 'kill -INT $APP 2>/dev/null; wait $APP 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$MET/ready" >/dev/null 2>&1 && break; sleep 0.5; done
CREDS="$DATA/credentials.json"
DB=$(node -e "console.log(JSON.parse(require('fs').readFileSync('$CREDS')).database)")

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), node $(node --version)"
t0=$(date +%s)
psql -q "$DB" <<SQL
INSERT INTO contacts (roid, contact_id, sponsor_id, creator_id, postal_int, email, auth_pw, created_at)
SELECT 'C' || nextval('roid_seq') || '-REG', 'bench-owner', r.id, r.id, '{"name":"Bench","city":"Bench","cc":"US"}', 'bench@example.net', 'x', now()
  FROM registrars r WHERE r.client_id = 'demo-a';
INSERT INTO domains (roid, name, zone_id, sponsor_id, creator_id, registrant_id, auth_pw, created_at, expires_at)
SELECT 'D' || nextval('roid_seq') || '-REG', 'pre' || g || '.example', z.id, r.id, r.id, c.id, '', now(), now() + interval '1 year'
  FROM generate_series(1, $PRELOAD) g, zones z, registrars r, contacts c
 WHERE z.name = 'example' AND r.client_id = 'demo-a' AND c.contact_id = 'bench-owner';
VACUUM ANALYZE;
SQL
echo "preloaded $PRELOAD domains in $(( $(date +%s) - t0 )) s"

# The statements of one domain:create (registrant, no name servers), as the flow runs them.
cat > "$DATA/create.pgbench" <<'PGB'
\set n random(1, 9000000000000)
BEGIN;
SELECT 1 FROM registrar_zones WHERE registrar_id = 1 AND zone_id = 1;
SELECT id, contact_id FROM contacts WHERE contact_id = ANY(ARRAY['bench-owner']);
SELECT nextval('roid_seq')::bigint AS roid \gset
INSERT INTO domains (roid, name, zone_id, sponsor_id, creator_id, registrant_id, auth_pw, created_at, expires_at)
  VALUES ('D' || :roid || '-REG', 'pgb' || :n || '.example', 1, 1, 1, (SELECT id FROM contacts WHERE contact_id = 'bench-owner'), 'Bench-auth-1', now(), now() + interval '1 year') RETURNING id;
INSERT INTO object_history (object_type, object_roid, at, registrar_id, sv_trid, action, snapshot)
  VALUES ('domain', 'D' || :roid || '-REG', now(), 1, 'pgbench-' || :roid, 'create', '{"name":"x","years":1}'::jsonb);
INSERT INTO audit_log (at, registrar_id, client_id, client_ip, channel, cl_trid, sv_trid, command, object_type, object_id, result_code, duration_ms, request)
  VALUES (now(), 1, 'demo-a', '127.0.0.1', 'epp', NULL, 'pgbench-' || :roid, 'domain:create', 'domain', 'pgb' || :n || '.example', 1000, 1.0, '<epp/>');
END;
PGB
for c in 4 16; do
  echo "pgbench create, $c clients: $(pgbench -n -M prepared -c $c -j 2 -T "$DUR" -f "$DATA/create.pgbench" "$DB" 2>/dev/null | grep -E '^tps|latency average' | tr '\n' ' ')"
done

load() { node dist/bench/epp-load.js --credentials="$CREDS" --procs=2 --sessions=32 --duration="$DUR" "$@" | head -1; }
echo "epp create-only:  $(load --mix=create:100)"
echo "epp check 1 name: $(load --mix=check1:100)"
echo "epp check 5 names: $(load --mix=check5:100)"
echo "epp mix 70/20/10: $(load --mix=check1:70,info:20,create:10)"
