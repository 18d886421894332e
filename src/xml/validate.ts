/**
 * Parses EPP bytes with libxml2 (WebAssembly) and validates them against the RFC schemas in
 * xsd/. Runs on worker threads: CPU work only, no I/O after the schemas are loaded.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ParseOption, XmlDocument, XmlElement, XmlValidateError, XsdValidator } from 'libxml2-wasm';
import { xmlRegisterFsInputProviders } from 'libxml2-wasm/lib/nodejs.mjs';
import { messageFor, type ErrValue, type Failure } from '../epp/result.js';
import { NS } from './namespaces.js';

/** Where the schemas live, both when running from src/ (tests) and dist/src/ (runtime). */
export function xsdDir(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  for (const dir of [join(here, 'xsd'), join(here, '../../../src/xml/xsd')]) {
    if (existsSync(join(dir, 'all.xsd'))) return dir;
  }
  throw new Error(`EPP schemas (all.xsd) not found near ${here}`);
}

let validator: XsdValidator | undefined;

/** Compiles all.xsd once per thread; it imports every namespace's schema by relative path. */
export function schemaValidator(): XsdValidator {
  if (validator) return validator;
  xmlRegisterFsInputProviders();
  const path = join(xsdDir(), 'all.xsd');
  const doc = XmlDocument.fromBuffer(readFileSync(path), { url: path });
  try {
    validator = XsdValidator.fromDoc(doc);
  } finally {
    doc.dispose();
  }
  return validator;
}

// Untrusted input: no network, no external entities, no entity expansion (XXE, billion laughs).
// Errors are not suppressed: libxml2-wasm collects them (never printed), and the first one tells
// the client where its document broke.
const PARSE_OPTIONS = ParseOption.XML_PARSE_NONET | ParseOption.XML_PARSE_NO_XXE | ParseOption.XML_PARSE_NOWARNING;

const DOCTYPE = Buffer.from('<!DOCTYPE');
const ENTITY = Buffer.from('<!ENTITY');
const PI = Buffer.from('<?');

/**
 * EPP never needs a DTD, entities or processing instructions, so any of them is refused
 * outright before libxml2 sees the document (2001). The XML declaration is the one `<?` allowed.
 */
export function forbiddenMarkup(bytes: Uint8Array): string | undefined {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.indexOf(DOCTYPE) >= 0) return 'DOCTYPE declarations are not allowed';
  if (buf.indexOf(ENTITY) >= 0) return 'entity declarations are not allowed';
  let i = buf.indexOf(PI);
  while (i >= 0) {
    const isDecl = buf.toString('latin1', i, i + 6) === '<?xml ' && buf.subarray(0, i).every((c) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0xef || c === 0xbb || c === 0xbf);
    if (!isDecl) return 'processing instructions are not allowed';
    i = buf.indexOf(PI, i + 2);
  }
  return undefined;
}

export type Validated = { ok: true; doc: XmlDocument } | { ok: false; failure: Failure };

const ELEMENT_RE = /^Element '(?:\{([^}]*)\})?([^']+)'(?:, attribute '([^']+)')?: (.*)$/s;

/**
 * Maps a schema violation to the RFC 5730 result code: a missing element is a missing required
 * parameter (2003), a value outside an enumeration, length or numeric bound is a range error
 * (2004), a value that does not match its type or pattern is a syntax error (2005), and anything
 * structural (unexpected element, wrong namespace) is a command syntax error (2001).
 */
export function classify(message: string): 2001 | 2003 | 2004 | 2005 {
  if (/Missing child element|attribute '[^']+' is required/.test(message)) return 2003;
  if (/\[facet '(enumeration|minLength|maxLength|length|minInclusive|maxInclusive|minExclusive|maxExclusive|totalDigits|fractionDigits)'\]/.test(message)) return 2004;
  if (/\[facet 'pattern'\]|is not a valid value of the (atomic|union|list) type|is not a valid value of the local/.test(message)) return 2005;
  return 2001;
}

/** The element a schema message names: the first one in document order with that name. */
function findElement(doc: XmlDocument, ns: string | undefined, local: string): XmlElement | null {
  return doc.get(ns
    ? `//*[local-name()='${local.replace(/'/g, '')}' and namespace-uri()='${ns.replace(/'/g, '')}']`
    : `//*[local-name()='${local.replace(/'/g, '')}']`) as XmlElement | null;
}

function offendingValue(el: XmlElement | null, ns: string | undefined, local: string, attr: string | undefined): ErrValue['element'] {
  const element: NonNullable<ErrValue['element']> = { ns: ns ?? '', local };
  if (el) {
    if (attr) {
      const a = el.attr(attr);
      if (a) element.attrs = { [attr]: a.value };
    } else if (el.get('*') === null) {
      const text = el.content;
      if (text.length <= 512) element.text = text;
    }
  }
  return element;
}

function hasChild(parent: XmlElement, ns: string, local: string): boolean {
  for (let n = parent.firstChild; n; n = n.next) if (n instanceof XmlElement && n.name === local && n.namespaceUri === ns) return true;
  return false;
}

function isFirstElement(el: XmlElement): boolean {
  for (let n = el.prev; n; n = n.prev) if (n instanceof XmlElement) return false;
  return true;
}

const OBJECT_COMMANDS = new Set(['check', 'create', 'delete', 'info', 'renew', 'transfer', 'update']);
const OBJECT_NAMESPACES = new Set<string>([NS.domain, NS.host, NS.contact]);

/**
 * Where the schema failed says more than the message (RFC 5730 §3): an element in <command> that
 * EPP does not define, where the command verb goes, is an unknown command (2000); an element no schema we serve declares,
 * directly in <extension>, is an unimplemented extension (2103), and directly in an object
 * command (e.g. <check><foo:check>), an unimplemented object service (2307).
 */
function refineByPosition(code: Failure['code'], message: string, el: XmlElement | null, ns: string | undefined): Failure['code'] {
  const parent = el?.parent;
  // "x is not expected. Expected is ( {ns}y )", x and y of one schema, and no y is there at all:
  // y is missing (2003), e.g. a login without <pw> reports the <options> that came instead.
  // (Best effort: libxml2 words a missing element followed by another this way.)
  const expected = /This element is not expected\. Expected is \( \{([^}]*)\}([\w.-]+) \)/.exec(message);
  if (expected && parent && expected[1] === ns && !hasChild(parent, expected[1]!, expected[2]!)) return 2003;
  if (!parent || parent.namespaceUri !== NS.epp) return code;
  const where = parent.name;
  if (where === 'command' && /This element is not expected/.test(message) && isFirstElement(el!)) return 2000;
  if (/No matching global element declaration available, but demanded by the strict wildcard/.test(message)) {
    if (where === 'extension' && parent.parent?.name === 'command') return 2103;
    if (OBJECT_COMMANDS.has(where) && !OBJECT_NAMESPACES.has(ns ?? '')) return 2307;
  }
  return code;
}

export function parseAndValidate(bytes: Uint8Array): Validated {
  const forbidden = forbiddenMarkup(bytes);
  if (forbidden) return { ok: false, failure: { code: 2001, msg: 'Command syntax error', values: [{ reason: forbidden }] } };
  let doc: XmlDocument;
  try {
    doc = XmlDocument.fromBuffer(bytes, { option: PARSE_OPTIONS });
  } catch (err) {
    const detail = (err as { details?: { message: string; line: number }[] }).details?.[0];
    const reason = detail ? `XML not well-formed (line ${detail.line}): ${detail.message.trim()}` : 'XML not well-formed';
    return { ok: false, failure: { code: 2001, msg: 'Command syntax error', values: [{ reason }] } };
  }
  try {
    schemaValidator().validate(doc);
    return { ok: true, doc };
  } catch (err) {
    const first = err instanceof XmlValidateError ? err.details[0] : undefined;
    const message = (first?.message ?? String(err)).trim();
    const m = ELEMENT_RE.exec(message);
    let code: Failure['code'] = classify(message);
    // The schema pins <version> to 1.0; any other version is an unimplemented protocol version.
    if (m && m[1] === NS.epp && m[2] === 'version' && code !== 2003) code = 2100;
    const value: ErrValue = { reason: message.length > 400 ? message.slice(0, 400) : message };
    if (m) {
      const el = findElement(doc, m[1], m[2]!);
      code = refineByPosition(code, message, el, m[1]);
      value.element = offendingValue(el, m[1], m[2]!, m[3]);
    }
    doc.dispose();
    return { ok: false, failure: { code, msg: messageFor(code), values: [value] } };
  }
}
