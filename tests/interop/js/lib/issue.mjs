/* Signing with Digital Bazaar's @digitalbazaar/vc: credentials (assertionMethod) and presentations. */
import * as vc from '@digitalbazaar/vc';

import {didKeyFromSeed} from './keys.mjs';
import {signingSuite} from './suites.mjs';

/**
 * Signs `credential` with the key of `seedHex` as `verificationMethod` (default: its did:key); an absent
 * `issuer` becomes that method's controller.
 */
export async function issueCredential({
  credential, seedHex, cryptosuite, created, documentLoader, verificationMethod
}) {
  const {did, keyPair} = await didKeyFromSeed(seedHex, verificationMethod);
  const suite = signingSuite({cryptosuite, signer: keyPair.signer(), created});
  return vc.issue({credential: {...credential, issuer: credential.issuer ?? did}, suite, documentLoader});
}

/** An unsigned presentation from a presentation, one credential, or a list of credentials. */
export function asPresentation(input) {
  const types = [].concat(input?.type ?? []);
  if(types.includes('VerifiablePresentation')) {
    return {...input};
  }
  return vc.createPresentation({verifiableCredential: input});
}

/** Signs a presentation (proofPurpose authentication); an absent `holder` becomes the did:key. */
export async function signPresentation({
  presentation, seedHex, cryptosuite, created, challenge, domain, documentLoader
}) {
  const {did, keyPair} = await didKeyFromSeed(seedHex);
  const suite = signingSuite({cryptosuite, signer: keyPair.signer(), created});
  return vc.signPresentation({
    presentation: {...presentation, holder: presentation.holder ?? did},
    suite, documentLoader, challenge, domain,
  });
}
