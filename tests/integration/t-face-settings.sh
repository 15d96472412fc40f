# One set of options: igprep run takes the options of every stage it runs
# (detect's --min-face, --thorough, --model; redact's --style); the same
# settings in shoot.json ("min_face", "thorough", "style") give the same
# result, a second run keeps them and redoes nothing, and the command line
# overrides shoot.json for the run it is given to. Mistakes in these keys
# name shoot.json's line and column.
. "$(dirname "$0")/lib.sh"

SK=/usr/lib/python3/dist-packages/skimage/data
shoot="$TEST_TMP/shoot"
err="$TEST_TMP/err"
mkdir -p "$shoot"
# 800x600: the astronaut's face at about 120 px and again at about 30 px, on grass.
vips extract_area "$SK/astronaut.png" "$TEST_TMP/head.v" 146 20 164 210
vips resize "$TEST_TMP/head.v" "$TEST_TMP/big.v" 1.2
vips resize "$TEST_TMP/head.v" "$TEST_TMP/small.v" 0.3
vips colourspace "$SK/grass.png" "$TEST_TMP/grass.v" srgb
vips resize "$TEST_TMP/grass.v" "$TEST_TMP/bg.v" 1.6
vips extract_area "$TEST_TMP/bg.v" "$TEST_TMP/bg2.v" 0 0 800 600
vips insert "$TEST_TMP/bg2.v" "$TEST_TMP/big.v" "$TEST_TMP/a.v" 100 150
vips insert "$TEST_TMP/a.v" "$TEST_TMP/small.v" "$TEST_TMP/b.v" 600 100
vips jpegsave "$TEST_TMP/b.v" "$shoot/IMG_0001.jpg" --Q 90
manifest() { # extra top-level keys, e.g. '"min_face": 60,'
  printf '{ "version": 1, %s "shoot": "settings",\n  "posts": [{"id": "p", "type": "feed", "media": [{"file": "IMG_0001.jpg"}]}] }\n' "$1" >"$shoot/shoot.json"
}
n_faces() { jq '.media["IMG_0001.jpg"].faces | length' "$1/faces.json"; }
detector() { jq -c '.media["IMG_0001.jpg"].detector | [.min_face, .score]' "$1/faces.json"; }
styles() { jq -r '[.media[].faces[] | select(.decision == "hidden") | .style] | unique | join(",")' "$1/reports/redaction.json"; }
# (detect writes OUT/faces.json and review/index.png again on every run, whatever the settings)
mtimes() { (cd "$1" 2>/dev/null && find posts masters review -type f ! -name index.png -printf '%p %T@\n' | sort) || true; }

# --- defaults: both faces found, blurred ---
manifest ""
check "run with the defaults succeeds" "$IGPREP" run "$shoot" --out "$TEST_TMP/default" --quiet 2>"$err"
check "... finds both faces" test "$(n_faces "$TEST_TMP/default")" -eq 2
check "... and blurs them" test "$(styles "$TEST_TMP/default")" = blur

# --- on the command line of igprep run ---
check "igprep run --min-face 60 --style mosaic succeeds" \
  "$IGPREP" run "$shoot" --out "$TEST_TMP/cli" --quiet --min-face 60 --style mosaic 2>"$err"
check "... looks for faces of 60 px and more only (the 30 px face is not proposed)" \
  test "$(n_faces "$TEST_TMP/cli"),$(detector "$TEST_TMP/cli")" = "1,[60,0.6]"
check "... and hides with mosaic" test "$(styles "$TEST_TMP/cli")" = mosaic
check "igprep run --thorough succeeds" "$IGPREP" run "$shoot" --out "$TEST_TMP/thorough" --quiet --thorough 2>"$err"
check "... and detects at score 0.5" test "$(detector "$TEST_TMP/thorough")" = "[24,0.5]"
check "igprep run --model FILE is accepted" "$IGPREP" run "$shoot" --out "$TEST_TMP/model" --quiet \
  --model "$IGP_SRC/models/face_detection_front_128x128_barracuda.onnx" 2>"$err"
rc=0; "$IGPREP" run "$shoot" --out "$TEST_TMP/bad" --min-face 4 2>"$err" || rc=$?
check "--min-face 4 is a usage error (exit 2) saying the range" \
  eval 'test "$rc" -eq 2 && grep -q "min-face takes 8 to 4096 pixels, not 4" "$err"'
rc=0; "$IGPREP" run "$shoot" --out "$TEST_TMP/bad" --style sparkle 2>"$err" || rc=$?
check "--style sparkle is a usage error (exit 2) naming the styles" \
  eval 'test "$rc" -eq 2 && grep -q "unknown style .sparkle. (styles: blur, mosaic, fill, sticker)" "$err"'
check "the redact and detect programs take them too" \
  "$IGP_BIN/igprep-redact" "$shoot" --out "$TEST_TMP/stages" --quiet --min-face 60 --style mosaic
check "... with the same result" test "$(n_faces "$TEST_TMP/stages"),$(styles "$TEST_TMP/stages")" = "1,mosaic"

# --- the same settings in shoot.json ---
manifest '"min_face": 60, "style": "mosaic",'
out="$TEST_TMP/json"
check "run with min_face and style in shoot.json succeeds" "$IGPREP" run "$shoot" --out "$out" --quiet 2>"$err"
check "... gives the command line's faces and style" \
  test "$(n_faces "$out"),$(detector "$out"),$(styles "$out")" = "1,[60,0.6],mosaic"
check "... and the same redacted master, byte for byte" \
  cmp -s "$out/masters/redacted/IMG_0001.jpg.jpg" "$TEST_TMP/cli/masters/redacted/IMG_0001.jpg.jpg"
before=$(mtimes "$out")
sleep 1
check "a second run succeeds" "$IGPREP" run "$shoot" --out "$out" --quiet 2>"$err"
check "... rewrites nothing (same settings, same state keys)" test "$before" = "$(mtimes "$out")"
check "... and keeps the settings" test "$(n_faces "$out"),$(detector "$out"),$(styles "$out")" = "1,[60,0.6],mosaic"
check "a run of the stage programs alone keeps them too" "$IGP_BIN/igprep-redact" "$shoot" --out "$out" --quiet
check "... rewriting nothing" test "$before" = "$(mtimes "$out")"

# --- the command line wins over shoot.json, for that run ---
check "run --style blur on a mosaic shoot" "$IGPREP" run "$shoot" --out "$out" --quiet --style blur 2>"$err"
check "... blurs" test "$(styles "$out")" = blur
check "run --min-face 24 on a min_face 60 shoot" "$IGPREP" run "$shoot" --out "$out" --quiet --min-face 24 2>"$err"
check "... looks for 24 px faces and finds the small one" test "$(detector "$out"),$(n_faces "$out")" = "[24,0.6],2"
manifest '"thorough": true,'
check "thorough in shoot.json" "$IGPREP" run "$shoot" --out "$out" --quiet 2>"$err"
check "... detects at score 0.5" test "$(detector "$out")" = "[24,0.5]"
check "--no-thorough overrides it" "$IGPREP" run "$shoot" --out "$out" --quiet --no-thorough 2>"$err"
check "... detects at score 0.6" test "$(detector "$out")" = "[24,0.6]"

# --- mistakes in shoot.json's settings: line and column, nothing made ---
bad() { # DESCRIPTION KEYS EXPECTED-MESSAGE
  manifest "$2"
  local rc=0
  "$IGPREP" run "$shoot" --out "$TEST_TMP/bad-json" --quiet 2>"$err" || rc=$?
  check "$1: exit 1" test "$rc" -eq 1
  check "$1: says where and what" grep -qE "shoot.json:1:[0-9]+: $3" "$err"
  check "$1: nothing made" test ! -e "$TEST_TMP/bad-json/posts/p"
}
bad "min_face out of range" '"min_face": 4,' "'min_face' must be 8 to 4096 pixels, not 4"
bad "min_face not an integer" '"min_face": "60",' "'min_face' must be an integer, not a string"
bad "thorough not true/false" '"thorough": "yes",' "'thorough' must be true/false, not a string"
bad "unknown style" '"style": "sparkle",' "'style' must be blur, mosaic, fill or sticker, not 'sparkle'"

done_testing
