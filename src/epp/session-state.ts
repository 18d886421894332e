/** What the command engine knows about one EPP connection. */
import type { RegistrarRef } from './flow.js';

export interface SessionState {
  /** Remote address, IPv4-mapped IPv6 normalised to IPv4. */
  remoteIp: string;
  /** SHA-256 fingerprint of the client certificate, if one was presented. */
  peerFingerprint?: string;
  /** The client certificate chains to the registry CA. */
  peerVerified: boolean;
  registrar?: RegistrarRef;
  /** epp_sessions row while logged in. */
  dbSessionId?: number;
  objUris: Set<string>;
  extUris: Set<string>;
}

export function newSessionState(remoteIp: string, peer: { fingerprint?: string; verified: boolean }): SessionState {
  return {
    remoteIp,
    ...(peer.fingerprint ? { peerFingerprint: peer.fingerprint } : {}),
    peerVerified: peer.verified,
    objUris: new Set(),
    extUris: new Set(),
  };
}
