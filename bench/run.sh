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
#   BENCH_SHOOT   0 skips the whole-shoot run at --jobs 1 and 2 (default: 1)
#   BENCH_SHOOT_PHOTOS  photos in that shoot (default: 30; 12 MP each)
#   BENCH_SHOOT_RUNS    hyperfine runs per --jobs value (default: 1, no warm-up)
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
do_shoot=${BENCH_SHOOT:-1}
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

# bench_stages SIZE: igprep's stages as separate programs, the whole chain
# ingest -> scrub -> detect -> redact -> encode -> verify, each timed from
# the state the previous ones leave, plus the bare process start (igprep
# --version), to show where igprep run's time goes. The state before each
# stage is made once, untimed, and kept as a snapshot (snap/<stage>); every
# timed run starts from a copy of it (--prepare), so no run pays for the
# stages before it (detection is slow enough to matter). cp -a keeps the
# files' times, which verify and approve compare.
bench_stages() {
  local size=$1 shoot="$inputs/$1" w="$work/$1/igprep" bin="$build_dir/bin"
  local snaps="$work/$1/snap" json="$results/hyperfine-$1-stages.json"
  local stage prev="" cmd hf=() cmds=() names=()
  names=(ingest scrub detect redact encode verify)
  cmds=(
    "$(q "$bin/igprep-ingest") $(q "$shoot") --out $(q "$w") --quiet"
    "$(q "$bin/igprep-scrub") $(q "$shoot") --out $(q "$w") --quiet"
    # igprep-detect (and -redact) start with ingest and scrub, which find
    # their work done (state/*.json) and only check the hashes.
    "$(q "$bin/igprep-detect") $(q "$shoot") --out $(q "$w") --quiet"
    "$(q "$bin/igprep-redact") $(q "$shoot") --out $(q "$w") --quiet"
    "$(q "$bin/igprep-encode") $(q "$shoot") --out $(q "$w") --quiet"
    "$(q "$bin/igprep-verify") $(q "$w") --quiet"
  )
  rm -rf "$w" "$snaps"
  mkdir -p "$snaps" "$w"
  cp -a "$w" "$snaps/ingest"
  hf=(hyperfine --warmup "$warmup" --runs "$runs" --export-json "$json"
    --prepare "rm -rf $(q "$w")" --command-name "process start" "$(q "$igprep") --version")
  for i in "${!names[@]}"; do
    stage=${names[$i]}
    cmd=${cmds[$i]}
    hf+=(--prepare "rm -rf $(q "$w") && cp -a $(q "$snaps/$stage") $(q "$w")"
      --command-name "$stage" "$cmd")
    # The state after this stage: the next one's starting point.
    if [ "$i" -lt $((${#names[@]} - 1)) ]; then
      bash -c "$cmd" || die "failed: $cmd"
      cp -a "$w" "$snaps/${names[$((i + 1))]}"
    fi
  done
  echo
  echo "bench: ${size%mp} MP, igprep's stages one by one"
  "${hf[@]}"
  [ -s "$w/posts/feed-01/feed-01.jpg" ] || die "the stage chain made no post"
  python3 "$repo/bench/table.py" stages "$json" "$results/hyperfine-$1.json" >>"$summary"
}

# make_shoot NAME COUNT WIDTH HEIGHT: inputs/NAME/, a shoot of COUNT
# camera-like photos, each two Debian-packaged pictures (python3-skimage's
# colour photos, and dlib's example photos of people when libdlib's examples
# are installed) side by side, upscaled to WIDTH x HEIGHT with vips, flipped
# every other one, with grain and a camera's EXIF copied from the 12 MP input.
# Posts: carousels of 10 and feed posts for the rest, no templates.
make_shoot() {
  local dir="$inputs/$1" n=$2 w=$3 h=$4 tmp i a b pics=()
  if [ -s "$dir/shoot.json" ] && [ "$(find "$dir" -name 'IMG_*.JPG' | wc -l)" -eq "$n" ]; then
    return 0
  fi
  for f in "$skdata"/{astronaut.png,coffee.png,chelsea.png,rocket.jpg,motorcycle_left.png,hubble_deep_field.jpg,retina.jpg,ihc.png} \
    /usr/share/doc/libdlib19.1/examples/faces/{2008_002470.jpg,2008_007676.jpg,2009_004587.jpg,2008_001322.jpg,bald_guys.jpg,dogs.jpg}; do
    [ -f "$f" ] && pics+=("$f")
  done
  [ "${#pics[@]}" -ge 2 ] || die "python3-skimage's pictures are needed to make the $1 shoot"
  echo "bench: making $dir ($n photos, ${w}x$h, from ${#pics[@]} pictures)"
  rm -rf "$dir"
  mkdir -p "$dir"
  tmp=$(mktemp -d "$inputs/.tmp.XXXXXX")
  for ((i = 1; i <= n; i++)); do
    a=${pics[$(((i - 1) % ${#pics[@]}))]}
    b=${pics[$(((i * 5 + 2) % ${#pics[@]}))]}
    vips thumbnail "$a" "$tmp/a.v" 1000 --height 1500 --size both --crop centre
    vips thumbnail "$b" "$tmp/b.v" 1000 --height 1500 --size both --crop centre
    vips colourspace "$tmp/a.v" "$tmp/a3.v" srgb
    vips colourspace "$tmp/b.v" "$tmp/b3.v" srgb
    vips arrayjoin "$tmp/a3.v $tmp/b3.v" "$tmp/ab.v"
    if ((i % 2)); then vips flip "$tmp/ab.v" "$tmp/c.v" horizontal; else mv "$tmp/ab.v" "$tmp/c.v"; fi
    vips thumbnail "$tmp/c.v" "$tmp/rgb.v" "$w" --height "$h" --size both --crop centre
    vips gaussnoise "$tmp/noise.v" "$w" "$h" --sigma 6 --mean 0 --seed "$i"
    vips add "$tmp/rgb.v" "$tmp/noise.v" "$tmp/sum.v"
    vips cast "$tmp/sum.v" "$tmp/img.v" uchar
    vips jpegsave "$tmp/img.v" "$tmp/$(printf 'IMG_%04d.JPG' "$i")" --Q 92 --subsample-mode on --strip
  done
  rm -f "$tmp"/*.v
  exiftool -q -overwrite_original -TagsFromFile "$inputs/12mp/IMG_0001.JPG" -all:all "$tmp"/IMG_*.JPG
  # Carousels of 10 while 10 photos are left for single posts, then feed posts.
  python3 - "$1" "$n" >"$tmp/shoot.json" <<'PY'
import json, sys
name, n = sys.argv[1], int(sys.argv[2])
files = ["IMG_%04d.JPG" % i for i in range(1, n + 1)]
posts, i = [], 0
while n - i >= 20:
    posts.append({"id": "carousel-%02d" % (len(posts) + 1), "type": "carousel",
                  "media": [{"file": f} for f in files[i:i + 10]]})
    i += 10
for f in files[i:]:
    posts.append({"id": "feed-%02d" % (len(posts) + 1), "type": "feed", "media": [{"file": f}]})
print(json.dumps({"version": 1, "shoot": "bench-" + name, "posts": posts}))
PY
  python3 -m json.tool "$tmp/shoot.json" >/dev/null || die "made a bad shoot.json"
  mv "$tmp"/IMG_*.JPG "$dir/"
  mv "$tmp/shoot.json" "$dir/"
  rm -rf "$tmp"
}

# bench_shoot NAME: igprep run over a whole shoot at --jobs 1 and --jobs 2,
# each from an empty OUT, under GNU time for its peak RSS.
bench_shoot() {
  local shoot="$inputs/$1" w="$work/$1" json="$results/hyperfine-$1.json" hf j n
  local shoot_runs=${BENCH_SHOOT_RUNS:-1}
  n=$(find "$shoot" -name 'IMG_*.JPG' | wc -l)
  hf=(hyperfine --warmup 0 --runs "$shoot_runs" --export-json "$json")
  for j in 1 2; do
    hf+=(--prepare "rm -rf $(q "$w")" --command-name "jobs $j"
      "/usr/bin/time -a -f %M -o $(q "$results/rss-$1-jobs$j.txt") $(q "$igprep") run $(q "$shoot") --out $(q "$w") --quiet --jobs $j")
    rm -f "$results/rss-$1-jobs$j.txt"
  done
  echo
  echo "bench: a shoot of $n photos, igprep run at --jobs 1 and --jobs 2"
  "${hf[@]}"
  # One slide per photo; each post's next-day story (posts/<id>-story/) besides.
  [ "$(find "$w/posts" -name '*.jpg' -not -path '*-story/*' | wc -l)" -eq "$n" ] ||
    die "igprep run made no post for some of the $n photos"
  python3 "$repo/bench/table.py" shoot "$json" "$n" \
    "jobs 1=$(sort -n "$results/rss-$1-jobs1.txt" | tail -n 1)" \
    "jobs 2=$(sort -n "$results/rss-$1-jobs2.txt" | tail -n 1)" >>"$summary"
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

shoot_photos=${BENCH_SHOOT_PHOTOS:-30}
[ "$do_shoot" = 0 ] || make_shoot shoot "$shoot_photos" 4000 3000

for size in 12mp 24mp; do
  src="$inputs/$size/IMG_0001.JPG"
  mb=$(awk -v b="$(stat -c %s "$src")" 'BEGIN { printf "%.1f", b / 1e6 }')
  dims="$(vipsheader -f width "$src")x$(vipsheader -f height "$src")"
  echo >>"$summary"
  bench_compare "$size" "${size%mp} MP ($dims, $mb MB JPEG Q92, EXIF+GPS) -> 1080x1350 q90"
  [ "$do_stages" = 0 ] || bench_stages "$size"
done
if [ "$do_shoot" != 0 ]; then
  echo >>"$summary"
  bench_shoot shoot
fi
rm -rf "$work"

echo
cat "$summary"
echo
echo "bench: written to ${summary#"$repo/"} and ${results#"$repo/"}/hyperfine-*.json"

# Reels: igprep's render against the ffmpeg command line and decoding alone.
if [ "${BENCH_REEL:-1}" != 0 ]; then
  BUILD_DIR="$build_dir" bash "$repo/bench/reel.sh"
fi
