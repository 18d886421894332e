#!/usr/bin/env bash
# Per-write cost of the DNS change-queue triggers: pgbench runs the same transaction (a status
# change, an NS added and removed: three statements that each fire a queue trigger) with the
# triggers enabled and disabled, alternating. Needs a scratch database with the registry schema:
#   bench/dns-trigger-cost.sh postgres://user:pw@127.0.0.1:5432/scratch [seconds]
# It creates its own fixtures (registrar bench-x, zone bench-trig, 10,000 domains) and removes them.
set -euo pipefail
DB=${1:?database URL}
SECS=${2:-8}
PGBENCH=${PGBENCH:-$(ls /usr/lib/postgresql/*/bin/pgbench 2>/dev/null | sort -V | tail -n 1)}
q() { psql -q -v ON_ERROR_STOP=1 "$DB" "$@"; }
q <<'SQL'
INSERT INTO zones (name) VALUES ('bench-trig');
INSERT INTO registrars (client_id, name, password_hash) VALUES ('bench-x', 'Bench', 'scrypt$none');
INSERT INTO hosts (roid, name, sponsor_id, creator_id, created_at)
  SELECT 'HT' || g || '-BENCH', 'ns' || g || '.bench-provider.net', r.id, r.id, now() FROM registrars r, generate_series(1, 2) g WHERE r.client_id = 'bench-x';
INSERT INTO domains (roid, name, zone_id, sponsor_id, creator_id, created_at, expires_at)
  SELECT 'DT' || g || '-BENCH', 'd' || g || '.bench-trig', z.id, r.id, r.id, now(), now() + interval '1 year'
    FROM registrars r, zones z, generate_series(1, 10000) g WHERE r.client_id = 'bench-x' AND z.name = 'bench-trig';
INSERT INTO domain_hosts SELECT d.id, (SELECT min(id) FROM hosts WHERE name LIKE '%.bench-provider.net') FROM domains d WHERE d.name LIKE '%.bench-trig';
SQL
script=$(mktemp)
trap 'rm -f "$script"; q -c "DELETE FROM domain_hosts WHERE domain_id IN (SELECT id FROM domains WHERE name LIKE '"'"'%.bench-trig'"'"'); DELETE FROM domains WHERE name LIKE '"'"'%.bench-trig'"'"'; DELETE FROM hosts WHERE name LIKE '"'"'%.bench-provider.net'"'"'; DELETE FROM dns_changes WHERE name LIKE '"'"'%bench-trig'"'"'; DELETE FROM zones WHERE name = '"'"'bench-trig'"'"'; DELETE FROM registrars WHERE client_id = '"'"'bench-x'"'"';"' EXIT
cat > "$script" <<'SQL'
\set id random(1, 10000)
BEGIN;
UPDATE domains SET statuses = CASE WHEN statuses = '{}' THEN '{clientHold}'::text[] ELSE '{}'::text[] END, updated_at = now() WHERE name = 'd' || :id || '.bench-trig';
INSERT INTO domain_hosts SELECT id, (SELECT max(id) FROM hosts WHERE name LIKE '%.bench-provider.net') FROM domains WHERE name = 'd' || :id || '.bench-trig';
DELETE FROM domain_hosts WHERE host_id = (SELECT max(id) FROM hosts WHERE name LIKE '%.bench-provider.net') AND domain_id = (SELECT id FROM domains WHERE name = 'd' || :id || '.bench-trig');
COMMIT;
SQL
set_triggers() {
  q -c "ALTER TABLE domains $1 TRIGGER domains_dns_update; ALTER TABLE domain_hosts $1 TRIGGER domain_hosts_dns_insert; ALTER TABLE domain_hosts $1 TRIGGER domain_hosts_dns_delete;"
}
for round in 1 2 3; do
  for mode in ENABLE DISABLE; do
    set_triggers "$mode"
    printf 'round %s triggers %-7s ' "$round" "$mode"
    "$PGBENCH" -n -f "$script" -T "$SECS" -c 1 "$DB" 2>&1 | grep -E '^latency average'
  done
done
set_triggers ENABLE
