/**
 * RGP restore (RFC 3915 §3.3-3.4, §4.2.5), carried by domain:update: a request in redemptionPeriod
 * (billed at the restore price) moves the domain to pendingRestore; the restore report within the
 * pending-restore window brings it back to life. Without a report in time the scheduler returns
 * it to redemption and refunds the fee.
 */
import { sql } from '../db/pool.js';
import { recordHistory } from '../db/queries/history.js';
import { enqueuePoll } from '../db/queries/poll.js';
import type { DomainRow } from '../db/queries/domains.js';
import { charge } from '../billing/ledger.js';
import { feeResponse, verifyFeeAgreement } from '../billing/fee-ext.js';
import { quote } from '../billing/prices.js';
import type { FlowContext, FlowResult } from '../epp/flow.js';
import { ParameterValuePolicyError, ParameterValueRangeError, RequiredParameterMissingError, StatusProhibitsOperationError } from '../epp/errors.js';
import type { Command } from '../proto/index.js';
import type { Zone } from '../registry/zone-cache.js';
import { NS } from '../xml/namespaces.js';
import type { XmlObj } from '../xml/render.js';
import { addDays, addYears } from '../util/time.js';
import { panData, restoreDomain } from './rgp.js';

const rgpEl = (local: string, attrs?: Record<string, string>) => ({ ns: NS.rgp, local, ...(attrs ? { attrs } : {}) });

function onlyRestore(cmd: Command): boolean {
  const u = cmd.domainUpdate!;
  const empty = (x?: { ns?: string[]; contacts?: unknown[]; statuses?: unknown[]; hostAttr?: boolean }) => !x || (!x.ns?.length && !x.contacts?.length && !x.statuses?.length && !x.hostAttr);
  return empty(u.add) && empty(u.rem) && u.chgRegistrant === undefined && u.chgAuthPw === undefined && !u.chgAuthNull && !u.secDns;
}

export async function restore(ctx: FlowContext, d: DomainRow, zone: Zone, cmd: Command): Promise<FlowResult> {
  const r = cmd.rgpRestore!;
  if (!onlyRestore(cmd)) throw new ParameterValuePolicyError('a restore is an update with an empty <domain:chg/> and no other change (RFC 3915 §4.2.5)', rgpEl('restore', { op: r.op }));
  const object = { type: 'domain', id: d.name };
  if (r.op === 'request') {
    if (d.rgpStatus !== 'redemptionPeriod') {
      throw new StatusProhibitsOperationError(d.rgpStatus ? `a restore can be requested only in redemptionPeriod, not ${d.rgpStatus}` : 'the domain is not deleted', rgpEl('restore', { op: 'request' }));
    }
    const price = await quote(ctx.db, ctx.prices, zone, d.name, 'restore', 1);
    const feeBack = verifyFeeAgreement(cmd, price, ctx.extUris);
    const charged = await charge(ctx.db, { registrarId: ctx.registrar.id, quote: price, zoneId: zone.id, domain: { roid: d.roid, name: d.name }, now: ctx.now, svTrid: ctx.svTrid });
    const until = addDays(ctx.now, zone.policy.pendingRestoreDays);
    await ctx.db.query(sql`UPDATE domains SET rgp_status = 'pendingRestore', rgp_until = ${until}, restore_charge_id = ${charged.entryId},
                                  updater_id = ${ctx.registrar.id}, updated_at = ${ctx.now} WHERE id = ${d.id}`);
    await recordHistory(ctx.db, { type: 'domain', roid: d.roid, at: ctx.now, registrarId: ctx.registrar.id, svTrid: ctx.svTrid, action: 'restore-request', snapshot: { name: d.name, reportBy: until } });
    const extension: XmlObj = { 'rgp:upData': { '@_xmlns:rgp': NS.rgp, 'rgp:rgpStatus': { '@_s': 'pendingRestore' } } };
    if (feeBack) Object.assign(extension, feeResponse('updData', { quote: price, zone, balance: charged, currency: price.currency }));
    return { extension, object };
  }

  if (d.rgpStatus !== 'pendingRestore') {
    throw new StatusProhibitsOperationError(d.rgpStatus === 'redemptionPeriod' ? 'request the restore first' : `no restore is pending (${d.rgpStatus ?? 'not deleted'})`, rgpEl('restore', { op: 'report' }));
  }
  const report = r.report;
  if (!report) throw new RequiredParameterMissingError('a restore report needs <rgp:report>', rgpEl('report'));
  // RFC 3915 §4.2.5: two statements, that the restore is not for a third party's benefit and that the data is accurate.
  if (report.statements.filter((s) => s.trim()).length < 2) throw new RequiredParameterMissingError('the restore report needs both statements', rgpEl('statement'));
  const delTime = new Date(report.delTime);
  const resTime = new Date(report.resTime);
  if (Number.isNaN(delTime.getTime()) || Number.isNaN(resTime.getTime()) || resTime < delTime || resTime > ctx.now) {
    throw new ParameterValueRangeError('resTime must fall between delTime and now', rgpEl('resTime'));
  }
  // A domain that expired while deleted comes back renewed past today, billed as a renewal.
  let expires = d.expiresAt;
  let years = 0;
  while (expires <= ctx.now) { years++; expires = addYears(d.expiresAt, years); }
  let extension: XmlObj | undefined;
  if (years) {
    const price = await quote(ctx.db, ctx.prices, zone, d.name, 'renew', years);
    const feeBack = verifyFeeAgreement(cmd, price, ctx.extUris);
    const charged = await charge(ctx.db, { registrarId: ctx.registrar.id, quote: price, zoneId: zone.id, domain: { roid: d.roid, name: d.name }, now: ctx.now, svTrid: ctx.svTrid, description: 'renewal with the restore of an expired domain' });
    await ctx.db.query(sql`UPDATE domains SET expires_at = ${expires} WHERE id = ${d.id}`);
    if (feeBack) extension = feeResponse('updData', { quote: price, zone, balance: charged, currency: price.currency });
  }
  await restoreDomain(ctx.db, d, ctx.now, ctx.registrar.id);
  await recordHistory(ctx.db, { type: 'domain', roid: d.roid, at: ctx.now, registrarId: ctx.registrar.id, svTrid: ctx.svTrid, action: 'restore-report', snapshot: { name: d.name, report, renewedYears: years } });
  await enqueuePoll(ctx.db, d.sponsorId, ctx.now, `${d.name} restored.`, panData(d.name, true, ctx.svTrid, ctx.now));
  return { ...(extension ? { extension } : {}), object };
}
