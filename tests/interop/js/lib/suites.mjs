/* Digital Bazaar Data Integrity suites for eddsa-rdfc-2022 and eddsa-jcs-2022. */
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import * as jcs from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import {cryptosuite as rdfc} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';

import {UsageError} from './keys.mjs';

export const CRYPTOSUITES = ['eddsa-rdfc-2022', 'eddsa-jcs-2022'];

/** A signing suite; `created` (ISO string) fixes the proof's `created`. */
export function signingSuite({cryptosuite, signer, created}) {
  const suite = {
    'eddsa-rdfc-2022': () => rdfc,
    'eddsa-jcs-2022': () => jcs.createSignCryptosuite(),
  }[cryptosuite];
  if(!suite) {
    throw new UsageError(`--cryptosuite must be one of ${CRYPTOSUITES.join(', ')}`);
  }
  return new DataIntegrityProof({signer, date: created, cryptosuite: suite()});
}

/** Verifying suites for both cryptosuites (jsigs picks the one matching each proof). */
export function verifyingSuites() {
  return [
    new DataIntegrityProof({cryptosuite: rdfc}),
    new DataIntegrityProof({cryptosuite: jcs.createVerifyCryptosuite()}),
  ];
}
