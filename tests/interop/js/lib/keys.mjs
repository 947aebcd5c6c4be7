/* Ed25519 keys from a 32-byte seed, as did:key signers (Digital Bazaar ed25519-multikey). */
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';

export function seedFromHex(hex) {
  if(!/^[0-9a-fA-F]{64}$/.test(hex ?? '')) {
    throw new UsageError('--seed-hex must be 64 hex digits (a 32-byte Ed25519 seed)');
  }
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

/**
 * {did, verificationMethod, keyPair} for a seed: its did:key, or the given verification method URL
 * (e.g. `did:web:issuer.example#key-1`, whose controller is the part before `#`).
 */
export async function didKeyFromSeed(hex, verificationMethod) {
  const probe = await Ed25519Multikey.generate({seed: seedFromHex(hex)});
  const id = verificationMethod ?? `did:key:${probe.publicKeyMultibase}#${probe.publicKeyMultibase}`;
  const did = id.split('#')[0];
  const keyPair = await Ed25519Multikey.generate({seed: seedFromHex(hex), id, controller: did});
  return {did, verificationMethod: id, keyPair, publicKeyMultibase: probe.publicKeyMultibase};
}

export class UsageError extends Error {}
