#!/usr/bin/env bash
# Two-way vdirsyncer (Debian package `vdirsyncer`) round trip against a throw-away Sundial, for
# calendars (type = "caldav") and contacts (a second pair, type = "carddav", issue 14): discovery,
# local → server and server → local creation, modification and deletion, a local calendar and a
# local address book created on the server by discovery (extended MKCOL), and an idempotent final
# sync of both pairs.
# Expects dist/ to be built (CI runs `npm ci` and `npm test` first).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/ci-server.sh"

USER_NAME=vds-user
PASSWORD='vds-password-1'

command -v vdirsyncer >/dev/null || { echo "vdirsyncer is not installed (apt-get install vdirsyncer)" >&2; exit 1; }
ci_start_server "$USER_NAME" "$PASSWORD"

LOCAL="$CI_TMP/local"
LOCAL_CARDS="$CI_TMP/local-cards"
mkdir -p "$LOCAL" "$LOCAL_CARDS" "$CI_TMP/status"
export VDIRSYNCER_CONFIG="$CI_TMP/vdirsyncer.conf"
cat >"$VDIRSYNCER_CONFIG" <<CONF
[general]
status_path = "$CI_TMP/status/"

[pair sundial]
a = "sundial_remote"
b = "sundial_local"
collections = ["from a", "from b"]
conflict_resolution = "a wins"

[storage sundial_remote]
type = "caldav"
url = "$CI_BASE/"
username = "$USER_NAME"
password = "$PASSWORD"

[storage sundial_local]
type = "filesystem"
path = "$LOCAL/"
fileext = ".ics"

[pair sundial_contacts]
a = "sundial_contacts_remote"
b = "sundial_contacts_local"
collections = ["from a", "from b"]
conflict_resolution = "a wins"

[storage sundial_contacts_remote]
type = "carddav"
url = "$CI_BASE/"
username = "$USER_NAME"
password = "$PASSWORD"

[storage sundial_contacts_local]
type = "filesystem"
path = "$LOCAL_CARDS/"
fileext = ".vcf"
CONF

CHECKS=0
pass() { CHECKS=$((CHECKS + 1)); echo "  ok $CHECKS - $*"; }
fail() { echo "  FAILED - $*" >&2; exit 1; }

HOME_URL="$CI_BASE/dav/calendars/$USER_NAME"
http() { # http METHOD URL [-H HEADER]… [--data TEXT | --data-file FILE] → status code; body in $CI_TMP/body
  ci_http "$@" -u "$USER_NAME:$PASSWORD" -o "$CI_TMP/body"
}
sync() { # runs `vdirsyncer sync`, output in $CI_TMP/sync.out (and on stdout)
  vdirsyncer sync >"$CI_TMP/sync.out" 2>&1 || { cat "$CI_TMP/sync.out"; fail "vdirsyncer sync exited non-zero"; }
  sed 's/^/    | /' "$CI_TMP/sync.out"
}
discover() {
  # Answers "yes" to "Should vdirsyncer attempt to create it?" for collections missing on a side.
  { yes || true; } | vdirsyncer discover --no-list >"$CI_TMP/discover.out" 2>&1 || { cat "$CI_TMP/discover.out"; fail "vdirsyncer discover exited non-zero"; }
  sed 's/^/    | /' "$CI_TMP/discover.out"
}
event() { # event UID SUMMARY → an iCalendar object with CRLF line ends
  printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Sundial CI//vdirsyncer//EN\r\nBEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20240102T100000Z\r\nDTEND:20240102T110000Z\r\nSUMMARY:%s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' "$1" "$2"
}
local_file_of() { # local_file_of DIR UID → the local file holding that UID (empty if none)
  grep -l -r --include='*.ics' --include='*.vcf' "^UID:$2" "$1" 2>/dev/null | head -n 1 || true
}
card() { # card UID NAME → a vCard 3.0 with CRLF line ends
  printf 'BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Sundial CI//vdirsyncer//EN\r\nUID:%s\r\nFN:%s\r\nN:%s;;;;\r\nEND:VCARD\r\n' "$1" "$2" "$2"
}
BOOKS_URL="$CI_BASE/dav/addressbooks/$USER_NAME"

echo "== discover and first sync =="
# An event that stays for the whole run: vdirsyncer refuses to sync a side that became completely
# empty (a safety check), and it shows that the first sync downloads what the server holds.
[[ "$(http PROPFIND "$HOME_URL/" -H 'Depth: 1')" == 207 ]] || fail "PROPFIND on the calendar home failed"
HOME_CAL_URL=$(grep -o "<d:href>[^<]*</d:href>" "$CI_TMP/body" | sed -E 's#</?d:href>##g' | grep -v "^/dav/calendars/$USER_NAME/\$" | head -n 1 || true)
[[ -n "$HOME_CAL_URL" ]] || fail "the user's calendar home lists no calendar"
event ci-keep 'Stays all along' >"$CI_TMP/keep.ics"
[[ "$(http PUT "$CI_BASE$HOME_CAL_URL/ci-keep.ics" -H 'Content-Type: text/calendar' --data-file "$CI_TMP/keep.ics")" == 201 ]] || fail "PUT of the initial event failed"
# The same for the address book every user has ("contacts", made with the user).
card ci-keep-card 'Stays All Along' >"$CI_TMP/keep.vcf"
[[ "$(http PUT "$BOOKS_URL/contacts/ci-keep-card.vcf" -H 'Content-Type: text/vcard' --data-file "$CI_TMP/keep.vcf")" == 201 ]] || fail "PUT of the initial card failed"
discover
sync
# The user's calendars as vdirsyncer sees them: one local directory per server collection.
mapfile -t CALS < <(find "$LOCAL" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort)
[[ ${#CALS[@]} -ge 1 ]] || fail "discovery created no local collection"
CAL="${CALS[0]}"
CAL_URL="$HOME_URL/$CAL"
[[ "$(http PROPFIND "$CAL_URL/" -H 'Depth: 0')" == 207 ]] || fail "calendar $CAL_URL/ does not answer PROPFIND"
[[ -n "$(local_file_of "$LOCAL/$CAL" ci-keep)" ]] || fail "the first sync did not download the server's event"
pass "discovery mirrored the server calendar '$CAL' locally, with its event"

echo "== local → server: create =="
event ci-local-1 'Created locally' >"$LOCAL/$CAL/ci-local-1.ics"
sync
[[ "$(http GET "$CAL_URL/ci-local-1.ics")" == 200 ]] || fail "locally created event not on the server"
grep -q 'SUMMARY:Created locally' "$CI_TMP/body" || fail "server copy has the wrong content"
pass "a locally created event reached the server"

echo "== local → server: modify =="
event ci-local-1 'Changed locally' >"$LOCAL/$CAL/ci-local-1.ics"
sync
[[ "$(http GET "$CAL_URL/ci-local-1.ics")" == 200 ]] || fail "event vanished from the server"
grep -q 'SUMMARY:Changed locally' "$CI_TMP/body" || fail "local change did not reach the server"
pass "a local modification reached the server"

echo "== server → local: create =="
event ci-remote-1 'Created on the server' >"$CI_TMP/remote.ics"
[[ "$(http PUT "$CAL_URL/ci-remote-1.ics" -H 'Content-Type: text/calendar; charset=utf-8' -H 'If-None-Match: *' --data-file "$CI_TMP/remote.ics")" == 201 ]] || fail "PUT of the server event failed"
sync
f=$(local_file_of "$LOCAL/$CAL" ci-remote-1)
[[ -n "$f" ]] || fail "server event did not appear locally"
grep -q 'SUMMARY:Created on the server' "$f" || fail "local copy has the wrong content"
pass "an event created on the server appeared locally"

echo "== server → local: modify =="
event ci-remote-1 'Changed on the server' >"$CI_TMP/remote.ics"
[[ "$(http PUT "$CAL_URL/ci-remote-1.ics" -H 'Content-Type: text/calendar; charset=utf-8' --data-file "$CI_TMP/remote.ics")" == 204 ]] || fail "PUT replacing the server event failed"
sync
f=$(local_file_of "$LOCAL/$CAL" ci-remote-1)
[[ -n "$f" ]] && grep -q 'SUMMARY:Changed on the server' "$f" || fail "server change did not reach the local file"
pass "a server modification reached the local file"

echo "== server → local: delete =="
[[ "$(http DELETE "$CAL_URL/ci-remote-1.ics")" == 204 ]] || fail "DELETE on the server failed"
sync
[[ -z "$(local_file_of "$LOCAL/$CAL" ci-remote-1)" ]] || fail "event deleted on the server is still local"
pass "an event deleted on the server was deleted locally"

echo "== local → server: delete =="
rm -f "$(local_file_of "$LOCAL/$CAL" ci-local-1)"
sync
[[ "$(http GET "$CAL_URL/ci-local-1.ics")" == 404 ]] || fail "event deleted locally is still on the server"
pass "an event deleted locally was deleted on the server"

echo "== local calendar → server (discover creates it) =="
mkdir -p "$LOCAL/ci-local-cal"
event ci-local-cal-1 'In a local calendar' >"$LOCAL/ci-local-cal/ci-local-cal-1.ics"
discover
sync
[[ "$(http PROPFIND "$HOME_URL/ci-local-cal/" -H 'Depth: 0' -H 'Content-Type: application/xml' --data '<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/></d:prop></d:propfind>')" == 207 ]] || fail "local calendar was not created on the server"
grep -q 'calendar' "$CI_TMP/body" || fail "collection created by vdirsyncer is not a calendar"
[[ "$(http GET "$HOME_URL/ci-local-cal/ci-local-cal-1.ics")" == 200 ]] || fail "event of the local calendar is not on the server"
pass "a local calendar and its event were created on the server"

echo "== contacts: discovery mirrored the address book =="
[[ -n "$(local_file_of "$LOCAL_CARDS/contacts" ci-keep-card)" ]] || fail "the first sync did not download the server's card"
BOOK_URL="$BOOKS_URL/contacts"
pass "discovery mirrored the address book 'contacts' locally, with its card"

echo "== contacts: local → server: create and modify =="
card ci-card-1 'Made Locally' >"$LOCAL_CARDS/contacts/ci-card-1.vcf"
sync
[[ "$(http GET "$BOOK_URL/ci-card-1.vcf")" == 200 ]] || fail "locally created card not on the server"
grep -q 'FN:Made Locally' "$CI_TMP/body" || fail "server copy of the card has the wrong content"
card ci-card-1 'Changed Locally' >"$LOCAL_CARDS/contacts/ci-card-1.vcf"
sync
[[ "$(http GET "$BOOK_URL/ci-card-1.vcf")" == 200 ]] && grep -q 'FN:Changed Locally' "$CI_TMP/body" || fail "local card change did not reach the server"
pass "a card created and changed locally reached the server"

echo "== contacts: server → local: create, modify, delete =="
card ci-card-2 'Made On The Server' >"$CI_TMP/remote.vcf"
[[ "$(http PUT "$BOOK_URL/ci-card-2.vcf" -H 'Content-Type: text/vcard; charset=utf-8' -H 'If-None-Match: *' --data-file "$CI_TMP/remote.vcf")" == 201 ]] || fail "PUT of the server card failed"
sync
f=$(local_file_of "$LOCAL_CARDS/contacts" ci-card-2)
[[ -n "$f" ]] && grep -q 'FN:Made On The Server' "$f" || fail "server card did not appear locally"
card ci-card-2 'Changed On The Server' >"$CI_TMP/remote.vcf"
[[ "$(http PUT "$BOOK_URL/ci-card-2.vcf" -H 'Content-Type: text/vcard; charset=utf-8' --data-file "$CI_TMP/remote.vcf")" == 204 ]] || fail "PUT replacing the server card failed"
sync
f=$(local_file_of "$LOCAL_CARDS/contacts" ci-card-2)
[[ -n "$f" ]] && grep -q 'FN:Changed On The Server' "$f" || fail "server card change did not reach the local file"
[[ "$(http DELETE "$BOOK_URL/ci-card-2.vcf")" == 204 ]] || fail "DELETE of the server card failed"
sync
[[ -z "$(local_file_of "$LOCAL_CARDS/contacts" ci-card-2)" ]] || fail "card deleted on the server is still local"
pass "a card created, changed and deleted on the server followed locally"

echo "== contacts: local → server: delete =="
rm -f "$(local_file_of "$LOCAL_CARDS/contacts" ci-card-1)"
sync
[[ "$(http GET "$BOOK_URL/ci-card-1.vcf")" == 404 ]] || fail "card deleted locally is still on the server"
pass "a card deleted locally was deleted on the server"

echo "== contacts: local address book → server (discover creates it) =="
mkdir -p "$LOCAL_CARDS/ci-local-book"
card ci-book-card 'In A Local Book' >"$LOCAL_CARDS/ci-local-book/ci-book-card.vcf"
discover
sync
[[ "$(http PROPFIND "$BOOKS_URL/ci-local-book/" -H 'Depth: 0' -H 'Content-Type: application/xml' --data '<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/></d:prop></d:propfind>')" == 207 ]] || fail "local address book was not created on the server"
grep -q 'addressbook' "$CI_TMP/body" || fail "collection created by vdirsyncer is not an address book"
[[ "$(http GET "$BOOKS_URL/ci-local-book/ci-book-card.vcf")" == 200 ]] || fail "card of the local address book is not on the server"
[[ "$(http PROPFIND "$HOME_URL/ci-local-book/" -H 'Depth: 0')" == 404 ]] || fail "the address book appeared in the calendar home"
pass "a local address book and its card were created on the server, in the address-book home"

echo "== idempotence =="
sync
sync
if grep -Eiq 'copying|updating|deleting|conflict' "$CI_TMP/sync.out"; then fail "a repeated sync still changed something"; fi
pass "a repeated sync changes nothing"

echo
echo "vdirsyncer round trip (calendars and contacts): $CHECKS checks passed"
