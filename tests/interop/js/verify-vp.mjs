#!/usr/bin/env node
/*
 * Verifies a presentation with Digital Bazaar's vc.verify (authentication purpose) and every credential
 * in it (assertionMethod, issuer bound to the verification method's controller).
 *   node verify-vp.mjs --challenge C [--domain D] [--controller-doc FILE]... [--now ISO]
 *                      [--contexts-dir DIR]... FILE|-
 * Prints {verified, error, errors, presentation, credentials, holderChecks}; exit 0 / 1 / 2.
 * `verified` is DB's verdict; `holderChecks` (signer is holder, holder is subject) are computed by this
 * harness because DB does not make them.
 */
import {parseCommandLine, printJson, readJson, runMain} from './lib/cli.mjs';
import {UsageError} from './lib/keys.mjs';
import {createDocumentLoader, readControllerDocs} from './lib/loader.mjs';
import {verifyPresentation} from './lib/verify.mjs';

await runMain(async () => {
  const {values, file} = parseCommandLine({
    challenge: {type: 'string'},
    domain: {type: 'string'},
    'controller-doc': {type: 'string', multiple: true, default: []},
    now: {type: 'string'},
    'contexts-dir': {type: 'string', multiple: true},
  });
  if(!values.challenge) {
    throw new UsageError('--challenge is required');
  }
  const documentLoader = createDocumentLoader({
    contextsDirs: values['contexts-dir'], controllerDocs: readControllerDocs(values['controller-doc'])
  });
  const result = await verifyPresentation({
    presentation: readJson(file), challenge: values.challenge, domain: values.domain,
    documentLoader, now: values.now,
  });
  printJson(result);
  return result.verified ? 0 : 1;
});
