/**
 * Maps a schema-valid EPP document to a typed Command. Session commands are read here; object
 * commands are read by per-object readers registered under "<object>:<verb>" (one table).
 */
import type { XmlDocument, XmlElement } from 'libxml2-wasm';
import type { Command, ParseResult } from '../proto/index.js';
import { NS, prefixOf } from './namespaces.js';
import { attr, child, elements, localName, namespaceOf, text, texts } from './dom.js';

/** What an object reader gets: the object element (e.g. <domain:create>) and the command's extensions. */
export interface ReadInput { verb: string; objectEl: XmlElement; commandEl: XmlElement; extensions: XmlElement[] }
export type ObjectReader = (input: ReadInput) => Partial<Command>;

const readers = new Map<string, ObjectReader>();

export function registerReader(name: string, reader: ObjectReader): void {
  if (readers.has(name)) throw new TypeError(`reader for ${name} registered twice`);
  readers.set(name, reader);
}

/**
 * Extensions that several commands share (fee, RGP restore, allocation token) are read once, by
 * namespace and element, into top-level Command fields; the flow decides whether it accepts them.
 */
export type ExtensionReader = (el: XmlElement, verb: string) => Partial<Command>;
const extensionReaders = new Map<string, ExtensionReader>();

export function registerExtensionReader(ns: string, local: string, reader: ExtensionReader): void {
  const key = `${ns} ${local}`;
  if (extensionReaders.has(key)) throw new TypeError(`extension reader for ${key} registered twice`);
  extensionReaders.set(key, reader);
}

function readExtensions(extensions: XmlElement[], verb: string): Partial<Command> {
  let out: Partial<Command> = {};
  for (const e of extensions) {
    const r = extensionReaders.get(`${namespaceOf(e)} ${localName(e)}`);
    if (r) out = { ...out, ...r(e, verb) };
  }
  return out;
}

/** Replaces passwords and authInfo values with asterisks before a request is stored anywhere. */
export function maskSecrets(xml: string): string {
  return xml.replace(/(<(?:[\w.-]+:)?(?:pw|newPW)\b[^>]*>)([^<]*)(<\/)/g, '$1********$3');
}

function readLogin(el: XmlElement): NonNullable<Command['login']> {
  const options = child(el, NS.epp, 'options')!;
  const svcs = child(el, NS.epp, 'svcs')!;
  const ext = child(svcs, NS.epp, 'svcExtension');
  const newPw = text(el, NS.epp, 'newPW');
  return {
    clId: text(el, NS.epp, 'clID')!,
    pw: text(el, NS.epp, 'pw')!,
    ...(newPw !== undefined ? { newPw } : {}),
    version: text(options, NS.epp, 'version')!,
    lang: text(options, NS.epp, 'lang')!,
    objUris: texts(svcs, NS.epp, 'objURI'),
    extUris: ext ? texts(ext, NS.epp, 'extURI') : [],
  };
}

/** The schema guarantees the shape: <epp> holds exactly one of hello, command, (greeting/response, refused here). */
export function toCommand(doc: XmlDocument, source: string): ParseResult {
  const root = doc.root;
  const top = elements(root)[0];
  if (!top) return { failure: { code: 2001, msg: 'Command syntax error', values: [{ reason: 'empty <epp> element' }] } };
  const topName = localName(top);
  if (topName === 'hello') return { command: { name: 'hello', hello: {} } };
  if (topName !== 'command') {
    // A client sending a <greeting> or <response> is schema-valid but not a command.
    return { failure: { code: 2001, msg: 'Command syntax error', values: [{ reason: `<${topName}> is not a client command` }] } };
  }
  const clTrid = text(top, NS.epp, 'clTRID');
  const extensionEl = child(top, NS.epp, 'extension');
  const extensions = extensionEl ? elements(extensionEl) : [];
  const extUris = [...new Set(extensions.map(namespaceOf))];
  const verbEl = elements(top).find((e) => localName(e) !== 'extension' && localName(e) !== 'clTRID')!;
  const verb = localName(verbEl);
  const base: Command = { name: verb, maskedRequest: maskSecrets(source), ...(clTrid !== undefined ? { clTrid } : {}), ...(extUris.length ? { extUris } : {}) };
  switch (verb) {
    case 'login': return { command: { ...base, login: readLogin(verbEl) } };
    case 'logout': return { command: { ...base, logout: {} } };
    case 'poll': {
      const op = attr(verbEl, 'op') as 'req' | 'ack';
      const msgId = attr(verbEl, 'msgID');
      return { command: { ...base, poll: { op, ...(msgId !== undefined ? { msgId } : {}) } } };
    }
    default: {
      const objectEl = elements(verbEl)[0]!;
      const objectUri = namespaceOf(objectEl);
      const object = prefixOf(objectUri) ?? objectUri;
      const name = `${object}:${verb}`;
      const reader = readers.get(name);
      if (!reader) return { command: { ...base, name, unmapped: { objectUri } } };
      return { command: { ...base, name, ...reader({ verb, objectEl, commandEl: verbEl, extensions }), ...readExtensions(extensions, verb) } };
    }
  }
}
