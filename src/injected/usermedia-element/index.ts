// Core part of the <usermedia> element: finds the elements (in the document, in shadow roots, however
// they get there) and loads the element's implementation (element/, a lazily loaded chunk) when the
// first one appears. Until then a page pays for one MutationObserver whose callback reads one live
// collection's length: walking each batch's added nodes from script cost a static page about 3 ms of
// its load in Chromium (every parser insertion is a record), most of MediaGate's cost to such pages.
import type { InjectedFeature } from '../feature';
import { apply, getOwnPropertyDescriptor, push, then } from '../native';
import { patch } from '../patch';
import { loadChunk } from '../chunks';

/** Receives every <usermedia> element attached to a tree (again after each move). */
export type ElementSink = (el: Element) => void;
/** Handed to the chunk: the elements found before it ran, and where to send later ones. */
export interface UsermediaCore {
  drain(sink: ElementSink): void;
}

const NativeMutationObserver = MutationObserver;
const observe = MutationObserver.prototype.observe;
const disconnect = MutationObserver.prototype.disconnect;
const getByTag = Element.prototype.getElementsByTagName;
const docGetByTag = Document.prototype.getElementsByTagName;
const contains = Node.prototype.contains;
const lengthGet = getOwnPropertyDescriptor(HTMLCollection.prototype, 'length')!.get!;
const localNameGet = getOwnPropertyDescriptor(Element.prototype, 'localName')!.get!;
const firstChildGet = getOwnPropertyDescriptor(Element.prototype, 'firstElementChild')!.get!;
const ELEMENT = 1;
const TAG = 'usermedia';
const OPTIONS: MutationObserverInit = { childList: true, subtree: true };

export const usermediaElement: InjectedFeature<'usermedia-element'> = {
  name: 'usermedia-element',
  install({ bridge, calls, enabled }) {
    let queue: Element[] = [];
    let sink: ElementSink | null = null;
    let loading = false;
    let failed = false;

    const each = (list: HTMLCollectionOf<Element>, fn: (el: Element) => void): void => {
      const n = apply(lengthGet, list, []) as number;
      for (let i = 0; i < n; i++) fn(list[i]!);
    };

    const found = (el: Element): void => {
      if (sink) {
        sink(el);
        return;
      }
      if (failed) return;
      push(queue, el);
      if (loading) return;
      loading = true;
      const core: UsermediaCore = {
        drain(s) {
          sink = s;
          const q = queue;
          queue = [];
          for (let i = 0; i < q.length; i++) s(q[i]!);
        },
      };
      // Switched off, or without MediaGate: the elements stay what the browser makes of them.
      const giveUp = (): false => {
        failed = true;
        queue = [];
        apply(disconnect, documentObserver, []);
        apply(disconnect, observer, []);
        return false;
      };
      then(bridge.config(), () =>
        enabled()
          ? then(loadChunk('usermedia-element', bridge, calls, enabled, core), (loaded) => !!loaded || giveUp())
          : giveUp(),
      );
    };

    const scan = (node: Node): boolean => {
      if (node.nodeType !== ELEMENT) return false;
      if (apply(localNameGet, node, []) === TAG) found(node as Element);
      if (!apply(firstChildGet, node, [])) return false;
      each(apply(getByTag, node, [TAG]) as HTMLCollectionOf<Element>, found);
      return true;
    };

    const scanRecords = (records: MutationRecord[]): void => {
      // A subtree scanned in this batch already holds the later nodes added inside it.
      let covered: Node | null = null;
      for (let i = 0; i < records.length; i++) {
        const added = records[i]!.addedNodes;
        for (let j = 0; j < added.length; j++) {
          const node = added[j]!;
          if (covered && apply(contains, covered, [node])) continue;
          if (scan(node)) covered = node;
        }
      }
    };

    // Live, so its length is the browser's own count of the document's elements, kept up to date.
    const inDocument = apply(docGetByTag, document, [TAG]) as HTMLCollectionOf<Element>;
    const documentObserver = new NativeMutationObserver((records) => {
      if (failed) return;
      // Once the first element was seen, every move counts: the added nodes are walked.
      if (loading) scanRecords(records);
      else if (apply(lengthGet, inDocument, [])) each(inDocument, found);
    });
    apply(observe, documentObserver, [document, OPTIONS]);
    // Shadow roots, open or closed, are invisible to the document's observer: watch each one.
    const observer = new NativeMutationObserver((records) => {
      if (!failed) scanRecords(records);
    });
    patch<Element['attachShadow']>(Element.prototype, 'attachShadow', (original, self, args) => {
      const root = apply(original, self, args);
      if (!failed) apply(observe, observer, [root, OPTIONS]);
      return root;
    });
  },
};
