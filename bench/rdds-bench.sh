#!/usr/bin/env bash
# Issue 5's RDDS figures in one run: a fresh appliance (embedded Postgres), 1,000,000 domains
# preloaded (100,000 registrant contacts, two name servers each), then RDAP domain lookups and
# WHOIS queries, over all names (mostly cache misses) and over a hot set (cache hits), and the
# cost the RDDS cache triggers add to one domain:create, measured with pgbench with and without
# them, and a bare node:net server answering the same bytes as the baseline for WHOIS. Needs
# `npm run build`, psql and pgbench (Debian: postgresql-client) and whois.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/wait-dns-drained.sh
DUR=${DUR:-10}
PRELOAD=${PRELOAD:-1000000}
CONNS=${CONNS:-64}
RDDS_PROCS=${RDDS_PROCS:-1}
DATA=$(mktemp -d /tmp/registry-rdds-bench-XXXXXX)
chmod 755 "$DATA"
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
EPP=$(free_port); MET=$(free_port); PG=$(free_port); WHOIS=$(free_port); RDAP=$(free_port)
node dist/cluster/start.js --data-dir "$DATA" --epp.port="$EPP" --metrics.port="$MET" --database.embeddedPort="$PG" \
  --epp.processes=1 --workers.threads=1 --rdds.processes="$RDDS_PROCS" --rdds.whoisPort="$WHOIS" --rdds.rdapPort="$RDAP" \
  --rdds.rateLimitExempt=127.0.0.0/8 --rdds.cacheEntries="${CACHE:-200000}" --database.poolSize=8 > "$DATA/start.log" 2>&1 &
APP=$!
trap 'kill -INT $APP 2>/dev/null; wait $APP 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$MET/ready" >/dev/null 2>&1 && break; sleep 0.5; done
CREDS="$DATA/credentials.json"
DB=$(node -e "console.log(JSON.parse(require('fs').readFileSync('$CREDS')).database)")

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB, node $(node --version), commit $(git rev-parse --short HEAD)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
t0=$(date +%s)
# The RDDS nudges are off during the bulk load: nothing is cached yet, and 3 million notices in
# one transaction would only be dropped by the listeners.
psql -q -v ON_ERROR_STOP=1 "$DB" <<SQL
ALTER TABLE domains DISABLE TRIGGER domains_rdds;
ALTER TABLE contacts DISABLE TRIGGER contacts_rdds;
ALTER TABLE domain_hosts DISABLE TRIGGER domain_hosts_rdds;
ALTER TABLE hosts DISABLE TRIGGER hosts_rdds;
UPDATE registrars SET iana_id = 9995 + id, url = 'https://' || client_id || '.example', whois_server = 'whois.' || client_id || '.example',
       rdap_base_url = 'https://rdap.' || client_id || '.example/', abuse_email = 'abuse@' || client_id || '.example', abuse_phone = '+1.5555550199';
INSERT INTO contacts (roid, contact_id, sponsor_id, creator_id, postal_int, voice, email, auth_pw, created_at)
SELECT 'C' || nextval('roid_seq') || '-REG', 'bc' || g, r.id, r.id,
       jsonb_build_object('name', 'Bench Owner ' || g, 'org', 'Bench Org', 'street', jsonb_build_array(g || ' Bench Street'), 'city', 'Benchville', 'sp', 'BC', 'pc', '12345', 'cc', 'US'),
       '+1.5555550100', 'owner' || g || '@bench.example', 'x', now()
  FROM generate_series(1, greatest(1, $PRELOAD / 10)) g, registrars r WHERE r.client_id = 'demo-a';
INSERT INTO hosts (roid, name, sponsor_id, creator_id, created_at)
SELECT 'H' || nextval('roid_seq') || '-REG', 'ns' || g || '.bench-dns.net', r.id, r.id, now() FROM generate_series(1, 2) g, registrars r WHERE r.client_id = 'demo-a';
WITH c0 AS (SELECT min(id) AS id, count(*) AS n FROM contacts WHERE contact_id LIKE 'bc%')
INSERT INTO domains (roid, name, zone_id, sponsor_id, creator_id, registrant_id, auth_pw, created_at, expires_at)
SELECT 'D' || nextval('roid_seq') || '-REG', 'pre' || g || '.example', z.id, r.id, r.id, c0.id + (g % c0.n), '', now(), now() + interval '1 year'
  FROM generate_series(1, $PRELOAD) g, zones z, registrars r, c0 WHERE z.name = 'example' AND r.client_id = 'demo-a';
INSERT INTO domain_hosts (domain_id, host_id) SELECT d.id, h.id FROM domains d, hosts h WHERE d.name LIKE 'pre%' AND h.name LIKE 'ns_.bench-dns.net';
ALTER TABLE domains ENABLE TRIGGER domains_rdds;
ALTER TABLE contacts ENABLE TRIGGER contacts_rdds;
ALTER TABLE domain_hosts ENABLE TRIGGER domain_hosts_rdds;
ALTER TABLE hosts ENABLE TRIGGER hosts_rdds;
VACUUM ANALYZE;
SQL
echo "preloaded $PRELOAD domains in $(( $(date +%s) - t0 )) s"
wait_dns_drained "$DB"

# CPU per query from /proc, beside the throughput: on a shared machine the rate depends on what
# else runs; CPU time per query (server, Postgres, client) does much less.
TCK=$(getconf CLK_TCK)
PM=$(head -1 "$DATA/pg/pgdata/postmaster.pid")
rdds_pids() { curl -s "http://127.0.0.1:$MET/health" | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log(JSON.parse(s).children.filter(c=>c.kind==='rdds').map(c=>c.pid).join(' ')))"; }
ticks() { local t=0; for p in "$@"; do [ -r /proc/$p/stat ] && t=$(( t + $(awk '{print $14+$15}' /proc/$p/stat) )); done; echo $t; }
pg_pids() { echo "$PM $(ps -o pid= --ppid "$PM" | xargs)"; }
load() {
  local r0 p0 out r1 p1 n
  r0=$(ticks $(rdds_pids)); p0=$(ticks $(pg_pids)); s0=$(ticks $APP)
  out=$(node dist/bench/rdds-load.js --credentials="$CREDS" --connections="$CONNS" --duration="$DUR" --warmup=0 "$@")
  r1=$(ticks $(rdds_pids)); p1=$(ticks $(pg_pids)); s1=$(ticks $APP)
  n=$(echo "$out" | tail -1 | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const j=JSON.parse(s);console.log(j.totalOps, j.clientCpuMsPerQuery)})")
  set -- $n
  echo "$(echo "$out" | head -1); cpu/query: rdds $(node -e "console.log(($((r1 - r0)) * 1000 / $TCK / $1).toFixed(3))") ms, postgres $(node -e "console.log(($((p1 - p0)) * 1000 / $TCK / $1).toFixed(3))") ms, supervisor $(node -e "console.log(($((s1 - s0)) * 1000 / $TCK / $1).toFixed(3))") ms, client $2 ms"
}
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "rdap, all $PRELOAD names:  $(load --mode=rdap --range="$PRELOAD" --procs="${LOAD_PROCS:-1}")"
# The hot set is looked up once before it is measured: the point is cached answers.
load --mode=rdap --range="$PRELOAD" --hot=10000 >/dev/null
echo "rdap, hot 10000 names:     $(load --mode=rdap --range="$PRELOAD" --hot=10000 --procs="${LOAD_PROCS:-1}")"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "whois, all $PRELOAD names: $(load --mode=whois --range="$PRELOAD" --local-addresses="${LOCAL_ADDRS:-1}" --procs="${LOAD_PROCS:-1}")"
load --mode=whois --range="$PRELOAD" --hot=10000 --local-addresses="${LOCAL_ADDRS:-1}" >/dev/null
echo "whois, hot 10000 names:    $(load --mode=whois --range="$PRELOAD" --hot=10000 --local-addresses="${LOCAL_ADDRS:-1}" --procs="${LOAD_PROCS:-1}")"
# The ceiling of a TCP connection per query on this machine: a bare node:net server (one process,
# like one RDDS process) that answers every query with the bytes of a real answer and closes.
whois -h 127.0.0.1 -p "$WHOIS" pre1.example > "$DATA/answer.txt"
node dist/bench/whois-bare.js --answer="$DATA/answer.txt" > "$DATA/bare.out" &
BARE=$!
for _ in $(seq 1 50); do grep -q listening "$DATA/bare.out" 2>/dev/null && break; sleep 0.1; done
BARE_PORT=$(awk '/listening/{print $2}' "$DATA/bare.out")
b0=$(ticks $BARE)
bare=$(node dist/bench/rdds-load.js --mode=whois --port="$BARE_PORT" --connections="$CONNS" --duration="$DUR" --warmup=0 --range="$PRELOAD" --procs="${LOAD_PROCS:-1}")
b1=$(ticks $BARE)
kill $BARE; wait $BARE 2>/dev/null || true
n=$(echo "$bare" | tail -1 | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const j=JSON.parse(s);console.log(j.totalOps, j.clientCpuMsPerQuery)})")
set -- $n
echo "whois, bare node:net server ($(wc -c < "$DATA/answer.txt") byte answer): $(echo "$bare" | head -1); cpu/query: server $(node -e "console.log(($((b1 - b0)) * 1000 / $TCK / $1).toFixed(3))") ms, client $2 ms"
curl -s "http://127.0.0.1:$MET/metrics" | grep -E '^registry_(cache_(hits|misses)_total|rdds_cache_entries)\{cache="rdds_domain"' | sed 's/^/metrics: /'
for p in $(rdds_pids); do echo "rdds process $p: $(grep VmRSS /proc/$p/status | xargs)"; done

# The cost of the RDDS nudges on a write: one domain:create's statements (as objects-bench.sh),
# plus its domain_hosts rows, with the triggers on and then off.
cat > "$DATA/create.pgbench" <<'PGB'
\set n random(1, 9000000000000)
BEGIN;
SELECT nextval('roid_seq')::bigint AS roid \gset
INSERT INTO domains (roid, name, zone_id, sponsor_id, creator_id, registrant_id, auth_pw, created_at, expires_at)
  VALUES ('D' || :roid || '-REG', 'pgb' || :n || '.example', 1, 1, 1, (SELECT id FROM contacts WHERE contact_id = 'bc1'), 'Bench-auth-1', now(), now() + interval '1 year') RETURNING id AS did \gset
INSERT INTO domain_hosts (domain_id, host_id) SELECT :did, id FROM hosts WHERE name LIKE 'ns_.bench-dns.net';
INSERT INTO object_history (object_type, object_roid, at, registrar_id, sv_trid, action, snapshot)
  VALUES ('domain', 'D' || :roid || '-REG', now(), 1, 'pgbench-' || :roid, 'create', '{"name":"x","years":1}'::jsonb);
END;
PGB
triggers() { psql -q "$DB" -c "ALTER TABLE domains $1 TRIGGER domains_rdds; ALTER TABLE domain_hosts $1 TRIGGER domain_hosts_rdds; ALTER TABLE contacts $1 TRIGGER contacts_rdds;"; }
pgb() { pgbench -n -M prepared -c 4 -j 2 -T "$DUR" -f "$DATA/create.pgbench" "$DB" 2>/dev/null | grep -E '^tps|latency average' | tr '\n' ' '; }
echo "pgbench create, rdds triggers on:  $(pgb)"
triggers DISABLE
echo "pgbench create, rdds triggers off: $(pgb)"
triggers ENABLE
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
