/**
 * The registry fee extension (RFC 8748) over our price lists: fee:check answers, the fee a client
 * agrees to on a transform, and the fee data returned with a transform's response. A client that
 * did not log in with the fee URI gets no fee elements (RFC 5730 §2.9.1.1: only announced extensions).
 */
import type { Command, FeeCommand } from '../proto/index.js';
import type { Zone } from '../registry/zone-cache.js';
import { NS } from '../xml/namespaces.js';
import type { XmlObj } from '../xml/render.js';
import { ParameterValueRangeError, RequiredParameterMissingError } from '../epp/errors.js';
import { daysDuration } from '../util/time.js';
import { formatAmount, parseAmount } from './money.js';
import { priceOf, type Operation, type PremiumPrice, type Quote } from './prices.js';
import type { Refunded } from './ledger.js';

const feeEl = (local: string, text?: string) => ({ ns: NS.fee, local, ...(text !== undefined ? { text } : {}) });

const DESCRIPTIONS: Record<Operation, string> = {
  create: 'Registration fee', renew: 'Renewal fee', autoRenew: 'Auto-renewal fee', transfer: 'Transfer fee', restore: 'Restore fee',
};

/** The grace period during which a fee is refundable (RFC 8748 §3.4 "refundable", "grace-period"). */
function graceDays(op: Operation, zone: Zone): number {
  const p = zone.policy;
  return { create: p.addGraceDays, renew: p.renewGraceDays, autoRenew: p.autoRenewGraceDays, transfer: p.transferGraceDays, restore: 0 }[op];
}

export function feeElement(q: Quote, zone: Zone): XmlObj {
  const days = graceDays(q.operation, zone);
  return {
    '@_description': DESCRIPTIONS[q.operation],
    '@_refundable': days > 0 ? '1' : '0',
    ...(days > 0 ? { '@_grace-period': daysDuration(days) } : {}),
    '@_applied': 'immediate',
    '#text': formatAmount(q.amount, q.currency),
  };
}

/**
 * The fee a client agreed to on a transform (RFC 8748 §3.4, §5.2): a wrong currency or a fee below
 * the price is 2004; a premium price needs the client's explicit agreement (2003 without it).
 * Returns whether fee data goes back in the response.
 */
export function verifyFeeAgreement(cmd: Command, q: Quote, extUris: ReadonlySet<string>): boolean {
  const fee = cmd.fee && !cmd.fee.check ? cmd.fee : undefined;
  if (!fee) {
    if (q.premium) throw new RequiredParameterMissingError(`a premium (${q.feeClass}) name: the fee extension must acknowledge the ${formatAmount(q.amount, q.currency)} ${q.currency} fee`, feeEl(cmd.name.split(':')[1] ?? 'fee'));
    return extUris.has(NS.fee);
  }
  if (fee.currency && fee.currency !== q.currency) throw new ParameterValueRangeError(`fees here are in ${q.currency}`, feeEl('currency', fee.currency));
  let total = 0;
  for (const f of fee.fees ?? []) {
    const v = parseAmount(f, q.currency);
    if (v === undefined) throw new ParameterValueRangeError(`not an amount in ${q.currency}`, feeEl('fee', f));
    total += v;
  }
  if (total < q.amount) {
    throw new ParameterValueRangeError(`the fee is ${formatAmount(q.amount, q.currency)} ${q.currency}, more than the ${formatAmount(total, q.currency)} agreed`, feeEl('fee', (fee.fees ?? []).join('+') || '0'));
  }
  return true;
}

export type FeeDataKind = 'creData' | 'renData' | 'trnData' | 'updData' | 'delData';

export interface FeeData { quote?: Quote; zone: Zone; credits?: readonly Refunded[]; balance?: { balance: number; creditLimit: number }; currency: string }

/** <fee:creData> etc.: what was charged (and credited), with the account's balance afterwards. */
export function feeResponse(kind: FeeDataKind, d: FeeData): XmlObj {
  const out: XmlObj = { '@_xmlns:fee': NS.fee, 'fee:currency': d.currency };
  if (d.quote && d.quote.years) out['fee:period'] = { '@_unit': 'y', '#text': String(d.quote.years) };
  if (d.quote) out['fee:fee'] = feeElement(d.quote, d.zone);
  if (d.credits?.length) {
    out['fee:credit'] = d.credits.map((c) => ({ '@_description': `${DESCRIPTIONS[c.operation]} refund`, '#text': formatAmount(-c.amount, c.currency) }));
  }
  if (d.balance) {
    out['fee:balance'] = formatAmount(d.balance.balance, d.currency);
    out['fee:creditLimit'] = formatAmount(d.balance.creditLimit, d.currency);
  }
  return { [`fee:${kind}`]: out };
}

const COMMAND_OPS: Record<string, Operation | undefined> = { create: 'create', renew: 'renew', transfer: 'transfer', restore: 'restore' };

export interface FeeCheckItem { input: string; name?: string; zone?: Zone; premium?: PremiumPrice; standard?: ReadonlyMap<Operation, number> }

/**
 * <fee:chkData> (RFC 8748 §5.1.1): for each name, its class and each asked command's fee; a name
 * or command the server cannot price gets avail="0" and a reason.
 */
export function feeCheckData(items: readonly FeeCheckItem[], commands: readonly FeeCommand[], requested: string | undefined, fallbackCurrency: string): XmlObj {
  const currency = requested ?? items.find((i) => i.zone)?.zone!.policy.currency ?? fallbackCurrency;
  const cd = items.map((i) => {
    const objID = i.name ?? i.input;
    const unavailable = (reason: string) => ({ '@_avail': '0', 'fee:objID': objID, 'fee:reason': reason });
    if (!i.name || !i.zone || !i.standard) return unavailable('not a name this registry can price');
    if (i.zone.policy.currency !== currency) return unavailable(`fees for .${i.zone.name} are in ${i.zone.policy.currency}`);
    const out: XmlObj[] = [];
    for (const c of commands) {
      const op = COMMAND_OPS[c.name];
      if (!op) return unavailable(`no fee is defined for the ${c.name === 'custom' ? `custom command ${c.customName ?? ''}`.trim() : `${c.name} command`}`);
      if (c.phase || c.subphase) return unavailable('launch phases are not offered');
      const years = op === 'restore' ? 0 : c.period ? (c.period.unit === 'y' ? c.period.value : c.period.value / 12) : 1;
      if (op !== 'restore' && (!Number.isInteger(years) || years < i.zone.policy.minPeriodYears || years > Math.min(10, i.zone.policy.maxPeriodYears))) {
        return unavailable(`period not offered for ${c.name}`);
      }
      const q = priceOf(i.zone, i.standard, i.premium, op, years || 1);
      out.push({
        '@_name': c.name, '@_standard': q.premium ? '0' : '1',
        ...(op !== 'restore' ? { 'fee:period': { '@_unit': 'y', '#text': String(years) } } : {}),
        'fee:fee': feeElement(q, i.zone),
      });
    }
    return { '@_avail': '1', 'fee:objID': objID, 'fee:class': i.premium?.feeClass ?? 'standard', 'fee:command': out };
  });
  return { 'fee:chkData': { '@_xmlns:fee': NS.fee, 'fee:currency': currency, 'fee:cd': cd } };
}
