# Templates draw the same under a Japanese locale: fontconfig names a font in
# the user's language (BIZ UDPGothic is 'BIZ UDPゴシック' under
# LANG=ja_JP.UTF-8), and the check that every run of text uses the template's
# family must know both names (it refused every template under Japanese).
. "$(dirname "$0")/lib.sh"

cd "$TEST_TMP"
for t in feed-report carousel-cover story-announce; do
  check "$t draws in the C locale" "$IGPREP" template preview "$t" --out "$TEST_TMP/$t-c.png"
  check "$t draws under LANG=ja_JP.UTF-8" env LANG=ja_JP.UTF-8 "$IGPREP" template preview "$t" --out "$TEST_TMP/$t-ja.png"
  check "$t: the same pixels in both" test "$(mean_abs_diff "$TEST_TMP/$t-c.png" "$TEST_TMP/$t-ja.png")" = 0.000000
done
done_testing
