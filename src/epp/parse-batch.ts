/**
 * The hop to the parse pool, main-thread side: the frames of every session that arrive in one
 * event-loop turn travel to a worker as one Piscina task (one transferred buffer, one message,
 * one wake-up), and their protobuf results come back the same way.
 */
import type { Piscina } from 'piscina';
import { decodeParseResult, type ParseResult } from '../proto/index.js';
import { messageFor } from './result.js';

/**
 * A batch is one buffer of items, each a 4-byte big-endian length and that many bytes. Frames go
 * one way, encoded ParseResults the other, in the same order.
 */
export function packItems(items: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const it of items) total += 4 + it.byteLength;
  // Its own ArrayBuffer, so it can be transferred (not copied) to the other thread.
  const out = new Uint8Array(new ArrayBuffer(total));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const it of items) {
    view.setUint32(at, it.byteLength);
    out.set(it, at + 4);
    at += 4 + it.byteLength;
  }
  return out;
}

/** The items of a batch, as views into it (no copies). */
export function unpackItems(batch: Uint8Array): Uint8Array[] {
  const view = new DataView(batch.buffer, batch.byteOffset, batch.byteLength);
  const out: Uint8Array[] = [];
  for (let at = 0; at < batch.byteLength;) {
    if (at + 4 > batch.byteLength) throw new RangeError('truncated batch header');
    const n = view.getUint32(at);
    if (at + 4 + n > batch.byteLength) throw new RangeError('truncated batch item');
    out.push(batch.subarray(at + 4, at + 4 + n));
    at += 4 + n;
  }
  return out;
}

export interface ParseBatcherOptions {
  /**
   * Batches on the pool at a time (default: unlimited). While that many are being parsed, new
   * frames wait and leave together when one comes back: the busier the pool, the larger the
   * batches, and the fewer the cross-thread wake-ups, which is what the hop costs.
   */
  maxInFlight?: number;
  /** Send a batch at once when it holds this many frames … */
  maxFrames?: number;
  /** … or this many bytes. */
  maxBytes?: number;
  /** Seconds each batch spent on the pool, hop included. */
  observe?: (seconds: number, frames: number) => void;
  onError?: (err: unknown) => void;
}

interface Pending { frames: Uint8Array[]; bytes: number; waiters: ((r: ParseResult) => void)[] }

const poolFailure = (): ParseResult => ({ failure: { code: 2400, msg: messageFor(2400) } });

/**
 * Measured on 2 cores, a Piscina round trip costs about as much as parsing and validating a
 * small frame, so frames are not sent one by one: they are collected until the current
 * event-loop turn has read every socket that had data (setImmediate runs after the poll phase),
 * then sent together. An idle server adds no delay beyond that turn; a busy one sends fewer,
 * larger tasks. Validation still happens for every frame, on the pool, never here.
 */
export class ParseBatcher {
  private pending: Pending | undefined;
  private inFlight = 0;
  private readonly maxInFlight: number;
  private readonly maxFrames: number;
  private readonly maxBytes: number;

  constructor(private readonly pool: Pick<Piscina, 'run'>, private readonly opts: ParseBatcherOptions = {}) {
    this.maxInFlight = opts.maxInFlight ?? Infinity;
    this.maxFrames = opts.maxFrames ?? 64;
    this.maxBytes = opts.maxBytes ?? 1 << 20;
    if (!(this.maxInFlight >= 1) || !(this.maxFrames >= 1) || !(this.maxBytes >= 1)) throw new TypeError('maxInFlight, maxFrames and maxBytes must be positive');
  }

  /** Batches sent and not yet answered. */
  get batchesInFlight(): number { return this.inFlight; }

  /** Parses one frame. Its bytes are copied when the batch is sent (in this event-loop iteration); until then they must not change. */
  parse(frame: Uint8Array): Promise<ParseResult> {
    let p = this.pending;
    if (!p) {
      p = this.pending = { frames: [], bytes: 0, waiters: [] };
      // When the pool is full, the batch leaves as soon as one comes back instead.
      setImmediate(() => { if (this.pending === p && this.inFlight < this.maxInFlight) this.send(); });
    }
    const result = new Promise<ParseResult>((resolve) => p.waiters.push(resolve));
    p.frames.push(frame);
    p.bytes += frame.byteLength;
    // A full batch leaves at once, even beyond maxInFlight: the pool's own queue holds it.
    if (p.frames.length >= this.maxFrames || p.bytes >= this.maxBytes) this.send();
    return result;
  }

  private send(): void {
    const p = this.pending!;
    this.pending = undefined;
    this.inFlight++;
    const batch = packItems(p.frames);
    const t0 = process.hrtime.bigint();
    const done = () => {
      this.inFlight--;
      if (this.pending && this.inFlight < this.maxInFlight) this.send();
    };
    this.pool.run(batch, { transferList: [batch.buffer as ArrayBuffer] }).finally(done).then((bytes: Uint8Array) => {
      this.opts.observe?.(Number(process.hrtime.bigint() - t0) / 1e9, p.frames.length);
      const items = unpackItems(bytes);
      if (items.length !== p.waiters.length) throw new Error(`parse worker answered ${items.length} results for ${p.waiters.length} frames`);
      for (let i = 0; i < items.length; i++) {
        let r: ParseResult;
        try { r = decodeParseResult(items[i]!); } catch (err) { this.opts.onError?.(err); r = poolFailure(); }
        p.waiters[i]!(r);
      }
    }).catch((err: unknown) => {
      this.opts.onError?.(err);
      for (const w of p.waiters) w(poolFailure());
    });
  }
}
