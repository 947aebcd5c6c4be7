"""``civid verifier serve`` and ``civid verifier rp add|list|update|revoke|rotate-key``.

The ``rp`` commands work on the verifier's database directly (the same data directory or database URL
as ``serve``); each new API key is printed once and never stored in plaintext.
"""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from civid.verifier import app
from civid.verifier.config.fields import LocalizedText
from civid.verifier.config.relying_parties import RelyingPartySpec
from civid.verifier.domain.admission import check_rate_limit
from civid.verifier.domain.errors import DomainError, DomainErrorCode
from civid.verifier.domain.relying_parties import NameChange, RelyingParty, RelyingPartyRegistry
from civid.verifier.gateway import GatewayError
from civid.verifier.settings import VerifierSettings, load_settings


def _storage_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, help="a TOML settings file (flags > CIVID_VERIFIER_* > file)")
    parser.add_argument("--data-dir", type=Path, help="default $XDG_DATA_HOME/civid/verifier")
    parser.add_argument("--database-url", help="postgresql://... (default: SQLite in the data directory)")
    parser.add_argument("--policies", type=Path, help="policy file (default: the shipped policies)")


def _serve_flags(parser: argparse.ArgumentParser) -> None:
    _storage_flags(parser)
    parser.add_argument("--listen", help="host:port (default 127.0.0.1:50052)")
    parser.add_argument("--redis-url", help="share nonces through Redis (needed for --workers > 1)")
    parser.add_argument("--redis-prefix", help="key prefix in Redis (default civid:verifier:)")
    parser.add_argument("--relying-parties", type=Path, help="relying parties registered on first start")
    parser.add_argument("--trust", type=Path, help="trusted issuers (TOML [[issuer]] did/address)")
    parser.add_argument(
        "--workers",
        type=int,
        help="server processes on one port (default 1; >1 needs --redis-url); only worker 0 serves "
        "--metrics-listen, so /metrics counts that process's calls alone",
    )
    parser.add_argument(
        "--gateway",
        action="store_true",
        default=None,
        help="run nginx on --listen in front of the server processes: it refuses calls over capacity "
        "(OVERLOADED) and oversized requests before Python; no TLS",
    )
    parser.add_argument("--nginx", help="the nginx binary the gateway runs (default: nginx on PATH)")
    parser.add_argument("--engine", choices=("process", "thread"), help="where verification runs")
    parser.add_argument("--engine-workers", type=int, help="verification processes/threads per server")
    parser.add_argument("--tls-cert", type=Path)
    parser.add_argument("--tls-key", type=Path)
    parser.add_argument("--tls-client-ca", type=Path, help="require client certificates (mTLS)")
    parser.add_argument("--max-message-bytes", type=int, help="largest presentation accepted (1 MiB)")
    parser.add_argument("--max-in-flight", type=int, help="presentations verified at once; more: OVERLOADED")
    parser.add_argument(
        "--metrics-listen", help="host:port for Prometheus /metrics (with --workers N: worker 0 only)"
    )
    parser.add_argument("--domain", help="the verifier's identity in presentation proofs")
    parser.add_argument("--public-address", help="host:port put in compact request strings")
    parser.add_argument("--admin-token-file", type=Path)
    parser.add_argument("--log-level")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="verifier_command", metavar="COMMAND", required=True)
    _serve_flags(sub.add_parser("serve", help="run the verifier (works with no flags)"))
    rp = sub.add_parser("rp", help="manage relying parties").add_subparsers(dest="rp_command", required=True)
    add = rp.add_parser("add", help="register a relying party and print its API key once")
    add.add_argument("rp_id")
    add.add_argument("--name", required=True, help="display name in English")
    add.add_argument("--name-th", default="", help="display name in Thai")
    add.add_argument("--policy", action="append", required=True, dest="policy_ids", help="repeat for several")
    add.add_argument(
        "--certificate-sha256",
        action="append",
        default=[],
        dest="certificate_fingerprints",
        help="client certificate fingerprint (mTLS); repeat for several",
    )
    add.add_argument(
        "--rate-per-s",
        type=float,
        dest="rate_per_s",
        help="its own rate limit, calls per second (with --burst; default: the server's rp_rate_per_s)",
    )
    add.add_argument(
        "--burst",
        type=float,
        dest="burst",
        help="its own burst, calls at once (with --rate-per-s; default: the server's rp_burst)",
    )
    listing = rp.add_parser("list", help="list relying parties")
    listing.add_argument("--all", action="store_true", help="also revoked ones")
    change = rp.add_parser(
        "update", help="change an active relying party's display name, policies or rate limit"
    )
    change.add_argument("rp_id")
    change.add_argument("--name", help="new display name in English")
    change.add_argument("--name-th", help="new display name in Thai")
    change.add_argument(
        "--policy", action="append", dest="policy_ids", help="repeat for several; replaces all its policies"
    )
    change.add_argument(
        "--rate-per-s",
        type=float,
        dest="rate_per_s",
        help="its own rate limit, calls per second (with --burst)",
    )
    change.add_argument(
        "--burst", type=float, dest="burst", help="its own burst, calls at once (with --rate-per-s)"
    )
    change.add_argument(
        "--default-rate-limit",
        action="store_true",
        help="drop its own rate limit: the server's rp_rate_per_s and rp_burst apply again",
    )
    revoke = rp.add_parser("revoke", help="revoke a relying party (final)")
    revoke.add_argument("rp_id")
    rotate = rp.add_parser("rotate-key", help="issue a new API key (printed once); the old one stops")
    rotate.add_argument("rp_id")
    rotate.add_argument(
        "--grace-seconds",
        type=float,
        default=0.0,
        help="keep accepting the previous key this long (default 0: refuse it at once; at most 30 days)",
    )
    for command in (add, listing, change, revoke, rotate):
        _storage_flags(command)


def settings_from(args: argparse.Namespace) -> VerifierSettings:
    flags = {
        k: v
        for k, v in vars(args).items()
        if k not in ("verifier_command", "rp_command", "_run") and k in VerifierSettings.__dataclass_fields__
    }
    return load_settings(flags, getattr(args, "config", None))


def run(args: argparse.Namespace) -> int:
    try:
        settings = settings_from(args)
        if args.verifier_command == "serve":
            return app.serve_forever(settings)
        return _rp_command(args, settings)
    except DomainError as exc:
        print(f"civid verifier: {exc.code.value}: {exc.message}", file=sys.stderr)
        return 2
    except GatewayError as exc:  # nginx missing, refusing its configuration, or dead: the service is down
        print(f"civid verifier: gateway: {exc}", file=sys.stderr)
        return 1


def _registry(settings: VerifierSettings) -> RelyingPartyRegistry:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return RelyingPartyRegistry(app.open_database(settings), app.load_policy_set(settings))


def _rate_limit(rp: RelyingParty) -> str:
    """``50/s burst 100``, or ``default`` (the server's rp_rate_per_s and rp_burst)."""
    if rp.rate_per_s is None or rp.burst is None:
        return "default"
    return f"{rp.rate_per_s:g}/s burst {rp.burst:g}"


def _row(rp: RelyingParty) -> str:
    """One relying party as ``rp list`` prints it: id, state, policies, rate limit, name (tab-separated)."""
    state = "active" if rp.active else "revoked"
    return "\t".join((rp.id, state, ",".join(rp.policy_ids), _rate_limit(rp), rp.display_name.en))


def _check_update_flags(args: argparse.Namespace) -> None:
    """FIELD_INVALID for ``rp update`` flags that change nothing, clash, or give an empty English name
    or an invalid rate limit (the admin service's UpdateRelyingParty refuses the same)."""
    own_limit = args.rate_per_s is not None or args.burst is not None
    if (args.name, args.name_th, args.policy_ids) == (None, None, None) and not (
        own_limit or args.default_rate_limit
    ):
        raise DomainError(
            DomainErrorCode.FIELD_INVALID,
            "nothing to change: give --name, --name-th, --policy, --rate-per-s with --burst, "
            "or --default-rate-limit",
        )
    if own_limit and args.default_rate_limit:
        raise _field_invalid("--default-rate-limit", "--default-rate-limit excludes --rate-per-s and --burst")
    if args.name == "":
        raise _field_invalid("--name", "--name must not be empty: the display name in English is required")
    check_rate_limit(args.rate_per_s, args.burst, ("--rate-per-s", "--burst"))


def _update(registry: RelyingPartyRegistry, args: argparse.Namespace) -> RelyingParty:
    """Change what the ``rp update`` flags give; a name in one language keeps the other one (as stored
    when the registry writes the change: nothing is read first, so a rename made meanwhile stays).

    The registry refuses an unknown relying party (NOT_FOUND) and a revoked one (INVALID_STATE)."""
    name = None if (args.name, args.name_th) == (None, None) else NameChange(args.name, args.name_th)
    rate_limit = None  # unchanged
    if args.rate_per_s is not None or args.default_rate_limit:
        rate_limit = (args.rate_per_s, args.burst)  # (None, None): the server's defaults
    return registry.update_rp(
        args.rp_id,
        display_name=name,
        policy_ids=None if args.policy_ids is None else tuple(args.policy_ids),
        rate_limit=rate_limit,
    ).relying_party


def _field_invalid(flag: str, message: str) -> DomainError:
    return DomainError(DomainErrorCode.FIELD_INVALID, message, {"field": flag})


def _rp_command(args: argparse.Namespace, settings: VerifierSettings) -> int:
    registry = _registry(settings)
    command: Any = args.rp_command
    if command == "add":
        check_rate_limit(args.rate_per_s, args.burst, ("--rate-per-s", "--burst"))
        spec = RelyingPartySpec(
            args.rp_id,
            LocalizedText(args.name, args.name_th),
            tuple(args.policy_ids),
            tuple(args.certificate_fingerprints),
            args.rate_per_s,
            args.burst,
        )
        rp, key = registry.add_rp(spec)
        print(f"registered {rp.id} for {', '.join(rp.policy_ids)}; rate limit: {_rate_limit(rp)}")
        print(f"API key (shown only now): {key}")
    elif command == "list":
        for rp in registry.list_rps():
            if rp.active or args.all:
                print(_row(rp))
    elif command == "update":
        _check_update_flags(args)
        print(_row(_update(registry, args)))
    elif command == "revoke":
        rp = registry.revoke_rp(args.rp_id).relying_party
        print(f"revoked {rp.id}")
    elif command == "rotate-key":
        grace = timedelta(seconds=args.grace_seconds)
        key = registry.rotate_key(args.rp_id, grace).api_key
        until = f"accepted for {grace.total_seconds():g} s more" if grace else "refused"
        print(f"new API key for {args.rp_id} (shown only now; the previous key is {until}): {key}")
    return 0
