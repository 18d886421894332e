import { describe, expect, it } from 'vitest';
import { Deframer, frame } from '../../src/epp/framing.js';
import { packItems, unpackItems } from '../../src/epp/parse-batch.js';

const text = (p: Uint8Array) => Buffer.from(p).toString('utf8');

describe('RFC 5734 deframer', () => {
  it('reads one whole frame', () => {
    const d = new Deframer(1024);
    const ev = d.push(frame('<epp/>'));
    expect(ev).toHaveLength(1);
    expect(ev[0]!.kind).toBe('frame');
    expect(text((ev[0] as { payload: Uint8Array }).payload)).toBe('<epp/>');
  });

  it('reassembles a frame split at every byte, header included', () => {
    const d = new Deframer(1024);
    const bytes = frame('<epp><hello/></epp>');
    const got: string[] = [];
    for (const b of bytes) for (const e of d.push(Buffer.from([b]))) if (e.kind === 'frame') got.push(text(e.payload));
    expect(got).toEqual(['<epp><hello/></epp>']);
    expect(d.pending).toBe(0);
  });

  it('splits several frames that arrive in one packet', () => {
    const d = new Deframer(1024);
    const packet = Buffer.concat([frame('<a/>'), frame('<bb/>'), frame('<ccc/>').subarray(0, 6)]);
    const first = d.push(packet).map((e) => (e.kind === 'frame' ? text(e.payload) : e.reason));
    expect(first).toEqual(['<a/>', '<bb/>']);
    const rest = d.push(frame('<ccc/>').subarray(6)).map((e) => (e.kind === 'frame' ? text(e.payload) : e.reason));
    expect(rest).toEqual(['<ccc/>']);
  });

  it.each([0, 1, 4])('refuses a total length of %i (no room for XML) and stops', (len) => {
    const d = new Deframer(1024);
    const hdr = Buffer.alloc(4); hdr.writeUInt32BE(len);
    expect(d.push(Buffer.concat([hdr, frame('<a/>')]))).toEqual([{ kind: 'error', reason: 'too-short', length: len }]);
    expect(d.push(frame('<a/>'))).toEqual([]);
  });

  it('refuses a length above the maximum before the body arrives', () => {
    const d = new Deframer(64);
    const hdr = Buffer.alloc(4); hdr.writeUInt32BE(65);
    expect(d.push(hdr)).toEqual([{ kind: 'error', reason: 'too-long', length: 65 }]);
  });

  it('accepts a frame of exactly the maximum length', () => {
    const xml = '<x>' + 'a'.repeat(64 - 4 - 7) + '</x>';
    expect(frame(xml).length).toBe(64);
    expect(new Deframer(64).push(frame(xml))[0]!.kind).toBe('frame');
  });

  it('hands out payloads as views that later reads do not disturb', () => {
    const d = new Deframer(1024);
    const first = d.push(Buffer.concat([frame('<a/>'), frame('<b/>').subarray(0, 3)])) as { payload: Uint8Array }[];
    const second = d.push(frame('<b/>').subarray(3)) as { payload: Uint8Array }[];
    d.push(frame('<c/>'));
    expect(first.map((e) => text(e.payload))).toEqual(['<a/>']);
    expect(second.map((e) => text(e.payload))).toEqual(['<b/>']);
  });

  it('frames UTF-8 by bytes, not characters', () => {
    const f = frame('<x>é€</x>');
    expect(f.readUInt32BE(0)).toBe(4 + Buffer.byteLength('<x>é€</x>'));
    expect(text((new Deframer(64).push(f)[0] as { payload: Uint8Array }).payload)).toBe('<x>é€</x>');
  });
});

describe('parse batches', () => {
  it('pack and unpack items in order, empty ones included, into one transferable buffer', () => {
    const items = ['<a/>', '', '<ccc/>'].map((x) => Buffer.from(x));
    const packed = packItems(items);
    expect(packed.byteOffset).toBe(0);
    expect(packed.buffer.byteLength).toBe(packed.byteLength);
    expect(unpackItems(packed).map(text)).toEqual(['<a/>', '', '<ccc/>']);
    expect(unpackItems(packItems([]))).toEqual([]);
  });

  it('refuses a truncated batch', () => {
    const packed = packItems([Buffer.from('<abc/>')]);
    expect(() => unpackItems(packed.subarray(0, 7))).toThrow(RangeError);
    expect(() => unpackItems(packed.subarray(0, 2))).toThrow(RangeError);
  });
});
