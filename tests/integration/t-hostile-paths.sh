# Hostile paths and special files (issue 18, defects 1 and 2): every path a
# user's file names stays inside its folder ('..', absolute paths and
# symbolic links leading out are refused), only regular files are read, each
# under a size cap, and nothing hangs. Each case: the exit status, one line
# naming the file and the key, nothing from outside in the outputs, and no
# run over 90 s (a timeout is a failure). Also: a FIFO or a folder as media
# says what it is, and a UTF-8 byte-order mark in front of the JSON files is
# accepted with lines and columns still right.
. "$(dirname "$0")/lib.sh"

# Generous: only a hang reaches it, however busy the machine (a refusal takes
# well under a second).
LIMIT=90
outside="$TEST_TMP/outside"
mkdir -p "$outside"

# Small media made here: a 96x96 grey photo, a red one outside the shoot, a
# 3.5 s 64x64 clip with sound.
vips black "$TEST_TMP/black.v" 96 96 --bands 3 >/dev/null
vips linear "$TEST_TMP/black.v" "$TEST_TMP/A.JPG" "1 1 1" "120 130 140" --uchar >/dev/null
vips linear "$TEST_TMP/black.v" "$outside/OUTSIDE.JPG" "1 1 1" "250 0 0" --uchar >/dev/null
ffmpeg -loglevel error -f lavfi -i testsrc=size=64x64:rate=30:duration=3.5 \
  -f lavfi -i sine=duration=3.5 -c:v libx264 -pix_fmt yuv420p -c:a aac -shortest \
  "$TEST_TMP/CLIP.MP4"
printf '1\n00:00:00,500 --> 00:00:03,000\nSECRET FROM OUTSIDE\n' > "$outside/secret.srt"
printf '1\n00:00:00,500 --> 00:00:03,000\nhello\n' > "$TEST_TMP/ok.srt"
cat > "$outside/x.svg" <<'SVG'
<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="#f00"/></svg>
SVG

# new_shoot NAME: a shoot folder with A.JPG and CLIP.MP4.
new_shoot() {
  shoot="$TEST_TMP/$1"
  out="$TEST_TMP/$1-out"
  mkdir -p "$shoot"
  cp "$TEST_TMP/A.JPG" "$TEST_TMP/CLIP.MP4" "$shoot/"
}

# shoot_json POSTS...: shoot.json with one post per line (line 3 on).
shoot_json() {
  {
    printf '{"version": 1, "shoot": "hostile",\n "posts": [\n'
    local first=1 p
    for p in "$@"; do
      [ "$first" = 1 ] || printf ',\n'
      printf '  %s' "$p"
      first=0
    done
    printf '\n]}\n'
  } > "$shoot/shoot.json"
}
GOOD='{"id": "good", "type": "feed", "media": [{"file": "A.JPG"}]}'
reel() { printf '{"id": "reel", "type": "reel", "media": [{"file": "CLIP.MP4"}], "subtitles": "%s", "text": {"title": "T"}}' "$1"; }

# igp CASE COMMAND...: run with the time limit; sets rc, err.
igp() {
  local name=$1 limit=${LIMIT_NOW:-$LIMIT}
  shift
  err="$TEST_TMP/$name.err"
  rc=0
  timeout "$limit" "$@" > "$TEST_TMP/$name.out" 2> "$err" || rc=$?
  if [ "$rc" -eq 124 ]; then
    fail "$name: still running after $limit s (hangs)"
  else
    pass
  fi
}
expect_rc() { if [ "$rc" -eq "$2" ]; then pass; else fail "$1: exit status $rc, expected $2"; sed 's/^/  | /' "$err" >&2; fi; }
# expect_line CASE REGEX: exactly one line of stderr matches.
expect_line() {
  local n
  n=$(grep -c -E "$2" "$err" || true)
  if [ "$n" -eq 1 ]; then pass; else
    fail "$1: expected one line matching '$2', got $n"
    sed 's/^/  | /' "$err" >&2
  fi
}
no_post() { check "$1: nothing of post '$2' under OUT/posts" test ! -e "$out/posts/$2"; }
made() { check "$1: post '$2' made" test -f "$out/posts/$2/$2.jpg"; }

# ---- 1. subtitles leaving the shoot folder ----
# First the control: subtitles in a subfolder, through a link that stays
# inside, make the reel.
new_shoot ok-subs
mkdir "$shoot/subs"
cp "$TEST_TMP/ok.srt" "$shoot/ok.srt"
ln -s ../ok.srt "$shoot/subs/inner.srt"
shoot_json "$(reel subs/inner.srt)"
LIMIT_NOW=300 igp ok-subs "$IGPREP" run "$shoot" --out "$out" # a real encode: no hang test
expect_rc ok-subs 0
check "ok-subs: the reel is made" test -f "$out/posts/reel/reel.mp4"

new_shoot dotdot-subs
shoot_json "$GOOD" "$(reel ../secret.srt)"
cp "$outside/secret.srt" "$TEST_TMP/secret.srt" # where ../secret.srt points
igp dotdot-subs "$IGPREP" run "$shoot" --out "$out"
expect_rc dotdot-subs 1
expect_line dotdot-subs "error: .*/dotdot-subs/shoot\.json:4:80: post 'reel': subtitles '\.\./secret\.srt' must stay inside the shoot folder: it uses '\.\.'$"
no_post dotdot-subs reel

new_shoot abs-subs
shoot_json "$GOOD" "$(reel /dev/zero)"
igp abs-subs "$IGPREP" run "$shoot" --out "$out"
expect_rc abs-subs 1
expect_line abs-subs "shoot\.json:4:80: post 'reel': subtitles '/dev/zero' must stay inside the shoot folder: it is an absolute path$"
no_post abs-subs reel

# A symbolic link out, to a file and to /dev/zero: only that post is refused.
for target in "$outside/secret.srt" /dev/zero; do
  name=link-subs-$(basename "$target")
  new_shoot "$name"
  ln -s "$target" "$shoot/subs.srt"
  shoot_json "$GOOD" "$(reel subs.srt)"
  igp "$name" "$IGPREP" run "$shoot" --out "$out"
  expect_rc "$name" 1
  expect_line "$name" "shoot\.json:4:80: post 'reel': subtitles 'subs\.srt' must stay inside the shoot folder: it is a symbolic link to a file outside it$"
  no_post "$name" reel
  made "$name" good
done

# ---- 2. special files as subtitles and shoot.json ----
new_shoot fifo-subs
mkfifo "$shoot/subs.srt"
shoot_json "$GOOD" "$(reel subs.srt)"
igp fifo-subs "$IGPREP" run "$shoot" --out "$out"
expect_rc fifo-subs 1
expect_line fifo-subs "shoot\.json:4:80: post 'reel': subtitles 'subs\.srt' is a FIFO, not a regular file$"
no_post fifo-subs reel
made fifo-subs good

new_shoot fifo-shoot
mkfifo "$shoot/shoot.json"
igp fifo-shoot "$IGPREP" run "$shoot" --out "$out"
expect_rc fifo-shoot 1
expect_line fifo-shoot "error: .*/fifo-shoot/shoot\.json: is a FIFO, not a regular file$"
check "fifo-shoot: nothing made" test ! -e "$out/posts"

new_shoot zero-shoot
ln -s /dev/zero "$shoot/shoot.json"
igp zero-shoot "$IGPREP" run "$shoot" --out "$out"
expect_rc zero-shoot 1
expect_line zero-shoot "error: .*/zero-shoot/shoot\.json: is a character device, not a regular file$"

new_shoot zero-faces
shoot_json "$GOOD"
ln -s /dev/zero "$shoot/faces.json"
igp zero-faces "$IGPREP" run "$shoot" --out "$out"
expect_rc zero-faces 1
expect_line zero-faces "error: .*/zero-faces/faces\.json: is a character device, not a regular file$"
no_post zero-faces good # fail closed: without the editor's marks no face is known

# Over the cap (set small here), and under a larger one.
new_shoot big-shoot
shoot_json "$GOOD"
head -c 1572864 /dev/zero | tr '\0' ' ' >> "$shoot/shoot.json" # 1.5 MiB of blanks
igp big-shoot env IGPREP_MAX_JSON_MB=1 "$IGPREP" run "$shoot" --out "$out"
expect_rc big-shoot 1
expect_line big-shoot "error: .*/big-shoot/shoot\.json: is 1\.5 MiB, over the 1 MiB limit for JSON files \(set IGPREP_MAX_JSON_MB to change it\)$"
check "big-shoot: nothing made" test ! -e "$out/posts"
igp big-shoot-2 env IGPREP_MAX_JSON_MB=2 "$IGPREP" run "$shoot" --out "$out"
expect_rc big-shoot-2 0
made big-shoot-2 good
igp big-shoot-bad env IGPREP_MAX_JSON_MB=lots "$IGPREP" run "$shoot" --out "$out"
expect_rc big-shoot-bad 1
expect_line big-shoot-bad "error: IGPREP_MAX_JSON_MB: 'lots' is not a size in MiB from 1 to 4096$"

new_shoot big-subs
head -c 1572864 /dev/zero | tr '\0' '\n' | cat "$TEST_TMP/ok.srt" - > "$shoot/subs.srt"
shoot_json "$(reel subs.srt)"
igp big-subs env IGPREP_MAX_SRT_MB=1 "$IGPREP" run "$shoot" --out "$out"
expect_rc big-subs 1
expect_line big-subs "/big-subs/subs\.srt: is 1\.5 MiB, over the 1 MiB limit for subtitle files \(set IGPREP_MAX_SRT_MB to change it\)$"
no_post big-subs reel

# ---- stickers: faces.json may not name one outside templates/stickers ----
templates="$TEST_TMP/tpl/templates" # ../../x.svg from its stickers folder is tpl/x.svg
mkdir -p "$TEST_TMP/tpl"
cp -r "$IGP_SRC/templates" "$templates"
cp "$outside/x.svg" "$TEST_TMP/tpl/x.svg"
ln -s /dev/zero "$templates/stickers/zero.svg"
mkfifo "$templates/stickers/pipe.svg"
faces_json() {
  printf '{"version": 1, "media": {"A.JPG": {"faces": [\n  {"id": "m1", "box": [20, 20, 40, 40], "source": "manual",\n   "style": "sticker", "sticker": "%s"}]}}}\n' "$1" > "$shoot/faces.json"
}
for sticker in ../../x.svg ../../../../../../../../../../../../dev/zero; do
  name=sticker-$(basename "$sticker")
  new_shoot "$name"
  shoot_json "$GOOD"
  faces_json "$sticker"
  igp "$name" env IGPREP_TEMPLATES="$templates" "$IGPREP" run "$shoot" --out "$out"
  expect_rc "$name" 1
  expect_line "$name" "error: .*/$name/faces\.json:3:35: media 'A\.JPG', face m1: \"sticker\" must name a file in the stickers folder: it uses '\.\.'$"
  no_post "$name" good
done
# In the folder, but a link out of it, or a FIFO.
for sticker in zero.svg pipe.svg; do
  name=sticker-in-$sticker
  new_shoot "$name"
  shoot_json "$GOOD"
  faces_json "$sticker"
  igp "$name" env IGPREP_TEMPLATES="$templates" "$IGPREP" run "$shoot" --out "$out"
  expect_rc "$name" 1
  no_post "$name" good
done
err="$TEST_TMP/sticker-in-zero.svg.err"
expect_line sticker-in-zero "A\.JPG: faces not hidden, .*sticker 'zero\.svg' must stay inside this folder: it is a symbolic link to a file outside it$"
err="$TEST_TMP/sticker-in-pipe.svg.err"
expect_line sticker-in-pipe "A\.JPG: faces not hidden, .*stickers/pipe\.svg: is a FIFO, not a regular file$"

# ---- media: a link out is refused, a link inside is fine, special files named ----
new_shoot media
ln -s "$outside/OUTSIDE.JPG" "$shoot/LINK.JPG"
ln -s A.JPG "$shoot/INNER.JPG"
mkfifo "$shoot/PIPE.JPG"
mkdir "$shoot/DIR.JPG"
shoot_json "$GOOD" \
  '{"id": "link", "type": "feed", "media": [{"file": "LINK.JPG"}], "text": {"title": "T"}}' \
  '{"id": "inner", "type": "feed", "media": [{"file": "INNER.JPG"}]}' \
  '{"id": "pipe", "type": "feed", "media": [{"file": "PIPE.JPG"}]}' \
  '{"id": "dir", "type": "feed", "media": [{"file": "DIR.JPG"}]}'
igp media "$IGPREP" run "$shoot" --out "$out"
expect_rc media 1
expect_line media "shoot\.json:4:53: post 'link': media file 'LINK\.JPG' must stay inside the shoot folder: it is a symbolic link to a file outside it$"
expect_line media "shoot\.json:6:53: post 'pipe': media file 'PIPE\.JPG' is a FIFO, not a regular file$"
expect_line media "shoot\.json:7:52: post 'dir': media file 'DIR\.JPG' is a folder, not a regular file$"
for post in link pipe dir; do no_post media "$post"; done
made media good
made media inner
check "media: the outside photo was never read" \
  test -z "$(find "$out" -name 'LINK*' -o -name 'OUTSIDE*')"
check "media: ingest lists only the good sources" \
  test "$(jq -r '.media | keys | join(",")' "$out/state/ingest.json")" = "A.JPG,INNER.JPG"
igp preview-link "$IGPREP" template preview feed-report --shoot "$shoot" --post link --out "$TEST_TMP/link.png"
expect_rc preview-link 1
expect_line preview-link "preview: .*shoot\.json:4:53: post 'link': media file 'LINK\.JPG' must stay inside the shoot folder"
check "preview-link: nothing drawn" test ! -e "$TEST_TMP/link.png"

# ---- a UTF-8 byte-order mark is accepted; lines and columns stay right ----
new_shoot bom
{ printf '\xEF\xBB\xBF'; shoot_json "$GOOD"; cat "$shoot/shoot.json"; } > "$TEST_TMP/bom.json"
mv "$TEST_TMP/bom.json" "$shoot/shoot.json"
{ printf '\xEF\xBB\xBF'; printf '{"version": 1, "media": {}}\n'; } > "$shoot/faces.json"
igp bom "$IGPREP" run "$shoot" --out "$out"
expect_rc bom 0
made bom good
printf '\xEF\xBB\xBF{"version": 1, "shoot": "b", "bogus": 2, "posts": []}\n' > "$shoot/shoot.json"
igp bom-error "$IGPREP" run "$shoot" --out "$out"
expect_rc bom-error 1
expect_line bom-error "shoot\.json:1:39: unknown key 'bogus' in the manifest$"
for t in "$templates"/*/template.json; do
  { printf '\xEF\xBB\xBF'; cat "$t"; } > "$t.new" && mv "$t.new" "$t"
done
igp bom-templates env IGPREP_TEMPLATES="$templates" "$IGPREP" template check
expect_rc bom-templates 0

done_testing
