// Lazily loaded chunk (Firefox only): the page's own click that Firefox's screen capture needs.
// Firefox captures a screen, window or tab only with the page's transient activation, which lasts
// five seconds; a person who read MediaGate's grant window longer than that allowed the capture and
// would get InvalidStateError. Instead, MediaGate shows this bar in the page after the grant: a real
// click on "Start sharing" is a fresh activation, and the capture starts inside that click. Drawn in a
// closed shadow root; the page's synthetic clicks are ignored (isTrusted), and they could not start a
// capture anyway (no activation).
import { announceChunk, type ChunkApi } from '../../chunk-api';
import { apply, addListener, lazyGetter, lazySetter } from '../../chunk-natives';
import { adoptStyles } from '../../styles';

/** What the chunk offers the core (src/injected/screen-capture/index.ts). */
export interface ShareStart {
  /** Shows the bar; `go` runs inside the person's click on "Start sharing", `cancel` on "Cancel". */
  show(go: () => void, cancel: () => void): void;
}

const createElement = Document.prototype.createElement;
const attachShadow = Element.prototype.attachShadow;
const appendChild = Node.prototype.appendChild;
const removeChild = Node.prototype.removeChild;
const setAttribute = Element.prototype.setAttribute;
const docElement = lazyGetter(Document.prototype, 'documentElement');
const parentGet = lazyGetter(Node.prototype, 'parentNode');
const textSet = lazySetter(Node.prototype, 'textContent');

const CSS = `:host { all: initial !important; position: fixed !important; top: 12px !important; left: 50% !important; transform: translateX(-50%) !important; z-index: 2147483647 !important; }
div { box-sizing: border-box; width: 360px; max-width: calc(100vw - 24px); padding: 10px; border-radius: 8px; background: #fff; color: #1f1f1f; font: 14px/1.4 system-ui, sans-serif; box-shadow: 0 2px 10px rgba(0,0,0,.35); }
p { margin: 0 0 8px; }
span { display: flex; gap: 8px; }
button { height: 36px; border-radius: 18px; border: 1px solid #1a3fb0; padding: 0 16px; font: 600 14px system-ui, sans-serif; cursor: pointer; background: #fff; color: #1a3fb0; }
button.go { flex: 1 1 auto; background: #1a3fb0; color: #fff; }
button:focus-visible { outline: 2px solid #8ab4f8; outline-offset: 2px; }
@media (prefers-color-scheme: dark) { div { background: #2b2b2b; color: #eee; } button { background: #2b2b2b; color: #8ab4f8; border-color: #8ab4f8; } button.go { background: #8ab4f8; color: #1f1f1f; } }`;

function start({ strings }: ChunkApi): ShareStart {
  const t = (key: string): string => strings[key] ?? key;
  const el = (tag: string, text?: string): HTMLElement => {
    const e = apply(createElement, document, [tag]) as HTMLElement;
    if (text !== undefined) apply(textSet, e, [text]);
    return e;
  };
  return {
    show(go, cancel) {
      const host = el('div');
      apply(setAttribute, host, ['data-mediagate', 'share-start']);
      const shadow = apply(attachShadow, host, [{ mode: 'closed' }]) as ShadowRoot;
      adoptStyles(shadow, CSS);
      const box = el('div');
      apply(setAttribute, box, ['role', 'dialog']);
      apply(setAttribute, box, ['aria-label', t('shareStartTitle')]);
      const row = el('span');
      const startButton = el('button', t('shareStartButton'));
      apply(setAttribute, startButton, ['class', 'go']);
      const cancelButton = el('button', t('shareStartCancel'));
      apply(appendChild, box, [el('p', t('shareStartText'))]);
      apply(appendChild, row, [startButton]);
      apply(appendChild, row, [cancelButton]);
      apply(appendChild, box, [row]);
      apply(appendChild, shadow, [box]);
      let done = false;
      const answer = (e: Event, fn: () => void): void => {
        // isTrusted is an unforgeable own property of each event: only the person answers.
        if (!e.isTrusted || done) return;
        done = true;
        const parent = apply(parentGet, host, []) as Node | null;
        if (parent) apply(removeChild, parent, [host]);
        fn();
      };
      addListener(startButton, 'click', (e) => answer(e, go));
      addListener(cancelButton, 'click', (e) => answer(e, cancel));
      apply(appendChild, apply(docElement, document, []), [host]);
    },
  };
}

announceChunk('share-start', start);
