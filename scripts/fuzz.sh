#!/usr/bin/env bash
# Build the libFuzzer harnesses of fuzz/ (clang, ASan, UBSan) and run each for
# a set time, FUZZ_PARALLEL at a time. `make fuzz` runs this; see fuzz/README.md.
#
# Usage: scripts/fuzz.sh [TARGET...]      (default: every harness)
# Environment:
#   FUZZ_SECONDS   how long each harness runs (default 60)
#   FUZZ_PARALLEL  harnesses run at once (default 2)
#   FUZZ_TIMEOUT   seconds one input may take before it counts as a hang (default 25)
#   FUZZ_BUILD     build folder (default build-fuzz)
# Results, under FUZZ_BUILD:
#   crashes/TARGET/  the inputs that crashed, leaked, hung or ran out of memory
#                    in this run (crash-*, leak-*, timeout-*, oom-*)
#   logs/TARGET.log  libFuzzer's output
#   corpus/TARGET/   inputs found so far (kept between runs; the seeds in
#                    fuzz/corpus/TARGET/ are only read)
# Exit status: 0 when no harness found anything, 1 when one did, 2 when the
# build failed.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
build=${FUZZ_BUILD:-build-fuzz}
seconds=${FUZZ_SECONDS:-60}
parallel=${FUZZ_PARALLEL:-2}
timeout=${FUZZ_TIMEOUT:-25}
all_targets=(manifest faces template jpegwalk pngwalk bmffwalk srt identify)

# One harness: run it, save what it finds, say in one line how it went.
run_one() {
  local t=$1 bin="$build/bin/fuzz_$1" rc
  local crashes="$build/crashes/$t" log="$build/logs/$t.log"
  local args=(-max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb=2048
              -print_final_stats=1 -artifact_prefix="$crashes/")
  rm -rf "$crashes"
  mkdir -p "$crashes" "$build/corpus/$t" "$build/logs"
  [ -f "fuzz/$t.dict" ] && args+=(-dict="fuzz/$t.dict")
  ASAN_OPTIONS=$(cat tests/asan.options) \
    LSAN_OPTIONS="suppressions=$root/tests/lsan.supp:print_suppressions=0" \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$bin" "${args[@]}" "$build/corpus/$t" "fuzz/corpus/$t" >"$log" 2>&1
  rc=$?
  local runs
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  if [ "$rc" -eq 0 ] && [ -z "$(ls -A "$crashes")" ]; then
    echo "fuzz: $t: ${runs:-?} inputs in ${seconds} s, nothing found"
    return 0
  fi
  echo "fuzz: $t: FOUND A PROBLEM (exit $rc): $(grep -m1 -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$log")"
  for f in "$crashes"/*; do
    [ -e "$f" ] && echo "fuzz: $t: input saved: $f (replay: $bin $f)"
  done
  echo "fuzz: $t: log: $log; its report:"
  grep -m1 -A25 -E '^==[0-9]+==ERROR|runtime error|ERROR: libFuzzer' "$log" | sed "s/^/fuzz: $t:   /"
  return 1
}

if [ "${1:-}" = "--one" ]; then
  run_one "$2"
  exit $?
fi

targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
  if [ ! -f "fuzz/fuzz_$t.c" ]; then
    echo "fuzz: no harness '$t' (there are: ${all_targets[*]})" >&2
    exit 2
  fi
done

start=$(date +%s)
mkdir -p "$build/logs"
if ! { CC=clang CXX=clang++ cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DIGP_FUZZ=ON -DIGP_WERROR=ON &&
  cmake --build "$build" --target fuzzers -j "$parallel" -- --no-print-directory; } \
  >"$build/logs/build.log" 2>&1; then
  tail -n 30 "$build/logs/build.log" >&2
  echo "fuzz: the build failed (log: $build/logs/build.log)" >&2
  exit 2
fi
built=$(date +%s)
echo "fuzz: built in $((built - start)) s; running ${#targets[@]} harnesses for $seconds s each, $parallel at a time"

# A private TMPDIR for the harnesses' input files, in memory when it can be.
FUZZ_TMP=$(mktemp -d /dev/shm/igp-fuzz.XXXXXX 2>/dev/null || mktemp -d)
trap 'rm -rf "$FUZZ_TMP"' EXIT
export TMPDIR=$FUZZ_TMP

printf '%s\n' "${targets[@]}" | xargs -P "$parallel" -I{} "$0" --one {}
status=$?
echo "fuzz: done in $(($(date +%s) - start)) s"
if [ "$status" -ne 0 ]; then
  echo "fuzz: a harness found a problem: the inputs are in $build/crashes/" >&2
  exit 1
fi
