/** contact:create (RFC 5733 §3.2.1): id, one or two postalInfo (int/loc), voice/fax, e-mail, authInfo, disclose. */
import { sql } from '../../../db/pool.js';
import { existingContactIds } from '../../../db/queries/contacts.js';
import { nextRoid, recordHistory } from '../../../db/queries/history.js';
import { NS } from '../../../xml/namespaces.js';
import { ObjectExistsError, ParameterValuePolicyError, ParameterValueSyntaxError, RequiredParameterMissingError } from '../../errors.js';
import { defineFlow } from '../../flow.js';
import { el, validateContactId, validateEmail, validatePhone, validatePostalInfo } from './contact-checks.js';

export const ContactCreateFlow = defineFlow({
  command: 'contact:create',
  objectUri: NS.contact,
  mutating: true,
  errors: [ObjectExistsError, ParameterValueSyntaxError, ParameterValuePolicyError, RequiredParameterMissingError],
  async run(ctx, cmd) {
    const c = cmd.contactCreate!;
    validateContactId(c.id);                                                            // 2005
    // RFC 5733 §2.3: one or two postalInfo elements, at most one of each type.
    const types = c.postalTypes ?? [];
    const twice = types.find((t, i) => types.indexOf(t) !== i);
    if (twice) throw new ParameterValuePolicyError(`only one postalInfo of type "${twice}"`, el('postalInfo', undefined, { type: twice }));
    if (!c.postalInt && !c.postalLoc) throw new RequiredParameterMissingError('a postalInfo is required', el('postalInfo'));
    validatePostalInfo(c.postalInt, 'int');                                             // 2005
    validatePostalInfo(c.postalLoc, 'loc');
    validatePhone('voice', c.voice);
    validatePhone('fax', c.fax);
    validateEmail(c.email);
    if ((await existingContactIds(ctx.db, [c.id])).size) throw new ObjectExistsError(`contact ${c.id} exists`, el('id', c.id));
    const roid = await nextRoid(ctx.db, 'C', ctx.config.epp.repoId);
    const disclose = c.disclose ? { flag: c.disclose.flag, fields: c.disclose.fields ?? [] } : null;
    // The unique index decides a race between two creates of the same id (23505 → 2302 below).
    try {
      await ctx.db.query(sql`
        INSERT INTO contacts (roid, contact_id, sponsor_id, creator_id, postal_int, postal_loc, voice, voice_ext, fax, fax_ext, email, auth_pw, disclose, created_at)
        VALUES (${roid}, ${c.id}, ${ctx.registrar.id}, ${ctx.registrar.id}, ${c.postalInt ? JSON.stringify(c.postalInt) : null}::jsonb,
                ${c.postalLoc ? JSON.stringify(c.postalLoc) : null}::jsonb, ${c.voice || null}, ${c.voice ? c.voiceExt ?? null : null}, ${c.fax || null},
                ${c.fax ? c.faxExt ?? null : null}, ${c.email}, ${c.authPw}, ${disclose ? JSON.stringify(disclose) : null}::jsonb, ${ctx.now})`);
    } catch (err) {
      if ((err as { code?: string }).code === '23505') throw new ObjectExistsError(`contact ${c.id} exists`, el('id', c.id));
      throw err;
    }
    const { authPw: _secret, ...snapshot } = c;
    await recordHistory(ctx.db, { type: 'contact', roid, at: ctx.now, registrarId: ctx.registrar.id, svTrid: ctx.svTrid, action: 'create', snapshot });
    return {
      resData: { 'contact:creData': { '@_xmlns:contact': NS.contact, 'contact:id': c.id, 'contact:crDate': ctx.now.toISOString() } },
      object: { type: 'contact', id: c.id },
    };
  },
});
