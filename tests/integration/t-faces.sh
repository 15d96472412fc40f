# Faces: with no marks every face is hidden in the master and every post;
# an editor's cleared faces and manual boxes survive a new detect and are
# obeyed; orientation 6 is redacted as displayed; styles; errors in
# faces.json name file:line:column; a broken detector stops the photo and
# nothing unredacted reaches posts/; without the model, Haar says so.
. "$(dirname "$0")/lib.sh"

FIXTURE="$IGP_SRC/tests/fixtures/faces"
PY=/usr/bin/python3
shoot="$TEST_TMP/shoot"
out="$TEST_TMP/out"
err="$TEST_TMP/stderr"

"$PY" "$FIXTURE/make-fixture.py" "$shoot" --redaction
exiftool -q -overwrite_original -Orientation#=6 "$shoot/rotated.jpg"
# (Plain crops only, no next-day stories: the check compares crops with the
# masters pixel by pixel.)
cat > "$shoot/shoot.json" <<'JSON'
{ "version": 1, "shoot": "faces", "posts": [
  {"id": "sq", "type": "feed", "aspect": "1:1", "media": [{"file": "square.jpg"}], "story_followup": false},
  {"id": "pt", "type": "feed", "media": [{"file": "portrait.jpg"}], "story_followup": false},
  {"id": "rot", "type": "feed", "media": [{"file": "rotated.jpg"}], "story_followup": false} ] }
JSON
redaction_ok() { "$PY" "$FIXTURE/check_redaction.py" "$shoot/truth.json" "$out" "$@" >"$TEST_TMP/check.txt" || { cat "$TEST_TMP/check.txt" >&2; return 1; }; }

# --- no marks: everything hidden, in masters and posts, verify agrees ---
check "run without marks succeeds (verify included)" "$IGPREP" run "$shoot" --out "$out" --quiet
check "every face hidden in masters and posts, the rest unchanged (incl. orientation 6)" redaction_ok
check "redaction report: every face hidden, by BlazeFace" test "$(jq -r '[.detector] + [.media[].faces[].decision] | unique | join(",")' "$out/reports/redaction.json")" = "blazeface-front-128,hidden"
check "verify ran the face check on every redacted master" test "$(jq '[.files[] | select(.kind=="redacted-master") | .ok] | length' "$out/reports/verify.json")" -eq 3
check "verify checked the faces of every post" test "$(jq '[.files[].checks[] | select(.check=="faces_hidden_in_post" and .ok and .value.visible == [])] | length' "$out/reports/verify.json")" -eq 3
# An unredacted picture put in place of a post is refused by verify.
cp -r "$out" "$TEST_TMP/tampered"
vips copy "$out/masters/portrait.jpg.jpg" "$TEST_TMP/tampered/posts/pt/pt.jpg[strip]"
rc=0
"$IGPREP" verify "$TEST_TMP/tampered" --quiet 2>/dev/null || rc=$?
check "verify refuses a post with faces showing (exit 3)" test "$rc" -eq 3
check "... on the face check of that post" test "$(jq -r '.files[].checks[] | select(.check=="faces_hidden_in_post" and .value.file=="posts/pt/pt.jpg") | .ok' "$TEST_TMP/tampered/reports/verify.json")" = false
# Encode records where it cut each plain slide from its master; verify cuts
# the scrubbed master the same way instead of finding the slide by matching,
# but only once the slide shows what that cut shows.
check "encode recorded the cut of every plain slide" \
  test "$(jq '[.posts[].files[] | select(.cut.shrink >= 1 and (.cut.crop | length) == 4)] | length' "$out/state/encode.json")" -eq 3
check "verify lined every slide up by its recorded cut" \
  test "$(jq -r '[.files[].checks[] | select(.check=="faces_hidden_in_post") | .value.aligned_by] | unique | join(",")' "$out/reports/verify.json")" = cut
cp -r "$out" "$TEST_TMP/miscut"
vips flip "$out/posts/pt/pt.jpg" "$TEST_TMP/miscut/posts/pt/pt.jpg[Q=90,strip]" horizontal
rc=0
"$IGPREP" verify "$TEST_TMP/miscut" --quiet 2>"$err" || rc=$?
check "a slide that does not show its recorded cut (mirrored) is refused (exit 3, got $rc)" test "$rc" -eq 3
check "... saying so in one line about that post" \
  test "$(grep -c "error: posts/pt/pt.jpg: its faces cannot be checked: the slide does not show the part of its master that encode recorded" "$err")" -eq 1
cp "$out/posts/pt/pt.jpg" "$TEST_TMP/miscut/posts/pt/pt.jpg"
jq '.posts.pt.files[0].cut.crop = [40, 50, 1000, 1250]' "$out/state/encode.json" >"$TEST_TMP/miscut/state/encode.json"
rc=0
"$IGPREP" verify "$TEST_TMP/miscut" --quiet 2>"$err" || rc=$?
check "a recorded cut encode could not have made is not believed: refused (exit 3, got $rc)" test "$rc" -eq 3
check "... the slide cannot be lined up" \
  test "$(grep -c "error: posts/pt/pt.jpg: its faces cannot be checked: the slide cannot be lined up with its master" "$err")" -eq 1
jq 'del(.posts.pt.files[0].cut)' "$out/state/encode.json" >"$TEST_TMP/miscut/state/encode.json"
check "without a recorded cut (an older run) verify finds the slide by matching" \
  bash -c "'$IGPREP' verify '$TEST_TMP/miscut' --quiet && test \"\$(jq -r '.files[].checks[] | select(.check==\"faces_hidden_in_post\" and .value.file==\"posts/pt/pt.jpg\") | .value.aligned_by' '$TEST_TMP/miscut/reports/verify.json')\" = matching"

# --- the editor clears two faces and adds a manual box ---
"$PY" - "$out/faces.json" "$shoot/truth.json" "$shoot/faces.json" <<'PYEOF'
import json, sys
faces, truth = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))["files"]
def iou(a, b):
    x0, y0 = max(a[0], b[0]), max(a[1], b[1]); x1, y1 = min(a[0]+a[2], b[0]+b[2]), min(a[1]+a[3], b[1]+b[3])
    i = max(0, x1-x0) * max(0, y1-y0); return i / (a[2]*a[3] + b[2]*b[3] - i)
sq = faces["media"]["square.jpg"]["faces"]
for k in (1, 3):
    for f in sq:
        if iou(f["box"], truth["square.jpg"]["faces"][k]) >= 0.3:
            f["cleared"], f["consent"] = True, "C-%03d" % k
sq.append({"id": "m1", "box": [980, 380, 110, 110], "source": "manual", "note": "a face the detector missed"})
json.dump(faces, open(sys.argv[3], "w"), indent=2)
PYEOF
check "detect again succeeds" "$IGPREP" detect "$shoot" --out "$out" --quiet
check "both cleared decisions kept" test "$(jq '[.media["square.jpg"].faces[] | select(.cleared == true)] | length' "$out/faces.json")" -eq 2
check "the manual box kept" test "$(jq -c '.media["square.jpg"].faces[] | select(.id == "m1") | .box' "$out/faces.json")" = "[980,380,110,110]"
check "run with marks succeeds" "$IGPREP" run "$shoot" --out "$out" --quiet
check "cleared faces unchanged (PSNR >= 45 dB), manual box and the others hidden" \
  redaction_ok square.jpg:1 square.jpg:3 square.jpg@980,380,110,110
check "report lists the decisions" test "$(jq -r '[.media["square.jpg"].faces[] | .decision + ":" + .source] | sort | join(",")' "$out/reports/redaction.json")" = "cleared:detected,cleared:detected,hidden:detected,hidden:detected,hidden:manual"

# --- styles: per shoot (--style) and per face ---
for style in mosaic fill sticker; do
  check "--style $style succeeds" "$IGPREP" redact "$shoot" --out "$out" --quiet --style "$style"
  check "--style $style hides every uncleared face" redaction_ok square.jpg:1 square.jpg:3 square.jpg@980,380,110,110
  check "--style $style is in the report" test "$(jq -r '[.media[].faces[] | select(.decision == "hidden") | .style] | unique | join(",")' "$out/reports/redaction.json")" = "$style"
done
jq '.media["square.jpg"].faces |= map(if .id == "m1" then .style = "fill" else . end)' "$shoot/faces.json" >"$TEST_TMP/f.json" && mv "$TEST_TMP/f.json" "$shoot/faces.json"
check "a per-face style wins" "$IGPREP" run "$shoot" --out "$out" --quiet
check "... and is reported" test "$(jq -r '.media["square.jpg"].faces[] | select(.id == "m1") | .style' "$out/reports/redaction.json")" = fill

# --- mistakes in faces.json: file:line:column and the entry; no posts ---
bad() { # DESCRIPTION JQ-EDIT EXPECTED-MESSAGE [POST: only it is stopped]
  cp "$shoot/faces.json" "$TEST_TMP/good.json"
  jq "$2" "$TEST_TMP/good.json" >"$shoot/faces.json"
  local rc=0
  "$IGPREP" run "$shoot" --out "$out" --quiet 2>"$err" || rc=$?
  check "$1: exit 1" test "$rc" -eq 1
  check "$1: says where and what" grep -qE "faces.json:[0-9]+:[0-9]+: .*$3" "$err"
  if [ -n "${4:-}" ]; then
    check "$1: post $4 withdrawn, the others made" test ! -e "$out/posts/$4" -a -e "$out/posts/sq"
  else
    check "$1: no post made" test -z "$(ls "$out/posts")"
  fi
  cp "$TEST_TMP/good.json" "$shoot/faces.json"
}
bad "unknown key" '.media["square.jpg"].faces[0].clearde = true' "unknown key 'clearde'"
bad "box outside" '.media["portrait.jpg"].faces[0].box = [1000, 1300, 200, 200]' "face f1: box .* is outside the 1080x1350 picture" pt
bad "duplicate id" '.media["square.jpg"].faces[1].id = .media["square.jpg"].faces[0].id' "duplicate face id 'f1'"
check "fixed again: run succeeds" "$IGPREP" run "$shoot" --out "$out" --quiet

# --- a broken detector stops the photos; nothing unredacted is handed on ---
printf 'not an onnx model' >"$TEST_TMP/broken.onnx"
rm -f "$out/state/detect.json"
rc=0
IGPREP_FACE_MODEL="$TEST_TMP/broken.onnx" "$IGPREP" run "$shoot" --out "$out" --quiet 2>"$err" || rc=$?
check "broken model: exit 1" test "$rc" -eq 1
check "broken model: a clear error" grep -q "broken.onnx: cannot load face model" "$err"
check "broken model: photo stopped, named" grep -q "square.jpg: face detection failed, this photo is stopped" "$err"
check "broken model: no posts at all" test -z "$(ls "$out/posts")"
check "broken model: no redacted masters" test -z "$(ls "$out/masters/redacted")"

# --- no model: Haar cascades, and the run says so ---
mini="$TEST_TMP/mini"
mkdir -p "$mini" && cp "$shoot/portrait.jpg" "$mini/"
echo '{"version": 1, "shoot": "mini", "posts": [{"id": "pt", "type": "feed", "media": [{"file": "portrait.jpg"}]}]}' >"$mini/shoot.json"
rc=0
IGPREP_FACE_MODEL=/nonexistent/model.onnx "$IGPREP" run "$mini" --out "$TEST_TMP/mini-out" 2>"$err" || rc=$?
check "Haar fallback: run succeeds" test "$rc" -eq 0
check "Haar fallback: said in the run" grep -q "Haar cascades" "$err"
check "Haar fallback: in the report" test "$(jq -r .detector "$TEST_TMP/mini-out/reports/redaction.json")" = "haar-frontal+profile"
done_testing
