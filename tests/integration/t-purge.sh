# igprep purge (issue 19): a dry run changes nothing; a purge leaves no file
# with unhidden faces under OUT (each category checked) and nothing else
# changed; --keep-delivered leaves the outbox and the bags byte for byte; the
# deletion report renders (pdftoppm) and pdftotext finds each category's
# count; purge refuses while an approved post is unpublished; a purge killed
# with SIGKILL, run again, completes.
. "$(dirname "$0")/lib.sh"

shoot=2026-11-20-nobisuku-halloween
export TZ=Asia/Tokyo
day=$(date +%Y%m%d) # the report is named by the real day: no clock can be set
jqe() { jq -e "$@" >/dev/null; }

# purge ARGS...: stderr to $TEST_TMP/err, exit status to $rc.
purge() {
  rc=0
  "$IGPREP" purge "$@" >"$TEST_TMP/stdout" 2>"$TEST_TMP/err" || rc=$?
}

# The files with unhidden faces under OUT, found by path, not by igprep.
unhidden() {
  (cd "$1" && find masters review composed -type f ! -path 'masters/redacted/*' 2>/dev/null
   ls faces.json state/detect.json 2>/dev/null || true) | LC_ALL=C sort
}

# Everything else under OUT, with its hash: what purge must not touch.
kept() {
  (cd "$1" && find . -type f ! -path './masters/*' ! -path './review/*' ! -path './composed/*' \
    ! -name faces.json ! -name detect.json ! -name .igprep.lock -exec sha256sum {} + |
    LC_ALL=C sort
   find masters/redacted -type f -exec sha256sum {} + | LC_ALL=C sort)
}

# ---- dry run ----
sample_before=$(fingerprint "$SAMPLE")
out="$TEST_TMP/out"
sample_out "$out"
before=$(fingerprint "$out")
purge "$out" --dry-run --report-to "$TEST_TMP/reports"
check "dry run succeeds (exit $rc)" test "$rc" -eq 0
check "dry run changes nothing under OUT" test "$before" = "$(fingerprint "$out")"
check "dry run writes no report" test ! -e "$TEST_TMP/reports"
check "dry run lists every file it would remove" \
  test "$(grep -c '^would remove' "$TEST_TMP/stdout")" -eq "$(unhidden "$out" | wc -l)"

# ---- purge ----
n_master=$( (cd "$out" && find masters -type f ! -path 'masters/redacted/*') | wc -l)
n_review=$(find "$out/review" -type f | wc -l)
n_composed=$(find "$out/composed" -type f | wc -l)
n_unhidden=$(unhidden "$out" | wc -l)
n_hidden=$( (cd "$out" && find masters/redacted posts -type f; ls reports/proof* state/redact.json \
  reports/redaction.json 2>/dev/null || true) | wc -l)
n_none=$(($(find "$out" -type f | wc -l) - n_unhidden - n_hidden))
kept_before=$(kept "$out")
purge "$out" --report-to "$TEST_TMP/reports"
check "purge succeeds (exit $rc)" test "$rc" -eq 0
check "no unhidden master remains" test -z "$(cd "$out" && find masters -type f ! -path 'masters/redacted/*')"
check "no review sheet remains" test ! -e "$out/review"
check "no composed intermediate remains" test ! -e "$out/composed"
check "no face records remain" test ! -e "$out/faces.json" -a ! -e "$out/state/detect.json"
check "no file with unhidden faces remains" test -z "$(unhidden "$out")"
check "inventory agrees: nothing with faces unhidden under OUT" \
  bash -c "'$IGPREP' inventory '$out' --json | jq -e '[.runs[0].files[] | select(.category == \"faces unhidden\")] == []' >/dev/null"
check "posts, redacted masters, reports and state kept, byte for byte" \
  test "$kept_before" = "$(kept "$out")"
check "the purge plan is gone" test ! -e "$out/state/purge.json"
check "the shoot folder's originals were not touched" test "$sample_before" = "$(fingerprint "$SAMPLE")"

# ---- the report ----
pdf="$TEST_TMP/reports/deletion-report-$day.pdf"
json="$TEST_TMP/reports/deletion-report-$day.json"
check "the report PDF and JSON are named after the day" test -s "$pdf" -a -s "$json"
check "the PDF renders (pdftoppm)" pdftoppm -r 50 -png "$pdf" "$TEST_TMP/page"
check "into an A4 page or more" test -s "$TEST_TMP/page-1.png"
pdftotext -layout "$pdf" "$TEST_TMP/report.txt"
check "it is a データ消去報告書" grep -q 'データ消去報告書' "$TEST_TMP/report.txt"
check "faces unhidden: $n_unhidden removed, 0 kept" \
  grep -q "（faces unhidden）：消去 $n_unhidden 件.*、保管 0 件" "$TEST_TMP/report.txt"
check "faces hidden: 0 removed, $n_hidden kept" \
  grep -q "（faces hidden）：消去 0 件.*、保管 $n_hidden 件" "$TEST_TMP/report.txt"
check "no personal data: 0 removed, $n_none kept" \
  grep -Eq "（no personal data）：消去 0 件.*、保管 $n_none( 件)?" "$TEST_TMP/report.txt"
check "masters: $n_master" grep -q "マスター（顔を隠す前の全体画像・動画）：$n_master 件" "$TEST_TMP/report.txt"
check "review sheets: $n_review" grep -q "確認用シート（顔の一覧）：$n_review 件" "$TEST_TMP/report.txt"
check "composed: $n_composed" grep -q "テンプレート合成の中間画像：$n_composed 件" "$TEST_TMP/report.txt"
check "the date" grep -q "$(date +%Y)年$(date +%-m)月$(date +%-d)日" "$TEST_TMP/report.txt"
check "the method" grep -q 'NIST SP 800-88' "$TEST_TMP/report.txt"
check "the storage device's model and serial" grep -q 'シリアル番号' "$TEST_TMP/report.txt"
check "the limits on SSDs and copy-on-write file systems" grep -q 'コピーオンライト' "$TEST_TMP/report.txt"
check "a field for the device's photograph" grep -q '媒体の写真' "$TEST_TMP/report.txt"
check "a signature line" grep -q '氏名 ＿' "$TEST_TMP/report.txt"
check "the appendix lists a removed file" grep -q 'masters/IMG_0013.JPG.jpg' "$TEST_TMP/report.txt"
check "the JSON lists every removed file with its hash" \
  test "$(jq -r '.files[] | "\(.path) \(.sha256)"' "$json" | wc -l)" -eq "$n_unhidden"
check "and counts them per category" \
  jqe --argjson n "$n_unhidden" '.categories[] | select(.category == "faces unhidden") | .removed == $n' "$json"
check "each device has a model and a serial, or says unreadable" \
  jqe '(.devices | length) >= 0 and all(.devices[]; (.model | length) > 0 and (.serial | length) > 0)' "$json"
check "purge --help states what an overwrite does not do" \
  bash -c "'$IGPREP' purge --help | grep -q 'copy-on-write'"

# ---- refusal while an approved post is not published ----
out2="$TEST_TMP/out2"
sample_out "$out2"
"$IGPREP" approve "$out2" feed-02 --by "山田 花子" --quiet
before=$(fingerprint "$out2")
purge "$out2" --report-to "$TEST_TMP/r2"
check "approved, unpublished: refused with exit 3 (got $rc)" test "$rc" -eq 3
check "on one line naming the post" \
  test "$(wc -l <"$TEST_TMP/err")" -eq 1 -a "$(grep -c "'feed-02'.* approved but not published" "$TEST_TMP/err")" -eq 1
check "nothing changed" test "$before" = "$(fingerprint "$out2")"
outbox="$TEST_TMP/outbox"
mkdir -p "$outbox"
purge "$out2" --outbox "$outbox" --report-to "$TEST_TMP/r2"
check "an outbox without the post: still refused (exit $rc)" test "$rc" -eq 3
"$IGPREP" publish "$out2" --outbox "$outbox" --quiet # feed-02 and its next-day story
purge "$out2" --outbox "$outbox" --report-to "$TEST_TMP/r2"
check "once published to the outbox: purged (exit $rc)" test "$rc" -eq 0 -a -z "$(unhidden "$out2")"

# ---- --keep-delivered, and the restricted originals bag ----
out3="$TEST_TMP/out3"
sample_out "$out3"
bags="$TEST_TMP/bags"
"$IGPREP" approve "$out3" --all --by "山田 花子" --quiet
"$IGPREP" publish "$out3" --outbox "$outbox" --quiet
"$IGPREP" archive "$out3" --to "$bags" --include-originals --quiet 2>/dev/null >/dev/null
delivered() { (cd "$TEST_TMP" && find outbox bags -type f -exec sha256sum {} + | LC_ALL=C sort); }
check "there is a restricted originals bag" test -d "$bags/igprep-$shoot-RESTRICTED-originals"
before=$(delivered)
purge "$out3" --outbox "$outbox" --archive "$bags" --keep-delivered --force --report-to "$TEST_TMP/r3"
check "purge --keep-delivered succeeds (exit $rc)" test "$rc" -eq 0
check "the outbox and every bag intact, byte for byte" test "$before" = "$(delivered)"
check "and OUT purged" test -z "$(unhidden "$out3")"
out4="$TEST_TMP/out4"
sample_out "$out4"
mkdir "$TEST_TMP/only"
cp -a "$bags/igprep-$shoot-RESTRICTED-originals" "$TEST_TMP/only/"
purge "$out4" --outbox "$outbox" --archive "$bags" --force --report-to "$TEST_TMP/r4"
check "purge with --archive succeeds (exit $rc)" test "$rc" -eq 0
check "the restricted originals bag is erased" test ! -e "$bags/igprep-$shoot-RESTRICTED-originals"
check "the deliverable bag is intact and valid" "$IGPREP" archive --check "$bags/igprep-$shoot" --quiet
check "the outbox is intact" test "$(echo "$before" | grep ' outbox/')" = "$(delivered | grep ' outbox/')"
check "the report counts the bag's files" \
  jqe '[.files[] | select(.kind == "restricted originals bag")] | length > 6' "$TEST_TMP/r4/deletion-report-$day.json"

purge "$out3" --archive "$TEST_TMP/only" --force --report-to "$TEST_TMP/r3"
check "a folder holding only the restricted bag: the bag goes, the folder stays" \
  test "$rc" -eq 0 -a -d "$TEST_TMP/only" -a -z "$(ls -A "$TEST_TMP/only")"

# ---- killed half-way, run again ----
out5="$TEST_TMP/out5"
sample_out "$out5"
IGP_PURGE_DELAY_MS=150 "$IGPREP" purge "$out5" --report-to "$TEST_TMP/r5" 2>/dev/null &
pid=$!
for _ in $(seq 200); do
  [ -e "$out5/state/purge.json" ] && [ "$(unhidden "$out5" | wc -l)" -lt $((n_unhidden - 3)) ] && break
  sleep 0.05
done
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
left=$(unhidden "$out5" | wc -l)
check "killed half-way: some files gone, some left ($left of $n_unhidden)" \
  test "$left" -gt 0 -a "$left" -lt "$n_unhidden"
check "no report yet" test ! -e "$TEST_TMP/r5/deletion-report-$day.pdf"
purge "$out5" --report-to "$TEST_TMP/r5"
check "run again: completes (exit $rc)" test "$rc" -eq 0
check "and says it finishes the killed purge" grep -q 'finishing the purge a killed run began' "$TEST_TMP/err"
check "no file with unhidden faces remains" test -z "$(unhidden "$out5")"
check "the report lists every file of the plan, those the killed run removed too" \
  test "$(jq '.files | length' "$TEST_TMP/r5/deletion-report-$day.json")" -eq "$n_unhidden"
check "the plan is gone" test ! -e "$out5/state/purge.json"
purge "$out5" --report-to "$TEST_TMP/r5"
check "a third run finds nothing to erase, and does not overwrite the first report" \
  test "$rc" -eq 0 -a -s "$TEST_TMP/r5/deletion-report-$day-2.json" -a \
  "$(jq '.files | length' "$TEST_TMP/r5/deletion-report-$day.json")" -eq "$n_unhidden"

# ---- usage ----
rc=0; "$IGPREP" purge 2>/dev/null || rc=$?
check "no OUT: usage error, exit 2 (got $rc)" test "$rc" -eq 2
purge "$TEST_TMP/nowhere"
check "not a folder: exit 1 on one line (got $rc)" test "$rc" -eq 1 -a "$(wc -l <"$TEST_TMP/err")" -eq 1
done_testing
