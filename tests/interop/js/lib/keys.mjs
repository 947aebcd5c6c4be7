/* Ed25519 keys from a 32-byte seed, as did:key signers (Digital Bazaar ed25519-multikey). */
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';

export function seedFromHex(hex) {
  if(!/^[0-9a-fA-F]{64}$/.test(hex ?? '')) {
    throw new UsageError('--seed-hex must be 64 hex digits (a 32-byte Ed25519 seed)');
  }
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

/** {did, verificationMethod, keyPair} for the did:key of a seed. */
export async function didKeyFromSeed(hex) {
  const probe = await Ed25519Multikey.generate({seed: seedFromHex(hex)});
  const did = `did:key:${probe.publicKeyMultibase}`;
  const keyPair = await Ed25519Multikey.generate({seed: seedFromHex(hex), controller: did});
  return {did, verificationMethod: keyPair.id, keyPair};
}

export class UsageError extends Error {}
