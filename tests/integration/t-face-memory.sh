# Peak memory of the photo path does not grow with the camera's resolution
# (issue 13): redact, verify and the rest of `igprep run` read a master top
# to bottom instead of holding it whole. A 48 MP photo (144 MB of RGB) must
# not cost `igprep run`, nor the redact and verify stages on their own, more
# than 40 MiB over a 3 MP one with the same face. Before, redact held the
# whole master (about +130 MiB here) and verify decoded both masters.
. "$(dirname "$0")/lib.sh"

command -v /usr/bin/time >/dev/null || { echo "FAIL: GNU time (/usr/bin/time) is needed" >&2; exit 1; }

# make_shoot NAME WIDTH HEIGHT: a grey photo with a hand-marked face box in
# the middle, searched only for faces of 400 px and more (detection is not
# what this test measures).
make_shoot() {
  local dir="$TEST_TMP/$1" w=$2 h=$3
  mkdir -p "$dir"
  vips black "$TEST_TMP/black.v" "$w" "$h" --bands 3
  vips linear "$TEST_TMP/black.v" "$TEST_TMP/grey.v" 1 120 --uchar
  vips jpegsave "$TEST_TMP/grey.v" "$dir/IMG_0001.JPG" --Q 90
  rm -f "$TEST_TMP"/black.v "$TEST_TMP"/grey.v
  printf '{"version":1,"shoot":"mem-%s","min_face":400,"posts":[{"id":"p1","type":"feed","media":[{"file":"IMG_0001.JPG"}]}]}\n' "$1" >"$dir/shoot.json"
  printf '{"version":1,"media":{"IMG_0001.JPG":{"faces":[{"id":"m1","box":[%d,%d,400,480]}]}}}\n' \
    $((w / 2 - 200)) $((h / 2 - 240)) >"$dir/faces.json"
}

# peak_kib WHAT CMD...: peak RSS of one command, in KiB.
peak_kib() {
  local what=$1
  shift
  /usr/bin/time -f %M -o "$TEST_TMP/rss" "$@" >/dev/null 2>"$TEST_TMP/$what.err" ||
    { cat "$TEST_TMP/$what.err" >&2; echo 0; return 0; }
  tail -n 1 "$TEST_TMP/rss"
}

make_shoot small 2000 1500
make_shoot large 8000 6000
declare -A run redact verify
for s in small large; do
  run[$s]=$(peak_kib "run-$s" "$IGPREP" run "$TEST_TMP/$s" --out "$TEST_TMP/out-$s" --quiet)
  rm -f "$TEST_TMP/out-$s/state/redact.json"
  redact[$s]=$(peak_kib "redact-$s" "$IGP_BIN/igprep-redact" "$TEST_TMP/$s" --out "$TEST_TMP/out-$s" --quiet)
  verify[$s]=$(peak_kib "verify-$s" "$IGP_BIN/igprep-verify" "$TEST_TMP/out-$s" --quiet)
done
echo "peak RSS, 3 MP -> 48 MP (KiB): run ${run[small]} -> ${run[large]}, redact ${redact[small]} -> ${redact[large]}, verify ${verify[small]} -> ${verify[large]}"
check "run succeeds on both" test "${run[small]}" -gt 0 -a "${run[large]}" -gt 0
check "the face is hidden in the 48 MP master" test "$(jq -r '.media["IMG_0001.JPG"].faces[0].decision' "$TEST_TMP/out-large/reports/redaction.json")" = hidden
# Under the sanitizer build (make test-sanitize) ASan keeps freed blocks in
# quarantine and adds its shadow memory, so peaks say nothing about igprep:
# there the commands run for their memory safety only.
if [ -z "${ASAN_OPTIONS:-}" ]; then
  check "redact: 48 MP costs at most 40 MiB more than 3 MP" test $((redact[large] - redact[small])) -le 40960
  check "verify: 48 MP costs at most 40 MiB more than 3 MP" test $((verify[large] - verify[small])) -le 40960
  check "igprep run: 48 MP costs at most 40 MiB more than 3 MP" test $((run[large] - run[small])) -le 40960
else
  check "redact and verify succeed on both" test "${redact[large]}" -gt 0 -a "${verify[large]}" -gt 0
fi
done_testing
