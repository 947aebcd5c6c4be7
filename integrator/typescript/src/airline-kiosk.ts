// An airline check-in kiosk: asks the civid verifier for a boarding-verification presentation request,
// shows its compact string (a QR code on a real kiosk), waits for the passenger's wallet to answer,
// and prints the claims the verifier released.
//
//   node dist/src/airline-kiosk.js --verifier 127.0.0.1:50052 [--ca ca.pem] [--timeout-s 300]
//   (the relying party's API key: --api-key KEY or the CIVID_RP_API_KEY environment variable)
//
// Exit codes: 0 verified, 1 call failed (the ErrorInfo reason is printed), 2 not verified, 3 expired.
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { createClient } from "@connectrpc/connect";
import { cividErrorDetails } from "./errors.js";
import { civIdTransport } from "./transport.js";
import {
  ClaimsView,
  type PresentationResult,
  PresentationRequestState,
} from "./gen/civid/verifier/v1/presentation_pb.js";
import { VerifierService } from "./gen/civid/verifier/v1/verifier_service_pb.js";

export const BOARDING_POLICY = "airline-domestic-boarding";

interface KioskOptions {
  readonly verifier: string;
  readonly apiKey: string;
  readonly caFile?: string;
  readonly timeoutS: number;
}

function readOptions(argv: string[]): KioskOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      verifier: { type: "string" },
      "api-key": { type: "string" },
      ca: { type: "string" },
      "timeout-s": { type: "string", default: "300" },
    },
  });
  const apiKey = values["api-key"] ?? process.env.CIVID_RP_API_KEY;
  if (!values.verifier || !apiKey) {
    throw new Error("usage: airline-kiosk --verifier HOST:PORT (--api-key KEY | CIVID_RP_API_KEY=KEY)");
  }
  return { verifier: values.verifier, apiKey, caFile: values.ca, timeoutS: Number(values["timeout-s"]) };
}

/** Creates the request, prints its compact string, and resolves with the final result. */
export async function checkIn(options: KioskOptions): Promise<PresentationResult> {
  const transport = civIdTransport({ address: options.verifier, apiKey: options.apiKey, caFile: options.caFile });
  const verifier = createClient(VerifierService, transport);
  const signal = AbortSignal.timeout(options.timeoutS * 1000);
  const created = await verifier.createPresentationRequest(
    { policyId: BOARDING_POLICY, requestId: randomUUID() },
    { signal },
  );
  const request = created.presentationRequest;
  if (request === undefined) {
    throw new Error("the verifier answered without a presentation request");
  }
  console.log(`request ${request.presentationRequestId}`);
  console.log(`compact ${request.compact}`);
  // the kiosk reads the claims map: asking for it alone keeps the card photo out of the answer twice
  const watched = verifier.watchPresentationResult(
    { presentationRequestId: request.presentationRequestId, claimsView: ClaimsView.MAP },
    { signal },
  );
  for await (const update of watched) {
    const result = update.result;
    if (result !== undefined && result.state !== PresentationRequestState.PENDING) {
      return result;
    }
  }
  throw new Error("the result stream ended while the request was still pending");
}

function report(result: PresentationResult): number {
  if (result.state === PresentationRequestState.EXPIRED) {
    console.log("expired: the passenger did not answer in time");
    return 3;
  }
  const verification = result.verification;
  if (!verification?.verified) {
    const codes = verification?.errors.map((e) => e.code).join(", ") ?? "";
    console.log(`not verified: ${codes}`);
    return 2;
  }
  console.log("verified: true");
  for (const name of Object.keys(result.releasedClaims).sort()) {
    const value = result.releasedClaims[name];
    console.log(`claim ${name}: ${value.length > 80 ? `${value.slice(0, 77)}...` : value}`);
  }
  return 0;
}

async function main(): Promise<number> {
  const options = readOptions(process.argv.slice(2));
  try {
    return report(await checkIn(options));
  } catch (error) {
    const details = cividErrorDetails(error);
    console.error(`error: ${details.code} ${details.reason || "(no reason)"}: ${details.message}`);
    return 1;
  }
}

process.exitCode = await main();
