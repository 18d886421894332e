#!/usr/bin/env bats
# ops/dns/dnssec-rollover.sh against a real pdnsutil and a throwaway PostgreSQL with PowerDNS's
# gpgsql schema: every stage, and the guards that keep a zone from losing its signing key.

setup_file() {
  export WORK=$(mktemp -d /tmp/rollover-bats.XXXXXX)
  chmod 755 "$WORK"
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  export PGPORT=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
  RUN=""
  if [ "$(id -u)" = 0 ]; then chown postgres "$WORK"; RUN="runuser -u postgres --"; fi
  $RUN "$PGBIN/initdb" -D "$WORK/pg" -U postgres --auth=trust >/dev/null
  $RUN "$PGBIN/pg_ctl" -D "$WORK/pg" -o "-p $PGPORT -k $WORK -c listen_addresses=127.0.0.1" -l "$WORK/pg.log" -w start >/dev/null
  psql -q -h 127.0.0.1 -p "$PGPORT" -U postgres -c 'CREATE DATABASE pdns'
  psql -q -h 127.0.0.1 -p "$PGPORT" -U postgres pdns -f /usr/share/pdns-backend-pgsql/schema/schema.pgsql.sql
  mkdir -p "$WORK/pdns"
  cat > "$WORK/pdns/pdns.conf" <<CONF
launch=gpgsql
gpgsql-host=127.0.0.1
gpgsql-port=$PGPORT
gpgsql-user=postgres
gpgsql-dbname=pdns
gpgsql-dnssec=yes
default-ksk-algorithm=ecdsa256
default-zsk-algorithm=
CONF
  pdnsutil --config-dir="$WORK/pdns" create-zone example ns1.nic.example >/dev/null 2>&1
  pdnsutil --config-dir="$WORK/pdns" secure-zone example >/dev/null 2>&1
}

teardown_file() {
  RUN=""
  [ "$(id -u)" = 0 ] && RUN="runuser -u postgres --"
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  $RUN "$PGBIN/pg_ctl" -D "$WORK/pg" -m immediate -w stop >/dev/null || true
  rm -rf "$WORK"
}

roll() { "$BATS_TEST_DIRNAME/../../ops/dns/dnssec-rollover.sh" --config-dir "$WORK/pdns" "$@"; }
key_state() { roll status example | awk -v id="$1" '$1 == id { print $3 "/" $4 }'; }

@test "status lists the zone's algorithm 13 key and its DS (digest type 2)" {
  run roll status example
  [ "$status" -eq 0 ]
  [[ "$output" =~ "1 "[0-9]+" Active Published CSK 13" ]]
  [[ "$output" =~ "example. IN DS "[0-9]+" 13 2 " ]]
}

@test "start adds a published, inactive key and prints its DS" {
  run roll start example
  [ "$status" -eq 0 ]
  [[ "$output" =~ "new key ID 2 " ]]
  [[ "$output" =~ "IN DS "[0-9]+" 13 2 " ]]
  [ "$(key_state 2)" = "Inactive/Published" ]
  [ "$(key_state 1)" = "Active/Published" ]
}

@test "a second start is refused while a rollover is under way" {
  run roll start example
  [ "$status" -eq 1 ]
  [[ "$output" =~ "already under way" ]]
}

@test "finish refuses to remove the key that still signs" {
  run roll finish example 1
  [ "$status" -eq 1 ]
  [[ "$output" =~ "still active" ]]
  [ "$(key_state 1)" = "Active/Published" ]
}

@test "activate swaps the signing key; the old one stays published" {
  run roll activate example 2 1
  [ "$status" -eq 0 ]
  [ "$(key_state 2)" = "Active/Published" ]
  [ "$(key_state 1)" = "Inactive/Published" ]
}

@test "activate refuses an unknown or already active key" {
  run roll activate example 9 2
  [ "$status" -eq 1 ]
  [[ "$output" =~ "no key with ID 9" ]]
  run roll activate example 2 1
  [ "$status" -eq 1 ]
  [[ "$output" =~ "already active" ]]
}

@test "finish removes the old key; ds shows only the new one" {
  run roll finish example 1
  [ "$status" -eq 0 ]
  [ -z "$(key_state 1)" ]
  run roll ds example
  [ "$status" -eq 0 ]
  [ "$(grep -c ' IN DS ' <<<"$output")" -eq 1 ]
  [[ "$output" =~ "DNSKEY 257 3 13 " ]]
}

@test "an unknown zone or stage is a clear error" {
  run roll status nosuchzone
  [ "$status" -eq 1 ]
  [[ "$output" =~ "no zone nosuchzone" ]]
  run roll frobnicate example
  [ "$status" -eq 64 ]
}
