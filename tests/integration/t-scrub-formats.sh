# Scrub, every photo format: dirty inputs made by real writers (exiftool,
# libvips, libheif's heif-enc, ImageMagick) come out with nothing but
# structure, as exiftool sees them; igprep verify flags every input and
# passes every output; orientation 6 and 8 come out upright.
. "$(dirname "$0")/lib.sh"

shoot="$TEST_TMP/shoot"
out="$TEST_TMP/out"
mkdir -p "$shoot"
base="$TEST_TMP/base.jpg"
vips resize "$SAMPLE/IMG_0016.JPG" "$base" 0.5 >/dev/null
vips copy "$base" "$TEST_TMP/base.png[strip]" >/dev/null

camera_tags=(-EXIF:Make=Canon "-EXIF:Model=EOS R6" -EXIF:SerialNumber=0320210047 -EXIF:OwnerName=Taro
  -EXIF:Artist=Taro -EXIF:Software=Firmware1.2 "-EXIF:DateTimeOriginal=2026:11:20 10:00:00"
  -EXIF:GPSLatitude=35.6895 -EXIF:GPSLatitudeRef=N -EXIF:GPSLongitude=139.6917 -EXIF:GPSLongitudeRef=E
  -XMP-dc:Creator=Taro -XMP-photoshop:City=Shinjuku)
write_tags() { exiftool -q -q -overwrite_original "$@"; }

# JPEG from a camera: EXIF, GPS, XMP, IPTC, a comment and a thumbnail.
vips copy "$base" "$shoot/camera.jpg[strip]" >/dev/null
vips thumbnail "$base" "$TEST_TMP/thumb.jpg" 160 >/dev/null
write_tags "${camera_tags[@]}" -IPTC:By-line=Taro -IPTC:City=Shinjuku -Comment=secret \
  "-ThumbnailImage<=$TEST_TMP/thumb.jpg" "$shoot/camera.jpg"
# ExtendedXMP: an XMP packet too large for one segment.
cp "$shoot/camera.jpg" "$shoot/extxmp.jpg"
head -c 70000 /dev/zero | tr '\0' 'x' > "$TEST_TMP/long.txt"
write_tags "-XMP-dc:Description<=$TEST_TMP/long.txt" "$shoot/extxmp.jpg"
# An Android motion photo: an MP4 appended after the JPEG's end.
ffmpeg -v error -f lavfi -i testsrc=size=320x240:rate=10 -t 1 -pix_fmt yuv420p \
  -metadata location=+35.6895+139.6917/ "$TEST_TMP/clip.mp4"
cat "$shoot/camera.jpg" "$TEST_TMP/clip.mp4" > "$shoot/motion.jpg"
# Multi-picture (MPF): an APP2 "MPF" segment and a second image after EOI.
{ head -c 2 "$shoot/camera.jpg"; printf '\xff\xe2\x00\x0eMPF\x00MM\x00\x2a\x00\x00\x00\x08'
  tail -c +3 "$shoot/camera.jpg"; cat "$TEST_TMP/thumb.jpg"; } > "$shoot/mpf.jpg"
# Orientation 6 and 8: stored sideways, displayed upright.
vips rot "$base" "$TEST_TMP/r270.jpg" d270 >/dev/null
vips rot "$base" "$TEST_TMP/r90.jpg[Q=95,subsample-mode=off]" d90 >/dev/null # 4:4:4
cp "$TEST_TMP/r270.jpg" "$shoot/orient6.jpg"
cp "$TEST_TMP/r90.jpg" "$shoot/orient8.jpg"
write_tags -n -Orientation=6 "$shoot/orient6.jpg"
write_tags -n -Orientation=8 "$shoot/orient8.jpg"
# CMYK and greyscale JPEGs.
convert "$base" -colorspace CMYK "$shoot/cmyk.jpg"
write_tags "${camera_tags[@]}" "$shoot/cmyk.jpg"
vips colourspace "$base" "$shoot/grey.jpg" b-w >/dev/null
write_tags "${camera_tags[@]}" "$shoot/grey.jpg"
# HEIC and AVIF (libheif), then EXIF/XMP by exiftool.
heif-enc -q 70 -o "$shoot/phone.heic" "$TEST_TMP/base.png" >/dev/null
heif-enc -A -q 60 -o "$shoot/phone.avif" "$TEST_TMP/base.png" >/dev/null
write_tags "${camera_tags[@]}" "$shoot/phone.heic"
write_tags "${camera_tags[@]}" "$shoot/phone.avif"
# PNG screenshot: eXIf, tEXt, zTXt, iTXt (XMP) and tIME chunks.
cp "$TEST_TMP/base.png" "$shoot/screen.png"
write_tags -EXIF:GPSLatitude=35 -EXIF:GPSLatitudeRef=N -EXIF:Make=Apple "$shoot/screen.png"
write_tags -PNG:Author=Taro "-PNG:ModifyDate=2026:01:01 00:00:00" -XMP-dc:Creator=Taro "$shoot/screen.png"
write_tags -z "-PNG:Comment=$(head -c 400 /dev/zero | tr '\0' 'y')" "$shoot/screen.png"
# WebP, TIFF and an animated GIF.
vips webpsave "$base" "$shoot/shared.webp" --strip >/dev/null
write_tags "${camera_tags[@]}" "$shoot/shared.webp"
vips tiffsave "$base" "$shoot/scan.tif" --strip >/dev/null
write_tags "${camera_tags[@]}" -IPTC:By-line=Taro "$shoot/scan.tif"
convert "$base" -resize 1100x \( +clone -negate \) -loop 0 "$shoot/anim.gif"
write_tags -Comment=secret -XMP-dc:Creator=Taro "$shoot/anim.gif"

names=(camera extxmp motion mpf orient6 orient8 cmyk grey phone-heic phone-avif screen shared scan anim)
files=(camera.jpg extxmp.jpg motion.jpg mpf.jpg orient6.jpg orient8.jpg cmyk.jpg grey.jpg
  phone.heic phone.avif screen.png shared.webp scan.tif anim.gif)
{
  echo '{"version": 1, "shoot": "formats", "posts": ['
  for i in "${!names[@]}"; do
    [ "$i" -gt 0 ] && echo ','
    printf '{"id": "%s", "type": "feed", "aspect": "1:1", "media": [{"file": "%s"}]}' "${names[$i]}" "${files[$i]}"
  done
  echo ']}'
} > "$shoot/shoot.json"

# Every input is flagged by igprep verify, and carries what the test claims.
for f in "${files[@]}"; do
  status=0
  "$IGPREP" verify "$shoot/$f" >/dev/null 2>&1 || status=$?
  check "verify flags the dirty input $f (exit $status)" test "$status" -eq 3
done
check "the PNG carries text, EXIF and time chunks" \
  bash -c "'$IGPREP' verify --json '$shoot/screen.png' 2>/dev/null | jq -e 'select(.event==\"result\") | [.files[0].checks[] | select(.check==\"metadata\") | .value[]] | (map(test(\"^(tEXt|zTXt|iTXt|eXIf|tIME)\")) | all) and length >= 5' >/dev/null"
check "the ExtendedXMP input has extended XMP" test -n "$(exiftool -XMP-xmpNote:HasExtendedXMP "$shoot/extxmp.jpg")"
check "the motion photo has bytes after EOI" \
  bash -c "'$IGPREP' verify --json '$shoot/motion.jpg' 2>/dev/null | jq -e 'select(.event==\"result\") | .files[0].checks[] | select(.check==\"trailing_bytes\") | .value > 1000' >/dev/null"

before=$(fingerprint "$shoot")
check "igprep run scrubs every format" "$IGPREP" run "$shoot" --out "$out" --quiet

# Nothing but structure survives, as an independent reader sees it.
for f in "$out"/posts/*/*.jpg "$out"/masters/*.* "$out"/masters/redacted/*; do
  leaks=$(exiftool_leaks "$f")
  if [ -n "$leaks" ]; then fail "$f leaks: $(echo $leaks)"; else pass; fi
done
check "one master per source" test "$(find "$out/masters" -maxdepth 1 -type f | wc -l)" -eq "${#files[@]}"
check "every post made, with its next-day story" test "$(ls "$out/posts" | wc -l)" -eq "$((2 * ${#files[@]}))"
check "verify passes every output" "$IGPREP" verify "$out" --quiet
for f in "$out"/posts/*/*.jpg; do
  check "verify passes $(basename "$f") on its own" "$IGPREP" verify "$f" --quiet
done

# The audit names what each source carried.
audit() { jq -r --arg m "$1" '.media[$m].found | join(",")' "$out/reports/scrub.json"; }
for category in "gps position" "make/model" "serial number" owner software dates xmp iptc comments thumbnail; do
  check "audit of camera.jpg lists $category" bash -c "audit_line='$(audit camera.jpg)'; [[ \$audit_line == *'$category'* ]]"
done
check "audit of motion.jpg lists the trailer" bash -c "[[ '$(audit motion.jpg)' == *trailer* ]]"
check "audit of screen.png lists owner and dates" bash -c "[[ '$(audit screen.png)' == *owner*dates* ]]"
check "audit of phone.heic lists gps" bash -c "[[ '$(audit phone.heic)' == *'gps position'* ]]"

# Upright: the masters of orientation 6 and 8 match the picture as displayed.
for o in 6 8; do
  d=$(mean_abs_diff "$out/masters/orient$o.jpg.jpg" "$base")
  check "orientation $o comes out upright (mean |diff| $d < 3)" awk "BEGIN{exit !($d < 3)}"
done
# The GIF keeps its first frame, not the negated second one.
vips resize "$base" "$TEST_TMP/small.v" "$(awk 'BEGIN{print 1100/1500}')" >/dev/null
d=$(mean_abs_diff "$out/masters/anim.gif.jpg" "$TEST_TMP/small.v" 2>/dev/null || echo 999)
check "GIF: first frame kept (mean |diff| $d < 12)" awk "BEGIN{exit !($d < 12)}"
# A master keeps its source's chroma: 4:2:0 from a 4:2:0 JPEG (redacted too),
# 4:4:4 from a 4:4:4 JPEG and from the formats without JPEG's subsampling.
chroma() { exiftool -s3 -File:YCbCrSubSampling "$1"; }
check "camera.jpg is 4:2:0" test "$(chroma "$shoot/camera.jpg")" = "YCbCr4:2:0 (2 2)"
check "orient8.jpg is 4:4:4" test "$(chroma "$shoot/orient8.jpg")" = "YCbCr4:4:4 (1 1)"
for m in masters/camera.jpg.jpg masters/redacted/camera.jpg.jpg masters/orient6.jpg.jpg; do
  check "$m is 4:2:0, as its source" test "$(chroma "$out/$m")" = "YCbCr4:2:0 (2 2)"
done
for m in orient8.jpg phone.heic screen.png scan.tif; do
  check "the master of $m is 4:4:4" test "$(chroma "$out/masters/$m.jpg")" = "YCbCr4:4:4 (1 1)"
done
check "CMYK and grey become 3-band sRGB" \
  test "$(vipsheader -f bands "$out/masters/cmyk.jpg.jpg")$(vipsheader -f bands "$out/masters/grey.jpg.jpg")" = 33
check "the shoot folder was not written to" test "$before" = "$(fingerprint "$shoot")"
done_testing
