# igprep review in the background for a test (source after lib.sh).
# review_start SHOOT OUT [ARGS...]: start it on a free port and wait for its
# URL; sets REVIEW_URL (no trailing slash), REVIEW_PORT and REVIEW_PID.
# review_stop: stop it (SIGTERM, by its pid) and wait for it to exit.
REVIEW_PID=""
trap 'review_stop; rm -rf "$TEST_TMP"' EXIT

review_start() {
  local shoot=$1 out=$2 log
  shift 2
  log=$(mktemp "$TEST_TMP/review-log.XXXXXX")
  "$IGP_BIN/igprep" review "$shoot" --out "$out" "$@" >"$log" 2>&1 &
  REVIEW_PID=$!
  for _ in $(seq 1 200); do
    REVIEW_URL=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$log" || true)
    [ -n "$REVIEW_URL" ] && break
    kill -0 "$REVIEW_PID" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$REVIEW_URL" ]; then
    cat "$log" >&2
    echo "igprep review did not start" >&2
    return 1
  fi
  REVIEW_PORT=${REVIEW_URL##*:}
}

review_stop() {
  if [ -n "$REVIEW_PID" ]; then
    kill -TERM "$REVIEW_PID" 2>/dev/null || true
    wait "$REVIEW_PID" 2>/dev/null || true
    REVIEW_PID=""
  fi
}
