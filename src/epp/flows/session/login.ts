/**
 * <login> (RFC 5730 §2.9.1.1): version and language, requested services, credentials, client
 * address and certificate, failed-login limits, the per-registrar session limit, and newPW.
 */
import type { RegistryConfig } from '../../../config.js';
import type { Database } from '../../../db/pool.js';
import { recentLoginFailures } from '../../../db/queries/audit.js';
import { openSession } from '../../../db/queries/sessions.js';
import type { LoginBody } from '../../../proto/index.js';
import { hashPassword, passwordPolicyError } from '../../../security/password.js';
import type { RegistrarCache } from '../../../security/registrar-cache.js';
import {
  AuthenticationClosingError, AuthenticationError, CommandUseError, ParameterValuePolicyError, SessionLimitExceededError,
  UnimplementedExtensionError, UnimplementedObjectServiceError, UnimplementedOptionError, UnimplementedProtocolVersionError,
} from '../../errors.js';
import { NS } from '../../../xml/namespaces.js';
import type { SessionState } from '../../session-state.js';

export interface LoginDeps {
  db: Database;
  cache: RegistrarCache;
  config: RegistryConfig;
  instanceId: string;
  served: { objUris: readonly string[]; extUris: readonly string[] };
}

const el = (local: string, text?: string) => ({ ns: NS.epp, local, ...(text !== undefined ? { text } : {}) });

/** Everything the server can check without credentials, in RFC order. */
function verifyOptionsAndServices(login: LoginBody, session: SessionState, served: LoginDeps['served']): void {
  if (session.registrar) throw new CommandUseError('already logged in');
  if (login.version !== '1.0') throw new UnimplementedProtocolVersionError('only EPP 1.0 is served', el('version', login.version));
  if (login.lang !== 'en') throw new UnimplementedOptionError('only lang "en" is served', el('lang', login.lang));
  for (const uri of login.objUris) {
    if (!served.objUris.includes(uri)) throw new UnimplementedObjectServiceError(`object service ${uri} is not served`, el('objURI', uri));
  }
  for (const uri of login.extUris) {
    if (!served.extUris.includes(uri)) throw new UnimplementedExtensionError(`extension ${uri} is not served`, el('extURI', uri));
  }
}

/**
 * Runs the login. Failures are thrown as EppErrors; the caller audits every attempt (the audit
 * rows of refused logins are what the failed-login limit counts).
 *
 * Database round trips: a registrar whose password this process has already verified logs in
 * with one (epp_session_open checks the failed-login limit, the session limit and opens the
 * session). A password that needs scrypt is checked only after the failed-login limit, so a
 * locked-out client cannot make us spend scrypt's CPU; a refusal counts the failures it needs.
 */
export async function login(deps: LoginDeps, session: SessionState, body: LoginBody, now: Date): Promise<{ registrarId: number }> {
  verifyOptionsAndServices(body, session, deps.served);

  const { maxFailedLogins, failedLoginWindowSeconds } = deps.config.epp;
  const since = new Date(now.getTime() - failedLoginWindowSeconds * 1000);
  let failures: number | undefined;
  const countFailures = async () => (failures ??= await recentLoginFailures(deps.db.primary, session.remoteIp, body.clId, since));
  const locked = () => new AuthenticationClosingError('too many failed logins; try again later');
  const refuse = async (reason: string): Promise<never> => {
    if (await countFailures() >= maxFailedLogins) throw locked();
    // The attempt that reaches the limit is also the last one on this connection.
    if (failures! + 1 >= maxFailedLogins) throw new AuthenticationClosingError(reason);
    throw new AuthenticationError(reason);
  };

  const registrar = await deps.cache.get(body.clId);
  const known = registrar !== undefined && deps.cache.knownPassword(registrar, body.pw);
  if (!known && await countFailures() >= maxFailedLogins) throw locked();
  // Always run the password check, even for an unknown clID, so timing tells nothing.
  const passwordOk = known || await deps.cache.checkPassword(registrar, body.pw);
  // One reason for every credential failure: which part was wrong is not the client's to learn.
  if (!registrar || !passwordOk || !registrar.enabled) await refuse('invalid credentials');
  const r = registrar!;
  if (!r.allow.has(session.remoteIp)) await refuse('client address not allowed for this registrar');
  switch (deps.config.epp.clientCertMode) {
    case 'none': break;
    case 'any':
      if (!session.peerFingerprint) await refuse('a client certificate is required');
      break;
    case 'ca':
      if (!session.peerFingerprint || !session.peerVerified || !r.certFingerprints.includes(session.peerFingerprint)) {
        await refuse('client certificate not issued to this registrar by the registry CA');
      }
      break;
  }

  let newHash: string | undefined;
  if (body.newPw !== undefined) {
    const problem = passwordPolicyError(body.newPw);
    if (problem) throw new ParameterValuePolicyError(problem, el('newPW', '********'));
    newHash = await hashPassword(body.newPw);
  }

  const opened = await openSession(deps.db.primary, {
    instanceId: deps.instanceId, registrarId: r.id, clientId: body.clId, clientIp: session.remoteIp,
    maxSessions: r.maxSessions, failuresSince: since, maxFailures: maxFailedLogins,
    ...(newHash ? { newPasswordHash: newHash } : {}),
  });
  if (opened.outcome === 'locked') throw locked();
  if (opened.outcome === 'full') throw new SessionLimitExceededError(`at most ${r.maxSessions} sessions for this registrar`);
  // The other processes hear of a new password by NOTIFY; this one must not wait for its own
  // notice, or a login right after could still pass with the old password it remembers.
  if (newHash) deps.cache.invalidate(`registrar:${r.id}`);

  session.registrar = { id: r.id, clientId: r.clientId };
  session.dbSessionId = opened.sessionId;
  session.objUris = new Set(body.objUris);
  session.extUris = new Set(body.extUris);
  return { registrarId: r.id };
}
