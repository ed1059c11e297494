#!/usr/bin/env bash
# Runs the litmus WebDAV suite (Debian package `litmus`) against a plain WebDAV collection of a
# throw-away Sundial and fails unless every test of the basic, copymove, props and http suites
# passes. The locks suite is left out: Sundial does not implement LOCK (no DAV class 2, SPEC).
# Expects dist/ to be built (CI runs `npm ci` and `npm test` first).
#
# litmus runs twice: on http://HOST/dav/calendars/<user>/litmus/ and on
# http://HOST/dav/addressbooks/<user>/litmus/ (CardDAV, issue 14), each a plain collection made
# here with MKCOL in that home; it works in a `litmus/` collection it creates below that URL. Both
# homes take the same generic WebDAV (dav/ is written once), and this checks it stays so.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/ci-server.sh"

USER_NAME=litmus-user
PASSWORD='litmus-password-1'
SUITES="${LITMUS_SUITES:-basic copymove props http}"

command -v litmus >/dev/null || { echo "litmus is not installed (apt-get install litmus)" >&2; exit 1; }
ci_start_server "$USER_NAME" "$PASSWORD"

status=0
SKIPPED_RE='^-> [0-9]+ tests? (was|were) skipped'

# run_litmus LABEL URL: runs the suites against URL; sets status=1 on any failure.
run_litmus() {
  local label="$1" url="$2" out="$CI_TMP/litmus-$1.out" dir="$CI_TMP/litmus-$1"
  local code
  code=$(ci_http MKCOL "$url" -u "$USER_NAME:$PASSWORD")
  [[ "$code" == 201 ]] || { echo "MKCOL $url answered $code, expected 201" >&2; status=1; return; }
  mkdir -p "$dir"
  local litmus_rc
  set +e
  # litmus writes debug.log and child.log into the working directory
  (cd "$dir" && TESTS="$SUITES" timeout "${LITMUS_TIMEOUT:-600}" litmus --keep-going "$url" "$USER_NAME" "$PASSWORD") >"$out" 2>&1
  litmus_rc=$?
  set -e

  local failed_here=0
  echo
  echo "== litmus summary on the $label home ($SUITES) =="
  for suite in $SUITES; do
    local line
    line=$(grep -F "<- summary for \`$suite'" "$out" || true)
    if [[ -z "$line" ]]; then
      echo "  $suite: no summary line (the suite aborted)"
      failed_here=1
      continue
    fi
    echo "  $line"
    # "<- summary for `basic': of 16 tests run: 16 passed, 0 failed. 100.0%"
    if [[ "$line" =~ of\ ([0-9]+)\ tests\ run:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
      local run=${BASH_REMATCH[1]} passed=${BASH_REMATCH[2]} failed=${BASH_REMATCH[3]}
      if [[ "$failed" != 0 || "$passed" != "$run" ]]; then failed_here=1; fi
    else
      echo "  (could not read the counts of $suite)"
      failed_here=1
    fi
  done

  if grep -Eq "$SKIPPED_RE" "$out"; then
    echo
    echo "== litmus skipped tests on the $label home (allowed) =="
    grep -E "$SKIPPED_RE|SKIPPED" "$out" | sed -E 's/^ *[0-9]+\. [a-z_0-9]+\.+ *//; s/^/  /'
  fi
  if grep -q 'WARNING' "$out"; then
    echo
    echo "== litmus warnings on the $label home (allowed) =="
    grep 'WARNING' "$out" | sed -E 's/^[^W]*WARNING/  WARNING/'
  fi
  if [[ $failed_here -ne 0 ]]; then
    status=1
    echo
    echo "== litmus failed on the $label home (exit code $litmus_rc); full output =="
    cat "$out"
    if [[ -f "$dir/debug.log" ]]; then
      echo "== last 150 lines of litmus debug.log =="
      tail -n 150 "$dir/debug.log"
    fi
  fi
}

run_litmus calendar "$CI_BASE/dav/calendars/$USER_NAME/litmus/"
run_litmus address-book "$CI_BASE/dav/addressbooks/$USER_NAME/litmus/"

[[ $status -eq 0 ]] || exit 1
echo
echo "litmus: every test of $SUITES passed on the calendar home and on the address-book home"
