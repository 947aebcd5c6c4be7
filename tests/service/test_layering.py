"""civid.service is infrastructure for the server programs: it depends on none of them, nor on grpc or textual."""

from __future__ import annotations

import subprocess
import sys

MODULES = (
    "civid.service.settings",
    "civid.service.db.engine",
    "civid.service.db.migrate",
    "civid.service.db.tx",
    "civid.service.db.columns",
)
FORBIDDEN = ("grpc", "textual", "civid.issuer", "civid.verifier", "civid.wallet")


def test_importing_civid_service_loads_no_program_grpc_or_textual() -> None:
    script = (
        f"import sys\nfor m in {MODULES!r}: __import__(m)\n"
        f"print('\\n'.join(m for m in sys.modules if m.split('.')[0] in ('grpc', 'textual')"
        f" or m.startswith({FORBIDDEN[2:]!r})))"
    )
    loaded = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True).stdout
    assert loaded.split() == []
