/**
 * Readers of the extensions several commands share: the fee extension (RFC 8748 §5), the RGP
 * restore (RFC 3915 §4.2.5) and the allocation token (RFC 8495 §3). The schema has validated
 * their shape; here they become Command fields.
 */
import type { XmlElement } from 'libxml2-wasm';
import type { FeeCommand, Period, RgpReport } from '../../proto/index.js';
import { NS } from '../namespaces.js';
import { registerExtensionReader } from '../read.js';
import { attr, child, childrenNamed, text, texts } from '../dom.js';

function period(el: XmlElement | undefined): Period | undefined {
  return el ? { value: Number(el.content), unit: (attr(el, 'unit') ?? 'y') as 'y' } : undefined;
}

registerExtensionReader(NS.fee, 'check', (el) => {
  const currency = text(el, NS.fee, 'currency');
  const commands: FeeCommand[] = childrenNamed(el, NS.fee, 'command').map((c) => {
    const p = period(child(c, NS.fee, 'period'));
    const phase = attr(c, 'phase');
    const subphase = attr(c, 'subphase');
    const customName = attr(c, 'customName');
    return { name: attr(c, 'name')!, ...(p ? { period: p } : {}), ...(phase ? { phase } : {}), ...(subphase ? { subphase } : {}), ...(customName ? { customName } : {}) };
  });
  return { fee: { check: true, ...(currency ? { currency } : {}), commands } };
});

for (const verb of ['create', 'renew', 'transfer', 'update']) {
  registerExtensionReader(NS.fee, verb, (el) => {
    const currency = text(el, NS.fee, 'currency');
    return { fee: { check: false, ...(currency ? { currency } : {}), fees: texts(el, NS.fee, 'fee').map((s) => s.trim()), credits: texts(el, NS.fee, 'credit').map((s) => s.trim()) } };
  });
}

registerExtensionReader(NS.rgp, 'update', (el) => {
  const restore = child(el, NS.rgp, 'restore')!;
  const r = child(restore, NS.rgp, 'report');
  let report: RgpReport | undefined;
  if (r) {
    const other = text(r, NS.rgp, 'other');
    report = {
      preData: text(r, NS.rgp, 'preData')!, postData: text(r, NS.rgp, 'postData')!,
      delTime: text(r, NS.rgp, 'delTime')!.trim(), resTime: text(r, NS.rgp, 'resTime')!.trim(),
      resReason: text(r, NS.rgp, 'resReason')!, statements: texts(r, NS.rgp, 'statement'),
      ...(other !== undefined ? { other } : {}),
    };
  }
  return { rgpRestore: { op: attr(restore, 'op') as 'request', ...(report ? { report } : {}) } };
});

registerExtensionReader(NS.allocationToken, 'allocationToken', (el) => ({ allocationToken: el.content.trim() }));
