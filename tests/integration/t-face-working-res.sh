# The smallest face detect looks for on a photo follows the posts that show
# it (docs/faces.md, "Working resolution"): 24 px in the post that shows the
# photo largest. A 4000x3000 photo in a 4:5 feed post (1350 px high: shown
# at 0.45 of its size) is searched from 53 px; in a story (1920 px high),
# from 37 px; a photo no post uses counts as a story's. A feed post's
# next-day story shows the photo in its story template's picture box
# (story-announce: 800x1000, smaller than the feed post): still 53 px; a
# story template whose picture fills the screen makes it 37 px. Adding a
# story makes detect look again; the same posts again redo nothing.
. "$(dirname "$0")/lib.sh"

shoot="$TEST_TMP/shoot"
out="$TEST_TMP/out"
mkdir -p "$shoot"
# Flat grey: no tile has detail, so the search itself costs nothing.
vips black "$TEST_TMP/b.v" 4000 3000 --bands 3
vips linear "$TEST_TMP/b.v" "$TEST_TMP/g.v" 1 128 --uchar
vips jpegsave "$TEST_TMP/g.v" "$shoot/IMG_0001.jpg" --Q 80
vips jpegsave "$TEST_TMP/g.v" "$shoot/IMG_0002.jpg" --Q 80
posts() { # the posts of shoot.json
  printf '{ "version": 1, "shoot": "workres", "posts": [%s] }\n' "$1" >"$shoot/shoot.json"
}
min_face() { jq -r --arg f "$2" '.media[$f].detector.min_face' "$1/faces.json"; }
searched() { jq -r --arg f "$2" '.media[$f].min_face' "$1/state/detect.json"; }

posts '{"id": "p", "type": "feed", "media": [{"file": "IMG_0001.jpg"}], "story_followup": false}'
check "detect on a feed post succeeds" "$IGPREP" detect "$shoot" --out "$out" --quiet
check "a 4000x3000 photo in a 4:5 feed post: faces from 53 px (got $(min_face "$out" IMG_0001.jpg))" \
  test "$(min_face "$out" IMG_0001.jpg)" = 53
check "... and state/detect.json says so" test "$(searched "$out" IMG_0001.jpg)" = 53

posts '{"id": "p", "type": "feed", "media": [{"file": "IMG_0001.jpg"}]}'
check "detect on a feed post with its next-day story succeeds" "$IGPREP" detect "$shoot" --out "$out" --quiet
check "its next-day story (story-announce's 800x1000 picture box) shows it smaller: still 53 px (got $(min_face "$out" IMG_0001.jpg))" \
  test "$(min_face "$out" IMG_0001.jpg)" = 53
# The same post with a story template whose picture fills the screen.
templates="$TEST_TMP/templates"
cp -r "$IGP_SRC/templates" "$templates"
jq '.layers |= map(if .type == "media" then .box = [0, 0, 1080, 1920] else . end)' \
  "$IGP_SRC/templates/story-announce/template.json" >"$templates/story-announce/template.json"
check "with a full-screen story picture: 37 px" \
  env IGPREP_TEMPLATES="$templates" "$IGPREP" detect "$shoot" --out "$out" --quiet
check "... (got $(min_face "$out" IMG_0001.jpg))" test "$(min_face "$out" IMG_0001.jpg)" = 37
# A story template that is a FIFO is refused with its name, never waited on.
rm "$templates/story-announce/template.json"
mkfifo "$templates/story-announce/template.json"
rc=0
timeout 60 env IGPREP_TEMPLATES="$templates" "$IGPREP" detect "$shoot" --out "$out" --quiet \
  2>"$TEST_TMP/fifo.err" || rc=$?
check "a FIFO for the story template: detect stops at once (exit $rc), not after the timeout" \
  test "$rc" -ne 0 -a "$rc" -ne 124
check "... naming the file" grep -q "story-announce/template.json: .*FIFO" "$TEST_TMP/fifo.err"

posts '{"id": "p", "type": "feed", "media": [{"file": "IMG_0001.jpg"}]}, {"id": "s", "type": "story", "media": [{"file": "IMG_0001.jpg"}]}, {"id": "t", "type": "story", "media": [{"file": "IMG_0002.jpg"}]}'
check "detect with a story of the same photo succeeds" "$IGPREP" detect "$shoot" --out "$out" --quiet
check "in a story too: faces from 37 px (got $(min_face "$out" IMG_0001.jpg))" test "$(min_face "$out" IMG_0001.jpg)" = 37
check "... and detect looked again" test "$(searched "$out" IMG_0001.jpg)" = 37
check "a photo only in a story: from 37 px" test "$(min_face "$out" IMG_0002.jpg)" = 37

posts '{"id": "c", "type": "carousel", "aspect": "1.91:1", "media": [{"file": "IMG_0001.jpg"}, {"file": "IMG_0002.jpg"}], "story_followup": false}'
check "detect on a 1.91:1 carousel succeeds" "$IGPREP" detect "$shoot" --out "$out" --quiet
check "a 1.91:1 carousel (1080x566: shown at 0.27): from 88 px (got $(min_face "$out" IMG_0001.jpg))" \
  test "$(min_face "$out" IMG_0001.jpg)" = 88
check "--min-face wins over the posts" "$IGPREP" detect "$shoot" --out "$out" --quiet --min-face 30
check "... 30 px (got $(min_face "$out" IMG_0001.jpg))" test "$(min_face "$out" IMG_0001.jpg)" = 30
done_testing
