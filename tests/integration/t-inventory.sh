# igprep inventory (issue 19): every file under OUT and nothing else,
# compared with find; sizes and SHA-256 against stat and sha256sum; each
# file's category; what left igprep (a hand-made outbox, a real bag); ready
# for purge; the shoot's "retention_days" warning.
. "$(dirname "$0")/lib.sh"

out="$TEST_TMP/out"
sample_out "$out"
shoot=2026-11-20-nobisuku-halloween

inv() { "$IGPREP" inventory "$@" 2>"$TEST_TMP/err"; }
jqe() { jq -e "$@" >/dev/null; }

# What a killed run leaves: a temporary of faces.json (face records), and a
# file igprep did not make.
cp "$out/faces.json" "$out/.faces.json.tmp-4242-1"
echo notes >"$out/notes.txt"

# ---- every file under OUT, and nothing else ----
(cd "$out" && find . ! -type d | sed 's|^\./||' | LC_ALL=C sort) >"$TEST_TMP/find"
inv "$out" --json >"$TEST_TMP/inv.json"
check "inventory --json succeeds" test -s "$TEST_TMP/inv.json"
jq -r '.runs[0].files[].path' "$TEST_TMP/inv.json" | LC_ALL=C sort >"$TEST_TMP/listed"
check "--json lists exactly the files find sees, paths relative to OUT" \
  diff "$TEST_TMP/find" "$TEST_TMP/listed"
check "there are files to compare ($(wc -l <"$TEST_TMP/find"))" test "$(wc -l <"$TEST_TMP/find")" -gt 40
inv "$out" >"$TEST_TMP/inv.txt"
grep -F "  $out/" "$TEST_TMP/inv.txt" | sed "s|.*  $out/||; s|  left: .*||" | LC_ALL=C sort \
  >"$TEST_TMP/listed-text"
check "the text listing names exactly the files find sees" \
  diff "$TEST_TMP/find" "$TEST_TMP/listed-text"
check "the text listing is grouped by category, with counts" \
  grep -qE '^  faces unhidden: [0-9]+ files' "$TEST_TMP/inv.txt"

# ---- size and SHA-256 of each file, by independent readers ----
bad=0
while read -r path size sha; do
  [ "$size" = "$(stat -c %s "$out/$path")" ] || bad=$((bad + 1))
  [ "$sha" = "$(sha256sum <"$out/$path" | cut -d' ' -f1)" ] || bad=$((bad + 1))
done < <(jq -r '.runs[0].files[] | "\(.path) \(.size) \(.sha256)"' "$TEST_TMP/inv.json")
check "every size matches stat and every SHA-256 matches sha256sum ($bad differ)" test "$bad" -eq 0

# ---- categories ----
cat_of() { jq -r --arg p "$1" '.runs[0].files[] | select(.path == $p) | .category' "$TEST_TMP/inv.json"; }
check "a master has faces unhidden" test "$(cat_of masters/IMG_0013.JPG.jpg)" = "faces unhidden"
check "a redacted master has faces hidden" \
  test "$(cat_of masters/redacted/IMG_0013.JPG.jpg)" = "faces hidden"
check "a review sheet has faces unhidden" test "$(cat_of review/index.png)" = "faces unhidden"
check "a composed slide has faces unhidden" \
  test "$(cat_of composed/feed-01/feed-01-01.png)" = "faces unhidden"
check "faces.json has faces unhidden (face records)" test "$(cat_of faces.json)" = "faces unhidden"
check "a post has faces hidden" test "$(cat_of posts/feed-01/feed-01.jpg)" = "faces hidden"
check "verify.json holds no personal data" test "$(cat_of reports/verify.json)" = "no personal data"
check "a killed run's temporary of faces.json has faces unhidden" \
  test "$(cat_of .faces.json.tmp-4242-1)" = "faces unhidden"
check "a file igprep did not make is unknown" test "$(cat_of notes.txt)" = "unknown"
unhidden_find=$( (cd "$out" && find masters review composed -type f ! -path 'masters/redacted/*'; \
  ls faces.json .faces.json.tmp-4242-1 state/detect.json) | wc -l)
check "faces unhidden under OUT = masters + review + composed + face records ($unhidden_find)" \
  test "$(jq '[.runs[0].files[] | select(.category == "faces unhidden")] | length' "$TEST_TMP/inv.json")" \
  -eq "$unhidden_find"
check "purge would take exactly those" \
  test "$(jq '[.runs[0].files[] | select(.purge)] | length' "$TEST_TMP/inv.json")" -eq "$unhidden_find"
check "the originals are listed, relative to the shoot folder, never purged" \
  test "$(jq -r '[.runs[0].originals[] | select(.purge | not) | .path] | sort | join(" ")' "$TEST_TMP/inv.json")" \
  = "$(jq -r '.media | keys | sort | join(" ")' "$out/state/ingest.json")"
check "an original's SHA-256 is the one ingest recorded" \
  test "$(jq -r '.runs[0].originals[] | select(.path == "IMG_0014.JPG") | .sha256' "$TEST_TMP/inv.json")" \
  = "$(sha256sum <"$SAMPLE/IMG_0014.JPG" | cut -d' ' -f1)"
check "without --outbox and --archive, not ready for purge" \
  jqe '.runs[0].ready_for_purge == false and (.runs[0].not_ready | test("--outbox"))' "$TEST_TMP/inv.json"

# ---- what left igprep: the outbox and a bag, as the city approved them ----
outbox="$TEST_TMP/outbox"
"$IGPREP" approve "$out" --all --by "山田 花子" --quiet
"$IGPREP" publish "$out" --outbox "$outbox" --quiet
(cd "$out" && find . ! -type d | sed 's|^\./||' | LC_ALL=C sort) >"$TEST_TMP/find" # approvals, audit log
"$IGPREP" archive "$out" --to "$TEST_TMP/bags" --quiet >/dev/null
inv "$out" --outbox "$outbox" --archive "$TEST_TMP/bags" --json >"$TEST_TMP/inv2.json"
check "a post file left igprep through the outbox and the bag" \
  jqe --arg o "outbox $shoot-feed-02" --arg b "bag igprep-$shoot" \
  '.runs[0].files[] | select(.path == "posts/feed-02/feed-02.jpg") | .left == [$o, $b]' "$TEST_TMP/inv2.json"
check "a redacted master left in the bag only" \
  jqe '.runs[0].files[] | select(.path == "masters/redacted/IMG_0013.JPG.jpg") | .left | length == 1' \
  "$TEST_TMP/inv2.json"
check "an unhidden master never left" \
  jqe '.runs[0].files[] | select(.path == "masters/IMG_0013.JPG.jpg") | .left == []' "$TEST_TMP/inv2.json"
check "every post published and archived: ready for purge" \
  jqe '.runs[0].ready_for_purge == true' "$TEST_TMP/inv2.json"
rm -r "$outbox/$shoot-feed-01"
inv "$out" --outbox "$outbox" --archive "$TEST_TMP/bags" --json >"$TEST_TMP/inv3.json"
check "one post missing from the outbox: not ready, and it says which" \
  jqe '.runs[0].ready_for_purge == false and (.runs[0].not_ready | test("feed-01"))' "$TEST_TMP/inv3.json"
check "the inventory wrote nothing in OUT" diff "$TEST_TMP/find" \
  <(cd "$out" && find . ! -type d | sed 's|^\./||' | LC_ALL=C sort)

# ---- retention_days ----
shootdir="$TEST_TMP/shoot"
cp -a "$SAMPLE" "$shootdir"
jq '. + {retention_days: 30}' "$SAMPLE/shoot.json" >"$shootdir/shoot.json"
jq --arg d "$shootdir" '.shoot_dir = $d' "$out/state/ingest.json" >"$TEST_TMP/ingest.json"
cp "$TEST_TMP/ingest.json" "$out/state/ingest.json"
touch -d "@$(($(date +%s) - 57 * 86400 - 3600))" "$out/masters/IMG_0013.JPG.jpg" # 57 days old
rc=0; inv "$out" >/dev/null || rc=$?
check "a working copy older than retention_days: still exit 0 (got $rc)" test "$rc" -eq 0
check "and one warning naming OUT, the age and the setting" \
  grep -qE "warning: inventory: $out: working copies with unhidden faces kept 57 days, longer than the shoot's retention_days \(30\)" "$TEST_TMP/err"
check "the JSON says so too" bash -c "'$IGPREP' inventory '$out' --json 2>/dev/null |
  jq -e '.runs[0].retention_days == 30 and .runs[0].oldest_working_copy_days == 57' >/dev/null"
touch "$out/masters/IMG_0013.JPG.jpg"
inv "$out" >/dev/null
check "within retention_days: no warning" test ! -s "$TEST_TMP/err"
jq '. + {retention_days: 0}' "$SAMPLE/shoot.json" >"$shootdir/shoot.json"
rc=0; "$IGPREP" ingest "$shootdir" --out "$TEST_TMP/bad" 2>"$TEST_TMP/err" || rc=$?
check "retention_days 0 is a mistake in shoot.json (exit $rc)" test "$rc" -ne 0
check "named with line and column" grep -qE "shoot.json:[0-9]+:[0-9]+: 'retention_days' must be 1 to 36500" "$TEST_TMP/err"

# ---- usage ----
rc=0; "$IGPREP" inventory 2>/dev/null || rc=$?
check "no OUT: usage error, exit 2 (got $rc)" test "$rc" -eq 2
rc=0; inv "$TEST_TMP/nowhere" >/dev/null || rc=$?
check "a folder that is not a run: exit 1 (got $rc)" test "$rc" -eq 1
check "with one line naming it" test "$(grep -c "$TEST_TMP/nowhere" "$TEST_TMP/err")" -eq 1
check "inventory --help" bash -c "'$IGPREP' inventory --help | grep -q retention_days"
done_testing
