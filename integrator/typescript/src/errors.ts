// Reading civid's error details in TypeScript: every failed call carries a google.rpc.Status with one
// google.rpc.ErrorInfo (domain "civid", reason UPPER_SNAKE) and, for bad fields, a BadRequest.
// Match on `reason`, never on the message text.
import { Code, ConnectError } from "@connectrpc/connect";
import { BadRequestSchema, ErrorInfoSchema } from "./gen/google/rpc/error_details_pb.js";

export const CIVID_ERROR_DOMAIN = "civid";

/** What a client needs from a failed call. `reason` is "" when the server sent no ErrorInfo. */
export interface CividErrorDetails {
  readonly code: string;
  readonly reason: string;
  readonly message: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly fieldViolations: ReadonlyArray<{ field: string; description: string }>;
}

/** The gRPC code, ErrorInfo reason, metadata and field violations of any error thrown by a call. */
export function cividErrorDetails(error: unknown): CividErrorDetails {
  const failure = ConnectError.from(error);
  const info = failure.findDetails(ErrorInfoSchema).find((i) => i.domain === CIVID_ERROR_DOMAIN);
  const violations = failure.findDetails(BadRequestSchema).flatMap((b) => b.fieldViolations);
  return {
    code: Code[failure.code],
    reason: info?.reason ?? "",
    message: failure.rawMessage,
    metadata: info?.metadata ?? {},
    fieldViolations: violations.map((v) => ({ field: v.field, description: v.description })),
  };
}
