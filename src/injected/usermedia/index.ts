// Core part of the <usermedia> element: finds the elements (in the document, in shadow roots, however
// they get there) and loads the element's implementation (element/, a lazily loaded chunk) when the
// first one appears. Pages without the element pay for one MutationObserver and nothing else.
import type { InjectedFeature } from '../feature';
import { apply, getOwnPropertyDescriptor, push, then } from '../native';
import { patch } from '../patch';
import { loadChunk } from '../chunks';

/** Receives every <usermedia> element attached to a tree (again after each move). */
export type ElementSink = (el: Element) => void;
/** Handed to the chunk: the elements found before it ran, and where to send later ones. */
export interface UsermediaCore { drain(sink: ElementSink): void }

const NativeMutationObserver = MutationObserver;
const observe = MutationObserver.prototype.observe;
const getByTag = Element.prototype.getElementsByTagName;
const localNameGet = getOwnPropertyDescriptor(Element.prototype, 'localName')!.get!;
const firstChildGet = getOwnPropertyDescriptor(Element.prototype, 'firstElementChild')!.get!;
const ELEMENT = 1;
const OPTIONS: MutationObserverInit = { childList: true, subtree: true };

export const usermedia: InjectedFeature = {
  name: 'usermedia',
  install({ bridge, calls, enabled }) {
    let queue: Element[] = [];
    let sink: ElementSink | null = null;
    let loading = false;
    let failed = false;

    const found = (el: Element): void => {
      if (sink) { sink(el); return; }
      if (failed) return;
      push(queue, el);
      if (loading) return;
      loading = true;
      const core: UsermediaCore = { drain(s) { sink = s; const q = queue; queue = []; for (let i = 0; i < q.length; i++) s(q[i]!); } };
      // Switched off, or without MediaGate: the elements stay what the browser makes of them.
      const giveUp = (): false => { failed = true; queue = []; return false; };
      then(bridge.config(), () => (enabled() ? then(loadChunk('usermedia', bridge, calls, enabled, core), (loaded) => !!loaded || giveUp()) : giveUp()));
    };

    const scan = (node: Node): void => {
      if (node.nodeType !== ELEMENT) return;
      if (apply(localNameGet, node, []) === 'usermedia') found(node as Element);
      if (!apply(firstChildGet, node, [])) return;
      const inner = apply(getByTag, node, ['usermedia']) as HTMLCollectionOf<Element>;
      for (let i = 0; i < inner.length; i++) found(inner[i]!);
    };

    const observer = new NativeMutationObserver((records) => {
      for (let i = 0; i < records.length; i++) {
        const added = records[i]!.addedNodes;
        for (let j = 0; j < added.length; j++) scan(added[j]!);
      }
    });
    apply(observe, observer, [document, OPTIONS]);
    // Shadow roots, open or closed, are invisible to the document's observer: watch each one.
    patch<Element['attachShadow']>(Element.prototype, 'attachShadow', (original, self, args) => {
      const root = apply(original, self, args);
      apply(observe, observer, [root, OPTIONS]);
      return root;
    });
  },
};
