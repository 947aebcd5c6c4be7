#!/usr/bin/env node
/*
 * Signs a credential with Digital Bazaar's vc.issue.
 *   node sign.mjs --seed-hex HEX [--cryptosuite eddsa-rdfc-2022|eddsa-jcs-2022] [--created ISO]
 *                 [--verification-method URL] [--contexts-dir DIR]... FILE|-
 * The verification method is the did:key of the seed unless --verification-method names another (e.g.
 * `did:web:issuer.example#key-1`); the credential's `issuer` is set to that method's controller when
 * the input has none (an input issuer is kept as is). Prints the secured credential.
 */
import {parseCommandLine, printJson, readJson, runMain} from './lib/cli.mjs';
import {issueCredential} from './lib/issue.mjs';
import {createDocumentLoader} from './lib/loader.mjs';

await runMain(async () => {
  const {values, file} = parseCommandLine({
    'seed-hex': {type: 'string'},
    cryptosuite: {type: 'string', default: 'eddsa-rdfc-2022'},
    created: {type: 'string'},
    'verification-method': {type: 'string'},
    'contexts-dir': {type: 'string', multiple: true},
  });
  printJson(await issueCredential({
    credential: readJson(file), seedHex: values['seed-hex'], cryptosuite: values.cryptosuite,
    created: values.created, verificationMethod: values['verification-method'],
    documentLoader: createDocumentLoader({contextsDirs: values['contexts-dir']}),
  }));
  return 0;
});
