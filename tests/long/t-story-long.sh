# A story video longer than 60 s (65 s, from tests/fixtures/video/make-clips.sh)
# comes out in parts of at most 60 s (and at least 3), each meeting every
# target of instagram-specs §10 (reel-lib.sh's ffprobe checks), together the
# whole clip. Long: about 2,000 frames through x264 at 1080x1920, so it runs
# in `make test-long`, not `make test`.
. "$(dirname "$0")/../integration/lib.sh"

shoot="$TEST_TMP/shoot"
out="$TEST_TMP/out"
mkdir -p "$shoot"
bash "$IGP_SRC/tests/fixtures/video/make-clips.sh" "$shoot" long.mp4
jq -n '{version: 1, shoot: "long", posts: [{id: "story-long", type: "story", fps: 25,
        text: {title: "テスト story-long"}, media: [{file: "long.mp4"}]}]}' >"$shoot/shoot.json"
check "igprep run makes the long story" "$IGPREP" run "$shoot" --out "$out" --quiet

. "$(dirname "$0")/../integration/reel-lib.sh"

parts=("$out"/posts/story-long/story-long-[0-9][0-9].mp4)
check "the 65 s story is in ${#parts[@]} parts (>= 2), not one file" \
  bash -c "[ ${#parts[@]} -ge 2 ] && [ ! -e '$out/posts/story-long/story-long.mp4' ]"
total=0
for part in "${parts[@]}"; do
  [ -f "$part" ] || continue
  d=$(probe -show_entries format=duration -of csv=p=0 "$part")
  check "${part#"$out/"}: 3..60 s ($d)" awk "BEGIN { exit !($d >= 3 && $d <= 60.05) }"
  check_output "$part" story 25 "$(probe -select_streams v:0 -show_entries stream=duration -of csv=p=0 "$part")"
  total=$(awk -v a="$total" -v b="$(probe -select_streams v:0 -show_entries stream=duration -of csv=p=0 "$part")" 'BEGIN { print a + b }')
done
check "the parts together show the whole 65 s ($total s)" approx "$total" 65 0.1
check "igprep's own verify passed every file" test "$(jq .ok "$out/reports/verify.json")" = true
done_testing
