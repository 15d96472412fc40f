#!/usr/bin/env bash
# Deliverable ①: `igprep template export` writes the city's template set, as
# a folder and as a zip, and every template in it passes `igprep template
# check --templates SET/templates` on a machine without igprep's sources
# (IGPREP_DATA names an empty folder: neither the repository's templates nor
# its fonts are found). The set holds the fonts with their licences, a real
# PNG preview and sheet of each template's size, and a Japanese guide naming
# the logo slots. `igprep template new` starts a template from another: the
# copy passes the check, the original is unchanged, an existing or invalid
# name is refused.
. "$(dirname "$0")/lib.sh"

igprep=$IGP_BIN/igprep
cd "$TEST_TMP"
mkdir empty

# sheet_size W H: the preview sheet's size for a W x H canvas (three panels at half size).
sheet_size() { echo "$((3 * ($1 / 2 + 40) + 40))x$(($2 / 2 + 120))"; }

# check_set SET: everything a set must hold, checked without the repository.
check_set() {
  local set=$1 what=$2 names rc=0
  names=$(cd "$IGP_SRC/templates" && for d in */template.json; do dirname "$d"; done)
  env IGPREP_DATA="$TEST_TMP/empty" IGPREP_TEMPLATES= "$igprep" template check \
    --templates "$set/templates" >"$TEST_TMP/check.out" 2>"$TEST_TMP/check.err" || rc=$?
  check "$what: template check passes with the set's own fonts (rc $rc: $(head -c 300 "$TEST_TMP/check.err"))" \
    test "$rc" -eq 0
  for name in $names; do
    check "$what: $name checked" grep -qx "ok $name (.*)" "$TEST_TMP/check.out"
    check "$what: $name's template.json" test -f "$set/templates/$name/template.json"
    canvas=$(jq -r .canvas "$set/templates/$name/template.json")
    case $canvas in
      feed-4:5) w=1080 h=1350 ;;
      feed-1:1) w=1080 h=1080 ;;
      *) w=1080 h=1920 ;;
    esac
    size=$(vipsheader "$set/previews/$name.png" | grep -o ' [0-9]*x[0-9]* ' | tr -d ' ')
    check "$what: $name's preview is a ${w}x$h PNG (is $size)" test "$size" = "${w}x$h"
    check "$what: $name's preview is a PNG" \
      bash -c 'file -b "$1" | grep -q "^PNG image data"' _ "$set/previews/$name.png"
    sheet=$(vipsheader "$set/previews/$name-sheet.png" | grep -o ' [0-9]*x[0-9]* ' | tr -d ' ')
    check "$what: $name's sheet is $(sheet_size $w $h) (is $sheet)" test "$sheet" = "$(sheet_size $w $h)"
    check "$what: the guide lists $name" grep -q "^### $name\$" "$set/使い方.md"
  done
  check "$what: the logo" test -f "$set/templates/_shared/logo-placeholder.svg"
  for f in "$IGP_SRC"/fonts/*.ttf "$IGP_SRC"/fonts/LICENSE-*.txt; do
    check "$what: fonts/$(basename "$f") as shipped" cmp -s "$f" "$set/fonts/$(basename "$f")"
  done
  check "$what: the OFL licence text" grep -q "SIL OPEN FONT LICENSE" "$set/fonts/LICENSE-BIZUDPGothic.txt"
  check "$what: the Apache licence text" grep -q "Apache License" "$set/fonts/LICENSE-MotoyaLMaruberi.txt"
  # The guide is Japanese: mostly kana and kanji, and it explains the logo slot.
  kana=$(perl -CSD -ne '$n += () = /[\x{3040}-\x{30ff}\x{4e00}-\x{9fff}]/g; END { print $n + 0 }' "$set/使い方.md")
  check "$what: the guide is Japanese ($kana kana and kanji)" test "$kana" -gt 1000
  check "$what: the guide explains the logo slot" grep -q "^## ロゴの枠" "$set/使い方.md"
  check "$what: the guide names the logo's format" grep -q "SVG" "$set/使い方.md"
  check "$what: the guide gives a logo box" grep -q "^| \`feed-report\` | logo | 830, 1160 | 160×100 px |" "$set/使い方.md"
  check "$what: the guide shows how to check" grep -q "igprep template check --templates" "$set/使い方.md"
  # Under the Japanese locale too (fontconfig then names the fonts in Japanese first).
  rc=0
  env LANG=ja_JP.UTF-8 IGPREP_DATA="$TEST_TMP/empty" "$igprep" template check \
    --templates "$set/templates" >"$TEST_TMP/check-ja.out" 2>"$TEST_TMP/check-ja.err" || rc=$?
  check "$what: template check passes in Japanese (rc $rc: $(head -c 300 "$TEST_TMP/check-ja.err"))" \
    test "$rc" -eq 0
  check "$what: ... and says so in Japanese" grep -q "^ok feed-report（feed-4:5、レイヤー [0-9]* 個）" "$TEST_TMP/check-ja.out"
  # The set's templates draw on the clean machine too.
  rc=0
  (cd "$TEST_TMP" && env IGPREP_DATA="$TEST_TMP/empty" "$igprep" template preview feed-report \
    --templates "$set/templates" --out "$TEST_TMP/clean-preview.png" >/dev/null 2>"$TEST_TMP/prev.err") || rc=$?
  check "$what: preview with the set's fonts (rc $rc: $(head -c 300 "$TEST_TMP/prev.err"))" test "$rc" -eq 0
}

# ---- as a folder ----
rc=0
"$igprep" template export --to "$TEST_TMP/set" >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?
check "export --to DIR succeeds (rc $rc: $(head -c 300 "$TEST_TMP/err"))" test "$rc" -eq 0
check_set "$TEST_TMP/set" dir
check "no temporary left beside the set" test -z "$(ls -A "$TEST_TMP" | grep '^\.')"

# A second export to the same place is refused; the set is untouched.
before=$(cd "$TEST_TMP/set" && find . -type f -exec sha256sum {} + | sort | sha256sum)
rc=0
"$igprep" template export --to "$TEST_TMP/set" >/dev/null 2>"$TEST_TMP/err" || rc=$?
check "export over an existing folder is refused (rc $rc)" test "$rc" -ne 0
check "... saying it exists" grep -q "already exists" "$TEST_TMP/err"
after=$(cd "$TEST_TMP/set" && find . -type f -exec sha256sum {} + | sort | sha256sum)
check "... and the set is unchanged" test "$before" = "$after"

# ---- as a zip, unpacked by an independent reader ----
rc=0
"$igprep" template export --to "$TEST_TMP/city-templates.zip" --format zip >/dev/null 2>"$TEST_TMP/err" || rc=$?
check "export --format zip succeeds (rc $rc: $(head -c 300 "$TEST_TMP/err"))" test "$rc" -eq 0
check "the zip tests clean" bash -c 'unzip -tq "$1" >/dev/null' _ "$TEST_TMP/city-templates.zip"
mkdir unpacked
(cd unpacked && unzip -q "$TEST_TMP/city-templates.zip")
check "the zip holds one folder named after it" test "$(ls unpacked)" = city-templates
check_set "$TEST_TMP/unpacked/city-templates" zip
rc=0
"$igprep" template export --to "$TEST_TMP/city-templates.zip" --format zip >/dev/null 2>"$TEST_TMP/err" || rc=$?
check "export over an existing zip is refused (rc $rc)" test "$rc" -ne 0

# Named templates bring the templates they name (feed-report -> story-announce).
rc=0
"$igprep" template export --to "$TEST_TMP/one" feed-report >/dev/null 2>"$TEST_TMP/err" || rc=$?
check "export of one template (rc $rc)" test "$rc" -eq 0
check "... holds it" test -f "$TEST_TMP/one/templates/feed-report/template.json"
check "... and its next-day story's template" test -f "$TEST_TMP/one/templates/story-announce/template.json"
check "... and no other" test "$(ls "$TEST_TMP/one/templates" | tr '\n' ' ')" = "_shared feed-report story-announce "
rc=0
env IGPREP_DATA="$TEST_TMP/empty" "$igprep" template check --templates "$TEST_TMP/one/templates" >/dev/null 2>&1 || rc=$?
check "... which checks on the clean machine (rc $rc)" test "$rc" -eq 0
# A wrong --templates finds nothing to check: that is an error, not "all ok".
rc=0
"$igprep" template check --templates "$TEST_TMP/nowhere" >/dev/null 2>"$TEST_TMP/err" || rc=$?
check "check of a folder without templates fails (rc $rc)" test "$rc" -eq 1
check "... saying so in one line" test "$(grep -c 'no templates in this folder' "$TEST_TMP/err")" -eq 1

# The city exports its (changed) set again, without igprep's sources: the
# set's own guide is used, with one index.
rc=0
env IGPREP_DATA="$TEST_TMP/empty" "$igprep" template export --templates "$TEST_TMP/one/templates" \
  --to "$TEST_TMP/again" >/dev/null 2>"$TEST_TMP/err" || rc=$?
check "a set exports again on the clean machine (rc $rc: $(head -c 300 "$TEST_TMP/err"))" test "$rc" -eq 0
check "... with the guide" grep -q "^## ロゴを差し替える" "$TEST_TMP/again/使い方.md"
check "... and one index" test "$(grep -c "^## このセットのテンプレート" "$TEST_TMP/again/使い方.md")" -eq 1

# ---- template new ----
cp -r "$TEST_TMP/set/templates" "$TEST_TMP/mine"
orig=$(sha256sum <"$TEST_TMP/mine/feed-info/template.json")
rc=0
"$igprep" template new feed-info-blue --from feed-info --templates "$TEST_TMP/mine" >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?
check "template new succeeds (rc $rc: $(head -c 300 "$TEST_TMP/err"))" test "$rc" -eq 0
check "... the new template checks" bash -c '"$1" template check --templates "$2" feed-info-blue >/dev/null' _ "$igprep" "$TEST_TMP/mine"
check "... its description says where it came from" \
  bash -c 'jq -r .description "$1" | grep -q "feed-info"' _ "$TEST_TMP/mine/feed-info-blue/template.json"
check "... its layers are the original's" \
  test "$(jq -c .layers "$TEST_TMP/mine/feed-info-blue/template.json")" = "$(jq -c .layers "$TEST_TMP/mine/feed-info/template.json")"
check "... the original is unchanged" test "$orig" = "$(sha256sum <"$TEST_TMP/mine/feed-info/template.json")"
check "... no temporary left" test -z "$(ls -A "$TEST_TMP/mine" | grep '^\.')"
# Artwork of the template's own folder comes along.
rc=0
"$igprep" template new icon-2 --from highlight-cover --templates "$TEST_TMP/mine" >/dev/null 2>&1 || rc=$?
check "template new copies the artwork (rc $rc)" cmp -s "$TEST_TMP/mine/highlight-cover/icon.svg" "$TEST_TMP/mine/icon-2/icon.svg"

echo changed >"$TEST_TMP/marker"
cp "$TEST_TMP/mine/feed-info-blue/template.json" "$TEST_TMP/blue.json"
rc=0
"$igprep" template new feed-info-blue --from feed-report --templates "$TEST_TMP/mine" >/dev/null 2>"$TEST_TMP/err" || rc=$?
check "template new refuses an existing name (rc $rc)" test "$rc" -eq 2
check "... saying so" grep -q "already exists" "$TEST_TMP/err"
check "... and leaves it as it was" cmp -s "$TEST_TMP/blue.json" "$TEST_TMP/mine/feed-info-blue/template.json"
for bad in ../x _shared .hidden "a b" ""; do
  rc=0
  "$igprep" template new "$bad" --from feed-info --templates "$TEST_TMP/mine" >/dev/null 2>"$TEST_TMP/err" || rc=$?
  check "template new refuses the name '$bad' (rc $rc)" test "$rc" -eq 2
done
check "... and made nothing" test ! -e "$TEST_TMP/x"
rc=0
"$igprep" template new other --from no-such --templates "$TEST_TMP/mine" >/dev/null 2>"$TEST_TMP/err" || rc=$?
check "template new from a missing template fails (rc $rc)" test "$rc" -ne 0
check "... leaving nothing" test ! -e "$TEST_TMP/mine/other"

# In Japanese too.
rc=0
LANG=ja_JP.UTF-8 "$igprep" template new feed-info-blue --from feed-info --templates "$TEST_TMP/mine" >/dev/null 2>"$TEST_TMP/err" || rc=$?
check "the refusal in Japanese ($(cat "$TEST_TMP/err"))" grep -q "すでにあります" "$TEST_TMP/err"

done_testing
