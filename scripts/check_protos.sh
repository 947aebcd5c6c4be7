#!/usr/bin/env bash
# Checks the public gRPC API in protos/:
#   1. buf lint (STANDARD + COMMENTS, see buf.yaml);
#   2. buf breaking (FILE) against the previous commit (override the git ref with
#      CIVID_BREAKING_AGAINST, e.g. "main" or "origin/main"); skipped, with a message, when there is no
#      such commit or protos/ did not exist in it yet;
#   3. the generated Python in gen/python/ and the API docs in docs/api/ are up to date.
# buf is installed from npm (tools/buf/package.json pins @bufbuild/buf) with `npm ci` when missing.
# Usage: scripts/check_protos.sh   (PYTHON=... to choose the interpreter; default .venv/bin/python)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
python="${PYTHON:-}"
if [[ -z "$python" ]]; then
  if [[ -x .venv/bin/python ]]; then python=.venv/bin/python; else python=python3; fi
fi
buf=tools/buf/node_modules/.bin/buf

if [[ ! -x "$buf" ]]; then
  echo "== installing buf (npm ci in tools/buf)"
  (cd tools/buf && npm ci --no-audit --no-fund --loglevel=error)
fi
echo "== buf $("$buf" --version): lint"
"$buf" lint

against="${CIVID_BREAKING_AGAINST:-HEAD~1}"
if ! git rev-parse --verify --quiet "${against}^{commit}" >/dev/null; then
  echo "== buf breaking: skipped (no commit '$against' to compare with)"
elif ! git cat-file -e "${against}:protos" 2>/dev/null; then
  echo "== buf breaking: skipped (protos/ does not exist in '$against')"
else
  commit="$(git rev-parse "${against}^{commit}")"
  echo "== buf breaking against $against ($commit)"
  if git cat-file -e "${commit}:buf.yaml" 2>/dev/null; then
    "$buf" breaking --against ".git#ref=${commit}"
  else
    "$buf" breaking --against ".git#ref=${commit},subdir=protos"
  fi
fi

echo "== generated Python is up to date"
"$python" scripts/gen_protos.py --check
echo "== API docs are up to date"
"$python" scripts/gen_api_docs.py --check
echo "protos OK"
