/**
 * Answers rendered once per object and reused: the parts that change per request (the request
 * URL RDAP links carry, the "last update" time) are slots filled in by string joins, so a cached
 * lookup costs a few microseconds instead of building and serialising the whole document.
 */

/** Placeholders; control characters cannot occur in registry data we render (WHOIS strips them, JSON escapes them). */
export const SLOT = { url: '\u0001url\u0001', asOf: '\u0001asof\u0001' } as const;
type SlotName = keyof typeof SLOT;

const JSON_FORM: Record<SlotName, string> = { url: JSON.stringify(SLOT.url).slice(1, -1), asOf: JSON.stringify(SLOT.asOf).slice(1, -1) };

/**
 * Chunks shared by many answers (notices, terms of use, a redaction list) are kept once. A
 * chunk is copied out of the rendered document, or the whole document would stay in memory
 * behind it (V8 keeps sliced strings' parents).
 */
const SHARED = new Map<string, string>();
const SHARED_MAX = 20_000;

function keep(chunk: string): string {
  if (chunk.length < 128) return Buffer.from(chunk, 'utf8').toString('utf8');
  const known = SHARED.get(chunk);
  if (known !== undefined) return known;
  const copy = Buffer.from(chunk, 'utf8').toString('utf8');
  if (SHARED.size < SHARED_MAX) SHARED.set(copy, copy);
  return copy;
}

export class Template {
  private constructor(private readonly chunks: string[], private readonly slots: SlotName[], private readonly json: boolean) {}

  /** `text` was produced with SLOT values where the per-request parts go; `json` if it went through JSON.stringify. */
  static of(text: string, json: boolean): Template {
    const forms = json ? JSON_FORM : SLOT;
    const chunks: string[] = [];
    const slots: SlotName[] = [];
    let rest = text;
    for (;;) {
      let next: { at: number; name: SlotName } | undefined;
      for (const name of Object.keys(forms) as SlotName[]) {
        const at = rest.indexOf(forms[name]);
        if (at >= 0 && (!next || at < next.at)) next = { at, name };
      }
      if (!next) { chunks.push(keep(rest)); break; }
      chunks.push(keep(rest.slice(0, next.at)));
      slots.push(next.name);
      rest = rest.slice(next.at + forms[next.name].length);
    }
    return new Template(chunks, slots, json);
  }

  fill(values: Record<SlotName, string>): string {
    let out = this.chunks[0]!;
    for (let i = 0; i < this.slots.length; i++) {
      const v = values[this.slots[i]!];
      out += (this.json ? JSON.stringify(v).slice(1, -1) : v) + this.chunks[i + 1]!;
    }
    return out;
  }
}
