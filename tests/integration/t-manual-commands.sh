# Every igprep command of the operation manual (docs/manual/*.md) runs and
# succeeds, in document order, as a reader would type them: in a scratch
# folder where the manual's paths are copies (samples/nobisuku-halloween of
# the sample shoot, out/nobisuku-halloween of the sample run, shoots/... of
# the new shoot folders the manual fills from a camera), after the files the
# manual has the reader write (code blocks with file="PATH"). Commands that
# start a server (igprep review) run until they print their address, which
# must answer. They run under LANG=ja_JP.UTF-8, as the manual's readers
# run them. `--proof DIGEST` takes the digest the last `igprep proof` of
# that OUT printed, as the reader copies it from the proof's pages.
# The extraction (scripts/manual-steps.py) fails when it finds no command at all.
. "$(dirname "$0")/lib.sh"

manual="$IGP_SRC/docs/manual"
work="$TEST_TMP/work"
mkdir -p "$work/samples" "$work/out" "$work/shoots/2026-12-19-christmas" "$work/shoots/2026-12-12-interview"
cp -a "$SAMPLE" "$work/samples/"
sample_out "$work/out/nobisuku-halloween"
# The folders the manual copies camera files into (chapters 2 and 12).
cp "$SAMPLE"/IMG_0013.JPG "$SAMPLE"/IMG_0014.JPG "$SAMPLE"/IMG_0016.JPG "$SAMPLE"/IMG_0020.MOV \
  "$work/shoots/2026-12-19-christmas/"
cp "$SAMPLE"/IMG_0012.HEIC "$work/shoots/2026-12-12-interview/"
# `igprep template new` writes into the templates folder: a copy, never the source tree's.
cp -a "$IGP_SRC/templates" "$work/templates"
export IGPREP_TEMPLATES="$work/templates"
export PATH="$IGP_BIN:$PATH"
# As the city's staff run them: in Japanese (lib.sh chose English for the
# other tests; this one reads only the proof's digest and the review's address).
export LANG=ja_JP.UTF-8
samples_before=$(fingerprint "$IGP_SRC/samples")

steps="$TEST_TMP/steps"
if ! python3 "$IGP_SRC/scripts/manual-steps.py" "$manual" >"$steps"; then
  fail "the manual's commands could not be extracted"
  done_testing
  exit 1
fi

declare -A proof_digest
commands=0
log="$TEST_TMP/log"

# review: start the server, wait for its address, fetch the page, stop it.
run_server() {
  local cmd=$1 url="" pid status=0
  bash -c "exec $cmd" >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 300); do
    url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$log" || true)
    [ -n "$url" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -n "$url" ] && ! curl -sf -o /dev/null "$url/"; then
    echo "the page at $url did not answer" >>"$log"
    url=""
  fi
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" || status=$?
  [ -n "$url" ] && [ "$status" -eq 0 ]
}

# The OUT an approve or proof command names: its first argument.
out_of() { awk '{print $3}' <<<"$1"; }

cd "$work"
# The steps come on descriptor 3: the commands' standard input stays /dev/null.
while IFS= read -r -u 3 -d '' kind && IFS= read -r -u 3 -d '' where; do
  if [ "$kind" = write ]; then
    IFS= read -r -u 3 -d '' path
    IFS= read -r -u 3 -d '' text
    mkdir -p "$(dirname "$path")"
    printf '%s' "$text" >"$path"
    echo "$where: wrote $path"
    continue
  fi
  IFS= read -r -u 3 -d '' cmd
  commands=$((commands + 1))
  case $cmd in
    "igprep approve "*--proof\ *)
      out=$(out_of "$cmd")
      digest=${proof_digest[$out]:-}
      [ -n "$digest" ] || fail "$where: no igprep proof of $out before: $cmd"
      cmd=$(sed -E "s/--proof [0-9a-f]{12}/--proof $digest/" <<<"$cmd")
      ;;
  esac
  echo "$where: $cmd"
  case $cmd in
    "igprep review "*)
      if run_server "$cmd"; then pass; else
        cat "$log" >&2
        fail "$where: $cmd (did not serve its page)"
      fi
      continue
      ;;
  esac
  t0=$(date +%s.%N)
  if timeout 600 bash -c "$cmd" >"$log" 2>&1; then pass; else
    status=$?
    tail -20 "$log" >&2
    fail "$where: $cmd (exit status $status)"
  fi
  echo "  ($(awk -v s="$t0" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }') s)"
  case $cmd in
    "igprep proof "*)
      digest=$(grep -o '\b[0-9a-f]\{12\}\b' "$log" | head -1 || true)
      proof_digest[$(out_of "$cmd")]=$digest
      ;;
  esac
done 3<"$steps"

echo "$commands igprep commands of the manual run"
check "the manual has igprep commands (found $commands)" test "$commands" -gt 0
check "samples/ was not written to" test "$samples_before" = "$(fingerprint "$IGP_SRC/samples")"
done_testing
