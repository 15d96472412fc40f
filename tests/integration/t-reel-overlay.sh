# Reel overlays and covers through the template tool, checked on the written
# images with libvips and exiftool: subtitles (source time, Japanese SRT with
# a BOM and CRLF) only while a cue is active, inside the safe zone, white
# glyphs ringed by a dark outline; the title card only in the first 2.5 s,
# the end card only in the last 2.5 s; the picture's serial stable between
# changes; a bad SRT named with its line; the cover 1080x1920, <= 8 MB, no
# metadata, and its next-day story.
. "$(dirname "$0")/lib.sh"

printf 'leak:libfontconfig.so\n' >"$TEST_TMP/lsan.supp"
export LSAN_OPTIONS="suppressions=$TEST_TMP/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

shoot="$TEST_TMP/shoot"
mkdir -p "$shoot"
echo "not a video: the overlays never read it" >"$shoot/CLIP.MOV"
printf '\xef\xbb\xbf1\r\n00:00:01,000 --> 00:00:03,000\r\nこんにちは。のびすく仙台です\r\n\r\n2\r\n00:00:05,000 --> 00:00:08,500\r\n二つ目の字幕は\r\n改行されています\r\n\r\n3\r\n00:00:20,000 --> 00:00:22,000\r\n今日は、のびすく仙台で開かれたハロウィンパーティーの様子をご紹介します\r\n' \
  >"$shoot/clip.srt"
printf '1\n00:00:01,000 --> 00:00:03,000\na\n\n2\n00:00:02,500 --> 00:00:04,000\nb\n' >"$shoot/bad.srt"
cat >"$shoot/shoot.json" <<'JSON'
{ "version": 1, "shoot": "reel-test", "title": "のびすく ハロウィン 2026", "posts": [
  {"id": "reel-01", "type": "reel", "template": "reel-basic",
   "media": [{"file": "CLIP.MOV", "trim": [2.0, 27.0]}],
   "text": {"title": "秋のおはなし会", "account": "@sendai_kosodate"},
   "subtitles": "clip.srt", "cover": {"at": 3.0}, "schedule": "2026-11-28T19:00:00+09:00"},
  {"id": "reel-bad", "type": "reel", "media": [{"file": "CLIP.MOV"}], "subtitles": "bad.srt"},
  {"id": "reel-missing", "type": "reel", "media": [{"file": "CLIP.MOV"}], "subtitles": "nope.srt"}
] }
JSON

# Boxes of reel-basic (templates/reel-basic/template.json) and the reel safe zone.
SUB="120 1330 840 250"
TITLE="120 740 840 400"
END="120 640 840 560"

# alpha_max FILE X Y W H: the largest alpha in a box (0: nothing drawn there).
alpha_max() {
  local f=$1
  shift
  vips extract_area "$f" "$TEST_TMP/box.v" "$@" >/dev/null
  vips extract_band "$TEST_TMP/box.v" "$TEST_TMP/alpha.v" 3 >/dev/null
  vips max "$TEST_TMP/alpha.v" | awk '{ printf "%d\n", $1 }'
}

# outline FILE: in the subtitle box, white opaque glyph pixels exist, dark
# opaque outline pixels exist, and no transparent pixel lies within 3 px of
# a white one. Prints "white dark bare" as fractions of the box.
outline() {
  local t="$TEST_TMP/ol"
  vips extract_area "$1" "$t-box.v" $SUB >/dev/null
  vips extract_band "$t-box.v" "$t-rgb.v" 0 --n 3 >/dev/null
  vips extract_band "$t-box.v" "$t-a.v" 3 >/dev/null
  vips relational_const "$t-a.v" "$t-opaque.v" equal 255 >/dev/null
  vips relational_const "$t-a.v" "$t-clear.v" equal 0 >/dev/null
  vips relational_const "$t-rgb.v" "$t-w3.v" more 240 >/dev/null
  vips bandbool "$t-w3.v" "$t-w1.v" and >/dev/null
  vips boolean "$t-w1.v" "$t-opaque.v" "$t-white.v" and >/dev/null
  vips relational_const "$t-rgb.v" "$t-d3.v" less 40 >/dev/null
  vips bandbool "$t-d3.v" "$t-d1.v" and >/dev/null
  vips boolean "$t-d1.v" "$t-opaque.v" "$t-dark.v" and >/dev/null
  printf '7 7\n255 255 255 255 255 255 255\n255 255 255 255 255 255 255\n255 255 255 255 255 255 255\n255 255 255 255 255 255 255\n255 255 255 255 255 255 255\n255 255 255 255 255 255 255\n255 255 255 255 255 255 255\n' >"$t-mask.mat"
  vips morph "$t-white.v" "$t-near.v" "$t-mask.mat" dilate >/dev/null
  vips boolean "$t-near.v" "$t-clear.v" "$t-bare.v" and >/dev/null
  echo "$(vips avg "$t-white.v") $(vips avg "$t-dark.v") $(vips avg "$t-bare.v")"
}

run() {
  rc=0
  "$@" 2>"$TEST_TMP/err" >"$TEST_TMP/stdout" || rc=$?
}

# ---- overlays at chosen times (post seconds; the source is 2 s later) ----
times="0,1.5,2.6,3,4,6.4,6.6,10,18.5,22.4,22.5,24.99"
run "$IGPREP" template preview reel-basic --shoot "$shoot" --post reel-01 --at "$times" \
  --transparent --out "$TEST_TMP/ov.png"
check "preview --at succeeds" test "$rc" -eq 0
[ "$rc" -eq 0 ] || cat "$TEST_TMP/err" >&2
cp "$TEST_TMP/stdout" "$TEST_TMP/at.jsonl"
f() { echo "$TEST_TMP/ov-$1.png"; }
serial() { jq -r --arg t "$1" 'select(.t != null and (.t | tostring) == $t) | .serial' "$TEST_TMP/at.jsonl"; }

for t in 0 1.5 2.6 3 4 6.4 6.6 10 18.5 22.4 22.5 24.99; do
  check "overlay at $t s is 1080x1920 with alpha" \
    test "$(vipsheader -f width "$(f $t)")x$(vipsheader -f height "$(f $t)")x$(vipsheader -f bands "$(f $t)")" = 1080x1920x4
done
# Subtitles: only while a cue is active at source time t + 2.
for t in 0 3 4 6.4 18.5; do
  check "a subtitle is drawn at $t s (cue active at $(echo "$t + 2" | bc) s of the source)" \
    test "$(alpha_max "$(f $t)" $SUB)" -gt 0
done
for t in 1.5 2.6 6.6 10 22.4; do
  check "no subtitle at $t s (no cue at $(echo "$t + 2" | bc) s of the source)" \
    test "$(alpha_max "$(f $t)" $SUB)" -eq 0
done
# Outline: white glyphs, a dark ring, no glyph pixel next to a transparent one.
for t in 0 3 18.5; do
  read -r white dark bare <<<"$(outline "$(f $t)")"
  check "subtitle at $t s: white glyphs ($white) ringed by a dark outline ($dark), none bare ($bare)" \
    awk -v w="$white" -v d="$dark" -v b="$bare" 'BEGIN { exit !(w > 0.5 && d > w / 2 && b == 0) }'
done
# Cards.
for t in 0 1.5; do
  check "title card at $t s" test "$(alpha_max "$(f $t)" $TITLE)" -eq 255
done
for t in 2.6 10 22.4; do
  check "no title or end card at $t s" test "$(alpha_max "$(f $t)" $END)" -eq 0
done
for t in 22.5 24.99; do
  check "end card at $t s" test "$(alpha_max "$(f $t)" $END)" -eq 255
done
# Everything drawn lies in the reel safe zone (x 60..1020, y 250..1670).
check "every bounding box lies in the safe zone" \
  test "$(jq -s '[.[] | select(.box != null) | .box | select(.[0] < 60 or .[1] < 250 or .[0] + .[2] > 1020 or .[1] + .[3] > 1670)] | length' "$TEST_TMP/at.jsonl")" -eq 0
# Serials: one picture for cue 2 (3 s to 6.4 s), a new one when it ends.
check "serial stable while cue 2 shows" test "$(serial 3)" = "$(serial 6.4)" -a "$(serial 3)" = "$(serial 4)"
check "serial changes when cue 2 ends" test "$(serial 6.4)" != "$(serial 6.6)"
check "serial changes when the title card ends" test "$(serial 1.5)" != "$(serial 2.6)"
# Every frame at 30 fps: one render per change.
run "$IGPREP" template preview reel-basic --shoot "$shoot" --post reel-01 --frames 30
check "--frames: 750 frames, 8 renders" \
  test "$(jq -r '"\(.frames) \(.renders)"' "$TEST_TMP/stdout")" = "750 8"

# ---- bad and missing subtitles ----
run "$IGPREP" template preview reel-basic --shoot "$shoot" --post reel-bad --at 1
check "overlapping cues fail" test "$rc" -ne 0
check "the error names bad.srt:6 and the overlap" grep -q "bad.srt:6: .*overlap" "$TEST_TMP/err"
run "$IGPREP" template preview reel-basic --shoot "$shoot" --post reel-missing --at 1
check "a missing SRT fails, naming it" grep -q "nope.srt" "$TEST_TMP/err"

# ---- cover and next-day story ----
vips black "$TEST_TMP/f.v" 1920 1080 --bands 3 >/dev/null
vips linear "$TEST_TMP/f.v" "$TEST_TMP/frame.jpg" "1 1 1" "90 120 150" --uchar >/dev/null
exiftool -q -overwrite_original -GPSLatitude=38.26 -GPSLatitudeRef=N -Make=Apple "$TEST_TMP/frame.jpg"
run "$IGPREP" template cover --shoot "$shoot" --post reel-01 --frame "$TEST_TMP/frame.jpg" \
  --face 1100,300,200,200 --out "$TEST_TMP/cover.jpg" --story "$TEST_TMP/story.png"
check "cover succeeds" test "$rc" -eq 0
[ "$rc" -eq 0 ] || cat "$TEST_TMP/err" >&2
check "cover is a 1080x1920 JPEG" \
  test "$(vipsheader -f width "$TEST_TMP/cover.jpg")x$(vipsheader -f height "$TEST_TMP/cover.jpg")" = 1080x1920
check "cover is at most 8 MB" test "$(stat -c %s "$TEST_TMP/cover.jpg")" -le 8000000
leaks=$(exiftool_leaks "$TEST_TMP/cover.jpg")
check "cover has no metadata (exiftool: '$leaks')" test -z "$leaks"
check "next-day story is 1080x1920" \
  test "$(vipsheader -f width "$TEST_TMP/story.png")x$(vipsheader -f height "$TEST_TMP/story.png")" = 1080x1920
check "no temporary files left" test -z "$(find "$TEST_TMP" -maxdepth 1 -name '.*tmp*')"

[ -n "${IGP_DEBUG:-}" ] && { cat "$TEST_TMP/at.jsonl"; for t in 0 3 18.5; do outline "$(f $t)"; done; }
done_testing
