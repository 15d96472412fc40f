# SIGKILL rounds for a command that writes into a folder (publish, archive).
# Sourced by t-kill-publish.sh and t-kill-archive.sh after lib.sh.
#
# Each round: the folder starts in some state (PRE), the command starts, and
# is killed with SIGKILL at a random moment. Then nothing partial may be
# visible: every entry of the folder without a leading dot is as it was
# before the round or as an unkilled run leaves it (REF), never in between
# (absent is allowed: a replaced folder's name is briefly free). The command
# run again must leave the folder exactly as REF, hidden entries included:
# the temporaries of the killed run are swept.

# A shoot of two tiny photos, run once: the posts to publish and archive.
# make_tiny_run OUT: four posts (feed, square, carousel, story), approved.
make_tiny_run() {
  local shoot="$TEST_TMP/shoot" out=$1 p
  mkdir -p "$shoot"
  approvers "$shoot"
  vips gaussnoise "$TEST_TMP/n.v" 64 64 >/dev/null
  vips cast "$TEST_TMP/n.v" "$shoot/a.jpg" uchar
  vips flip "$shoot/a.jpg" "$shoot/b.jpg" horizontal
  cat >"$shoot/shoot.json" <<'JSON'
{"version": 1, "shoot": "tiny", "posts": [
  {"id": "feed", "type": "feed", "media": [{"file": "a.jpg"}], "alt": ["noise"],
   "schedule": "2026-11-28T19:00:00+09:00"},
  {"id": "square", "type": "feed", "aspect": "1:1", "media": [{"file": "b.jpg"}], "alt": ["noise"],
   "schedule": "2026-11-29T19:00:00+09:00"},
  {"id": "slides", "type": "carousel", "media": [{"file": "a.jpg"}, {"file": "b.jpg"}],
   "alt": ["noise", "noise"], "schedule": "2026-11-30T19:00:00+09:00"},
  {"id": "night", "type": "story", "media": [{"file": "b.jpg"}],
   "schedule": "2026-11-30T20:00:00+09:00"}]}
JSON
  "$IGPREP" run "$shoot" --out "$out" --quiet 2>/dev/null
  for p in feed square slides night; do "$IGPREP" approve "$out" "$p" --by ann --quiet; done
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# sleep_random MS: sleep 0 to MS-1 milliseconds.
sleep_random() {
  sleep "$(awk -v ms=$((RANDOM % $1)) 'BEGIN { printf "%.3f", ms / 1000 }')"
}

# What a path holds: a folder's names, kinds, link targets and content
# hashes (hidden entries included), a file's hash, or "absent".
state() {
  if [ -L "$1" ]; then
    echo "link $(readlink "$1")"
  elif [ -d "$1" ]; then
    (cd "$1" && find . -printf '%y %p %l\n' | LC_ALL=C sort &&
      find . -type f -exec sha256sum {} + | LC_ALL=C sort)
  elif [ -e "$1" ]; then
    sha256sum <"$1"
  else
    echo absent
  fi
}

# nothing_partial DIR PRE REF: each visible entry of DIR is as in PRE or in REF.
nothing_partial() {
  local e now
  for e in "$1"/*; do
    [ -e "$e" ] || [ -L "$e" ] || continue
    now=$(state "$e")
    if [ "$now" != "$(state "$2/${e##*/}")" ] && [ "$now" != "$(state "$3/${e##*/}")" ]; then
      echo "partial under its final name: $e" >&2
      return 1
    fi
  done
}

# has_temporaries DIR: a hidden temporary of a killed run is there.
has_temporaries() { [ -n "$(find "$1" -maxdepth 1 -name '.*.tmp-*')" ]; }

# kill_during ROUND SPAN DIR COMMAND...: run COMMAND and SIGKILL it. Even
# rounds: at a random moment within SPAN ms of its start. Odd rounds: a
# random 0-100 ms once it has begun writing (a hidden temporary in DIR), so
# that kills land mid-write however long the work before it takes on a busy
# machine.
kill_during() {
  local round=$1 span=$2 dir=$3 pid
  shift 3
  "$@" >/dev/null 2>&1 &
  pid=$!
  if [ $((round % 2)) -eq 1 ]; then
    for _ in $(seq 1 2000); do
      if has_temporaries "$dir" || ! kill -0 "$pid" 2>/dev/null; then break; fi
      sleep 0.005
    done
    sleep_random 100
  else
    sleep_random "$span"
  fi
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
