/**
 * domain:delete (RFC 5731 §3.2.2) under the redemption grace period (RFC 3915 §3.2): within the
 * add grace period the domain is purged at once (1000); otherwise it enters redemptionPeriod
 * (1001) and is purged later by the scheduler unless restored. Operations still in their grace
 * period are refunded (RFC 8748 §5.2.2 reports the credit in fee:delData).
 */
import { sql } from '../../../db/pool.js';
import { accountOf } from '../../../billing/ledger.js';
import { feeResponse } from '../../../billing/fee-ext.js';
import { recordHistory } from '../../../db/queries/history.js';
import { activeGraces, rollBackExpiry, undoGraces } from '../../../lifecycle/grace.js';
import { enterRedemption, purgeDomain } from '../../../lifecycle/rgp.js';
import { hasAny } from '../../../registry/statuses.js';
import { NS } from '../../../xml/namespaces.js';
import { AssociationProhibitsOperationError, AuthorizationError, ObjectDoesNotExistError, StatusProhibitsOperationError } from '../../errors.js';
import { defineFlow } from '../../flow.js';
import { el, loadDomain, normaliseDomainName, verifySponsor, zoneOfDomain } from './domain-checks.js';

export const DomainDeleteFlow = defineFlow({
  command: 'domain:delete',
  objectUri: NS.domain,
  mutating: true,
  errors: [ObjectDoesNotExistError, AuthorizationError, StatusProhibitsOperationError, AssociationProhibitsOperationError],
  async run(ctx, cmd) {
    const d = await loadDomain(ctx.db, normaliseDomainName(cmd.delete!.id), true);
    verifySponsor(d, ctx.registrar.id);
    const zone = await zoneOfDomain(d, ctx.zones, ctx.db);
    if (hasAny(d.statuses, 'clientDeleteProhibited', 'serverDeleteProhibited', 'pendingDelete') || d.pendingTransfer) {
      throw new StatusProhibitsOperationError('domain status prohibits delete', el('name', d.name));
    }
    if (d.subordinates.length && !zone.policy.deleteWithSubordinateHosts) {
      throw new AssociationProhibitsOperationError(`delete the subordinate hosts first: ${d.subordinates.join(', ')}`, el('name', d.name));
    }
    // With policy allowing it, subordinate hosts go with the domain unless another domain uses them.
    if (d.subordinates.length) {
      const used = await ctx.db.query(sql`SELECT 1 FROM domain_hosts dh JOIN hosts h ON h.id = dh.host_id WHERE h.superordinate_id = ${d.id} AND dh.domain_id <> ${d.id} LIMIT 1`);
      if (used.length) throw new AssociationProhibitsOperationError('a subordinate host is a name server of another domain', el('name', d.name));
      await ctx.db.query(sql`DELETE FROM domain_hosts WHERE domain_id = ${d.id}`);
      const gone = await ctx.db.query(sql`DELETE FROM hosts WHERE superordinate_id = ${d.id} RETURNING roid, name`);
      for (const h of gone as { roid: string; name: string }[]) {
        await recordHistory(ctx.db, { type: 'host', roid: h.roid, at: ctx.now, registrarId: ctx.registrar.id, svTrid: ctx.svTrid, action: 'delete', snapshot: { name: h.name, with: d.name } });
      }
    }

    // Deleting undoes every operation still in its grace period, with a refund (RFC 3915 §1).
    const graces = await activeGraces(ctx.db, d.id, ctx.now);
    const inAddGrace = graces.some((g) => g.kind === 'addPeriod');
    const undone = await undoGraces(ctx.db, graces, ctx.now, ctx.svTrid, 'deleted');
    const withoutRgp = zone.policy.redemptionDays <= 0 && zone.policy.pendingDeleteDays <= 0;
    let code: 1000 | 1001 = 1000;
    if (inAddGrace || withoutRgp) {
      await recordHistory(ctx.db, { type: 'domain', roid: d.roid, at: ctx.now, registrarId: ctx.registrar.id, svTrid: ctx.svTrid, action: 'delete', snapshot: { name: d.name, purged: true, inAddGrace } });
      await purgeDomain(ctx.db, { id: d.id, roid: d.roid, name: d.name, sponsorId: d.sponsorId }, ctx.now, ctx.svTrid, ctx.registrar.id, undefined);
    } else {
      await rollBackExpiry(ctx.db, d.id, d.expiresAt, undone.years);
      await enterRedemption(ctx.db, d, zone.policy, ctx.now, ctx.svTrid, ctx.registrar.id, 'deleted by the sponsor');
      code = 1001;
    }
    let extension;
    if (undone.refunds.length && ctx.extUris.has(NS.fee)) {
      const currency = undone.refunds[0]!.currency;
      const acct = await accountOf(ctx.db, ctx.registrar.id, currency);
      extension = feeResponse('delData', { zone, credits: undone.refunds, currency, ...(acct ? { balance: acct } : {}) });
    }
    return { code, ...(extension ? { extension } : {}), object: { type: 'domain', id: d.name } };
  },
});
