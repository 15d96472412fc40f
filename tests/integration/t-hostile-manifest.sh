# Hostile shoot.json files, command lines and OUT folders (issue 18, items
# 3, 6, 7 and 8): a mistake that would show only late, or never, is refused
# before any stage runs with one line naming shoot.json's line and column; a
# huge shoot.json is checked in linear time; messages say what is wrong, on
# one line, whatever the names hold.
. "$(dirname "$0")/lib.sh"

shoot="$TEST_TMP/shoot"
out="$TEST_TMP/out"
mkdir -p "$shoot"
# The approvers, one with a name that would forge a second line if printed raw.
printf '%s\n' '{"approvers": [{"name": "ann"}, {"name": "ann\nigprep: error: fake"}]}' >"$shoot/igprep.json"
vips black "$TEST_TMP/b.v" 64 64 --bands 3 >/dev/null
vips linear "$TEST_TMP/b.v" "$shoot/a.jpg" "1 1 1" "90 140 200" --uchar >/dev/null
ffmpeg -v error -f lavfi -i testsrc=duration=1:size=64x64:rate=30 -pix_fmt yuv420p \
  -c:v libx264 "$shoot/clip.mp4"

# refused WHAT LINE COMMAND...: the command exits 1, its stderr is exactly
# LINE, and no stage ran: there is no OUT.
refused() {
  local what=$1 line=$2 status=0
  shift 2
  rm -rf "$out"
  "$@" 2>"$TEST_TMP/err" || status=$?
  check "$what: exit 1 (got $status)" test "$status" -eq 1
  if [ "$(cat "$TEST_TMP/err")" = "$line" ]; then pass; else
    fail "$what: expected the one line: $line"
    sed 's/^/    got: /' "$TEST_TMP/err" >&2
  fi
  check "$what: no stage ran (no OUT)" test ! -e "$out"
}
json="$shoot/shoot.json"

# ---- 3: a written id that a next-day story would take ----
cat >"$json" <<'JSON'
{"version": 1, "shoot": "hostile", "posts": [
  {"id": "p1", "type": "feed", "template": "feed-report", "text": {"title": "はじめ"}, "media": [{"file": "a.jpg"}]},
  {"id": "p1-story", "type": "feed", "media": [{"file": "a.jpg"}]}
]}
JSON
refused "story id collision" \
  "igprep: error: $json:3:10: post id 'p1-story' is also the id of the next-day story of post 'p1' (line 2): give this post another id" \
  "$IGPREP" run "$shoot" --out "$out" --quiet

# ---- 8: an id too long says so ----
long=$(printf 'a%.0s' $(seq 250))
cat >"$json" <<JSON
{"version": 1, "shoot": "hostile", "posts": [
  {"id": "$long", "type": "feed", "media": [{"file": "a.jpg"}]}
]}
JSON
refused "id too long" "igprep: error: $json:2:10: post id is too long: 250 bytes, at most 199" \
  "$IGPREP" run "$shoot" --out "$out" --quiet

# ---- 7: late failures, refused first ----
# A shoot name plus post id that cannot name an outbox folder (with its
# temporary name) would pass run and approve and fail at every publish.
name150=$(printf 's%.0s' $(seq 150)) id100=$(printf 'p%.0s' $(seq 100))
cat >"$json" <<JSON
{"version": 1, "shoot": "$name150", "posts": [
  {"id": "$id100", "type": "feed", "media": [{"file": "a.jpg"}]}
]}
JSON
refused "outbox name too long" \
  "igprep: error: $json:2:10: post '$id100': its outbox folder name \"<shoot>-<id>\" would be 251 bytes long, at most 223: shorten the shoot name or the post id" \
  "$IGPREP" run "$shoot" --out "$out" --quiet

templates=$(cd "$IGP_SRC/templates" && LC_ALL=C ls -d */template.json | sed 's,/template.json,,' |
  grep -v '^_' | paste -sd, - | sed 's/,/, /g')
cat >"$json" <<'JSON'
{"version": 1, "shoot": "hostile", "posts": [
  {"id": "p1", "type": "feed", "media": [{"file": "a.jpg"}],
   "template": "nope"}
]}
JSON
refused "unknown template" \
  "igprep: error: $json:3:16: post 'p1': unknown template 'nope' (templates: $templates)" \
  "$IGPREP" run "$shoot" --out "$out" --quiet

# A story video takes the reel template's title card: no text, no shoot title.
cat >"$json" <<'JSON'
{"version": 1, "shoot": "hostile", "posts": [
  {"id": "v1", "type": "story", "media": [{"file": "clip.mp4"}]}
]}
JSON
refused "story video without its title" \
  "igprep: error: $json:2:3: post 'v1': template 'reel-basic', box 'title': no text 'title' (set \"text\": {\"title\": \"...\"} in the post, or the shoot's \"title\")" \
  "$IGPREP" run "$shoot" --out "$out" --quiet

# ---- 8: control characters in an id print no line or colour of their own ----
cat >"$json" <<'JSON'
{"version": 1, "shoot": "hostile", "posts": [
  {"id": "a\u001b[31mb\nigprep: all good", "type": "feed", "media": [{"file": "a.jpg"}],
   "template": "nope"}
]}
JSON
refused "control characters escaped" \
  "igprep: error: $json:3:16: post 'a\\x1b[31mb\\nigprep: all good': unknown template 'nope' (templates: $templates)" \
  "$IGPREP" run "$shoot" --out "$out" --quiet

# ---- 6: OUT and the shoot folder apart ----
cat >"$json" <<'JSON'
{"version": 1, "shoot": "hostile", "posts": [
  {"id": "p1", "type": "feed", "media": [{"file": "a.jpg"}]}
]}
JSON
echo '{"version": 1, "media": {}}' >"$shoot/faces.json"
ln -s "$shoot" "$TEST_TMP/link"
before=$(fingerprint "$shoot")
# out_refused WHAT OUT LINE: run with --out OUT exits 2 with LINE, and the
# shoot folder is as it was.
out_refused() {
  local status=0
  "$IGPREP" run "$shoot" --out "$2" --quiet 2>"$TEST_TMP/err" || status=$?
  check "$1: exit 2 (got $status)" test "$status" -eq 2
  check "$1: the one line" test "$(cat "$TEST_TMP/err")" = "$3"
  check "$1: the shoot folder is untouched" test "$(fingerprint "$shoot")" = "$before"
}
out_refused "--out is the shoot" "$shoot" \
  "igprep: error: $shoot: the output folder is the shoot folder itself, which igprep only reads; choose another with --out DIR"
out_refused "--out inside the shoot" "$shoot/out" \
  "igprep: error: $shoot/out: the output folder is inside the shoot folder $shoot, which igprep only reads; choose one outside it with --out DIR"
out_refused "--out inside the shoot through a symlink" "$TEST_TMP/link/x/../y" \
  "igprep: error: $TEST_TMP/link/x/../y: the output folder is inside the shoot folder $shoot, which igprep only reads; choose one outside it with --out DIR"
out_refused "--out holding the shoot" "$TEST_TMP" \
  "igprep: error: $TEST_TMP: the output folder holds the shoot folder $shoot; choose one outside it with --out DIR"
rm "$shoot/faces.json"

# ---- 7: checking is linear: 4 times the posts, about 4 times the CPU time ----
# Half the posts name a missing file, so every other post has a message with
# its line and column. CPU time, not wall time: a busy machine does not
# change it, and the bound (8x; quadratic would be 16x) leaves room.
big="$TEST_TMP/big"
mkdir -p "$big" && cp "$shoot/a.jpg" "$big/"
cpu_of_check() { # N: CPU seconds of checking an N-post shoot.json, or "timeout"
  python3 - "$1" "$big/shoot.json" <<'PY'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w") as f:
    f.write('{"version": 1, "shoot": "big", "posts": [\n')
    for i in range(n):
        media = "a.jpg" if i % 2 == 0 else "m%d.jpg" % i
        f.write('  {"id": "p%d", "type": "feed", "media": [{"file": "%s"}]}%s\n'
                % (i, media, "," if i < n - 1 else ""))
    f.write("]}\n")
PY
  local TIMEFORMAT='%3U %3S' t status=0
  # (300,000 posts are about 20 MB of JSON: over the default 16 MiB cap)
  t=$({ time IGPREP_MAX_JSON_MB=64 timeout 120 "$IGPREP" ingest "$big" --out "$TEST_TMP/bigout" --post nosuch \
    2>"$TEST_TMP/bigerr" >/dev/null; } 2>&1) || status=$?
  if [ "$status" -ne 1 ] || ! grep -q "no post with id 'nosuch'" "$TEST_TMP/bigerr"; then
    echo timeout
  else
    awk '{ print $1 + $2 }' <<<"$t"
  fi
}
t75=$(cpu_of_check 75000)
t300=timeout
[ "$t75" = timeout ] || t300=$(cpu_of_check 300000)
echo "checking shoot.json: 75,000 posts ${t75} s CPU, 300,000 posts ${t300} s CPU" >&2
check "75,000 and 300,000 posts are checked (within 120 s each)" \
  test "$t75" != timeout -a "$t300" != timeout
check "the unknown --post is one short line, not 300,000 ids ($(wc -c <"$TEST_TMP/bigerr") bytes)" \
  test "$(wc -l <"$TEST_TMP/bigerr")" -eq 1 -a "$(wc -c <"$TEST_TMP/bigerr")" -lt 400
check "300,000 posts cost at most 8 times 75,000 ($t300 s vs $t75 s)" \
  awk -v a="$t75" -v b="$t300" 'BEGIN { exit !(b != "timeout" && b <= 8 * a + 0.5) }'
rm -rf "$big" "$TEST_TMP/bigout"

# ---- a run to approve and publish ----
cat >"$json" <<'JSON'
{"version": 1, "shoot": "hostile", "posts": [
  {"id": "p1", "type": "feed", "media": [{"file": "a.jpg"}]}
]}
JSON
"$IGPREP" run "$shoot" --out "$out" --quiet 2>/dev/null
check "the run made p1" test -s "$out/posts/p1/p1.jpg"

# 8: a file changed, verified, and restored to its verified bytes (even with
# its old modification time) is approved: approve does not trust a verify
# report about other bytes.
cp -p "$out/posts/p1/p1.jpg" "$TEST_TMP/p1.jpg"
vips black "$out/posts/p1/p1.jpg" 400 100
status=0; "$IGPREP" verify "$out" --quiet 2>/dev/null || status=$?
check "verify refuses the changed file (exit $status)" test "$status" -eq 3
cp -p "$TEST_TMP/p1.jpg" "$out/posts/p1/p1.jpg"
status=0; "$IGPREP" approve "$out" p1 --by ann --quiet 2>"$TEST_TMP/err" || status=$?
check "restored file: approved (exit $status)" test "$status" -eq 0
check "restored file: one approval recorded" test "$(jq '.approvals | length' "$out/approvals.json" 2>/dev/null)" = 1
cat "$TEST_TMP/err" >&2

# 8: --by with a newline prints one line. (A fresh report first, so that
# this case stands on its own.)
"$IGPREP" verify "$out" --quiet 2>/dev/null || true
status=0
"$IGPREP" approve "$out" p1 --by "$(printf 'ann\nigprep: error: fake')" 2>"$TEST_TMP/err" || status=$?
check "--by with a newline: approved (exit $status)" test "$status" -eq 0
# (The time is the real clock's, in the account's zone: issue 15.)
check "--by with a newline: one line" test "$(wc -l <"$TEST_TMP/err")" -eq 1
check "--by with a newline: escaped" grep -Eqx \
  "igprep: approve: post 'p1' approved by ann\\\\nigprep: error: fake at [0-9-]{10}T[0-9:]{8}\\+09:00 \\(digest [0-9a-f]{12}\\)" \
  "$TEST_TMP/err"

# 8: a malformed approval is named, not read as "approved by (null)".
box="$TEST_TMP/outbox"
cp "$out/approvals.json" "$TEST_TMP/approvals.json"
jq 'del(.approvals[0].by, .approvals[0].at) | .approvals[0].files[0].sha256 = "0"' \
  "$TEST_TMP/approvals.json" >"$out/approvals.json"
status=0; "$IGPREP" publish "$out" --outbox "$box" --quiet 2>"$TEST_TMP/err" || status=$?
check "malformed approval: exit 1 (got $status)" test "$status" -eq 1
check "malformed approval: the one line naming the entry" test "$(cat "$TEST_TMP/err")" = \
  "igprep: error: $out/approvals.json:3:5: malformed approvals file: entry 1 (post 'p1') has no \"by\" string; fix or remove it"
cp "$TEST_TMP/approvals.json" "$out/approvals.json"

# 8: a publish error prints once.
mkdir -p "$box" && : >"$box/hostile-p1" # a file where p1's folder must go
status=0; "$IGPREP" publish "$out" --outbox "$box" --quiet 2>"$TEST_TMP/err" || status=$?
check "publish error: exit 1 (got $status)" test "$status" -eq 1
check "publish error: one line" test "$(wc -l <"$TEST_TMP/err")" -eq 1
check "publish error: naming the post" grep -q "post 'p1' not published" "$TEST_TMP/err"
cat "$TEST_TMP/err" >&2

# ---- 8: a full disk is a full disk, not "face detection failed" ----
# A 1 MB tmpfs in a mount namespace of its own (as root, or as a user with
# user namespaces): ingest and scrub fit, then the disk is filled.
ns=(unshare --mount)
[ "$(id -u)" -eq 0 ] || ns=(unshare --user --map-root-user --mount)
disk="$TEST_TMP/disk"
mkdir -p "$disk"
: >"$TEST_TMP/err"
status=0
"${ns[@]}" bash -c '
  set -e
  mount -t tmpfs -o size=1m tmpfs "$1"
  "$2" ingest "$3" --out "$1/out" --quiet
  "$2" scrub "$3" --out "$1/out" --quiet
  dd if=/dev/zero of="$1/fill" bs=4k 2>/dev/null || true
  "$2" detect "$3" --out "$1/out" --quiet 2>"$4" || exit 0
  exit 9' _ "$disk" "$IGPREP" "$shoot" "$TEST_TMP/err" || status=$?
check "full disk: a tmpfs was mounted and detect failed (got $status)" test "$status" -eq 0
cat "$TEST_TMP/err" >&2
check "full disk: the review sheet's write error, once" test "$(grep -cxF \
  "igprep: error: a.jpg: this photo is stopped: $disk/out/review/a.jpg.png: cannot write: No space left on device" \
  "$TEST_TMP/err")" -eq 1
check "full disk: not called a face detection failure" test "$(grep -c 'face detection failed' "$TEST_TMP/err")" -eq 0
done_testing
