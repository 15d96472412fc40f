# Bad input: a missing file, a zero-byte photo, a truncated JPEG, a corrupt
# JPEG and a text
# file named .jpg each get one clear line naming the file and the reason; the
# good posts still finish; the exit status is non-zero; nothing of a failed
# post appears under OUT/posts; the shoot folder is never written to.
. "$(dirname "$0")/lib.sh"

shoot="$TEST_TMP/shoot"
out="$TEST_TMP/out"
mkdir -p "$shoot"
cp "$SAMPLE/IMG_0014.JPG" "$SAMPLE/IMG_0016.JPG" "$shoot/"
: > "$shoot/EMPTY.JPG"
head -c 200000 "$SAMPLE/IMG_0016.JPG" > "$shoot/TRUNCATED.JPG"
printf 'meeting notes: bring the banner\n' > "$shoot/NOTES.jpg"
# Corrupt, not truncated: 2 KB of the entropy-coded data overwritten.
cp "$SAMPLE/IMG_0016.JPG" "$shoot/CORRUPT.JPG"
printf '%2048s' | tr ' ' 'U' | dd of="$shoot/CORRUPT.JPG" bs=1 seek=300000 conv=notrunc 2>/dev/null
cat > "$shoot/shoot.json" <<'JSON'
{
  "version": 1,
  "shoot": "bad-input",
  "posts": [
    {"id": "good-feed", "type": "feed", "media": [{"file": "IMG_0014.JPG"}]},
    {"id": "missing", "type": "feed", "media": [{"file": "MISSING.JPG"}]},
    {"id": "empty", "type": "feed", "media": [{"file": "EMPTY.JPG"}]},
    {"id": "truncated", "type": "feed", "media": [{"file": "TRUNCATED.JPG"}]},
    {"id": "text", "type": "feed", "media": [{"file": "NOTES.jpg"}]},
    {"id": "corrupt", "type": "feed", "media": [{"file": "CORRUPT.JPG"}]},
    {"id": "good-carousel", "type": "carousel", "media": [{"file": "IMG_0016.JPG"}, {"file": "IMG_0014.JPG"}]},
    {"id": "half-bad-carousel", "type": "carousel", "media": [{"file": "IMG_0016.JPG"}, {"file": "TRUNCATED.JPG"}]}
  ]
}
JSON
chmod -R a-w "$shoot"
before=$(fingerprint "$shoot")

status=0
"$IGPREP" run "$shoot" --out "$out" 2> "$TEST_TMP/stderr" || status=$?
cat "$TEST_TMP/stderr" >&2
check "exit status is 1 (some posts failed), got $status" test "$status" -eq 1

# One error line per bad file, naming it and saying why.
expect_line() {
  local n
  n=$(grep -c -E "$1" "$TEST_TMP/stderr" || true)
  if [ "$n" -eq 1 ]; then pass; else fail "expected one line matching '$1', got $n"; fi
}
expect_line "error: .*shoot\.json:6:[0-9]+: post 'missing': media file 'MISSING\.JPG' is not in the shoot folder"
expect_line "error: .*/EMPTY\.JPG: empty file \(0 bytes\)"
expect_line "error: .*/TRUNCATED\.JPG: .*(truncated|Premature end)"
expect_line "error: .*/NOTES\.jpg: content is text, not a photo or video"
expect_line "error: .*/CORRUPT\.JPG: cannot decode \(truncated or corrupt image data\)"

for post in good-feed good-carousel; do
  check "$post was made" test -d "$out/posts/$post"
done
for post in missing empty truncated text corrupt half-bad-carousel; do
  check "nothing of $post under OUT/posts" test ! -e "$out/posts/$post"
done
# scrub encodes CORRUPT.JPG's master while decoding it: the encode stops
# with the decode, and neither a master nor its temporary file is left.
check "no master of CORRUPT.JPG" test -z "$(find "$out/masters" -name '*CORRUPT*')"
check "no hidden temporary folders or files left" test -z "$(find "$out" -name '.*tmp*')"
check "the good outputs verify" "$IGPREP" verify "$out" --quiet
check "the shoot folder was not written to" test "$before" = "$(fingerprint "$shoot")"
chmod -R u+w "$shoot"
done_testing
