#!/usr/bin/env bash
# Issue 2's session-layer figures in one run, on this machine: bare TLS echo (1.5 KB frames) and
# bare handshakes as the baseline, then EPP <hello> round trips and full logins against a fresh
# appliance (embedded Postgres under a temporary data directory). Needs `npm run build`.
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${DUR:-10}
DATA=$(mktemp -d /tmp/registry-bench-XXXXXX)
chmod 755 "$DATA"
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
EPP=$(free_port); MET=$(free_port); PG=$(free_port)
node dist/cluster/start.js --data-dir "$DATA" --epp.port="$EPP" --metrics.port="$MET" --database.embeddedPort="$PG" \
  --epp.processes="${PROCESSES:-2}" --workers.threads="${THREADS:-1}" > "$DATA/start.log" 2>&1 &
APP=$!
trap 'kill -INT $APP 2>/dev/null; wait $APP 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$MET/ready" >/dev/null 2>&1 && break; sleep 0.5; done
CREDS="$DATA/credentials.json"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), node $(node --version)"
echo "tls-echo 32 sessions:   $(node dist/bench/tls-echo.js --sessions=32 --duration="$DUR" | tail -1)"
echo "epp hello 32 sessions:  $(node dist/bench/epp-load.js --credentials="$CREDS" --procs=2 --sessions=32 --duration="$DUR" --mix=hello:100 | head -1)"
echo "tls-echo handshakes 16: $(node dist/bench/tls-echo.js --handshakes --sessions=16 --duration="$DUR" | tail -1)"
echo "epp login 16 sessions:  $(node dist/bench/epp-load.js --credentials="$CREDS" --procs=2 --sessions=16 --duration="$DUR" --mix=login:100 | head -1)"
