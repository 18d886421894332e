/** IPv4/IPv6 CIDR allow-lists (ipaddr.js), with IPv4-mapped IPv6 addresses matched as IPv4. */
import ipaddr from 'ipaddr.js';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

export class AllowList {
  private readonly ranges: Range[];

  constructor(cidrs: readonly string[]) {
    this.ranges = cidrs.map((c) => ipaddr.parseCIDR(c));
  }

  get size(): number { return this.ranges.length; }

  has(address: string): boolean {
    let addr: ipaddr.IPv4 | ipaddr.IPv6;
    try { addr = ipaddr.process(address); } catch { return false; }
    for (const [net, bits] of this.ranges) {
      if (addr.kind() === net.kind() && addr.match(net as never, bits)) return true;
    }
    return false;
  }
}

export function isValidCidr(cidr: string): boolean {
  try { ipaddr.parseCIDR(cidr); return true; } catch { return false; }
}
