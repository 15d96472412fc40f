#!/usr/bin/env bash
# Benchmark igprep's photo path against the nearest one-command equivalents:
# libvips' vipsthumbnail and ImageMagick's convert, each making one 1080x1350
# JPEG (crop to fill, metadata stripped, quality 90) from a 12 MP and a 24 MP
# camera-like JPEG. See bench/README.md for what is measured and how to read it.
#
# Usage (from anywhere; `make bench` runs it after the build):
#   bench/run.sh
# Environment:
#   BUILD_DIR     the CMake build folder with bin/igprep (default: build)
#   BENCH_WARMUP  hyperfine warm-up runs per command (default: 1)
#   BENCH_RUNS    hyperfine timed runs per command (default: 5)
#   BENCH_STAGES  0 skips the per-stage breakdown of igprep (default: 1)
#   CONVERT       ImageMagick's convert (default: Debian's convert-im6.q16)
#   BENCH_REEL    0 skips the reel benchmark, bench/reel.sh (default: 1; its
#                 own BENCH_REEL_* settings are described there)
#
# Writes everything under bench/results/ (git-ignored): inputs/ (generated
# once, then reused), hyperfine-*.json and summary.txt (also printed). Exits
# non-zero only when a tool or a benchmarked command fails: timings are
# reported, never judged.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${BUILD_DIR:-$repo/build}
case $build_dir in /*) ;; *) build_dir="$PWD/$build_dir" ;; esac
warmup=${BENCH_WARMUP:-1}
runs=${BENCH_RUNS:-5}
do_stages=${BENCH_STAGES:-1}
igprep="$build_dir/bin/igprep"
results="$repo/bench/results"
inputs="$results/inputs"
work="$results/work"  # the benchmarked commands' outputs, wiped before each run
summary="$results/summary.txt"

die() { echo "bench: $*" >&2; exit 1; }

# ------------------------------------------------------------------ tools --
[ -x "$igprep" ] || die "no $igprep: build first (cmake -S . -B build && cmake --build build)"
for t in hyperfine vips vipsthumbnail vipsheader exiftool python3; do
  command -v "$t" >/dev/null || die "'$t' not found: run scripts/install-deps.sh"
done
[ -x /usr/bin/time ] || die "GNU time (/usr/bin/time) not found: run scripts/install-deps.sh"
# Call ImageMagick's own binary (what Debian's /usr/bin/convert links to), so
# that no wrapper script earlier in PATH is timed along with it.
convert=${CONVERT:-$(command -v convert-im6.q16 || command -v convert || true)}
[ -n "$convert" ] || die "ImageMagick's convert not found: run scripts/install-deps.sh"

# ----------------------------------------------------------------- inputs --
# A real photo, upscaled: python3-skimage's astronaut if present, else a
# picture of the repo's sample shoot.
skdata=/usr/lib/python3/dist-packages/skimage/data
source_img=
for f in "$skdata/astronaut.png" "$skdata/coffee.png" \
  "$repo/samples/nobisuku-halloween/IMG_0016.JPG"; do
  if [ -f "$f" ]; then source_img=$f; break; fi
done

# make_input NAME WIDTH HEIGHT: inputs/NAME/{IMG_0001.JPG,shoot.json}.
make_input() {
  local dir="$inputs/$1" w=$2 h=$3 tmp
  if [ -s "$dir/IMG_0001.JPG" ] && [ -s "$dir/shoot.json" ]; then return 0; fi
  [ -n "$source_img" ] || die "no source photo (python3-skimage or samples/) to make inputs from"
  echo "bench: making $dir/IMG_0001.JPG (${w}x$h) from $source_img"
  rm -rf "$dir"
  mkdir -p "$dir"
  tmp=$(mktemp -d "$inputs/.tmp.XXXXXX")
  # Upscale with lanczos3 and crop to the camera's aspect ratio, then add
  # fixed-seed luma grain: a smooth upscale compresses far better than a real
  # sensor's output, and JPEG decode/encode cost follows the coded size.
  vips thumbnail "$source_img" "$tmp/up.v" "$w" --height "$h" --size both --crop centre
  vips gaussnoise "$tmp/noise.v" "$w" "$h" --sigma 6 --mean 0 --seed 1
  vips add "$tmp/up.v" "$tmp/noise.v" "$tmp/sum.v"
  vips cast "$tmp/sum.v" "$tmp/img.v" uchar
  # Q92 with 4:2:0 chroma, like a camera's "fine" JPEG.
  vips jpegsave "$tmp/img.v" "$tmp/IMG_0001.JPG" --Q 92 --subsample-mode on --strip
  # A camera's 160x120 EXIF thumbnail (IFD1).
  vips thumbnail_image "$tmp/img.v" "$tmp/thumb.v" 160
  vips jpegsave "$tmp/thumb.v" "$tmp/thumb.jpg" --Q 80 --strip
  # Typical camera EXIF + GPS, so that stripping has real work to do (and
  # igprep's scrub audit finds every category it looks for).
  exiftool -q -overwrite_original -P \
    -IFD0:Make=SONY -IFD0:Model=ILCE-7M3 -IFD0:Software="ILCE-7M3 v4.01" \
    -IFD0:Orientation#=1 -IFD0:ModifyDate="2026:10:31 14:23:05" \
    -IFD0:Artist="Hanako Yamada" -IFD0:Copyright="(c) 2026 Hanako Yamada" \
    -IFD0:ImageDescription="bench input" \
    -ExifIFD:DateTimeOriginal="2026:10:31 14:23:05" \
    -ExifIFD:CreateDate="2026:10:31 14:23:05" \
    -ExifIFD:OffsetTime=+09:00 -ExifIFD:OffsetTimeOriginal=+09:00 \
    -ExifIFD:SubSecTimeOriginal=482 \
    -ExifIFD:ExposureTime=1/125 -ExifIFD:FNumber=4.0 -ExifIFD:ISO=800 \
    -ExifIFD:ExposureProgram#=3 -ExifIFD:Flash#=16 -ExifIFD:WhiteBalance#=0 \
    -ExifIFD:FocalLength=50 -ExifIFD:FocalLengthIn35mmFormat=50 \
    -ExifIFD:LensMake=SONY -ExifIFD:LensModel="FE 24-105mm F4 G OSS" \
    -ExifIFD:SerialNumber=3461205 -ExifIFD:LensSerialNumber=1840417 \
    -ExifIFD:OwnerName="Hanako Yamada" -ExifIFD:ColorSpace#=1 \
    -ExifIFD:UserComment="bench input" \
    -GPS:GPSVersionID=2.3.0.0 \
    -GPS:GPSLatitude=35.6895 -GPS:GPSLatitudeRef=N \
    -GPS:GPSLongitude=139.6917 -GPS:GPSLongitudeRef=E \
    -GPS:GPSAltitude=40 -GPS:GPSAltitudeRef#=0 \
    -GPS:GPSDateStamp=2026:10:31 -GPS:GPSTimeStamp=05:23:05 \
    "-ThumbnailImage<=$tmp/thumb.jpg" \
    "$tmp/IMG_0001.JPG"
  # The minimal shoot: one feed post (4:5, 1080x1350), focus in the centre.
  printf '%s\n' "{\"version\":1,\"shoot\":\"bench-$1\",\"posts\":[{\"id\":\"feed-01\",\"type\":\"feed\",\"media\":[{\"file\":\"IMG_0001.JPG\",\"focus\":[0.5,0.5]}]}]}" \
    >"$tmp/shoot.json"
  echo "$source_img" >"$tmp/source.txt"
  # Move into place last, so an interrupted run never leaves half an input.
  mv "$tmp/IMG_0001.JPG" "$tmp/source.txt" "$dir/"
  mv "$tmp/shoot.json" "$dir/"
  rm -rf "$tmp"
}

# ------------------------------------------------------------------ bench --
q() { printf '%q' "$1"; }  # quote a path for the command lines hyperfine runs

# Peak RSS in KiB of one run of a shell command, after the same prepare step.
peak_rss() {
  local prepare=$1 cmd=$2 out
  bash -c "$prepare"
  out=$(mktemp)
  /usr/bin/time -f %M -o "$out" bash -c "$cmd" >/dev/null ||
    { rm -f "$out"; die "failed: $cmd"; }
  tail -n 1 "$out"
  rm -f "$out"
}

# bench_compare SIZE LABEL: the three tools in ONE hyperfine run, so that the
# ratios come from the same conditions; then one extra run each under GNU
# time for peak RSS; then this size's table into $summary.
bench_compare() {
  local size=$1 label=$2 shoot="$inputs/$1" w="$work/$1"
  local src="$shoot/IMG_0001.JPG" json="$results/hyperfine-$1.json"
  local prepare names=() cmds=() outs=() rss=() hf i dims
  # Every run starts from an empty output folder: igprep skips work whose
  # inputs it has seen before (content-hash state in its --out folder).
  prepare="rm -rf $(q "$w") && mkdir -p $(q "$w")"
  names+=(igprep)
  cmds+=("$(q "$igprep") run $(q "$shoot") --out $(q "$w/igprep") --quiet")
  outs+=("$w/igprep/posts/feed-01/feed-01.jpg")
  # -m centre (crop to fill, centred) is the current name of vipsthumbnail's
  # deprecated -c; the output path must be absolute or it lands beside IN.
  names+=(vipsthumbnail)
  cmds+=("vipsthumbnail $(q "$src") -s 1080x1350 -m centre -o $(q "$w/vipsthumbnail.jpg[Q=90,strip]")")
  outs+=("$w/vipsthumbnail.jpg")
  names+=(convert)
  cmds+=("$(q "$convert") $(q "$src") -auto-orient -resize '1080x1350^' -gravity center -extent 1080x1350 -strip -quality 90 $(q "$w/convert.jpg")")
  outs+=("$w/convert.jpg")

  echo
  echo "bench: $label"
  hf=(hyperfine --warmup "$warmup" --runs "$runs" --prepare "$prepare" --export-json "$json")
  for i in "${!cmds[@]}"; do hf+=(--command-name "${names[$i]}" "${cmds[$i]}"); done
  "${hf[@]}"

  # Each tool must have made a 1080x1350 JPEG: a missing one is a failure, a
  # different size only a warning (the timing is then not like for like).
  for i in "${!cmds[@]}"; do
    rss+=("${names[$i]}=$(peak_rss "$prepare" "${cmds[$i]}")")
    dims=$(vipsheader -f width "${outs[$i]}")x$(vipsheader -f height "${outs[$i]}") ||
      die "${names[$i]} made no readable ${outs[$i]}"
    [ "$dims" = 1080x1350 ] || echo "bench: warning: ${names[$i]} made $dims, not 1080x1350" >&2
  done
  python3 "$repo/bench/table.py" compare "$json" "$label" "${rss[@]}" >>"$summary"
}

# bench_stages SIZE: igprep's stages as separate programs, each started from
# the state the previous ones leave (one --prepare per command), plus the bare
# process start (igprep --version), to show where igprep run's time goes.
bench_stages() {
  local size=$1 shoot="$inputs/$1" w="$work/$1/igprep" bin="$build_dir/bin"
  local json="$results/hyperfine-$1-stages.json" clean ingest scrub encode verify
  clean="rm -rf $(q "$w")"
  ingest="$(q "$bin/igprep-ingest") $(q "$shoot") --out $(q "$w") --quiet"
  scrub="$(q "$bin/igprep-scrub") $(q "$shoot") --out $(q "$w") --quiet"
  encode="$(q "$bin/igprep-encode") $(q "$shoot") --out $(q "$w") --quiet"
  verify="$(q "$bin/igprep-verify") $(q "$w") --quiet"

  echo
  echo "bench: ${size%mp} MP, igprep's stages one by one"
  hyperfine --warmup "$warmup" --runs "$runs" --export-json "$json" \
    --prepare "$clean" --command-name "process start" "$(q "$igprep") --version" \
    --prepare "$clean" --command-name ingest "$ingest" \
    --prepare "$clean && $ingest" --command-name scrub "$scrub" \
    --prepare "$clean && $ingest && $scrub" --command-name encode "$encode" \
    --prepare "$clean && $ingest && $scrub && $encode" --command-name verify "$verify"
  python3 "$repo/bench/table.py" stages "$json" "$results/hyperfine-$1.json" >>"$summary"
}

# ------------------------------------------------------------------- main --
mkdir -p "$inputs"
make_input 12mp 4000 3000
make_input 24mp 6000 4000

{
  cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
  echo "igprep benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs ($cpu)"
  echo "$("$igprep" --version | head -n 1), $(vips --version)," \
    "ImageMagick $("$convert" -version | head -n 1 | cut -d' ' -f3);" \
    "hyperfine: $warmup warm-up + $runs runs per command"
  echo "inputs: $(basename "$(cat "$inputs/12mp/source.txt")") upscaled, with grain;" \
    "igprep / this > 1: igprep is that many times slower"
} >"$summary"

for size in 12mp 24mp; do
  src="$inputs/$size/IMG_0001.JPG"
  mb=$(awk -v b="$(stat -c %s "$src")" 'BEGIN { printf "%.1f", b / 1e6 }')
  dims="$(vipsheader -f width "$src")x$(vipsheader -f height "$src")"
  echo >>"$summary"
  bench_compare "$size" "${size%mp} MP ($dims, $mb MB JPEG Q92, EXIF+GPS) -> 1080x1350 q90"
  [ "$do_stages" = 0 ] || bench_stages "$size"
done
rm -rf "$work"

echo
cat "$summary"
echo
echo "bench: written to ${summary#"$repo/"} and ${results#"$repo/"}/hyperfine-*.json"

# Reels: igprep's render against the ffmpeg command line and decoding alone.
if [ "${BENCH_REEL:-1}" != 0 ]; then
  BUILD_DIR="$build_dir" bash "$repo/bench/reel.sh"
fi
