// The browsers' own permission prompts ignore input for a moment after they show and after they regain
// focus (Firefox: security.notification_enable_delay, 500 ms), so that a key or click the person meant
// for the page cannot answer them. MediaGate's picker and screen-capture grant windows do the same: a
// page that calls getUserMedia while the person types or clicks gets nothing from that input.
// `document.body.dataset.armed` says when all input acts again ("true"), for the e2e tests.

/** Half a second, as Firefox's prompts: long enough to stop a keystroke already on its way, short for a person. */
export const INPUT_DELAY_MS = 500;

const EVENTS = [
  'keydown',
  'keypress',
  'keyup',
  'beforeinput',
  'click',
  'dblclick',
  'auxclick',
  'contextmenu',
  'mousedown',
  'mouseup',
  'pointerdown',
  'pointerup',
  'touchstart',
  'submit',
] as const;

/** Keyboard events: after a regained focus these wait again (a key meant for another window). */
const KEYS = new Set<string>(['keydown', 'keypress', 'keyup', 'beforeinput']);

export function guardInput(win: Window = window, delayMs = INPUT_DELAY_MS): void {
  const doc = win.document;
  let shown = 0;
  let focused = 0;
  let timer = 0;
  const update = (): void => {
    win.clearTimeout(timer);
    const wait = Math.max(shown, focused) + delayMs - win.performance.now();
    doc.body.dataset.armed = String(wait <= 0 && doc.visibilityState === 'visible');
    if (wait > 0 && doc.visibilityState === 'visible') timer = win.setTimeout(update, wait);
  };
  // Shown (again): nothing acts for the delay.
  const onShown = (): void => {
    shown = focused = win.performance.now();
    update();
  };
  // Focused again (the window's own focus, not its elements'): keys wait again. A click that focused
  // the window was aimed at it, and counts.
  const onFocus = (): void => {
    focused = win.performance.now();
    update();
  };
  const acts = (e: Event): boolean =>
    doc.visibilityState === 'visible' &&
    win.performance.now() - (KEYS.has(e.type) ? Math.max(shown, focused) : shown) >= delayMs;
  for (const type of EVENTS) {
    win.addEventListener(
      type,
      (e) => {
        if (acts(e)) return;
        e.preventDefault();
        e.stopImmediatePropagation();
      },
      true,
    );
  }
  win.addEventListener('focus', onFocus);
  doc.addEventListener('visibilitychange', onShown);
  onShown();
}
