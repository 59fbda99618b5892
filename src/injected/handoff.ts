// A new version of MediaGate arrives in open pages after an update or reload (Firefox injects it itself;
// in Chromium the background does, background/reinject.ts), while the old main-world patches stay in
// place. The new instance asks the old one to step aside (its patches then pass straight through) and
// to hand over what the page already set up, so calls in progress stay under MediaGate's controls.
//
// The page can send the same event, so stepping aside takes a proof only MediaGate has: the old
// instance's content script gave it a ticket at start (a nonce and its proof, made from this
// installation's secret, src/shared/handoff-ticket.ts); the new instance gets the proof of that nonce
// from its own content script. The page may learn the nonce, never the secret or a proof, so the
// person's and the administrator's protections hold for the life of the page.
import {
  addListener,
  stopImmediate,
  apply,
  create,
  defineProperty,
  getOwnPropertyDescriptor,
  own,
  push,
} from './native';
import { activate, standBy } from './patch';
import type { HandoffTicket } from '../shared/handoff-ticket';

// Version 1 handed over to anyone who asked; its name is not answered any more.
const EVENT = 'mediagate:handoff/2';
export type HandoffState = Record<string, unknown>;

const NativeCustomEvent = CustomEvent;
const dispatch = EventTarget.prototype.dispatchEvent;
const detailOf = getOwnPropertyDescriptor(CustomEvent.prototype, 'detail')!.get!;
/**
 * 64 lowercase hex digits, checked with syntax only: RegExp.prototype.test would call the exec a page
 * may have put on RegExp.prototype by the time the ticket arrives, and hand it the proof.
 */
function isHex256(v: unknown): v is string {
  if (typeof v !== 'string' || v.length !== 64) return false;
  for (let i = 0; i < 64; i++) {
    const c = v[i]!;
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

let ticket: HandoffTicket | null = null;
/** Proofs given before this instance's own proof arrived, each compared when it does. */
const early: (() => void)[] = [];
/**
 * The content script's ticket: the nonce first (it arrives before anything could ask), its proof after
 * the page's load; the first of each counts.
 */
export function keepTicket(payload: unknown): void {
  const nonce = own(payload, 'nonce');
  const proof = own(payload, 'proof');
  if (!ticket) {
    if (isHex256(nonce)) ticket = { nonce };
    return;
  }
  if (ticket.proof || nonce !== ticket.nonce || !isHex256(proof)) return;
  ticket.proof = proof;
  for (let i = 0; i < early.length; i++) early[i]!();
  early.length = 0;
}

export interface Handoff {
  /** The previous instance's nonce, for this instance's content script to prove. */
  nonce: string;
  /** Hands the proof to the previous instance; `accept` runs if it was right. */
  respond(proof: string): void;
}

/**
 * Asks a previous instance in this window to hand over. None answering: null, and this instance is in
 * charge. One answering: this instance stands by (its patches pass through) until the proof went
 * through and `accept` received the state, keyed by feature; if it never does, the previous instance
 * stays in charge.
 */
export function requestHandoff(win: Window, accept: (state: HandoffState) => void): Handoff | null {
  // A null prototype: no setter the page put on Object.prototype sees what the old instance answers.
  const request = create(null) as Record<string, unknown>;
  let accepted = false;
  request.accept = (state: unknown) => {
    if (accepted || state === null || typeof state !== 'object') return;
    accepted = true;
    activate();
    accept(state as HandoffState);
  };
  // The event's options too: CustomEvent reads bubbles/cancelable/composed from them, and a getter the
  // page put on Object.prototype would receive them, and with them `accept`.
  const init = create(null) as CustomEventInit;
  init.detail = request;
  apply(dispatch, win, [new NativeCustomEvent(EVENT, init)]);
  const nonce = own(request, 'nonce');
  const respond = own(request, 'respond');
  if (!isHex256(nonce) || typeof respond !== 'function') return null;
  standBy();
  return { nonce, respond: (proof) => apply(respond, undefined, [proof]) };
}

/** Lets a later instance that proves itself retire this one. */
export function offerHandoff(win: Window, retireAndExport: () => HandoffState): void {
  let done = false;
  addListener(
    win,
    EVENT,
    (e) => {
      stopImmediate(e);
      const request: unknown = apply(detailOf, e, []);
      const accept = own(request, 'accept');
      if (done || !ticket || request === null || typeof request !== 'object' || typeof accept !== 'function') return;
      const mine = ticket;
      const check = (proof: unknown): void => {
        if (done || proof !== mine.proof) return;
        done = true;
        apply(accept, undefined, [retireAndExport()]);
      };
      let answered = false;
      const respond = (proof: unknown): void => {
        if (mine.proof) check(proof);
        else if (isHex256(proof) && !answered) {
          // Asked before this instance's own proof came (during the page's load): compared when it does.
          // Per request, so a page's own requests cannot crowd out the newer instance's.
          answered = true;
          push(early, () => check(proof));
        }
      };
      const nonce = mine.nonce;
      try {
        defineProperty(request, 'nonce', { value: nonce, enumerable: true });
        defineProperty(request, 'respond', { value: respond, enumerable: true });
      } catch {
        /* a frozen or hostile detail: nothing to answer */
      }
    },
    true,
  );
}
