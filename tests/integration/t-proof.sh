# proof: the PDF renders (pdftoppm), has one page per post, and shows every
# post's id, caption, counts, next-day story and faces (pdftotext); one PNG
# per page, with the pictures' true colours.
. "$(dirname "$0")/lib.sh"

# Under make test-sanitize this runs with the project's own sanitizer
# settings (Makefile), nothing added: a leak report fails the proof commands.

shoot="$TEST_TMP/shoot"
out="$TEST_TMP/out"

# The sample and a post that cannot be made. feed-01's next-day story
# (feed-01-story) comes from compose (feed-01's template) when this build has
# compose; otherwise it is made here by hand, as a story post.
cp -r "$SAMPLE" "$shoot"
# (feed-02 without its next-day story: a page that has none.)
jq '.posts += [{"id": "broken", "type": "feed", "media": [{"file": "MISSING.JPG"}]}] |
    (.posts[] | select(.id == "feed-02") | .story_followup) = false' \
  "$SAMPLE/shoot.json" > "$shoot/shoot.json"
sample_out "$out" # the samples' results: only the broken post is new
"$IGPREP" run "$shoot" --out "$out" --quiet 2>/dev/null || true
if ! jq -e '.posts["feed-01-story"].files[0]' "$out/state/encode.json" >/dev/null; then
  jq '.posts += [{"id": "feed-01-story", "type": "story", "media": [{"file": "IMG_0014.JPG"}],
                  "caption": "あしたも のびすく #のびすく", "schedule": "2026-11-29T19:00:00+09:00"}]' \
    "$shoot/shoot.json" > "$TEST_TMP/s.json" && mv "$TEST_TMP/s.json" "$shoot/shoot.json"
  "$IGPREP" run "$shoot" --out "$out" --quiet 2>/dev/null || true
fi
posts=$(jq '.posts | length' "$out/state/encode.json")
check "the posts, the story and the broken post recorded" \
  jq -e '.posts | has("feed-01") and has("feed-01-story") and has("broken")' "$out/state/encode.json"
# The proof's page of a post: pages follow the posts' ids in order.
pageof() { jq -r --arg id "$1" '.posts | keys | index($id) + 1' "$out/state/encode.json"; }

rm -f "$out/reports/redaction.json"
check "proof without a redaction report" "$IGPREP" proof "$out" --quiet
check "says so" bash -c "pdftotext '$out/reports/proof.pdf' - | grep -q 'no face redaction report'"

cat > "$out/reports/redaction.json" <<'JSON'
{"media": {"IMG_0012.HEIC": {"faces": [{"decision": "hidden"}, {"decision": "cleared"},
                                       {"decision": "hidden"}]}}}
JSON
check "proof" "$IGPREP" proof "$out" --quiet
pdf="$out/reports/proof.pdf"
check "one page per post" test "$(pdfinfo "$pdf" | awk '/^Pages:/ {print $2}')" -eq "$posts"
mkdir "$TEST_TMP/ppm"
check "pdftoppm renders every page" pdftoppm -r 20 -png "$pdf" "$TEST_TMP/ppm/p"
check "into $posts images" test "$(find "$TEST_TMP/ppm" -name '*.png' | wc -l)" -eq "$posts"
check "one PNG per page" test "$(find "$out/reports" -name 'proof-*.png' | wc -l)" -eq "$posts"
check "PNG pages are 1263x893" test "$(vipsheader -f width "$out/reports/proof-01.png")x$(vipsheader -f height "$out/reports/proof-01.png")" = 1263x893

# Text, with whitespace removed: pango wraps long lines wherever it likes.
# Emoji are drawn as colour pictures, which carry no text: leave them out.
text=$(pdftotext "$pdf" - | tr -d ' \n\f')
squeeze() { perl -CSD -pe 's/[^\x{0}-\x{FFFF}]|[\x{2600}-\x{27BF}]|[\x{200D}\x{FE0F}]|\s//g'; }
for id in $(jq -r '.posts | keys[]' "$out/state/encode.json"); do
  check "the proof shows post $id" grep -qF -- "$id" <<<"$text"
  caption=$(jq -r --arg id "$id" '.posts[$id].post.caption // empty' "$out/state/encode.json")
  [ -n "$caption" ] || continue
  first=$(head -n 1 <<<"$caption" | squeeze)
  check "and the first line of its caption ($first)" grep -qF -- "$first" <<<"$text"
  chars=$(jq -r --arg id "$id" '.posts[$id].post.caption | length' "$out/state/encode.json")
  check "and its length, $chars characters" grep -qF -- "$chars/2200characters" <<<"$text"
done
page() { pdftotext -f "$(pageof "$1")" -l "$(pageof "$1")" "$pdf" - | tr -d '\n'; }
check "a post not made says why" grep -q 'Not made' <<<"$(page broken)"
check "carousel: 5 hashtags" grep -q '5 hashtags' <<<"$(page carousel-01)"
check "carousel: four alt texts" grep -q '4\. 木のテーブル' <<<"$(page carousel-01)"
check "carousel: verify per file" test "$(page carousel-01 | grep -Eo 'carousel-01-0[1-4]\.jpg: ' | wc -l)" -eq 4
check "feed-01: its next-day story" grep -q 'Next-day story: feed-01-story' <<<"$(page feed-01)"
check "feed-01: faces counted" grep -q 'Faces: 2 hidden, 1 cleared' <<<"$(page feed-01)"
check "feed-02 (\"story_followup\": false): none planned, not 'none yet'" grep -q 'Next-day story: none planned for this post' <<<"$(page feed-02)"
check "story: safe zone drawn" grep -q 'y 250–1670' <<<"$(page feed-01-story)"
check "feed: grid tile stated" grep -q 'centre 1013×1350' <<<"$(page feed-01)"

# True colours: the carousel's first picture as drawn on its page (the crops
# column, inside the grid tile) has the picture's own mean colour per band,
# so red and blue were not swapped on the way to cairo.
band_mean() { # FILE LEFT TOP WIDTH HEIGHT BAND
  vips extract_area "$1" "$TEST_TMP/area.v" "$2" "$3" "$4" "$5"
  vips extract_band "$TEST_TMP/area.v" "$TEST_TMP/band.v" "$6"
  vips avg "$TEST_TMP/band.v"
}
close() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; exit !(d < 6 && d > -6) }'; }
for band in 0 2; do
  drawn=$(band_mean "$out/reports/proof-$(printf %02d "$(pageof carousel-01)").png" 450 135 297 390 "$band")
  real=$(band_mean "$out/posts/carousel-01/carousel-01-01.jpg" 75 47 930 1270 "$band")
  check "band $band drawn with its colour ($drawn vs $real)" close "$drawn" "$real"
done

# --out: elsewhere, PNG pages beside it; pages of a longer old proof go.
stale="$TEST_TMP/p/x-$(printf %02d $((posts + 1))).png"
mkdir -p "$TEST_TMP/p" && : > "$stale"
check "proof --out FILE" "$IGPREP" proof "$out" --out "$TEST_TMP/p/x.pdf" --quiet
check "PNG pages beside it" test -f "$TEST_TMP/p/x-$(printf %02d "$posts").png"
check "a stale page is removed" test ! -e "$stale"
check "no temporaries left" test -z "$(find "$out/reports" "$TEST_TMP/p" -name '.*.tmp-*')"

status=0; "$IGPREP" proof "$TEST_TMP/p" 2>"$TEST_TMP/err" || status=$?
check "proof of a folder that is not a run's: exit 1 (got $status)" test "$status" -eq 1
check "saying why" grep -q 'not an igprep output folder' "$TEST_TMP/err"
done_testing
