# Face tracks in a video: a clip with real faces moving across the frame
# (fast, slow, rolling ±20°; tests/fixtures/faces/make-moving-clip.py) as a
# reel, and a 360 px wide portrait cut of it as a story. detect finds a track covering every true face in every frame (90 %
# of the true box inside the padded track box), writes them to faces.json as
# keyframes and draws a review sheet; redact writes the entry the render pass
# obeys. An editor clears one track: the decision and every id survive a new
# detect, and in every frame of the rendered reel and of its redacted master
# every other face is hidden and the cleared one shows
# (check-video-redaction.py). Mistakes in a track name file:line:column; redact without a
# detection of the current master fails closed.
. "$(dirname "$0")/../integration/lib.sh"

FIXTURE="$IGP_SRC/tests/fixtures/faces"
PY=/usr/bin/python3
shoot="$TEST_TMP/shoot"
out="$TEST_TMP/out"
err="$TEST_TMP/stderr"
name=interview.mp4
mkdir -p "$shoot"

"$PY" "$FIXTURE/make-moving-clip.py" "$shoot/$name" "$TEST_TMP/truth.json"
# A portrait clip 360 px wide (not a multiple of 16: swscale writes past such rows).
ffmpeg -v error -y -i "$shoot/$name" -t 4 -vf "crop=608:1080:100:0,scale=360:640" -c:v libx264 -preset ultrafast \
  -pix_fmt yuv420p "$shoot/portrait.mp4"
cat > "$shoot/shoot.json" <<JSON
{ "version": 1, "shoot": "video-faces", "posts": [
  {"id": "talk", "type": "reel", "media": [{"file": "$name"}], "text": {"title": "Interview"}},
  {"id": "upright", "type": "story", "media": [{"file": "portrait.mp4"}], "text": {"title": "Portrait"}} ] }
JSON
score() { "$PY" "$FIXTURE/score_tracks.py" "$TEST_TMP/truth.json" "$out/faces.json" "$name" "$@" >"$TEST_TMP/score.txt" || { cat "$TEST_TMP/score.txt" >&2; return 1; }; }
faces() { jq -c --arg m "$name" "$1" "$out/faces.json"; }

# --- detect: a track over every true face in every frame ---
check "ingest" "$IGPREP" ingest "$shoot" --out "$out" --quiet
check "scrub" "$IGPREP" scrub "$shoot" --out "$out" --quiet
check "detect succeeds on the video" "$IGPREP" detect "$shoot" --out "$out" --quiet
check "every true face covered in every frame by a padded track box" score
cat "$TEST_TMP/score.txt"
check "faces.json: tracks t1.. of keyframes sorted by time, detected, hidden" test "$(faces '[.media[$m].faces[] | (.id | test("^t[0-9]+$")) and .source == "detected" and .cleared == false and (.track | length > 0) and ([.track[].t] == ([.track[].t] | sort))] | all')" = true
check "faces.json: the size and how it was detected" test "$(faces '[.media[$m].size, .media[$m].detector.every]')" = "[[1920,1080],2]"
check "keys every 2nd frame (1/15 s apart)" test "$(faces '.media[$m].faces[0].track | (.[1].t - .[0].t) * 15 | round')" -eq 1
rows=$(faces '.media[$m].faces | length')
check "review sheet: one row per track" test "$(vipsheader -f height "$out/review/$name.png")" -ge $((rows * 200))
check "review index lists the video" test -s "$out/review/index.png"
check "the 360 px wide portrait clip has its tracks too" test "$(jq '.media["portrait.mp4"].faces | length' "$out/faces.json")" -ge 1

# --- redact: the entry the render pass obeys, a report per track ---
check "redact succeeds" "$IGPREP" redact "$shoot" --out "$out" --quiet
entry() { jq -c --arg m "$name" "$1" "$out/state/redact.json"; }
check "redact entry: kind, master, its hash, style" test "$(entry '.media[$m] | [.kind, .source_master, (.source_master_sha256 | length), .style]')" = "[\"video\",\"masters/$name.mp4\",64,\"blur\"]"
check "redact entry: the merged faces, as in faces.json" test "$(entry '.media[$m].faces')" = "$(faces '.media[$m].faces')"
check "redaction report: every track hidden, with its span" test "$(jq -c --arg m "$name" '[.media[$m].faces[] | .decision == "hidden" and .track.keys > 0 and .track.to >= .track.from] | all' "$out/reports/redaction.json")" = true

# --- the editor clears the slow face's track; a new detect keeps it all ---
before=$(faces '[.media[$m].faces[] | {id, track}]')
"$PY" - "$out/faces.json" "$TEST_TMP/truth.json" "$shoot/faces.json" "$name" <<'PYEOF'
import json, sys
faces, truth, name = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[4]
slow = next(f["boxes"] for f in truth["faces"] if f["name"] == "slow")
def iou(a, b):
    x0, y0 = max(a[0], b[0]), max(a[1], b[1]); x1, y1 = min(a[0]+a[2], b[0]+b[2]), min(a[1]+a[3], b[1]+b[3])
    i = max(0, x1-x0) * max(0, y1-y0); return i / (a[2]*a[3] + b[2]*b[3] - i)
def hits(f):
    return sum(iou(k["box"], slow[round(k["t"] * 30)]) >= 0.3 for k in f["track"])
best = max(faces["media"][name]["faces"], key=hits)
best["cleared"], best["consent"] = True, "C-042"
json.dump(faces, open(sys.argv[3], "w"), indent=2)
print(best["id"])
PYEOF
cleared=$(jq -r --arg m "$name" '.media[$m].faces[] | select(.cleared) | .id' "$shoot/faces.json")
check "detect again succeeds" "$IGPREP" detect "$shoot" --out "$out" --quiet
check "the cleared decision is kept" test "$(faces "[.media[\$m].faces[] | select(.cleared) | [.id, .consent]]")" = "[[\"$cleared\",\"C-042\"]]"
check "ids and tracks are stable, nothing added" test "$(faces '[.media[$m].faces[] | {id, track}]')" = "$before"
check "the other faces are still covered in every frame" score --skip slow
check "redact obeys the decision" "$IGPREP" redact "$shoot" --out "$out" --quiet
check "... the cleared track is reported cleared, the rest hidden" test "$(jq -c --arg m "$name" '[.media[$m].faces[] | select(.decision == "cleared") | .id]' "$out/reports/redaction.json")" = "[\"$cleared\"]"

# --- the rendered reel: every uncleared face hidden in every frame ---
check "encode renders the reel" "$IGPREP" encode "$shoot" --out "$out" --quiet
check "the reel, its frames report and the redacted master are there" test -s "$out/posts/talk/talk.mp4" -a -s "$out/reports/reels/talk.json" -a -s "$out/masters/redacted/$name.mp4"
check "per frame: uncleared faces hidden, the cleared one visible (reel and redacted master)" \
  "$PY" "$IGP_SRC/tests/integration/check-video-redaction.py" "$TEST_TMP/truth.json" "$out" talk --cleared slow --master \
    --cards "$IGP_SRC/templates/reel-basic/template.json"
# Deleting the editor's file never uncovers a face, and ids stay.
mv "$shoot/faces.json" "$TEST_TMP/editor.json"
check "detect without the editor's file" "$IGPREP" detect "$shoot" --out "$out" --quiet
check "... keeps the ids" test "$(faces '[.media[$m].faces[] | {id, track}]')" = "$before"
mv "$TEST_TMP/editor.json" "$shoot/faces.json"

# --- mistakes in a track: file:line:column, the video stopped ---
jq --arg m "$name" '.media[$m].faces[0].track[1].t = 0' "$shoot/faces.json" >"$TEST_TMP/f.json"
cp "$shoot/faces.json" "$TEST_TMP/good.json"
mv "$TEST_TMP/f.json" "$shoot/faces.json"
rc=0
"$IGPREP" detect "$shoot" --out "$out" --quiet 2>"$err" || rc=$?
check "unsorted track keys: exit 1" test "$rc" -eq 1
check "... says where and what" grep -qE "faces.json:[0-9]+:[0-9]+: media '$name', face t[0-9]+: track key 2 at 0 s is not after" "$err"
jq --arg m "$name" '.media[$m].faces[0].track[0].box = [1900, 10, 60, 60]' "$TEST_TMP/good.json" >"$shoot/faces.json"
rc=0
"$IGPREP" detect "$shoot" --out "$out" --quiet 2>"$err" || rc=$?
check "a key outside the picture: exit 1" test "$rc" -eq 1
check "... says where and what" grep -qE "faces.json:[0-9]+:[0-9]+: media '$name', face t[0-9]+: box \[1900, 10, 60, 60\] at 0 s is outside the 1920x1080 picture" "$err"
rc=0
"$IGPREP" redact "$shoot" --out "$out" --quiet 2>"$err" || rc=$?
check "... redact: exit 1" test "$rc" -eq 1
check "... and the video has no redact entry" test "$(entry ".media[\$m] | [has(\"error\"), has(\"faces\")]")" = "[true,false]"
cp "$TEST_TMP/good.json" "$shoot/faces.json"

# --- fail closed: no detection on the current master, no redact entry ---
printf 'not an onnx model' >"$TEST_TMP/broken.onnx"
rc=0
IGPREP_FACE_MODEL="$TEST_TMP/broken.onnx" "$IGPREP" redact "$shoot" --out "$out" --quiet 2>"$err" || rc=$?
check "broken detector: exit 1" test "$rc" -eq 1
check "... the video stopped, named" grep -q "$name: face tracking failed, this video is stopped" "$err"
check "... redact names it too" grep -q "$name: faces cannot be hidden" "$err"
check "... and leaves no entry for encode" test "$(entry ".media[\$m] | [has(\"error\"), has(\"faces\")]")" = "[true,false]"
check "with the detector back, the video is redacted again" "$IGPREP" redact "$shoot" --out "$out" --quiet
check "... with the editor's decision" test "$(entry "[.media[\$m].faces[] | select(.cleared) | .id]")" = "[\"$cleared\"]"

done_testing
