#!/usr/bin/env node
/*
 * The reference: Digital Bazaar's JavaScript VP verification rate, in one process, sequentially.
 *
 *   node bench/js_reference/verify_vp_rate.mjs (--vps FILE.jsonl | --generate N) [--seconds 10]
 *        [--controller-doc FILE]... [--now ISO] [--contexts-dir DIR]...
 *
 * --vps: one presentation per line, either the VP itself (the expected challenge and domain are then read
 *        from its proof) or {"presentation": VP, "challenge": C, "domain": D}. Each VP should carry a
 *        distinct holder and credential; the file is cycled through when the time allows more.
 * --generate N: make N such VPs here first (one issuer, N holders, eddsa-rdfc-2022), not timed.
 * Each verification is the full vc.verify: VP proof (authentication, challenge, domain) and every
 * credential (assertionMethod, issuer bound to the key). Status lists are not read (DB needs a separate
 * package for that). Any failed verification aborts the run: a rate of failures is no reference.
 * The last line printed is `reference_vp_per_s=<rate>`.
 */
import {randomBytes, randomUUID} from 'node:crypto';
import {readFileSync} from 'node:fs';
import {performance} from 'node:perf_hooks';

import {parseCommandLine, runMain} from '../../tests/interop/js/lib/cli.mjs';
import {issueCredential, signPresentation} from '../../tests/interop/js/lib/issue.mjs';
import {didKeyFromSeed, UsageError} from '../../tests/interop/js/lib/keys.mjs';
import {createDocumentLoader, readControllerDocs} from '../../tests/interop/js/lib/loader.mjs';
import {verifyPresentation} from '../../tests/interop/js/lib/verify.mjs';

const CIVID_V1 = 'https://w3id.org/civid/v1';
const CREDENTIALS_V2 = 'https://www.w3.org/ns/credentials/v2';
const WARM_UP = 5;

function readJsonl(file) {
  return readFileSync(file, 'utf8').split('\n').filter(line => line.trim()).map((line, i) => {
    const item = JSON.parse(line);
    const presentation = item.presentation ?? item.vp ?? item;
    const proof = [].concat(presentation.proof ?? [])[0] ?? {};
    return {
      presentation,
      challenge: item.challenge ?? proof.challenge,
      domain: item.domain ?? proof.domain,
      line: i + 1,
    };
  });
}

function subject(holder, i, civid) {
  if(!civid) {
    return {id: holder, name: `Citizen ${i}`};
  }
  return {
    id: holder, type: 'Citizen', nationalIdNumber: String(1100000000000 + i),
    titleTh: 'นาย', givenNameTh: 'สมชาย', familyNameTh: `ใจดี${i}`,
    titleEn: 'Mr.', givenNameEn: 'Somchai', familyNameEn: `Jaidee${i}`, birthDate: '1985-01-15',
  };
}

async function generate(n, documentLoader) {
  const civid = await documentLoader(CIVID_V1).then(() => true, () => false);
  const issuerSeed = randomBytes(32).toString('hex');
  const vps = [];
  for(let i = 0; i < n; ++i) {
    const holderSeed = randomBytes(32).toString('hex');
    const {did: holder} = await didKeyFromSeed(holderSeed);
    const credential = await issueCredential({
      credential: {
        '@context': civid ? [CREDENTIALS_V2, CIVID_V1] : [CREDENTIALS_V2],
        id: `urn:uuid:${randomUUID()}`,
        type: civid ? ['VerifiableCredential', 'NationalIdCredential'] : ['VerifiableCredential'],
        validFrom: '2025-01-01T00:00:00Z',
        credentialSubject: subject(holder, i, civid),
      },
      seedHex: issuerSeed, cryptosuite: 'eddsa-rdfc-2022', documentLoader,
    });
    const challenge = randomUUID();
    const domain = 'https://verifier.civid.example';
    const presentation = await signPresentation({
      presentation: {'@context': [CREDENTIALS_V2], type: ['VerifiablePresentation'], holder,
        verifiableCredential: [credential]},
      seedHex: holderSeed, cryptosuite: 'eddsa-rdfc-2022', challenge, domain, documentLoader,
    });
    vps.push({presentation, challenge, domain, line: i + 1});
  }
  return vps;
}

async function verifyOne(item, {documentLoader, now}) {
  const result = await verifyPresentation({...item, documentLoader, now});
  if(!result.verified) {
    throw new Error(`VP ${item.line} did not verify: ${result.error}`);
  }
}

async function measure(vps, seconds, context) {
  for(const item of vps.slice(0, WARM_UP)) {
    await verifyOne(item, context);
  }
  let count = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  while(performance.now() < deadline) {
    await verifyOne(vps[count % vps.length], context);
    ++count;
  }
  return {count, elapsed: (performance.now() - start) / 1000};
}

await runMain(async () => {
  const {values} = parseCommandLine({
    vps: {type: 'string'},
    generate: {type: 'string'},
    seconds: {type: 'string', default: '10'},
    'controller-doc': {type: 'string', multiple: true, default: []},
    now: {type: 'string'},
    'contexts-dir': {type: 'string', multiple: true},
  });
  const seconds = Number(values.seconds);
  if(!(seconds > 0) || Boolean(values.vps) === Boolean(values.generate)) {
    throw new UsageError('give --vps FILE.jsonl or --generate N, and --seconds > 0');
  }
  const documentLoader = createDocumentLoader({
    contextsDirs: values['contexts-dir'], controllerDocs: readControllerDocs(values['controller-doc'])
  });
  const vps = values.vps ? readJsonl(values.vps) : await generate(Number(values.generate), documentLoader);
  if(vps.length === 0) {
    throw new UsageError('no presentations to verify');
  }
  const {count, elapsed} = await measure(vps, seconds, {documentLoader, now: values.now});
  const rate = count / elapsed;
  process.stdout.write(
    `reference: Digital Bazaar @digitalbazaar/vc, node ${process.version}, ${count} VP verifications ` +
    `of ${Math.min(count, vps.length)} distinct VPs in ${elapsed.toFixed(2)} s, one process, sequential\n`);
  process.stdout.write(`reference_vp_per_s=${rate.toFixed(1)}\n`);
  return 0;
});
