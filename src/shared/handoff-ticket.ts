// What lets a newer MediaGate instance take over a page from the previous one, and nothing else (see
// src/injected/handoff.ts): a secret of this installation in storage.local, which only the extension
// reads. The content script gives its main world a ticket (a random nonce and its proof) at start; a
// newer instance later gets the proof of that nonce from its own content script. The page sees the
// nonce at most, never the secret or a proof, so it cannot retire MediaGate itself.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, randomBytes, utf8ToBytes } from '@noble/hashes/utils.js';

export const HANDOFF_KEY = 'handoffKey';

const HEX_256 = /^[0-9a-f]{64}$/;
/** The installation's secret, and the nonces: 256 bits in lowercase hex. */
export const isHex256 = (v: unknown): v is string => typeof v === 'string' && HEX_256.test(v);

export const newSecret = (): string => bytesToHex(randomBytes(32));

/** The proof for a nonce in a document of `origin` (bound to it: a proof is worth nothing elsewhere). */
export function handoffProof(key: string, origin: string, nonce: string): string {
  return bytesToHex(sha256(utf8ToBytes(`mediagate-handoff/2\n${key}\n${origin}\n${nonce}`)));
}

export interface HandoffTicket {
  nonce: string;
  proof: string;
}

export function newTicket(key: string, origin: string): HandoffTicket {
  const nonce = newSecret();
  return { nonce, proof: handoffProof(key, origin, nonce) };
}
