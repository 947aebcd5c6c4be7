/* Verification with Digital Bazaar's @digitalbazaar/vc, reported as plain JSON. */
import * as vc from '@digitalbazaar/vc';
import jsigs from 'jsonld-signatures';

import {errorMessages} from './cli.mjs';
import {verifyingSuites} from './suites.mjs';

const {purposes: {AssertionProofPurpose}} = jsigs;

/*
 * Issuer binding: by default DB's CredentialIssuancePurpose requires `issuer` (or `issuer.id`) to equal
 * the controller of the proof's verification method. `issuerBinding: false` uses the plain
 * AssertionProofPurpose instead (cryptosuite and assertionMethod relationship only).
 *
 * Status: DB needs a `checkStatus` function for a credential with `credentialStatus`; this harness does
 * not read status lists, so such a status is reported "not_checked" and does not fail verification.
 */
function statusOptions(credential) {
  if(!credential?.credentialStatus) {
    return {status: 'absent', options: {}};
  }
  return {status: 'not_checked', options: {checkStatus: async () => ({verified: true})}};
}

function report(result) {
  const messages = errorMessages(result.error);
  return {verified: result.verified === true, error: messages.join('; ') || null, errors: messages};
}

/** Verifies one credential; returns {verified, error, errors, issuerBinding, status}. */
export async function verifyCredential({credential, documentLoader, now, issuerBinding = true}) {
  const {status, options} = statusOptions(credential);
  const purpose = issuerBinding ? undefined : new AssertionProofPurpose();
  const result = await vc.verifyCredential({
    credential, suite: verifyingSuites(), documentLoader, now, purpose, ...options
  });
  return {...report(result), issuerBinding: issuerBinding ? 'checked' : 'skipped', status};
}

/*
 * Verifies a presentation (authentication purpose, challenge and domain) and every credential in it.
 * DB checks the VP proof's verification method is under `authentication` of its controller, but not that
 * the controller is `holder` nor that `holder` is each credential's subject: those two are computed here
 * from the documents and reported under `holderChecks`, outside DB's `verified`.
 */
export async function verifyPresentation({presentation, challenge, domain, documentLoader, now}) {
  const credentials = [].concat(presentation?.verifiableCredential ?? []);
  const needsStatus = credentials.some(c => c?.credentialStatus);
  const result = await vc.verify({
    presentation, challenge, domain, documentLoader, now, suite: verifyingSuites(),
    ...(needsStatus ? {checkStatus: async () => ({verified: true})} : {}),
  });
  return {
    ...report(result),
    presentation: result.presentationResult ? report(result.presentationResult) : null,
    credentials: (result.credentialResults ?? []).map(report),
    holderChecks: holderChecks(presentation, credentials),
  };
}

function holderChecks(presentation, credentials) {
  const holder = typeof presentation?.holder === 'object' ? presentation.holder.id : presentation?.holder;
  const proofs = [].concat(presentation?.proof ?? []);
  const controllers = proofs.map(p => String(p.verificationMethod ?? '').split('#')[0]);
  const subjects = credentials.flatMap(c => [].concat(c?.credentialSubject ?? []).map(s => s?.id));
  return {
    signerIsHolder: controllers.length > 0 && controllers.every(c => c === holder),
    holderIsSubject: subjects.length > 0 && subjects.every(s => s === holder),
  };
}
