# The samples run end to end; every post and master passes the privacy check
# of an independent reader (exiftool) and igprep's own verify.
. "$(dirname "$0")/lib.sh"

# The run itself is the "samples" fixture (setup-samples.sh), which also
# checks that it succeeded and left the shoot folder as it was.
out="$TEST_TMP/out"
before=$(fingerprint "$SAMPLE")
sample_out "$out"
cp "$IGP_CACHE/samples/progress.jsonl" "$TEST_TMP/progress.jsonl"
# --json: progress events a script can read, each stage and the reel to its end.
check "--json progress lines are JSON" jq -e -s 'length > 0' "$TEST_TMP/progress.jsonl"
for stage in ingest scrub detect redact encode reel-01; do
  check "--json: $stage reaches its total" \
    jq -e -s --arg s "$stage" 'map(select(.stage == $s)) | last | .done == .total' "$TEST_TMP/progress.jsonl"
done

# Outputs where the README says, at Instagram's sizes.
for f in feed-01/feed-01.jpg carousel-01/carousel-01-01.jpg carousel-01/carousel-01-04.jpg; do
  check "$f is 1080x1350" test "$(vipsheader -f width "$out/posts/$f")x$(vipsheader -f height "$out/posts/$f")" = 1080x1350
done
check "feed-02 is 1080x1080 (aspect 1:1)" test "$(vipsheader -f height "$out/posts/feed-02/feed-02.jpg")" = 1080
check "one master per source" test "$(find "$out/masters" -maxdepth 1 -type f | wc -l)" -eq 6
# The reel's clip has faces to hide: its redacted master was written in the
# reel's render pass.
check "one redacted master per source" test "$(find "$out/masters/redacted" -type f | wc -l)" -eq 6
check "the reel is 1080x1920 H.264 with AAC" test \
  "$(ffprobe -v error -show_entries stream=codec_name,width,height -of csv=p=0 "$out/posts/reel-01/reel-01.mp4" | tr '\n' ' ')" = "h264,1080,1920 aac "
check "the reel has a cover and a next-day story" \
  test -f "$out/posts/reel-01/reel-01-cover.jpg" -a -f "$out/posts/reel-01-story/reel-01-story.jpg"
check "no temporary files left" test -z "$(find "$out" -name '.*tmp*')"

# exiftool -a -G1 -ee -u finds nothing but structure in any output.
for f in "$out"/posts/*/*.jpg "$out"/masters/*.jpg "$out"/masters/redacted/*.jpg; do
  leaks=$(exiftool_leaks "$f")
  if [ -n "$leaks" ]; then fail "$f leaks metadata: $(echo $leaks)"; else pass; fi
done
for f in "$out"/posts/*/*.mp4 "$out"/masters/*.mp4 "$out"/masters/redacted/*.mp4; do
  leaks=$(exiftool_video_leaks "$f")
  if [ -n "$leaks" ]; then fail "$f leaks metadata: $(echo $leaks)"; else pass; fi
done
check "the clip did carry GPS" test -n "$(exiftool -a -G1 -ee -u -GPSCoordinates "$SAMPLE/IMG_0020.MOV")"
# The sources did carry what must not leak: the check above can fail.
check "the HEIC source has GPS" test -n "$(exiftool -a -G1 -ee -u -GPSLatitude "$SAMPLE/IMG_0012.HEIC")"
check "the camera JPEG has a serial number" test -n "$(exiftool -a -G1 -SerialNumber "$SAMPLE/IMG_0014.JPG")"
check "a source fails the allow-list" test -n "$(exiftool_leaks "$SAMPLE/IMG_0014.JPG")"

# igprep's own verify agrees, and its report lists every file.
check "verify.json says ok" test "$(jq -r .ok "$out/reports/verify.json")" = true
# 6 post images, 3 next-day stories, a reel and its cover, 6 masters and
# their 6 redacted versions
check "verify.json checked 23 files" test "$(jq -r .checked "$out/reports/verify.json")" = 23
check "verify re-run on OUT passes" "$IGPREP" verify "$out" --quiet
check "scrub audit found GPS in the HEIC" \
  test "$(jq -r '.media["IMG_0012.HEIC"].found | index("gps position") != null' "$out/reports/scrub.json")" = true

# Colour: the Display P3 cat is converted to sRGB, not just untagged. Its
# master must be close to libvips' own colour-managed conversion and far from
# the raw P3 numbers.
vips icc_transform "$SAMPLE/IMG_0015.JPG" "$TEST_TMP/p3.v" srgb --embedded >/dev/null
vips copy "$SAMPLE/IMG_0015.JPG" "$TEST_TMP/raw.v" >/dev/null
managed=$(mean_abs_diff "$out/masters/IMG_0015.JPG.jpg" "$TEST_TMP/p3.v")
raw=$(mean_abs_diff "$out/masters/IMG_0015.JPG.jpg" "$TEST_TMP/raw.v")
check "P3 master matches the colour-managed conversion ($managed)" awk "BEGIN{exit !($managed < 1.5)}"
check "P3 master differs from the unconverted pixels ($raw)" awk "BEGIN{exit !($raw > 3 * $managed)}"

# A reel goes out like any post: approved, then published with its cover,
# each file listed with its SHA-256 in post.json.
check "approve reel-01" "$IGPREP" approve "$out" reel-01 --by "山田 花子" --quiet
# (The other posts are not approved: publish names them on one line.)
"$IGPREP" publish "$out" --outbox "$TEST_TMP/box" --quiet 2>/dev/null || true
pj=$(find "$TEST_TMP/box" -path '*reel-01/post.json')
check "the outbox has the reel's post.json" test -n "$pj"
check "listing the video and its cover" \
  test "$(jq -r '[.files[].name] | sort | join(" ")' "$pj")" = "reel-01-cover.jpg reel-01.mp4"
check "whose hashes match" bash -c "cd '$(dirname "$pj")' && jq -r '.files[] | \"\(.sha256)  \(.name)\"' post.json | sha256sum -c --quiet --strict"

# Templated slides are checked face by face too: paste the unredacted face
# back where compose drew the picture, and verify must refuse the post.
check "templated slides are checked, not skipped" \
  test "$(jq '[.files[].checks[] | select(.check == "faces_hidden_in_post") | .value.file] | index("posts/feed-01/feed-01.jpg") != null' "$out/reports/verify.json")" = true
read -r cx cy cw ch bx by bw bh < <(jq -r '.posts["feed-01"].placements[0][0] | (.crop + .box) | map(tostring) | join(" ")' "$out/state/compose.json")
vips extract_area "$out/masters/IMG_0012.HEIC.jpg" "$TEST_TMP/crop.v" "$cx" "$cy" "$cw" "$ch" >/dev/null
vips resize "$TEST_TMP/crop.v" "$TEST_TMP/face.v" "$(awk "BEGIN{print $bw/$cw}")" --vscale "$(awk "BEGIN{print $bh/$ch}")" >/dev/null
vips insert "$out/posts/feed-01/feed-01.jpg" "$TEST_TMP/face.v" "$TEST_TMP/leaky.v" "$bx" "$by" >/dev/null
vips copy "$TEST_TMP/leaky.v" "$out/posts/feed-01/feed-01.jpg[Q=90,strip]" >/dev/null
status=0
"$IGPREP" verify "$out" --quiet 2>"$TEST_TMP/verr" || status=$?
check "a templated post with the face unhidden is refused (exit $status)" test "$status" -eq 3
check "naming the post, in one plain sentence" grep -q "error: posts/feed-01/feed-01.jpg: faces\\? .* still recognisable: .* at most 0.35 is allowed; " "$TEST_TMP/verr"

check "the shoot folder was not written to" test "$before" = "$(fingerprint "$SAMPLE")"
done_testing
