# The city's approval covers the whole post (issue 15): the proof shows a
# digest per page and for the proof; `approve --proof` approves exactly the
# posts that proof showed, by an approver of igprep.json, at the real clock
# in the account's zone; a change to the caption, schedule, an alt text or a
# collaborator after approval is refused at publish naming the field, and
# the post's outbox folder is withdrawn; reverting makes the approval valid
# again; publishing the approved subset exits 0 with one summary line;
# audit.log is a hash chain that verify checks; the archive holds exactly
# the published posts, with their approved captions, dated by the delivery.
. "$(dirname "$0")/lib.sh"

out="$TEST_TMP/out"
shoot="$TEST_TMP/shoot"
box="$TEST_TMP/box"
name=approval
city="山田 花子"

# A small shoot: a templated feed post (with its next-day story), a plain
# feed post, a carousel; noise pictures, so that runs and verify are quick.
mkdir -p "$shoot"
printf '%s\n' '{"approvers": [{"name": "山田 花子", "role": "city"}]}' >"$shoot/igprep.json"
vips gaussnoise "$TEST_TMP/n.v" 640 800 --mean 120 --sigma 40 >/dev/null
vips cast "$TEST_TMP/n.v" "$shoot/A.JPG" uchar
vips flip "$shoot/A.JPG" "$shoot/B.JPG" horizontal
cat >"$TEST_TMP/shoot.orig" <<'JSON'
{"version": 1, "shoot": "approval", "title": "のびすく テスト", "date": "2026-11-20", "posts": [
  {"id": "feed-01", "type": "feed", "template": "feed-report", "media": [{"file": "A.JPG"}],
   "text": {"title": "のびすく テスト", "date": "2026年11月20日（金）", "place": "のびすく仙台",
            "body": "承認のテスト。"},
   "caption": "11月20日（金）、のびすくでハロウィンパーティーを開催しました。たくさんのご参加ありがとうございました。次回のイベント情報はプロフィールのリンクからご覧ください。 #のびすく",
   "alt": ["灰色のノイズ。"], "schedule": "2026-11-28T19:00:00+09:00"},
  {"id": "feed-02", "type": "feed", "aspect": "1:1", "media": [{"file": "B.JPG"}],
   "caption": "ふたつめ", "alt": ["ノイズ。"], "schedule": "2026-11-29T12:00:00+09:00"},
  {"id": "carousel-01", "type": "carousel", "media": [{"file": "A.JPG"}, {"file": "B.JPG"}],
   "caption": "カルーセル", "alt": ["一枚目。", "二枚目。"], "schedule": "2026-11-30T19:00:00+09:00"}]}
JSON
cp "$TEST_TMP/shoot.orig" "$shoot/shoot.json"
"$IGPREP" run "$shoot" --out "$out" --quiet 2>/dev/null # (noise, enlarged: warnings)
check "the run made the posts" test -f "$out/posts/feed-01-story/feed-01-story.jpg"

# run_rc COMMAND...: stderr to $TEST_TMP/err, exit status to $rc.
run_rc() {
  rc=0
  "$@" 2>"$TEST_TMP/err" >"$TEST_TMP/stdout" || rc=$?
}
# edit JQ: rewrite the shoot's shoot.json from the original with JQ, and run.
edit() {
  jq "$1" "$TEST_TMP/shoot.orig" >"$shoot/shoot.json"
  "$IGPREP" run "$shoot" --out "$out" --quiet 2>/dev/null || true
}
posts_in() { find "$1" -mindepth 1 -maxdepth 1 -type d ! -name '.*' -printf '%f\n' | sort | tr '\n' ' '; }

# ---- the proof carries the digests ----
run_rc "$IGPREP" proof "$out"
check "proof: exit 0 (got $rc)" test "$rc" -eq 0
proof=$(jq -r '.proofs[-1].digest' "$out/state/proofs.json")
check "the proof's digest is 12 hex characters ($proof)" grep -Eqx '[0-9a-f]{12}' <<<"$proof"
check "proof prints the digest to approve with" grep -q "approve $out --proof $proof" "$TEST_TMP/err"
text=$(pdftotext "$out/reports/proof.pdf" -)
pages=$(pdfinfo "$out/reports/proof.pdf" | awk '/^Pages:/ {print $2}')
check "every page shows the proof's digest" test "$(grep -c "proof $proof" <<<"$text")" -eq "$pages"
proof_ids=$(jq -r '.proofs[-1].posts[].id' "$out/state/proofs.json" | sort)
for id in $proof_ids; do
  d=$(jq -r --arg id "$id" '.proofs[-1].posts[] | select(.id == $id) | .digest[:12]' "$out/state/proofs.json")
  check "the page of $id shows its digest $d" grep -q "post digest $d" <<<"$text"
done

# ---- approvers ----
run_rc "$IGPREP" approve "$out" --proof "$proof" --by "知らない人"
check "unknown approver: exit 1 (got $rc)" test "$rc" -eq 1
check "unknown approver: named on one line" \
  test "$(grep -c "'知らない人' is not an approver named in $shoot/igprep.json" "$TEST_TMP/err")" -eq 1
check "unknown approver: nothing approved" test ! -e "$out/approvals.json"
check "unknown approver: the refusal is in the audit log" \
  test "$(jq -rs 'map(select(.event == "approve-refused")) | .[0].by' "$out/audit.log")" = "知らない人"

# ---- approve --proof: exactly the posts of that proof, unchanged since ----
# feed-02's caption changes after the proof: it is refused, named; the other
# posts of the proof are approved, and nothing else.
edit '(.posts[] | select(.id == "feed-02") | .caption) |= "【未承認の文面】" + .'
run_rc "$IGPREP" approve "$out" --proof "$proof" --by "$city"
check "approve --proof with a post changed since: exit 1 (got $rc)" test "$rc" -eq 1
check "feed-02 refused: changed since the proof, naming the caption" \
  grep -q "post 'feed-02' not approved: it changed since proof $proof (caption: .*【未承認の文面】" "$TEST_TMP/err"
check "approve --proof approved exactly the proof's other posts" \
  test "$(jq -r '.approvals[].post' "$out/approvals.json" | sort | tr '\n' ' ')" = \
  "$(grep -vx feed-02 <<<"$proof_ids" | tr '\n' ' ')"
check "each approval records the proof" \
  test "$(jq -r '[.approvals[].proof] | unique | join(" ")' "$out/approvals.json")" = "$proof"
at=$(jq -r '.approvals[0].at' "$out/approvals.json")
check "approval time written with +09:00 ($at)" grep -Eqx '[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\+09:00' <<<"$at"
check "approval time is the real clock ($at)" \
  test "$(( $(date +%s) - $(date -d "$at" +%s) ))" -lt 300
check "who and the role" test "$(jq -r '.approvals[0] | "\(.by)/\(.role)"' "$out/approvals.json")" = "$city/city"

# ---- publish the approved subset: exit 0, one summary line ----
run_rc "$IGPREP" publish "$out" --outbox "$box"
check "publish of the approved subset: exit 0 (got $rc)" test "$rc" -eq 0
check "no error line" test "$(grep -c 'error:' "$TEST_TMP/err")" -eq 0
check "one summary line naming the unapproved post" \
  grep -qx "igprep: publish: 1 post not approved, not sent: feed-02" "$TEST_TMP/err"
check "the approved posts are out" \
  test "$(posts_in "$box")" = "$(grep -vx feed-02 <<<"$proof_ids" | sed "s/^/$name-/" | tr '\n' ' ')"

# feed-02 approved as it is now, with a stated time kept beside the clock's.
check "approve feed-02 --at" "$IGPREP" approve "$out" feed-02 --by "$city" --at 2026-12-04T17:30 --quiet
check "--at is recorded as stated, the clock as at" test "$(jq -r '.approvals[-1] |
  "\(.stated_at) \(.at != .stated_at)"' "$out/approvals.json")" = "2026-12-04T17:30:00+09:00 true"
run_rc "$IGPREP" publish "$out" --outbox "$box"
check "publish everything: exit 0 (got $rc)" test "$rc" -eq 0
caption02=$(jq -r .caption "$box/$name-feed-02/post.json")
check "post.json has the approved caption" grep -q '^【未承認の文面】' <<<"$caption02"
check "post.json carries the approval's digest and offset" test "$(jq -r \
  '"\(.approval.digest | length) \(.approval.at | test("\\+09:00$"))"' "$box/$name-feed-02/post.json")" = "64 true"
edit '(.posts[] | select(.id == "feed-02") | .caption) |= "【未承認の文面】" + .'
cp "$shoot/shoot.json" "$TEST_TMP/shoot.approved" # feed-02 as approved

# ---- changes after approval: each refused at publish, naming the field ----
jq '(.posts[] | select(.id == "feed-01") | .caption) |= . + " 追記"
  | (.posts[] | select(.id == "feed-02") | .schedule) = "2026-11-29T13:00:00+09:00"
  | (.posts[] | select(.id == "carousel-01") | .alt[1]) = "差し替えた説明"
  | (.posts[] | select(.id == "carousel-01") | .collaborators) = ["sendai_city"]' \
  "$TEST_TMP/shoot.approved" >"$TEST_TMP/changed.json"
cp "$TEST_TMP/changed.json" "$shoot/shoot.json"
"$IGPREP" run "$shoot" --out "$out" --quiet 2>/dev/null || true
run_rc "$IGPREP" publish "$out" --outbox "$box"
check "changed after approval: exit 1 (got $rc)" test "$rc" -eq 1
refused() { grep "post '$1' not published: changed after its approval by $city at .*: $2" "$TEST_TMP/err" >/dev/null; }
check "caption change refused, naming the caption" refused feed-01 "caption: '.*' -> '.* 追記'"
check "schedule change refused, old -> new" refused feed-02 "schedule: '2026-11-29T12:00:00+09:00' -> '2026-11-29T13:00:00+09:00'"
check "alt text change refused, naming which" refused carousel-01 "alt 2: '.*' -> '差し替えた説明'"
check "collaborator change refused" refused carousel-01 'alt 2: .*; collaborators: \[\] -> \["sendai_city"\]'
check "four refusals, one line each (feed-02's next-day story moved with it)" \
  test "$(grep -c 'not published' "$TEST_TMP/err")" -eq 4
for id in feed-01 feed-02 carousel-01; do
  check "$id's folder left the outbox" test ! -e "$box/$name-$id"
  w=$(find "$box/.withdrawn" -mindepth 1 -maxdepth 1 -name "$id-2*" | head -1)
  check "$id's folder is in .withdrawn/ with a note" grep -q "changed after its approval" "$w/WITHDRAWN.txt"
done
check "the stories, unchanged, stay" test -d "$box/$name-feed-01-story"

# ---- reverting makes the approval valid again ----
cp "$TEST_TMP/shoot.approved" "$shoot/shoot.json"
"$IGPREP" run "$shoot" --out "$out" --quiet 2>/dev/null || true
run_rc "$IGPREP" publish "$out" --outbox "$box"
check "reverted: exit 0 (got $rc)" test "$rc" -eq 0
check "reverted: every post back in the outbox" \
  test "$(posts_in "$box")" = "$(sed "s/^/$name-/" <<<"$proof_ids" | tr '\n' ' ')"
check "reverted: the approved caption" test "$(jq -r .caption "$box/$name-feed-02/post.json")" = "$caption02"

# ---- the audit log ----
check "audit log: approvals, refusals, publishes, withdrawals" test "$(jq -rs \
  '[.[].event] | unique | join(" ")' "$out/audit.log")" = "approve approve-refused publish publish-refused withdraw"
check "verify OUT accepts the chain" "$IGPREP" verify "$out" --quiet
cp "$out/audit.log" "$TEST_TMP/audit.log"
sed -i '3s/山田 花子/山田 太郎/' "$out/audit.log"
run_rc "$IGPREP" verify "$out" --quiet
check "an edited line: verify fails (got $rc)" test "$rc" -ne 0
check "naming where the chain breaks" \
  grep -q "audit.log:4: the hash of line 3 recorded here does not match it: line 3 was edited" "$TEST_TMP/err"
cp "$TEST_TMP/audit.log" "$out/audit.log"

# ---- the archive: exactly the published posts, approved words, delivery date ----
# feed-02 changes again and is not published: it stays out of the bag.
cp "$TEST_TMP/shoot.orig" "$shoot/shoot.json"
"$IGPREP" run "$shoot" --out "$out" --quiet 2>/dev/null || true
run_rc "$IGPREP" archive "$out" --to "$TEST_TMP/bags"
bag="$TEST_TMP/bags/igprep-$name"
check "archive: exit 0 (got $rc)" test "$rc" -eq 0
check "feed-02, changed since published, is left out, saying why" \
  grep -q "post 'feed-02' left out: it changed since it was published" "$TEST_TMP/err"
check "the bag holds exactly the published, unchanged posts" \
  test "$(jq -r '[.files[] | select(.kind != "master") | .post_id] | unique | .[]' "$bag/data/catalogue.json" | tr '\n' ' ')" = \
  "$(grep -vx feed-02 <<<"$proof_ids" | tr '\n' ' ')"
check "with the approved caption" test "$(jq -r '.files[] | select(.post_id == "feed-01" and .kind == "feed-image") | .caption' \
  "$bag/data/catalogue.json")" = "$(jq -r .caption "$box/$name-feed-01/post.json")"
check "dated by the delivery: today in Asia/Tokyo" \
  grep -Eqx "Bagging-Date: ($(TZ=Asia/Tokyo date +%F)|$(TZ=Asia/Tokyo date -d '-1 minute' +%F))" "$bag/bag-info.txt"
done_testing
