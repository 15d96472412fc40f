# Every command once, on a small shoot of photos: init, run and each stage program,
# proof, approve, publish, verify, archive (and --check), template list,
# check, preview and cover, inventory and purge. Each must exit as documented
# and print no sanitizer report.
#
# Under the sanitizer build (make test-sanitize) this is the check that the
# project's own settings (tests/asan.options, tests/lsan.supp; issue 18,
# defect 10) give a clean run of every command: a LeakSanitizer report makes a
# command exit 1, and its text is looked for too. Run by hand on build-asan,
# the same settings are used when none are set.
. "$(dirname "$0")/lib.sh"

if [ -z "${ASAN_OPTIONS:-}" ]; then
  ASAN_OPTIONS=$(cat "$IGP_SRC/tests/asan.options")
  export ASAN_OPTIONS
  export LSAN_OPTIONS="suppressions=$IGP_SRC/tests/lsan.supp:print_suppressions=0"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
fi

shoot="$TEST_TMP/shoot"
out="$TEST_TMP/out"
mkdir -p "$shoot"
approvers "$shoot"
for name in A B; do
  vips gaussnoise "$TEST_TMP/$name.v" 640 800 --mean 120 --sigma 40
  vips cast "$TEST_TMP/$name.v" "$shoot/$name.JPG" uchar
done
cat > "$shoot/shoot.json" <<'JSON'
{
  "version": 1,
  "shoot": "2026-11-20-every-command",
  "title": "のびすく テスト",
  "date": "2026-11-20",
  "posts": [
    {"id": "feed-01", "type": "feed", "template": "feed-report",
     "media": [{"file": "A.JPG"}],
     "text": {"title": "のびすく テスト", "date": "2026年11月20日（金）",
              "place": "のびすく仙台", "body": "すべてのコマンドを一度ずつ。"},
     "caption": "テスト #のびすく", "alt": ["灰色のノイズ。"],
     "schedule": "2026-11-28T19:00:00+09:00"},
    {"id": "carousel-01", "type": "carousel",
     "media": [{"file": "A.JPG"}, {"file": "B.JPG"}],
     "caption": "カルーセル", "schedule": "2026-11-29T19:00:00+09:00"}
  ]
}
JSON

# expect STATUS NAME COMMAND...: the command exits with STATUS and its
# standard error holds no AddressSanitizer, LeakSanitizer or UBSan report.
expect() {
  local want=$1 name=$2 rc=0
  shift 2
  "$@" > "$TEST_TMP/$name.out" 2> "$TEST_TMP/$name.err" || rc=$?
  if grep -qE 'Sanitizer|runtime error:' "$TEST_TMP/$name.err"; then
    cat "$TEST_TMP/$name.err" >&2
    fail "$name: sanitizer report"
  elif [ "$rc" -ne "$want" ]; then
    cat "$TEST_TMP/$name.err" >&2
    fail "$name: exit status $rc, expected $want"
  else
    pass
  fi
}

# igprep init on a copy of the photos, then again: it never replaces shoot.json.
mkdir "$TEST_TMP/init"
cp "$shoot"/*.JPG "$TEST_TMP/init/"
expect 0 init "$IGPREP" init "$TEST_TMP/init" --quiet
check "init wrote shoot.json" test -s "$TEST_TMP/init/shoot.json"
expect 1 init-refused "$IGPREP" init "$TEST_TMP/init"

expect 0 run "$IGPREP" run "$shoot" --out "$out" --quiet
# The stage programs one by one, on a copy of the run (each finds its work
# done: their own start, options, state and reports are what is checked).
cp -a "$out" "$TEST_TMP/staged"
for stage in ingest scrub detect redact compose encode; do
  expect 0 "stage-$stage" "$IGPREP" "$stage" "$shoot" --out "$TEST_TMP/staged" --quiet
done
expect 0 stage-verify "$IGPREP" verify "$TEST_TMP/staged" --quiet

expect 0 proof "$IGPREP" proof "$out" --quiet
check "proof wrote a PDF" test -s "$out/reports/proof.pdf"
expect 0 verify "$IGPREP" verify "$out" --quiet
expect 0 verify-files "$IGPREP" verify --json "$out/posts/feed-01/feed-01.jpg"
# Nothing approved is nothing to send: a summary line, exit 0 (issue 15).
expect 0 publish-unapproved "$IGPREP" publish "$out" --outbox "$TEST_TMP/outbox" --quiet
for post in $(jq -r '.posts | keys[]' "$out/state/encode.json"); do
  expect 0 "approve-$post" "$IGPREP" approve "$out" "$post" --by tester --quiet
done
expect 0 publish "$IGPREP" publish "$out" --outbox "$TEST_TMP/outbox" --quiet
check "publish made one outbox folder per post" \
  test "$(find "$TEST_TMP/outbox" -mindepth 1 -maxdepth 1 -type d | wc -l)" \
  -eq "$(jq '.posts | length' "$out/state/encode.json")"
expect 0 archive "$IGPREP" archive "$out" --to "$TEST_TMP/bags" --quiet
expect 0 archive-zip "$IGPREP" archive "$out" --to "$TEST_TMP/bags" --format zip \
  --include-originals --quiet
expect 0 archive-check "$IGPREP" archive --check "$TEST_TMP/bags/igprep-2026-11-20-every-command" \
  --quiet
expect 0 archive-check-zip "$IGPREP" archive --check \
  "$TEST_TMP/bags/igprep-2026-11-20-every-command.zip" --quiet
expect 0 template-list "$IGPREP" template list
expect 0 template-check "$IGPREP" template check
expect 0 template-preview "$IGPREP" template preview feed-report --shoot "$shoot" \
  --post feed-01 --guides --out "$TEST_TMP/preview.png"
# Reel templates with the sample's reel post (its words and subtitles): no
# video is encoded here, t-reel*.sh do that.
expect 0 template-preview-at "$IGPREP" template preview reel-basic --shoot "$SAMPLE" \
  --post reel-01 --at 0.5,2 --out "$TEST_TMP/at.png"
expect 0 template-cover "$IGPREP" template cover --shoot "$SAMPLE" --post reel-01 \
  --frame "$out/masters/A.JPG.jpg" --out "$TEST_TMP/cover.jpg" --story "$TEST_TMP/story.png"
# Personal data (docs/privacy.md): every post published and archived, so the
# run is ready for purge; purge erases its working copies and the restricted
# zip bag, and writes the deletion report.
expect 0 inventory "$IGPREP" inventory "$out" --outbox "$TEST_TMP/outbox" --archive "$TEST_TMP/bags" \
  --json
check "inventory: published and archived, ready for purge" \
  bash -c "jq -e '.runs[0].ready_for_purge' '$TEST_TMP/inventory.out' >/dev/null"
expect 3 purge-refused "$IGPREP" purge "$out" --dry-run
expect 0 purge-dry-run "$IGPREP" purge "$out" --dry-run --outbox "$TEST_TMP/outbox"
expect 0 purge "$IGPREP" purge "$out" --outbox "$TEST_TMP/outbox" --archive "$TEST_TMP/bags" \
  --report-to "$TEST_TMP/reports" --quiet
check "purge erased the restricted originals bag" \
  test ! -e "$TEST_TMP/bags/igprep-2026-11-20-every-command-RESTRICTED-originals.zip"
check "purge wrote the deletion report" test -s "$TEST_TMP/reports/deletion-report-$(date +%Y%m%d).pdf"
done_testing
