/**
 * The admin CLI's billing commands against a real database: prices, policy, reserved names,
 * top-ups with a PDF receipt, the ledger, and a monthly statement read back with pdftotext.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/registry.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

describe('registry CLI: billing', () => {
  let t: TestDb;
  let dir: string;
  let cfg: string;
  const run = async (...args: string[]): Promise<{ code: number; out: string }> => {
    const lines: string[] = [];
    const code = await main(['--config', cfg, ...args], (s) => lines.push(s));
    return { code, out: lines.join('\n') };
  };
  const pdfText = (file: string) => execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });

  beforeAll(async () => {
    t = await createTestDb();
    dir = mkdtempSync(join(tmpdir(), 'registry-cli-'));
    chmodSync(dir, 0o755);
    cfg = join(dir, 'registry.json');
    writeFileSync(cfg, JSON.stringify({ mode: 'production', database: { primary: t.url }, billing: { issuerName: 'Example Registry Ltd', issuerAddress: ['1 Registry Road', 'Exampleton'] } }));
    expect((await run('zone', 'add', 'example')).code).toBe(0);
    expect((await run('registrar', 'create', 'acme', '--name', 'Acme Names', '--password', 'Acme-pass-1', '--zone', 'example')).code).toBe(0);
  });
  afterAll(async () => { await t.drop(); rmSync(dir, { recursive: true, force: true }); });

  it('sets and lists prices, refusing amounts the currency cannot hold', async () => {
    expect((await run('price', 'set', 'example', 'create', '12.5')).code).toBe(0);
    expect((await run('price', 'set', 'example', 'renew', '9.99')).code).toBe(0);
    await expect(run('price', 'set', 'example', 'create', '1.005')).rejects.toThrow(/at most 2 decimals/);
    await expect(run('price', 'set', 'example', 'bogus', '1')).rejects.toThrow(/operation must be one of/);
    expect((await run('price', 'list', 'example')).out).toBe('create\t12.50 USD\nrenew\t9.99 USD');
  });

  it('shows and sets zone policy keys, refusing unknown keys and bad values', async () => {
    const shown = JSON.parse((await run('zone', 'policy', 'example')).out);
    expect(shown).toMatchObject({ addGraceDays: 5, renewGraceDays: 5, autoRenewGraceDays: 45, transferGraceDays: 5, redemptionDays: 30, pendingDeleteDays: 5, autoRenew: true, currency: 'USD' });
    expect(JSON.parse((await run('zone', 'policy', 'example', 'redemptionDays=20', 'autoRenew=false')).out)).toMatchObject({ redemptionDays: 20, autoRenew: false });
    await expect(run('zone', 'policy', 'example', 'graceDays=3')).rejects.toThrow(/unknown policy key/);
    await expect(run('zone', 'policy', 'example', 'addGraceDays=-1')).rejects.toThrow(/whole number/);
    await expect(run('zone', 'policy', 'example', 'currency=EUR')).rejects.toThrow(/remove them before changing the currency/);
  });

  it('reserves names, printing an allocation token once for an allocatable one', async () => {
    expect((await run('reserved', 'add', 'example', 'nic', '--reason', 'Registry operations')).out).toBe('nic.example reserved');
    const allotted = (await run('reserved', 'add', 'example', 'brand', '--registrar', 'acme', '--token-days', '30')).out;
    expect(allotted).toMatch(/^brand\.example reserved for acme; allocation token [A-Za-z0-9_-]{27} \(valid until /);
    expect((await run('reserved', 'list', 'example')).out).toMatch(/^brand\.example\tReserved\tallocatable to acme until .*\nnic\.example\tRegistry operations$/);
    expect((await run('reserved', 'remove', 'example', 'nic')).out).toBe('unreserved');
  });

  it('tops up with a PDF receipt, and writes a monthly statement that adds up', async () => {
    const receipt = join(dir, 'receipt.pdf');
    const top = await run('account', 'topup', 'acme', '250.00', '--note', 'wire 2026-11-03', '--receipt', receipt);
    expect(top.out).toMatch(/^top-up (\d+): 250\.00 USD; balance 250\.00 USD\nreceipt written to /);
    const text = pdfText(receipt);
    expect(text).toContain('Example Registry Ltd');
    expect(text).toMatch(/Receipt no\. \d+/);
    expect(text).toContain('Amount received: 250.00 USD');
    expect(text).toContain('Reference: wire 2026-11-03');
    expect((await run('account', 'adjust', 'acme', '--note', 'bank charge', '--', '-5.25')).out).toMatch(/^adjustment \d+: -5\.25 USD; balance 244\.75 USD$/);
    expect((await run('account', 'limit', 'acme', '--credit-limit', '100', '--low-balance', '20')).out).toBe('USD: credit limit 100.00, low-balance alert below 20.00');
    expect((await run('account', 'show', 'acme')).out).toBe('USD\tbalance 244.75\tcredit limit 100.00\tavailable 344.75\tlow-balance alert below 20.00');
    const entries = JSON.parse((await run('account', 'ledger', 'acme', '--json')).out);
    expect(entries.map((e: { kind: string; amount: number }) => [e.kind, e.amount])).toEqual([['topup', 25000], ['adjustment', -525]]);
    const month = new Date().toISOString().slice(0, 7);
    const statement = join(dir, 'statement.pdf');
    expect((await run('account', 'statement', 'acme', '--month', month, '--out', statement)).out).toContain('2 entries, opening 0, closing 24475');
    const st = pdfText(statement);
    expect(st).toContain(`Account statement ${month} (USD)`);
    expect(st).toContain('Opening balance: 0.00 USD');
    expect(st).toContain('Closing balance: 244.75 USD');
    expect(st).toContain('Total topups: 250.00 USD');
    // A receipt is only for a top-up.
    await expect(run('account', 'receipt', String(entries[1].id), '--out', join(dir, 'x.pdf'))).rejects.toThrow(/receipts are for top-ups/);
    expect(readFileSync(receipt).subarray(0, 5).toString()).toBe('%PDF-');
  });
});
