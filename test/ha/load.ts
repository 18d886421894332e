/**
 * Closed-loop EPP domain creates from many logged-in sessions, recording every answer (code,
 * send and answer times) so a fault test can count exactly what was confirmed.
 */
import { readFileSync } from 'node:fs';
import { EppClient, domainCreateXml, loginXml, resultCode } from '../../src/epp/client.js';
import { NS } from '../../src/xml/namespaces.js';
import { ValidatingClient } from '../helpers/harness.js';
import { tag } from '../helpers/xml.js';

export interface CreateResult {
  name: string;
  session: number;
  node: string;
  /** The EPP result code, or 'error' when no answer came (connection lost, timeout). */
  code: number | 'error';
  sentAt: number;
  doneAt: number;
  svTrid?: string;
  error?: string;
}

export interface Target { node: string; port: number; ca: string }

export async function eppSession(t: Target, clID: string, pw: string, objURIs: string[] = [NS.domain, NS.contact]): Promise<ValidatingClient> {
  const raw = await EppClient.connect({ host: '127.0.0.1', port: t.port, ca: readFileSync(t.ca), servername: 'localhost', requestTimeoutMs: 90_000 });
  const c = new ValidatingClient(raw);
  const res = await c.request(loginXml({ clID, pw, objURIs }));
  if (resultCode(res) !== 1000) { raw.destroy(); throw new Error(`login of ${clID} on ${t.node} answered ${resultCode(res)}`); }
  return c;
}

export class CreateLoad {
  readonly results: CreateResult[] = [];
  private stopping = false;
  private loops: Promise<void>[] = [];

  constructor(private readonly sessions: { client: ValidatingClient; node: string }[], private readonly prefix: string, private readonly registrant: string) {}

  start(): void {
    this.loops = this.sessions.map((s, i) => this.loop(s, i));
  }

  private async loop(s: { client: ValidatingClient; node: string }, i: number): Promise<void> {
    for (let n = 0; !this.stopping; n++) {
      const name = `${this.prefix}-${i}-${n}.example`;
      const sentAt = Date.now();
      try {
        const res = await s.client.request(domainCreateXml({ name, registrant: this.registrant, pw: 'Ha-auth-123' }));
        const svTrid = tag(res, 'svTRID');
        this.results.push({ name, session: i, node: s.node, code: resultCode(res), sentAt, doneAt: Date.now(), ...(svTrid ? { svTrid } : {}) });
      } catch (err) {
        this.results.push({ name, session: i, node: s.node, code: 'error', sentAt, doneAt: Date.now(), error: (err as Error).message });
        return; // the session is gone
      }
    }
  }

  /** Stops after every session's current command has been answered. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.loops);
  }

  count(code: number | 'error'): number { return this.results.filter((r) => r.code === code).length; }
  confirmed(): string[] { return this.results.filter((r) => r.code === 1000).map((r) => r.name); }
  /** The first create sent at or after `t` that was confirmed. */
  firstConfirmedSentAfter(t: number): CreateResult | undefined {
    return this.results.filter((r) => r.code === 1000 && r.sentAt >= t).sort((a, b) => a.doneAt - b.doneAt)[0];
  }
  async until(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
