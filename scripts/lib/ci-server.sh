# Shared by scripts/ci-litmus.sh and scripts/ci-vdirsyncer.sh (sourced, not run): starts a
# throw-away Sundial from the already built dist/ with one user, and stops it on exit.
# After `ci_start_server USER PASSWORD`: $CI_TMP (temp dir, removed on exit), $CI_PORT, $CI_BASE.

CI_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CI_TMP="$(mktemp -d "${TMPDIR:-/tmp}/sundial-ci.XXXXXX")"
CI_SERVER_PID=""

ci_cleanup() {
  local rc=$?
  if [[ -n "$CI_SERVER_PID" ]] && kill -0 "$CI_SERVER_PID" 2>/dev/null; then
    kill "$CI_SERVER_PID" 2>/dev/null || true
    wait "$CI_SERVER_PID" 2>/dev/null || true
  fi
  if [[ $rc -ne 0 && -f "$CI_TMP/server.log" ]]; then
    echo "---- last lines of the Sundial log ----" >&2
    tail -n 40 "$CI_TMP/server.log" >&2 || true
  fi
  rm -rf "$CI_TMP"
  exit "$rc"
}
trap ci_cleanup EXIT
trap 'exit 130' INT TERM

# ci_http METHOD URL [-u USER:PASS] [-H HEADER]… [--data TEXT | --data-file FILE] [-o OUT]
# prints the status code (body to OUT); see http-request.mjs. No curl needed.
ci_http() {
  node "$CI_ROOT/scripts/lib/http-request.mjs" "$@"
}

ci_free_port() {
  node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

ci_start_server() {
  local user="$1" password="$2"
  if [[ ! -f "$CI_ROOT/dist/src/cli/main.js" ]]; then
    echo "dist/ is missing: run 'npm ci' (or 'npm run build') first" >&2
    return 1
  fi
  export SUNDIAL_DATA="$CI_TMP/data"
  export SUNDIAL_CREATE_ADMIN=false
  export SUNDIAL_HOST=127.0.0.1
  export SUNDIAL_LOG_LEVEL="${SUNDIAL_LOG_LEVEL:-info}"
  printf '%s\n' "$password" | node "$CI_ROOT/bin/sundial.js" user add "$user" >/dev/null
  CI_PORT="${SUNDIAL_CI_PORT:-$(ci_free_port)}"
  CI_BASE="http://127.0.0.1:$CI_PORT"
  SUNDIAL_PORT="$CI_PORT" node "$CI_ROOT/bin/sundial.js" serve >"$CI_TMP/server.log" 2>&1 &
  CI_SERVER_PID=$!
  local i
  for i in $(seq 1 100); do
    if [[ "$(ci_http GET "$CI_BASE/healthz" 2>/dev/null)" == 200 ]]; then
      echo "Sundial is up at $CI_BASE (pid $CI_SERVER_PID)"
      return 0
    fi
    if ! kill -0 "$CI_SERVER_PID" 2>/dev/null; then
      echo "Sundial exited before it answered /healthz" >&2
      return 1
    fi
    sleep 0.1
  done
  echo "Sundial did not answer /healthz within 10 s" >&2
  return 1
}
