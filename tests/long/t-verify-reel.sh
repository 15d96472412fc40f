# igprep verify --as reel / story-video: igprep's own targets for reels and
# story videos (instagram-specs §10), checked on clips made by the ffmpeg CLI.
# The reference command of §10 with a two-pass loudnorm passes; variants that
# break one target each fail that check, with the measured value reported:
# wrong frame rate, variable frame rate, long GOP, open GOP, 10-bit, Main
# profile, level too high, no colour tags, an edit list, 44.1 kHz mono audio,
# loud audio, no audio track. The ffprobe checks of the acceptance test
# (reel-lib.sh, used by t-reel.sh) are held to the same files: they pass the
# reference and catch each broken target too.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/../integration/reel-lib.sh"

clips="$TEST_TMP/clips"
bash "$IGP_SRC/tests/fixtures/video/make-clips.sh" "$clips" landscape169.mp4 vfr.mp4
src="$clips/landscape169.mp4"

# verify --json's result line (docs/json.md): the report, after the events.
vj() { { "$IGPREP" verify --json "$@" 2>/dev/null || true; } | jq -c 'select(.event == "result")'; }
# The checks that failed, comma-separated, in report order.
failed_checks() { vj "$@" | jq -r '[.files[0].checks[] | select(.ok | not) | .check] | join(",")'; }
value_of() { # CHECK FILE [--as KIND]
  local c=$1
  shift
  vj "$@" | jq -c --arg c "$c" '.files[0].checks[] | select(.check == $c) | .value'
}

# loudnorm's first pass: the measured_* options of the second pass.
measure() {
  ffmpeg -hide_banner -nostdin -nostats -i "$1" -af loudnorm=I=-14:TP=-1:LRA=11:print_format=json \
    -f null - 2>&1 | sed -n '/^{/,/^}/p' |
    jq -r '"measured_I=\(.input_i):measured_TP=\(.input_tp):measured_LRA=\(.input_lra):measured_thresh=\(.input_thresh):offset=\(.target_offset):linear=true"'
}
second_pass="loudnorm=I=-14:TP=-1:LRA=11:$(measure "$src")"

# The reference command (instagram-specs §10), second loudnorm pass; each
# NAME=VALUE argument replaces one part, for the variants:
#   vf (the filters after crop), x264 (codec options), colour, af, audio, mux,
#   in (the source), preset.
reference() {
  local out=$1
  shift
  local in=$src preset=slow vf="fps=30,format=yuv420p"
  local scale="scale=1080:1920:force_original_aspect_ratio=increase:out_color_matrix=bt709:out_range=tv,crop=1080:1920"
  local x264="-profile:v high -level:v 4.1 -g 60 -keyint_min 60 -flags +cgop -bf 2"
  local colour="-color_primaries bt709 -color_trc bt709 -colorspace bt709 -color_range tv"
  local af=$second_pass audio="-c:a aac -b:a 128k -ar 48000 -ac 2"
  local mux="-movflags +faststart -use_editlist 0"
  local kv
  for kv in "$@"; do local "$kv"; done
  # shellcheck disable=SC2086 # the option strings are lists of words
  ffmpeg -nostdin -v error -y -i "$in" -vf "$scale,$vf" \
    -c:v libx264 -preset "$preset" -crf 19 -maxrate 20M -bufsize 40M $x264 $colour \
    ${af:+-af "$af"} $audio $mux "$TEST_TMP/enc.mp4"
  # Remux, dropping the encoder's name tag (a privacy check of its own).
  ffmpeg -nostdin -v error -y -i "$TEST_TMP/enc.mp4" -c copy -map_metadata -1 -fflags +bitexact \
    -flags:v +bitexact -flags:a +bitexact $mux "$out"
}

ok="$TEST_TMP/ok.mp4"
reference "$ok"
check "the reference command passes as a reel (failed: $(failed_checks --as reel "$ok"))" \
  "$IGPREP" verify --as reel "$ok" --quiet
check "and as a story video" "$IGPREP" verify --as story-video "$ok" --quiet
vj --as reel "$ok" > "$TEST_TMP/ok.json"
value() { jq -c --arg c "$1" '.files[0].checks[] | select(.check == $c) | .value' "$TEST_TMP/ok.json"; }
check "measured: 30 fps ($(value frame_rate))" test "$(value frame_rate)" = 30
check "measured: keyframes 2 s apart ($(value keyframe_interval))" test "$(value keyframe_interval)" = 2
check "measured: High ($(value profile)) level 4.1 ($(value level))" \
  test "$(value profile) $(value level)" = '"High" 4.1'
check "measured: colour ($(value colour))" test "$(value colour)" = '"bt709/bt709/bt709/tv"'
check "measured: 1080x1920 ($(value dimensions))" test "$(value dimensions)" = '"1080x1920"'
# ffmpeg's own ebur128 summary and igprep's reading of the same file agree.
ff_i=$(ffmpeg -hide_banner -nostdin -nostats -i "$ok" -af ebur128=peak=true -f null - 2>&1 |
  awk '/Summary:/ {s = 1} s && $1 == "I:" {print $2}')
check "measured loudness $(value loudness) LUFS = ffmpeg's ebur128 $ff_i" \
  awk "BEGIN {d = $(value loudness) - ($ff_i); exit !(d < 0.15 && d > -0.15)}"
check "measured true peak $(value true_peak) dBTP <= -1" awk "BEGIN {exit !($(value true_peak) <= -1)}"
check "the source (-30 LUFS) would fail the loudness check ($(value_of loudness --as reel "$src"))" \
  awk "BEGIN {exit !($(value_of loudness --as reel "$src") < -25)}"

# variant NAME EXPECTED_FAILED_CHECKS [reference overrides...]: exactly these
# checks fail (fast preset: the preset is not what is checked).
variant() {
  local name=$1 expected=$2
  shift 2
  reference "$TEST_TMP/$name.mp4" preset=veryfast "$@"
  local got
  got=$(failed_checks --as reel "$TEST_TMP/$name.mp4")
  check "$name: fails exactly $expected (failed: $got)" test "$got" = "$expected"
}
# (GOPs of 59 and 40 frames: still a keyframe every 2 s or less)
variant fps-2997 frame_rate vf="fps=30000/1001,format=yuv420p" \
  x264="-profile:v high -level:v 4.1 -g 59 -keyint_min 59 -flags +cgop -bf 2"
variant fps-20 frame_rate vf="fps=20,format=yuv420p" \
  x264="-profile:v high -level:v 4.1 -g 40 -keyint_min 40 -flags +cgop -bf 2"
variant long-gop keyframe_interval x264="-profile:v high -level:v 4.1 -g 250 -keyint_min 250 -bf 2"
variant open-gop closed_gop \
  x264="-profile:v high -level:v 4.1 -g 30 -bf 3 -x264-params open-gop=1:scenecut=0"
variant ten-bit pix_fmt,profile vf="fps=30,format=yuv420p10le" \
  x264="-profile:v high10 -level:v 4.1 -g 60 -keyint_min 60 -flags +cgop -bf 2"
variant main-profile profile x264="-profile:v main -level:v 4.1 -g 60 -keyint_min 60 -flags +cgop -bf 2"
variant level-42 level x264="-profile:v high -level:v 4.2 -g 60 -keyint_min 60 -flags +cgop -bf 2"
variant no-colour-tags colour colour=""
variant edit-list edit_lists mux="-movflags +faststart"
variant mono-44k audio_rate,audio_channels audio="-c:a aac -b:a 128k -ar 44100 -ac 1"
variant loud loudness,true_peak af="volume=22dB"
variant quiet loudness af=""
variant no-audio audio_track af="" audio="-an"
# 60 fps is allowed, and so is level 4.2 there.
variant fps-60 "" vf="fps=60,format=yuv420p" \
  x264="-profile:v high -level:v 4.2 -g 120 -keyint_min 120 -flags +cgop -bf 2"
check "60 fps measured ($(value_of frame_rate --as reel "$TEST_TMP/fps-60.mp4"))" \
  test "$(value_of frame_rate --as reel "$TEST_TMP/fps-60.mp4")" = 60
# A VFR phone clip, re-encoded keeping its timestamps, is variable.
variant vfr frame_rate in="$clips/vfr.mp4" vf="format=yuv420p" mux="-movflags +faststart -use_editlist 0 -fps_mode passthrough"
check "VFR: the report gives the range of frame steps ($(value_of frame_rate --as reel "$TEST_TMP/vfr.mp4"))" \
  bash -c "[[ '$(value_of frame_rate --as reel "$TEST_TMP/vfr.mp4")' == *variable* ]]"

# Digital silence (what the render writes for a source without sound) is
# not a loudness failure; a track that must be measured but cannot is.
variant silent-track "" af="volume=0"
check "a silent track's loudness reads 'digital silence'" \
  test "$(value_of loudness --as reel "$TEST_TMP/silent-track.mp4")" = '"digital silence"'

# A phone clip as it comes is far from the targets.
check "the landscape source fails as a story video on its size, GOP, colour, loudness" \
  bash -c "[[ '$(failed_checks --as story-video "$src")' == *dimensions*keyframe_interval*colour*loudness* ]]"
# The acceptance test's ffprobe checks: the reference passes all of them...
check_output "$ok" reel 30 4
check_output "$TEST_TMP/fps-60.mp4" reel 60 4
check_output "$TEST_TMP/silent-track.mp4" reel 30 4 silent
# ...and each variant fails the one about its broken target.
rejected() { # NAME FPS PATTERN: check_output on NAME.mp4 fails a check matching PATTERN
  local fails
  fails=$( (failures=0 passes=0; check_output "$TEST_TMP/$1.mp4" reel "$2" 4) 2>&1 >/dev/null | grep '^FAIL' || true)
  check "ffprobe checks catch $1 (${fails//$'\n'/; })" bash -c "grep -q -- '$3' <<<'$fails'"
}
rejected fps-2997 30 'constant frame rate'
rejected fps-20 30 'constant frame rate'
rejected long-gop 30 'keyframes <= 2 s'
rejected open-gop 30 'closed GOPs'
rejected ten-bit 30 'yuv420p 1080x1920'
rejected main-profile 30 'h264 High'
rejected level-42 30 'level 42 <= 41'
rejected no-colour-tags 30 'BT.709 tv'
rejected edit-list 30 'no elst'
rejected mono-44k 30 'AAC LC 48000 stereo'
rejected loud 30 '14 +-1 LUFS'
rejected quiet 30 '14 +-1 LUFS'
rejected no-audio 30 'one video and one audio'
rejected vfr 30 'constant frame rate'
done_testing
