#!/usr/bin/env bash
# The operation and posting manual (操作・投稿マニュアル, docs/manual/): makes
# every picture it shows from a real run on a copy of samples/ (samples/ is
# never written), then builds it to HTML and PDF with pandoc and WeasyPrint
# (Debian packages; scripts/install-deps.sh installs them).
#
# Usage: scripts/make-manual.sh [--out DIR] [--images DIR]
#   --out DIR     where manual.html and manual.pdf go (default build/manual)
#   --images DIR  where the pictures go (default docs/manual/images, git-ignored)
# IGP_BIN: the built programs (default: build/bin, built here with CMake).
# `make manual` runs it after `make build`.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/build/manual"
images="$root/docs/manual/images"
while [ $# -gt 0 ]; do
  case $1 in
    --out) out=$2; shift 2 ;;
    --images) images=$2; shift 2 ;;
    *) echo "usage: scripts/make-manual.sh [--out DIR] [--images DIR]" >&2; exit 2 ;;
  esac
done
mkdir -p "$out" "$images"
out=$(cd "$out" && pwd)
images=$(cd "$images" && pwd)

for tool in pandoc weasyprint pdftoppm vips node chromium; do
  command -v "$tool" >/dev/null || {
    echo "make-manual: $tool is not installed (run scripts/install-deps.sh, or make manual)" >&2
    exit 1
  }
done
modules="$root/.cache/js/node_modules"
[ -f "$modules/puppeteer-core/package.json" ] || {
  echo "make-manual: puppeteer-core is missing in $modules (run scripts/fetch-js.sh, or make manual)" >&2
  exit 1
}

if [ -z "${IGP_BIN:-}" ]; then
  cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIGP_WERROR=ON >/dev/null
  cmake --build "$root/build" -j "$(nproc)" -- --no-print-directory >/dev/null
  IGP_BIN="$root/build/bin"
fi
igprep="$IGP_BIN/igprep"

# The pictures show the programs as a Japanese user sees them.
unset LANGUAGE LC_ALL LC_MESSAGES
export LANG=ja_JP.UTF-8

work=$(mktemp -d "${TMPDIR:-/tmp}/igp-manual.XXXXXX")
review_pid=""
cleanup() {
  if [ -n "$review_pid" ]; then kill -TERM "$review_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

step() { echo "make-manual: $*"; }

# The manual's own paths, in a scratch folder: samples/nobisuku-halloween,
# out/nobisuku-halloween, outbox, archive.
cd "$work"
mkdir samples
cp -a "$root/samples/nobisuku-halloween" samples/
shoot=samples/nobisuku-halloween
run=out/nobisuku-halloween

step "igprep run on a copy of the sample shoot (a minute or two)"
"$igprep" run "$shoot" --out "$run" --quiet

# A picture for the manual: at most WIDTH pixels wide, as PNG or JPEG by name.
shrink() { # SOURCE DEST WIDTH
  vips thumbnail "$1" "$2" "$3" --size down
}
# Chapter 3 shows the post before the review: its face hidden.
shrink "$run/posts/feed-01/feed-01.jpg" "$images/post-feed-01.jpg[Q=85]" 540

step "igprep review in Chromium: the consent dialog and the page"
"$igprep" review "$shoot" --out "$run" >"$work/review.log" 2>&1 &
review_pid=$!
url=""
for _ in $(seq 1 300); do
  url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$work/review.log" || true)
  [ -n "$url" ] && break
  kill -0 "$review_pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$url" ] || { cat "$work/review.log" >&2; echo "make-manual: igprep review did not start" >&2; exit 1; }
IGP_JS_MODULES="$modules" node "$root/scripts/manual-screenshots.js" "$url/" "$images"
kill -TERM "$review_pid"
wait "$review_pid" || true
review_pid=""

step "igprep run again: the cleared face is shown"
"$igprep" run "$shoot" --out "$run" --quiet

shrink "$run/review/IMG_0012.HEIC.png" "$images/review-sheet.png" 700
shrink "$run/posts/feed-01-story/feed-01-story.jpg" "$images/story-feed-01.jpg[Q=85]" 405
shrink "$run/posts/reel-01/reel-01-cover.jpg" "$images/reel-cover.jpg[Q=85]" 405
ffmpeg -nostdin -loglevel error -y -ss 1.0 -i "$run/posts/reel-01/reel-01.mp4" -frames:v 1 \
  -vf scale=405:-2 "$work/reel-frame.png"
cp "$work/reel-frame.png" "$images/reel-frame.png"

step "igprep proof: the page of feed-01"
# The proof's digest, for approve, from its --json result (docs/json.md).
digest=$("$igprep" proof "$run" --quiet --json | jq -r 'select(.event == "result") | .digest')
pages=$(pdfinfo "$run/reports/proof.pdf" | awk '/^Pages:/ {print $2}')
page=""
for p in $(seq 1 "$pages"); do
  if pdftotext -f "$p" -l "$p" "$run/reports/proof.pdf" - | head -1 | grep -qx 'feed-01'; then page=$p; fi
done
[ -n "$page" ] || { echo "make-manual: no page of feed-01 in the proof" >&2; exit 1; }
pdftoppm -r 110 -png -f "$page" -l "$page" -singlefile "$run/reports/proof.pdf" "$images/proof-page"

step "igprep approve, publish, archive"
"$igprep" approve "$run" --proof "$digest" --by "山田 花子" --quiet
"$igprep" publish "$run" --outbox outbox --quiet
"$igprep" archive "$run" --to archive --quiet >/dev/null
pdftoppm -r 60 -png -f 1 -l 1 -singlefile archive/igprep-2026-11-20-nobisuku-halloween/data/index.pdf \
  "$images/archive-index"

step "the interview of chapter 12: its files as the manual writes them, run, approved, published"
# The files the manual has the reader write (code blocks with file="PATH").
python3 "$root/scripts/manual-steps.py" "$root/docs/manual" >"$work/steps"
while IFS= read -r -u 3 -d '' kind && IFS= read -r -u 3 -d '' where; do
  if [ "$kind" = write ]; then
    IFS= read -r -u 3 -d '' path
    IFS= read -r -u 3 -d '' text
    mkdir -p "$(dirname "$path")"
    printf '%s' "$text" >"$path"
  else
    IFS= read -r -u 3 -d '' _
  fi
done 3<"$work/steps"
interview=shoots/2026-12-12-interview
cp "$shoot/IMG_0012.HEIC" "$interview/"
"$igprep" run "$interview" --out out/2026-12-12-interview --quiet
"$igprep" proof out/2026-12-12-interview --quiet
"$igprep" approve out/2026-12-12-interview --all --by "山田 花子" --quiet
"$igprep" publish out/2026-12-12-interview --outbox outbox --quiet

step "igprep plan: the work plan of 2026-12"
# plan finds a shoot's run at out/<shoot name>: the sample's is out/nobisuku-halloween.
ln -s nobisuku-halloween out/2026-11-20-nobisuku-halloween
"$igprep" plan "$shoot" "$interview" --month 2026-12 --runs out --outbox outbox --to "$work/plan.pdf" --quiet
rm out/2026-11-20-nobisuku-halloween
pdftoppm -r 110 -png -f 1 -l 1 -singlefile "$work/plan.pdf" "$images/plan-page"

step "igprep purge: the deletion report"
mkdir reports
"$igprep" purge "$run" --outbox outbox --archive archive --report-to reports --quiet
pdftoppm -r 70 -png -f 1 -l 1 -singlefile reports/deletion-report-*.pdf "$images/deletion-report"

step "pandoc and WeasyPrint: HTML and PDF"
stage="$out/src"
rm -rf "$stage"
mkdir -p "$stage"
cp "$root"/docs/manual/*.md "$root/docs/manual/manual.css" "$root/docs/manual/metadata.yaml" "$stage/"
cp -r "$images" "$stage/images"
cd "$stage"
chapters=$(ls [0-9][0-9]-*.md)
# shellcheck disable=SC2086
pandoc --from markdown --to html5 --standalone --self-contained --no-highlight --toc --toc-depth 2 \
  --metadata-file metadata.yaml --css manual.css -o "$out/manual.html.tmp" $chapters
mv "$out/manual.html.tmp" "$out/manual.html"
# WeasyPrint sees the bundled fonts only (fonts/fonts.conf): BIZ UDPGothic.
# shellcheck disable=SC2086
FONTCONFIG_FILE="$root/fonts/fonts.conf" pandoc --from markdown --to html5 --no-highlight --toc --toc-depth 2 \
  --metadata-file metadata.yaml --css manual.css --pdf-engine weasyprint \
  -o "$out/manual.tmp.pdf" $chapters
mv "$out/manual.tmp.pdf" "$out/manual.pdf"
step "done: $out/manual.html, $out/manual.pdf (pictures in $images)"
