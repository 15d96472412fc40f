# Issue 17: verify, archive and inventory speak the user's language.
# Under LANG=ja_JP.UTF-8 a verify refusal, an archive --check failure, the
# inventory listing and the catalogue.csv headings are Japanese; under
# LANG=C.UTF-8 the same are English. Keys stay English in both: --json,
# catalogue.json, the BagIt labels of bag-info.txt (RFC 8493).
. "$(dirname "$0")/lib.sh"

# As in t-archive: fontconfig's own parse leaks under the sanitizer build.
printf 'leak:libfontconfig.so\n' >"$TEST_TMP/lsan.supp"
export LSAN_OPTIONS="suppressions=$TEST_TMP/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

ja() { LANG=ja_JP.UTF-8 "$@"; }
# run COMMAND...: stdout and stderr to $TEST_TMP/{out,err}, exit status to $rc.
run() {
  rc=0
  "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?
}
jqe() { jq -e "$@" >/dev/null; }
has() { grep -qF -- "$1" "$2"; }

# ---- verify refuses a picture: one sentence, in each language ----
vips black "$TEST_TMP/small.jpg" 64 64 --bands 3
run "$IGPREP" verify "$TEST_TMP/small.jpg"
check "verify refuses a 64 px picture (exit 3)" test "$rc" -eq 3
check "... in English under C.UTF-8" \
  has "small.jpg: width is 64, expected 320..1440; make the file again with igprep run" "$TEST_TMP/err"
run ja "$IGPREP" verify "$TEST_TMP/small.jpg"
check "... in Japanese under ja_JP.UTF-8" \
  has "small.jpg: 幅が 64 です（基準: 320..1440）。igprep run でファイルを作り直し" "$TEST_TMP/err"
check "... with its count in Japanese" has "1 ファイルを検査、不合格 1" "$TEST_TMP/err"
check "... and no English sentence left" bash -c '! grep -q "is 64\|expected\|checked" "$1"' _ "$TEST_TMP/err"
# What a walker finds is listed in the user's language; the report keeps it English.
vips black "$TEST_TMP/tagged.jpg" 400 400 --bands 3
exiftool -q -overwrite_original -Artist=tester "$TEST_TMP/tagged.jpg"
run "$IGPREP" verify "$TEST_TMP/tagged.jpg"
check "verify names the EXIF segment in English under C.UTF-8" \
  grep -qE "tagged.jpg: it still carries APP1 Exif \([0-9]+ bytes\), which must not be there" "$TEST_TMP/err"
run ja "$IGPREP" verify "$TEST_TMP/tagged.jpg"
check "... and in Japanese under ja_JP.UTF-8" \
  grep -qE "tagged.jpg: APP1 Exif（[0-9]+ バイト）が残っています" "$TEST_TMP/err"
run ja "$IGPREP" verify "$TEST_TMP/tagged.jpg" --json
check "... while --json keeps the finding in English" \
  jqe '.files[0].checks[] | select(.check == "metadata") | .value[0] | test("^APP1 Exif \\([0-9]+ bytes\\)$")' "$TEST_TMP/out"
run ja "$IGPREP" verify "$TEST_TMP/small.jpg" --json
check "verify --json keeps its keys and limits English under ja_JP" \
  jqe '.files[0].checks[] | select(.check == "width") | .limit == "320..1440" and .ok == false' "$TEST_TMP/out"

# ---- a run's bag, exported under each locale ----
out="$TEST_TMP/out-dir"
sample_out "$out"
shoot=2026-11-20-nobisuku-halloween
check "every post approved and published" bash -c '
  "$1" approve "$2" --all --by "山田 花子" --quiet &&
    "$1" publish "$2" --outbox "$3" --quiet' _ "$IGPREP" "$out" "$TEST_TMP/box"
run "$IGPREP" archive "$out" --to "$TEST_TMP/bags-en" --quiet
check "archive under C.UTF-8 succeeds" test "$rc" -eq 0
run ja "$IGPREP" archive "$out" --to "$TEST_TMP/bags-ja" --quiet
check "archive under ja_JP.UTF-8 succeeds" test "$rc" -eq 0
en="$TEST_TMP/bags-en/igprep-$shoot"
jp="$TEST_TMP/bags-ja/igprep-$shoot"
heading() { head -1 "$1/data/catalogue.csv" | sed 's/^\xEF\xBB\xBF//; s/\r$//'; }
check "catalogue.csv headings in English under C.UTF-8" test "$(heading "$en")" = \
  "path,shoot,post_id,kind,schedule,caption,alt_text,sha256,width,height,copyright_holder,consent_refs,approval_digest"
check "catalogue.csv headings in Japanese under ja_JP.UTF-8 ($(heading "$jp"))" test "$(heading "$jp")" = \
  "パス,撮影,投稿ID,種類,投稿予定日時,キャプション,代替テキスト,SHA-256,幅（px）,高さ（px）,著作権者,同意書番号,承認ダイジェスト"
check "the Japanese catalogue.csv reads as 13 columns, 18 rows (python csv)" test "$(python3 -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8-sig")))
print(len(rows[0]), len(rows) - 1)' "$jp/data/catalogue.csv")" = "13 18"
check "catalogue.json keeps its English keys under ja_JP.UTF-8" \
  jqe '.files[0] | has("path") and has("alt_text") and has("consent_refs")' "$jp/data/catalogue.json"
for label in Source-Organization Contact-Name External-Description Bagging-Date Payload-Oxum Bag-Size Bag-Software-Agent; do
  check "bag-info.txt keeps the label $label under ja_JP.UTF-8" grep -q "^$label: ." "$jp/bag-info.txt"
done
check "bag-info.txt's description is Japanese under ja_JP.UTF-8" grep -q "^External-Description: igprep で納品した Instagram 投稿" "$jp/bag-info.txt"
check "... and English under C.UTF-8" grep -q "^External-Description: Instagram posts as delivered by igprep" "$en/bag-info.txt"
check "the Japanese bag passes --check" "$IGPREP" archive --check "$jp" --quiet
check "the contact sheet's labels are Japanese (pdftotext)" \
  bash -c 'pdftotext "$1/data/index.pdf" - | tr -d " \n" | grep -q "対象期間.*作成日"' _ "$jp"

# ---- archive --check names what is wrong, in each language ----
echo changed >>"$en/data/$shoot/feed-01/feed-01.jpg"
run "$IGPREP" archive --check "$en"
check "a changed file fails --check" test "$rc" -ne 0
check "... in English under C.UTF-8" \
  has "changed: data/$shoot/feed-01/feed-01.jpg (sha256 does not match manifest-sha256.txt)" "$TEST_TMP/err"
check "... with its count in English" has "not a complete and valid bag" "$TEST_TMP/err"
run ja "$IGPREP" archive --check "$en"
check "... in Japanese under ja_JP.UTF-8" \
  has "変更あり: data/$shoot/feed-01/feed-01.jpg（sha256 が manifest-sha256.txt と一致しません）" "$TEST_TMP/err"
check "... with its count in Japanese" has "欠けのない正しいバッグではありません（問題" "$TEST_TMP/err"

# ---- the inventory listing ----
run "$IGPREP" inventory "$out"
check "inventory lists in English under C.UTF-8" has "  faces unhidden: " "$TEST_TMP/out"
check "... its kinds in English" grep -qE '^    redacted master +[0-9]' "$TEST_TMP/out"
check "... and why it is not ready" has "not ready for purge" "$TEST_TMP/out"
run ja "$IGPREP" inventory "$out"
check "inventory lists in Japanese under ja_JP.UTF-8" grep -qE '^  顔を隠していないもの: [0-9]+ 件、[0-9]+ バイト' "$TEST_TMP/out"
check "... its kinds in Japanese" grep -qE '^    顔を隠したマスター +[0-9]' "$TEST_TMP/out"
check "... and why it is not ready" has "まだ消去できません" "$TEST_TMP/out"
check "... saying why in Japanese" has "公開を確かめる --outbox が指定されていません" "$TEST_TMP/out"
check "... no English category left" bash -c '! grep -q "faces unhidden\|faces hidden\|no personal data\|redacted master" "$1"' _ "$TEST_TMP/out"
run ja "$IGPREP" inventory "$out" --json
check "inventory --json stays English under ja_JP.UTF-8" \
  jqe '[.runs[0].files[].category] | unique - ["faces unhidden", "faces hidden", "no personal data", "unknown"] == []' "$TEST_TMP/out"
check "... and its reason too" jqe '.runs[0].not_ready | test("no --outbox given")' "$TEST_TMP/out"

done_testing
