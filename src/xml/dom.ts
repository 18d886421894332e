/** Namespace-aware helpers over libxml2 elements: clients may use any prefix, so we match by namespace URI. */
import { XmlElement, type XmlTreeNode } from 'libxml2-wasm';

// Every accessor crosses into WebAssembly, so test the wrapper's class rather than its properties.
function isElement(n: XmlTreeNode | null): n is XmlElement {
  return n instanceof XmlElement;
}

export function elements(parent: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  for (let n = parent.firstChild; n; n = n.next) if (isElement(n)) out.push(n);
  return out;
}

export function child(parent: XmlElement, ns: string, local: string): XmlElement | undefined {
  for (let n = parent.firstChild; n; n = n.next) {
    if (isElement(n) && n.name === local && n.namespaceUri === ns) return n;
  }
  return undefined;
}

export function childrenNamed(parent: XmlElement, ns: string, local: string): XmlElement[] {
  return elements(parent).filter((e) => e.name === local && e.namespaceUri === ns);
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
