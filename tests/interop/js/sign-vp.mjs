#!/usr/bin/env node
/*
 * Signs a presentation with Digital Bazaar's vc.signPresentation (proofPurpose authentication).
 *   node sign-vp.mjs --seed-hex HEX --challenge C [--domain D] [--cryptosuite S] [--created ISO]
 *                    [--contexts-dir DIR]... FILE|-
 * FILE holds an unsigned presentation, or one credential, or a list of credentials (wrapped into a
 * presentation). `holder` is set to the did:key of the seed when the input has none.
 */
import * as vc from '@digitalbazaar/vc';

import {parseCommandLine, printJson, readJson, runMain} from './lib/cli.mjs';
import {didKeyFromSeed, UsageError} from './lib/keys.mjs';
import {createDocumentLoader} from './lib/loader.mjs';
import {signingSuite} from './lib/suites.mjs';

function asPresentation(input) {
  const types = [].concat(input?.type ?? []);
  if(types.includes('VerifiablePresentation')) {
    return input;
  }
  return vc.createPresentation({verifiableCredential: input});
}

await runMain(async () => {
  const {values, file} = parseCommandLine({
    'seed-hex': {type: 'string'},
    challenge: {type: 'string'},
    domain: {type: 'string'},
    cryptosuite: {type: 'string', default: 'eddsa-rdfc-2022'},
    created: {type: 'string'},
    'contexts-dir': {type: 'string', multiple: true},
  });
  if(!values.challenge) {
    throw new UsageError('--challenge is required');
  }
  const presentation = asPresentation(readJson(file));
  const {did, keyPair} = await didKeyFromSeed(values['seed-hex']);
  presentation.holder ??= did;
  const suite = signingSuite({
    cryptosuite: values.cryptosuite, signer: keyPair.signer(), created: values.created
  });
  const documentLoader = createDocumentLoader({contextsDirs: values['contexts-dir']});
  printJson(await vc.signPresentation({
    presentation, suite, documentLoader, challenge: values.challenge, domain: values.domain
  }));
  return 0;
});
