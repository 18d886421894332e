#!/usr/bin/env bats
# The ops/dns templates are valid configurations for the programs they are written for, and the
# managed server's generated pdns.conf is too.

setup() {
  TMP=$(mktemp -d /tmp/dns-templates.XXXXXX)
  OPS="$BATS_TEST_DIRNAME/../../ops/dns"
}
teardown() { rm -rf "$TMP"; }

@test "pdns.conf: every setting is one PowerDNS knows" {
  run pdns_server --config-dir="$OPS" --config=check
  [ "$status" -eq 0 ]
}

@test "pdns.conf: caches off and the gpgsql backend with DNSSEC, as the registry's direct writes need" {
  for k in cache-ttl=0 query-cache-ttl=0 negquery-cache-ttl=0 zone-cache-refresh-interval=0 launch=gpgsql gpgsql-dnssec=yes primary=yes; do
    grep -qx "$k" "$OPS/pdns.conf"
  done
}

@test "named-secondary.conf and named-hidden-primary.conf pass named-checkconf" {
  for f in named-secondary named-hidden-primary; do
    sed "s#/var/cache/bind#$TMP#" "$OPS/$f.conf" > "$TMP/$f.conf"
    run named-checkconf "$TMP/$f.conf"
    [ "$status" -eq 0 ] || { echo "$f: $output"; false; }
  done
}

@test "the managed server's generated pdns.conf is accepted by pdns_server" {
  node --input-type=module -e "
    import { pdnsConf } from '$BATS_TEST_DIRNAME/../../dist/src/dns/powerdns-server.js';
    import { writeFileSync } from 'node:fs';
    writeFileSync('$TMP/pdns.conf', pdnsConf({ dir: '$TMP', database: 'postgres://u:p@127.0.0.1:5432/pdns', listenHost: '127.0.0.1', listenPort: 5300, apiPort: 8053, apiKey: 'k' }));"
  run pdns_server --config-dir="$TMP" --config=check
  [ "$status" -eq 0 ]
}
