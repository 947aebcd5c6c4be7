#!/usr/bin/env bash
# The whole test suite from nothing: set-up, lint, types, the API checks, then every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh

echo "==> ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "==> mypy (every package; strict on civid.core and civid.service)"
.venv/bin/mypy -p civid.core -p civid.service -p civid.rpc -p civid.cli -p civid.issuer -p civid.verifier -p civid.wallet
echo "==> protos: buf lint, buf breaking, generated code up to date"
bash scripts/check_protos.sh

echo "==> pytest"
.venv/bin/python -m pytest -q -ra "$@"
