/** EPP → RDAP status values (RFC 8056 §2), including the RGP statuses (RFC 3915) the mapping must pass through. */
import { describe, expect, it } from 'vitest';
import { rdapStatus, rdapStatuses, whoisStatus } from '../../src/rdds/statuses.js';

describe('RFC 8056 status mapping', () => {
  it('maps every EPP status of RFC 5731-5733 and RFC 3915 to its RDAP value', () => {
    const table: [string, string][] = [
      ['ok', 'active'], ['linked', 'associated'], ['inactive', 'inactive'],
      ['pendingCreate', 'pending create'], ['pendingDelete', 'pending delete'], ['pendingRenew', 'pending renew'],
      ['pendingTransfer', 'pending transfer'], ['pendingUpdate', 'pending update'], ['pendingRestore', 'pending restore'],
      ['clientDeleteProhibited', 'client delete prohibited'], ['clientHold', 'client hold'], ['clientRenewProhibited', 'client renew prohibited'],
      ['clientTransferProhibited', 'client transfer prohibited'], ['clientUpdateProhibited', 'client update prohibited'],
      ['serverDeleteProhibited', 'server delete prohibited'], ['serverHold', 'server hold'], ['serverRenewProhibited', 'server renew prohibited'],
      ['serverTransferProhibited', 'server transfer prohibited'], ['serverUpdateProhibited', 'server update prohibited'],
      ['addPeriod', 'add period'], ['autoRenewPeriod', 'auto renew period'], ['renewPeriod', 'renew period'],
      ['transferPeriod', 'transfer period'], ['redemptionPeriod', 'redemption period'],
    ];
    for (const [epp, rdap] of table) expect(rdapStatus(epp), epp).toBe(rdap);
  });

  it('keeps order and drops duplicates', () => {
    expect(rdapStatuses(['ok', 'linked'])).toEqual(['active', 'associated']);
    expect(rdapStatuses(['pendingDelete', 'redemptionPeriod', 'pendingDelete'])).toEqual(['pending delete', 'redemption period']);
  });

  it('links WHOIS statuses to ICANN\'s status page', () => {
    expect(whoisStatus('clientHold')).toBe('clientHold https://icann.org/epp#clientHold');
    expect(whoisStatus('autoRenewPeriod')).toBe('autoRenewPeriod https://icann.org/epp#autoRenewPeriod');
  });
});
