#!/usr/bin/env node
/*
 * Signs a presentation with Digital Bazaar's vc.signPresentation (proofPurpose authentication).
 *   node sign-vp.mjs --seed-hex HEX --challenge C [--domain D] [--cryptosuite S] [--created ISO]
 *                    [--contexts-dir DIR]... FILE|-
 * FILE holds an unsigned presentation, or one credential, or a list of credentials (wrapped into a
 * presentation). `holder` is set to the did:key of the seed when the input has none.
 */
import {parseCommandLine, printJson, readJson, runMain} from './lib/cli.mjs';
import {asPresentation, signPresentation} from './lib/issue.mjs';
import {UsageError} from './lib/keys.mjs';
import {createDocumentLoader} from './lib/loader.mjs';

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
  printJson(await signPresentation({
    presentation: asPresentation(readJson(file)), seedHex: values['seed-hex'],
    cryptosuite: values.cryptosuite, created: values.created, challenge: values.challenge,
    domain: values.domain, documentLoader: createDocumentLoader({contextsDirs: values['contexts-dir']}),
  }));
  return 0;
});
