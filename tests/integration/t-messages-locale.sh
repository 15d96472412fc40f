# Bad input in both languages (issue 17): each case of t-bad-input and
# t-hostile-manifest, run under LANG=C.UTF-8 and LANG=ja_JP.UTF-8, exits
# non-zero with one line naming the file; the line says what is wrong in
# English, and in Japanese under the Japanese locale, with no English
# sentence left in it.
. "$(dirname "$0")/lib.sh"

vips black "$TEST_TMP/b.v" 64 64 --bands 3 >/dev/null
vips linear "$TEST_TMP/b.v" "$TEST_TMP/ok.jpg" "1 1 1" "90 140 200" --uchar >/dev/null
# A corrupt JPEG: 2 KB of the entropy-coded data of noise overwritten (fixed
# noise: some random noise decoded without an error, overwritten or not).
vips gaussnoise "$TEST_TMP/n.v" 256 256 --seed 1 >/dev/null # the same noise every run
vips cast "$TEST_TMP/n.v" "$TEST_TMP/n8.v" uchar >/dev/null
vips bandjoin "$TEST_TMP/n8.v $TEST_TMP/n8.v $TEST_TMP/n8.v" "$TEST_TMP/n3.v" >/dev/null
vips copy "$TEST_TMP/n3.v" "$TEST_TMP/noise.jpg[Q=90]" >/dev/null
cp "$TEST_TMP/noise.jpg" "$TEST_TMP/corrupt.jpg"
size=$(stat -c %s "$TEST_TMP/noise.jpg")
printf '%2048s' | tr ' ' 'U' |
  dd of="$TEST_TMP/corrupt.jpg" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null

n=0
# shoot_with FILE JSON: a new shoot folder holding ok.jpg, FILE (from
# TEST_TMP, or "-" for none) and shoot.json JSON; prints its path.
shoot_with() {
  n=$((n + 1))
  local dir="$TEST_TMP/shoot$n"
  mkdir -p "$dir"
  cp "$TEST_TMP/ok.jpg" "$dir/"
  [ "$1" = - ] || cp "$TEST_TMP/$1" "$dir/"
  printf '%s\n' "$2" >"$dir/shoot.json"
  echo "$dir"
}
feed() { # feed FILE [EXTRA]: a shoot.json with one feed post of FILE
  printf '{"version": 1, "shoot": "locale", "posts": [\n  {"id": "p1", "type": "feed", "media": [{"file": "%s"}]%s}\n]}' "$1" "${2:-}"
}

# No English sentence: three English words in a row, once the file names,
# quoted names and the program's name are taken out.
english_sentence() {
  sed -E "s#[^ ]*/[^ ]*##g; s#'[^']*'##g; s#\"[^\"]*\"##g; s#^igprep: ##" <<<"$1" |
    grep -E '[A-Za-z]{2,}[ ,]+[A-Za-z]{2,}[ ,]+[A-Za-z]{2,}' || true
}

# expect NAME SHOOT FILE_RE ENGLISH_RE JAPANESE_RE
expect() {
  local name=$1 shoot=$2 file=$3 en=$4 ja=$5 status lines line lang
  for lang in C.UTF-8 ja_JP.UTF-8; do
    status=0
    rm -rf "$TEST_TMP/out"
    LANG=$lang "$IGPREP" run "$shoot" --out "$TEST_TMP/out" --quiet 2>"$TEST_TMP/err" || status=$?
    check "$name ($lang): exit status non-zero" test "$status" -ne 0
    if [ "$lang" = C.UTF-8 ]; then want=$en; else want=$ja; fi
    lines=$(grep -cE -- "$file.*$want" "$TEST_TMP/err" || true)
    if [ "$lines" -eq 1 ]; then pass; else
      fail "$name ($lang): expected one line naming $file and matching '$want', got $lines"
      sed 's/^/    got: /' "$TEST_TMP/err" >&2
    fi
    if [ "$lang" = ja_JP.UTF-8 ]; then
      line=$(grep -E -- "$file" "$TEST_TMP/err" | head -1)
      left=$(english_sentence "$line")
      check "$name (ja): no English sentence: $left" test -z "$left"
      check "$name (ja): not the English words" bash -c '! grep -qE -- "$1" "$2"' _ "$en" "$TEST_TMP/err"
    fi
  done
}

empty="$TEST_TMP/empty"
mkdir -p "$empty"
expect "missing shoot.json" "$empty" "empty/shoot\.json" \
  "no shoot\.json in this folder; write one \(igprep init .* makes a start\)" \
  "shoot\.json がありません。作成してください（igprep init .* でひな形を作れます）"

expect "not a folder" "$TEST_TMP/ok.jpg" "ok\.jpg" \
  "is not a folder" "フォルダではありません"

s=$(shoot_with - '{"version": 1, "shoot": "locale", "posts": [')
expect "JSON cut short" "$s" "shoot\.json:[0-9]+:[0-9]+:" \
  "expected near end of file" "JSON が途中で終わっています"

s=$(shoot_with - '{"version": 1 "shoot": "locale"}')
expect "invalid JSON" "$s" "shoot\.json:1:[0-9]+:" \
  "'\}' expected near" "JSON として正しくありません"

s=$(shoot_with - '{"version": 1, "shoot": "locale", "colour": "red", "posts": []}')
expect "unknown key" "$s" "shoot\.json:1:[0-9]+:" \
  "unknown key 'colour' in the manifest" "不明なキー 'colour' がマニフェストにあります"

s=$(shoot_with - '{"version": "1", "shoot": "locale", "posts": []}')
expect "wrong type" "$s" "shoot\.json:1:13:" \
  "'version' must be an integer, not a string" "'version' は整数にしてください（今は文字列）"

s=$(shoot_with - "$(feed ok.jpg ', "schedule": "2026/12/12 19:00"')")
expect "bad time" "$s" "shoot\.json:2:[0-9]+:" \
  "post 'p1': schedule '2026/12/12 19:00' writes the date with '/'" \
  "投稿 'p1' の予定日時: '2026/12/12 19:00' は日付を '/' で区切っています.*（つまり 2026-12-12T19:00:00\+09:00）"

s=$(shoot_with - '{"version": 1, "shoot": "locale", "posts": [{"id": "p1", "type": "video", "media": []}]}')
expect "unknown post type" "$s" "shoot\.json:1:[0-9]+:" \
  "post 'p1': unknown type 'video' \(expected feed, carousel" \
  "投稿 'p1': 種類 'video' はありません（feed、carousel、"

s=$(shoot_with - "$(feed MISSING.jpg)")
expect "missing media file" "$s" "shoot\.json:2:[0-9]+:" \
  "post 'p1': media file 'MISSING\.jpg' is not in the shoot folder" \
  "投稿 'p1': メディアファイル 'MISSING\.jpg' が撮影フォルダにありません"

s=$(shoot_with corrupt.jpg "$(feed corrupt.jpg)")
expect "corrupt JPEG" "$s" "/corrupt\.jpg:" \
  "cannot decode \(truncated or corrupt image data\)" \
  "画像を読み取れません（データが途中で切れているか壊れています）"

printf 'meeting notes: bring the banner\n' >"$TEST_TMP/notes.jpg"
s=$(shoot_with notes.jpg "$(feed notes.jpg)")
expect "text named .jpg" "$s" "/notes\.jpg:" \
  "content is text, not a photo or video" "中身はテキストで、写真や動画ではありません"

: >"$TEST_TMP/empty.jpg"
s=$(shoot_with empty.jpg "$(feed empty.jpg)")
expect "empty file" "$s" "/empty\.jpg:" \
  "empty file \(0 bytes\), not a photo or video" "空のファイル（0 バイト）で、写真や動画ではありません"

done_testing
