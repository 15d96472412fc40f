# Review sheets people can work from without the page: the face numbers on
# review/index.png are large (digits 20 px high on a tab of the decision's
# colour), and both sheets show each photo's counts (hidden, cleared, not a
# face, undecided) under it, each after a square of its colour.
. "$(dirname "$0")/lib.sh"

shoot="$TEST_TMP/shoot"
out="$TEST_TMP/out"
mkdir -p "$shoot"
# A flat 600x400 photo (no face to find) with three small marks: hidden
# (manual, orange), cleared (green) and not a face (grey).
vips black "$TEST_TMP/black.v" 600 400 --bands 3
vips linear "$TEST_TMP/black.v" "$shoot/IMG_0001.jpg" 1 128 --uchar
echo '{"version": 1, "shoot": "sheets", "posts": [{"id": "p", "type": "feed", "media": [{"file": "IMG_0001.jpg"}]}]}' >"$shoot/shoot.json"
cat >"$shoot/faces.json" <<'JSON'
{"version": 1, "media": {"IMG_0001.jpg": {"faces": [
  {"id": "m1", "box": [300, 250, 12, 12], "source": "manual"},
  {"id": "m2", "box": [100, 250, 12, 12], "source": "manual", "cleared": true},
  {"id": "m3", "box": [450, 250, 12, 12], "source": "manual", "ignore": true} ]}}}
JSON
check "ingest, scrub and detect succeed" bash -c "'$IGPREP' ingest '$shoot' --out '$out' --quiet &&
  '$IGPREP' scrub '$shoot' --out '$out' --quiet && '$IGPREP' detect '$shoot' --out '$out' --quiet"

# measure IMAGE R,G,B FROM-ROW: how many rows (from FROM-ROW down) hold at
# least 12 pixels of exactly that colour, and how many such pixels in all.
measure() {
  /usr/bin/python3 - "$@" <<'PYEOF'
import sys
import numpy as np
from PIL import Image
img = np.asarray(Image.open(sys.argv[1]).convert("RGB"))[int(sys.argv[3]):]
hit = np.all(img == [int(v) for v in sys.argv[2].split(",")], axis=2)
print(int((hit.sum(axis=1) >= 12).sum()), int(hit.sum()))
PYEOF
}
# The manual box's tab in the index: 12 px and more of its orange on at
# least 24 rows (the box itself is 8 px wide there).
read -r rows _ <<<"$(measure "$out/review/index.png" 255,160,0 0)"
check "index.png: the face number's tab is at least 24 px tall (got $rows rows)" test "$rows" -ge 24
# The counts' squares under the picture: red (hidden; the undecided one is
# hollow red), green (cleared), grey (not a face), at least 8x8 px each.
for sheet in index.png IMG_0001.jpg.png; do
  [ "$sheet" = index.png ] && from=300 || from=800 # the pictures' heights
  for colour in 230,40,40 40,200,60 150,150,150; do
    read -r _ pixels <<<"$(measure "$out/review/$sheet" "$colour" "$from")"
    check "$sheet: a count's square of $colour under the picture ($pixels px)" test "$pixels" -ge 64
  done
done
check "the photo's sheet is the 1200x800 picture with a band under it" \
  test "$(vipsheader -f height "$out/review/IMG_0001.jpg.png")" -gt 800

# The counts' words are in the user's language (issue 17): under the Japanese
# locale the sheets are drawn again, the picture the same, the band's words
# not; back in English, the English sheet again.
cp "$out/review/IMG_0001.jpg.png" "$TEST_TMP/en.png"
check "detect under the Japanese locale succeeds" \
  env LANG=ja_JP.UTF-8 "$IGPREP" detect "$shoot" --out "$out" --quiet
# compare A B ROWS: "same" when the first ROWS rows match, then "same" or
# "differ" for the rest.
compare() {
  /usr/bin/python3 - "$@" <<'PYEOF'
import sys
import numpy as np
from PIL import Image
a, b = (np.asarray(Image.open(p).convert("RGB")).astype(int) for p in sys.argv[1:3])
rows = int(sys.argv[3])
top = "same" if np.array_equal(a[:rows], b[:rows]) else "differ"
rest = "same" if a.shape == b.shape and np.array_equal(a[rows:], b[rows:]) else "differ"
print(top, rest)
PYEOF
}
read -r top band <<<"$(compare "$TEST_TMP/en.png" "$out/review/IMG_0001.jpg.png" 800)"
check "ja sheet: the same picture ($top)" test "$top" = same
check "ja sheet: other words under it ($band)" test "$band" = differ
for colour in 230,40,40 40,200,60 150,150,150; do
  read -r _ pixels <<<"$(measure "$out/review/IMG_0001.jpg.png" "$colour" 800)"
  check "ja sheet: a count's square of $colour under the picture ($pixels px)" test "$pixels" -ge 64
done
"$IGPREP" detect "$shoot" --out "$out" --quiet
check "back in English, the English sheet" cmp -s "$TEST_TMP/en.png" "$out/review/IMG_0001.jpg.png"
done_testing
