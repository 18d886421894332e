/** Prometheus metrics of DNS publication (labels: zone names, which the operator defines and are few). */
import client from 'prom-client';

export type DnsMetrics = ReturnType<typeof createDnsMetrics>;

export interface QueueStatus { depth: number; oldestSeconds: number }

export function createDnsMetrics(registry: client.Registry) {
  const r = [registry];
  // The queue is read at scrape time (one indexed query), so a scrape never shows a stale depth.
  let source: (() => Promise<QueueStatus>) | undefined;
  let threshold = Number.POSITIVE_INFINITY;
  let last: Promise<QueueStatus | undefined> | undefined;
  const read = () => {
    if (!source) return Promise.resolve(undefined);
    // One query serves the three gauges of one scrape.
    last ??= source().catch(() => undefined).finally(() => { setTimeout(() => { last = undefined; }, 100); });
    return last;
  };
  return {
    /** Where the queue gauges read from, and the age above which the alarm is raised. */
    watchQueue(fn: () => Promise<QueueStatus>, alarmSeconds: number) { source = fn; threshold = alarmSeconds; },
    queueDepth: new client.Gauge({ name: 'registry_dns_queue_depth', help: 'Unit names with unpublished changes', registers: r, async collect() { const q = await read(); if (q) this.set(q.depth); } }),
    oldestSeconds: new client.Gauge({ name: 'registry_dns_queue_oldest_seconds', help: 'Age of the oldest unpublished change (0 when the queue is empty)', registers: r, async collect() { const q = await read(); if (q) this.set(q.oldestSeconds); } }),
    alarm: new client.Gauge({ name: 'registry_dns_alarm', help: '1 while the oldest unpublished change is older than dns.alarmSeconds', registers: r, async collect() { const q = await read(); if (q) this.set(q.oldestSeconds > threshold ? 1 : 0); } }),
    latency: new client.Histogram({
      name: 'registry_dns_publish_latency_seconds', help: 'From the change (commit of the EPP transaction) to its being applied in PowerDNS',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300], registers: r,
    }),
    serial: new client.Gauge({ name: 'registry_dns_zone_serial', help: 'Last SOA serial published per zone', labelNames: ['zone'] as const, registers: r }),
    units: new client.Counter({ name: 'registry_dns_units_published_total', help: 'Unit names rebuilt by the publisher', registers: r }),
    batches: new client.Counter({ name: 'registry_dns_batches_total', help: 'Publication transactions committed in PowerDNS', registers: r }),
    errors: new client.Counter({ name: 'registry_dns_publish_errors_total', help: 'Publication attempts that failed (retried)', registers: r }),
    drift: new client.Counter({ name: 'registry_dns_drift_corrections_total', help: 'Units, stray rows or apexes a resync found different in PowerDNS and corrected', labelNames: ['zone'] as const, registers: r }),
    leader: new client.Gauge({ name: 'registry_dns_leader', help: '1 while this process is the cluster\'s DNS publisher', registers: r }),
  };
}
