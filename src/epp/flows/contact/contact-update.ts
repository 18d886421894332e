/** contact:update (RFC 5733 §3.2.5): statuses and changed fields, by the sponsor. */
import { sql } from '../../../db/pool.js';
import { recordHistory } from '../../../db/queries/history.js';
import type { PostalInfo } from '../../../proto/index.js';
import { changeStatuses, clientLockAllowsUpdate, CONTACT_CLIENT_STATUSES } from '../../../registry/statuses.js';
import { NS } from '../../../xml/namespaces.js';
import {
  AuthorizationError, ObjectDoesNotExistError, ParameterValuePolicyError, ParameterValueSyntaxError, RequiredParameterMissingError, StatusProhibitsOperationError,
} from '../../errors.js';
import { defineFlow } from '../../flow.js';
import { el, loadContact, validateEmail, validatePhone, validatePostalInfo, verifySponsor } from './contact-checks.js';

export const ContactUpdateFlow = defineFlow({
  command: 'contact:update',
  objectUri: NS.contact,
  mutating: true,
  errors: [ObjectDoesNotExistError, AuthorizationError, StatusProhibitsOperationError, ParameterValuePolicyError, ParameterValueSyntaxError, RequiredParameterMissingError],
  async run(ctx, cmd) {
    const u = cmd.contactUpdate!;
    const c = await loadContact(ctx.db, u.id, true);
    verifySponsor(c, ctx.registrar.id);
    const remStatuses = (u.remStatuses ?? []).map((s) => s.s);
    const addStatuses = (u.addStatuses ?? []).map((s) => s.s);
    const changesFields = !!(u.chgPostal?.length || u.chgVoice !== undefined || u.chgFax !== undefined || u.chgEmail !== undefined || u.chgAuthPw !== undefined || u.chgDisclose);
    if (c.statuses.includes('serverUpdateProhibited') || c.pendingTransfer) throw new StatusProhibitsOperationError('contact status prohibits update', el('id', c.contactId));
    if (!clientLockAllowsUpdate(c.statuses, remStatuses, changesFields)) throw new StatusProhibitsOperationError('clientUpdateProhibited: remove it first', el('id', c.contactId));
    const changed = changeStatuses(c.statuses, addStatuses, remStatuses, CONTACT_CLIENT_STATUSES);
    if ('bad' in changed) throw new ParameterValuePolicyError(changed.why, el('status', undefined, { s: changed.bad }));
    const types = (u.chgPostal ?? []).map((p) => p.type);
    const twice = types.find((t, i) => types.indexOf(t) !== i);
    if (twice) throw new ParameterValuePolicyError(`only one postalInfo of type "${twice}"`, el('postalInfo', undefined, { type: twice }));

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
      // A postalInfo of a type the contact does not have yet must come whole (RFC 5733 §3.2.5).
      if (!next.name || !next.city || !next.cc) throw new RequiredParameterMissingError(`a new ${p.type} postalInfo needs a name and an address`, el('postalInfo', undefined, { type: p.type }));
      validatePostalInfo(next, p.type);
      postal[p.type] = next as unknown as Record<string, unknown>;
    }
    if (u.chgVoice !== undefined) validatePhone('voice', u.chgVoice);
    if (u.chgFax !== undefined) validatePhone('fax', u.chgFax);
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
    const { chgAuthPw: _secret, ...snapshot } = u;
    await recordHistory(ctx.db, { type: 'contact', roid: c.roid, at: ctx.now, registrarId: ctx.registrar.id, svTrid: ctx.svTrid, action: 'update', snapshot });
    return { object: { type: 'contact', id: c.contactId } };
  },
});
