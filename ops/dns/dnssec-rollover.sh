#!/usr/bin/env bash
# Rolls a zone's signing key in PowerDNS by pre-publication (RFC 6781 §4.1.2, RFC 7583 §3.3.1),
# algorithm 13 (ECDSAP256SHA256, RFC 6605), one stage per invocation so an operator (or a timer)
# can wait the TTLs and the parent's DS change between stages:
#
#   status ZONE                 keys with their IDs, tags, state; the DS set for the parent
#   start ZONE                  add a new key, published but not signing; prints its DS for the parent
#   activate ZONE NEW OLD       after the parent serves NEW's DS and the DS TTL has passed:
#                               NEW signs, OLD stays published (no cached signature loses its key)
#   finish ZONE OLD             after the largest signature TTL: remove OLD; the parent removes its DS
#   ds ZONE                     DS (digest 2, RFC 4509) and DNSKEY records to give the parent
#
# Options: --config-dir DIR (PowerDNS configuration, default /etc/powerdns), PDNSUTIL=path.
set -euo pipefail

PDNSUTIL=${PDNSUTIL:-pdnsutil}
CONFIG_DIR=/etc/powerdns

die() { echo "dnssec-rollover: $*" >&2; exit 1; }
usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 64; }

while [ $# -gt 0 ]; do
  case "$1" in
    --config-dir) CONFIG_DIR=${2:?--config-dir needs a directory}; shift 2 ;;
    --config-dir=*) CONFIG_DIR=${1#*=}; shift ;;
    -h|--help) usage ;;
    *) break ;;
  esac
done
[ $# -ge 2 ] || usage
stage=$1 zone=$2
shift 2

pu() { "$PDNSUTIL" --config-dir="$CONFIG_DIR" "$@"; }

# One line per key: "ID TAG STATE PUBLISHED" from pdnsutil show-zone.
keys() {
  pu show-zone "$zone" 2>/dev/null | sed -n 's/^ID = \([0-9]*\) (\([A-Z]*\)), flags = [0-9]*, tag = \([0-9]*\), algo = \([0-9]*\).*\t *\(Active\|Inactive\)\t *\(Published\|Unpublished\).*/\1 \3 \5 \6 \2 \4/p'
}
key_field() { keys | awk -v id="$1" -v f="$2" '$1 == id { print $f }'; }
need_key() { [ -n "$(key_field "$1" 1)" ] || die "zone $zone has no key with ID $1"; }

pu list-zones 2>/dev/null | grep -qx "$zone\.\?" || pu show-zone "$zone" >/dev/null 2>&1 || die "no zone $zone in PowerDNS"

case "$stage" in
  status)
    echo "ID TAG STATE PUBLISHED TYPE ALGORITHM"
    keys
    echo
    pu export-zone-ds "$zone" 2>/dev/null | grep ' 13 2 \| IN DS [0-9]* [0-9]* 2 ' || true
    ;;
  start)
    [ "$#" -eq 0 ] || usage
    active=$(keys | awk '$3 == "Active"' | wc -l)
    [ "$active" -ge 1 ] || die "zone $zone has no active key: secure it first (pdnsutil secure-zone $zone)"
    pending=$(keys | awk '$3 == "Inactive" && $4 == "Published"' | wc -l)
    [ "$pending" -eq 0 ] || die "a rollover is already under way (an inactive published key exists): run activate or finish"
    id=$(pu add-zone-key "$zone" ksk inactive published ecdsa256 2>/dev/null | tail -n 1 | tr -dc 0-9)
    [ -n "$id" ] || die "pdnsutil add-zone-key gave no key ID"
    tag=$(key_field "$id" 2)
    echo "new key ID $id (tag $tag) published, not signing"
    echo "give the parent this DS, then wait for its TTL before: $0 activate $zone $id OLD_ID"
    pu export-zone-ds "$zone" 2>/dev/null | grep " IN DS $tag 13 2 " || die "no DS for the new key"
    ;;
  activate)
    [ "$#" -eq 2 ] || usage
    new=$1 old=$2
    [ "$new" != "$old" ] || die "the new and old key are the same"
    need_key "$new"; need_key "$old"
    [ "$(key_field "$new" 3)" = Inactive ] || die "key $new is already active"
    [ "$(key_field "$new" 4)" = Published ] || die "key $new is not published: it must be in the DNSKEY set before it signs"
    [ "$(key_field "$old" 3)" = Active ] || die "key $old is not the active key"
    pu activate-zone-key "$zone" "$new" >/dev/null
    pu deactivate-zone-key "$zone" "$old" >/dev/null
    echo "key $new signs $zone; key $old stays published until: $0 finish $zone $old"
    ;;
  finish)
    [ "$#" -eq 1 ] || usage
    old=$1
    need_key "$old"
    [ "$(key_field "$old" 3)" = Inactive ] || die "key $old is still active: activate the new key first"
    others=$(keys | awk -v id="$old" '$1 != id && $3 == "Active"' | wc -l)
    [ "$others" -ge 1 ] || die "removing key $old would leave $zone without an active key"
    pu remove-zone-key "$zone" "$old" >/dev/null
    echo "key $old removed from $zone; ask the parent to remove its DS"
    ;;
  ds)
    [ "$#" -eq 0 ] || usage
    pu export-zone-ds "$zone" 2>/dev/null | grep -E ' IN DS [0-9]+ [0-9]+ 2 '
    for id in $(keys | awk '$3 == "Active" { print $1 }'); do pu export-zone-dnskey "$zone" "$id" 2>/dev/null; done
    ;;
  *) usage ;;
esac
