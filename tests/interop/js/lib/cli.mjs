/* Shared command-line plumbing: options, JSON input from a file or stdin, JSON output, exit codes. */
import {readFileSync} from 'node:fs';
import {parseArgs} from 'node:util';

import {UsageError} from './keys.mjs';

/** Parses argv; one positional FILE (or `-` / nothing for stdin). Unknown options are usage errors. */
export function parseCommandLine(options) {
  try {
    const {values, positionals} = parseArgs({options, allowPositionals: true, strict: true});
    if(positionals.length > 1) {
      throw new UsageError('give at most one input FILE (or - for stdin)');
    }
    return {values, file: positionals[0] ?? '-'};
  } catch(error) {
    throw error instanceof UsageError ? error : new UsageError(error.message);
  }
}

export function readJson(file) {
  const text = readFileSync(file === '-' ? 0 : file, 'utf8');
  try {
    return JSON.parse(text);
  } catch(error) {
    throw new UsageError(`input is not JSON: ${error.message}`);
  }
}

export function printJson(value) {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** The messages of the innermost errors inside `error` (jsigs wraps them in a VerificationError). */
export function errorMessages(error) {
  if(!error) {
    return [];
  }
  if(Array.isArray(error)) {
    return error.flatMap(errorMessages);
  }
  const nested = errorMessages(error.errors ?? error.details?.errors ?? []);
  if(nested.length > 0) {
    return nested;
  }
  const cause = error.details?.cause ?? error.cause;
  const because = cause?.message ? ` (cause: ${cause.message})` : '';
  return [`${error.name ?? 'Error'}: ${error.message}${because}`];
}

/** Runs `main`; usage errors exit 2 with {"error"}, other failures exit 3 (harness failure). */
export async function runMain(main) {
  try {
    process.exitCode = await main();
  } catch(error) {
    printJson({error: error.message});
    process.exitCode = error instanceof UsageError ? 2 : 3;
  }
}
