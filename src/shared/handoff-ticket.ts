// What lets a newer MediaGate instance take over a page from the previous one, and nothing else (see
// src/injected/handoff.ts): a secret of this installation in storage.local, which only the extension
// reads. The content script gives its main world a ticket (a random nonce and its proof) at start; a
// newer instance later gets the proof of that nonce from its own content script. The page sees the
// nonce at most, never the secret or a proof, so it cannot retire MediaGate itself. The proof's hash
// lives in handoff-proof.ts, which the content script loads only when it hashes.

export const HANDOFF_KEY = 'handoffKey';

const HEX_256 = /^[0-9a-f]{64}$/;
/** The installation's secret, and the nonces: 256 bits in lowercase hex. */
export const isHex256 = (v: unknown): v is string => typeof v === 'string' && HEX_256.test(v);

/**
 * What the content script gives its main world: the nonce at start, its proof later. Hashing in script
 * takes about 2 ms of cold code in each new document, so the proof comes after the page's load event;
 * a newer instance that asks before that waits for it (src/injected/handoff.ts).
 */
export interface HandoffTicket {
  nonce: string;
  proof?: string;
}

/** 256 random bits in lowercase hex (the platform's CSPRNG; no hash library at start-up in every frame). */
function random256(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let hex = '';
  for (let i = 0; i < bytes.length; i++) hex += (bytes[i]! < 16 ? '0' : '') + bytes[i]!.toString(16);
  return hex;
}

export const newSecret = random256;
export const newNonce = random256;
