# Verify agrees with itself: the detail left in a hidden face, measured
# against the source, decides; a detector hit in a box whose detail is gone
# is a warning, not a refusal. A refusal found in a redacted master refuses
# the posts made from it everywhere: in verify.json, in the proof, in
# approve and in publish. Every message is one plain line with rounded
# numbers, saying what is wrong and what to do.
. "$(dirname "$0")/lib.sh"

# Under make test-sanitize, as in t-proof.sh: two one-off allocations that
# cairo's PDF writer and fontconfig's parser never free are the libraries' own.
printf 'leak:cairo_surface_finish\nleak:XML_ParseBuffer\n' > "$TEST_TMP/lsan.supp"
export LSAN_OPTIONS="suppressions=$TEST_TMP/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
if [ -n "${ASAN_OPTIONS:-}" ]; then export ASAN_OPTIONS="$ASAN_OPTIONS:fast_unwind_on_malloc=0"; fi

SK=/usr/lib/python3/dist-packages/skimage/data
shoot="$TEST_TMP/shoot"
out="$TEST_TMP/out"
err="$TEST_TMP/err"
mkdir -p "$shoot"
approvers "$shoot"
# IMG_0001: 800x600, the astronaut's face (about 120 px) on grass at the left,
# a flat grey area at the right with a manual box m1 [520, 200, 124, 124].
# IMG_0002: grass only.
vips extract_area "$SK/astronaut.png" "$TEST_TMP/head.v" 146 20 164 210
vips resize "$TEST_TMP/head.v" "$TEST_TMP/big.v" 1.2
vips colourspace "$SK/grass.png" "$TEST_TMP/grass.v" srgb
vips resize "$TEST_TMP/grass.v" "$TEST_TMP/bg.v" 1.6
vips extract_area "$TEST_TMP/bg.v" "$TEST_TMP/bg2.v" 0 0 800 600
vips black "$TEST_TMP/flat.v" 360 600 --bands 3
vips linear "$TEST_TMP/flat.v" "$TEST_TMP/grey.v" 1 128 --uchar
vips insert "$TEST_TMP/bg2.v" "$TEST_TMP/grey.v" "$TEST_TMP/a.v" 440 0
vips insert "$TEST_TMP/a.v" "$TEST_TMP/big.v" "$TEST_TMP/b.v" 100 150
vips jpegsave "$TEST_TMP/b.v" "$shoot/IMG_0001.jpg" --Q 90
vips jpegsave "$TEST_TMP/bg2.v" "$shoot/IMG_0002.jpg" --Q 90
cat >"$shoot/shoot.json" <<'JSON'
{ "version": 1, "shoot": "agrees", "posts": [
  {"id": "p", "type": "feed", "aspect": "1.91:1", "media": [{"file": "IMG_0001.jpg"}], "caption": "p"},
  {"id": "q", "type": "feed", "aspect": "1.91:1", "media": [{"file": "IMG_0002.jpg"}], "caption": "q"} ] }
JSON
cat >"$shoot/faces.json" <<'JSON'
{ "version": 1, "media": { "IMG_0001.jpg": { "faces": [
  {"id": "m1", "box": [520, 200, 124, 124], "source": "manual", "note": "a flat area"} ] } } }
JSON
check "run succeeds" "$IGPREP" run "$shoot" --out "$out" --quiet 2>"$err"
master="$out/masters/redacted/IMG_0001.jpg.jpg"
cp "$master" "$TEST_TMP/redacted.jpg"
check "the detector's face f1 and the manual box m1 are hidden" \
  test "$(jq -r '[.media["IMG_0001.jpg"].faces[] | .id + ":" + .decision] | sort | join(",")' "$out/reports/redaction.json")" = "f1:hidden,m1:hidden"
check "both posts approved while they pass verify" \
  bash -c "'$IGPREP' approve '$out' p --by ann && '$IGPREP' approve '$out' q --by ann"
one_plain_line() { # FILE PATTERN: exactly one line matches, and no number has float noise
  test "$(grep -c -- "$2" "$1")" -eq 1 && ! grep -Eq '[0-9]\.[0-9]{5,}' "$1" && ! grep -q '[{}]' "$1"
}

# --- a detector hit in a box whose detail is gone: a warning ---
# A face put where the source had only flat grey: the source's detail there
# (none) is not in it, but the detector finds a face in the box.
vips extract_area "$SK/astronaut.png" "$TEST_TMP/head2.v" 146 20 164 210
vips resize "$TEST_TMP/head2.v" "$TEST_TMP/big2.v" 1.2
vips insert "$TEST_TMP/redacted.jpg" "$TEST_TMP/big2.v" "$TEST_TMP/w.v" 484 130
vips copy "$TEST_TMP/w.v" "$master[Q=95,strip]"
rc=0; "$IGPREP" verify "$out" --quiet 2>"$err" || rc=$?
check "a face detected in a box with no detail of the source's left: verify passes (got $rc)" test "$rc" -eq 0
check "... warning once, in one plain line" one_plain_line "$err" "warning: masters/redacted/IMG_0001.jpg.jpg: the face detector still finds a face at m1"
check "... recorded as a warning of a passed check" \
  test "$(jq -c '.files[] | select(.file == "masters/redacted/IMG_0001.jpg.jpg") | .checks[] | select(.check == "faces_hidden") | [.ok, .value.detected, (.warning != null)]' "$out/reports/verify.json")" = '[true,["m1"],true]'
check "the post made from it passes, with the warning" \
  test "$(jq -c '.files[] | select(.file == "posts/p/p.jpg") | [.ok, ([.checks[] | select(.warning)] | length)]' "$out/reports/verify.json")" = '[true,1]'

# --- the face f1 put back, unhidden, into the redacted master: a refusal ---
f1=$(jq -r '.media["IMG_0001.jpg"].faces[] | select(.id == "f1") | .box | map(tostring) | join(" ")' "$out/faces.json")
read -r x y w h <<<"$f1"
vips extract_area "$out/masters/IMG_0001.jpg.jpg" "$TEST_TMP/face.v" "$x" "$y" "$w" "$h"
vips insert "$TEST_TMP/redacted.jpg" "$TEST_TMP/face.v" "$TEST_TMP/r.v" "$x" "$y"
vips copy "$TEST_TMP/r.v" "$master[Q=95,strip]"
rc=0; "$IGPREP" verify "$out" --quiet 2>"$err" || rc=$?
check "verify refuses the master with f1 showing (exit 3, got $rc)" test "$rc" -eq 3
check "... in one plain line: what is wrong, how much, what to do" one_plain_line "$err" \
  "error: masters/redacted/IMG_0001.jpg.jpg: face f1 is still recognisable: its fine detail matches the source's by [01]\.[0-9][0-9], at most 0.35 is allowed; hide it with"
check "the post made from that master is refused in verify.json" \
  test "$(jq '.files[] | select(.file == "posts/p/p.jpg") | .ok' "$out/reports/verify.json")" = false
check "... the other post is not" \
  test "$(jq '.files[] | select(.file == "posts/q/q.jpg") | .ok' "$out/reports/verify.json")" = true
check "proof succeeds" "$IGPREP" proof "$out" --quiet
text=$(pdftotext "$out/reports/proof.pdf" - | tr -d ' \n\f')
check "the proof shows p.jpg refused, with verify's words" grep -q "✗p.jpg:refusedbyverify:itsredactedmastermasters/redacted/IMG_0001.jpg.jpgisrefused:facef1isstillrecognisable" <<<"$text"
check "... and no ✓ for it" bash -c '! grep -q "✓p.jpg" <<<"$1"' _ "$text"
check "... and ✓ for q.jpg" grep -q "✓q.jpg:ok" <<<"$text"
rc=0; "$IGPREP" approve "$out" p --by ann 2>"$err" || rc=$?
check "approve refuses the post (exit 1, got $rc)" test "$rc" -eq 1
check "... saying verify refused it and why" grep -q "post 'p' not approved: it fails verify (posts/p/p.jpg: its redacted master masters/redacted/IMG_0001.jpg.jpg is refused: face f1 is still recognisable" "$err"
rc=0; "$IGPREP" publish "$out" --outbox "$TEST_TMP/box" --quiet 2>"$err" || rc=$?
check "publish refuses p although it was approved before (exit 1, got $rc)" test "$rc" -eq 1
check "... sends q" test -f "$TEST_TMP/box/agrees-q/post.json"
check "... and not p" test ! -e "$TEST_TMP/box/agrees-p"

# --- a close portrait: the face fills most of the slide ---
# Outside the hidden face too little of the slide is left to tell whether it
# shows the cut encode recorded, so verify finds where it sits by matching.
close="$TEST_TMP/close"
mkdir -p "$close"
vips extract_area "$SK/astronaut.png" "$TEST_TMP/h3.v" 140 10 180 225
vips resize "$TEST_TMP/h3.v" "$TEST_TMP/big3.v" 4
vips jpegsave "$TEST_TMP/big3.v" "$close/IMG_0001.jpg" --Q 90
echo '{ "version": 1, "shoot": "close", "posts": [ {"id": "c", "type": "feed", "media": [{"file": "IMG_0001.jpg"}], "story_followup": false} ] }' >"$close/shoot.json"
check "a close portrait's run succeeds, verify included" "$IGPREP" run "$close" --out "$TEST_TMP/close-out" --quiet
check "... its slide lined up by matching, its face hidden there" \
  test "$(jq -c '[.files[].checks[] | select(.check == "faces_hidden_in_post") | [.ok, .value.aligned_by, .value.visible]]' "$TEST_TMP/close-out/reports/verify.json")" = '[[true,"matching",[]]]'
# Its slide replaced by the scrubbed master cut the same way (the face
# showing): matching finds it far from the redacted master, and a slide that
# encode cut from that master is refused for it, never passed as templated.
vips resize "$TEST_TMP/close-out/masters/IMG_0001.jpg.jpg" "$TEST_TMP/unhidden.v" 1.5
vips copy "$TEST_TMP/unhidden.v" "$TEST_TMP/close-out/posts/c/c.jpg[Q=90,strip]"
rc=0; "$IGPREP" verify "$TEST_TMP/close-out" --quiet 2>"$err" || rc=$?
check "... that slide with its face showing is refused (exit 3, got $rc)" test "$rc" -eq 3
check "... on its face check" \
  test "$(jq -c '[.files[].checks[] | select(.check == "faces_hidden_in_post") | .ok]' "$TEST_TMP/close-out/reports/verify.json")" = '[false]'

done_testing
