#!/usr/bin/env bash
# Validates deploy/k8s offline: renders the kustomization, checks every document against the
# Kubernetes API schemas (strict: unknown fields are errors) and the project's policy
# (security context, probes, shutdown timings, references), and compares the rendering
# with `kubectl kustomize` where kubectl is installed.
# Offline; exits non-zero on any problem. Needs Node >= 22.17 on PATH and `npm ci` done.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x node_modules/.bin/tsx ] || { echo "k8s-validate.sh: ERROR: node_modules/.bin/tsx is missing: run npm ci first" >&2; exit 1; }
exec node_modules/.bin/tsx deploy/tools/k8s-validate.ts deploy/k8s
