# archive killed with SIGKILL at random moments, 20 rounds over the three
# formats: nothing partial is ever visible under the bag's name, and
# exporting again gives exactly the bag of an unkilled export (the killed
# run's hidden temporaries swept). Rounds start with no bag, or with an
# older bag of igprep's (another Bagging-Date) that the export replaces.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kill-lib.sh"

out="$TEST_TMP/out"
make_tiny_run "$out"
# The bag holds the posts as published (issue 15).
"$IGPREP" publish "$out" --outbox "$TEST_TMP/box" --quiet
formats=(dir zip tar)
for fmt in "${formats[@]}"; do
  "$IGPREP" archive "$out" --to "$TEST_TMP/ref-$fmt" --format "$fmt" --quiet >/dev/null
  "$IGPREP" archive "$out" --to "$TEST_TMP/old-$fmt" --format "$fmt" --date 2027-01-01 --quiet >/dev/null
done
for bag in ref-dir/igprep-tiny ref-zip/igprep-tiny.zip ref-tar/igprep-tiny.tar; do
  check "the unkilled export $bag is valid" "$IGPREP" archive --check "$TEST_TMP/$bag" --quiet
done
check "the older bag differs from it" test "$(state "$TEST_TMP/old-dir")" != "$(state "$TEST_TMP/ref-dir")"

# How long an export takes with a 10 ms pause after each file of the bag:
# the window the random kills fall in.
start=$(now_ms)
IGP_ARCHIVE_DELAY_MS=10 "$IGPREP" archive "$out" --to "$TEST_TMP/scratch" --quiet >/dev/null
span=$(($(now_ms) - start))

rounds=20 consistent=0 identical=0 mid_write=0
for round in $(seq 1 $rounds); do
  fmt=${formats[$((round % 3))]}
  to="$TEST_TMP/to-$fmt" pre="$TEST_TMP/pre" ref="$TEST_TMP/ref-$fmt"
  rm -rf "$to"
  if [ $(((round / 2) % 2)) -eq 1 ]; then cp -a "$TEST_TMP/old-$fmt" "$to"; else mkdir -p "$to"; fi
  rm -rf "$pre" && cp -a "$to" "$pre"
  kill_during "$round" "$span" "$to" env IGP_ARCHIVE_DELAY_MS=10 "$IGPREP" archive "$out" --to "$to" --format "$fmt" --quiet
  if has_temporaries "$to"; then mid_write=$((mid_write + 1)); fi
  if nothing_partial "$to" "$pre" "$ref"; then consistent=$((consistent + 1)); fi
  if "$IGPREP" archive "$out" --to "$to" --format "$fmt" --quiet >/dev/null 2>&1 &&
    [ "$(state "$to")" = "$(state "$ref")" ]; then
    identical=$((identical + 1))
  else
    echo "round $round ($fmt): the rerun did not give the unkilled bag" >&2
  fi
done
check "after each kill nothing partial was visible ($consistent/$rounds)" test "$consistent" -eq $rounds
check "each rerun gave the unkilled bag, byte for byte ($identical/$rounds)" test "$identical" -eq $rounds
echo "$mid_write of $rounds kills (span ${span} ms) landed while a bag was being written"
check "some kills landed mid-write ($mid_write/$rounds)" test "$mid_write" -gt 0

done_testing
