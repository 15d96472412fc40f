# igprep verify on files igprep did not make: every check with its measured
# value in --json, and the limits of instagram-specs §10 enforced — a
# 1920x1080 MP4 with moov at the end, a 3:4 JPEG, a camera-sized 4:3 JPEG and
# a PNG are flagged; files that meet the specs pass.
. "$(dirname "$0")/lib.sh"
# (Fixture encodes use x264's ultrafast preset: only their container and stream
# parameters matter here, not their compression.)

ff() { ffmpeg -v error -y "$@"; }
# verify --json's result line (docs/json.md): the report, after the events.
vj() { { "$IGPREP" verify --json "$@" 2>/dev/null || true; } | jq -c 'select(.event == "result")'; }
failed_checks() { vj "$@" | jq -r '[.files[0].checks[] | select(.ok | not) | .check] | join(",")'; }

# A landscape MP4 as ffmpeg writes it by default: moov after mdat.
ff -f lavfi -i testsrc2=size=1920x1080:rate=30 -f lavfi -i sine=sample_rate=48000 -t 4 \
  -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -ac 2 "$TEST_TMP/landscape.mp4"
check "moov-at-end MP4: faststart fails" bash -c "[[ '$(failed_checks "$TEST_TMP/landscape.mp4")' == *faststart* ]]"
# The same with faststart and no edit lists meets a reel's limits.
ff -i "$TEST_TMP/landscape.mp4" -c copy -movflags +faststart -use_editlist 0 -map_metadata -1 \
  -fflags +bitexact -flags:v +bitexact -flags:a +bitexact "$TEST_TMP/ok.mp4"
check "a spec-conforming MP4 passes (failed: $(failed_checks "$TEST_TMP/ok.mp4"))" \
  "$IGPREP" verify "$TEST_TMP/ok.mp4" --quiet
# As a story video it is judged against igprep's own targets (1080x1920,
# 2 s GOP, BT.709 tags, -14 LUFS ...; t-verify-reel.sh), which it misses.
failed=$(failed_checks --as story-video "$TEST_TMP/ok.mp4")
check "as a story video it misses the targets ($failed)" \
  bash -c "[[ '$failed' == *dimensions* && '$failed' == *colour* && '$failed' != *faststart* ]]"
ff -i "$TEST_TMP/ok.mp4" -t 2 -c copy -movflags +faststart -use_editlist 0 -map_metadata -1 \
  -fflags +bitexact "$TEST_TMP/short.mp4"
check "a 2 s clip fails the 3 s minimum" bash -c "[[ '$(failed_checks "$TEST_TMP/short.mp4")' == *duration* ]]"
# 10-bit and 5.1 break the video and audio limits.
ff -f lavfi -i testsrc2=size=1080x1920:rate=30 -f lavfi -i "sine=sample_rate=48000" -t 4 \
  -c:v libx264 -preset ultrafast -pix_fmt yuv420p10le -c:a aac -ac 6 -movflags +faststart "$TEST_TMP/tenbit.mp4"
failed=$(failed_checks "$TEST_TMP/tenbit.mp4")
check "10-bit 5.1 MP4: pix_fmt and channels fail ($failed)" bash -c "[[ '$failed' == *pix_fmt* && '$failed' == *audio_channels* ]]"

# Images: a 3:4 portrait (app-only shape, refused by the API), a 4032x3024
# camera JPEG, a PNG; a 1080x1350 JPEG and a 1080x1920 story pass.
vips black "$TEST_TMP/b.v" 1080 1440 --bands 3 >/dev/null
vips copy "$TEST_TMP/b.v" "$TEST_TMP/three-four.jpg[strip]" >/dev/null
check "3:4 JPEG: aspect fails" bash -c "[[ '$(failed_checks "$TEST_TMP/three-four.jpg")' == aspect ]]"
vips black "$TEST_TMP/c.v" 4032 3024 --bands 3 >/dev/null
vips copy "$TEST_TMP/c.v" "$TEST_TMP/camera.jpg[strip]" >/dev/null
check "4032x3024 JPEG: width fails" bash -c "[[ '$(failed_checks "$TEST_TMP/camera.jpg")' == width ]]"
vips copy "$TEST_TMP/b.v" "$TEST_TMP/screen.png" >/dev/null
check "PNG: format fails" bash -c "[[ '$(failed_checks "$TEST_TMP/screen.png")' == format* ]]"
vips black "$TEST_TMP/f.v" 1080 1350 --bands 3 >/dev/null
vips copy "$TEST_TMP/f.v" "$TEST_TMP/feed.jpg[strip]" >/dev/null
check "a 1080x1350 JPEG passes" "$IGPREP" verify "$TEST_TMP/feed.jpg" --quiet
vips black "$TEST_TMP/s.v" 1080 1920 --bands 3 >/dev/null
vips copy "$TEST_TMP/s.v" "$TEST_TMP/story.jpg[strip]" >/dev/null
check "a 1080x1920 JPEG passes as a story" "$IGPREP" verify "$TEST_TMP/story.jpg" --quiet
check "and as a reel cover" "$IGPREP" verify --as reel-cover "$TEST_TMP/story.jpg" --quiet
status=0; "$IGPREP" verify --as feed-image "$TEST_TMP/story.jpg" >/dev/null 2>&1 || status=$?
check "but not as a feed image (exit $status)" test "$status" -eq 3

# --json: every check carries its measured value, and the summary counts.
vj "$TEST_TMP/landscape.mp4" "$TEST_TMP/camera.jpg" "$TEST_TMP/feed.jpg" > "$TEST_TMP/all.json"
check "--json: three files, two failed" \
  test "$(jq -r '"\(.checked) \(.failed)"' "$TEST_TMP/all.json")" = "3 2"
check "--json: every check has a value" \
  test "$(jq '[.files[].checks[] | has("value") and has("ok") and has("check")] | all' "$TEST_TMP/all.json")" = true
check "--json: the MP4's width is measured" \
  test "$(jq '.files[0].checks[] | select(.check == "width") | .value' "$TEST_TMP/all.json")" = 1920
status=0; "$IGPREP" verify --as banner "$TEST_TMP/feed.jpg" >/dev/null 2>&1 || status=$?
check "an unknown --as is a usage error (exit $status)" test "$status" -eq 2
done_testing
