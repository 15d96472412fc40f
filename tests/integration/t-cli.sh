# Every program has --help and --version; the driver dispatches to stage
# programs; usage errors exit 2; verify works on files igprep did not make.
. "$(dirname "$0")/lib.sh"

for p in igprep igprep-ingest igprep-scrub igprep-encode igprep-verify; do
  check "$p --help" bash -c "'$IGP_BIN/$p' --help | grep -qi usage"
done
for p in igprep igprep-ingest igprep-scrub igprep-encode; do
  check "$p --version" bash -c "'$IGP_BIN/$p' --version | grep -q '^igprep'"
done

status=0; "$IGPREP" frobnicate 2>/dev/null || status=$?
check "unknown stage exits 2 (got $status)" test "$status" -eq 2
status=0; "$IGPREP" run 2>/dev/null || status=$?
check "run without SHOOT exits 2 (got $status)" test "$status" -eq 2
status=0; "$IGPREP" run "$SAMPLE" --jobs=-1 2>/dev/null || status=$?
check "negative --jobs exits 2 (got $status)" test "$status" -eq 2
status=0; "$IGPREP" run "$SAMPLE" --out "$TEST_TMP/x" --post nope 2>"$TEST_TMP/err" || status=$?
check "unknown --post exits 1 (got $status)" test "$status" -eq 1
check "and says which id" grep -q "no post with id 'nope'" "$TEST_TMP/err"

# Stage by stage through the driver, one job each, makes the same bytes as
# one run with the default jobs (the samples fixture): output depends neither
# on how the stages are called nor on the number of jobs.
out="$TEST_TMP/staged"
for stage in ingest scrub detect redact compose encode; do
  check "igprep $stage --jobs 1" "$IGPREP" "$stage" "$SAMPLE" --out "$out" --quiet --jobs 1
done
check "igprep verify OUT" "$IGPREP" verify "$out" --quiet
check "staged run made the posts" test -f "$out/posts/carousel-01/carousel-01-04.jpg"
sample_out "$TEST_TMP/one-run"
hashes() { (cd "$1" && find posts masters -type f -exec sha256sum {} + | sort); }
check "the staged run's posts and masters are byte-identical to one run's" \
  test "$(hashes "$out")" = "$(hashes "$TEST_TMP/one-run")"

# verify on foreign files: a camera JPEG fails the privacy check, with --json.
status=0
"$IGPREP" verify --json "$SAMPLE/IMG_0014.JPG" > "$TEST_TMP/v.jsonl" 2>/dev/null || status=$?
jq -c 'select(.event == "result")' "$TEST_TMP/v.jsonl" > "$TEST_TMP/v.json" # the report
check "verify refuses a camera JPEG with exit 3 (got $status)" test "$status" -eq 3
check "--json lists the EXIF segment" \
  bash -c "jq -e '.files[0].checks[] | select(.check==\"metadata\") | .value | map(select(test(\"APP1 Exif\"))) | length == 1' '$TEST_TMP/v.json' >/dev/null"
check "--json measures the aspect" \
  bash -c "jq -e '.files[0].checks[] | select(.check==\"aspect\") | .value > 1.4' '$TEST_TMP/v.json' >/dev/null"
status=0; "$IGPREP" verify "$SAMPLE/IMG_0012.HEIC" >/dev/null 2>&1 || status=$?
check "verify refuses a HEIC for the feed (got $status)" test "$status" -eq 3
check "verify passes igprep's own output" "$IGPREP" verify "$out/posts/feed-01/feed-01.jpg" --quiet
done_testing
