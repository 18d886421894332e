#!/usr/bin/env bats
# registry-backup and registry-restore-drill against a throwaway PostgreSQL with WAL archiving
# into a throwaway pgBackRest repository (configured from ops/pgbackrest/pgbackrest.conf).

bats_require_minimum_version 1.5.0
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

OPS="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
ROOT="$(dirname "$OPS")"
BACKUP="$OPS/bin/registry-backup"
DRILL="$OPS/bin/registry-restore-drill"

as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
sql() { as_pg "$PG_BIN/psql" -X -At -q -v ON_ERROR_STOP=1 -h "$WORK/run" -p "$PORT" -U postgres -d registry -c "$1"; }
registry() { REGISTRY_DATABASE_PRIMARY="postgres://postgres:Bats-pw-1@127.0.0.1:$PORT/registry" node "$ROOT/dist/src/cli/registry.js" --data-dir "$WORK/app" "$@"; }

# Domains d$1..d$2, each with the audit and history rows its create transaction writes.
add_domains() {
  sql "INSERT INTO domains (roid, name, zone_id, sponsor_id, creator_id, created_at, expires_at)
         SELECT 'D' || n || '-T', 'd' || n || '.example', z.id, r.id, r.id, now(), now() + interval '1 year'
           FROM zones z, registrars r, generate_series($1, $2) n"
  sql "INSERT INTO audit_log (at, sv_trid, command, object_type, object_id, result_code, duration_ms)
         SELECT now(), 'T-' || n, 'domain:create', 'domain', 'd' || n || '.example', 1000, 1 FROM generate_series($1, $2) n"
  sql "INSERT INTO object_history (object_type, object_roid, at, sv_trid, action, snapshot)
         SELECT 'domain', 'D' || n || '-T', now(), 'T-' || n, 'create', '{}' FROM generate_series($1, $2) n"
}

drill() { "$DRILL" --config "$CONF" --dir "$WORK/drills" "$@"; }

setup_file() {
  export PG_BIN; PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
  export WORK; WORK="$(mktemp -d /tmp/registry-backup-bats.XXXXXX)"
  chmod 0755 "$WORK"
  export PORT; PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  export CONF="$WORK/pgbackrest.conf"
  mkdir -p "$WORK/pg" "$WORK/run" "$WORK/repo" "$WORK/log" "$WORK/lock" "$WORK/drills" "$WORK/app"
  # The operator template, pointed at this throwaway cluster; two full backups retained.
  sed -e "s|^repo1-path=.*|repo1-path=$WORK/repo|" -e "s|^repo1-retention-full=.*|repo1-retention-full=2|" \
      -e "s|^log-path=.*|log-path=$WORK/log|" -e "s|^lock-path=.*|lock-path=$WORK/lock|" \
      -e "s|^pg1-path=.*|pg1-path=$WORK/pg|" -e "s|^pg1-port=.*|pg1-port=$PORT|" -e "s|^pg1-socket-path=.*|pg1-socket-path=$WORK/run|" \
      "$OPS/pgbackrest/pgbackrest.conf" >"$CONF"
  if [ "$(id -u)" = 0 ]; then chown -R postgres: "$WORK"; fi
  chmod 0700 "$WORK/pg"
  echo Bats-pw-1 >"$WORK/pw"
  as_pg "$PG_BIN/initdb" -D "$WORK/pg" -U postgres --pwfile "$WORK/pw" --auth-local=peer --auth-host=scram-sha-256 -E UTF8 --locale=C >/dev/null
  as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg" -l "$WORK/postgres.log" -w start -o "-p $PORT -c listen_addresses=127.0.0.1 -k $WORK/run \
    -c wal_level=replica -c archive_mode=on -c archive_command='pgbackrest --config=$CONF --stanza=registry archive-push %p'" >/dev/null
  as_pg "$PG_BIN/createdb" -h "$WORK/run" -p "$PORT" -U postgres registry
  # The registry schema and a registrar, made the way an operator makes them.
  [ -f "$ROOT/dist/src/cli/registry.js" ] || (cd "$ROOT" && npm run build --silent)
  registry db migrate >/dev/null
  registry zone add example >/dev/null
  registry registrar create bats-a --name "Bats A" --password Bats-reg-1 --ip 127.0.0.1/32 --zone example >/dev/null
}

teardown_file() {
  as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}

@test "init creates the stanza and checks WAL archiving" {
  run "$BACKUP" --config "$CONF" init
  assert_success
  assert_output --partial "stanza registry ready"
}

@test "the drill fails clearly when the repository has no backup" {
  run drill
  assert_failure
  assert_output --partial "restore-drill: FAILED"
}

@test "full then incremental backups; the drill restores everything archived since" {
  add_domains 1 40
  run "$BACKUP" --config "$CONF" full
  assert_success
  assert_output --regexp "full backup [0-9]{8}-[0-9]{6}F done"
  add_domains 41 60
  run "$BACKUP" --config "$CONF" incr
  assert_success
  assert_output --regexp "incr backup [0-9]{8}-[0-9]{6}F_[0-9]{8}-[0-9]{6}I done"
  # After the last backup: only in the WAL archive (pgbackrest check switches and archives the segment).
  add_domains 61 75
  sql "SELECT pg_switch_wal()" >/dev/null
  "$BACKUP" --config "$CONF" check
  run drill
  assert_success
  assert_line "domains=75"
  assert_line "registrars=1"
  assert_line "domains_without_their_records=0"
  assert_line --regexp "^schema_version=[0-9]+$"
  assert_line --regexp "^restore-drill: ok in [0-9]+ s$"
  # The scratch cluster is gone.
  run ls "$WORK/drills"
  assert_output ""
}

@test "point-in-time recovery stops where it is told" {
  sleep 1.1
  cut="$(sql "SELECT now()")"
  sleep 1.1
  add_domains 76 90
  sql "SELECT pg_switch_wal()" >/dev/null
  "$BACKUP" --config "$CONF" check
  run drill --target-time "$cut"
  assert_success
  assert_line "domains=75"
  run drill
  assert_success
  assert_line "domains=90"
}

@test "a standby (not the primary, as Patroni reports it) takes no backup and succeeds" {
  # Patroni answers /primary with 503 on a standby: here nothing at all listens, so no 200 either.
  run "$BACKUP" --config "$CONF" --patroni "http://127.0.0.1:9" full
  assert_success
  assert_output --partial "not the primary"
}

@test "retention keeps two full backups and their incrementals" {
  run "$BACKUP" --config "$CONF" full
  assert_success
  run "$BACKUP" --config "$CONF" full
  assert_success
  run as_pg pgbackrest --config="$CONF" --stanza=registry info --output=json
  assert_success
  fulls="$(python3 -c 'import json,sys; print(sum(1 for b in json.load(sys.stdin)[0]["backup"] if b["type"] == "full"))' <<<"$output")"
  total="$(python3 -c 'import json,sys; print(len(json.load(sys.stdin)[0]["backup"]))' <<<"$output")"
  [ "$fulls" = 2 ]
  # The first full backup and its incremental expired with it.
  [ "$total" = 2 ]
}

@test "the drill refuses a backup in which a domain lacks its records" {
  sql "INSERT INTO domains (roid, name, zone_id, sponsor_id, creator_id, created_at, expires_at)
         SELECT 'D999-T', 'orphan.example', z.id, r.id, r.id, now(), now() FROM zones z, registrars r"
  run "$BACKUP" --config "$CONF" incr
  assert_success
  run drill
  assert_failure
  assert_output --partial "1 domains lack their audit or object_history row"
}
