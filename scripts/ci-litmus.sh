#!/usr/bin/env bash
# Runs the litmus WebDAV suite (Debian package `litmus`) against a plain WebDAV collection of a
# throw-away Sundial and fails unless every test of the basic, copymove, props and http suites
# passes. The locks suite is left out: Sundial does not implement LOCK (no DAV class 2, SPEC).
# Expects dist/ to be built (CI runs `npm ci` and `npm test` first).
#
# litmus is given http://HOST/dav/calendars/<user>/litmus/ (a plain collection made here with
# MKCOL) and works in a `litmus/` collection it creates below that URL.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/ci-server.sh"

USER_NAME=litmus-user
PASSWORD='litmus-password-1'
SUITES="${LITMUS_SUITES:-basic copymove props http}"

command -v litmus >/dev/null || { echo "litmus is not installed (apt-get install litmus)" >&2; exit 1; }
ci_start_server "$USER_NAME" "$PASSWORD"

URL="$CI_BASE/dav/calendars/$USER_NAME/litmus/"
code=$(ci_http MKCOL "$URL" -u "$USER_NAME:$PASSWORD")
[[ "$code" == 201 ]] || { echo "MKCOL $URL answered $code, expected 201" >&2; exit 1; }

mkdir -p "$CI_TMP/litmus"
cd "$CI_TMP/litmus" # litmus writes debug.log and child.log into the working directory
set +e
TESTS="$SUITES" timeout "${LITMUS_TIMEOUT:-600}" litmus --keep-going "$URL" "$USER_NAME" "$PASSWORD" >"$CI_TMP/litmus.out" 2>&1
litmus_rc=$?
set -e

status=0
echo
echo "== litmus summary ($SUITES) =="
for suite in $SUITES; do
  line=$(grep -F "<- summary for \`$suite'" "$CI_TMP/litmus.out" || true)
  if [[ -z "$line" ]]; then
    echo "  $suite: no summary line (the suite aborted)"
    status=1
    continue
  fi
  echo "  $line"
  # "<- summary for `basic': of 16 tests run: 16 passed, 0 failed. 100.0%"
  if [[ "$line" =~ of\ ([0-9]+)\ tests\ run:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
    run=${BASH_REMATCH[1]} passed=${BASH_REMATCH[2]} failed=${BASH_REMATCH[3]}
    if [[ "$failed" != 0 || "$passed" != "$run" ]]; then status=1; fi
  else
    echo "  (could not read the counts of $suite)"
    status=1
  fi
done

SKIPPED_RE='^-> [0-9]+ tests? (was|were) skipped'
if grep -Eq "$SKIPPED_RE" "$CI_TMP/litmus.out"; then
  echo
  echo "== litmus skipped tests (allowed) =="
  grep -E "$SKIPPED_RE|SKIPPED" "$CI_TMP/litmus.out" | sed -E 's/^ *[0-9]+\. [a-z_0-9]+\.+ *//; s/^/  /'
fi

if grep -q 'WARNING' "$CI_TMP/litmus.out"; then
  echo
  echo "== litmus warnings (allowed) =="
  grep 'WARNING' "$CI_TMP/litmus.out" | sed -E 's/^[^W]*WARNING/  WARNING/'
fi

if [[ $status -ne 0 ]]; then
  echo
  echo "== litmus failed (exit code $litmus_rc); full output =="
  cat "$CI_TMP/litmus.out"
  if [[ -f debug.log ]]; then
    echo "== last 150 lines of litmus debug.log =="
    tail -n 150 debug.log
  fi
  exit 1
fi
echo
echo "litmus: every test of $SUITES passed"
