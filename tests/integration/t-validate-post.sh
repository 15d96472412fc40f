# What a post says is checked before anything is made (issue 15): a
# schedule that is not ISO 8601, too many hashtags or mentions, a
# collaborator that is not a username, alt texts that do not match the
# images each stop the run with their own one line at shoot.json:line:column;
# a schedule without an offset is read in the account's zone and shown with
# its offset in the proof and in post.json.
. "$(dirname "$0")/lib.sh"

shoot="$TEST_TMP/shoot"
out="$TEST_TMP/out"
json="$shoot/shoot.json"
mkdir -p "$shoot"
vips black "$TEST_TMP/b.v" 64 64 --bands 3 >/dev/null
vips linear "$TEST_TMP/b.v" "$shoot/a.jpg" "1 1 1" "90 140 200" --uchar >/dev/null
vips flip "$shoot/a.jpg" "$shoot/b.jpg" horizontal

# shoot KEYS: a shoot.json whose one post (line 2) carries KEYS, e.g.
# '"schedule": "来週金曜"'.
one_photo='{"file": "a.jpg"}'
shoot_with() {
  cat >"$json" <<JSON
{"version": 1, "shoot": "checks", "posts": [
  {"id": "p", "type": "${TYPE:-feed}", "media": [${MEDIA:-$one_photo}], $1}
]}
JSON
}

# refused WHAT KEYS LINE: the run exits 1 before any stage, with exactly the
# one line LINE on stderr.
refused() {
  local what=$1 line=$3 status=0
  shoot_with "$2"
  rm -rf "$out"
  "$IGPREP" run "$shoot" --out "$out" --quiet 2>"$TEST_TMP/err" || status=$?
  check "$what: exit 1 (got $status)" test "$status" -eq 1
  if [ "$(cat "$TEST_TMP/err")" = "igprep: error: $json:$line" ]; then pass; else
    fail "$what: expected the one line: igprep: error: $json:$line"
    sed 's/^/    got: /' "$TEST_TMP/err" >&2
  fi
  check "$what: nothing made (no OUT)" test ! -e "$out"
}

refused "schedule with '/'" '"schedule": "2026/12/12 19:00"' \
  "2:73: post 'p': schedule '2026/12/12 19:00' writes the date with '/': ISO 8601 is YYYY-MM-DDThh:mm:ss+hh:mm, here 2026-12-12T19:00:00+09:00"
refused "schedule in words" '"schedule": "来週金曜"' \
  "2:73: post 'p': schedule '来週金曜' is not a date and time: write the day and the hour themselves, as YYYY-MM-DDThh:mm:ss+hh:mm, e.g. 2026-12-12T19:00:00+09:00"
refused "schedule with a space for 'T'" '"schedule": "2026-12-12 19:00+09:00"' \
  "2:73: post 'p': schedule '2026-12-12 19:00+09:00' separates the date and the time with a space: ISO 8601 puts a 'T' between them, here 2026-12-12T19:00:00+09:00"
refused "schedule on no such day" '"schedule": "2026-02-30T19:00:00+09:00"' \
  "2:73: post 'p': schedule '2026-02-30T19:00:00+09:00' is no such date and time (YYYY-MM-DDThh:mm:ss+hh:mm)"

tags=$(for i in $(seq 31); do printf '#tag%d ' "$i"; done)
refused "31 hashtags" "\"caption\": \"$tags\"" "2:72: post 'p': caption has 31 hashtags, Instagram allows 30"
mentions=$(for i in $(seq 21); do printf '@user%d ' "$i"; done)
refused "21 mentions" "\"caption\": \"$mentions\"" "2:72: post 'p': caption has 21 @mentions, Instagram allows 20"
refused "2,201 characters" "\"caption\": \"$(printf 'あ%.0s' $(seq 2201))\"" \
  "2:72: post 'p': caption has 2201 characters, Instagram allows 2200"

refused "collaborator with '@'" '"collaborators": ["@sendai_city"]' \
  "2:79: post 'p': collaborator '@sendai_city' is written with '@': Instagram takes the username alone: write \"sendai_city\""
refused "collaborator with '..'" '"collaborators": ["sendai..city"]' \
  "2:79: post 'p': collaborator 'sendai..city' is not an Instagram username: it may not hold '..'"
refused "collaborator with a space" '"collaborators": ["ok", "仙台 市"]' \
  "2:85: post 'p': collaborator '仙台 市' is not an Instagram username: letters, digits, '.' and '_' only"
refused "4 collaborators" '"collaborators": ["a", "b", "c", "d"]' "2:78: post 'p': at most 3 collaborators, not 4"
refused "a collaborator twice" '"collaborators": ["nobisuku", "Nobisuku"]' \
  "2:91: post 'p': collaborator 'Nobisuku' is named twice"

MEDIA='{"file": "a.jpg"}, {"file": "b.jpg"}, {"file": "a.jpg"}, {"file": "b.jpg"}' TYPE=carousel \
  refused "3 alt texts for 4 slides" '"alt": ["一", "二", "三"]' \
  "2:129: post 'p': 3 alt texts for 4 images: give one for each image, in order"
refused "an empty alt text" '"alt": [" "]' "2:69: post 'p': alt text 1 (of image a.jpg) is empty"
TYPE=story refused "alt text on a story" '"alt": ["夜"]' \
  "2:69: post 'p': a story takes no alt text (Instagram reads it for feed and carousel images only): remove 'alt'"

# ---- a local time takes the account's zone, shown with its offset ----
name="山田 花子"
printf '{"approvers": [{"name": "%s", "role": "city"}]}\n' "$name" >"$shoot/igprep.json"
shoot_with '"schedule": "2026-12-12T19:00", "alt": ["青い四角。"], "caption": "テスト @sendai_city #のびすく", "collaborators": ["sendai_city"]'
"$IGPREP" run "$shoot" --out "$out" --quiet 2>/dev/null
"$IGPREP" proof "$out" --quiet
cp "$shoot/igprep.json" "$out/" # for the approvers, wherever approve reads them
"$IGPREP" approve "$out" p --by "$name" --quiet 2>/dev/null
"$IGPREP" publish "$out" --outbox "$TEST_TMP/box" --quiet 2>/dev/null
# (The proof writes times for people, in the account's zone: issue 17.)
check "the proof shows the schedule in the account's zone" \
  grep -q "Schedule: Sat 12 Dec 2026 19:00" <(pdftotext "$out/reports/proof.pdf" -)
check "post.json has the schedule with the zone's offset ($(jq -r .schedule "$TEST_TMP/box/checks-p/post.json"))" \
  test "$(jq -r .schedule "$TEST_TMP/box/checks-p/post.json")" = 2026-12-12T19:00:00+09:00

# The zone is the account's: igprep.json may name another.
printf '{"timezone": "Europe/Paris"}\n' >"$shoot/igprep.json"
"$IGPREP" run "$shoot" --out "$TEST_TMP/paris" --quiet 2>/dev/null
check "in Europe/Paris the same time is +01:00" \
  test "$(jq -r '.posts.p.post.schedule' "$TEST_TMP/paris/state/encode.json")" = 2026-12-12T19:00:00+01:00
# A schedule with an offset keeps it.
shoot_with '"schedule": "2026-12-12T10:00:00Z"'
"$IGPREP" run "$shoot" --out "$TEST_TMP/paris" --quiet 2>/dev/null
check "an offset given is kept" \
  test "$(jq -r '.posts.p.post.schedule' "$TEST_TMP/paris/state/encode.json")" = 2026-12-12T10:00:00+00:00
done_testing
