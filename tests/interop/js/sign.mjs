#!/usr/bin/env node
/*
 * Signs a credential with Digital Bazaar's vc.issue.
 *   node sign.mjs --seed-hex HEX [--cryptosuite eddsa-rdfc-2022|eddsa-jcs-2022] [--created ISO]
 *                 [--contexts-dir DIR]... FILE|-
 * The key is the did:key of the seed; the credential's `issuer` is set to that did:key when the input
 * has none (an input issuer is kept as is). Prints the secured credential.
 */
import * as vc from '@digitalbazaar/vc';

import {parseCommandLine, printJson, readJson, runMain} from './lib/cli.mjs';
import {didKeyFromSeed} from './lib/keys.mjs';
import {createDocumentLoader} from './lib/loader.mjs';
import {signingSuite} from './lib/suites.mjs';

await runMain(async () => {
  const {values, file} = parseCommandLine({
    'seed-hex': {type: 'string'},
    cryptosuite: {type: 'string', default: 'eddsa-rdfc-2022'},
    created: {type: 'string'},
    'contexts-dir': {type: 'string', multiple: true},
  });
  const credential = readJson(file);
  const {did, keyPair} = await didKeyFromSeed(values['seed-hex']);
  credential.issuer ??= did;
  const suite = signingSuite({
    cryptosuite: values.cryptosuite, signer: keyPair.signer(), created: values.created
  });
  const documentLoader = createDocumentLoader({contextsDirs: values['contexts-dir']});
  printJson(await vc.issue({credential, suite, documentLoader}));
  return 0;
});
