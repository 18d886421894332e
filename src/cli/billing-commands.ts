/**
 * The admin CLI's commands for what zones sell and how registrars pay: zone policy, prices,
 * premium and reserved names, accounts, the ledger, receipts and statements.
 */
import { writeFileSync } from 'node:fs';
import type { RegistryConfig } from '../config.js';
import type { Queryable } from '../db/pool.js';
import { formatAmount } from '../billing/money.js';
import { accounts, adjust, ledger, receipt, setLimits, statement, topUp } from '../admin/accounts.js';
import {
  listPremium, listPrices, listReserved, removePremium, removePrice, reserveName, setPremium, setPrice, setZonePolicy, unreserveName, zonePolicy,
} from '../admin/catalog.js';
import { AdminError } from '../admin/registrars.js';

export const BILLING_USAGE = `
  zone policy ZONE [KEY=VALUE]...    show the zone's lifecycle policy, or set keys (e.g. addGraceDays=5 autoRenew=false currency=EUR)
  price set|remove ZONE OPERATION [AMOUNT]
                                     standard price per year (create, renew, autoRenew, transfer) or per restore
  price list ZONE
  premium set ZONE LABEL --create A --renew A --transfer A [--restore A] [--class C]
  premium remove|list ZONE [LABEL]
  reserved add ZONE LABEL [--reason R] [--registrar CLID [--token-days N]]
                                     block a name, or allocate it to a registrar (prints its allocation token once)
  reserved remove|list ZONE [LABEL]
  account show CLID
  account topup CLID AMOUNT [--currency C] [--note TEXT] [--receipt FILE.pdf]
  account adjust CLID --note WHY [--currency C] -- AMOUNT
                                     staff adjustment; AMOUNT may be negative (hence the --)
  account limit CLID [--credit-limit A] [--low-balance A|none] [--currency C]
  account ledger CLID [--from ISO] [--to ISO] [--currency C] [--json]
  account receipt ENTRY-ID --out FILE.pdf
  account statement CLID --month YYYY-MM --out FILE.pdf [--currency C]`;

export const BILLING_OPTIONS = {
  reason: { type: 'string' }, registrar: { type: 'string' }, 'token-days': { type: 'string' }, create: { type: 'string' }, renew: { type: 'string' },
  transfer: { type: 'string' }, restore: { type: 'string' }, class: { type: 'string' }, currency: { type: 'string' }, note: { type: 'string' },
  receipt: { type: 'string' }, 'credit-limit': { type: 'string' }, 'low-balance': { type: 'string' }, from: { type: 'string' }, to: { type: 'string' },
  month: { type: 'string' },
} as const;

export type BillingOpts = { [K in keyof typeof BILLING_OPTIONS]?: string } & { out?: string; json?: boolean };

function need(v: string | undefined, what: string): string {
  if (!v) throw new AdminError(`missing ${what}`);
  return v;
}

function date(v: string | undefined, what: string): Date | undefined {
  if (v === undefined) return undefined;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new AdminError(`${what}: not a date: ${v}`);
  return d;
}

/** Runs a billing command; undefined when `group action` is not one of them. */
export async function billingCommand(group: string | undefined, action: string | undefined, args: string[], o: BillingOpts, db: Queryable, cfg: RegistryConfig, out: (s: string) => void): Promise<number | undefined> {
  const issuer = { name: cfg.billing.issuerName, address: cfg.billing.issuerAddress };
  switch (`${group} ${action}`) {
    case 'zone policy': {
      const zone = need(args[0], 'zone');
      const p = args.length > 1 ? await setZonePolicy(db, zone, args.slice(1)) : await zonePolicy(db, zone);
      out(JSON.stringify(p, null, 2));
      return 0;
    }
    case 'price set': {
      const minor = await setPrice(db, need(args[0], 'zone'), need(args[1], 'operation'), need(args[2], 'amount'));
      out(`${args[1]} in ${args[0]}: ${minor} minor units`);
      return 0;
    }
    case 'price remove': out((await removePrice(db, need(args[0], 'zone'), need(args[1], 'operation'))) ? 'removed (now free)' : 'no such price'); return 0;
    case 'price list': {
      const { currency, prices } = await listPrices(db, need(args[0], 'zone'));
      for (const p of prices) out(`${p.operation}\t${formatAmount(p.amount, currency)} ${currency}`);
      if (!prices.length) out('(no prices: every operation is free)');
      return 0;
    }
    case 'premium set': {
      const name = await setPremium(db, need(args[0], 'zone'), need(args[1], 'label'), {
        create: need(o.create, '--create'), renew: need(o.renew, '--renew'), transfer: need(o.transfer, '--transfer'),
        ...(o.restore ? { restore: o.restore } : {}), ...(o.class ? { feeClass: o.class } : {}),
      });
      out(`${name} is premium`);
      return 0;
    }
    case 'premium remove': out((await removePremium(db, need(args[0], 'zone'), need(args[1], 'label'))) ? 'removed' : 'not premium'); return 0;
    case 'premium list': for (const p of await listPremium(db, need(args[0], 'zone'))) out(`${p.name}\t${p.feeClass}\tcreate ${p.create}\trenew ${p.renew}\ttransfer ${p.transfer}${p.restore !== undefined ? `\trestore ${p.restore}` : ''}`); return 0;
    case 'reserved add': {
      const r = await reserveName(db, need(args[0], 'zone'), need(args[1], 'label'), {
        ...(o.reason ? { reason: o.reason } : {}), ...(o.registrar ? { registrar: o.registrar } : {}), ...(o['token-days'] ? { tokenDays: Number(o['token-days']) } : {}),
      });
      out(r.token ? `${r.name} reserved for ${o.registrar}; allocation token ${r.token}${r.expires ? ` (valid until ${r.expires.toISOString()})` : ''}` : `${r.name} reserved`);
      return 0;
    }
    case 'reserved remove': out((await unreserveName(db, need(args[0], 'zone'), need(args[1], 'label'))) ? 'unreserved' : 'was not reserved'); return 0;
    case 'reserved list': for (const r of await listReserved(db, need(args[0], 'zone'))) out(`${r.name}\t${r.reason}${r.registrar ? `\tallocatable to ${r.registrar}` : ''}${r.tokenExpires ? ` until ${r.tokenExpires.toISOString()}` : ''}`); return 0;
    case 'account show': {
      for (const a of await accounts(db, need(args[0], 'client id'))) {
        out(`${a.currency}\tbalance ${formatAmount(a.balance, a.currency)}\tcredit limit ${formatAmount(a.creditLimit, a.currency)}\tavailable ${formatAmount(a.balance + a.creditLimit, a.currency)}`
          + (a.lowBalanceThreshold !== undefined ? `\tlow-balance alert below ${formatAmount(a.lowBalanceThreshold, a.currency)}` : ''));
      }
      return 0;
    }
    case 'account topup': {
      const e = await topUp(db, need(args[0], 'client id'), need(args[1], 'amount'), { ...(o.currency ? { currency: o.currency } : {}), ...(o.note ? { note: o.note } : {}) });
      out(`top-up ${e.id}: ${formatAmount(e.amount, e.currency)} ${e.currency}; balance ${formatAmount(e.balanceAfter, e.currency)} ${e.currency}`);
      if (o.receipt) { writeFileSync(o.receipt, await receipt(db, issuer, e.id)); out(`receipt written to ${o.receipt}`); }
      return 0;
    }
    case 'account adjust': {
      const e = await adjust(db, need(args[0], 'client id'), need(args[1], 'amount'), need(o.note, '--note'), o.currency ? { currency: o.currency } : {});
      out(`adjustment ${e.id}: ${formatAmount(e.amount, e.currency)} ${e.currency}; balance ${formatAmount(e.balanceAfter, e.currency)} ${e.currency}`);
      return 0;
    }
    case 'account limit': {
      const a = await setLimits(db, need(args[0], 'client id'), {
        ...(o.currency ? { currency: o.currency } : {}), ...(o['credit-limit'] !== undefined ? { creditLimit: o['credit-limit'] } : {}),
        ...(o['low-balance'] !== undefined ? { lowBalance: o['low-balance'] === 'none' ? null : o['low-balance'] } : {}),
      });
      out(`${a.currency}: credit limit ${formatAmount(a.creditLimit, a.currency)}${a.lowBalanceThreshold !== undefined ? `, low-balance alert below ${formatAmount(a.lowBalanceThreshold, a.currency)}` : ''}`);
      return 0;
    }
    case 'account ledger': {
      const from = date(o.from, '--from');
      const to = date(o.to, '--to');
      const entries = await ledger(db, need(args[0], 'client id'), { ...(o.currency ? { currency: o.currency } : {}), ...(from ? { from } : {}), ...(to ? { to } : {}) });
      if (o.json) { out(JSON.stringify(entries, null, 2)); return 0; }
      for (const e of entries) {
        out([e.id, e.at.toISOString(), e.kind, e.operation ?? '', e.domainName ?? e.description ?? '', formatAmount(e.amount, e.currency), formatAmount(e.balanceAfter, e.currency), e.currency].join('\t'));
      }
      return 0;
    }
    case 'account receipt': {
      writeFileSync(need(o.out, '--out'), await receipt(db, issuer, Number(need(args[0], 'ledger entry id'))));
      out(`receipt written to ${o.out}`);
      return 0;
    }
    case 'account statement': {
      const s = await statement(db, issuer, need(args[0], 'client id'), need(o.month, '--month'), o.currency ? { currency: o.currency } : {});
      writeFileSync(need(o.out, '--out'), s.pdf);
      out(`statement written to ${o.out}: ${s.entries} entries, opening ${s.opening}, closing ${s.closing} (minor units)`);
      return 0;
    }
    default:
      return undefined;
  }
}
