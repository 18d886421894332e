/** contact:update (RFC 5733 §3.2.5): statuses and changed fields, by the sponsor. */
import { sql } from '../../../db/pool.js';
import { recordHistory } from '../../../db/queries/history.js';
import type { PostalInfo } from '../../../proto/index.js';
import { changeStatuses, CONTACT_CLIENT_STATUSES } from '../../../registry/statuses.js';
import { NS } from '../../../xml/namespaces.js';
import { AuthorizationError, ObjectDoesNotExistError, ParameterValuePolicyError, ParameterValueSyntaxError, StatusProhibitsOperationError } from '../../errors.js';
import { defineFlow } from '../../flow.js';
import { loadContact, validateEmail, validatePostalInfo, verifySponsor } from './contact-checks.js';

export const ContactUpdateFlow = defineFlow({
  command: 'contact:update',
  objectUri: NS.contact,
  mutating: true,
  errors: [ObjectDoesNotExistError, AuthorizationError, StatusProhibitsOperationError, ParameterValuePolicyError, ParameterValueSyntaxError],
  async run(ctx, cmd) {
    const u = cmd.contactUpdate!;
    const c = await loadContact(ctx.db, u.id, true);
    verifySponsor(c, ctx.registrar.id);
    const remStatuses = (u.remStatuses ?? []).map((s) => s.s);
    const addStatuses = (u.addStatuses ?? []).map((s) => s.s);
    const changesFields = !!(u.chgPostal?.length || u.chgVoice !== undefined || u.chgFax !== undefined || u.chgEmail !== undefined || u.chgAuthPw !== undefined || u.chgDisclose);
    if (c.statuses.includes('serverUpdateProhibited') || c.pendingTransfer) throw new StatusProhibitsOperationError('contact status prohibits update', { ns: NS.contact, local: 'id', text: c.contactId });
    if (c.statuses.includes('clientUpdateProhibited') && (!remStatuses.includes('clientUpdateProhibited') || changesFields || addStatuses.length)) {
      throw new StatusProhibitsOperationError('clientUpdateProhibited: remove it first', { ns: NS.contact, local: 'id', text: c.contactId });
    }
    const changed = changeStatuses(c.statuses, addStatuses, remStatuses, CONTACT_CLIENT_STATUSES);
    if ('bad' in changed) throw new ParameterValuePolicyError(changed.why, { ns: NS.contact, local: 'status', attrs: { s: changed.bad } });

    const postal: Record<'int' | 'loc', Record<string, unknown> | undefined> = { int: c.postalInt, loc: c.postalLoc };
    for (const p of u.chgPostal ?? []) {
      const base = (postal[p.type] ?? {}) as Partial<PostalInfo>;
      const next: PostalInfo = {
        name: p.name ?? base.name ?? '',
        ...(p.org !== undefined ? { org: p.org } : base.org !== undefined ? { org: base.org } : {}),
        street: p.addr ? p.addr.street ?? [] : base.street ?? [],
        city: p.addr ? p.addr.city : base.city ?? '',
        ...(p.addr ? { ...(p.addr.sp !== undefined ? { sp: p.addr.sp } : {}), ...(p.addr.pc !== undefined ? { pc: p.addr.pc } : {}) } : { ...(base.sp !== undefined ? { sp: base.sp } : {}), ...(base.pc !== undefined ? { pc: base.pc } : {}) }),
        cc: p.addr ? p.addr.cc : base.cc ?? '',
      };
      if (!next.name || !next.city || !next.cc) throw new ParameterValuePolicyError(`a new ${p.type} postalInfo needs a name and an address`, { ns: NS.contact, local: 'postalInfo', attrs: { type: p.type } });
      validatePostalInfo(next, p.type);
      postal[p.type] = next as unknown as Record<string, unknown>;
    }
    if (u.chgEmail !== undefined) validateEmail(u.chgEmail);
    const disclose = u.chgDisclose ? { flag: u.chgDisclose.flag, fields: u.chgDisclose.fields ?? [] } : c.disclose ?? null;
    await ctx.db.query(sql`
      UPDATE contacts SET statuses = ${changed.statuses},
             postal_int = ${postal.int ? JSON.stringify(postal.int) : null}::jsonb, postal_loc = ${postal.loc ? JSON.stringify(postal.loc) : null}::jsonb,
             voice = ${u.chgVoice !== undefined ? u.chgVoice || null : c.voice ?? null},
             voice_ext = ${u.chgVoice !== undefined ? u.chgVoiceExt ?? null : c.voiceExt ?? null},
             fax = ${u.chgFax !== undefined ? u.chgFax || null : c.fax ?? null},
             fax_ext = ${u.chgFax !== undefined ? u.chgFaxExt ?? null : c.faxExt ?? null},
             email = ${u.chgEmail ?? c.email}, auth_pw = ${u.chgAuthPw ?? c.authPw},
             disclose = ${disclose ? JSON.stringify(disclose) : null}::jsonb,
             updater_id = ${ctx.registrar.id}, updated_at = ${ctx.now}
       WHERE id = ${c.id}`);
    await recordHistory(ctx.db, { type: 'contact', roid: c.roid, at: ctx.now, registrarId: ctx.registrar.id, svTrid: ctx.svTrid, action: 'update', snapshot: { ...u, chgAuthPw: undefined } });
    return { object: { type: 'contact', id: c.contactId } };
  },
});
