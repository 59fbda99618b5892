import { isHex256, newNonce, newSecret } from '../../src/shared/handoff-ticket';
import { handoffProof } from '../../src/shared/handoff-proof';

const KNOWN = 'a53991b17316f513137a55331d040882064eb891876043532c7485d3e29b29b5';

describe('handoff tickets', () => {
  const key = 'a'.repeat(64);
  it('a proof is SHA-256 over the key, the origin and the nonce, in hex', () => {
    // Known answer: printf 'mediagate-handoff/2\n<key>\nhttp://localhost:1\n<nonce>' | sha256sum
    const nonce = 'b'.repeat(64);
    expect(handoffProof(key, 'http://localhost:1', nonce)).toBe(KNOWN);
  });
  it('binds the proof to the origin and the nonce', () => {
    const nonce = newNonce();
    const t = { nonce, proof: handoffProof(key, 'https://a.example', nonce) };
    expect(isHex256(t.nonce) && isHex256(t.proof)).toBe(true);
    expect(handoffProof(key, 'https://a.example', t.nonce)).toBe(t.proof);
    expect(handoffProof(key, 'https://b.example', t.nonce)).not.toBe(t.proof);
    expect(handoffProof('c'.repeat(64), 'https://a.example', t.nonce)).not.toBe(t.proof);
  });
  it('secrets and nonces are fresh 256-bit hex', () => {
    const a = newSecret();
    expect(isHex256(a)).toBe(true);
    expect(newSecret()).not.toBe(a);
    const n = newNonce();
    expect(isHex256(n)).toBe(true);
    expect(newNonce()).not.toBe(n);
    expect(isHex256('A'.repeat(64))).toBe(false);
    expect(isHex256(42)).toBe(false);
  });
});
