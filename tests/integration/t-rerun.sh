# Re-running on the same shoot repeats no finished work and gives identical
# files (that a run from scratch gives the same bytes, whatever the number of
# jobs, t-cli's staged run checks against the same fixture).
. "$(dirname "$0")/lib.sh"

out="$TEST_TMP/out"
sample_out "$out" # the fixture's run of the samples (setup-samples.sh)
first=$(cd "$out" && find posts masters -type f -printf '%p %T@\n' | sort)
first_hashes=$(cd "$out" && find posts masters -type f -exec sha256sum {} + | sort)

sleep 1
"$IGPREP" run "$SAMPLE" --out "$out" --quiet
check "second run rewrote no post or master (same mtimes)" \
  test "$first" = "$(cd "$out" && find posts masters -type f -printf '%p %T@\n' | sort)"

# A changed master is noticed and redone; the untouched ones are kept.
printf 'x' >> "$out/masters/IMG_0016.JPG.jpg"
"$IGPREP" run "$SAMPLE" --out "$out" --quiet
check "a damaged master is remade" test "$(cd "$out" && sha256sum masters/IMG_0016.JPG.jpg)" = \
  "$(echo "$first_hashes" | grep ' masters/IMG_0016.JPG.jpg$')"
check "the other masters were kept" test \
  "$(echo "$first" | grep IMG_0012)" = "$(cd "$out" && find masters -name 'IMG_0012*' -printf '%p %T@\n')"

# A run killed mid-write leaves hidden temporaries; the next run clears them
# and passes verify.
mkdir -p "$out/posts/.feed-01.tmp-999-1" && : > "$out/posts/.feed-01.tmp-999-1/.feed-01.jpg.tmp-999-2"
: > "$out/masters/.IMG_0016.JPG.jpg.tmp-999-3"
check "run after a killed run succeeds" "$IGPREP" run "$SAMPLE" --out "$out" --quiet
check "and swept the temporaries" test -z "$(find "$out" -name '.*.tmp-*')"

# One run at a time per OUT.
status=0
flock "$out/.igprep.lock" "$IGPREP" run "$SAMPLE" --out "$out" --quiet 2>"$TEST_TMP/err" || status=$?
check "a second concurrent run is refused (got $status)" test "$status" -eq 1
check "saying why" grep -q "another igprep run is using this folder" "$TEST_TMP/err"

# A different focus or aspect changes only that post.
cp -r "$SAMPLE" "$TEST_TMP/shoot"
sed -i 's/"aspect": "1:1"/"aspect": "1.91:1"/' "$TEST_TMP/shoot/shoot.json"
"$IGPREP" run "$TEST_TMP/shoot" --out "$out" --quiet
check "feed-02 re-encoded at 1.91:1" test "$(vipsheader -f height "$out/posts/feed-02/feed-02.jpg")" = 566
check "feed-01 untouched" test "$(echo "$first" | grep 'feed-01.jpg')" = \
  "$(cd "$out" && find posts/feed-01 -type f -printf '%p %T@\n')"

# A post removed from shoot.json is withdrawn from OUT/posts.
jq 'del(.posts[] | select(.id == "feed-02"))' "$TEST_TMP/shoot/shoot.json" > "$TEST_TMP/s.json"
mv "$TEST_TMP/s.json" "$TEST_TMP/shoot/shoot.json"
check "run without feed-02" "$IGPREP" run "$TEST_TMP/shoot" --out "$out" --quiet
check "posts/feed-02 is gone" test ! -e "$out/posts/feed-02"

# --post makes one post and keeps what the others recorded.
check "run --post feed-01" "$IGPREP" run "$TEST_TMP/shoot" --out "$out" --quiet --post feed-01
check "the carousel's masters are still verified" \
  test "$(jq -r '[.files[] | select(.kind == "master")] | length' "$out/reports/verify.json")" = 5
done_testing
