// A gRPC (HTTP/2) transport to a civid server: plaintext, TLS with a CA file, or mutual TLS.
import { readFileSync } from "node:fs";
import type { Interceptor, Transport } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";

export interface TransportOptions {
  /** host:port of the server. */
  readonly address: string;
  /** PEM file of the CA that signed the server's certificate; set for TLS. */
  readonly caFile?: string;
  /** PEM client certificate and key, for a server that requires mutual TLS. */
  readonly clientCertFile?: string;
  readonly clientKeyFile?: string;
  /** Sent as `authorization: Bearer <apiKey>` on every call (a relying party's API key). */
  readonly apiKey?: string;
}

export function civIdTransport(options: TransportOptions): Transport {
  const tls = options.caFile !== undefined;
  const interceptors: Interceptor[] = [];
  if (options.apiKey !== undefined) {
    const header = `Bearer ${options.apiKey}`;
    interceptors.push((next) => (request) => {
      request.header.set("authorization", header);
      return next(request);
    });
  }
  return createGrpcTransport({
    baseUrl: `${tls ? "https" : "http"}://${options.address}`,
    interceptors,
    nodeOptions: tls
      ? {
          ca: readFileSync(options.caFile as string),
          cert: options.clientCertFile ? readFileSync(options.clientCertFile) : undefined,
          key: options.clientKeyFile ? readFileSync(options.clientKeyFile) : undefined,
        }
      : undefined,
  });
}
