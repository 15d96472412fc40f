# What igprep finds already in the places it writes to (issue 18, defects 4
# and 9).
# - archive --to DIR replaces only a bag igprep wrote (bagit.txt, the
#   "Bag-Software-Agent: igprep" marker in bag-info.txt, nothing its own
#   manifests do not list). A user's folder, file or link at the bag's name,
#   or a bag holding a file of the user's, is refused on one line naming it,
#   exit 1, and left exactly as it was.
# - publish leaves each outbox folder holding exactly the approved post: a
#   planted file, or a post file swapped for a link to the same bytes, makes
#   it rebuild the folder (atomically, with a warning naming what it held).
. "$(dirname "$0")/lib.sh"


# A shoot of two tiny photos, two posts: a run of it takes well under a second.
shoot="$TEST_TMP/shoot" out="$TEST_TMP/out"
mkdir -p "$shoot"
approvers "$shoot"
vips gaussnoise "$TEST_TMP/n.v" 64 64 >/dev/null
vips cast "$TEST_TMP/n.v" "$shoot/a.jpg" uchar
vips flip "$shoot/a.jpg" "$shoot/b.jpg" horizontal
cat >"$shoot/shoot.json" <<'JSON'
{"version": 1, "shoot": "tiny", "posts": [
  {"id": "p1", "type": "feed", "media": [{"file": "a.jpg"}], "alt": ["noise"],
   "schedule": "2026-11-28T19:00:00+09:00"},
  {"id": "p2", "type": "feed", "aspect": "1:1", "media": [{"file": "b.jpg"}], "alt": ["noise"],
   "schedule": "2026-11-29T19:00:00+09:00"}]}
JSON
"$IGPREP" run "$shoot" --out "$out" --quiet 2>/dev/null
check "the run made both posts" test -f "$out/posts/p1/p1.jpg" -a -f "$out/posts/p2/p2.jpg"
# The bag holds the posts as published (issue 15): approve and publish them.
"$IGPREP" approve "$out" p1 p2 --by ann --quiet
"$IGPREP" publish "$out" --outbox "$TEST_TMP/sent" --quiet

# run COMMAND...: stderr to $TEST_TMP/err, exit status to $rc.
run() {
  rc=0
  "$@" 2>"$TEST_TMP/err" >/dev/null || rc=$?
}
# Every entry of a folder, links not followed, with content hashes and
# mtimes: proof that nothing in it was touched.
snapshot() {
  (cd "$1" && find . -printf '%y %p %s %T@ %l\n' | LC_ALL=C sort &&
    find . -type f -exec sha256sum {} + | LC_ALL=C sort)
}
# The same without sizes and mtimes: names, kinds, links and content hashes.
content() {
  (cd "$1" && find . -printf '%y %p %l\n' | LC_ALL=C sort &&
    find . -type f -exec sha256sum {} + | LC_ALL=C sort)
}
errors() { grep -c 'error:' "$TEST_TMP/err" || true; }

# ---- defect 4: archive --to never deletes what is not its own bag ----
bags="$TEST_TMP/bags"
bag="$bags/igprep-tiny"

# refused WHAT PATH: the last export was refused, on one line naming PATH,
# and PATH is as it was ($before).
refused() {
  check "$1: exit 1 (got $rc)" test "$rc" -eq 1
  check "$1: one error line" test "$(errors)" -eq 1
  check "$1: the line names $2" grep -qF "$2: already exists and is not a bag igprep wrote" "$TEST_TMP/err"
  check "$1: left exactly as it was" test "$before" = "$(snapshot "$bags")"
}

# A user's folder where the bag would go.
mkdir -p "$bag/photos"
echo "keep me" >"$bag/notes.txt"
cp "$shoot/a.jpg" "$bag/photos/mine.jpg"
before=$(snapshot "$bags")
sleep 1.1 # any rewrite would show in the mtimes
run "$IGPREP" archive "$out" --to "$bags"
refused "a user's folder at the bag's name" "$bag"
check "the user's folder: the reason" grep -q "it has no bagit.txt" "$TEST_TMP/err"

# Even one that looks like a bag, but not igprep's: no marker.
printf 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n' >"$bag/bagit.txt"
printf 'Source-Organization: someone else\n' >"$bag/bag-info.txt"
before=$(snapshot "$bags")
run "$IGPREP" archive "$out" --to "$bags"
refused "another tool's bag" "$bag"
check "another tool's bag: the reason" grep -q "no 'Bag-Software-Agent: igprep'" "$TEST_TMP/err"
rm -rf "$bag"

# A link to a folder.
mkdir -p "$TEST_TMP/elsewhere" && echo "keep me" >"$TEST_TMP/elsewhere/notes.txt"
ln -s "$TEST_TMP/elsewhere" "$bag"
before=$(snapshot "$bags")$(snapshot "$TEST_TMP/elsewhere")
run "$IGPREP" archive "$out" --to "$bags"
check "a link at the bag's name: exit 1 (got $rc)" test "$rc" -eq 1
check "a link at the bag's name: named" grep -qF "$bag: already exists and is not a bag igprep wrote (it is a symbolic link)" "$TEST_TMP/err"
check "a link at the bag's name: link and target untouched" \
  test "$before" = "$(snapshot "$bags")$(snapshot "$TEST_TMP/elsewhere")"
rm -rf "$bag"

# A file of the user's where the zip would go.
echo "my own zip" >"$bags/igprep-tiny.zip"
before=$(snapshot "$bags")
run "$IGPREP" archive "$out" --to "$bags" --format zip
refused "a user's file at the zip's name" "$bags/igprep-tiny.zip"
rm -f "$bags/igprep-tiny.zip"

# igprep's own bag: marked, and replaced when damaged.
run "$IGPREP" archive "$out" --to "$bags" --quiet
check "a fresh export succeeds (exit $rc)" test "$rc" -eq 0
check "bag-info.txt carries the marker" grep -qx "Bag-Software-Agent: igprep" "$bag/bag-info.txt"
check "the marked bag is valid" "$IGPREP" archive --check "$bag" --quiet
printf x >>"$bag/data/tiny/p1/p1.jpg"
rm "$bag/data/tiny/p2/p2.jpg"
run "$IGPREP" archive "$out" --to "$bags" --quiet
check "a damaged bag of igprep's is replaced (exit $rc)" test "$rc" -eq 0
check "and is valid again" "$IGPREP" archive --check "$bag" --quiet

# ... but not when the user put a file in it: that file would go with it.
echo "my note" >"$bag/data/tiny/p1/note.txt"
before=$(snapshot "$bags")
run "$IGPREP" archive "$out" --to "$bags"
refused "igprep's bag holding a user's file" "$bag"
check "the user's file is named" grep -qF "it holds 'data/tiny/p1/note.txt'" "$TEST_TMP/err"
rm -f "$bag/data/tiny/p1/note.txt"
echo "my note" >"$bag/README.txt"
before=$(snapshot "$bags")
run "$IGPREP" archive "$out" --to "$bags"
refused "igprep's bag with a user's file beside its tag files" "$bag"
rm -f "$bag/README.txt"

# The temporaries of a killed export are swept; a hidden file of the user's
# that merely looks like one is not.
mkdir -p "$bags/.igprep-tiny.tmp-999-1/data" && : >"$bags/.igprep-tiny.tmp-999-1/data/half.jpg"
: >"$bags/.mine.tmp-1"
run "$IGPREP" archive "$out" --to "$bags" --quiet
check "export after a killed export (exit $rc)" test "$rc" -eq 0
check "swept the killed export's temporaries" test ! -e "$bags/.igprep-tiny.tmp-999-1"
check "kept the user's hidden file" test -e "$bags/.mine.tmp-1"
check "left no lock file in DIR" test -z "$(find "$bags" -name '*lock*')"

# One export at a time in DIR.
run flock "$bags" "$IGPREP" archive "$out" --to "$bags"
check "a concurrent export is refused (exit $rc)" test "$rc" -eq 1
check "saying why" grep -q "another igprep archive is writing in this folder" "$TEST_TMP/err"

# ---- defect 9: the outbox holds exactly the approved post ----
box="$TEST_TMP/outbox"
"$IGPREP" approve "$out" p1 --by ann --quiet
"$IGPREP" approve "$out" p2 --by ann --quiet
check "publish" "$IGPREP" publish "$out" --outbox "$box" --quiet
reference=$(content "$box")
# Exactly the post: post.json and its files, each a regular file, bytes as approved.
exactly_post() {
  local d="$box/tiny-$1"
  [ "$(cd "$d" && find . -mindepth 1 -printf '%y %P\n' | LC_ALL=C sort | tr '\n' ' ')" = "f $1.jpg f post.json " ] &&
    cmp -s "$d/$1.jpg" "$out/posts/$1/$1.jpg"
}
check "p1's folder is the post" exactly_post p1

# A planted file, a hidden one and a folder.
echo "buy now" >"$box/tiny-p1/extra.txt"
: >"$box/tiny-p1/.hidden"
mkdir "$box/tiny-p1/sub"
run "$IGPREP" publish "$out" --outbox "$box"
check "publish over planted files: exit 0 (got $rc)" test "$rc" -eq 0
check "the planted files are gone: p1's folder is the post" exactly_post p1
for f in extra.txt .hidden sub; do
  check "the warning names '$f'" grep -q "warning: publish: $box/tiny-p1: .*'$f' is not part of the post" "$TEST_TMP/err"
done
check "one warning line" test "$(grep -c 'warning:' "$TEST_TMP/err")" -eq 1
check "p1 counted as published again, p2 unchanged" grep -q "1 post published, 1 unchanged, 0 refused" "$TEST_TMP/err"

# A post file swapped for a link to the same bytes.
cp "$box/tiny-p2/p2.jpg" "$TEST_TMP/p2-copy.jpg"
ln -sf "$TEST_TMP/p2-copy.jpg" "$box/tiny-p2/p2.jpg"
ln -sf "$TEST_TMP/p2-copy.jpg" "$TEST_TMP/p2-link"
run "$IGPREP" publish "$out" --outbox "$box"
check "publish over a linked post file: exit 0 (got $rc)" test "$rc" -eq 0
check "p2.jpg is a regular file again" test -f "$box/tiny-p2/p2.jpg" -a ! -L "$box/tiny-p2/p2.jpg"
check "p2's folder is the post" exactly_post p2
check "the warning names the link" grep -q "warning: publish: $box/tiny-p2: 'p2.jpg' is not a regular file" "$TEST_TMP/err"
check "the link's target is untouched" cmp -s "$TEST_TMP/p2-copy.jpg" "$out/posts/p2/p2.jpg"
# post.json as a link to its own bytes, too.
cp "$box/tiny-p2/post.json" "$TEST_TMP/pj-copy"
ln -sf "$TEST_TMP/pj-copy" "$box/tiny-p2/post.json"
run "$IGPREP" publish "$out" --outbox "$box"
check "a linked post.json is replaced by a file" test -f "$box/tiny-p2/post.json" -a ! -L "$box/tiny-p2/post.json"
check "the outbox is the first publish's, names and bytes" test "$reference" = "$(content "$box")"
check "no temporaries left" test -z "$(find "$box" -name '.*.tmp-*')"

# Nothing planted: nothing rewritten, nothing said.
before=$(snapshot "$box")
run "$IGPREP" publish "$out" --outbox "$box"
check "a clean outbox is left alone" test "$before" = "$(snapshot "$box")"
check "without a warning" test -z "$(grep 'warning:' "$TEST_TMP/err")"

# A link or file under a post's folder name is not igprep's: left alone, refused.
rm -rf "$box/tiny-p1"
mkdir -p "$TEST_TMP/copy" && cp -a "$box/tiny-p2" "$TEST_TMP/copy/tiny-p1"
ln -s "$TEST_TMP/copy/tiny-p1" "$box/tiny-p1"
before=$(snapshot "$box")$(snapshot "$TEST_TMP/copy")
run "$IGPREP" publish "$out" --outbox "$box"
check "a link as a post's folder: exit 1 (got $rc)" test "$rc" -eq 1
check "a link as a post's folder: named" grep -qF "post 'p1' not published: $box/tiny-p1 exists and is not a folder" "$TEST_TMP/err"
check "a link as a post's folder: link and target untouched" \
  test "$before" = "$(snapshot "$box")$(snapshot "$TEST_TMP/copy")"
rm -rf "$box/tiny-p1"
echo "mine" >"$box/tiny-p1"
run "$IGPREP" publish "$out" --outbox "$box"
check "a file as a post's folder: exit 1 (got $rc)" test "$rc" -eq 1
check "a file as a post's folder: kept" test "$(cat "$box/tiny-p1")" = mine

done_testing
