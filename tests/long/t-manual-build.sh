# make manual's script (scripts/make-manual.sh) into a scratch folder: the
# HTML and the PDF are made, the PDF's text has every chapter's title, every
# picture the chapters show was made again by this build (newer than its
# start) and is in both documents, and samples/ is not written to.
. "$(dirname "$0")/../integration/lib.sh"

manual="$IGP_SRC/docs/manual"
out="$TEST_TMP/manual"
images="$TEST_TMP/images"
samples_before=$(fingerprint "$IGP_SRC/samples")
touch "$TEST_TMP/start"
sleep 1.1 # so that "newer than the start" holds on file systems with 1 s times

check "scripts/make-manual.sh succeeds" \
  env IGP_BIN="$IGP_BIN" bash "$IGP_SRC/scripts/make-manual.sh" --out "$out" --images "$images"
check "manual.html is made" test -s "$out/manual.html"
check "manual.pdf is made" test -s "$out/manual.pdf"
check "samples/ was not written to" test "$samples_before" = "$(fingerprint "$IGP_SRC/samples")"

# Titles compared without spaces: pdftotext may set them apart differently.
pdftotext "$out/manual.pdf" - | tr -d ' \t\n' >"$TEST_TMP/text"
chapters=0
for md in "$manual"/[0-9][0-9]-*.md; do
  title=$(sed -n 's/^# //p' "$md" | head -1)
  chapters=$((chapters + 1))
  check "the PDF has the chapter '$title'" grep -qF "$(tr -d ' ' <<<"$title")" "$TEST_TMP/text"
done
check "the manual has chapters ($chapters)" test "$chapters" -ge 12

mapfile -t pictures < <(grep -oh '](images/[^)]*)' "$manual"/[0-9][0-9]-*.md | sed 's/^](//; s/)$//' | sort -u)
check "the chapters show pictures (${#pictures[@]})" test "${#pictures[@]}" -ge 8
for p in "${pictures[@]}"; do
  check "$p was made by this build" test "$images/${p#images/}" -nt "$TEST_TMP/start"
done
embedded=$(grep -o 'src="data:image/' "$out/manual.html" | wc -l)
check "the HTML carries every picture (${embedded} embedded, ${#pictures[@]} referenced)" \
  test "$embedded" -ge "${#pictures[@]}"
in_pdf=$(pdfimages -list "$out/manual.pdf" | tail -n +3 | wc -l)
check "the PDF carries every picture ($in_pdf images, ${#pictures[@]} referenced)" \
  test "$in_pdf" -ge "${#pictures[@]}"
done_testing
