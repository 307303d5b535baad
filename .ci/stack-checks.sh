#!/usr/bin/env bash
# Checks through the production shape, without Docker: starts `npm run stack` twice in the
# background on free ports (nginx, two API replicas, a projector worker, Redis, a database
# each on the local PostgreSQL) — one with a generous rate limit for the official RealWorld
# suite and the consistency checks, one with RATE_LIMIT_PER_MINUTE=10 for the shared-limit
# check — then runs the suite through nginx and `npm run test:stack`. Run from anywhere as
# `bash .ci/stack-checks.sh [vitest arguments…]` (e.g. a file, or `--exclude <glob>`); the
# RealWorld suite is ../shared beside the clone (or CONDUIT_SHARED_DIR). On failure it prints the end of every part's log; the stacks are
# stopped (databases dropped, temp folders removed) on every exit path.
set -euo pipefail

script_dir="$(cd "$(dirname "$0")" && pwd)"
cd "$script_dir/.."
shared_dir="$(cd "${CONDUIT_SHARED_DIR:-$script_dir/../../shared}" 2>/dev/null && pwd)" ||
  { echo "ERROR: ../shared (beside the clone) is missing; set CONDUIT_SHARED_DIR" >&2; exit 1; }
suite="$shared_dir/realworld/run-suite.sh"
[ -f "$suite" ] || { echo "ERROR: $suite is missing" >&2; exit 1; }

started_at=$SECONDS
step="setup"
run_id="$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"
work_dir="$(mktemp -d "${TMPDIR:-/tmp}/conduit-stack-checks.XXXXXX")"
stacks=()        # names; their files are $work_dir/<name>.{out,err,pid}

section() {
  step="$*"
  printf '\n==== %s  [%ds] ====\n' "$*" "$((SECONDS - started_at))"
}

fail() {
  printf 'ERROR: %s\n' "$*" >&2
  exit 1
}

# One field of a stack's endpoints JSON (the line after "stack ready"), by a JS expression on `e`.
endpoint() {
  local name=$1 expression=$2
  grep -m1 '^{' "$work_dir/$name.out" 2>/dev/null |
    node -e "let t='';process.stdin.on('data',d=>t+=d).on('end',()=>{if(!t)process.exit(1);const e=JSON.parse(t);const v=($expression);process.stdout.write(Array.isArray(v)?v.join('\n'):String(v))})"
}

# The end of every part's log (warnings, errors, plain output; info lines left out).
show_logs() {
  local name=$1 logs file lines telling
  echo "---- stack $name: its own output (stderr) ----" >&2
  tail -n 30 "$work_dir/$name.err" >&2 2>/dev/null || true
  logs="$(endpoint "$name" 'e.logs' 2>/dev/null)" || return 0
  for file in "$logs"/*.log; do
    [ -f "$file" ] || continue
    lines=25
    # One line per request: the last few say where traffic was going.
    [[ "$file" == *access.log ]] && lines=8
    telling="$(grep -v -E '^\{"level":(10|20|30),' "$file" | tail -n "$lines")"
    [ -n "$telling" ] || continue
    echo "---- stack $name: $(basename "$file") (last lines) ----" >&2
    echo "$telling" >&2
  done
}

stop_stack() {
  local name=$1 pid part_pids killed=""
  pid="$(cat "$work_dir/$name.pid" 2>/dev/null)" || return 0
  part_pids="$(endpoint "$name" 'e.parts.filter(p=>p.pid).map(p=>p.pid)' 2>/dev/null || true)"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    # It stops its parts (15 s grace each), drops its database, removes its folder.
    for _ in $(seq 1 300); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
      kill -KILL "$pid" 2>/dev/null || true
      killed=1
    fi
  fi
  wait "$pid" 2>/dev/null || true
  rm -f "$work_dir/$name.pid"
  # Only a stack killed outright leaves its parts behind (each leads its own process
  # group); their pids were its children a moment ago, so they are still theirs.
  if [ -n "$killed" ]; then
    for part in $part_pids; do kill -KILL -- "-$part" 2>/dev/null || true; done
  fi
}

cleanup() {
  local status=$? name
  set +e
  if [ "$status" -ne 0 ]; then
    for name in "${stacks[@]}"; do show_logs "$name"; done
  fi
  for name in "${stacks[@]}"; do stop_stack "$name"; done
  rm -rf "$work_dir"
  if [ "$status" -ne 0 ]; then
    printf '\nstack-checks: FAILED during "%s" (exit %d) after %ds\n' "$step" "$status" "$((SECONDS - started_at))" >&2
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------------------
section "Node.js, nginx"

node_is_recent() {
  local version major rest minor
  version=$(node -v 2>/dev/null) || return 1
  version=${version#v}
  major=${version%%.*}
  rest=${version#*.}
  minor=${rest%%.*}
  [ "$major" -gt 22 ] || { [ "$major" -eq 22 ] && [ "$minor" -ge 17 ]; }
}
if ! node_is_recent; then
  node_prefix="$HOME/.cache/conduit-node24"
  if [[ "$("$node_prefix/node_modules/.bin/node" -v 2>/dev/null)" != v24.* ]]; then
    echo "installing node@24 into $node_prefix"
    mkdir -p "$node_prefix"
    (cd "$node_prefix" && npm i --prefix "$node_prefix" --no-audit --no-fund --loglevel=error node@24)
  fi
  export PATH="$node_prefix/node_modules/.bin:$PATH"
  hash -r
  node_is_recent || fail "node $(node -v) is older than 22.17"
fi
echo "using $(command -v node) $(node -v)"

if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "nginx is missing: installing the Debian package (the stack runs its own, never the system service)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null ||
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; } ||
      fail "apt-get install -y nginx failed"
  else
    fail "nginx is missing: as root, apt-get install -y nginx"
  fi
fi
echo "using $( (command -v nginx || echo /usr/sbin/nginx) | head -n1) ($( (nginx -v 2>&1 || /usr/sbin/nginx -v 2>&1) | head -n1))"

# ---------------------------------------------------------------------------------------
section "Dependencies and build (when needed)"

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
if [ ! -f dist/deploy/stack/stack.js ] || [ ! -f dist/src/main.js ] ||
  [ -n "$(find src deploy -name '*.ts' -newer dist/src/main.js -print -quit)" ] ||
  [ -n "$(find package.json tsconfig.json tsconfig.build.json -newer dist/src/main.js -print -quit)" ]; then
  npm run build
else
  echo "dist/ is newer than every source: not rebuilt"
fi

# ---------------------------------------------------------------------------------------
section "Start two stacks (npm run stack) in the background"

free_port() {
  node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { process.stdout.write(String(s.address().port)); s.close(); });'
}

# start_stack NAME VAR=VALUE… : the stack's stdout (ready line, endpoints JSON) and stderr go to files.
start_stack() {
  local name=$1
  shift
  stacks+=("$name")
  env "$@" node dist/deploy/stack/stack.js --json --port "$(free_port)" \
    --database "conduit_stack_ci_${run_id}_${name}" --drop-database \
    >"$work_dir/$name.out" 2>"$work_dir/$name.err" &
  echo $! >"$work_dir/$name.pid"
  echo "started stack $name (pid $!): $*"
}

wait_ready() {
  local name=$1 pid deadline=$((SECONDS + 300))
  pid="$(cat "$work_dir/$name.pid")"
  until grep -qs '^stack ready: ' "$work_dir/$name.out"; do
    kill -0 "$pid" 2>/dev/null || fail "stack $name exited before it was ready"
    [ "$SECONDS" -lt "$deadline" ] || fail "stack $name was not ready within 300 s"
    sleep 1
  done
  grep -m1 '^stack ready: ' "$work_dir/$name.out"
}

# The suite registers, logs in and writes far more than a real client per minute.
# One after the other: each stack picks free ports for its parts before it binds them, so
# two picking at once can choose the same port (seen: one's Redis took the other's NATS port).
# The second starts once the first holds every port it chose, while the suite runs.
start_stack main RATE_LIMIT_PER_MINUTE=100000
wait_ready main
start_stack limited RATE_LIMIT_PER_MINUTE=10
main_api="$(endpoint main 'e.api')"

# ---------------------------------------------------------------------------------------
section "RealWorld suite through nginx ($main_api)"
bash "$suite" "$main_api"
wait_ready limited

section "Stack checks (npm run test:stack): nginx configuration, cross-replica, personalised fields, request id, shared rate limit, stack lifecycle"
STACK_ENDPOINTS="$(grep -m1 '^{' "$work_dir/main.out")" \
  STACK_RATE_LIMITED_ENDPOINTS="$(grep -m1 '^{' "$work_dir/limited.out")" \
  npm run -s test:stack -- "$@"

# ---------------------------------------------------------------------------------------
section "Stop the stacks"
for name in "${stacks[@]}"; do stop_stack "$name"; done
for name in "${stacks[@]}"; do
  tail -n 1 "$work_dir/$name.err" | grep -q '^stack: stopped$' || fail "stack $name did not stop cleanly: $(tail -n 3 "$work_dir/$name.err")"
done
stacks=()
section "stack-checks passed in $((SECONDS - started_at)) s"
