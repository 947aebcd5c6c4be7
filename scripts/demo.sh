#!/usr/bin/env bash
# The README's first command: set up a fresh machine (scripts/bootstrap.sh), then run the whole journey.
# Arguments go to `civid demo` (for example --out DIR or --interactive).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/civid demo "$@"
