// Reading civid's error details in TypeScript: every failed call carries a google.rpc.Status with one
// google.rpc.ErrorInfo (domain "civid", reason UPPER_SNAKE), for bad fields a BadRequest, and for a
// refusal worth retrying (RATE_LIMITED, OVERLOADED, SHARED_STORE_UNAVAILABLE) a RetryInfo.
// Match on `reason`, never on the message text.
import { Code, ConnectError } from "@connectrpc/connect";
import { BadRequestSchema, ErrorInfoSchema, RetryInfoSchema } from "./gen/google/rpc/error_details_pb.js";

export const CIVID_ERROR_DOMAIN = "civid";

/** What a client needs from a failed call. `reason` is "" when the server sent no ErrorInfo. */
export interface CividErrorDetails {
  readonly code: string;
  readonly reason: string;
  readonly message: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly fieldViolations: ReadonlyArray<{ field: string; description: string }>;
  /** When to retry (the RetryInfo's delay, in seconds); undefined when the server sent none. */
  readonly retryAfterSeconds: number | undefined;
}

/** The gRPC code, ErrorInfo reason, metadata and field violations of any error thrown by a call. */
export function cividErrorDetails(error: unknown): CividErrorDetails {
  const failure = ConnectError.from(error);
  const info = failure.findDetails(ErrorInfoSchema).find((i) => i.domain === CIVID_ERROR_DOMAIN);
  const violations = failure.findDetails(BadRequestSchema).flatMap((b) => b.fieldViolations);
  const delay = failure.findDetails(RetryInfoSchema)[0]?.retryDelay;
  return {
    code: Code[failure.code],
    reason: info?.reason ?? "",
    message: failure.rawMessage,
    metadata: info?.metadata ?? {},
    fieldViolations: violations.map((v) => ({ field: v.field, description: v.description })),
    retryAfterSeconds: delay === undefined ? undefined : Number(delay.seconds) + delay.nanos / 1e9,
  };
}
