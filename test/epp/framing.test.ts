import { describe, expect, it } from 'vitest';
import { Deframer, frame } from '../../src/epp/framing.js';

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

  it('gives each payload its own buffer (transferable to a worker)', () => {
    const d = new Deframer(1024);
    const [a, b] = d.push(Buffer.concat([frame('<a/>'), frame('<b/>')])) as { payload: Uint8Array }[];
    expect(a!.payload.byteOffset).toBe(0);
    expect(a!.payload.buffer.byteLength).toBe(a!.payload.byteLength);
    expect(a!.payload.buffer).not.toBe(b!.payload.buffer);
  });
});
