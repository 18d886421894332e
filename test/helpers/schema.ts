/** Validates EPP documents the server sends against the RFC schemas (every response the tests see). */
import { XmlDocument } from 'libxml2-wasm';
import { schemaValidator } from '../../src/xml/validate.js';

export function schemaErrors(xml: string): string | undefined {
  let doc: XmlDocument;
  try { doc = XmlDocument.fromString(xml); } catch (err) { return `not well-formed: ${(err as Error).message}`; }
  try {
    schemaValidator().validate(doc);
    return undefined;
  } catch (err) {
    const details = (err as { details?: { message: string }[] }).details;
    return details?.map((d) => d.message.trim()).join('; ') ?? String(err);
  } finally {
    doc.dispose();
  }
}

export function assertValidEpp(xml: string): void {
  const problem = schemaErrors(xml);
  if (problem) throw new Error(`server sent a schema-invalid EPP document: ${problem}\n${xml}`);
}
