# ffprobe/ffmpeg checks of a reel or story video against the targets of
# instagram-specs §10, independent of igprep's readers. Sourced by
# tests/long/t-reel.sh (igprep's outputs) and tests/long/t-verify-reel.sh
# (which proves these checks pass the reference ffmpeg command and catch
# each broken target). Needs lib.sh first.

# Top-level box order and every elst box, by walking the boxes ourselves.
cat >"$TEST_TMP/boxes.py" <<'PY'
import struct, sys
CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"dinf", b"udta", b"mvex"}
def walk(f, start, end, depth, out):
    pos = start
    while pos + 8 <= end:
        f.seek(pos)
        size, kind = struct.unpack(">I4s", f.read(8))
        head = 8
        if size == 1:
            size, head = struct.unpack(">Q", f.read(8))[0], 16
        elif size == 0:
            size = end - pos
        if size < head or pos + size > end:
            sys.exit("damaged box %r at %d" % (kind, pos))
        out.append((depth, kind.decode("latin-1")))
        if kind in CONTAINERS:
            walk(f, pos + head, pos + size, depth + 1, out)
        pos += size
with open(sys.argv[1], "rb") as f:
    f.seek(0, 2)
    boxes = []
    walk(f, 0, f.tell(), 0, boxes)
top = [k for d, k in boxes if d == 0]
print(" ".join(top), "|", sum(1 for d, k in boxes if k == "elst"))
PY

probe() { ffprobe -v error "$@"; }
stream() { # FILE SELECTOR ENTRY
  probe -select_streams "$2" -show_entries "stream=$3" -of default=nw=1:nk=1 "$1" | head -n 1
}
approx() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; exit !(d <= t && d >= -t) }'; }

# check_output FILE KIND FPS SECONDS [silent]: every limit, with ffprobe.
check_output() {
  local f=$1 kind=$2 fps=$3 seconds=$4 silent=${5:-} name
  name=${f#"${out:-}/"}
  check "$name exists" test -s "$f"
  [ -s "$f" ] || return 0
  local v="codec_name profile pix_fmt width height level r_frame_rate avg_frame_rate field_order"
  local got
  got=$(for e in $v; do printf '%s ' "$(stream "$f" v:0 "$e")"; done)
  local level max_level=41
  level=$(stream "$f" v:0 level)
  [ "$fps" -gt 30 ] && max_level=42
  check "$name: h264 High yuv420p 1080x1920 ${fps}/1 progressive ($got)" \
    bash -c "[[ '$got' == 'h264 High yuv420p 1080 1920 '*' $fps/1 $fps/1 progressive ' ]]"
  check "$name: level $level <= $max_level" test "$level" -le "$max_level"
  check "$name: one video and one audio stream" \
    test "$(probe -show_entries stream=codec_type -of csv=p=0 "$f" | sort | tr '\n' ' ')" = "audio video "
  # Packets in decode order: one frame step only, keyframes <= 2 s apart
  # (and from the last to the end), the first a keyframe, closed GOPs.
  local tb
  tb=$(stream "$f" v:0 time_base)
  probe -select_streams v:0 -show_entries packet=pts,dts,duration,flags -of csv=p=0 "$f" |
    awk -F, -v tb="$tb" '
      BEGIN { split(tb, q, "/"); s = q[1] / q[2] }
      { pts = $1; dts = $2; dur = $3; key = ($4 ~ /K/) }
      NR == 1 { firstkey = key }
      NR > 1 { steps[dts - pdts] = 1 }
      { durs[dur] = 1; pdts = dts; n++ }
      key { if (haskey) { gap = (pts - lastkey) * s; if (gap > maxgap) maxgap = gap }
            lastkey = pts; haskey = 1; keys++ }
      !key && keys > 1 && pts < lastkey { open++ }
      { if (pts + dur > end) end = pts + dur }
      END { gap = (end - lastkey) * s; if (gap > maxgap) maxgap = gap
            ns = 0; for (k in steps) { ns++; step = k }
            nd = 0; for (k in durs) nd++
            printf "%d %d %s %d %.4f %d %d %.6f\n", n, ns, step, nd, maxgap, firstkey, open + 0, step * s }
    ' >"$TEST_TMP/packets"
  local n ns step nd maxgap firstkey open step_s
  read -r n ns step nd maxgap firstkey open step_s <"$TEST_TMP/packets"
  check "$name: constant frame rate: one DTS step ($ns) and one duration ($nd), 1/$fps s ($step_s)" \
    bash -c "[ $ns -eq 1 ] && [ $nd -eq 1 ] && awk 'BEGIN { d = $step_s * $fps - 1; exit !(d < 1e-4 && d > -1e-4) }'"
  check "$name: first packet a keyframe, keyframes <= 2 s apart ($maxgap s)" \
    bash -c "[ $firstkey -eq 1 ] && awk 'BEGIN { exit !($maxgap <= 2.0001) }'"
  check "$name: closed GOPs ($open pictures shown before their keyframe)" test "$open" -eq 0
  local frames_expected
  frames_expected=$(awk -v s="$seconds" -v r="$fps" 'BEGIN { printf "%d", s * r + 0.5 }')
  check "$name: $n frames for $seconds s at $fps fps (+-1: $frames_expected)" \
    approx "$n" "$frames_expected" 1
  local boxes
  boxes=$(python3 "$TEST_TMP/boxes.py" "$f")
  check "$name: moov before mdat, no elst ($boxes)" \
    bash -c "[[ '$boxes' == *moov*mdat*'| 0' && '$boxes' != *mdat*moov* ]]"
  got=$(for e in color_primaries color_transfer color_space color_range; do
    printf '%s ' "$(stream "$f" v:0 "$e")"; done)
  check "$name: BT.709 tv ($got)" test "$got" = "bt709 bt709 bt709 tv "
  got=$(for e in codec_name profile sample_rate channels; do printf '%s ' "$(stream "$f" a:0 "$e")"; done)
  check "$name: AAC LC 48000 stereo ($got)" test "$got" = "aac LC 48000 2 "
  local duration bytes limit=300000000
  [ "$kind" = story ] && limit=100000000
  duration=$(probe -show_entries format=duration -of csv=p=0 "$f")
  check "$name: $duration s, as trimmed ($seconds s +- 0.1)" approx "$duration" "$seconds" 0.1
  bytes=$(stat -c %s "$f")
  check "$name: $bytes bytes <= $limit" test "$bytes" -le "$limit"
  # Loudness with ffmpeg's ebur128 (true peak on); silence for a clip with no sound.
  ffmpeg -hide_banner -nostdin -nostats -i "$f" -map 0:a:0 -af ebur128=peak=true -f null - 2>&1 |
    awk '/Summary:/ { s = 1 } s && $1 == "I:" { i = $2 } s && $1 == "Peak:" { p = $2 } END { print i, p }' \
      >"$TEST_TMP/loud"
  local lufs peak
  read -r lufs peak <"$TEST_TMP/loud"
  if [ -n "$silent" ]; then
    check "$name: a silent audio track (I $lufs LUFS, peak $peak)" \
      bash -c "[ '$peak' = -inf ] || awk 'BEGIN { exit !($peak < -90) }'"
  else
    local rate
    rate=$(stream "$f" a:0 bit_rate)
    check "$name: -14 +-1 LUFS ($lufs)" approx "$lufs" -14 1
    check "$name: true peak <= -1 dBTP ($peak)" awk "BEGIN { exit !($peak <= -1) }"
    check "$name: about 128 kb/s ($rate)" bash -c "[ $rate -ge 96000 ] && [ $rate -le 160000 ]"
  fi
}

# OUTPUT frame N as a small grey PNG, and what it should be: the source at
# the time the report gives, rotated by ffmpeg's display-matrix handling,
# cut at the report's window and scaled the same way (for HDR: ffmpeg's own
# zscale + tonemap to SDR BT.709).
# Only the bottom of the frame (y >= 1216 of 1920): reel-basic's logo bug,
# title card and end card are drawn above it (subtitles would be in it, and
# these posts have none).
small="270:480,crop=270:176:0:304"
out_frame() { # FILE N PNG
  ffmpeg -nostdin -v error -y -i "$1" -vf "select=eq(n\,$2),scale=$small,format=gray" -frames:v 1 "$3"
}
ref_frame() { # SOURCE REPORT N PNG [tonemap]
  local t x y w h pre=""
  read -r t x y < <(jq -r --argjson n "$3" '.frames[$n] | "\(.[0]) \(.[1]) \(.[2])"' "$2")
  read -r w h < <(jq -r '.crop | "\(.[0]) \(.[1])"' "$2")
  [ -n "${5:-}" ] && pre="zscale=t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,tonemap=tonemap=hable:desat=0,zscale=t=bt709:m=bt709:r=tv,format=yuv420p,"
  ffmpeg -nostdin -v error -y -ss "$t" -i "$1" -vf "${pre}crop=$w:$h:$x:$y,scale=$small,format=gray" \
    -frames:v 1 "$4"
}
# Mean absolute difference of two grey pictures after each is brought to
# zero mean and unit deviation (x 50): compares what is where, not how the
# levels were mapped (tv or full range, a tone curve).
shape_diff() {
  local i a=() v
  for i in 1 2; do
    v=${!i}
    vips linear -- "$v" "$TEST_TMP/norm$i.v" "$(awk -v s="$(vips deviate "$v")" 'BEGIN { print 50 / s }')" \
      "$(awk -v m="$(vips avg "$v")" -v s="$(vips deviate "$v")" 'BEGIN { print -m * 50 / s }')" >/dev/null
    a+=("$TEST_TMP/norm$i.v")
  done
  vips subtract "${a[0]}" "${a[1]}" "$TEST_TMP/norm-d.v" >/dev/null
  vips abs "$TEST_TMP/norm-d.v" "$TEST_TMP/norm-a.v" >/dev/null
  vips avg "$TEST_TMP/norm-a.v"
  rm -f "${a[@]}" "$TEST_TMP/norm-d.v" "$TEST_TMP/norm-a.v"
}
