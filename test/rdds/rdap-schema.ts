/**
 * A JSON Schema (draft-07) of RDAP responses written from RFC 9083 (§4 common data types, §5
 * object classes, §6 errors, §7 help, §8 searches, §10.2 registered values) and RFC 9537
 * (redacted), strict on member names so a typo is an error. Tests validate every response.
 */
import AjvModule from 'ajv';
import type { ErrorObject } from 'ajv';

// RFC 9083 §10.2.2 and RFC 8056 §2: the registered status values.
const STATUS = ['validated', 'renew prohibited', 'update prohibited', 'transfer prohibited', 'delete prohibited', 'proxy', 'private', 'removed', 'obscured',
  'associated', 'active', 'inactive', 'locked', 'pending create', 'pending renew', 'pending transfer', 'pending update', 'pending delete',
  'add period', 'auto renew period', 'client delete prohibited', 'client hold', 'client renew prohibited', 'client transfer prohibited',
  'client update prohibited', 'pending restore', 'redemption period', 'renew period', 'server delete prohibited', 'server renew prohibited',
  'server transfer prohibited', 'server update prohibited', 'server hold', 'transfer period'];
// RFC 9083 §10.2.3.
const EVENTS = ['registration', 'reregistration', 'last changed', 'expiration', 'deletion', 'reinstantiation', 'transfer', 'locked', 'unlocked',
  'last update of RDAP database', 'registrar expiration', 'enum validation expiration'];
// RFC 9083 §10.2.4.
const ROLES = ['registrant', 'technical', 'administrative', 'abuse', 'billing', 'registrar', 'reseller', 'sponsor', 'proxy', 'notifications', 'noc'];
// RFC 9083 §10.2.1.
const NOTICE_TYPES = ['result set truncated due to authorization', 'result set truncated due to excessive load', 'result set truncated due to unexplainable reasons',
  'object truncated due to authorization', 'object truncated due to excessive load', 'object truncated due to unexplainable reasons', 'object redacted due to authorization'];

const schema = {
  $id: 'rdap',
  definitions: {
    link: {
      type: 'object', required: ['href'], additionalProperties: false,
      properties: { value: { type: 'string', format: 'uri' }, rel: { type: 'string' }, href: { type: 'string', format: 'uri' }, hreflang: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] }, title: { type: 'string' }, media: { type: 'string' }, type: { type: 'string' } },
    },
    links: { type: 'array', items: { $ref: 'rdap#/definitions/link' } },
    notice: {
      type: 'object', required: ['description'], additionalProperties: false,
      properties: { title: { type: 'string' }, type: { enum: NOTICE_TYPES }, description: { type: 'array', items: { type: 'string' } }, links: { $ref: 'rdap#/definitions/links' } },
    },
    notices: { type: 'array', items: { $ref: 'rdap#/definitions/notice' } },
    event: {
      type: 'object', required: ['eventAction', 'eventDate'], additionalProperties: false,
      properties: { eventAction: { enum: EVENTS }, eventActor: { type: 'string' }, eventDate: { type: 'string', format: 'date-time' }, links: { $ref: 'rdap#/definitions/links' } },
    },
    events: { type: 'array', items: { $ref: 'rdap#/definitions/event' } },
    status: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: STATUS } },
    publicIds: { type: 'array', items: { type: 'object', required: ['type', 'identifier'], additionalProperties: false, properties: { type: { type: 'string' }, identifier: { type: 'string' } } } },
    // RFC 7095 §3.3: ["vcard", [[name, params, type, value, ...], ...]].
    jcard: {
      type: 'array', minItems: 2, maxItems: 2,
      items: [
        { const: 'vcard' },
        { type: 'array', items: { type: 'array', minItems: 4, items: [{ type: 'string', pattern: '^[a-z0-9-]+$' }, { type: 'object' }, { type: 'string' }] } },
      ],
    },
    entity: {
      type: 'object', required: ['objectClassName'], additionalProperties: false,
      properties: {
        objectClassName: { const: 'entity' }, handle: { type: 'string' }, vcardArray: { $ref: 'rdap#/definitions/jcard' },
        roles: { type: 'array', items: { enum: ROLES } }, publicIds: { $ref: 'rdap#/definitions/publicIds' },
        entities: { type: 'array', items: { $ref: 'rdap#/definitions/entity' } }, remarks: { $ref: 'rdap#/definitions/notices' },
        links: { $ref: 'rdap#/definitions/links' }, events: { $ref: 'rdap#/definitions/events' }, asEventActor: { $ref: 'rdap#/definitions/events' },
        status: { $ref: 'rdap#/definitions/status' }, port43: { type: 'string' }, lang: { type: 'string' },
      },
    },
    nameserver: {
      type: 'object', required: ['objectClassName', 'ldhName'], additionalProperties: false,
      properties: {
        objectClassName: { const: 'nameserver' }, handle: { type: 'string' },
        ldhName: { type: 'string', pattern: '^[a-z0-9-]+(\\.[a-z0-9-]+)*$' }, unicodeName: { type: 'string' },
        ipAddresses: { type: 'object', additionalProperties: false, properties: { v4: { type: 'array', items: { type: 'string', format: 'ipv4' } }, v6: { type: 'array', items: { type: 'string', format: 'ipv6' } } } },
        entities: { type: 'array', items: { $ref: 'rdap#/definitions/entity' } }, status: { $ref: 'rdap#/definitions/status' },
        remarks: { $ref: 'rdap#/definitions/notices' }, links: { $ref: 'rdap#/definitions/links' }, port43: { type: 'string' }, events: { $ref: 'rdap#/definitions/events' }, lang: { type: 'string' },
      },
    },
    dsData: {
      type: 'object', required: ['keyTag', 'algorithm', 'digest', 'digestType'], additionalProperties: false,
      properties: { keyTag: { type: 'integer', minimum: 0, maximum: 65535 }, algorithm: { type: 'integer', minimum: 0, maximum: 255 }, digest: { type: 'string', pattern: '^[0-9A-Fa-f]+$' }, digestType: { type: 'integer', minimum: 0, maximum: 255 }, events: { $ref: 'rdap#/definitions/events' }, links: { $ref: 'rdap#/definitions/links' } },
    },
    secureDNS: {
      type: 'object', additionalProperties: false,
      properties: { zoneSigned: { type: 'boolean' }, delegationSigned: { type: 'boolean' }, maxSigLife: { type: 'integer', minimum: 1 }, dsData: { type: 'array', minItems: 1, items: { $ref: 'rdap#/definitions/dsData' } }, keyData: { type: 'array' } },
      // ICANN RDAP profile 2.10 (2019): a signed delegation carries its DS or key data.
      if: { properties: { delegationSigned: { const: true } } }, then: { anyOf: [{ required: ['dsData'] }, { required: ['keyData'] }] },
    },
    domain: {
      type: 'object', required: ['objectClassName', 'ldhName'], additionalProperties: false,
      properties: {
        objectClassName: { const: 'domain' }, handle: { type: 'string' },
        ldhName: { type: 'string', pattern: '^[a-z0-9-]+(\\.[a-z0-9-]+)*$' }, unicodeName: { type: 'string' }, variants: { type: 'array' },
        nameservers: { type: 'array', items: { $ref: 'rdap#/definitions/nameserver' } }, secureDNS: { $ref: 'rdap#/definitions/secureDNS' },
        entities: { type: 'array', items: { $ref: 'rdap#/definitions/entity' } }, status: { $ref: 'rdap#/definitions/status' },
        publicIds: { $ref: 'rdap#/definitions/publicIds' }, remarks: { $ref: 'rdap#/definitions/notices' }, links: { $ref: 'rdap#/definitions/links' },
        port43: { type: 'string' }, events: { $ref: 'rdap#/definitions/events' }, lang: { type: 'string' },
      },
    },
    // RFC 9537 §4.2.
    redaction: {
      type: 'object', required: ['name'], additionalProperties: false,
      properties: {
        name: { oneOf: [{ type: 'object', required: ['type'], additionalProperties: false, properties: { type: { type: 'string' } } }, { type: 'object', required: ['description'], additionalProperties: false, properties: { description: { type: 'string' } } }] },
        reason: { type: 'object', additionalProperties: false, minProperties: 1, properties: { type: { type: 'string' }, description: { type: 'string' } } },
        prePath: { type: 'string' }, postPath: { type: 'string' }, replacementPath: { type: 'string' },
        pathLang: { type: 'string' }, method: { enum: ['removal', 'emptyValue', 'partialValue', 'replacementValue'] },
      },
    },
    conformance: { type: 'array', contains: { const: 'rdap_level_0' }, items: { type: 'string', pattern: '^[a-z0-9_]+$' }, uniqueItems: true },
  },
};

/** The members only the topmost object carries (RFC 9083 §4.1, §4.3; RFC 9537 §4). */
const TOP = { rdapConformance: { $ref: 'rdap#/definitions/conformance' }, notices: { $ref: 'rdap#/definitions/notices' }, redacted: { type: 'array', items: { $ref: 'rdap#/definitions/redaction' } } };

export type RdapKind = 'domain' | 'nameserver' | 'entity' | 'error' | 'help' | 'domainSearch' | 'nameserverSearch' | 'entitySearch';

const Ajv = AjvModule.default ?? (AjvModule as unknown as typeof AjvModule.default);
// jCard properties are open-ended tuples (name, params, type, value, ...): strict on everything else.
const ajv = new Ajv({ strict: true, strictTuples: false, strictRequired: false, allErrors: true, formats: {
  uri: (s: string) => { try { return !!new URL(s); } catch { return false; } },
  'date-time': (s: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)),
  ipv4: /^(\d{1,3}\.){3}\d{1,3}$/,
  ipv6: (s: string) => s.includes(':') && /^[0-9a-f:.]+$/i.test(s),
} });
ajv.addSchema(schema);

function objectTop(def: 'domain' | 'nameserver' | 'entity') {
  const d = (schema.definitions as unknown as Record<string, { properties: Record<string, unknown>; required?: string[] }>)[def]!;
  return { type: 'object', additionalProperties: false, required: ['rdapConformance', ...(d.required ?? [])], properties: { ...TOP, ...d.properties } };
}

const validators: Record<RdapKind, ReturnType<typeof ajv.compile>> = {
  domain: ajv.compile(objectTop('domain')),
  nameserver: ajv.compile(objectTop('nameserver')),
  entity: ajv.compile(objectTop('entity')),
  // RFC 9083 §6.
  error: ajv.compile({ type: 'object', additionalProperties: false, required: ['errorCode'], properties: { rdapConformance: TOP.rdapConformance, notices: TOP.notices, errorCode: { type: 'integer', minimum: 400, maximum: 599 }, title: { type: 'string' }, description: { type: 'array', items: { type: 'string' } }, lang: { type: 'string' } } }),
  // RFC 9083 §7.
  help: ajv.compile({ type: 'object', additionalProperties: false, required: ['rdapConformance', 'notices'], properties: { ...TOP } }),
  // RFC 9083 §8.
  domainSearch: ajv.compile({ type: 'object', additionalProperties: false, required: ['rdapConformance', 'domainSearchResults'], properties: { ...TOP, port43: { type: 'string' }, domainSearchResults: { type: 'array', items: { $ref: 'rdap#/definitions/domain' } } } }),
  nameserverSearch: ajv.compile({ type: 'object', additionalProperties: false, required: ['rdapConformance', 'nameserverSearchResults'], properties: { ...TOP, port43: { type: 'string' }, nameserverSearchResults: { type: 'array', items: { $ref: 'rdap#/definitions/nameserver' } } } }),
  entitySearch: ajv.compile({ type: 'object', additionalProperties: false, required: ['rdapConformance', 'entitySearchResults'], properties: { ...TOP, port43: { type: 'string' }, entitySearchResults: { type: 'array', items: { $ref: 'rdap#/definitions/entity' } } } }),
};

export function rdapSchemaErrors(body: unknown, kind: RdapKind): ErrorObject[] {
  const v = validators[kind];
  return v(body) ? [] : [...(v.errors ?? [])];
}

export function assertValidRdap(body: unknown, kind: RdapKind): void {
  const errors = rdapSchemaErrors(body, kind);
  if (errors.length) throw new Error(`RDAP ${kind} response is not valid per RFC 9083: ${ajv.errorsText(errors)}\n${JSON.stringify(body, null, 1).slice(0, 4000)}`);
}
