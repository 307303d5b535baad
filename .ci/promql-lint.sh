#!/usr/bin/env bash
# Checks every PromQL expression of deploy/prometheus/alerts.yml and
# deploy/grafana/conduit-dashboard.json against the metric catalog (deploy/tools/metric-catalog.ts):
# it parses, names known metrics or recording rules, and matches only their labels.
# Offline; exits non-zero on any problem. Needs Node >= 22.17 on PATH and `npm ci` done.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x node_modules/.bin/tsx ] || { echo "promql-lint.sh: ERROR: node_modules/.bin/tsx is missing: run npm ci first" >&2; exit 1; }
exec node_modules/.bin/tsx deploy/tools/promql-lint.ts
