# Re-running on the same shoot repeats no finished work and gives identical
# files; a run from scratch gives the same bytes (deterministic output).
. "$(dirname "$0")/lib.sh"

out="$TEST_TMP/out"
"$IGPREP" run "$SAMPLE" --out "$out" --quiet
first=$(cd "$out" && find posts masters -type f -printf '%p %T@\n' | sort)
first_hashes=$(cd "$out" && find posts masters -type f -exec sha256sum {} + | sort)

sleep 1
"$IGPREP" run "$SAMPLE" --out "$out" --quiet
check "second run rewrote no post or master (same mtimes)" \
  test "$first" = "$(cd "$out" && find posts masters -type f -printf '%p %T@\n' | sort)"

"$IGPREP" run "$SAMPLE" --out "$TEST_TMP/fresh" --quiet --jobs 1
check "a fresh run (1 job) gives byte-identical files" \
  test "$first_hashes" = "$(cd "$TEST_TMP/fresh" && find posts masters -type f -exec sha256sum {} + | sort)"

# A changed master is noticed and redone; the untouched ones are kept.
printf 'x' >> "$out/masters/IMG_0016.JPG.jpg"
"$IGPREP" run "$SAMPLE" --out "$out" --quiet
check "a damaged master is remade" test "$(cd "$out" && sha256sum masters/IMG_0016.JPG.jpg)" = \
  "$(echo "$first_hashes" | grep ' masters/IMG_0016.JPG.jpg$')"
check "the other masters were kept" test \
  "$(echo "$first" | grep IMG_0012)" = "$(cd "$out" && find masters -name 'IMG_0012*' -printf '%p %T@\n')"

# A different focus or aspect changes only that post.
cp -r "$SAMPLE" "$TEST_TMP/shoot"
sed -i 's/"aspect": "1:1"/"aspect": "1.91:1"/' "$TEST_TMP/shoot/shoot.json"
"$IGPREP" run "$TEST_TMP/shoot" --out "$out" --quiet
check "feed-02 re-encoded at 1.91:1" test "$(vipsheader -f height "$out/posts/feed-02/feed-02.jpg")" = 566
check "feed-01 untouched" test "$(echo "$first" | grep 'feed-01.jpg')" = \
  "$(cd "$out" && find posts/feed-01 -type f -printf '%p %T@\n')"
done_testing
