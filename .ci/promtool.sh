#!/usr/bin/env bash
# Checks the Prometheus assets offline with promtool: the scrape configuration, the rule
# file, the rule unit tests (deploy/prometheus/tests), and that a deliberately wrong test
# fails. Installs Debian's `prometheus` package (which ships promtool) when promtool is
# missing, without letting the package start a Prometheus server. Exits non-zero on any
# failure. Run from anywhere: `bash .ci/promtool.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() {
  printf 'promtool.sh: ERROR: %s\n' "$*" >&2
  exit 1
}

install_promtool() {
  [ "$(id -u)" -eq 0 ] || fail "promtool is missing and installing it needs root (apt-get install prometheus)"
  command -v apt-get >/dev/null || fail "promtool is missing and this machine has no apt-get"
  # The package's maintainer scripts start the server through invoke-rc.d unless a
  # policy-rc.d forbids it. Forbid it for this install only, if nothing else does already.
  local policy=/usr/sbin/policy-rc.d created_policy=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    created_policy=1
  fi
  local status=0
  export DEBIAN_FRONTEND=noninteractive
  # A machine whose package lists were never fetched knows no `prometheus` yet.
  if ! apt-get install -y --no-install-recommends prometheus >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y --no-install-recommends prometheus >/dev/null || status=$?
  fi
  [ -n "$created_policy" ] && rm -f "$policy"
  [ "$status" -eq 0 ] || fail "apt-get install prometheus failed (exit $status)"
  # Nor at the next boot.
  update-rc.d prometheus disable >/dev/null 2>&1 || true
  if command -v deb-systemd-helper >/dev/null; then deb-systemd-helper disable prometheus.service >/dev/null 2>&1 || true; fi
  command -v promtool >/dev/null || fail "the prometheus package installed no promtool"
}

if ! command -v promtool >/dev/null; then
  echo "promtool not found: installing Debian's prometheus package"
  install_promtool
fi
echo "using $(promtool --version 2>&1 | head -n 1)"

# The package must not leave a server behind: nothing of this check needs one running.
if [ -f /var/run/prometheus.pid ] && kill -0 "$(cat /var/run/prometheus.pid)" 2>/dev/null; then
  echo "promtool.sh: WARNING: a Prometheus server is running (pid $(cat /var/run/prometheus.pid)); this check does not use it" >&2
fi

echo "--- promtool check config deploy/prometheus/prometheus.yml (and the rule files it names)"
promtool check config deploy/prometheus/prometheus.yml

echo "--- promtool check rules deploy/prometheus/alerts.yml"
promtool check rules deploy/prometheus/alerts.yml

echo "--- promtool test rules deploy/prometheus/tests/*.test.yml"
shopt -s nullglob
tests=(deploy/prometheus/tests/*.test.yml)
[ "${#tests[@]}" -gt 0 ] || fail "no rule tests under deploy/prometheus/tests"
promtool test rules "${tests[@]}"

echo "--- self-check: a test with wrong expectations must fail"
must_fail=test/ops/fixtures/promtool/must-fail.test.yml
if promtool test rules "$must_fail" >/dev/null 2>&1; then
  fail "promtool test rules passed $must_fail, which expects an alert that cannot fire"
fi
echo "promtool test rules rejected $must_fail, as it should"

echo "promtool.sh: config, rules and ${#tests[@]} rule test files passed"
