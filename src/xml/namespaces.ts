/** XML namespace URIs of EPP and the extensions the server knows (RFC 5730-5733, 3915, 5910, 8748, 8495). */
export const NS = {
  epp: 'urn:ietf:params:xml:ns:epp-1.0',
  eppcom: 'urn:ietf:params:xml:ns:eppcom-1.0',
  domain: 'urn:ietf:params:xml:ns:domain-1.0',
  host: 'urn:ietf:params:xml:ns:host-1.0',
  contact: 'urn:ietf:params:xml:ns:contact-1.0',
  rgp: 'urn:ietf:params:xml:ns:rgp-1.0',
  secDNS: 'urn:ietf:params:xml:ns:secDNS-1.1',
  fee: 'urn:ietf:params:xml:ns:epp:fee-1.0',
  allocationToken: 'urn:ietf:params:xml:ns:allocationToken-1.0',
} as const;

export type NsKey = keyof typeof NS;

/** The prefix we use for a namespace when rendering (clients must not depend on prefixes). */
export function prefixOf(uri: string): string | undefined {
  for (const [k, v] of Object.entries(NS)) if (v === uri) return k;
  return undefined;
}
