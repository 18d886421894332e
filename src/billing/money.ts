/**
 * Amounts in integer minor units of a currency (ISO 4217), and their decimal text as EPP (RFC 8748
 * §3.4 uses xs:decimal) and people read it. Integer arithmetic keeps ledger sums exact.
 */

const digitsCache = new Map<string, number>();

/** The number of minor-unit digits of a currency: 2 for USD and EUR, 0 for JPY, 3 for KWD. */
export function minorDigits(currency: string): number {
  let d = digitsCache.get(currency);
  if (d === undefined) {
    if (!/^[A-Z]{3}$/.test(currency)) throw new TypeError(`not an ISO 4217 currency code: ${currency}`);
    // Intl knows the ISO 4217 exponent; unknown codes (XXX, private ones) get 2.
    d = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    digitsCache.set(currency, d);
  }
  return d;
}

/** 1050 USD → "10.50"; -1050 → "-10.50". */
export function formatAmount(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  const neg = minor < 0;
  const abs = String(Math.abs(minor)).padStart(digits + 1, '0');
  const whole = digits ? abs.slice(0, -digits) : abs;
  const frac = digits ? '.' + abs.slice(-digits) : '';
  return `${neg ? '-' : ''}${whole}${frac}`;
}

/**
 * "10.5" USD → 1050. Undefined when the text is not a plain decimal or has more fraction digits
 * than the currency's minor unit (a fee of 10.005 USD cannot be charged exactly).
 */
export function parseAmount(text: string, currency: string): number | undefined {
  const m = /^\s*(-)?(\d+)(?:\.(\d+))?\s*$/.exec(text);
  if (!m) return undefined;
  const digits = minorDigits(currency);
  const frac = (m[3] ?? '').replace(/0+$/, '');
  if (frac.length > digits) return undefined;
  const value = Number(m[2]) * 10 ** digits + Number(frac.padEnd(digits, '0') || '0');
  if (!Number.isSafeInteger(value)) return undefined;
  return m[1] ? -value : value;
}
