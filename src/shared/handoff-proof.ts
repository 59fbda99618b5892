// The proof of a handoff nonce (src/shared/handoff-ticket.ts). A module of its own: the hash library's
// start-up is cold code the content script runs only when it hashes, after the page's load event.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/** The proof for a nonce in a document of `origin` (bound to it: a proof is worth nothing elsewhere). */
export function handoffProof(key: string, origin: string, nonce: string): string {
  return bytesToHex(sha256(utf8ToBytes(`mediagate-handoff/2\n${key}\n${origin}\n${nonce}`)));
}
