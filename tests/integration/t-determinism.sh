# Determinism: the same damaged JPEGs give the same result and the same
# message on every run, at any --jobs and any libvips concurrency (issue 18,
# defect 5). libvips 8.14 decoding with several threads used to report the
# same corrupt file as "cannot decode", as "cannot write (disk full or not
# writable?)" or not at all (a master made of garbage), run by run.
#
# The files are made the same way every time: 2.5 KB of the entropy-coded
# data overwritten at several places in a photo that needs rotating (the
# loader used to decode those with random access), and in an upright one;
# plus a truncated file. Each run scrubs a fresh copy of one ingest.
. "$(dirname "$0")/lib.sh"

shoot="$TEST_TMP/shoot"
mkdir -p "$shoot"
vips gaussnoise "$TEST_TMP/noise.v" 256 192
vips cast "$TEST_TMP/noise.v" "$shoot/GOOD.JPG" uchar
bad=()
for offset in 120000 180000 240000 300000 360000 420000 480000; do
  name="ROT$offset.JPG"
  cp "$SAMPLE/IMG_0013.JPG" "$shoot/$name" # EXIF orientation 6: needs rotating
  head -c 2512 /dev/zero | tr '\0' '\277' |
    dd of="$shoot/$name" bs=1 seek="$offset" conv=notrunc 2>/dev/null
  bad+=("$name")
done
cp "$SAMPLE/IMG_0016.JPG" "$shoot/UPRIGHT.JPG"
printf '%2048s' | tr ' ' 'U' | dd of="$shoot/UPRIGHT.JPG" bs=1 seek=300000 conv=notrunc 2>/dev/null
head -c 200000 "$SAMPLE/IMG_0016.JPG" > "$shoot/TRUNCATED.JPG"
bad+=(UPRIGHT.JPG TRUNCATED.JPG)
{
  printf '{"version": 1, "shoot": "determinism", "posts": [\n'
  printf '  {"id": "good", "type": "feed", "media": [{"file": "GOOD.JPG"}]}'
  for name in "${bad[@]}"; do
    printf ',\n  {"id": "%s", "type": "feed", "media": [{"file": "%s"}]}' \
      "$(echo "${name%.JPG}" | tr 'A-Z' 'a-z')" "$name"
  done
  printf '\n]}\n'
} > "$shoot/shoot.json"

"$IGPREP" ingest "$shoot" --out "$TEST_TMP/ingested" --quiet

# What every run must give: exit 1, one line per damaged file, only the good
# master written.
{
  echo "exit 1"
  for name in "${bad[@]}"; do
    echo "igprep: error: SHOOT/$name: cannot decode (truncated or corrupt image data)"
  done | sort
  echo "master GOOD.JPG.jpg"
} > "$TEST_TMP/expected"

# outcome RUN JOBS CONCURRENCY: scrub a fresh copy of the ingest, print the
# exit status, the error lines and the masters made.
outcome() {
  local out="$TEST_TMP/out$1" status=0
  cp -a "$TEST_TMP/ingested" "$out"
  VIPS_CONCURRENCY=$3 "$IGPREP" scrub "$shoot" --out "$out" --jobs "$2" --quiet \
    2> "$TEST_TMP/stderr$1" || status=$?
  echo "exit $status"
  sed "s|$shoot/|SHOOT/|g; s|$out/|OUT/|g" "$TEST_TMP/stderr$1" | sort
  (cd "$out/masters" && find . -type f -name '*.jpg' | sed 's|^\./|master |' | sort)
  rm -rf "$out"
}

# Many libvips threads is where the race showed; --jobs 2 and one thread
# must give the very same answer.
runs=("1 16" "1 16" "2 16" "1 16" "1 16" "2 16" "1 16" "1 1")
for i in "${!runs[@]}"; do
  # shellcheck disable=SC2086 # "JOBS CONCURRENCY" split on purpose
  outcome "$i" ${runs[$i]} > "$TEST_TMP/outcome$i"
done

# Lines that not every run printed, with the number of runs that did.
cat "$TEST_TMP"/outcome* | sort | uniq -c | awk -v n="${#runs[@]}" '$1 != n' > "$TEST_TMP/distinct"
cat "$TEST_TMP/distinct" >&2
check "every run gave the same outcome" test ! -s "$TEST_TMP/distinct"
for i in "${!runs[@]}"; do
  if diff -u "$TEST_TMP/expected" "$TEST_TMP/outcome$i" >&2; then
    pass
  else
    fail "run $i (--jobs, VIPS_CONCURRENCY: ${runs[$i]}) differs from the expected outcome"
  fi
done
done_testing
