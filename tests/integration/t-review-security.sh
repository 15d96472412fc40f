# igprep review's server (docs/review.md): only this machine's page can use
# it. A foreign Origin or Host is refused (403), paths leaving the shoot or
# OUT are 404, the socket listens on 127.0.0.1 only, and 50 saves at once
# lose no decision. Traffic goes to loopback addresses only.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/review-lib.sh"

shoot="$TEST_TMP/shoot"
out="$TEST_TMP/out"
mkdir -p "$shoot"
# A flat grey photo: detection skips it at once.
vips black "$TEST_TMP/black.v" 640 480 --bands 3
vips linear "$TEST_TMP/black.v" "$TEST_TMP/grey.v" 1 128
vips cast "$TEST_TMP/grey.v" "$shoot/IMG_0001.jpg" uchar
cat >"$shoot/shoot.json" <<'JSON'
{ "version": 1, "shoot": "review-security", "posts": [
  {"id": "p1", "type": "feed", "media": [{"file": "IMG_0001.jpg"}]} ] }
JSON
check "ingest reads the shoot" "$IGPREP" ingest "$shoot" --out "$out" --quiet
check "scrub makes the masters the page shows" "$IGPREP" scrub "$shoot" --out "$out" --quiet
# 50 faces as detect would have found them: a 10 x 5 grid of 40 px boxes.
jq -n '{version: 1, media: {"IMG_0001.jpg": {size: [640, 480], faces: [range(50) as $i |
        {id: "f\($i + 1)", source: "detected", score: 0.9,
         box: [($i % 10) * 60 + 10, (($i / 10) | floor) * 90 + 20, 40, 40]}]}}}' >"$out/faces.json"
# A file outside both folders, and a symbolic link in OUT leading to it.
echo "secret" >"$TEST_TMP/secret.txt"
ln -s "$TEST_TMP/secret.txt" "$out/masters/leak.jpg"

status=0; "$IGPREP" review 2>/dev/null || status=$?
check "review without SHOOT exits 2 (got $status)" test "$status" -eq 2
status=0; "$IGPREP" review "$shoot" --out "$out" --port 70000 2>/dev/null || status=$?
check "a port over 65535 exits 2 (got $status)" test "$status" -eq 2
status=0; "$IGPREP" review "$shoot" --out "$TEST_TMP/no-run" 2>"$TEST_TMP/err" || status=$?
check "an OUT without a run exits 1 (got $status)" test "$status" -eq 1
check "... saying to run igprep run first" grep -q "run 'igprep run" "$TEST_TMP/err"

review_start "$shoot" "$out"
host="127.0.0.1:$REVIEW_PORT"
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

check "the page is served to its own host" test "$(code "$REVIEW_URL")" = 200
check "the state is served to its own host" test "$(code "$REVIEW_URL/api/state")" = 200
check "localhost:PORT is its own host too" test "$(code -H "Host: localhost:$REVIEW_PORT" "$REVIEW_URL/api/state")" = 200
check "its own Origin is accepted" test "$(code -H "Origin: http://$host" "$REVIEW_URL/api/state")" = 200

# Another web page in the same browser: its Origin.
check "a foreign Origin gets 403 (GET)" \
  test "$(code -H 'Origin: http://evil.example' "$REVIEW_URL/api/state")" = 403
check "a foreign Origin gets 403 (page)" test "$(code -H 'Origin: null' "$REVIEW_URL/")" = 403
check "another port's Origin gets 403" \
  test "$(code -H "Origin: http://127.0.0.1:$((REVIEW_PORT + 1))" "$REVIEW_URL/api/state")" = 403
check "a foreign Origin cannot save (403)" \
  test "$(code -X POST -H 'Origin: http://evil.example' -H 'Content-Type: application/json' \
    -d '{"changes":[{"op":"set","media":"IMG_0001.jpg","id":"f1","decision":"cleared","consent":"X"}]}' \
    "$REVIEW_URL/api/changes")" = 403
# DNS rebinding: a name of the attacker's resolving to 127.0.0.1.
check "a foreign Host gets 403" test "$(code -H "Host: evil.example:$REVIEW_PORT" "$REVIEW_URL/api/state")" = 403
check "a foreign Host gets 403 (page)" test "$(code -H 'Host: evil.example' "$REVIEW_URL/")" = 403
check "no Host gets 403" test "$(code -H 'Host:' "$REVIEW_URL/api/state")" = 403
check "a form post (not JSON) is refused" \
  test "$(code -X POST -H 'Content-Type: application/x-www-form-urlencoded' -d 'changes=1' \
    "$REVIEW_URL/api/changes")" = 415
check "nothing was saved by the refused requests" test ! -e "$shoot/faces.json"

# Paths: each must be 404, never the file.
for path in /out/../shoot.json /out/../../secret.txt /shoot/../out/faces.json \
  /out/%2e%2e/secret.txt /out/%2e%2e/%2e%2e/secret.txt /out/..%2f..%2fsecret.txt \
  /shoot/%2e%2e%2fsecret.txt /..%2fsecret.txt /%2e%2e/secret.txt /out/masters/leak.jpg \
  /out//etc/passwd /shoot/.igprep.lock /out/state/../../secret.txt /preview/..%2fsecret.txt \
  /preview/../../secret.txt /out/%252e%252e/secret.txt /out/masters/%00x /nonexistent; do
  body=$(curl -s --path-as-is -w ' %{http_code}' "$REVIEW_URL$path")
  check "$path is 404" test "${body##* }" = 404
  case "$body" in *secret*) fail "$path served the file outside the folders" ;; esac
done
check "a file of the shoot is served" test "$(code "$REVIEW_URL/shoot/shoot.json")" = 200
check "a file of OUT is served" test "$(code "$REVIEW_URL/out/masters/IMG_0001.jpg.jpg")" = 200

# Loopback only: the listening socket is 127.0.0.1:PORT (ss), and another
# loopback address of this machine, which a socket on 0.0.0.0 would answer,
# is refused. (Non-loopback addresses are not contacted from the tests.)
listening=$(ss -Htln "sport = :$REVIEW_PORT" | awk '{print $4}')
check "the socket listens on 127.0.0.1:$REVIEW_PORT only (ss: $listening)" test "$listening" = "$host"
rc=0
curl -s -o /dev/null --max-time 5 "http://127.0.0.2:$REVIEW_PORT/" || rc=$?
check "127.0.0.2 is refused (curl exit 7: connection refused, got $rc)" test "$rc" = 7

# 50 saves at once, each a different decision: half clear a face with its
# own consent reference, half draw a manual box of their own.
savers=()
for i in $(seq 1 50); do
  if [ $((i % 2)) -eq 0 ]; then
    change="{\"op\":\"set\",\"media\":\"IMG_0001.jpg\",\"id\":\"f$i\",\"decision\":\"cleared\",\"consent\":\"C-$i\"}"
  else
    change="{\"op\":\"add\",\"media\":\"IMG_0001.jpg\",\"box\":[$((i * 10)),$((i % 7 * 50 + 5)),20,20]}"
  fi
  curl -s -o "$TEST_TMP/save-$i.json" -w '%{http_code}\n' -X POST -H 'Content-Type: application/json' \
    -H "Origin: http://$host" -d "{\"changes\":[$change]}" "$REVIEW_URL/api/changes" >"$TEST_TMP/code-$i" &
  savers+=($!)
done
wait "${savers[@]}" # not the server, which is a child too
check "all 50 saves answered 200" test "$(cat "$TEST_TMP"/code-* | sort | uniq -c | awk '{$1=$1};1')" = "50 200"
faces="$shoot/faces.json"
check "25 faces cleared, each with its own consent" \
  test "$(jq '[.media["IMG_0001.jpg"].faces[] | select(.cleared == true and .consent == "C-" + (.id[1:]))] | length' "$faces")" = 25
check "25 manual boxes, all different" \
  test "$(jq '[.media["IMG_0001.jpg"].faces[] | select(.source == "manual") | .box] | unique | length' "$faces")" = 25
check "manual ids m1..m25, none given twice" \
  test "$(jq -c '[.media["IMG_0001.jpg"].faces[] | select(.source == "manual") | .id] | sort_by(.[1:] | tonumber)' "$faces")" = \
  "$(jq -nc '[range(1; 26) | "m\(.)"]')"
check "no temporary file is left in the shoot folder" test "$(ls -A "$shoot" | grep -c '^\.' || true)" = 0

# Two servers on one shoot (two editors' terminals): the flock on the shoot
# folder orders their saves too. 20 more manual boxes, 10 through each.
"$IGPREP" review "$shoot" --out "$out" >"$TEST_TMP/second.log" 2>&1 &
second=$!
for _ in $(seq 1 100); do
  url2=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$TEST_TMP/second.log" || true)
  [ -n "$url2" ] && break
  sleep 0.1
done
savers=()
for i in $(seq 1 20); do
  target=$REVIEW_URL
  [ $((i % 2)) -eq 0 ] && target=$url2
  curl -s -o /dev/null -w '%{http_code}\n' -X POST -H 'Content-Type: application/json' \
    -d "{\"changes\":[{\"op\":\"add\",\"media\":\"IMG_0001.jpg\",\"box\":[$((i * 25)),400,20,20]}]}" \
    "$target/api/changes" >"$TEST_TMP/code2-$i" &
  savers+=($!)
done
wait "${savers[@]}"
kill -TERM "$second"
wait "$second" || fail "the second server exited $?"
check "all 20 saves through two servers answered 200" \
  test "$(cat "$TEST_TMP"/code2-* | sort | uniq -c | awk '{$1=$1};1')" = "20 200"
check "45 manual boxes now, none lost" \
  test "$(jq '[.media["IMG_0001.jpg"].faces[] | select(.source == "manual")] | length' "$faces")" = 45
check "... and the 25 clearances are still there" \
  test "$(jq '[.media["IMG_0001.jpg"].faces[] | select(.cleared == true)] | length' "$faces")" = 25
review_stop
check "igprep reads the saved file (detect merges it)" "$IGPREP" detect "$shoot" --out "$out" --quiet
check "OUT/faces.json keeps all 25 clearances" \
  test "$(jq '[.media["IMG_0001.jpg"].faces[] | select(.cleared == true)] | length' "$out/faces.json")" = 25
done_testing
