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
 * Chunks are kept as UTF-8 bytes (an answer goes out as bytes: encoding a 5 KB string per request
 * cost more than the rest of a cached lookup), and chunks shared by many answers (notices, terms
 * of use, a redaction list) are kept once.
 */
const SHARED = new Map<string, Buffer>();
const SHARED_MAX = 20_000;

function keep(chunk: string): Buffer {
  if (chunk.length < 128) return Buffer.from(chunk, 'utf8');
  const known = SHARED.get(chunk);
  if (known !== undefined) return known;
  const bytes = Buffer.from(chunk, 'utf8');
  if (SHARED.size < SHARED_MAX) SHARED.set(chunk, bytes);
  return bytes;
}

export class Template {
  private constructor(private readonly chunks: Buffer[], private readonly slots: SlotName[], private readonly json: boolean) {}

  /** `text` was produced with SLOT values where the per-request parts go; `json` if it went through JSON.stringify. */
  static of(text: string, json: boolean): Template {
    const forms = json ? JSON_FORM : SLOT;
    const chunks: Buffer[] = [];
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

  /** The answer as bytes, each slot's value encoded once. */
  fillBytes(values: Record<SlotName, string>): Buffer {
    const encoded: Partial<Record<SlotName, Buffer>> = {};
    const parts: Buffer[] = [this.chunks[0]!];
    for (let i = 0; i < this.slots.length; i++) {
      const name = this.slots[i]!;
      parts.push(encoded[name] ??= Buffer.from(this.json ? JSON.stringify(values[name]).slice(1, -1) : values[name], 'utf8'), this.chunks[i + 1]!);
    }
    return Buffer.concat(parts);
  }

  fill(values: Record<SlotName, string>): string {
    return this.fillBytes(values).toString('utf8');
  }
}
