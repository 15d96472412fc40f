# Emoji in template text (issue 15): a title with an emoji is drawn, the
# emoji from the bundled colour emoji font, in colour: like its reference
# image, and its pixels are coloured, not a missing-glyph box in the text's
# own dark colour. A text's shadow follows the emoji's shape, in the shadow's
# colour, instead of a second coloured emoji.
. "$(dirname "$0")/lib.sh"

printf 'leak:libfontconfig.so\n' >"$TEST_TMP/lsan.supp" # as t-template.sh
export LSAN_OPTIONS="suppressions=$TEST_TMP/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

REF="$IGP_SRC/tests/reference/templates/feed-report-emoji.png"
# The tolerances of t-template.sh's reference images (calibrated in
# docs/templates.md): mean absolute difference and worst 8x8 block.
MEAN_TOLERANCE=0.6
BLOCK_TOLERANCE=8 # block_max_diff and mean_abs_diff: lib.sh

# saturated_share FILE LEFT TOP WIDTH HEIGHT: the share (0..1) of pixels in
# the area whose channels differ by more than 100 (orange, green: colour;
# the title's dark brown #3a2a1a and the white card differ by 32 at most).
saturated_share() {
  vips extract_area "$1" "$TEST_TMP/area.v" "$2" "$3" "$4" "$5" >/dev/null
  vips stats "$TEST_TMP/area.v" "$TEST_TMP/unused.v" >/dev/null # (fail early on a bad area)
  python3 - "$TEST_TMP/area.v" <<'PY'
import subprocess, sys
raw = subprocess.run(["vips", "rawsave", sys.argv[1], "/dev/stdout"], capture_output=True, check=True).stdout
px = [raw[i:i + 3] for i in range(0, len(raw) - 2, 3)]
print("%.4f" % (sum(1 for p in px if max(p) - min(p) > 100) / len(px)))
PY
}

shoot="$TEST_TMP/shoot"
mkdir -p "$shoot"
vips black "$TEST_TMP/g.v" 1600 1000 --bands 3 >/dev/null
vips linear "$TEST_TMP/g.v" "$shoot/grey.jpg" "1 1 1" "128 128 128" --uchar >/dev/null
cat >"$shoot/shoot.json" <<'JSON'
{ "version": 1, "shoot": "emoji", "posts": [
  {"id": "pumpkin", "type": "feed", "template": "feed-report", "media": [{"file": "grey.jpg"}],
   "story_followup": false, "text": {"title": "ハロウィン🎃"}},
  {"id": "plain", "type": "feed", "template": "feed-report", "media": [{"file": "grey.jpg"}],
   "story_followup": false, "text": {"title": "ハロウィン"}}
] }
JSON
cd "$TEST_TMP"
status=0
"$IGPREP" template preview feed-report --shoot "$shoot" --post pumpkin --out "$TEST_TMP/emoji.png" \
  2>"$TEST_TMP/err" >/dev/null || status=$?
cat "$TEST_TMP/err" >&2
check "a title with an emoji is drawn (exit $status)" test "$status" -eq 0
"$IGPREP" template preview feed-report --shoot "$shoot" --post plain --out "$TEST_TMP/plain.png" >/dev/null

# The reference, at 1/5 size like t-template.sh's.
vips resize "$TEST_TMP/emoji.png" "$TEST_TMP/emoji-small.png" 0.2 >/dev/null
if [ -n "${IGP_UPDATE_REFERENCES:-}" ]; then
  vips copy "$TEST_TMP/emoji-small.png" "$REF[compression=9]" >/dev/null
fi
d=$(mean_abs_diff "$TEST_TMP/emoji-small.png" "$REF")
b=$(block_max_diff "$TEST_TMP/emoji-small.png" "$REF")
check "it matches its reference image (mean $d <= $MEAN_TOLERANCE, block $b <= $BLOCK_TOLERANCE)" \
  awk -v d="$d" -v b="$b" -v t="$MEAN_TOLERANCE" -v u="$BLOCK_TOLERANCE" \
  'BEGIN { exit !(d <= t && b <= u) }'

# The pumpkin sits right of "ハロウィン" in the title box (feed-report: the
# title box at x 96..984, y 916..1116 of the 1080x1350 canvas; the 5 characters
# end before x 450). Its square is mostly orange; the same box of the title
# without the emoji has no colour at all.
emoji=$(saturated_share "$TEST_TMP/emoji.png" 452 972 90 90)
plain=$(saturated_share "$TEST_TMP/plain.png" 452 972 90 90)
check "the emoji is in colour ($emoji of its box saturated, > 0.4)" \
  awk -v s="$emoji" 'BEGIN { exit !(s > 0.4) }'
check "without it the same box has no colour ($plain)" awk -v s="$plain" 'BEGIN { exit !(s < 0.01) }'

# A shadow follows the emoji's shape in the shadow's colour. Drawn
# straight, the shadow of a colour glyph would be a second coloured emoji
# (cairo draws colour glyphs whatever the source): no blue at all here.
templates="$TEST_TMP/templates"
mkdir -p "$templates/shadowed"
cp -r "$IGP_SRC/templates/_shared" "$templates/"
cat >"$templates/shadowed/template.json" <<'JSON'
{ "version": 1, "canvas": "feed-4:5", "background": "#ffffff", "layers": [
  { "type": "text", "name": "title", "text": "{title}", "box": [100, 100, 880, 300],
    "font": "BIZ UDPGothic Bold", "size": [160, 200], "max_lines": 1, "color": "#000000",
    "shadow": { "color": "#0000ff", "offset": [16, 16] } } ] }
JSON
cat >"$shoot/shoot.json" <<'JSON'
{ "version": 1, "shoot": "emoji", "posts": [
  {"id": "shadow", "type": "feed", "template": "shadowed", "media": [{"file": "grey.jpg"}],
   "text": {"title": "🎃"}}
] }
JSON
status=0
IGPREP_TEMPLATES="$templates" "$IGPREP" template preview shadowed --shoot "$shoot" --post shadow \
  --out "$TEST_TMP/shadow.png" 2>"$TEST_TMP/err" >/dev/null || status=$?
cat "$TEST_TMP/err" >&2
check "an emoji with a shadow is drawn (exit $status)" test "$status" -eq 0
# pixels_like FILE R G B: how many pixels are within 40 of that colour in
# every channel.
pixels_like() {
  vips extract_band "$1" "$TEST_TMP/rgb.v" 0 --n 3 >/dev/null
  python3 - "$TEST_TMP/rgb.v" "$2" "$3" "$4" <<'PY'
import subprocess, sys
raw = subprocess.run(["vips", "rawsave", sys.argv[1], "/dev/stdout"], capture_output=True, check=True).stdout
want = [int(v) for v in sys.argv[2:5]]
print(sum(1 for i in range(0, len(raw) - 2, 3)
          if all(abs(raw[i + k] - want[k]) <= 40 for k in range(3))))
PY
}
blue=$(pixels_like "$TEST_TMP/shadow.png" 0 0 255)
orange=$(pixels_like "$TEST_TMP/shadow.png" 247 128 0)
check "the shadow is the emoji's shape in blue ($blue blue pixels > 1000)" test "$blue" -gt 1000
check "the emoji itself stays in colour ($orange orange pixels > 5000)" test "$orange" -gt 5000
done_testing
