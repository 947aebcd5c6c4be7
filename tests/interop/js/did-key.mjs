#!/usr/bin/env node
/*
 * Prints the did:key of an Ed25519 seed as Digital Bazaar derives it.
 *   node did-key.mjs --seed-hex HEX  ->  {did, verificationMethod, publicKeyMultibase, didDocument}
 */
import {parseCommandLine, printJson, runMain} from './lib/cli.mjs';
import {didKeyFromSeed} from './lib/keys.mjs';
import {createDocumentLoader} from './lib/loader.mjs';

await runMain(async () => {
  const {values} = parseCommandLine({'seed-hex': {type: 'string'}});
  const {did, verificationMethod, publicKeyMultibase} = await didKeyFromSeed(values['seed-hex']);
  const {document} = await createDocumentLoader({contextsDirs: []})(did);
  printJson({did, verificationMethod, publicKeyMultibase, didDocument: document});
  return 0;
});
