/**
 * Namespace-aware helpers over libxml2 elements: clients may use any prefix, so we match by
 * namespace URI. Every accessor of libxml2-wasm reads WebAssembly memory (a name or URI is decoded
 * from UTF-8 each time, ~1-2 µs), so each element's child list is read once, with the names and
 * namespaces decoded, and remembered for as long as the element wrapper lives.
 */
import { XmlElement, type XmlTreeNode } from 'libxml2-wasm';

interface Kid { el: XmlElement; name: string; ns: string }

// Remembered on the wrapper object itself (under symbols of ours), not in a WeakMap: thousands
// of short-lived weak entries per second make every GC pay for ephemeron tables. A wrapper
// belongs to one parsed document, which is never modified, so nothing can go stale, and the
// memo is collected with the wrapper.
const KIDS = Symbol('dom.kids');
const ID = Symbol('dom.identity');
type Memo = XmlElement & { [KIDS]?: Kid[]; [ID]?: { name: string; ns: string } };

// Test the wrapper's class rather than asking libxml2 for the node type.
function isElement(n: XmlTreeNode | null): n is XmlElement {
  return n instanceof XmlElement;
}

function kids(parent: XmlElement): Kid[] {
  const memo = parent as Memo;
  let list = memo[KIDS];
  if (!list) {
    list = [];
    for (let n = parent.firstChild; n; n = n.next) {
      if (isElement(n)) {
        const k = { el: n, name: n.name, ns: n.namespaceUri };
        (n as Memo)[ID] = k;
        list.push(k);
      }
    }
    memo[KIDS] = list;
  }
  return list;
}

function identify(el: XmlElement): { name: string; ns: string } {
  const memo = el as Memo;
  return (memo[ID] ??= { name: el.name, ns: el.namespaceUri });
}

/** The element's local name (remembered). */
export function localName(el: XmlElement): string {
  return identify(el).name;
}

/** The element's namespace URI, '' for none (remembered). */
export function namespaceOf(el: XmlElement): string {
  return identify(el).ns;
}

export function elements(parent: XmlElement): XmlElement[] {
  return kids(parent).map((k) => k.el);
}

export function child(parent: XmlElement, ns: string, local: string): XmlElement | undefined {
  for (const k of kids(parent)) if (k.name === local && k.ns === ns) return k.el;
  return undefined;
}

export function childrenNamed(parent: XmlElement, ns: string, local: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const k of kids(parent)) if (k.name === local && k.ns === ns) out.push(k.el);
  return out;
}

/** Text of a child element (schema validation has already checked its form), or undefined. */
export function text(parent: XmlElement, ns: string, local: string): string | undefined {
  const c = child(parent, ns, local);
  return c ? c.content : undefined;
}

export function texts(parent: XmlElement, ns: string, local: string): string[] {
  return childrenNamed(parent, ns, local).map((e) => e.content);
}

export function attr(el: XmlElement, name: string): string | undefined {
  return el.attr(name)?.value;
}
