# publish killed with SIGKILL at random moments, 20 rounds: nothing partial
# is ever visible under a post's folder name, and publishing again leaves the
# outbox identical to an unkilled publish (the killed run's hidden
# temporaries swept). Rounds start from an empty outbox, from one where every
# post must be rewritten (post.json edited), or from one with planted files.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kill-lib.sh"

out="$TEST_TMP/out" ref="$TEST_TMP/ref" box="$TEST_TMP/box" pre="$TEST_TMP/pre"
make_tiny_run "$out"
check "the unkilled publish" "$IGPREP" publish "$out" --outbox "$ref" --quiet
check "it holds the four posts" test "$(ls "$ref" | tr '\n' ' ')" = "tiny-feed tiny-night tiny-slides tiny-square "

# How long a publish takes with a 15 ms pause between file writes: the
# window the random kills fall in.
start=$(now_ms)
IGP_PUBLISH_DELAY_MS=15 "$IGPREP" publish "$out" --outbox "$TEST_TMP/scratch" --quiet
span=$(($(now_ms) - start))

rounds=20 consistent=0 identical=0 mid_write=0
cp -a "$ref" "$box"
for round in $(seq 1 $rounds); do
  case $((round % 3)) in
  0) rm -rf "${box:?}"/* ;;
  1) for pj in "$box"/*/post.json; do
       jq '.approval.note = "stale"' "$pj" >"$TEST_TMP/pj" && mv "$TEST_TMP/pj" "$pj"
     done ;;
  2) for d in "$box"/*/; do echo planted >"$d/planted.txt"; done ;;
  esac
  rm -rf "$pre" && cp -a "$box" "$pre"
  kill_during "$round" "$span" "$box" env IGP_PUBLISH_DELAY_MS=15 "$IGPREP" publish "$out" --outbox "$box" --quiet
  if has_temporaries "$box"; then mid_write=$((mid_write + 1)); fi
  if nothing_partial "$box" "$pre" "$ref"; then consistent=$((consistent + 1)); fi
  if "$IGPREP" publish "$out" --outbox "$box" --quiet 2>/dev/null &&
    [ "$(state "$box")" = "$(state "$ref")" ]; then
    identical=$((identical + 1))
  else
    echo "round $round: the rerun did not give the unkilled outbox" >&2
  fi
done
check "after each kill nothing partial was visible ($consistent/$rounds)" test "$consistent" -eq $rounds
check "each rerun gave the unkilled outbox, byte for byte ($identical/$rounds)" test "$identical" -eq $rounds
echo "$mid_write of $rounds kills (span ${span} ms) landed while a post was being written"
check "some kills landed mid-write ($mid_write/$rounds)" test "$mid_write" -gt 0

done_testing
