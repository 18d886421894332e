/** Prometheus metrics of DNS publication (labels: zone names, which the operator defines and are few). */
import client from 'prom-client';

export type DnsMetrics = ReturnType<typeof createDnsMetrics>;

export function createDnsMetrics(registry: client.Registry) {
  const r = [registry];
  return {
    queueDepth: new client.Gauge({ name: 'registry_dns_queue_depth', help: 'Unit names with unpublished changes', registers: r }),
    oldestSeconds: new client.Gauge({ name: 'registry_dns_queue_oldest_seconds', help: 'Age of the oldest unpublished change (0 when the queue is empty)', registers: r }),
    alarm: new client.Gauge({ name: 'registry_dns_alarm', help: '1 while the oldest unpublished change is older than dns.alarmSeconds', registers: r }),
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
