// RDAP load for k6 (https://k6.io), for operators who prefer it to bench/rdds-load.ts:
//   k6 run -e BASE=https://rdap.nic.example/rdap/ -e RANGE=1000000 -e RATE=5000 bench/k6/rdap.js
// Looks up random names pre<n>.<ZONE> (as bench/rdds-bench.sh preloads them) at a constant arrival
// rate, so a slow server shows as latency rather than as fewer requests (no coordinated omission).
// Point it only at a server you run, and exempt the load generator from the rate limit
// (rdds.rateLimitExempt), or it measures 429s.
import http from 'k6/http';
import { check } from 'k6';

const BASE = __ENV.BASE || 'http://127.0.0.1:7480/rdap/';
const RANGE = Number(__ENV.RANGE || 1000000);
const HOT = Number(__ENV.HOT || RANGE);
const ZONE = __ENV.ZONE || 'example';
const RATE = Number(__ENV.RATE || 5000);

export const options = {
  discardResponseBodies: false,
  scenarios: {
    lookups: {
      executor: 'constant-arrival-rate',
      rate: RATE,
      timeUnit: '1s',
      duration: __ENV.DURATION || '30s',
      preAllocatedVUs: Number(__ENV.VUS || 200),
      maxVUs: Number(__ENV.MAX_VUS || 1000),
    },
  },
  thresholds: {
    // The targets of issue 5: at least RATE lookups per second with p99 under 20 ms.
    http_req_duration: ['p(99)<20'],
    http_req_failed: ['rate<0.001'],
    checks: ['rate>0.999'],
  },
};

export default function () {
  const n = 1 + Math.floor(Math.random() * HOT);
  const res = http.get(`${BASE}domain/pre${n}.${ZONE}`, { headers: { accept: 'application/rdap+json' }, tags: { name: 'domain' } });
  check(res, {
    'status 200': (r) => r.status === 200,
    'rdap+json': (r) => (r.headers['Content-Type'] || '').startsWith('application/rdap+json'),
    'CORS': (r) => r.headers['Access-Control-Allow-Origin'] === '*',
    'is the domain': (r) => r.status === 200 && r.json('ldhName') === `pre${n}.${ZONE}`,
  });
}
