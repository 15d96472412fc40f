# ctest fixture "samples": one `igprep run` of the sample shoot, shared by the
# tests that read its results (each works on its own copy: sample_out in
# lib.sh). The run's --json progress events are kept beside it for t-samples.
# Not a t-*.sh: tests/CMakeLists.txt registers it as the fixture's set-up.
. "$(dirname "$0")/lib.sh"

cache="${IGP_CACHE:?set by ctest: the folder of shared test results}/samples"
rm -rf "$cache"
mkdir -p "$cache"
before=$(fingerprint "$SAMPLE")
check "igprep run succeeds on the samples" \
  bash -c "'$IGPREP' run '$SAMPLE' --out '$cache/out' --quiet --json > '$cache/progress.jsonl'"
check "the shoot folder was not written to" test "$before" = "$(fingerprint "$SAMPLE")"
done_testing
