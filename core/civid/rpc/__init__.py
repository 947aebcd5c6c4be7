"""civid.rpc — gRPC plumbing shared by the issuer and the verifier servers and their clients.

Errors as google.rpc.Status with an ErrorInfo reason, server assembly (health, reflection, TLS,
limits, graceful shutdown), structured logs and metrics. Domain code never imports this package.
"""
