"""`civid issuer officer add` registers an officer, with a client certificate for mTLS if given."""

from __future__ import annotations

import hashlib
import ssl
from pathlib import Path

from civid.cli.certs import create_local_pki
from civid.cli.main import main
from civid.issuer.storage import open_store


def test_officer_add_with_a_certificate_stores_its_der_fingerprint(tmp_path: Path, capsys) -> None:
    pki = create_local_pki(tmp_path / "pki")
    data_dir = tmp_path / "issuer"

    code = main(
        [
            "issuer",
            "officer",
            "add",
            "--data-dir",
            str(data_dir),
            "--name",
            "Somsri",
            "--id",
            "officer-1",
            "--certificate",
            str(pki.client_cert),
        ]
    )

    expected = hashlib.sha256(ssl.PEM_cert_to_DER_cert(pki.client_cert.read_text())).hexdigest()
    assert code == 0, capsys.readouterr().err
    assert f"client certificate sha256: {expected}" in capsys.readouterr().out
    store = open_store(data_dir)
    try:
        officer = store.officers.by_certificate(expected)
    finally:
        store.close()
    assert officer is not None and officer.id == "officer-1"
