# Templates: the shipped ones check, list and render like their reference
# images; broken ones are reported as FILE:LINE:COLUMN; text that does not
# fit or that the bundled fonts cannot draw fails loudly; crops keep marked
# faces whole; `igprep run` draws templated posts and their next-day stories.
. "$(dirname "$0")/lib.sh"

# Under make test-sanitize: fontconfig leaks a few bytes parsing its own
# configuration (Debian 12, fontconfig 2.14). Not igprep's memory.
printf 'leak:libfontconfig.so\n' >"$TEST_TMP/lsan.supp"
export LSAN_OPTIONS="suppressions=$TEST_TMP/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

SHIPPED="carousel-cover carousel-page feed-info feed-report highlight-cover reel-basic reel-cover story-announce story-basic story-basic-video"
REFS="$IGP_SRC/tests/reference/templates"
# Reference images are the previews at 1/5 size (216 px wide). Two
# tolerances, calibrated in docs/templates.md ("Reference images"): the mean
# absolute difference over the image (0..255) catches global changes, the
# worst 8x8 block of the difference (40x40 canvas pixels) catches local ones
# that a mean dilutes. Measured: re-render 0 / 0; JPEG q90 noise everywhere
# at most 0.47 / 1; logo moved 4 px 0.15 / 17; one character added to a
# title 0.09 / 42; text box moved 4 px 0.18 / 36; title 4 px smaller
# 0.58 / 68.
MEAN_TOLERANCE=0.6
BLOCK_TOLERANCE=8

run() {
  rc=0
  "$@" 2>"$TEST_TMP/err" >"$TEST_TMP/stdout" || rc=$?
}

# ---- list and check ----
run "$IGPREP" template list
check "template list succeeds" test "$rc" -eq 0
for t in $SHIPPED; do
  check "template list shows $t" grep -q "^$t " "$TEST_TMP/stdout"
  description=$(jq -r .description "$IGP_SRC/templates/$t/template.json")
  check "... with its description" grep -qF "$description" "$TEST_TMP/stdout"
done
for sub in list check preview cover; do
  run "$IGPREP" template "$sub" --help
  check "template $sub --help: usage, exit 0 (got $rc)" \
    bash -c "[ $rc -eq 0 ] && grep -q '^usage: igprep template' '$TEST_TMP/stdout'"
done
run "$IGPREP" template check
check "every shipped template checks" test "$rc" -eq 0
check "check says ok for all ten" test "$(grep -c '^ok ' "$TEST_TMP/stdout")" -eq 10

# ---- reference images ----
cd "$TEST_TMP"
for t in $SHIPPED; do
  run "$IGPREP" template preview "$t" --out "$TEST_TMP/$t.png"
  check "preview $t succeeds" test "$rc" -eq 0
  check "preview $t writes the sheet" test -s "$TEST_TMP/$t-sheet.png"
  vips resize "$TEST_TMP/$t.png" "$TEST_TMP/$t-small.png" 0.2 >/dev/null
  if [ -n "${IGP_UPDATE_REFERENCES:-}" ]; then
    vips copy "$TEST_TMP/$t-small.png" "$REFS/$t.png[compression=9]" >/dev/null
  fi
  d=$(mean_abs_diff "$TEST_TMP/$t-small.png" "$REFS/$t.png")
  b=$(block_max_diff "$TEST_TMP/$t-small.png" "$REFS/$t.png")
  check "$t matches its reference image (mean $d <= $MEAN_TOLERANCE, block $b <= $BLOCK_TOLERANCE)" \
    awk -v d="$d" -v b="$b" -v t="$MEAN_TOLERANCE" -v u="$BLOCK_TOLERANCE" \
    'BEGIN { exit !(d <= t && b <= u) }'
done
# The comparison notices a logo moved by 4 px.
cp -r "$IGP_SRC/templates" "$TEST_TMP/moved"
sed -i 's/"box": \[830, 1160, 160, 100\]/"box": [834, 1160, 160, 100]/' "$TEST_TMP/moved/feed-report/template.json"
run env IGPREP_TEMPLATES="$TEST_TMP/moved" "$IGPREP" template preview feed-report --out "$TEST_TMP/moved.png"
vips resize "$TEST_TMP/moved.png" "$TEST_TMP/moved-small.png" 0.2 >/dev/null
b=$(block_max_diff "$TEST_TMP/moved-small.png" "$REFS/feed-report.png")
check "a logo moved by 4 px is caught (block $b > $BLOCK_TOLERANCE)" \
  awk -v b="$b" -v u="$BLOCK_TOLERANCE" 'BEGIN { exit !(b > u) }'
run "$IGPREP" template preview feed-report --guides --out "$TEST_TMP/guides.png"
d=$(mean_abs_diff "$TEST_TMP/guides.png" "$TEST_TMP/feed-report.png")
check "--guides draws over the preview" awk -v d="$d" 'BEGIN { exit !(d > 0.2) }'

# ---- broken templates: FILE:LINE:COLUMN ----
broken="$TEST_TMP/templates"
mkdir -p "$broken"
cp -r "$IGP_SRC/templates/_shared" "$broken/"
# broken NAME LAYER-LINE: a feed template whose layer (line 5) is LAYER-LINE.
broken() {
  mkdir -p "$broken/$1"
  printf '{\n  "version": 1,\n  "canvas": "feed-4:5",\n  "layers": [\n    %s\n  ]\n}\n' "$2" \
    >"$broken/$1/template.json"
}
# expect NAME LINE MESSAGE: check fails, naming file, line, a column and why.
expect() {
  run env IGPREP_TEMPLATES="$broken" "$IGPREP" template check "$1"
  check "$1: check fails" test "$rc" -eq 1
  check "$1: error names $1/template.json:$2:COLUMN and '$3'" \
    grep -Eq "$1/template.json:$2:[0-9]+: template '$1': .*$3" "$TEST_TMP/err"
  grep -q "$1/template.json:$2:" "$TEST_TMP/err" || cat "$TEST_TMP/err" >&2
}
mkdir -p "$broken/syntax"
printf '{\n  "version": 1,\n  "canvas": "feed-4:5"\n  "layers": []\n}\n' >"$broken/syntax/template.json"
run env IGPREP_TEMPLATES="$broken" "$IGPREP" template check syntax
check "JSON syntax: fails at line 4" grep -Eq 'syntax/template.json:4:[0-9]+: ' "$TEST_TMP/err"
broken unknown-type '{ "type": "video", "box": [0, 0, 100, 100] }'
expect unknown-type 5 "'type' must be one of media, shape, text, logo, sticker, subtitle, not 'video'"
broken missing-font '{ "type": "text", "text": "x", "box": [60, 60, 600, 100], "font": "Comic Sans", "size": [20, 40] }'
expect missing-font 5 "font 'Comic Sans' is not bundled"
broken missing-file '{ "type": "logo", "file": "city-logo.svg", "box": [60, 60, 200, 100] }'
expect missing-file 5 "artwork file 'city-logo.svg' is missing"
broken outside '{ "type": "shape", "box": [900, 1200, 400, 300] }'
expect outside 5 "is outside the 1080x1350 canvas"
# (An emoji is drawn from the bundled emoji font, t-template-emoji.sh; a
# hieroglyph is in no bundled font.)
broken glyph '{ "type": "text", "text": "𓀀 {title}", "box": [60, 60, 600, 100], "font": "BIZ UDPGothic", "size": [20, 40] }'
expect glyph 5 "no glyph for '𓀀' \\(U\\+13000\\)"
mkdir -p "$broken/unsafe"
printf '{\n  "version": 1,\n  "canvas": "story",\n  "layers": [\n    %s\n  ]\n}\n' \
  '{ "type": "text", "text": "{title}", "box": [60, 100, 900, 100], "font": "BIZ UDPGothic", "size": [20, 40] }' \
  >"$broken/unsafe/template.json"
expect unsafe 5 "leaves the story safe zone \\(y 250 to 1670\\)"
# Reel templates: "when" and subtitle layers are for them only; subtitles take no text.
broken when-feed '{ "type": "shape", "when": "title", "box": [0, 0, 100, 100] }'
expect when-feed 5 "'when' is for reel templates only"
broken subtitle-feed '{ "type": "subtitle", "box": [60, 60, 600, 100], "font": "BIZ UDPGothic", "size": [20, 40] }'
expect subtitle-feed 5 "subtitle layers are for reel templates only"
reel() {
  mkdir -p "$broken/$1"
  printf '{\n  "version": 1,\n  "canvas": "reel",\n  "layers": [\n    %s\n  ]\n}\n' "$2" \
    >"$broken/$1/template.json"
}
reel subtitle-text '{ "type": "subtitle", "text": "x", "box": [120, 1330, 840, 250], "font": "BIZ UDPGothic", "size": [20, 40] }'
expect subtitle-text 5 "a subtitle layer takes its words from the post's \"subtitles\" file, not 'text'"
reel bad-when '{ "type": "shape", "when": "middle", "box": [0, 0, 100, 100] }'
expect bad-when 5 "'when' must be one of always, title, end, not 'middle'"
reel reel-media '{ "type": "media", "box": [0, 0, 1080, 1920] }'
expect reel-media 5 "a reel template has no media layer"
reel reel-unsafe '{ "type": "subtitle", "box": [120, 1500, 840, 250], "font": "BIZ UDPGothic", "size": [20, 40] }'
expect reel-unsafe 5 "leaves the reel safe zone \\(y 250 to 1670\\)"

# ---- a shoot through compose: faces near the edge, text that does not fit ----
shoot="$TEST_TMP/shoot"
out="$TEST_TMP/out"
mkdir -p "$shoot"
# A grey 2000x1000 picture with a red "face" at its left edge, marked and
# cleared in faces.json so redaction leaves it visible.
vips black "$TEST_TMP/g.v" 2000 1000 --bands 3 >/dev/null
vips linear "$TEST_TMP/g.v" "$TEST_TMP/grey.v" "1 1 1" "128 128 128" --uchar >/dev/null
vips black "$TEST_TMP/r.v" 200 200 --bands 3 >/dev/null
vips linear "$TEST_TMP/r.v" "$TEST_TMP/red.v" "1 1 1" "230 20 20" --uchar >/dev/null
vips insert "$TEST_TMP/grey.v" "$TEST_TMP/red.v" "$shoot/EDGE.JPG[Q=95]" 10 400 >/dev/null
cat >"$shoot/faces.json" <<'JSON'
{ "version": 1, "media": { "EDGE.JPG": { "faces": [
  {"id": "f1", "box": [10, 400, 200, 200], "source": "manual", "cleared": true, "consent": "C-001"} ] } } }
JSON
cat >"$shoot/shoot.json" <<'JSON'
{ "version": 1, "shoot": "templates", "title": "テスト", "posts": [
  {"id": "edge", "type": "feed", "template": "feed-report", "media": [{"file": "EDGE.JPG"}],
   "text": {"title": "はしっこ"}, "schedule": "2026-11-28T19:00:00+09:00"},
  {"id": "long", "type": "feed", "template": "feed-report", "media": [{"file": "EDGE.JPG"}],
   "story_followup": false,
   "text": {"title": "のびすく仙台 秋のおはなし会と親子で楽しむハロウィン工作教室のびすく仙台 秋のおはなし会と親子で楽しむハロウィン工作教室"}},
  {"id": "glyph", "type": "feed", "template": "feed-report", "media": [{"file": "EDGE.JPG"}],
   "text": {"title": "ハロウィン𓀀"}}
] }
JSON
run "$IGPREP" run "$shoot" --out "$out" --quiet
check "a failing post makes the run exit 1" test "$rc" -eq 1
check "too long: the error names template, box and text" \
  grep -q "post 'long': template 'feed-report', box 'title': text \"のびすく仙台 秋の.*does not fit even at the minimum size 44px" "$TEST_TMP/err"
check "too long: no post is made" test ! -e "$out/posts/long"
check "missing glyph: the error names the character" \
  grep -q "post 'glyph': template 'feed-report', box 'title': .*no glyph for '𓀀' (U+13000)" "$TEST_TMP/err"
check "missing glyph: no post is made" test ! -e "$out/posts/glyph"
check "the good post is made" test -s "$out/posts/edge/edge.jpg"
check "its next-day story is made" test -s "$out/posts/edge-story/edge-story.jpg"
check "the story is 1080x1920" \
  test "$(vipsheader -f width "$out/posts/edge-story/edge-story.jpg")x$(vipsheader -f height "$out/posts/edge-story/edge-story.jpg")" = 1080x1920
check "the story is scheduled a day later" \
  test "$(jq -r '.posts["edge-story"].post.schedule' "$out/state/encode.json")" = 2026-11-29T19:00:00+09:00
check "story_followup false: no story" test ! -e "$out/posts/long-story"

# The red face, 200x200 at the left edge, must be whole in the photo slot
# (1080x1010 from a 1000 px tall source: scale 1.01, so about 202x202 px).
# A centred crop would have cut it off.
vips extract_area "$out/composed/edge/edge-01.png" "$TEST_TMP/slot.v" 0 0 1080 1010 >/dev/null
vips extract_band "$TEST_TMP/slot.v" "$TEST_TMP/rb.v" 0 >/dev/null
vips extract_band "$TEST_TMP/slot.v" "$TEST_TMP/gb.v" 1 >/dev/null
vips relational_const "$TEST_TMP/rb.v" "$TEST_TMP/rm.v" more 180 >/dev/null
vips relational_const "$TEST_TMP/gb.v" "$TEST_TMP/gm.v" less 80 >/dev/null
vips boolean "$TEST_TMP/rm.v" "$TEST_TMP/gm.v" "$TEST_TMP/redmask.v" and >/dev/null
red=$(vips avg "$TEST_TMP/redmask.v")
check "the face near the edge is kept whole (red share $red)" \
  awk -v r="$red" 'BEGIN { a = r / 255 * 1080 * 1010; exit !(a > 0.95 * 202 * 202 && a < 1.05 * 202 * 202) }'

# A second run redoes nothing: same files.
before=$(sha256sum "$out/posts/edge/edge.jpg" "$out/posts/edge-story/edge-story.jpg")
run "$IGPREP" run "$shoot" --out "$out" --quiet
check "a second run leaves the posts as they were" \
  test "$(sha256sum "$out/posts/edge/edge.jpg" "$out/posts/edge-story/edge-story.jpg")" = "$before"
done_testing
