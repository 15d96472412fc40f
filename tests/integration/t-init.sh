# igprep init SHOOT: a commented starting shoot.json from a folder of 3
# photos and a video (a feed post per photo, a reel per video, in name order;
# a clip too short for any post is named and left out), with every time left
# empty. A run before the times are filled in names each post waiting for
# its time, one line each; after (filled in with jq), the run succeeds.
# An existing shoot.json is never replaced.
. "$(dirname "$0")/lib.sh"

shoot="$TEST_TMP/shoot"
mkdir -p "$shoot"
for name in A B C; do
  vips gaussnoise "$TEST_TMP/$name.v" 64 80 --mean 120 --sigma 40
  vips cast "$TEST_TMP/$name.v" "$shoot/$name.JPG" uchar
done
# The shortest video a reel takes is 3 s; a 2 s clip can be no post.
ffmpeg -nostdin -loglevel error -f lavfi -i testsrc=size=64x112:rate=30:duration=3 \
  -f lavfi -i sine=duration=3 -c:v libx264 -pix_fmt yuv420p -c:a aac -shortest "$shoot/D.MOV"
ffmpeg -nostdin -loglevel error -f lavfi -i testsrc=size=64x112:rate=30:duration=2 \
  -c:v libx264 -pix_fmt yuv420p "$shoot/E.mp4"
echo "notes of the shoot" >"$shoot/notes.txt" # not a medium: no post
cp "$shoot/A.JPG" "$shoot/.hidden.JPG"         # hidden: no post
sources=$(cd "$shoot" && sha256sum -- * .hidden.JPG)

status=0
"$IGPREP" init "$shoot" >"$TEST_TMP/init.out" 2>"$TEST_TMP/init.err" || status=$?
check "igprep init exits 0 (got $status)" test "$status" -eq 0
manifest="$shoot/shoot.json"
check "it wrote shoot.json" test -s "$manifest"
check "no temporary file is left in the shoot folder" \
  test -z "$(find "$shoot" -name '.shoot.json*')"
jqcheck() { # DESCRIPTION FILTER: the filter is true of the written manifest
  check "$1" bash -c 'jq -e "$1" "$2" >/dev/null' _ "$2" "$manifest"
}
jqcheck "version 1, the folder's name as shoot and title" \
  '.version == 1 and .shoot == "shoot" and .title == "shoot"'
jqcheck "a post per photo, a reel per video, in name order" \
  '[.posts[] | [.id, .type, .media[0].file]] == [["feed-01","feed","A.JPG"],
    ["feed-02","feed","B.JPG"], ["feed-03","feed","C.JPG"], ["reel-01","reel","D.MOV"]]'
jqcheck "one medium per post" '[.posts[] | .media | length] == [1,1,1,1]'
jqcheck "every time is left empty for the editor" '[.posts[].schedule] == ["","","",""]'
jqcheck "comments: the whole file's, and each post's" \
  '(._comment | type == "array" and length >= 3) and ([.posts[]._comment | type] | unique == ["string"])'
jqcheck "the too-short clip is named in the comments" \
  '[._comment[] | select(test("E.mp4"))] | length == 1'
check "the too-short clip is named on standard error" grep -q "warning: E.mp4: 2.0 s" "$TEST_TMP/init.err"
check "the result names the file and what to do next" \
  grep -q "shoot.json written (feed posts: 3, reels: 1)" "$TEST_TMP/init.err"

# The comments in the user's language.
mkdir "$TEST_TMP/ja"
cp "$shoot"/[A-D].* "$TEST_TMP/ja/"
check "LANG=ja_JP.UTF-8 igprep init exits 0" env LANG=ja_JP.UTF-8 "$IGPREP" init "$TEST_TMP/ja" -q
check "its comments are in Japanese" \
  bash -c 'jq -r "._comment[0], .posts[0]._comment" "$1" | grep -cP "[\\x{3040}-\\x{30FF}]" | grep -qx 2' \
  _ "$TEST_TMP/ja/shoot.json"

# Never replaced: exit 1, one line naming the file, the file untouched.
before=$(sha256sum <"$manifest")
status=0
"$IGPREP" init "$shoot" >/dev/null 2>"$TEST_TMP/again.err" || status=$?
check "a second igprep init exits 1 (got $status)" test "$status" -eq 1
check "with one line" test "$(wc -l <"$TEST_TMP/again.err")" -eq 1
check "naming the file that exists" grep -q "shoot/shoot.json: already exists" "$TEST_TMP/again.err"
check "shoot.json is unchanged" test "$(sha256sum <"$manifest")" = "$before"
echo '{"version": 1}' >"$TEST_TMP/ja/shoot.json"
status=0; "$IGPREP" init "$TEST_TMP/ja" 2>/dev/null || status=$?
check "an editor's own shoot.json is not replaced either (exit $status)" \
  bash -c '[ "$1" -eq 1 ] && [ "$(cat "$2")" = "{\"version\": 1}" ]' _ "$status" "$TEST_TMP/ja/shoot.json"
mkdir "$TEST_TMP/empty"
echo "no media" >"$TEST_TMP/empty/notes.txt"
status=0; "$IGPREP" init "$TEST_TMP/empty" 2>"$TEST_TMP/empty.err" || status=$?
check "a folder without media: exit 1 (got $status), one line, nothing written" \
  bash -c '[ "$1" -eq 1 ] && [ "$(wc -l <"$2")" -eq 1 ] && [ ! -e "$3" ]' _ "$status" \
  "$TEST_TMP/empty.err" "$TEST_TMP/empty/shoot.json"

# Before the times: one line per post waiting for its time, nothing made.
status=0
"$IGPREP" run "$shoot" --out "$TEST_TMP/early" --quiet 2>"$TEST_TMP/early.err" || status=$?
check "a run before the times are filled in exits 1 (got $status)" test "$status" -eq 1
for id in feed-01 feed-02 feed-03 reel-01; do
  check "it names $id's empty schedule, once" \
    test "$(grep -c "shoot.json:[0-9]*:[0-9]*: post '$id': schedule is empty" "$TEST_TMP/early.err")" -eq 1
done
check "and says nothing else wrong" test "$(grep -c 'error:' "$TEST_TMP/early.err")" -eq 4
check "no post was made" test -z "$(find "$TEST_TMP/early/posts" -type f 2>/dev/null)"

# The editor fills in the times: the run succeeds and makes every post.
jq '.posts |= [to_entries[] | .value.schedule = "2026-12-\(10 + .key)T19:00" | .value]' \
  "$manifest" >"$TEST_TMP/filled.json"
cp "$TEST_TMP/filled.json" "$manifest"
status=0
"$IGPREP" run "$shoot" --out "$TEST_TMP/out" --quiet 2>"$TEST_TMP/run.err" || status=$?
check "igprep run succeeds once the times are filled in (got $status: $(head -c 300 "$TEST_TMP/run.err"))" \
  test "$status" -eq 0
for f in feed-01/feed-01.jpg feed-02/feed-02.jpg feed-03/feed-03.jpg reel-01/reel-01.mp4; do
  check "it made posts/$f" test -s "$TEST_TMP/out/posts/$f"
done
check "the reel is the whole clip (ffprobe)" bash -c \
  'd=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$1"); awk -v d="$d" "BEGIN{exit !(d > 2.9 && d < 3.2)}"' \
  _ "$TEST_TMP/out/posts/reel-01/reel-01.mp4"
check "the sources are untouched" test "$(cd "$shoot" && sha256sum -- [A-E].* notes.txt .hidden.JPG)" = "$sources"
done_testing
