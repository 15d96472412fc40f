# Every kind of post the contract names (issue 16): a feed post without a
# template gets its next-day story; standalone stories, photo and video, are
# made with the plain story-basic template and meet the story spec (checked
# with vipsheader and ffprobe, and igprep verify); a highlight of three
# stories makes its cover, and the proof and the outbox list its stories in
# order; a tie-up without an advertising disclosure is refused naming the
# rule, and with 「#PR」 it passes.
. "$(dirname "$0")/lib.sh"

shoot="$TEST_TMP/shoot"
out="$TEST_TMP/out"
box="$TEST_TMP/outbox"
mkdir -p "$shoot"
approvers "$shoot"
# Small pictures: three colours, 480x640; a 3.5 s clip with a tone.
for c in "200 60 60:R" "60 200 60:G" "60 60 200:B"; do
  vips black "$TEST_TMP/b.v" 480 640 --bands 3 >/dev/null
  vips linear "$TEST_TMP/b.v" "$shoot/${c#*:}.JPG[Q=90]" "1 1 1" "${c%:*}" --uchar >/dev/null
done
ffmpeg -v error -f lavfi -i testsrc2=size=360x640:rate=24 -f lavfi -i sine=frequency=440 \
  -t 3.5 -c:v libx264 -pix_fmt yuv420p -c:a aac "$shoot/CLIP.MP4"

cat > "$shoot/shoot.json" <<'JSON'
{ "version": 1, "shoot": "types", "title": "のびすく 冬のひろば", "posts": [
  {"id": "plain", "type": "feed", "media": [{"file": "R.JPG"}],
   "caption": "ひろばの様子です", "schedule": "2026-12-01T19:00:00+09:00"},
  {"id": "st-1", "type": "story", "template": "story-basic", "media": [{"file": "G.JPG"}],
   "text": {"title": "きょうのひろば", "body": "10時から15時まで開いています"}},
  {"id": "st-2", "type": "story", "template": "story-basic", "media": [{"file": "CLIP.MP4"}],
   "text": {"title": "ロケットの映像", "body": "大きなスクリーンで見ました"}},
  {"id": "st-3", "type": "story", "media": [{"file": "B.JPG"}]},
  {"id": "hl", "type": "highlight", "stories": ["st-3", "st-1", "st-2"],
   "text": {"label": "イベント"}},
  {"id": "collab", "type": "feed", "media": [{"file": "B.JPG"}], "tieup": true,
   "collaborators": ["sendai_mama", "nobisuku.friend"],
   "caption": "親子で楽しめるイベントのご紹介です #PR #のびすく"}
] }
JSON
status=0
"$IGPREP" run "$shoot" --out "$out" --quiet 2>"$TEST_TMP/err" || status=$?
cat "$TEST_TMP/err" >&2
check "run succeeds (got $status)" test "$status" -eq 0

size() { echo "$(vipsheader -f width "$1")x$(vipsheader -f height "$1")"; }
# A feed post without a template: its next-day story, the day after.
check "the untemplated feed post has its next-day story" \
  test "$(size "$out/posts/plain-story/plain-story.jpg" 2>/dev/null)" = 1080x1920
check "scheduled the next day" test "$(jq -r '.posts["plain-story"].post.schedule' \
  "$out/state/encode.json")" = 2026-12-02T19:00:00+09:00
check "naming its parent" test "$(jq -r '.posts["plain-story"].post.story_of' "$out/state/encode.json")" = plain
check "stories get no next-day story" test ! -e "$out/posts/st-1-story"

# Standalone stories with story-basic: the story spec, by independent readers.
check "photo story: 1080x1920" test "$(size "$out/posts/st-1/st-1.jpg")" = 1080x1920
check "photo story: drawn with its template" test -f "$out/composed/st-1/st-1-01.png"
probe() { ffprobe -v error -select_streams v:0 -show_entries "stream=$1" -of csv=p=0 "$2"; }
video="$out/posts/st-2/st-2.mp4"
check "video story: H.264 1080x1920" test "$(probe codec_name,width,height "$video")" = "h264,1080,1920"
duration=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$video")
check "video story: at most 60 s ($duration)" awk "BEGIN{exit !($duration > 3 && $duration <= 60)}"
check "video story: AAC sound" test "$(ffprobe -v error -select_streams a:0 -show_entries stream=codec_name -of csv=p=0 "$video")" = aac
# The overlay card is drawn: the bottom of a frame is lighter than the clip's.
ffmpeg -v error -ss 1 -i "$video" -frames:v 1 "$TEST_TMP/frame.png"
ffmpeg -v error -ss 1 -i "$shoot/CLIP.MP4" -frames:v 1 -vf scale=1080:1920 "$TEST_TMP/src.png"
card() { vips extract_area "$1" "$TEST_TMP/card.v" 120 1300 840 300 && vips avg "$TEST_TMP/card.v"; }
check "video story: story-basic's card drawn over it" \
  awk "BEGIN{exit !($(card "$TEST_TMP/frame.png") > $(card "$TEST_TMP/src.png") + 30)}"
for f in st-1/st-1.jpg st-2/st-2.mp4 hl/hl.jpg plain-story/plain-story.jpg; do
  check "verify passes $f as a story" test "$(jq -r --arg f "posts/$f" \
    '.files[] | select(.file == $f) | "\(.ok) \(.kind)"' "$out/reports/verify.json")" != ""
  check "verify: $f ok" test "$(jq -r --arg f "posts/$f" '.files[] | select(.file == $f) | .ok' \
    "$out/reports/verify.json")" = true
done
check "the video story is held to the story limits" test "$(jq -r \
  '.files[] | select(.file == "posts/st-2/st-2.mp4") | .kind' "$out/reports/verify.json")" = story-video

# The highlight: its cover, and its stories in order in the proof and the outbox.
check "highlight cover 1080x1920" test "$(size "$out/posts/hl/hl.jpg")" = 1080x1920
check "highlight cover verified as one" test "$(jq -r \
  '.files[] | select(.file == "posts/hl/hl.jpg") | .kind' "$out/reports/verify.json")" = highlight-cover
check "proof" "$IGPREP" proof "$out" --quiet
check "the proof lists the highlight's stories in order" \
  grep -q 'Stories: 1\. st-3, 2\. st-1, 3\. st-2' <<<"$(pdftotext "$out/reports/proof.pdf" - | tr -d '\n')"
for id in hl st-1 st-2 st-3; do "$IGPREP" approve "$out" "$id" --by ann --quiet; done
"$IGPREP" publish "$out" --outbox "$box" --quiet 2>/dev/null || true
check "the outbox's post.json lists them in order" \
  test "$(jq -c .stories "$box/types-hl/post.json" 2>/dev/null)" = '["st-3","st-1","st-2"]'
check "with the cover as its file" test "$(jq -r '.files[0].kind' "$box/types-hl/post.json")" = highlight-cover

# Tie-ups: the collab post above passed with #PR; without a disclosure the
# manifest is refused, naming the post and the rule.
jq '.posts |= map(if .id == "collab" then .caption = "親子で楽しめるイベントのご紹介です #のびすく" else . end)' \
  "$shoot/shoot.json" > "$TEST_TMP/s.json" && mv "$TEST_TMP/s.json" "$shoot/shoot.json"
status=0
"$IGPREP" run "$shoot" --out "$out" --quiet 2>"$TEST_TMP/err" || status=$?
check "a tie-up without a disclosure: exit 1 (got $status)" test "$status" -ne 0
check "naming the post, the words and the rule" \
  grep -q "post 'collab': a tie-up (\"tieup\": true) must disclose the advertising in its caption with 「広告」, 「PR」 or 「プロモーション」 (e.g. #PR): the stealth-marketing rule" "$TEST_TMP/err"
check "on one line" test "$(wc -l < "$TEST_TMP/err")" -eq 1
# Collaborators are Instagram usernames.
jq '.posts |= map(if .id == "collab" then .caption = "【広告】ご紹介" | .collaborators = ["no spaces"] else . end)' \
  "$shoot/shoot.json" > "$TEST_TMP/s.json" && mv "$TEST_TMP/s.json" "$shoot/shoot.json"
status=0
"$IGPREP" run "$shoot" --out "$out" --quiet 2>"$TEST_TMP/err" || status=$?
check "a collaborator that is no username: refused" \
  grep -q "collaborator 'no spaces' is not an Instagram username" "$TEST_TMP/err"
done_testing
