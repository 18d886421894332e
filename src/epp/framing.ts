/**
 * RFC 5734 §4 framing: each EPP data unit is a 4-byte big-endian total length (header included)
 * followed by the XML instance. Handles units split across reads and several units per read.
 */

export const HEADER_BYTES = 4;

export type FrameEvent =
  | { kind: 'frame'; payload: Buffer }
  | { kind: 'error'; reason: 'too-short' | 'too-long'; length: number };

export class Deframer {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private failed = false;

  /** @param maxBytes largest accepted total length (header included). */
  constructor(private readonly maxBytes: number) {
    if (!Number.isInteger(maxBytes) || maxBytes < HEADER_BYTES + 1) throw new TypeError('maxBytes must be an integer > 4');
  }

  /**
   * Feeds received bytes; returns complete frames in order. After a length error nothing more is
   * returned: the stream cannot be resynchronised, so the connection must close.
   */
  push(chunk: Buffer): FrameEvent[] {
    if (this.failed) return [];
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const out: FrameEvent[] = [];
    while (this.buffered >= HEADER_BYTES) {
      const length = this.peekLength();
      // A unit shorter than the header plus one byte of XML cannot hold an EPP instance.
      if (length < HEADER_BYTES + 1) { this.failed = true; out.push({ kind: 'error', reason: 'too-short', length }); break; }
      if (length > this.maxBytes) { this.failed = true; out.push({ kind: 'error', reason: 'too-long', length }); break; }
      if (this.buffered < length) break;
      // A view into the received bytes, not a copy: Node gives every read its own buffer, and a
      // consumer that keeps a payload past its turn (the parse batcher) copies it itself.
      out.push({ kind: 'frame', payload: this.take(length).subarray(HEADER_BYTES) });
    }
    return out;
  }

  /** Bytes received but not yet part of a complete frame (for idle/slow-client decisions). */
  get pending(): number { return this.buffered; }

  private peekLength(): number {
    const first = this.chunks[0]!;
    if (first.length >= HEADER_BYTES) return first.readUInt32BE(0);
    const head = Buffer.concat(this.chunks, Math.min(this.buffered, 16)).subarray(0, HEADER_BYTES);
    return head.readUInt32BE(0);
  }

  private take(n: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
    const unit = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length ? [rest] : [];
    this.buffered = rest.length;
    return unit;
  }
}

/** Prepends the RFC 5734 header to a serialised EPP instance (encoded straight into the frame). */
export function frame(xml: string): Buffer {
  const length = HEADER_BYTES + Buffer.byteLength(xml, 'utf8');
  const out = Buffer.allocUnsafe(length);
  out.writeUInt32BE(length, 0);
  out.write(xml, HEADER_BYTES, 'utf8');
  return out;
}
