# Crops obey the editor's decisions: a box marked "ignore": true (not a
# face) steers no crop, exactly as if it were not in faces.json at all; a
# hidden or cleared face keeps the crop around it whole.
. "$(dirname "$0")/lib.sh"

# A faceless 600x900 photo and a templated post whose 2:1 photo slot can
# only move up and down: centred, the slot shows rows 300-600; a face box at
# rows 200-280 pulls it up to keep the box whole.
make_shoot() { # DIR FACES-JSON (empty: no faces.json)
  mkdir -p "$1"
  vips gaussnoise "$TEST_TMP/noise.v" 600 900 --sigma 30 --mean 128 --seed 3
  vips cast "$TEST_TMP/noise.v" "$1/IMG_0001.jpg" uchar
  cat >"$1/shoot.json" <<'JSON'
{ "version": 1, "shoot": "decisions", "posts": [
  {"id": "info", "type": "feed", "template": "feed-info", "media": [{"file": "IMG_0001.jpg"}],
   "text": {"title": "テスト", "point1": "ひとつめ"}} ] }
JSON
  [ -z "$2" ] || printf '%s\n' "$2" >"$1/faces.json"
}
box='{"id": "m1", "box": [250, 200, 80, 80], "source": "manual"'
faces() { printf '{"version": 1, "media": {"IMG_0001.jpg": {"faces": [%s]}}}' "$1"; }
# The part of the master the template drew in the photo slot, and in the
# next-day story, from compose's record.
crops() { jq -c '[.posts.info.placements[0][0].crop, .posts.info.story.placements[0].crop]' "$1/state/compose.json"; }

make_shoot "$TEST_TMP/none" ""
make_shoot "$TEST_TMP/hidden" "$(faces "$box}")"
make_shoot "$TEST_TMP/cleared" "$(faces "$box, \"cleared\": true}")"
make_shoot "$TEST_TMP/ignored" "$(faces "$box, \"ignore\": true}")"
for k in none hidden cleared ignored; do
  check "run ($k) succeeds" "$IGPREP" run "$TEST_TMP/$k" --out "$TEST_TMP/out-$k" --quiet
done
check "without faces the slot is centred on the photo" \
  test "$(jq -c '.posts.info.placements[0][0].crop' "$TEST_TMP/out-none/state/compose.json")" = "[0,300,600,300]"
check "a hidden face keeps the crop around it (the crop moves)" \
  test "$(jq -c '.posts.info.placements[0][0].crop' "$TEST_TMP/out-hidden/state/compose.json")" = "[0,200,600,300]"
check "a cleared face steers the crop as a hidden one" test "$(crops "$TEST_TMP/out-cleared")" = "$(crops "$TEST_TMP/out-hidden")"
check "an ignored box steers nothing: the crops are those without the box" \
  test "$(crops "$TEST_TMP/out-ignored")" = "$(crops "$TEST_TMP/out-none")"
check "... and the ignored box is not hidden" \
  test "$(jq -r '.media["IMG_0001.jpg"].faces[0].decision' "$TEST_TMP/out-ignored/reports/redaction.json")" = ignored

# The editor's loop on one OUT: the box was hidden, then marked ignore: the
# rerun redraws the post with the crop of a shoot without the box.
make_shoot "$TEST_TMP/loop" "$(faces "$box}")"
"$IGPREP" run "$TEST_TMP/loop" --out "$TEST_TMP/out-loop" --quiet
faces "$box, \"ignore\": true}" >"$TEST_TMP/loop/faces.json"
check "rerun after marking the box ignore succeeds" "$IGPREP" run "$TEST_TMP/loop" --out "$TEST_TMP/out-loop" --quiet
check "... and the post is recomposed without the box steering it" \
  test "$(crops "$TEST_TMP/out-loop")" = "$(crops "$TEST_TMP/out-none")"
check "... the slide is the one made without the box" \
  cmp -s "$TEST_TMP/out-loop/posts/info/info.jpg" "$TEST_TMP/out-none/posts/info/info.jpg"

done_testing
