# Legibility: text whose colour is too close to what is behind it is flagged
# (WCAG contrast under 4.5:1) unless a backing shape or a contrasting outline
# is used; reel cover titles must sit in the centre 1080x1080.
. "$(dirname "$0")/lib.sh"

printf 'leak:libfontconfig.so\n' >"$TEST_TMP/lsan.supp"
export LSAN_OPTIONS="suppressions=$TEST_TMP/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

dir="$TEST_TMP/templates"
mkdir -p "$dir"
cp -r "$IGP_SRC/templates/_shared" "$dir/"
# template NAME CANVAS BACKGROUND LAYERS...
template() {
  local name=$1 canvas=$2 bg=$3
  shift 3
  mkdir -p "$dir/$name"
  {
    printf '{ "version": 1, "canvas": "%s", "background": "%s", "layers": [\n' "$canvas" "$bg"
    local sep=""
    for layer in "$@"; do
      printf '%s  %s\n' "$sep" "$layer"
      sep=","
    done
    printf '] }\n'
  } >"$dir/$name/template.json"
}
preview() {
  rc=0
  (cd "$TEST_TMP" && IGPREP_TEMPLATES="$dir" "$IGPREP" template preview "$1" --out "$1.png") \
    >/dev/null 2>"$TEST_TMP/err" || rc=$?
}

title='{ "type": "text", "name": "title", "text": "{title}", "box": [80, 500, 920, 200], "font": "BIZ UDPGothic Bold", "size": [40, 80], "max_lines": 2, "color": "#dddddd" }'
template pale feed-4:5 "#ffffff" "$title"
preview pale
check "pale text on white renders" test "$rc" -eq 0
check "and is flagged with its contrast ratio" \
  grep -q "template 'pale', box 'title': contrast 1.[0-9]:1 .* under 4.5:1" "$TEST_TMP/err"

template backed feed-4:5 "#ffffff" \
  '{ "type": "shape", "box": [60, 480, 960, 240], "fill": "#ffffff" }' "$title"
preview backed
check "a backing shape behind the text silences the warning" test ! -s "$TEST_TMP/err"

outlined='{ "type": "text", "name": "title", "text": "{title}", "box": [80, 500, 920, 200], "font": "BIZ UDPGothic Bold", "size": [40, 80], "max_lines": 2, "color": "#dddddd", "outline": { "color": "#222222", "width": 6 } }'
template outlined feed-4:5 "#ffffff" "$outlined"
preview outlined
check "so does a contrasting outline" test ! -s "$TEST_TMP/err"

dark='{ "type": "text", "name": "title", "text": "{title}", "box": [80, 500, 920, 200], "font": "BIZ UDPGothic Bold", "size": [40, 80], "max_lines": 2, "color": "#222222" }'
template dark feed-4:5 "#ffffff" "$dark"
preview dark
check "dark text on white passes without a word" test ! -s "$TEST_TMP/err"

# Reel cover: a title above the centre square is refused by check.
template reel reel-cover "#000000" \
  '{ "type": "text", "name": "title", "text": "{title}", "box": [80, 300, 920, 200], "font": "BIZ UDPGothic Bold", "size": [40, 80], "color": "#ffffff" }'
rc=0
IGPREP_TEMPLATES="$dir" "$IGPREP" template check reel 2>"$TEST_TMP/err" >/dev/null || rc=$?
check "a reel cover title outside the centre square fails check" test "$rc" -eq 1
check "naming the zone" grep -q "reel/template.json:2:[0-9]*: .*leaves the reel-cover safe zone (y 420 to 1500)" "$TEST_TMP/err"
done_testing
