# Scrub, videos: phone clips made by ffmpeg and exiftool with GPS in the
# container, a subtitle track, a timecode track and chapters, a rotated clip,
# HEVC 10-bit HLG and a clip with no audio. Each master has exactly one video
# and at most one audio stream and nothing else, as ffprobe and exiftool see
# it; the rotated clip comes out upright. Bad videos and a decompression bomb
# are refused quickly with one line each, and the rest of the shoot goes on.
. "$(dirname "$0")/lib.sh"

shoot="$TEST_TMP/shoot"
out="$TEST_TMP/out"
mkdir -p "$shoot"
ff() { ffmpeg -v error -y "$@"; }
location=(-metadata location=+35.6895+139.6917+040.000/ -metadata make=Apple -metadata "model=iPhone 14"
  -metadata creation_time=2026-11-20T02:15:30Z -movflags use_metadata_tags)
picture=(-f lavfi -i testsrc2=size=640x360:rate=30)
tone=(-f lavfi -i sine=frequency=440:sample_rate=44100)

# Dashcam-style: a subtitle track holding GPS text, chapters, a timecode track.
printf '1\n00:00:00,000 --> 00:00:02,000\nN35.6895 E139.6917 42km/h\n' > "$TEST_TMP/gps.srt"
printf ';FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=1000\ntitle=Home street\n' > "$TEST_TMP/chapters.txt"
ff "${picture[@]}" "${tone[@]}" -i "$TEST_TMP/gps.srt" -i "$TEST_TMP/chapters.txt" -t 2 \
  -map 0:v -map 1:a -map 2:s -map_chapters 3 -c:v libx264 -pix_fmt yuv420p -c:a aac -c:s mov_text \
  -timecode 10:00:00:00 "${location[@]}" "$shoot/dashcam.mov"
exiftool -q -q -overwrite_original -Keys:GPSCoordinates="35.6895 139.6917 40" \
  -UserData:Make=Apple "$shoot/dashcam.mov"
# An iPhone clip shot upright: stored landscape with a 90° display matrix.
ff "${picture[@]}" "${tone[@]}" -t 2 -c:v libx264 -pix_fmt yuv420p -c:a aac \
  "${location[@]}" "$shoot/rotated.mov"
exiftool -q -q -overwrite_original -Rotation=90 "$shoot/rotated.mov" # the track's display matrix
# HEVC Main 10, HLG, as iPhones record by default.
ff "${picture[@]}" "${tone[@]}" -t 2 -c:v libx265 -x265-params log-level=none -pix_fmt yuv420p10le \
  -color_primaries bt2020 -color_trc arib-std-b67 -colorspace bt2020nc -tag:v hvc1 -c:a aac \
  "${location[@]}" "$shoot/hlg.mov"
# No audio at all.
ff "${picture[@]}" -t 2 -c:v libx264 -pix_fmt yuv420p "${location[@]}" "$shoot/silent.mp4"

# Bad inputs: truncated (moov at the end, cut off), random bytes, a PNG bomb.
head -c 60000 "$shoot/dashcam.mov" > "$shoot/truncated.mov"
head -c 200000 /dev/urandom > "$shoot/random.mov"
python3 - "$shoot/bomb.png" <<'PY'
import struct, sys, zlib
def chunk(t, d): return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
ihdr = struct.pack(">IIBBBBB", 60000, 60000, 8, 2, 0, 0, 0)   # 60000x60000 RGB
idat = zlib.compress(b"\0" * (1 + 3 * 60000) * 64, 9)          # the first rows only
open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b""))
PY

good=(dashcam.mov rotated.mov hlg.mov silent.mp4)
bad=(truncated.mov random.mov bomb.png)
{
  # (a title: reel-basic's title card needs one, and a run checks that first)
  echo '{"version": 1, "shoot": "videos", "title": "テスト", "posts": ['
  first=1
  for f in "${good[@]}" "${bad[@]}"; do
    [ $first = 1 ] || echo ','
    first=0
    type=reel
    [ "$f" = bomb.png ] && type=feed
    printf '{"id": "%s", "type": "%s", "media": [{"file": "%s"}]}' "${f%%.*}" "$type" "$f"
  done
  echo ']}'
} > "$shoot/shoot.json"

# Each bad file alone: one line naming it, within 2 s and 200 MB.
for f in "${bad[@]}"; do
  one="$TEST_TMP/one-$f"
  mkdir -p "$one"
  cp "$shoot/$f" "$one/"
  printf '{"version": 1, "shoot": "one", "title": "テスト", "posts": [{"id": "p", "type": "%s", "media": [{"file": "%s"}]}]}' \
    "$([ "$f" = bomb.png ] && echo feed || echo reel)" "$f" > "$one/shoot.json"
  status=0
  /usr/bin/time -f '%e %M' -o "$TEST_TMP/time" "$IGP_BIN/igprep-ingest" "$one" --out "$TEST_TMP/o-$f" \
    --quiet 2> "$TEST_TMP/err" || status=$?
  read -r seconds kbytes < <(tail -n 1 "$TEST_TMP/time")
  echo "$f: refused in ${seconds} s, peak ${kbytes} KB: $(cat "$TEST_TMP/err")"
  check "$f refused (exit $status)" test "$status" -eq 1
  check "$f: one error line naming it" test "$(grep -c "error: .*$f: " "$TEST_TMP/err")" -eq 1
  check "$f: within 2 s (${seconds} s)" awk "BEGIN{exit !($seconds < 2)}"
  check "$f: within 200 MB (${kbytes} KB)" test "$kbytes" -lt 204800
done
check "the bomb's message says why" grep -q "60000x60000.*over the limit" "$TEST_TMP/err"

# The whole shoot through igprep run: the bad files fail, the good videos are
# scrubbed (the 2 s clips are too short for reels: their encode fails with its
# own message, after the masters are written).
status=0
"$IGPREP" run "$shoot" --out "$out" --quiet 2>"$TEST_TMP/run-err" || status=$?
check "the shoot reports its bad files (exit $status)" test "$status" -eq 1
for f in "${bad[@]}"; do
  check "run: one line for $f" test "$(grep -c "error: .*/$f: " "$TEST_TMP/run-err")" -eq 1
done
check "run: the video masters pass verify" \
  test "$(jq '[.files[] | select(.kind == "master-video") | .ok] | (length == 4) and all' "$out/reports/verify.json")" = true

for f in "${good[@]}"; do
  m="$out/masters/$f.mp4"
  check "$f has a master" test -f "$m"
  [ -f "$m" ] || continue
  leaks=$(exiftool_video_leaks "$m")
  if [ -n "$leaks" ]; then fail "$f master leaks: $(echo $leaks)"; else pass; fi
  dates=$(exiftool -j -a -G1 -ee -u "$m" | jq -r '.[0] | to_entries[] | select(.key | test("^(QuickTime|Track[0-9]+):.*Date$")) | .value' | sort -u)
  check "$f master: every date is zero ($dates)" test "$dates" = "0000:00:00 00:00:00"
  streams=$(ffprobe -v error -show_entries stream=codec_type -of csv=p=0 "$m" | sort | tr '\n' ' ')
  check "$f master: one video, at most one audio ($streams)" \
    bash -c "[[ '$streams' == 'audio video ' || '$streams' == 'video ' ]]"
  check "$f master: no chapters" test -z "$(ffprobe -v error -show_chapters -of csv=p=0 "$m")"
  tags=$(ffprobe -v error -show_entries format_tags:stream_tags -of json "$m" |
    jq -r '[.format.tags // {}, (.streams[].tags // {})] | map(keys[]) | map(select(test("^(major_brand|minor_version|compatible_brands|handler_name|vendor_id|language)$") | not)) | join(",")')
  check "$f master: no container or stream tags ($tags)" test -z "$tags"
  privacy=$({ "$IGPREP" verify --json "$m" 2>/dev/null || true; } |
    jq -r 'select(.event == "result") | [.files[0].checks[] | select(.check == "metadata" or .check == "tags" or .check == "streams") | .ok] | all')
  check "$f master passes igprep's privacy checks" test "$privacy" = true
done
check "the silent clip stays silent" \
  test "$(ffprobe -v error -select_streams a -show_entries stream=index -of csv=p=0 "$out/masters/silent.mp4.mp4")" = ""
check "the HLG clip keeps 10 bits" \
  test "$(ffprobe -v error -show_entries stream=pix_fmt -of csv=p=0 "$out/masters/hlg.mov.mp4" | head -1)" = yuv420p10le
check "the dashcam source did have a subtitle track" \
  test "$(ffprobe -v error -select_streams s -show_entries stream=codec_name -of csv=p=0 "$shoot/dashcam.mov")" = mov_text
for f in "${good[@]}"; do
  status=0
  "$IGPREP" verify "$shoot/$f" >/dev/null 2>&1 || status=$?
  check "verify flags the source $f (exit $status)" test "$status" -eq 3
done
check "audit lists the extra tracks and GPS of the dashcam clip" \
  test "$(jq -r '.media["dashcam.mov"].found | (index("extra tracks") != null) and (index("gps position") != null)' "$out/reports/scrub.json")" = true

# Upright: the rotated clip's master is portrait and matches ffmpeg's own
# display-matrix rotation of the source, not the stored landscape frame.
m="$out/masters/rotated.mov.mp4"
check "rotated clip: master is 360x640" \
  test "$(ffprobe -v error -show_entries stream=width,height -of csv=p=0 -select_streams v "$m")" = 360,640
ff -i "$shoot/rotated.mov" -frames:v 1 "$TEST_TMP/ref.png"
ff -i "$m" -frames:v 1 "$TEST_TMP/got.png"
vips rot "$TEST_TMP/ref.png" "$TEST_TMP/ref180.png" d180 >/dev/null
upright=$(mean_abs_diff "$TEST_TMP/got.png" "$TEST_TMP/ref.png")
wrong=$(mean_abs_diff "$TEST_TMP/got.png" "$TEST_TMP/ref180.png")
check "rotated clip: first frame upright (mean |diff| $upright < 4)" awk "BEGIN{exit !($upright < 4)}"
check "rotated clip: and not upside down ($wrong > 20)" awk "BEGIN{exit !($wrong > 20)}"
done_testing
