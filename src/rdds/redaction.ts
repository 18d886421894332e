/**
 * What of a contact WHOIS and RDAP may show: the zone's policy (`rdds*` keys of ZonePolicy) and
 * the contact's own disclose flags (RFC 5733 §2.9) decide per field. State/province and country
 * are always shown (Registration Data Policy); the rest of the address goes with "addr".
 */
import type { ZonePolicy } from '../registry/zone-cache.js';
import type { PostalInfo } from '../proto/index.js';
import type { ContactRecord } from './data.js';

export type ContactField = 'handle' | 'name' | 'org' | 'street' | 'city' | 'pc' | 'voice' | 'voiceExt' | 'fax' | 'faxExt' | 'email';

/** The personal fields of the Registration Data Policy (organisation only when the zone says so). */
const PERSONAL: readonly ContactField[] = ['handle', 'name', 'street', 'city', 'pc', 'voice', 'voiceExt', 'fax', 'faxExt', 'email'];

/** Disclose element names (contact-1.0: name/org/addr typed int|loc) → the fields they govern. */
function fieldsOf(discloseField: string, postalType: 'int' | 'loc'): ContactField[] {
  switch (discloseField) {
    case `name_${postalType}`: return ['name'];
    case `org_${postalType}`: return ['org'];
    case `addr_${postalType}`: return ['street', 'city', 'pc'];
    case 'voice': return ['voice', 'voiceExt'];
    case 'fax': return ['fax', 'faxExt'];
    case 'email': return ['email'];
    default: return [];
  }
}

export type RddsPolicy = Pick<ZonePolicy, 'rddsRedaction' | 'rddsHonourDisclose' | 'rddsRedactOrganization' | 'rddsContactFormUrl'>;

export interface ContactView {
  handle: string; name: string; org?: string; street: string[]; city: string; sp?: string; pc?: string; cc: string;
  voice?: string; voiceExt?: string; fax?: string; faxExt?: string; email: string;
  /** Fields withheld: their values above must not be shown. */
  redacted: ReadonlySet<ContactField>;
  /** Where to reach the contact when its email is withheld (a web form or the registrar). */
  contactUri?: string;
  /** The contact form came from the zone's policy (WHOIS shows it in place of the email). */
  contactForm: boolean;
}

/** Which fields of this contact the policy withholds. */
export function redactedFields(c: ContactRecord, policy: RddsPolicy): Set<ContactField> {
  const postalType = c.postalInt ? 'int' : 'loc';
  const out = new Set<ContactField>();
  if (policy.rddsRedaction === 'personal') {
    for (const f of PERSONAL) out.add(f);
    if (policy.rddsRedactOrganization) out.add('org');
    // flag=1: the contact consented to publishing these (RFC 5733 §2.9).
    if (policy.rddsHonourDisclose && c.disclose?.flag) for (const d of c.disclose.fields) for (const f of fieldsOf(d, postalType)) out.delete(f);
  } else if (policy.rddsHonourDisclose && c.disclose && !c.disclose.flag) {
    // flag=0: the contact asked that these not be published.
    for (const d of c.disclose.fields) for (const f of fieldsOf(d, postalType)) out.add(f);
  }
  return out;
}

const fill = (template: string, vars: Record<string, string>) =>
  template.replace(/\{(domain|role|handle)\}/g, (_, k: string) => encodeURIComponent(vars[k] ?? ''));

/** The contact as shown: withheld fields still carry their values here only in `redacted`'s keys, never to output. */
export function viewContact(c: ContactRecord, policy: RddsPolicy, ctx: { domain?: string; role?: string; registrarUrl?: string } = {}): ContactView {
  const p: PostalInfo = (c.postalInt ?? c.postalLoc)!;
  const redacted = redactedFields(c, policy);
  const form = policy.rddsContactFormUrl ? fill(policy.rddsContactFormUrl, { domain: ctx.domain ?? '', role: ctx.role ?? '', handle: c.roid }) : undefined;
  const contactUri = redacted.has('email') ? form ?? ctx.registrarUrl : undefined;
  return {
    handle: c.roid, name: p.name, ...(p.org ? { org: p.org } : {}), street: p.street ?? [], city: p.city,
    ...(p.sp ? { sp: p.sp } : {}), ...(p.pc ? { pc: p.pc } : {}), cc: p.cc.toUpperCase(),
    ...(c.voice ? { voice: c.voice } : {}), ...(c.voiceExt ? { voiceExt: c.voiceExt } : {}),
    ...(c.fax ? { fax: c.fax } : {}), ...(c.faxExt ? { faxExt: c.faxExt } : {}),
    email: c.email, redacted, ...(contactUri ? { contactUri } : {}), contactForm: !!form && redacted.has('email'),
  };
}

/**
 * The policy for a contact looked up on its own (RDAP /entity/ROID): contacts belong to the
 * registry, not to one zone, so the strictest of the zones applies.
 */
export function strictestPolicy(policies: Iterable<RddsPolicy>, fallback: RddsPolicy): RddsPolicy {
  let out: RddsPolicy | undefined;
  for (const p of policies) {
    if (!out) { out = { ...p }; continue; }
    if (p.rddsRedaction === 'personal') out.rddsRedaction = 'personal';
    if (p.rddsRedactOrganization) out.rddsRedactOrganization = true;
    // Under 'none', honouring flag=0 withholds more; under 'personal', honouring flag=1 shows more.
    if (out.rddsRedaction === 'personal') out.rddsHonourDisclose = out.rddsHonourDisclose && p.rddsHonourDisclose;
    else out.rddsHonourDisclose = out.rddsHonourDisclose || p.rddsHonourDisclose;
    if (!out.rddsContactFormUrl) out.rddsContactFormUrl = p.rddsContactFormUrl;
  }
  return out ?? fallback;
}
