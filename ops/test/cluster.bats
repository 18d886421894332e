#!/usr/bin/env bats
# registry-cluster against a throwaway two-node Patroni cluster (one etcd member) on loopback:
# render, bootstrap, join, status, switchover, sync, stop; and the haproxy template.

bats_require_minimum_version 1.5.0
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

OPS="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
CLUSTER="$OPS/bin/registry-cluster"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# write_env N: the env file of node N (ops/bin/loopback-cluster-env, with this file's names).
write_env() {
  "$OPS/bin/loopback-cluster-env" "$1" "$WORK" "$ETCD_CLIENT" "$ETCD_PEER" CLUSTER_NAME=bats-registry \
    SHARED_BUFFERS=32MB MAX_CONNECTIONS=50 APP_PASSWORD=Bats-app-1 >"$WORK/pg$1.env"
}

setup_file() {
  export WORK; WORK="$(mktemp -d /tmp/registry-cluster-bats.XXXXXX)"
  chmod 0755 "$WORK"
  export ETCD_CLIENT ETCD_PEER; ETCD_CLIENT="$(free_port)"; ETCD_PEER="$(free_port)"
  write_env 1
  write_env 2
}

teardown_file() {
  "$CLUSTER" --env "$WORK/pg2.env" stop >/dev/null 2>&1 || true
  "$CLUSTER" --env "$WORK/pg1.env" stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}

members() { "$CLUSTER" --env "$WORK/pg1.env" status --json | python3 -c 'import json,sys; print(" ".join(m["Member"] + "=" + m["Role"] for m in sorted(json.load(sys.stdin), key=lambda m: m["Member"])))'; }

@test "render fills every placeholder and keeps synchronous mode on, not strict" {
  run "$CLUSTER" --env "$WORK/pg1.env" render
  assert_success
  refute_output --regexp '@[A-Z_]+@'
  run python3 -c 'import sys, yaml; d = yaml.safe_load(sys.stdin)["bootstrap"]["dcs"]; print(d["synchronous_mode"], d["synchronous_mode_strict"], d["primary_start_timeout"])' <<<"$output"
  assert_output "True False 0"
}

@test "render refuses an environment without a required secret" {
  grep -v '^REPLICATION_PASSWORD=' "$WORK/pg1.env" >"$WORK/broken.env"
  run "$CLUSTER" --env "$WORK/broken.env" render
  assert_failure
  assert_output --partial "REPLICATION_PASSWORD is not set"
}

@test "bootstrap makes node 1 the leader with the application database" {
  run "$CLUSTER" --env "$WORK/pg1.env" bootstrap
  assert_success
  assert_output --partial "pg1 leads cluster bats-registry"
  . "$WORK/pg1.env"
  run env PGPASSWORD=Bats-app-1 psql -X -At -h 127.0.0.1 -p "$PG_PORT" -U registry -d registry -c 'SELECT current_user'
  assert_output registry
}

@test "join makes node 2 the synchronous standby" {
  run "$CLUSTER" --env "$WORK/pg2.env" join
  assert_success
  run members
  assert_output "pg1=Leader pg2=Sync Standby"
}

@test "switchover moves the primary to the synchronous standby and back" {
  run "$CLUSTER" --env "$WORK/pg1.env" switchover
  assert_success
  assert_output --partial "switched over from pg1 to pg2"
  run "$CLUSTER" --env "$WORK/pg1.env" switchover --to pg1
  assert_success
  assert_output --partial "switched over from pg2 to pg1"
  # pg2 follows again (as the synchronous standby once it has caught up).
  for _ in $(seq 1 60); do [ "$(members)" = "pg1=Leader pg2=Sync Standby" ] && break; sleep 1; done
  run members
  assert_output "pg1=Leader pg2=Sync Standby"
}

@test "sync off makes the standby asynchronous; sync on restores it" {
  run "$CLUSTER" --env "$WORK/pg1.env" sync off
  assert_success
  for _ in $(seq 1 30); do [ "$(members)" = "pg1=Leader pg2=Replica" ] && break; sleep 1; done
  run members
  assert_output "pg1=Leader pg2=Replica"
  run "$CLUSTER" --env "$WORK/pg1.env" sync on
  assert_success
  for _ in $(seq 1 30); do [ "$(members)" = "pg1=Leader pg2=Sync Standby" ] && break; sleep 1; done
  run members
  assert_output "pg1=Leader pg2=Sync Standby"
}

@test "stop ends Patroni, Postgres and etcd" {
  run "$CLUSTER" --env "$WORK/pg2.env" stop
  assert_success
  run "$CLUSTER" --env "$WORK/pg1.env" stop
  assert_success
  [ ! -f "$WORK/pg1/data/postmaster.pid" ]
  [ ! -f "$WORK/pg2/data/postmaster.pid" ]
  [ ! -f "$WORK/pg1/run/registry-cluster-etcd.pid" ]
}

@test "the haproxy template is a valid configuration" {
  run haproxy -c -f "$OPS/haproxy/haproxy.cfg"
  assert_success
}
