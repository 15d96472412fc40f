# Consent references (issue 15): a face cleared with a "consent" reference in
# faces.json is carried into the archive's catalogue.csv and catalogue.json
# (its post's files and its master); a face cleared without one is a warning
# line at run time naming the media and the face, and a line in the proof.
# The catalogue.csv starts with a UTF-8 byte-order mark, for Excel.
. "$(dirname "$0")/lib.sh"

printf 'leak:libfontconfig.so\n' >"$TEST_TMP/lsan.supp" # as t-archive.sh
export LSAN_OPTIONS="suppressions=$TEST_TMP/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

shoot="$TEST_TMP/shoot"
out="$TEST_TMP/out"
bags="$TEST_TMP/bags"
mkdir -p "$shoot"
vips black "$TEST_TMP/g.v" 400 500 --bands 3 >/dev/null
vips linear "$TEST_TMP/g.v" "$shoot/a.jpg" "1 1 1" "120 140 160" --uchar >/dev/null
vips flip "$shoot/a.jpg" "$shoot/b.jpg" horizontal
# a.jpg: one face shown with its consent form C-001, one hidden; b.jpg: one
# face shown with no consent reference.
cat >"$shoot/faces.json" <<'JSON'
{ "version": 1, "media": {
  "a.jpg": { "faces": [
    {"id": "f1", "box": [40, 60, 100, 100], "source": "manual", "cleared": true, "consent": "C-001"},
    {"id": "f2", "box": [220, 260, 100, 100], "source": "manual"} ] },
  "b.jpg": { "faces": [
    {"id": "f1", "box": [40, 60, 100, 100], "source": "manual", "cleared": true} ] } } }
JSON
cat >"$shoot/shoot.json" <<'JSON'
{"version": 1, "shoot": "consent", "posts": [
  {"id": "with", "type": "feed", "media": [{"file": "a.jpg"}], "alt": ["青い四角。"],
   "caption": "同意あり", "schedule": "2026-11-28T19:00:00+09:00", "story_followup": false},
  {"id": "without", "type": "feed", "media": [{"file": "b.jpg"}], "alt": ["青い四角。"],
   "caption": "同意なし", "schedule": "2026-11-29T19:00:00+09:00", "story_followup": false}
]}
JSON
name="山田 花子"
printf '{"approvers": [{"name": "%s", "role": "city"}]}\n' "$name" >"$shoot/igprep.json"

status=0
"$IGPREP" run "$shoot" --out "$out" --quiet 2>"$TEST_TMP/err" || status=$?
cat "$TEST_TMP/err" >&2
check "the run succeeds (exit $status)" test "$status" -eq 0
check "one warning: b.jpg's face f1 is cleared without a consent reference" \
  test "$(grep -c "warning: b.jpg: face 'f1' is cleared (shown) without a consent reference" "$TEST_TMP/err")" -eq 1
check "no such warning for a.jpg (its face has C-001)" test "$(grep -c "a.jpg: face" "$TEST_TMP/err")" -eq 0
check "the redaction report keeps the reference" \
  test "$(jq -r '.media["a.jpg"].faces[] | select(.id == "f1") | .consent' "$out/reports/redaction.json")" = C-001

"$IGPREP" proof "$out" --quiet
pdftotext "$out/reports/proof.pdf" "$TEST_TMP/proof.txt"
check "the proof names the face cleared without a consent reference" \
  grep -q "cleared without a consent reference: f1 in b.jpg" "$TEST_TMP/proof.txt"
check "the proof has that line once (not for a.jpg)" \
  test "$(grep -c "cleared without a consent reference" "$TEST_TMP/proof.txt")" -eq 1

# The archive holds what was delivered: approve and publish both posts first.
cp "$shoot/igprep.json" "$out/" # for the approvers, wherever approve reads them
for p in with without; do "$IGPREP" approve "$out" "$p" --by "$name" --quiet 2>/dev/null; done
"$IGPREP" publish "$out" --outbox "$TEST_TMP/box" --quiet 2>/dev/null
status=0
"$IGPREP" archive "$out" --to "$bags" --quiet >/dev/null 2>"$TEST_TMP/err" || status=$?
cat "$TEST_TMP/err" >&2
bag="$bags/igprep-consent"
check "the archive is made (exit $status)" test "$status" -eq 0
catalogue="$bag/data/catalogue.json"
refs() { jq -r --arg k "$1" --arg p "$2" '.files[] | select(.kind == $k and .post_id == $p) | .consent_refs' "$catalogue"; }
check "catalogue.json: the post file of 'with' carries C-001 ($(refs feed-image with))" \
  test "$(refs feed-image with)" = C-001
check "catalogue.json: a.jpg's master carries C-001 ($(refs master with))" test "$(refs master with)" = C-001
check "catalogue.json: 'without' carries none" test "$(refs feed-image without)" = ""
check "catalogue.csv starts with the UTF-8 byte-order mark EF BB BF" \
  test "$(head -c 3 "$bag/data/catalogue.csv" | xxd -p)" = efbbbf
# Read as Excel would: the mark is not part of the first column's name.
csv_refs=$(python3 -c '
import csv, sys
rows = csv.DictReader(open(sys.argv[1], encoding="utf-8-sig", newline=""))
print(" ".join("%s:%s:%s" % (r["post_id"], r["kind"], r["consent_refs"] or "-") for r in rows))' \
  "$bag/data/catalogue.csv")
check "catalogue.csv has the references ($csv_refs)" \
  test "$csv_refs" = "with:master:C-001 without:master:- with:feed-image:C-001 without:feed-image:-"
check "the bag passes --check" "$IGPREP" archive --check "$bag" --quiet
done_testing
