/** Renders EPP responses and greetings with fast-xml-parser's builder (values are escaped by the builder). */
import { XMLBuilder } from 'fast-xml-parser';
import type { ErrValue } from '../epp/result.js';
import { NS } from './namespaces.js';

/** A fast-xml-parser object tree: '@_name' keys are attributes, '#text' is text, arrays repeat an element. */
export type XmlObj = Record<string, unknown>;

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  textNodeName: '#text',
  suppressEmptyNode: true,
  suppressBooleanAttributes: false,
  format: false,
});

const DECL = '<?xml version="1.0" encoding="UTF-8" standalone="no"?>';

export function buildXml(obj: XmlObj): string {
  return DECL + builder.build(obj);
}

export interface RenderResult { code: number; msg: string; values?: ErrValue[] }

export interface MsgQ { count: number; id?: string; qDate?: string; msg?: string }

export interface EppResponse {
  results: RenderResult[];
  msgQ?: MsgQ;
  resData?: XmlObj;
  extension?: XmlObj;
  clTrid?: string;
  svTrid: string;
}

function renderValue(v: ErrValue): XmlObj {
  // errValueType (RFC 5730 §4) needs one element: the offending element, or epp:undef.
  let value: XmlObj;
  if (v.element && v.element.local) {
    const el: XmlObj = {};
    if (v.element.ns) el['@_xmlns:v'] = v.element.ns;
    for (const [k, val] of Object.entries(v.element.attrs ?? {})) el[`@_${k}`] = val;
    if (v.element.text) el['#text'] = v.element.text;
    value = { [v.element.ns ? `v:${v.element.local}` : v.element.local]: el };
  } else {
    value = { '@_xmlns:epp': NS.epp, 'epp:undef': '' };
  }
  return { value, reason: { '@_lang': 'en', '#text': v.reason || 'invalid value' } };
}

function renderResult(r: RenderResult): XmlObj {
  const out: XmlObj = { '@_code': String(r.code), msg: { '@_lang': 'en', '#text': r.msg } };
  if (r.values?.length) out.extValue = r.values.map(renderValue);
  return out;
}

export function renderResponse(res: EppResponse): string {
  const response: XmlObj = { result: res.results.map(renderResult) };
  if (res.msgQ) {
    const q: XmlObj = { '@_count': String(res.msgQ.count) };
    if (res.msgQ.id !== undefined) q['@_id'] = res.msgQ.id;
    if (res.msgQ.qDate) q.qDate = res.msgQ.qDate;
    if (res.msgQ.msg !== undefined) q.msg = { '@_lang': 'en', '#text': res.msgQ.msg };
    response.msgQ = q;
  }
  if (res.resData) response.resData = res.resData;
  if (res.extension) response.extension = res.extension;
  response.trID = res.clTrid !== undefined ? { clTRID: res.clTrid, svTRID: res.svTrid } : { svTRID: res.svTrid };
  return buildXml({ epp: { '@_xmlns': NS.epp, response } });
}

export interface GreetingInfo { svId: string; objUris: string[]; extUris: string[] }

/** RFC 5730 §2.4: svID, svDate, svcMenu (only what is served), dcp (our data collection policy). */
export function renderGreeting(g: GreetingInfo, now: Date): string {
  const svcMenu: XmlObj = { version: '1.0', lang: 'en', objURI: g.objUris };
  if (g.extUris.length) svcMenu.svcExtension = { extURI: g.extUris };
  return buildXml({
    epp: {
      '@_xmlns': NS.epp,
      greeting: {
        svID: g.svId,
        svDate: now.toISOString(),
        svcMenu,
        dcp: {
          access: { all: '' },
          statement: {
            purpose: { admin: '', prov: '' },
            recipient: { ours: '', public: '' },
            retention: { stated: '' },
          },
        },
      },
    },
  });
}
