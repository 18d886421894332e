/**
 * Piscina task: a batch of EPP frames (src/epp/parse-batch.ts) → for each, schema validation →
 * typed Command → protobuf bytes, packed back in the same order. CPU-only; a frame's failure
 * crosses threads as data, and the answer is one transferable buffer.
 */
import { move } from 'piscina';
import { parseAndValidate } from '../src/xml/validate.js';
import { toCommand } from '../src/xml/read.js';
import { encodeParseResult, type ParseResult } from '../src/proto/index.js';
import { packItems, unpackItems } from '../src/epp/parse-batch.js';
import '../src/xml/readers.js';

const CLTRID_RE = /<(?:[\w.-]+:)?clTRID>\s*([^<\s]{3,64})\s*<\//;

function parse(frame: Uint8Array): ParseResult {
  const validated = parseAndValidate(frame);
  if (!validated.ok) {
    // Echo the client's transaction id even for a failed frame when it can be read (RFC 5730 §2.5).
    const m = CLTRID_RE.exec(Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength).toString('utf8'));
    const f = validated.failure;
    return {
      failure: {
        code: f.code, msg: f.msg, ...(m ? { clTrid: m[1]! } : {}),
        values: (f.values ?? []).map((v) => ({
          reason: v.reason ?? '', hasElement: !!v.element,
          ...(v.element ? { ns: v.element.ns, local: v.element.local, text: v.element.text ?? '', attrs: v.element.attrs ?? {} } : {}),
        })),
      },
    };
  }
  const doc = validated.doc;
  try {
    return toCommand(doc, Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength).toString('utf8'));
  } catch (err) {
    return { failure: { code: 2400, msg: 'Command failed', values: [{ reason: `mapping failed: ${(err as Error).message}` }] } };
  } finally {
    doc.dispose();
  }
}

/** Piscina calls this with a packed batch of frames (transferred, not copied). */
export default function parseFrames(batch: Uint8Array): unknown {
  const results = unpackItems(batch).map((frame) => {
    try {
      return encodeParseResult(parse(frame));
    } catch (err) {
      // parse() maps every document; this is a bug or an encoding failure: answer 2400, not a lost batch.
      return encodeParseResult({ failure: { code: 2400, msg: 'Command failed', values: [{ reason: `worker failed: ${(err as Error).message}` }] } });
    }
  });
  return move(packItems(results));
}
