/*
 * An offline JSON-LD document loader for the interop harness.
 *
 * It serves only:
 *   - the contexts listed in one or more `index.json` files (list of {url, file, sha256}); each file's
 *     sha256 is checked when the folder is read;
 *   - did:key documents and their verification methods, derived from the key itself by Digital
 *     Bazaar's did-method-key driver;
 *   - controller documents (e.g. did:web) given as files, and the verification methods inside them.
 * Every other URL throws: nothing ever goes to the network.
 */
import {createHash} from 'node:crypto';
import {existsSync, readFileSync} from 'node:fs';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';

import * as didKey from '@digitalbazaar/did-method-key';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(HERE, '..', '..', '..', '..');
const MULTIKEY_CONTEXT = 'https://w3id.org/security/multikey/v1';

/** The folder of contexts the Python side ships (override: CIVID_CONTEXTS_DIR=dir1:dir2). */
export function defaultContextsDirs() {
  if(process.env.CIVID_CONTEXTS_DIR) {
    return process.env.CIVID_CONTEXTS_DIR.split(':').filter(Boolean);
  }
  const shipped = join(REPO_ROOT, 'core', 'civid', 'core', 'jsonld', 'context_files');
  if(!existsSync(join(shipped, 'index.json'))) {
    throw new Error(`no contexts folder: expected ${shipped}/index.json`);
  }
  return [shipped];
}

/** Reads `index.json` of each folder and returns Map(url -> parsed context), checking sha256. */
export function readContexts(dirs) {
  const contexts = new Map();
  for(const dir of dirs) {
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
    if(!Array.isArray(index)) {
      throw new Error(`${dir}/index.json must be a list of {url, file, sha256}`);
    }
    for(const {url, file, sha256} of index) {
      const bytes = readFileSync(join(dir, file));
      const digest = createHash('sha256').update(bytes).digest('hex');
      if(sha256 && digest !== sha256) {
        throw new Error(`context ${url} (${dir}/${file}) has sha256 ${digest}, index says ${sha256}`);
      }
      contexts.set(url, deepFreeze(JSON.parse(bytes.toString('utf8'))));
    }
  }
  return contexts;
}

/* Loaded documents are shared, as Digital Bazaar's own loaders share them; frozen, so none is mutated. */
function deepFreeze(value) {
  if(value && typeof value === 'object') {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

/** Map(url -> document) of a controller document and each verification method inside it. */
export function controllerDocEntries(doc) {
  if(!(doc && typeof doc.id === 'string')) {
    throw new Error('a controller document needs a string "id"');
  }
  const entries = new Map([[doc.id, doc]]);
  for(const vm of doc.verificationMethod ?? []) {
    const id = vm.id.startsWith('#') ? `${doc.id}${vm.id}` : vm.id;
    entries.set(id, {
      '@context': MULTIKEY_CONTEXT, ...vm, id, controller: vm.controller ?? doc.id
    });
  }
  return entries;
}

function didKeyDriver() {
  const driver = didKey.driver();
  driver.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from});
  return driver;
}

/**
 * Builds the loader.
 * @param {object} options
 * @param {string[]} [options.contextsDirs] - folders with an `index.json`.
 * @param {object[]} [options.controllerDocs] - parsed controller documents.
 * @returns {Function} a jsonld.js document loader.
 */
export function createDocumentLoader({contextsDirs, controllerDocs = []} = {}) {
  const contexts = readContexts(contextsDirs ?? defaultContextsDirs());
  const controllers = new Map();
  for(const doc of controllerDocs) {
    for(const [id, entry] of controllerDocEntries(doc)) {
      controllers.set(id, deepFreeze(entry));
    }
  }
  const driver = didKeyDriver();
  // did:key documents are derived from the key alone, so each is derived once per process
  // (as did-io's CachedResolver does); a failed derivation is not cached.
  const didKeys = new Map();
  return async function documentLoader(url) {
    const found = contexts.get(url) ?? controllers.get(url);
    if(found !== undefined) {
      return {contextUrl: null, documentUrl: url, document: found};
    }
    if(url.startsWith('did:key:')) {
      if(!didKeys.has(url)) {
        didKeys.set(url, deepFreeze(await driver.get({url})));
      }
      return {contextUrl: null, documentUrl: url, document: didKeys.get(url)};
    }
    throw new Error(
      `interop loader refuses "${url}": not a shipped context, a did:key, or a given controller document`);
  };
}

export function readControllerDocs(files) {
  return files.map(file => JSON.parse(readFileSync(file, 'utf8')));
}
