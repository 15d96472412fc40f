# igprep plan (issue 16): the month's work plan (業務計画表) from three months
# of generated shoots. Exactly the months that miss a contract minimum are
# flagged, each warning quoting the rule; the PDF renders (pdftoppm) with its
# Japanese headings, and pdftotext finds every post of the month, next-day
# stories included; the CSV has one row per post with its status.
. "$(dirname "$0")/lib.sh"

# shoot NAME DATE POSTS-JSON: a shoot folder with a tiny picture and clip.
shoot() {
  mkdir -p "$TEST_TMP/$1"
  vips black "$TEST_TMP/$1/a.jpg" 16 16 >/dev/null
  cp "$TEST_TMP/$1/a.jpg" "$TEST_TMP/$1/clip.mp4" # plan reads shoot.json only
  printf '{"version": 1, "shoot": "%s", "date": "%s", "posts": %s}\n' "$1" "$2" "$3" \
    > "$TEST_TMP/$1/shoot.json"
}
# October meets every minimum: a reel, an interview-based feed post, a
# next-day story for each post, and a tie-up.
shoot oct 2026-10-10 '[
  {"id": "o-reel", "type": "reel", "media": [{"file": "clip.mp4"}], "theme": "親子で読む絵本",
   "schedule": "2026-10-12T19:00:00+09:00"},
  {"id": "o-talk", "type": "feed", "media": [{"file": "a.jpg"}], "basis": "interview",
   "theme": "子育て相談", "subject": "保健師 佐藤さん", "schedule": "2026-10-20T19:00:00+09:00"},
  {"id": "o-collab", "type": "feed", "media": [{"file": "a.jpg"}], "tieup": true,
   "collaborators": ["sendai_mama"], "caption": "絵本フェアのご紹介 #PR",
   "schedule": "2026-10-25T19:00:00+09:00"}]'
# November has no reel.
shoot nov 2026-11-05 '[
  {"id": "n-visit", "type": "carousel", "media": [{"file": "a.jpg"}, {"file": "a.jpg"}],
   "basis": "experience", "theme": "公園あそび", "subject": "西公園",
   "schedule": "2026-11-08T10:00:00+09:00"},
  {"id": "n-feed", "type": "feed", "media": [{"file": "a.jpg"}], "interview": true,
   "subject": "図書館の司書さん", "schedule": "2026-11-15T10:00:00+09:00"}]'
# December has a reel, but no post based on an interview or an experience,
# and a post without its next-day story.
shoot dec 2026-12-01 '[
  {"id": "d-reel", "type": "reel", "media": [{"file": "clip.mp4"}], "theme": "冬のひろば",
   "schedule": "2026-12-03T19:00:00+09:00"},
  {"id": "d-news", "type": "feed", "media": [{"file": "a.jpg"}], "story_followup": false,
   "schedule": "2026-12-10T19:00:00+09:00"}]'
shoots=("$TEST_TMP/oct" "$TEST_TMP/nov" "$TEST_TMP/dec")
mkdir -p "$TEST_TMP/box/nov-n-visit" && echo '{}' > "$TEST_TMP/box/nov-n-visit/post.json"

# plan MONTH: run igprep plan (PDF in $TEST_TMP/MONTH.pdf), warnings in $TEST_TMP/MONTH.err.
plan() {
  local status=0
  "$IGPREP" plan "${shoots[@]}" --month "$1" --to "$TEST_TMP/$1.pdf" --runs "$TEST_TMP/runs" \
    --outbox "$TEST_TMP/box" 2>"$TEST_TMP/$1.err" || status=$?
  check "plan $1 succeeds (got $status)" test "$status" -eq 0
}
# The months named by the warnings, sorted, unique.
flagged() { grep -o 'warning: plan [0-9-]*' "$TEST_TMP/$1.err" | awk '{print $3}' | sort -u | tr '\n' ' '; }
# Which month's warnings name which month: "plan MONTH:" in the message.
flagged_months() { grep 'warning:' "$TEST_TMP/$1.err" | grep -o '^igprep: warning: plan [0-9-]*' >/dev/null; \
  grep 'warning:' "$TEST_TMP/$1.err" | sed -n 's/^igprep: warning: plan \([0-9-]*\):.*/\1/p' | sort -u | tr '\n' ' '; }

plan 2026-10
cat "$TEST_TMP/2026-10.err" >&2
check "October meets every minimum: no warning" test -z "$(grep warning: "$TEST_TMP/2026-10.err")"
plan 2026-11
check "November: only November flagged" test "$(flagged_months 2026-11)" = "2026-11 "
check "for its missing reel, quoting the rule" \
  grep -q 'plan 2026-11: no reel: the contract asks for "at least one reel a month"' "$TEST_TMP/2026-11.err"
check "and nothing else" test "$(grep -c warning: "$TEST_TMP/2026-11.err")" -eq 1
plan 2026-12
check "December: November (cumulatively) and December flagged, not October" \
  test "$(flagged_months 2026-12)" = "2026-11 2026-12 "
check "December: no interview- or experience-based post" \
  grep -q 'plan 2026-12: no feed post or reel based on an interview or an experience' "$TEST_TMP/2026-12.err"
check "December: a post without its next-day story" \
  grep -q 'plan 2026-12: 1 post without a next-day story: the contract asks for "a story the day after every post"' \
  "$TEST_TMP/2026-12.err"
check "December: three warnings" test "$(grep -c warning: "$TEST_TMP/2026-12.err")" -eq 3

# The PDF in the reader's language (issue 17): English under C.UTF-8 ...
en=$(pdftotext -layout "$TEST_TMP/2026-10.pdf" - | tr -d ' ')
for word in WorkplanOctober2026 Date Kind PostID Theme Subject Basedon Collab Status \
  "Thecontract'sminimums" Reel Interview Tie-upssofar:1/5; do
  check "the English PDF says $word" grep -qF -- "$word" <<<"$en"
done
check "the English PDF has no Japanese heading" test -z "$(grep -E '業務計画表|契約の最低条件|投稿ID' <<<"$en")"
# ... and Japanese under ja_JP.UTF-8, with its warnings in Japanese too.
for month in 2026-10 2026-11; do
  check "plan $month in Japanese" env LANG=ja_JP.UTF-8 "$IGPREP" plan "${shoots[@]}" --month "$month" \
    --to "$TEST_TMP/$month.pdf" --runs "$TEST_TMP/runs" --outbox "$TEST_TMP/box"
done 2>"$TEST_TMP/ja.err"
check "the Japanese warning names the missing reel" \
  grep -q 'plan 2026-11: リールがありません: 契約の条件は「毎月1件以上のリール」です' "$TEST_TMP/ja.err"
LANG=ja_JP.UTF-8 "$IGPREP" plan "${shoots[@]}" --month 2026-11 --format csv --to "$TEST_TMP/nov-ja.csv" \
  --runs "$TEST_TMP/runs" --outbox "$TEST_TMP/box" --quiet
check "the CSV's headings for people follow the language" \
  test "$(head -n 1 "$TEST_TMP/nov-ja.csv" | tr -d '\r')" = "日付,種類,投稿ID,撮影,テーマ,取材対象,取材・体験,コラボ相手,タイアップ,元の投稿（翌日ストーリーズ）,状況"

# The Japanese PDF: renders, Japanese headings, every post of the month.
pdf="$TEST_TMP/2026-10.pdf"
check "pdftoppm renders the plan" pdftoppm -r 60 -png -f 1 -l 1 "$pdf" "$TEST_TMP/page"
check "a page image" test -s "$TEST_TMP/page-1.png"
text=$(pdftotext -layout "$pdf" - | tr -d ' ')
for word in 業務計画表 2026年10月 日付 種類 投稿ID テーマ 取材対象 取材・体験 コラボ 状況 契約の最低条件 リール 取材 タイアップ; do
  check "the PDF says $word" grep -qF -- "$word" <<<"$text"
done
for id in o-reel o-reel-story o-talk o-talk-story o-collab o-collab-story; do
  check "the PDF lists $id" grep -qF -- "$id" <<<"$text"
done
check "not November's posts" test -z "$(grep -F n-visit <<<"$text")"
check "the tie-ups counted toward 5" grep -qF '1/5' <<<"$text"
check "the November PDF shows its warning" \
  grep -qF 'リールがありません' <<<"$(pdftotext "$TEST_TMP/2026-11.pdf" - | tr -d ' ')"

# CSV: one row per post of the month, with status; a published one as such.
check "csv" "$IGPREP" plan "${shoots[@]}" --month 2026-11 --format csv --to "$TEST_TMP/nov.csv" \
  --runs "$TEST_TMP/runs" --outbox "$TEST_TMP/box" --quiet
rows=$(python3 -c 'import csv,sys; r=list(csv.DictReader(open(sys.argv[1], encoding="utf-8")));
print(" ".join(sorted(x["id"]+"="+x["status"] for x in r)))' "$TEST_TMP/nov.csv")
check "the CSV rows and statuses ($rows)" test "$rows" = \
  "n-feed-story=planned n-feed=planned n-visit-story=planned n-visit=published"
check "the basis column" test "$(python3 -c 'import csv,sys; print([x["basis"] for x in csv.DictReader(open(sys.argv[1], encoding="utf-8")) if x["id"]=="n-feed"][0])' "$TEST_TMP/nov.csv")" = interview

status=0; "$IGPREP" plan "${shoots[@]}" --month 2026-13 2>"$TEST_TMP/err" || status=$?
check "a bad month: refused (got $status)" test "$status" -ne 0
check "saying what is expected" grep -q 'YYYY-MM' "$TEST_TMP/err"
done_testing
