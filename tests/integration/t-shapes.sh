# Every output shape lands on its exact size, and the focus point decides
# which part of the picture is kept.
. "$(dirname "$0")/lib.sh"

shoot="$TEST_TMP/shoot"
out="$TEST_TMP/out"
mkdir -p "$shoot"
# A 3000x1000 picture: red, green and blue thirds, left to right.
vips black "$TEST_TMP/b.v" 1000 1000 --bands 3 >/dev/null
for c in "255 0 0:red" "0 255 0:green" "0 0 255:blue"; do
  vips linear "$TEST_TMP/b.v" "$TEST_TMP/${c#*:}.v" "1 1 1" "${c%:*}" --uchar >/dev/null
done
vips arrayjoin "$TEST_TMP/red.v $TEST_TMP/green.v $TEST_TMP/blue.v" "$shoot/THIRDS.JPG[Q=95]" >/dev/null
cp "$SAMPLE/IMG_0012.HEIC" "$shoot/"
cat > "$shoot/shoot.json" <<'JSON'
{ "version": 1, "shoot": "shapes", "posts": [
  {"id": "portrait", "type": "feed", "media": [{"file": "IMG_0012.HEIC"}]},
  {"id": "square", "type": "feed", "aspect": "1:1", "media": [{"file": "IMG_0012.HEIC"}]},
  {"id": "landscape", "type": "feed", "aspect": "1.91:1", "media": [{"file": "IMG_0012.HEIC"}]},
  {"id": "story", "type": "story", "media": [{"file": "IMG_0012.HEIC"}]},
  {"id": "left", "type": "feed", "aspect": "1:1", "media": [{"file": "THIRDS.JPG", "focus": [0, 0.5]}]},
  {"id": "middle", "type": "feed", "aspect": "1:1", "media": [{"file": "THIRDS.JPG"}]},
  {"id": "right", "type": "feed", "aspect": "1:1", "media": [{"file": "THIRDS.JPG", "focus": [0.95, 0.5]}]}
] }
JSON
check "run succeeds" "$IGPREP" run "$shoot" --out "$out" --quiet

size() { echo "$(vipsheader -f width "$1")x$(vipsheader -f height "$1")"; }
check "4:5 is 1080x1350" test "$(size "$out/posts/portrait/portrait.jpg")" = 1080x1350
check "1:1 is 1080x1080" test "$(size "$out/posts/square/square.jpg")" = 1080x1080
check "1.91:1 is 1080x566" test "$(size "$out/posts/landscape/landscape.jpg")" = 1080x566
check "story is 1080x1920" test "$(size "$out/posts/story/story.jpg")" = 1080x1920
check "story verified as a 9:16 story image" \
  test "$(jq -r '.files[] | select(.file=="posts/story/story.jpg") | .kind' "$out/reports/verify.json")" = story-image

# Mean of one colour band (0 red, 1 green, 2 blue) of an output.
band_mean() { vips extract_band "$1" "$TEST_TMP/band.v" "$2" >/dev/null && vips avg "$TEST_TMP/band.v"; }
dominant() {
  local r g b
  r=$(band_mean "$1" 0); g=$(band_mean "$1" 1); b=$(band_mean "$1" 2)
  awk -v r="$r" -v g="$g" -v b="$b" 'BEGIN{ if (r > 200 && g < 40 && b < 40) print "red";
    else if (g > 200 && r < 40 && b < 40) print "green"; else if (b > 200 && r < 40 && g < 40) print "blue";
    else print "mixed" }'
}
check "focus [0, 0.5] keeps the left third" test "$(dominant "$out/posts/left/left.jpg")" = red
check "default focus keeps the middle third" test "$(dominant "$out/posts/middle/middle.jpg")" = green
check "focus [0.95, 0.5] keeps the right third" test "$(dominant "$out/posts/right/right.jpg")" = blue
done_testing
