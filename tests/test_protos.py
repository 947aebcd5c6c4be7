"""The public gRPC API in protos/: lint-clean, documented, AIP-shaped, and its generated code current."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from google.protobuf import descriptor_pb2 as d

from civid.core.errors import ErrorCode

ROOT = Path(__file__).resolve().parent.parent
BUF = ROOT / "tools" / "buf" / "node_modules" / ".bin" / "buf"
HAS_GRPC_TOOLS = importlib.util.find_spec("grpc_tools") is not None
needs_grpc_tools = pytest.mark.skipif(not HAS_GRPC_TOOLS, reason="grpcio-tools is not installed")

# SourceCodeInfo path components (descriptor.proto field numbers).
MESSAGE, ENUM, SERVICE = 4, 5, 6
MSG_FIELD, MSG_NESTED, MSG_ENUM, MSG_ONEOF = 2, 3, 4, 8
ENUM_VALUE, METHOD = 2, 2


def load_script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"civid_script_{name}", ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def descriptors() -> list[d.FileDescriptorProto]:
    if not HAS_GRPC_TOOLS:
        pytest.skip("grpcio-tools is not installed")
    files = load_script("gen_api_docs").load_descriptors().file
    return [fd for fd in files if fd.package.startswith("civid.")]


def declarations(fd: d.FileDescriptorProto) -> Iterator[tuple[str, tuple[int, ...]]]:
    """Every service, rpc, message, field, oneof, enum and enum value with its source path."""

    def enum(
        e: d.EnumDescriptorProto, name: str, path: tuple[int, ...]
    ) -> Iterator[tuple[str, tuple[int, ...]]]:
        yield f"enum {name}", path
        for j, v in enumerate(e.value):
            yield f"enum value {v.name}", (*path, ENUM_VALUE, j)

    def message(
        m: d.DescriptorProto, name: str, path: tuple[int, ...]
    ) -> Iterator[tuple[str, tuple[int, ...]]]:
        if m.options.map_entry:
            return
        yield f"message {name}", path
        for j, f in enumerate(m.field):
            yield f"field {name}.{f.name}", (*path, MSG_FIELD, j)
        for j, o in enumerate(m.oneof_decl):
            yield f"oneof {name}.{o.name}", (*path, MSG_ONEOF, j)
        for j, n in enumerate(m.nested_type):
            yield from message(n, f"{name}.{n.name}", (*path, MSG_NESTED, j))
        for j, e in enumerate(m.enum_type):
            yield from enum(e, f"{name}.{e.name}", (*path, MSG_ENUM, j))

    for i, s in enumerate(fd.service):
        yield f"service {s.name}", (SERVICE, i)
        for j, rpc in enumerate(s.method):
            yield f"rpc {s.name}.{rpc.name}", (SERVICE, i, METHOD, j)
    for i, m in enumerate(fd.message_type):
        yield from message(m, m.name, (MESSAGE, i))
    for i, e in enumerate(fd.enum_type):
        yield from enum(e, e.name, (ENUM, i))


def rpcs(files: list[d.FileDescriptorProto]) -> Iterator[tuple[str, d.MethodDescriptorProto]]:
    for fd in files:
        for s in fd.service:
            for rpc in s.method:
                yield f"{s.name}.{rpc.name}", rpc


def messages_by_name(files: list[d.FileDescriptorProto]) -> dict[str, d.DescriptorProto]:
    return {f".{fd.package}.{m.name}": m for fd in files for m in fd.message_type}


@needs_grpc_tools
def test_generated_python_is_up_to_date() -> None:
    done = subprocess.run(
        [sys.executable, "scripts/gen_protos.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, f"gen/python is stale (run scripts/gen_protos.py):\n{done.stderr}"


@needs_grpc_tools
def test_api_docs_are_up_to_date() -> None:
    done = subprocess.run(
        [sys.executable, "scripts/gen_api_docs.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, f"docs/api is stale (run scripts/gen_api_docs.py):\n{done.stderr}"


def test_generated_modules_import_under_the_civid_namespace() -> None:
    from civid.issuer.v1 import issuer_service_pb2, officer_service_pb2
    from civid.verifier.v1 import relying_party_admin_service_pb2, verifier_service_pb2

    services = [
        name
        for module in (
            issuer_service_pb2,
            officer_service_pb2,
            verifier_service_pb2,
            relying_party_admin_service_pb2,
        )
        for name in (s.full_name for s in module.DESCRIPTOR.services_by_name.values())
    ]
    assert services == [
        "civid.issuer.v1.IssuerService",
        "civid.issuer.v1.OfficerService",
        "civid.verifier.v1.VerifierService",
        "civid.verifier.v1.RelyingPartyAdminService",
    ]


def test_namespace_levels_of_the_generated_tree_have_no_init_file() -> None:
    gen = ROOT / "gen" / "python" / "civid"
    offenders = [
        p for p in (gen, gen / "common", gen / "issuer", gen / "verifier") if (p / "__init__.py").exists()
    ]
    assert offenders == []


def test_every_declaration_has_a_leading_comment(descriptors: list[d.FileDescriptorProto]) -> None:
    missing = []
    for fd in descriptors:
        comments = {tuple(loc.path): loc.leading_comments.strip() for loc in fd.source_code_info.location}
        missing += [f"{fd.name}: {what}" for what, path in declarations(fd) if not comments.get(path)]
    assert missing == []


def test_every_core_error_code_is_an_error_reason() -> None:
    from civid.common.v1 import error_reason_pb2

    reasons = {v.name.removeprefix("ERROR_REASON_") for v in error_reason_pb2.ErrorReason.DESCRIPTOR.values}
    assert sorted(code.value for code in ErrorCode if code.value not in reasons) == []


def test_the_services_own_error_reasons_are_declared() -> None:
    from civid.common.v1 import error_reason_pb2

    services_own = {
        "ENROLLMENT_FAILED",
        "ENROLLMENT_LOCKED",
        "ATTEMPTS_EXHAUSTED",
        "IMAGE_TOO_LARGE",
        "MESSAGE_TOO_LARGE",
        "RP_UNAUTHENTICATED",
        "POLICY_NOT_ALLOWED",
        "CLAIM_NOT_ALLOWED",
        "REQUEST_EXPIRED",
        "REQUEST_NOT_FOUND",
        "OFFICER_UNAUTHENTICATED",
        "IDEMPOTENCY_CONFLICT",
        "SLOT_FULL",
        "HOLDER_PROOF_INVALID",
        "OVERLOADED",
    }
    reasons = {v.name.removeprefix("ERROR_REASON_") for v in error_reason_pb2.ErrorReason.DESCRIPTOR.values}
    assert sorted(services_own - reasons) == []


def test_every_list_rpc_pages_with_size_and_token(descriptors: list[d.FileDescriptorProto]) -> None:
    messages = messages_by_name(descriptors)
    wrong = []
    for name, rpc in rpcs(descriptors):
        if not rpc.name.startswith("List"):
            continue
        request = {f.name for f in messages[rpc.input_type].field}
        response = {f.name for f in messages[rpc.output_type].field}
        if not {"page_size", "page_token"} <= request or "next_page_token" not in response:
            wrong.append(name)
    assert wrong == []


def test_every_creating_rpc_takes_an_idempotency_key(descriptors: list[d.FileDescriptorProto]) -> None:
    messages = messages_by_name(descriptors)
    creating = ("Create", "Complete", "Book", "AssistedEnrollment", "RebindHolder")
    wrong = [
        name
        for name, rpc in rpcs(descriptors)
        if rpc.name.startswith(creating)
        and "request_id" not in {f.name for f in messages[rpc.input_type].field}
    ]
    assert wrong == []


def test_every_enum_starts_with_an_unspecified_zero_value(descriptors: list[d.FileDescriptorProto]) -> None:
    wrong = [
        f"{fd.package}.{e.name}"
        for fd in descriptors
        for e in fd.enum_type
        if e.value[0].number != 0 or not e.value[0].name.endswith("_UNSPECIFIED")
    ]
    assert wrong == []


async def test_generated_stubs_carry_a_call_over_a_real_server() -> None:
    import grpc

    from civid.issuer.v1 import issuer_service_pb2 as pb
    from civid.issuer.v1 import issuer_service_pb2_grpc as pb_grpc

    class Issuer(pb_grpc.IssuerServiceServicer):
        async def GetDidDocument(
            self, request: pb.GetDidDocumentRequest, context: grpc.aio.ServicerContext
        ) -> pb.GetDidDocumentResponse:
            return pb.GetDidDocumentResponse(did="did:web:issuer.civid.example", did_document_json="{}")

    server = grpc.aio.server()
    # Only GetDidDocument is implemented; the generated base class answers UNIMPLEMENTED for the rest.
    pb_grpc.add_IssuerServiceServicer_to_server(Issuer(), server)  # type: ignore[abstract]
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            answer = await pb_grpc.IssuerServiceStub(channel).GetDidDocument(pb.GetDidDocumentRequest())
    finally:
        await server.stop(None)
    assert answer.did == "did:web:issuer.civid.example"


@pytest.mark.skipif(not BUF.exists(), reason="buf is not installed: run `npm ci` in tools/buf")
def test_buf_lint_passes() -> None:
    assert shutil.which("node") is not None
    done = subprocess.run([str(BUF), "lint"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_authentication_guide_signatures_verify_over_its_signing_inputs() -> None:
    import re

    import rfc8785
    from nacl.signing import SigningKey

    guide = (ROOT / "docs" / "api" / "authentication.md").read_text(encoding="utf-8")
    seeds = re.findall(r"Seed \(hex\): `([0-9a-f]{64})`", guide)
    inputs = re.findall(r"```json\n(.*?)\n```", guide, re.S)
    signatures = re.findall(r"Signature \(hex\): `([0-9a-f]{128})`", guide)
    assert len(seeds) == len(inputs) == len(signatures) == 2
    for seed, text, signature in zip(seeds, inputs, signatures, strict=True):
        message = text.encode("utf-8")
        assert rfc8785.dumps(json.loads(text)) == message, "the signing input is not in JCS form"
        assert SigningKey(bytes.fromhex(seed)).sign(message).signature.hex() == signature
