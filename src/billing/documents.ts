/**
 * PDF documents for registrars (pdfkit): a receipt for a top-up and a monthly statement of an
 * account. Rendering is pure: the same entries and instant give the same document.
 */
import PDFDocument from 'pdfkit';
import { formatAmount } from './money.js';
import type { LedgerEntry } from './ledger.js';

export interface Issuer { name: string; address: string[] }
export interface Party { clientId: string; name: string }

function render(title: string, created: Date, draw: (doc: PDFKit.PDFDocument) => void): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: title, Author: 'Open Registry', CreationDate: created, ModDate: created } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    draw(doc);
    doc.end();
  });
}

function header(doc: PDFKit.PDFDocument, issuer: Issuer, title: string): void {
  doc.font('Helvetica-Bold').fontSize(16).text(issuer.name);
  doc.font('Helvetica').fontSize(9);
  for (const line of issuer.address) doc.text(line);
  doc.moveDown(1.5).font('Helvetica-Bold').fontSize(14).text(title).moveDown(0.5).font('Helvetica').fontSize(10);
}

const day = (d: Date) => d.toISOString().slice(0, 10);

export function receiptPdf(issuer: Issuer, to: Party, e: LedgerEntry): Promise<Buffer> {
  if (e.kind !== 'topup') throw new TypeError(`ledger entry ${e.id} is a ${e.kind}, not a top-up`);
  return render(`Receipt ${e.id}`, e.at, (doc) => {
    header(doc, issuer, `Receipt no. ${e.id}`);
    doc.text(`Date: ${e.at.toISOString()}`);
    doc.text(`Received from: ${to.name} (registrar ${to.clientId})`);
    doc.moveDown();
    doc.font('Helvetica-Bold').text(`Amount received: ${formatAmount(e.amount, e.currency)} ${e.currency}`).font('Helvetica');
    if (e.description) doc.text(`Reference: ${e.description}`);
    doc.text(`Account balance after this payment: ${formatAmount(e.balanceAfter, e.currency)} ${e.currency}`);
    doc.moveDown().fontSize(8).text('This receipt confirms a credit to the registrar\'s prepaid account; registry fees are drawn from it as they are incurred.');
  });
}

export interface Statement { month: string; currency: string; opening: number; entries: LedgerEntry[]; created: Date }

/** Opening balance, every entry of the month with its running balance, totals by kind, closing balance. */
export function statementPdf(issuer: Issuer, to: Party, s: Statement): Promise<Buffer> {
  const closing = s.entries.length ? s.entries[s.entries.length - 1]!.balanceAfter : s.opening;
  const totals = new Map<string, number>();
  for (const e of s.entries) totals.set(e.kind, (totals.get(e.kind) ?? 0) + e.amount);
  const money = (n: number) => `${formatAmount(n, s.currency)} ${s.currency}`;
  return render(`Statement ${to.clientId} ${s.month}`, s.created, (doc) => {
    header(doc, issuer, `Account statement ${s.month} (${s.currency})`);
    doc.text(`Registrar: ${to.name} (${to.clientId})`);
    doc.text(`Opening balance: ${money(s.opening)}`);
    doc.moveDown();
    const cols = [50, 120, 185, 255, 400, 480];
    const row = (cells: string[], bold = false) => {
      const y = doc.y;
      doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(8);
      cells.forEach((c, i) => doc.text(c, cols[i]!, y, { width: (cols[i + 1] ?? 560) - cols[i]! - 4, lineBreak: false, ellipsis: true }));
      doc.x = 50;
      doc.moveDown(0.4);
      if (doc.y > 770) doc.addPage();
    };
    row(['Date', 'Entry', 'Kind', 'Domain / description', 'Amount', 'Balance'], true);
    for (const e of s.entries) {
      row([day(e.at), String(e.id), e.operation ? `${e.kind} ${e.operation}` : e.kind, e.domainName ?? e.description ?? '', formatAmount(e.amount, s.currency), formatAmount(e.balanceAfter, s.currency)]);
    }
    doc.moveDown().fontSize(10).font('Helvetica');
    for (const [kind, total] of totals) doc.text(`Total ${kind}s: ${money(total)}`);
    doc.font('Helvetica-Bold').text(`Closing balance: ${money(closing)}`);
  });
}
