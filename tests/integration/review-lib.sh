# igprep review in the background for a test (source after lib.sh).
# review_start SHOOT OUT [ARGS...]: start it on a free port and wait for its
# URL; sets REVIEW_URL (no trailing slash), REVIEW_PORT and REVIEW_PID.
# review_stop: stop it (SIGTERM, by its pid), wait for it to exit, and
# count it as a failure when it did not exit 0 (a sanitizer's report, say),
# showing what it printed.
REVIEW_PID=""
REVIEW_LOG=""
trap 'review_stop; rm -rf "$TEST_TMP"' EXIT

review_start() {
  local shoot=$1 out=$2 log
  shift 2
  log=$(mktemp "$TEST_TMP/review-log.XXXXXX")
  REVIEW_LOG=$log
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
  local status=0
  if [ -n "$REVIEW_PID" ]; then
    kill -TERM "$REVIEW_PID" 2>/dev/null || true
    wait "$REVIEW_PID" 2>/dev/null || status=$?
    REVIEW_PID=""
    if [ "$status" -ne 0 ]; then
      cat "$REVIEW_LOG" >&2
      fail "igprep review exited $status when stopped"
    else
      pass
    fi
  fi
}
