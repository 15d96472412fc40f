# Reels and story videos (issue 6), checked with ffprobe and ffmpeg, not
# with igprep's own readers: phone-like clips (tests/fixtures/video/
# make-clips.sh: rotated, HLG and PQ 10-bit HEVC, VFR, 44.1 kHz mono, 5.1,
# no audio, 60 and 25 fps, 4:3 and 16:9, loud, 2 s) go through
# `igprep run`; every output must meet each target of instagram-specs §10:
# H.264 High yuv420p 1080x1920, constant frame rate (30, or the post's
# "fps"), keyframes at most 2 s apart in closed GOPs, moov before mdat and no
# elst box, BT.709 tags and tv range, AAC-LC 48 kHz stereo, -14 +-1 LUFS
# integrated and true peak <= -1 dBTP, duration as trimmed, size limits. The
# rotated clip comes out upright, the HLG clip as SDR BT.709 8-bit close to
# ffmpeg's own zscale+tonemap, the clip with no audio with a silent stereo
# AAC track and one warning line, the 2 s clip refused with one line naming
# it while the other posts are made. (The 65 s story in parts of <= 60 s is
# tests/long/t-story-long.sh.)
. "$(dirname "$0")/../integration/lib.sh"

shoot="$TEST_TMP/shoot"
out="$TEST_TMP/out"
mkdir -p "$shoot"
bash "$IGP_SRC/tests/fixtures/video/make-clips.sh" "$shoot" rotated.mov hlg.mov pq.mov vfr.mp4 \
  mono44k.mov surround.mp4 silent.mp4 fps60.mp4 fps25.mp4 landscape43.mp4 landscape169.mp4 \
  loud.mp4 short.mp4

# id type file [extra JSON members of the post]
posts=(
  "reel-rotated reel rotated.mov"
  "reel-hlg reel hlg.mov"
  "reel-pq reel pq.mov"
  "reel-vfr reel vfr.mp4"
  "reel-mono reel mono44k.mov trim:[0.5,4.0]"
  "reel-surround reel surround.mp4"
  "reel-silent reel silent.mp4"
  "reel-60 reel fps60.mp4 fps:60"
  "story-25 story fps25.mp4 fps:25 trim:[0.3,3.8]"
  "reel-43 reel landscape43.mp4"
  "reel-169 reel landscape169.mp4"
  "reel-loud reel loud.mp4"
  "reel-short reel short.mp4"
)
{
  echo '{"version": 1, "shoot": "reels", "posts": ['
  sep=
  for p in "${posts[@]}"; do
    read -r id type file extra <<<"$p"
    fps=null trim=null
    for kv in $extra; do
      case $kv in fps:*) fps=${kv#fps:} ;; trim:*) trim=${kv#trim:} ;; esac
    done
    jq -cn --arg id "$id" --arg type "$type" --arg file "$file" --argjson fps "$fps" \
      --argjson trim "$trim" \
      '{id: $id, type: $type, text: {title: "テスト \($id)"},
        media: [{file: $file} + (if $trim then {trim: $trim} else {} end)]}
       + (if $fps then {fps: $fps} else {} end)' | sed "s/^/$sep/"
    sep=,
  done
  echo ']}'
} >"$shoot/shoot.json"

status=0
"$IGPREP" run "$shoot" --out "$out" --quiet 2>"$TEST_TMP/err" || status=$?
cat "$TEST_TMP/err"
check "the run reports the 2 s clip (exit $status)" test "$status" -eq 1
check "one error line, naming short.mp4" test "$(grep -c 'error: .*short\.mp4' "$TEST_TMP/err")" -eq 1
check "no other error lines" test "$(grep -c 'error:' "$TEST_TMP/err")" -eq 1
check "no output for the 2 s clip" test ! -e "$out/posts/reel-short/reel-short.mp4"
check "one warning line for the clip with no audio" \
  test "$(grep -c 'warning: .*\(silent\.mp4\|reel-silent\)' "$TEST_TMP/err")" -eq 1

. "$(dirname "$0")/../integration/reel-lib.sh"

# ----------------------------------------------------------------- outputs --
for p in "${posts[@]}"; do
  read -r id type file extra <<<"$p"
  [ "$id" = reel-short ] && continue
  fps=30 seconds=4
  case $extra in *fps:*) fps=$(sed 's/.*fps:\([0-9]*\).*/\1/' <<<"$extra") ;; esac
  case $extra in *trim:*) seconds=$(sed 's/.*trim:\[\([0-9.]*\),\([0-9.]*\)\].*/\2 \1/' <<<"$extra" |
    awk '{ print $1 - $2 }') ;; esac
  silent=
  [ "$file" = silent.mp4 ] && silent=silent
  check_output "$out/posts/$id/$id.mp4" "$type" "$fps" "$seconds" $silent
  if [ "$type" = reel ]; then
    cover="$out/posts/$id/$id-cover.jpg"
    check "$id: a 1080x1920 cover JPEG" \
      test "$(vipsheader -f width "$cover" 2>/dev/null)x$(vipsheader -f height "$cover" 2>/dev/null)" = 1080x1920
  fi
  report="$out/reports/reels/$id.json"
  check "$id: a report with one entry per output frame" \
    test "$(jq '(.frames | length) == ([.outputs[].frames] | add)' "$report" 2>/dev/null)" = true
done

check "igprep's own verify passed every file" test "$(jq .ok "$out/reports/verify.json")" = true

# --------------------------------------------------------------- pictures --
mid=45 # a frame in the middle of a 4 s output

report="$out/reports/reels/reel-rotated.json"
check "rotated clip: the window is the whole upright 720x1280 frame ($(jq -c .crop "$report"))" \
  test "$(jq -c .crop "$report")" = "[720,1280]"
out_frame "$out/posts/reel-rotated/reel-rotated.mp4" $mid "$TEST_TMP/rot-out.png"
ref_frame "$shoot/rotated.mov" "$report" $mid "$TEST_TMP/rot-ref.png"
vips rot "$TEST_TMP/rot-ref.png" "$TEST_TMP/rot-ref180.png" d180 >/dev/null
upright=$(shape_diff "$TEST_TMP/rot-out.png" "$TEST_TMP/rot-ref.png")
wrong=$(shape_diff "$TEST_TMP/rot-out.png" "$TEST_TMP/rot-ref180.png")
check "rotated clip: upright like ffmpeg's rotation of the source (shape diff $upright < 15)" \
  awk "BEGIN { exit !($upright < 15) }"
check "rotated clip: not upside down (shape diff $wrong > 50)" awk "BEGIN { exit !($wrong > 50) }"

# The 16:9 clip: the window the report gives is what the frame shows.
report="$out/reports/reels/reel-169.json"
check "16:9 clip: a 9:16 window of the full height, no border ($(jq -c .crop "$report"))" \
  test "$(jq '.crop[1] == 360 and (.crop[0] / .crop[1] - 0.5625 | fabs) < 0.01' "$report")" = true
out_frame "$out/posts/reel-169/reel-169.mp4" $mid "$TEST_TMP/w-out.png"
ref_frame "$shoot/landscape169.mp4" "$report" $mid "$TEST_TMP/w-ref.png"
# (a window 20 source pixels off measures about 19 here)
d=$(shape_diff "$TEST_TMP/w-out.png" "$TEST_TMP/w-ref.png")
check "16:9 clip: frame $mid shows the reported window (shape diff $d < 8)" awk "BEGIN { exit !($d < 8) }"

# HLG and PQ: SDR, 8-bit, BT.709, neither washed out nor black, close to
# ffmpeg's own tone-mapping of the same frame.
for c in hlg pq; do
  report="$out/reports/reels/reel-$c.json"
  f="$out/posts/reel-$c/reel-$c.mp4"
  check "$c clip: 8-bit BT.709 SDR ($(stream "$f" v:0 pix_fmt) $(stream "$f" v:0 color_transfer))" \
    test "$(stream "$f" v:0 pix_fmt) $(stream "$f" v:0 color_transfer)" = "yuv420p bt709"
  out_frame "$f" $mid "$TEST_TMP/$c-out.png"
  ref_frame "$shoot/$c.mov" "$report" $mid "$TEST_TMP/$c-ref.png" tonemap
  got=$(vips avg "$TEST_TMP/$c-out.png")
  want=$(vips avg "$TEST_TMP/$c-ref.png")
  got_sd=$(vips deviate "$TEST_TMP/$c-out.png")
  want_sd=$(vips deviate "$TEST_TMP/$c-ref.png")
  check "$c clip: mean luma $got in a sane range (30..200)" awk "BEGIN { exit !($got > 30 && $got < 200) }"
  check "$c clip: mean luma $got within 20 of ffmpeg's tonemap ($want)" approx "$got" "$want" 20
  check "$c clip: contrast (sd $got_sd) not washed out, near ffmpeg's ($want_sd)" \
    awk "BEGIN { exit !($got_sd > 0.6 * $want_sd && $got_sd < 1.5 * $want_sd) }"
done
done_testing
