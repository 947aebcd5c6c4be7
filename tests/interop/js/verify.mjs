#!/usr/bin/env node
/*
 * Verifies a credential with Digital Bazaar's vc.verifyCredential (eddsa-rdfc-2022 or eddsa-jcs-2022).
 *   node verify.mjs [--controller-doc FILE]... [--now ISO] [--no-issuer-binding] [--contexts-dir DIR]... FILE|-
 * Prints {verified, error, errors, issuerBinding, status}; exit 0 verified, 1 not verified, 2 bad usage.
 * issuerBinding "checked" (default): issuer must equal the verification method's controller.
 */
import {parseCommandLine, printJson, readJson, runMain} from './lib/cli.mjs';
import {createDocumentLoader, readControllerDocs} from './lib/loader.mjs';
import {verifyCredential} from './lib/verify.mjs';

await runMain(async () => {
  const {values, file} = parseCommandLine({
    'controller-doc': {type: 'string', multiple: true, default: []},
    now: {type: 'string'},
    'no-issuer-binding': {type: 'boolean', default: false},
    'contexts-dir': {type: 'string', multiple: true},
  });
  const documentLoader = createDocumentLoader({
    contextsDirs: values['contexts-dir'], controllerDocs: readControllerDocs(values['controller-doc'])
  });
  const result = await verifyCredential({
    credential: readJson(file), documentLoader, now: values.now,
    issuerBinding: !values['no-issuer-binding'],
  });
  printJson(result);
  return result.verified ? 0 : 1;
});
