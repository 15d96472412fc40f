# The orientation-6 sample comes out upright: its master matches the source
# rotated by libvips (an independent path: the vips CLI's autorot).
. "$(dirname "$0")/lib.sh"

out="$TEST_TMP/out"
src="$SAMPLE/IMG_0013.JPG"
check "the sample really is orientation 6" test "$(exiftool -n -s3 -Orientation "$src")" = 6
check "its stored pixels are portrait" test "$(vipsheader -f width "$src")" = 2000

sample_out "$out"
master="$out/masters/IMG_0013.JPG.jpg"
check "master is landscape as displayed" test "$(vipsheader -f width "$master")x$(vipsheader -f height "$master")" = 3000x2000

vips autorot "$src" "$TEST_TMP/upright.v" >/dev/null
vips rot "$TEST_TMP/upright.v" "$TEST_TMP/upside-down.v" d180 >/dev/null
upright=$(mean_abs_diff "$master" "$TEST_TMP/upright.v")
wrong=$(mean_abs_diff "$master" "$TEST_TMP/upside-down.v")
# Calibrated: a Q95 re-encode of the same picture differs by about 0.5 on
# average; the same picture upside down by about 40.
check "master matches the upright source (mean |diff| $upright < 2)" awk "BEGIN{exit !($upright < 2)}"
check "and not the upside-down one (mean |diff| $wrong > 15)" awk "BEGIN{exit !($wrong > 15)}"
check "no orientation tag left" test -z "$(exiftool -s3 -Orientation "$master")"
done_testing
