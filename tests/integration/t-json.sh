# --json (docs/json.md): every program a script drives writes JSON Lines on
# stdout, the last line the result with the fields the document lists, and
# values that agree with the files it made; errors are events too.
. "$(dirname "$0")/lib.sh"

doc="$IGP_SRC/docs/json.md"

# doc_fields NAME: the fields docs/json.md lists under <!-- fields: NAME -->.
doc_fields() {
  awk -v want="<!-- fields: $1 -->" '
    $0 == want { on = 1; next }
    on && /^\| `/ { split($0, cell, "`"); print cell[2]; next }
    on && /^\|/ { next }
    on { exit }' "$doc"
}
check "docs/json.md lists the common fields" test "$(doc_fields common | wc -l)" -ge 6

# json_lines FILE: every line one JSON object with an "event", the last the result.
json_lines() {
  jq -e -R -s 'split("\n") | map(select(length > 0) | fromjson)
               | length > 0 and all(type == "object" and has("event"))
                 and (last.event == "result") and ([.[] | select(.event == "result")] | length == 1)' \
    "$1" >/dev/null
}

# result FILE: the result line.
result() { tail -n 1 "$1"; }

# documented NAME FILE PROGRAM: the result has every field docs/json.md
# lists for NAME and the common ones, and names PROGRAM.
documented() {
  local f
  for f in $(doc_fields common) $(doc_fields "$1"); do
    check "$1: the result has \"$f\"" jq -e --arg f "$f" 'has($f)' <(result "$2") >/dev/null
  done
  check "$1: the result is program $3" jq -e --arg p "$3" '.program == $p' <(result "$2") >/dev/null
}

# agrees FILE STATUS: ok and exit agree with the exit status, and the counts
# of errors and warnings with the events before the result.
agrees() {
  check "$1: exit $2 in the result" jq -e --argjson s "$2" '.exit == $s and .ok == ($s == 0)' <(result "$1") >/dev/null
  check "$1: errors and warnings counted" jq -e -s '
    (map(select(.event == "error")) | length) as $e | (map(select(.event == "warning")) | length) as $w
    | last | .errors == $e and .warnings == $w' "$1" >/dev/null
}

# ---- run: posts made are OUT/posts' folders ----
out="$TEST_TMP/out"
sample_out "$out"
status=0
"$IGPREP" run "$SAMPLE" --out "$out" --json >"$TEST_TMP/run.jsonl" 2>/dev/null || status=$?
check "run --json succeeds (exit $status)" test "$status" -eq 0
check "run: JSON Lines, the result last" json_lines "$TEST_TMP/run.jsonl"
documented run "$TEST_TMP/run.jsonl" run
agrees "$TEST_TMP/run.jsonl" "$status"
folders=$(cd "$out/posts" && find . -mindepth 1 -maxdepth 1 -type d ! -name '.*' | sed 's|^\./||' | sort)
check "run: made ($(result "$TEST_TMP/run.jsonl" | jq .made)) is the folders of OUT/posts" \
  test "$(result "$TEST_TMP/run.jsonl" | jq .made)" = "$(echo "$folders" | wc -l)"
check "run: the posts made are those folders" \
  test "$(result "$TEST_TMP/run.jsonl" | jq -r '.posts[] | select(.status == "made") | .id' | sort)" = "$folders"
check "run: every file listed exists" \
  bash -c "cd '$out' && for f in \$(tail -n 1 '$TEST_TMP/run.jsonl' | jq -r '.posts[].files[]?'); do test -f \"\$f\" || exit 1; done"
check "run: verify's summary is reports/verify.json's" \
  test "$(result "$TEST_TMP/run.jsonl" | jq -c '.verify | [.checked, .failed]')" = "$(jq -c '[.checked, .failed]' "$out/reports/verify.json")"
check "run: progress events still come" jq -e -s 'any(.event == "progress" and .stage == "encode")' "$TEST_TMP/run.jsonl" >/dev/null

# A failed source: an error event naming it, a failed post in the result.
shoot="$TEST_TMP/small"
mkdir -p "$shoot"
vips black "$shoot/good.jpg" 400 500 --bands 3 >/dev/null
printf 'meeting notes: bring the banner\n' >"$shoot/notes.jpg"
cat >"$shoot/shoot.json" <<'JSON'
{"version": 1, "shoot": "json-small", "posts": [
  {"id": "good", "type": "feed", "media": [{"file": "good.jpg"}]},
  {"id": "bad", "type": "feed", "media": [{"file": "notes.jpg"}]}]}
JSON
status=0
"$IGPREP" run "$shoot" --out "$TEST_TMP/small-out" --json >"$TEST_TMP/small.jsonl" 2>/dev/null || status=$?
check "run with a bad source exits 1 (got $status)" test "$status" -eq 1
check "run (bad source): JSON Lines, the result last" json_lines "$TEST_TMP/small.jsonl"
documented run "$TEST_TMP/small.jsonl" run
agrees "$TEST_TMP/small.jsonl" "$status"
check "run: the bad source is an error event" \
  jq -e -s 'any(.event == "error" and .kind == "source-failed" and .source == "notes.jpg")' "$TEST_TMP/small.jsonl" >/dev/null
check "run: its post failed, the other was made (and its next-day story)" \
  jq -e '.failed == 1 and .made == 2 and ([.posts[] | select(.status == "failed") | .id] == ["bad"])' <(result "$TEST_TMP/small.jsonl") >/dev/null
check "run: made is the folders of OUT/posts" \
  test "$(find "$TEST_TMP/small-out/posts" -mindepth 1 -maxdepth 1 -type d ! -name '.*' | wc -l)" -eq 2
check "run: the source is among failed_sources" \
  jq -e '[.failed_sources[].source] == ["notes.jpg"]' <(result "$TEST_TMP/small.jsonl") >/dev/null
check "run: the enlarged photo's warning is counted" jq -e '.warnings >= 1' <(result "$TEST_TMP/small.jsonl") >/dev/null
check "run: nothing of the failed post in OUT/posts" test ! -e "$TEST_TMP/small-out/posts/bad"

# ---- verify: a tampered post is an error event and exit 3 ----
status=0
"$IGPREP" verify "$out" --json >"$TEST_TMP/verify.jsonl" 2>/dev/null || status=$?
check "verify OUT --json passes (exit $status)" test "$status" -eq 0
check "verify: JSON Lines, the result last" json_lines "$TEST_TMP/verify.jsonl"
documented verify "$TEST_TMP/verify.jsonl" verify
agrees "$TEST_TMP/verify.jsonl" "$status"
check "verify: the result is reports/verify.json" \
  test "$(result "$TEST_TMP/verify.jsonl" | jq -S -c '[.checked, .failed, .files]')" = "$(jq -S -c '[.checked, .failed, .files]' "$out/reports/verify.json")"
# A tampered post image (bytes after its end), verified alone: cheap.
tampered="$TEST_TMP/feed-01.jpg"
cp "$out/posts/feed-01/feed-01.jpg" "$tampered"
printf 'trailing bytes after the image' >>"$tampered"
status=0
"$IGPREP" verify "$tampered" --json >"$TEST_TMP/tampered.jsonl" 2>/dev/null || status=$?
check "verify refuses the tampered post (exit $status)" test "$status" -eq 3
check "verify (refusal): JSON Lines, the result last" json_lines "$TEST_TMP/tampered.jsonl"
documented verify "$TEST_TMP/tampered.jsonl" verify
agrees "$TEST_TMP/tampered.jsonl" "$status"
check "verify: the refusal is an error event naming file and check" \
  jq -e -s 'any(.event == "error" and .kind == "check-failed" and .check == "trailing_bytes" and (.file | test("feed-01\\.jpg$")))' "$TEST_TMP/tampered.jsonl" >/dev/null
check "verify: the result says ok=false, exit 3, one file failed" \
  jq -e '.ok == false and .exit == 3 and .failed == 1' <(result "$TEST_TMP/tampered.jsonl") >/dev/null

# ---- proof ----
status=0
"$IGPREP" proof "$out" --json >"$TEST_TMP/proof.jsonl" 2>/dev/null || status=$?
check "proof --json succeeds (exit $status)" test "$status" -eq 0
check "proof: JSON Lines, the result last" json_lines "$TEST_TMP/proof.jsonl"
documented proof "$TEST_TMP/proof.jsonl" proof
agrees "$TEST_TMP/proof.jsonl" "$status"
digest=$(result "$TEST_TMP/proof.jsonl" | jq -r .digest)
check "proof: the PDF is there" test -s "$(result "$TEST_TMP/proof.jsonl" | jq -r .pdf)"
check "proof: pages is the PDF's page count" \
  test "$(result "$TEST_TMP/proof.jsonl" | jq .pages)" = "$(pdfinfo "$out/reports/proof.pdf" | awk '/^Pages:/ {print $2}')"
check "proof: a PNG per page, as listed" \
  bash -c "for f in \$(tail -n 1 '$TEST_TMP/proof.jsonl' | jq -r '.posts[].png'); do test -f \"\$f\" || exit 1; done"
check "proof: its digest is recorded in state/proofs.json" \
  jq -e --arg d "$digest" 'any(.proofs[]; .digest == $d)' "$out/state/proofs.json" >/dev/null

# ---- approve ----
status=0
"$IGPREP" approve "$out" --proof "$digest" --by "山田 花子" --json >"$TEST_TMP/approve.jsonl" 2>/dev/null || status=$?
check "approve --json succeeds (exit $status)" test "$status" -eq 0
check "approve: JSON Lines, the result last" json_lines "$TEST_TMP/approve.jsonl"
documented approve "$TEST_TMP/approve.jsonl" approve
agrees "$TEST_TMP/approve.jsonl" "$status"
check "approve: each post approved has approvals.json's digest" \
  jq -e -n --slurpfile a "$out/approvals.json" --slurpfile r <(result "$TEST_TMP/approve.jsonl") '
    $r[0] as $r | $r.approved > 0 and ($r.posts | length) == $r.approved
    and all($r.posts[]; . as $p | $p.status == "approved"
            and ([$a[0].approvals[] | select(.post == $p.id)] | last | .digest) == $p.digest)' >/dev/null
status=0
"$IGPREP" approve "$out" nope --by "山田 花子" --json >"$TEST_TMP/refused.jsonl" 2>/dev/null || status=$?
check "approve of no such post exits 1 (got $status)" test "$status" -eq 1
check "approve (refusal): JSON Lines, the result last" json_lines "$TEST_TMP/refused.jsonl"
agrees "$TEST_TMP/refused.jsonl" "$status"
check "approve: the refusal is an error event and in the result" \
  bash -c "jq -e -s 'any(.event == \"error\" and .kind == \"approve-refused\" and .post == \"nope\")' '$TEST_TMP/refused.jsonl' >/dev/null &&
           tail -n 1 '$TEST_TMP/refused.jsonl' | jq -e '.refused == 1 and .posts == [{\"id\": \"nope\", \"status\": \"refused\", \"why\": .posts[0].why}]' >/dev/null"

# ---- publish ----
box="$TEST_TMP/outbox"
status=0
"$IGPREP" publish "$out" --outbox "$box" --json >"$TEST_TMP/publish.jsonl" 2>/dev/null || status=$?
check "publish --json succeeds (exit $status)" test "$status" -eq 0
check "publish: JSON Lines, the result last" json_lines "$TEST_TMP/publish.jsonl"
documented publish "$TEST_TMP/publish.jsonl" publish
agrees "$TEST_TMP/publish.jsonl" "$status"
sent=$(find "$box" -mindepth 1 -maxdepth 1 -type d ! -name '.*' | sort)
check "publish: published is the outbox's folders" \
  test "$(result "$TEST_TMP/publish.jsonl" | jq .published)" = "$(echo "$sent" | grep -c .)"
check "publish: the folders listed are those" \
  test "$(result "$TEST_TMP/publish.jsonl" | jq -r '.posts[] | select(.status == "published") | .folder' | sort)" = "$sent"
check "publish: every post of the run has a status" \
  test "$(result "$TEST_TMP/publish.jsonl" | jq '.posts | length')" = "$(jq '.posts | length' "$out/state/encode.json")"

# ---- archive and archive --check ----
status=0
"$IGPREP" archive "$out" --to "$TEST_TMP/bags" --json >"$TEST_TMP/archive.jsonl" 2>/dev/null || status=$?
check "archive --json succeeds (exit $status)" test "$status" -eq 0
check "archive: JSON Lines, the result last (no bare path)" json_lines "$TEST_TMP/archive.jsonl"
documented archive "$TEST_TMP/archive.jsonl" archive
agrees "$TEST_TMP/archive.jsonl" "$status"
bag=$(result "$TEST_TMP/archive.jsonl" | jq -r .bag)
check "archive: the bag is there" test -f "$bag/bagit.txt"
status=0
"$IGPREP" archive --check "$bag" --json >"$TEST_TMP/check.jsonl" 2>/dev/null || status=$?
check "archive --check --json passes (exit $status)" test "$status" -eq 0
check "archive --check: JSON Lines, the result last" json_lines "$TEST_TMP/check.jsonl"
documented archive-check "$TEST_TMP/check.jsonl" archive
agrees "$TEST_TMP/check.jsonl" "$status"
check "archive --check: payload_files are the files under data/" \
  test "$(result "$TEST_TMP/check.jsonl" | jq .payload_files)" = "$(find "$bag/data" -type f | wc -l)"
printf 'x' >>"$(find "$bag/data" -type f -name '*.jpg' | sort | head -n 1)"
status=0
"$IGPREP" archive --check "$bag" --json >"$TEST_TMP/bad-bag.jsonl" 2>/dev/null || status=$?
check "archive --check of a changed bag exits 1 (got $status)" test "$status" -eq 1
check "archive --check (invalid): JSON Lines, the result last" json_lines "$TEST_TMP/bad-bag.jsonl"
agrees "$TEST_TMP/bad-bag.jsonl" "$status"
check "archive --check: a problem event, and valid=false with the problems" \
  bash -c "jq -e -s 'any(.event == \"error\" and .kind == \"bag-problem\")' '$TEST_TMP/bad-bag.jsonl' >/dev/null &&
           tail -n 1 '$TEST_TMP/bad-bag.jsonl' | jq -e '.valid == false and any(.problems[]; test(\"^changed: data/\"))' >/dev/null"

# The examples of docs/json.md are JSON objects with an event.
check "docs/json.md's examples parse" \
  bash -c "awk '/^\`\`\`json/ {on=1; next} /^\`\`\`/ {on=0} on' '$doc' | jq -e -s 'length >= 8 and all(has(\"event\"))' >/dev/null"
done_testing
