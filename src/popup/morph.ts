// Redraws a list in place: nodes that are still wanted stay the same nodes (matched by `data-key`,
// else by tag and position), so a redraw while the person tabs or clicks through the popup keeps
// their focus and the button under their pointer. New nodes come with their own listeners; a kept
// node keeps the listener it was made with, which is why a key must name what the node does.

function identity(node: ChildNode, index: number): string {
  if (node instanceof HTMLElement && node.dataset.key) return `key:${node.dataset.key}`;
  return node instanceof Element ? `${node.tagName}#${index}` : `${node.nodeType}#${index}`;
}

function identities(nodes: ChildNode[]): string[] {
  const counts = new Map<string, number>();
  return nodes.map((n) => {
    const kind = n instanceof Element ? n.tagName : String(n.nodeType);
    const i = counts.get(kind) ?? 0;
    counts.set(kind, i + 1);
    return identity(n, i);
  });
}

function morphNode(current: ChildNode, wanted: ChildNode): void {
  if (!(current instanceof Element) || !(wanted instanceof Element)) {
    if (current.nodeValue !== wanted.nodeValue) current.nodeValue = wanted.nodeValue;
    return;
  }
  for (const a of [...current.attributes]) if (!wanted.hasAttribute(a.name)) current.removeAttribute(a.name);
  for (const a of [...wanted.attributes])
    if (current.getAttribute(a.name) !== a.value) current.setAttribute(a.name, a.value);
  // Properties that no longer follow their attribute once the person touched the control.
  if (current instanceof HTMLInputElement && wanted instanceof HTMLInputElement) {
    if (current.checked !== wanted.checked) current.checked = wanted.checked;
    current.disabled = wanted.disabled;
  }
  morphChildren(current, [...wanted.childNodes]);
}

/** Makes `parent`'s children look like `wanted`, reusing the nodes that match. */
export function morphChildren(parent: Node, wanted: ChildNode[]): void {
  const old = [...parent.childNodes];
  const oldIds = identities(old);
  const byId = new Map(old.map((n, i) => [oldIds[i]!, n]));
  const next = identities(wanted).map((id, i) => {
    const w = wanted[i]!;
    const kept = byId.get(id);
    if (kept && kept.nodeName === w.nodeName) {
      byId.delete(id);
      morphNode(kept, w);
      return kept;
    }
    return w;
  });
  for (const gone of byId.values()) gone.remove();
  // Move only what is out of place (moving a node would take the focus off it).
  next.forEach((node, i) => {
    const at = parent.childNodes[i];
    if (at !== node) parent.insertBefore(node, at ?? null);
  });
}
