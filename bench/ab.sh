#!/usr/bin/env bash
# Compare two builds of igprep on the same shoot, their runs interleaved
# (A, B, A, B, ...), so that a virtual machine whose speed drifts from minute
# to minute slows both alike. hyperfine runs one command's runs back to back:
# on this project's 2-vCPU machines the same binary measured 1.5 s in one
# minute and 1.9 s a quarter of an hour later (bench/README.md).
#
# Usage: bench/ab.sh [-n RUNS] OLD_IGPREP NEW_IGPREP [SHOOT]
#   RUNS   timed runs of each (default 10), after one untimed run of each
#   SHOOT  default: bench/results/inputs/12mp (made by bench/run.sh)
# Prints, for each build, the median and fastest wall time and the mean CPU
# time (user + sys) of `igprep run SHOOT --out DIR --quiet`, each run into an
# empty folder, then the ratio of the medians. The order alternates (A B,
# B A, A B, ...), so that neither build always runs after the other. GNU
# time measures to 10 ms. Timings are reported, never judged: exits non-zero
# only on a wrong command line or when a run fails.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
usage() { sed -n '8,10s/^# \{0,1\}//p' "$0" >&2; exit 2; }
runs=10
if [ "${1:-}" = -n ]; then
  [ $# -ge 2 ] && [[ $2 =~ ^[1-9][0-9]*$ ]] || usage
  runs=$2
  shift 2
fi
[ $# -ge 2 ] || usage
old=$1 new=$2 shoot=${3:-$repo/bench/results/inputs/12mp}
[ -x /usr/bin/time ] || { echo "ab: GNU time not found: run scripts/install-deps.sh" >&2; exit 1; }
for b in "$old" "$new"; do
  [ -x "$b" ] || { echo "ab: $b is not a program" >&2; exit 1; }
done
[ -f "$shoot/shoot.json" ] || { echo "ab: no $shoot/shoot.json (bench/run.sh makes it)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# run_one A|B TIMES_FILE: one run of that build into an empty folder.
run_one() {
  local bin=$old
  [ "$1" = A ] || bin=$new
  rm -rf "$tmp/out"
  /usr/bin/time -f "%e %U %S" -a -o "$2" "$bin" run "$shoot" --out "$tmp/out" --quiet \
    >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; echo "ab: $bin failed" >&2; exit 1; }
}
run_one A "$tmp/warm-up"
run_one B "$tmp/warm-up"
for ((i = 0; i < runs; i++)); do
  if ((i % 2 == 0)); then order="A B"; else order="B A"; fi
  for side in $order; do run_one "$side" "$tmp/$side"; done
done

# median (the middle one, or the mean of the two middle ones), fastest, mean CPU
summary() {
  sort -n -k1,1 "$1" | awk '{ w[NR] = $1; cpu += $2 + $3 }
    END { m = NR % 2 ? w[(NR + 1) / 2] : (w[NR / 2] + w[NR / 2 + 1]) / 2
          printf "%.3f %.3f %.3f\n", m, w[1], cpu / NR }'
}
read -r med_a min_a cpu_a < <(summary "$tmp/A")
read -r med_b min_b cpu_b < <(summary "$tmp/B")
printf '%-4s %-50s %12s %10s %12s\n' "" program "median wall" fastest "mean CPU"
printf '%-4s %-50s %10.2f s %8.2f s %10.2f s\n' A "$old" "$med_a" "$min_a" "$cpu_a"
printf '%-4s %-50s %10.2f s %8.2f s %10.2f s\n' B "$new" "$med_b" "$min_b" "$cpu_b"
awk -v a="$med_a" -v b="$med_b" -v n="$runs" \
  'BEGIN { printf "B / A, median wall: %.3f (%d runs each, interleaved)\n", b / a, n }'
