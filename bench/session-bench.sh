#!/usr/bin/env bash
# Issue 2's session-layer figures in one run, on this machine: bare TLS echo (1.5 KB frames) and
# bare handshakes as the baseline, then EPP <hello> round trips and full logins against a fresh
# appliance (embedded Postgres under a temporary data directory), and the ratio of each EPP figure
# to its baseline measured in the same round. Needs `npm run build`.
#
#   DUR=8 bash bench/session-bench.sh             # one round
#   DUR=8 REPEAT=3 bash bench/session-bench.sh    # three rounds against the same appliance
#   PROCESSES=1 THREADS=1 APPLIANCE_FLAGS="--workers.concurrentTasksPerWorker=2" bash bench/session-bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${DUR:-10}
REPEAT=${REPEAT:-1}
DATA=$(mktemp -d /tmp/registry-bench-XXXXXX)
chmod 755 "$DATA"
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
EPP=$(free_port); MET=$(free_port); PG=$(free_port)
node dist/cluster/start.js --data-dir "$DATA" --epp.port="$EPP" --metrics.port="$MET" --database.embeddedPort="$PG" \
  --epp.processes="${PROCESSES:-2}" --workers.threads="${THREADS:-1}" ${APPLIANCE_FLAGS:-} > "$DATA/start.log" 2>&1 &
APP=$!
trap 'kill -INT $APP 2>/dev/null; wait $APP 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$MET/ready" >/dev/null 2>&1 && break; sleep 0.5; done
CREDS="$DATA/credentials.json"
load() { cut -d' ' -f1-3 /proc/loadavg; }
# The throughput field of either tool's JSON line (its last line).
rate() { node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const r=JSON.parse(s.trim().split('\n').pop());console.log(r.perSecond??r.opsPerSecond)})"; }
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), node $(node --version)"
echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown); appliance: ${PROCESSES:-2} EPP processes x ${THREADS:-1} parse threads ${APPLIANCE_FLAGS:-}; ${DUR} s per figure"
for round in $(seq 1 "$REPEAT"); do
  echo "--- round $round"
  echo "load $(load)  tls-echo 32 sessions:   $(E=$(node dist/bench/tls-echo.js --sessions=32 --duration="$DUR"); echo "$E" | tail -1; echo "$E" | rate > "$DATA/echo")"
  echo "load $(load)  epp hello 32 sessions:  $(H=$(node dist/bench/epp-load.js --credentials="$CREDS" --procs=2 --sessions=32 --duration="$DUR" --mix=hello:100); echo "$H" | head -1; echo "$H" | rate > "$DATA/hello")"
  echo "load $(load)  tls-echo handshakes 16: $(E=$(node dist/bench/tls-echo.js --handshakes --sessions=16 --duration="$DUR"); echo "$E" | tail -1; echo "$E" | rate > "$DATA/hs")"
  echo "load $(load)  epp login 16 sessions:  $(L=$(node dist/bench/epp-load.js --credentials="$CREDS" --procs=2 --sessions=16 --duration="$DUR" --mix=login:100); echo "$L" | head -1; echo "$L" | rate > "$DATA/login")"
  echo "ratios: hello/echo $(( 100 * $(cat "$DATA/hello") / $(cat "$DATA/echo") ))%  login/handshakes $(( 100 * $(cat "$DATA/login") / $(cat "$DATA/hs") ))%"
done
