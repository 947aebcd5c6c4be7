"""The gateway: nginx in front of the verifier's server processes, shedding load before Python.

Why: a refused call still costs a Python gRPC server about as much CPU as a bare call (~0.4 ms of
``grpc.aio`` machinery), so at twice the sustainable rate the server's one event loop spends its core
refusing, falls behind, and every caller waits in gRPC's queue, admitted or not. nginx answers a
refusal in C for a fraction of that, so admitted calls keep their latency (bench/surge measures it).

With ``gateway = true`` nginx listens on ``listen``; the server processes listen on Unix sockets in
``<data dir>/gateway/``; calls pass through unchanged (metadata, trailers and error details
included). nginx refuses, with the same wire status as the server's own (RESOURCE_EXHAUSTED with a
google.rpc.Status whose ErrorInfo names the reason):

OVERLOADED when more verifications (VerifyPresentation, SubmitPresentation) are in flight than the
server processes together admit (``max_in_flight`` × ``workers``).

Request size is not limited here: nginx streams a gRPC body upstream as it arrives, and a limit
that trips mid-stream answers HTTP 413, which gRPC clients see as UNKNOWN. The server's transport
limit refuses an oversized message from its length prefix, before reading or parsing it, with
RESOURCE_EXHAUSTED, through the gateway as without it.

The server processes keep their own admission control: the gateway is a cheaper first line, not the
only one.

TLS: with ``tls_cert`` and ``tls_key`` nginx terminates TLS on ``listen`` (the server processes behind
it never do TLS: they listen only on the Unix sockets). With ``tls_client_ca`` nginx requires a client
certificate from that CA, as the servers themselves do without the gateway; it cannot fail the
handshake as gRPC does, so a caller without one (or with one from another CA) has every call refused
with UNAUTHENTICATED (RP_UNAUTHENTICATED). nginx hands the certificate it verified to the servers in
the ``x-civid-client-cert`` request header, and sets that header on every call it passes, so whatever
a caller sent under that name never reaches a server (see :func:`civid.verifier.service.auth.
client_certificate_der` for the servers' side, and :func:`private_directory` for the sockets').
"""

from __future__ import annotations

import base64
import contextlib
import ctypes
import grp
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Final
from urllib.parse import quote

from civid.rpc.errors import RpcFailure
from civid.rpc.server import TlsFiles
from civid.verifier.domain import admission
from civid.verifier.domain.errors import DomainError, DomainErrorCode
from civid.verifier.service.auth import CLIENT_CERT_HEADER
from civid.verifier.service.errors import from_domain
from civid.verifier.settings import VerifierSettings

VERIFYING_METHODS: Final = ("VerifyPresentation", "SubmitPresentation")
TEMP_KINDS: Final = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")  # nginx's <kind>_temp_path
SOCKET_PATH_MAX: Final = 107  # sun_path holds 108 bytes with its terminating NUL
STREAM_IDLE_S: Final = 3600  # a WatchPresentationResult stream may wait this long for a change
START_TIMEOUT_S: Final = 10.0
CONNECTION_CALLS: Final = 10_000_000
UPSTREAM_IDLE_MIN: Final = 64  # nginx opens one connection to a server process per call in flight
SERVERS_START_TIMEOUT_S: Final = 120.0  # trust documents are fetched and workers spawned first
_PR_SET_PDEATHSIG: Final = 1
TLS_PROTOCOLS: Final = "TLSv1.2 TLSv1.3"
# nginx's default depth (1) takes only certificates the client CA signed itself; this also takes a
# client certificate signed by an intermediate CA the client sends along
CLIENT_VERIFY_DEPTH: Final = 4


class GatewayError(RuntimeError):
    """nginx is missing, its configuration is refused, or it stopped."""


@dataclass(frozen=True)
class GatewayPlan:
    """What the gateway is configured with, derived from the verifier's settings."""

    listen: str  # host:port callers connect to
    upstreams: tuple[Path, ...]  # one Unix socket per server process
    max_in_flight: int  # verifications in flight across all server processes
    directory: Path  # nginx.conf, its pid file and its temporary files
    nginx: str = "nginx"
    tls: TlsFiles | None = None  # None: plaintext; with client_ca, client certificates are required

    @staticmethod
    def for_settings(settings: VerifierSettings) -> GatewayPlan:
        tls = None
        if settings.tls_cert is not None and settings.tls_key is not None:
            # absolute: nginx would read a relative path from its own directory
            client_ca = settings.tls_client_ca.absolute() if settings.tls_client_ca is not None else None
            tls = TlsFiles(settings.tls_cert.absolute(), settings.tls_key.absolute(), client_ca)
        return GatewayPlan(
            listen=settings.listen,
            upstreams=tuple(server_socket(settings, i) for i in range(settings.workers)),
            max_in_flight=settings.max_in_flight * settings.workers,
            directory=_directory(settings),
            nginx=settings.nginx,
            tls=tls,
        )


def _directory(settings: VerifierSettings) -> Path:
    """The gateway's files and the server processes' sockets: ``<data dir>/gateway``."""
    return (settings.data_dir / "gateway").absolute()


def private_directory(path: Path) -> Path:
    """Create ``path`` mode 0700, or make an existing one 0700, and return it.

    The gateway's directory holds the server processes' Unix sockets, and a server behind the
    gateway believes the client certificate in the ``x-civid-client-cert`` header (nginx verified
    it): anyone who could connect to a socket could name any relying party's certificate. Only the
    verifier's user may enter the directory; nginx's workers run as that user (``_user_line``), so
    they still reach the sockets."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = path.stat()
    if info.st_uid != os.geteuid():
        raise GatewayError(f"{path} belongs to another user (uid {info.st_uid}); the gateway needs its own")
    if stat.S_IMODE(info.st_mode) != 0o700:  # made looser earlier (or by an older version): close it
        path.chmod(0o700)
    return path


def server_socket(settings: VerifierSettings, index: int) -> Path:
    """The Unix socket server process ``index`` listens on behind the gateway."""
    path = _directory(settings) / f"verifier-{index}.sock"
    if len(str(path).encode()) > SOCKET_PATH_MAX:
        raise GatewayError(f"the data directory's path is too long for a Unix socket: {path}")
    return path


def wait_for_sockets(paths: Sequence[Path], children: Sequence[BaseProcess]) -> None:
    """Until every server process accepts connections on its socket (nginx starts after them)."""
    deadline = time.monotonic() + SERVERS_START_TIMEOUT_S
    for path in paths:
        while not _accepts(path):
            if any(child.exitcode is not None for child in children):
                raise GatewayError("a server process exited before it was serving")
            if time.monotonic() > deadline:
                raise GatewayError(f"no server process listened on {path} in {SERVERS_START_TIMEOUT_S:.0f} s")
            time.sleep(0.1)


def _accepts(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        try:
            probe.connect(str(path))
        except OSError:
            return False
    return True


def overloaded() -> RpcFailure:
    """The refusal the server's own admission control gives, byte for byte."""
    return from_domain(admission.overloaded())


def certificate_refused() -> RpcFailure:
    """The gateway's answer to a call without a client certificate from the client CA (mTLS)."""
    return from_domain(
        DomainError(
            DomainErrorCode.RP_UNAUTHENTICATED,
            "a client certificate signed by the verifier's client CA is required",
        )
    )


def _status_headers(refusal: RpcFailure) -> str:
    """nginx directives that answer a call with ``refusal`` (a trailers-only gRPC response)."""
    status = refusal.to_status()
    details = dict(status.trailing_metadata)["grpc-status-details-bin"]
    return (
        "default_type application/grpc;\n"
        f"      add_header grpc-status {status.code.value[0]} always;\n"
        f'      add_header grpc-message "{quote(refusal.message, safe="")}" always;\n'
        f'      add_header grpc-status-details-bin "{base64.b64encode(details).decode().rstrip("=")}" always;\n'
        "      return 204;"
    )


def _string(path: Path | str) -> str:
    """``path`` as a quoted nginx string (where ``$`` would start a variable, so it is refused)."""
    text = str(path)
    if any(c in text for c in '"\\$\n'):
        raise GatewayError(f"nginx cannot read a path with $, a quote, a backslash or a newline: {text!r}")
    return f'"{text}"'


def _tls_lines(tls: TlsFiles | None) -> str:
    """The server block's TLS directives: nginx terminates TLS as the server processes would."""
    if tls is None:
        return ""
    lines = [
        f"ssl_certificate {_string(tls.cert)};",
        f"ssl_certificate_key {_string(tls.key)};",
        f"ssl_protocols {TLS_PROTOCOLS};",
    ]
    if tls.client_ca is not None:
        lines += [
            f"ssl_client_certificate {_string(tls.client_ca)};",
            # required, as the servers require it with a client CA (civid.rpc.server.TlsFiles); nginx
            # completes the handshake regardless, and refuses each call (495, 496) as below
            "ssl_verify_client on;",
            f"ssl_verify_depth {CLIENT_VERIFY_DEPTH};",
            "error_page 495 496 = @certificate_refused;",
        ]
    return "".join(f"    {line}\n" for line in lines)


def _client_cert_header(tls: TlsFiles | None) -> str:
    """Set in every location that passes calls: nginx replaces a header of that name that the caller
    sent with its own value, or drops it when the value is empty, so that the servers only ever see
    the certificate nginx verified. (A location with a grpc_set_header of its own would not inherit
    one from the server block: hence in each location.)"""
    value = "$civid_client_cert" if tls is not None and tls.client_ca is not None else '""'
    return f"grpc_set_header {CLIENT_CERT_HEADER} {value};"


def render_config(plan: GatewayPlan) -> str:
    """nginx.conf for ``plan``."""
    temp = "\n".join(f"  {kind}_temp_path {_string(plan.directory / 'tmp' / kind)};" for kind in TEMP_KINDS)
    upstreams = "\n".join(f"    server {_string(f'unix:{path}')};" for path in plan.upstreams)
    verifying = "|".join(VERIFYING_METHODS)
    mutual = plan.tls is not None and plan.tls.client_ca is not None
    client_cert_map = (
        "  # the client certificate nginx verified (URL-encoded PEM); anything else: no header\n"
        "  map $ssl_client_verify $civid_client_cert {\n"
        "    SUCCESS $ssl_client_escaped_cert;\n"
        '    default "";\n'
        "  }\n"
        if mutual
        else ""
    )
    refused = (
        f"    location @certificate_refused {{\n      {_status_headers(certificate_refused())}\n    }}\n"
        if mutual
        else ""
    )
    header = _client_cert_header(plan.tls)
    return f"""# written by civid verifier serve (gateway = true); rewritten at every start
{_user_line()}worker_processes 1;
pid {_string(plan.directory / "nginx.pid")};
error_log stderr warn;
events {{ worker_connections 8192; }}
http {{
  access_log off;
{temp}
  client_max_body_size 0;  # the server's transport limit refuses oversized messages (see above)
  client_body_buffer_size 64k;
  http2_max_concurrent_streams 1024;
  # a caller's connection (and one to a server process) serves this many calls before nginx closes
  # it: the default of 1,000 would make every busy client reconnect every second
  keepalive_requests {CONNECTION_CALLS};
  grpc_read_timeout {STREAM_IDLE_S}s;
  grpc_send_timeout {STREAM_IDLE_S}s;
  upstream civid_verifier {{
{upstreams}
    keepalive {max(UPSTREAM_IDLE_MIN, plan.max_in_flight)};  # idle connections kept to the servers
    keepalive_requests {CONNECTION_CALLS};
  }}
  # one counter for the whole gateway: every verification in flight, whoever sent it
  map $host $civid_verifications {{ default "all"; }}
  limit_conn_zone $civid_verifications zone=civid_verifications:1m;
  limit_conn_status 429;
  limit_conn_log_level info;
{client_cert_map}  server {{
    listen {plan.listen} {"ssl http2" if plan.tls is not None else "http2"};
{_tls_lines(plan.tls)}    location ~ ^/civid\\.verifier\\.v1\\.VerifierService/({verifying})$ {{
      limit_conn civid_verifications {plan.max_in_flight};
      error_page 429 = @overloaded;
      {header}
      grpc_pass grpc://civid_verifier;
    }}
    location / {{
      {header}
      grpc_pass grpc://civid_verifier;
    }}
    location @overloaded {{
      {_status_headers(overloaded())}
    }}
{refused}  }}
}}
"""


def _user_line() -> str:
    """Started as root, nginx would run its workers as ``nobody``, who cannot reach the sockets in a
    private data directory: they run as the verifier's own user, the server processes' trust."""
    if os.geteuid() != 0:
        return ""  # nginx cannot change user: its workers are this user already
    return f"user {pwd.getpwuid(0).pw_name} {grp.getgrgid(os.getegid()).gr_name};\n"


def _die_with_parent() -> None:
    """In the nginx child: SIGTERM when the verifier that started it dies (even by SIGKILL)."""
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def write_config(plan: GatewayPlan) -> list[str]:
    """Write ``plan``'s nginx.conf and its directories, have nginx check it (``nginx -t``), and
    return the command that runs nginx with it."""
    nginx = shutil.which(plan.nginx)
    if nginx is None:
        raise GatewayError(f"gateway = true needs nginx ({plan.nginx!r} not found); install nginx-light")
    private_directory(plan.directory)
    for kind in TEMP_KINDS:
        (plan.directory / "tmp" / kind).mkdir(parents=True, exist_ok=True)
    config = plan.directory / "nginx.conf"
    config.write_text(render_config(plan), encoding="utf-8")
    command = [nginx, "-c", str(config), "-p", str(plan.directory), "-g", "daemon off;"]
    checked = subprocess.run([*command, "-t", "-q"], capture_output=True, text=True)
    if checked.returncode != 0:
        raise GatewayError(f"nginx refused the gateway's configuration: {checked.stderr.strip()}")
    return command


class Gateway:
    """A running nginx with a plan's configuration; ``stop`` ends it."""

    def __init__(self, plan: GatewayPlan, process: subprocess.Popen[bytes]) -> None:
        self.plan = plan
        self.process = process
        self.stopping = False

    @staticmethod
    def start(plan: GatewayPlan) -> Gateway:
        """Write and check ``plan``'s configuration, then run nginx with it."""
        return Gateway.run(plan, write_config(plan))

    @staticmethod
    def run(plan: GatewayPlan, command: list[str]) -> Gateway:
        """Run nginx as ``command`` (what :func:`write_config` returned for ``plan``) until it listens."""
        # its own process group, so that stop() also ends workers a dead master left behind
        process = subprocess.Popen(command, preexec_fn=_die_with_parent, process_group=0)
        gateway = Gateway(plan, process)
        gateway._wait_listening()
        return gateway

    def _wait_listening(self) -> None:
        host, port = self.plan.listen.rsplit(":", 1)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise GatewayError(f"nginx exited at start with status {self.process.returncode}")
            try:
                with socket.create_connection((host.strip("[]"), int(port)), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise GatewayError(f"nginx did not listen on {self.plan.listen} within {START_TIMEOUT_S:.0f} s")

    def failed(self) -> bool:
        """nginx ended without being asked to."""
        return self.process.poll() is not None and not self.stopping

    def begin_stop(self) -> None:
        """Stop taking calls; the ones in flight finish (nginx's graceful shutdown)."""
        self.stopping = True
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.begin_stop()
            try:
                self.process.wait(START_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
