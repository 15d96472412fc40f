# Consent withdrawal: a cleared face shows in the redacted master and every
# post; once the clearance is removed from SHOOT/faces.json (its "cleared"
# line, its whole entry, or the whole file) the next run hides it again in
# the master and every post, and says so. The decisions survive deleting
# OUT. A misspelt media key is an error with a "did you mean".
. "$(dirname "$0")/lib.sh"

FIXTURE="$IGP_SRC/tests/fixtures/faces"
PY=/usr/bin/python3
shoot="$TEST_TMP/shoot"
out="$TEST_TMP/out"
err="$TEST_TMP/stderr"

# square.jpg: four faces on a 1200x1200 photo; two 1:1 posts need no crop,
# so a face box maps into them by scaling alone (check_redaction.py).
mkdir -p "$shoot"
"$PY" "$FIXTURE/make-fixture.py" "$shoot" --redaction >/dev/null
rm -f "$shoot/portrait.jpg" "$shoot/rotated.jpg"
jq '.files |= {"square.jpg": .["square.jpg"]}' "$shoot/truth.json" >"$TEST_TMP/truth.json"
rm "$shoot/truth.json"
cat >"$shoot/shoot.json" <<'JSON'
{ "version": 1, "shoot": "consent", "posts": [
  {"id": "sq", "type": "feed", "aspect": "1:1", "media": [{"file": "square.jpg"}]},
  {"id": "sq2", "type": "feed", "aspect": "1:1", "media": [{"file": "square.jpg"}]} ] }
JSON

run() { "$IGPREP" run "$shoot" --out "$out" 2>"$err"; }
# All faces hidden in the master and both posts (nothing cleared).
all_hidden() { "$PY" "$FIXTURE/check_redaction.py" "$TEST_TMP/truth.json" "$out" >"$TEST_TMP/check.txt" || { grep FAIL "$TEST_TMP/check.txt" >&2; return 1; }; }
# True face 2 left as it was in the master, the others hidden...
cleared_2() { "$PY" "$FIXTURE/check_redaction.py" "$TEST_TMP/truth.json" "$out" square.jpg:2 >"$TEST_TMP/check.txt" || { grep FAIL "$TEST_TMP/check.txt" >&2; return 1; }; }
# ...and in every post: the post's pixels in its box are the scrubbed
# master's scaled the same way (mean difference under 3 of 255).
visible_2_in_posts() {
  "$PY" - "$TEST_TMP/truth.json" "$out" <<'PYEOF'
import glob, json, sys
import numpy as np
from PIL import Image
box = json.load(open(sys.argv[1]))["files"]["square.jpg"]["faces"][2]
master = Image.open(sys.argv[2] + "/masters/square.jpg.jpg").convert("RGB")
posts = sorted(glob.glob(sys.argv[2] + "/posts/*/*.jpg"))
assert len(posts) == 2, posts
for path in posts:
    post = np.asarray(Image.open(path).convert("RGB"), np.float64)
    s = post.shape[1] / master.size[0]
    ref = np.asarray(master.resize((post.shape[1], post.shape[0]), Image.LANCZOS), np.float64)
    x, y, w, h = (round(v * s) for v in box)
    d = np.mean(np.abs(post[y:y + h, x:x + w] - ref[y:y + h, x:x + w]))
    print(f"{path}: cleared face differs by {d:.2f}")
    assert d < 3, path
PYEOF
}

check "first run (no marks) succeeds" run
check "... every face hidden in the master and both posts" all_hidden

# The editor clears true face 2 (the detected face over its centre), with a
# consent reference, in a SHOOT/faces.json of that one entry.
jq '{version: 1, media: {"square.jpg": {faces: [.media["square.jpg"].faces[]
      | select(.box[0] < 248 and .box[0] + .box[2] > 248 and .box[1] < 760 and .box[1] + .box[3] > 760)
      | .cleared = true | .consent = "C-017"]}}}' "$out/faces.json" >"$TEST_TMP/cleared.json"
id=$(jq -r '.media["square.jpg"].faces[0].id' "$TEST_TMP/cleared.json")
check "the face to clear was detected" test "$(jq '.media["square.jpg"].faces | length' "$TEST_TMP/cleared.json")" -eq 1
clear_it() {
  cp "$TEST_TMP/cleared.json" "$shoot/faces.json"
  check "$1: run with the clearance succeeds" run
  check "$1: the cleared face is unchanged in the master, the others hidden" cleared_2
  check "$1: ... and shows in every post" visible_2_in_posts
}
withdrawn() {
  check "$1: run succeeds" run
  check "$1: the face is hidden again in the master and every post" all_hidden
  check "$1: the run says so" grep -q "square.jpg $id: cleared -> hidden" "$err"
  check "$1: ... and so does reports/redaction.json" test \
    "$(jq -c '.changes' "$out/reports/redaction.json")" = "[{\"from\":\"cleared\",\"id\":\"$id\",\"media\":\"square.jpg\",\"to\":\"hidden\"}]"
}

clear_it "cleared"
check "the run says what changed" grep -q "square.jpg $id: hidden -> cleared" "$err"
cp -a "$out" "$TEST_TMP/out-cleared" # each withdrawal starts from here

# 1. The "cleared" line deleted (the entry stays, consent and all).
jq 'del(.media["square.jpg"].faces[0].cleared)' "$TEST_TMP/cleared.json" >"$shoot/faces.json"
withdrawn "\"cleared\" line deleted"
check "a run without changes reports none" run
check "... none in reports/redaction.json" test "$(jq -c '.changes' "$out/reports/redaction.json")" = "[]"
check "... and no note" test -z "$(grep -- ' -> ' "$err" || true)"

# 2. The whole entry deleted.
rm -rf "$out" && cp -a "$TEST_TMP/out-cleared" "$out"
jq '.media["square.jpg"].faces = []' "$TEST_TMP/cleared.json" >"$shoot/faces.json"
withdrawn "entry deleted"

# 3. The whole SHOOT/faces.json deleted.
rm -rf "$out" && cp -a "$TEST_TMP/out-cleared" "$out"
rm "$shoot/faces.json"
withdrawn "SHOOT/faces.json deleted"

# The editor's decisions live in the shoot folder: a run into a fresh OUT
# obeys them.
cp "$TEST_TMP/cleared.json" "$shoot/faces.json"
rm -rf "$out"
check "run into a fresh OUT succeeds" run
check "... the clearance survived deleting OUT" cleared_2
check "... in the posts too" visible_2_in_posts

# A misspelt media key is an error naming file:line:column and the name meant.
sed 's/"square.jpg"/"Square.JPG"/' "$TEST_TMP/cleared.json" >"$shoot/faces.json"
rc=0
"$IGPREP" run "$shoot" --out "$TEST_TMP/out-typo" --quiet 2>"$err" || rc=$?
check "misspelt media key: exit 1" test "$rc" -eq 1
check "misspelt media key: file:line:column, did you mean" \
  grep -qE "shoot/faces.json:[0-9]+:[0-9]+: media 'Square.JPG' is not in the shoot; did you mean 'square.jpg'\?" "$err"
check "misspelt media key: no post made" test -z "$(ls "$TEST_TMP/out-typo/posts" 2>/dev/null)"
done_testing
