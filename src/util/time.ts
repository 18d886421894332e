/** Calendar arithmetic in UTC for registration periods and lifecycle deadlines. */

/** Adds (or with a negative number, subtracts) whole years; 29 February lands on 28 February. */
export function addYears(d: Date, years: number): Date {
  const out = new Date(d.getTime());
  out.setUTCFullYear(out.getUTCFullYear() + years);
  // JS rolls 29 February into 1 March; keep the last day of February instead.
  if (out.getUTCDate() !== d.getUTCDate()) out.setUTCDate(0);
  return out;
}

export function addDays(d: Date, days: number): Date {
  return new Date(d.getTime() + days * 86_400_000);
}

/** An ISO 8601 duration of whole days ("P5D"), as RFC 8748 §3.4 grace-period attributes use. */
export function daysDuration(days: number): string {
  return `P${days}D`;
}
