#!/usr/bin/env bash
# Benchmark igprep's reel path (issue 6) against the reference ffmpeg command
# of instagram-specs §10 with the same settings, and against decoding alone.
# See bench/README.md ("Reels") for what is measured and how to read it.
#
# Usage: bench/reel.sh          (bench/run.sh, i.e. `make bench`, runs it too)
# Environment:
#   BUILD_DIR           the CMake build folder with bin/igprep (default: build)
#   BENCH_REEL_WARMUP   hyperfine warm-up runs per command (default: 0)
#   BENCH_REEL_RUNS     hyperfine timed runs per command (default: 2)
#   BENCH_REEL_SECONDS  length of the compared sources (default: 10)
#   BENCH_REEL_LONG     length of the long clip of the memory test (default: 300)
#   BENCH_REEL_RSS      0 skips the 30 s against long peak-RSS test (default: 1)
#   BENCH_REEL_SOURCES  which sources to compare (default: 1080p60 4k30 hlg faces)
#
# Sources (made once under bench/results/reel/inputs/, then reused): 1080p60
# H.264, 4K30 H.264, HLG HEVC 10-bit 1080p30, and a 1080p30 clip with moving
# faces, each with sensor-like grain and -30 LUFS sound. Each is a one-reel
# shoot; ingest, scrub, detect and redact run once, untimed; every timed
# igprep run starts from a copy of that folder (the chain from a copy made
# before detect).
#
#   (a) igprep      igprep encode SHOOT --out OUT --post reel-01 (the render,
#                   decoding the scrubbed master); with faces, the tracks
#                   found by detect (run untimed) are hidden in every frame,
#                   the window follows them and the redacted master is
#                   written in the same pass
#   (a') chain      with faces only: igprep detect, redact and encode, i.e.
#                   the face tracking itself (BlazeFace every 2nd frame) too
#   (b) ffmpeg      the §10 reference command on the same scrubbed master:
#                   libx264 preset slow, CRF 19, maxrate 20M, bufsize 40M,
#                   scale + crop to 1080x1920, fps 30, the logo PNG by the
#                   overlay filter, loudnorm's second pass (measured before);
#                   HLG masters tone-mapped first (zscale + tonemap), as igprep
#   (c) decode      ffmpeg -i MASTER -f null -
#
# Writes bench/results/reel/ (git-ignored): hyperfine-reel-*.json,
# summary.txt (also printed). Timings are reported, never judged.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${BUILD_DIR:-$repo/build}
case $build_dir in /*) ;; *) build_dir="$PWD/$build_dir" ;; esac
warmup=${BENCH_REEL_WARMUP:-0}
runs=${BENCH_REEL_RUNS:-2}
seconds=${BENCH_REEL_SECONDS:-10}
long=${BENCH_REEL_LONG:-300}
do_rss=${BENCH_REEL_RSS:-1}
sources=${BENCH_REEL_SOURCES:-1080p60 4k30 hlg faces}
igprep="$build_dir/bin/igprep"
results="$repo/bench/results/reel"
inputs="$results/inputs"
work="$results/work"
summary="$results/summary.txt"

die() { echo "bench/reel: $*" >&2; exit 1; }
q() { printf '%q' "$1"; }

[ -x "$igprep" ] || die "no $igprep: build first"
for t in hyperfine ffmpeg ffprobe vips jq python3; do
  command -v "$t" >/dev/null || die "'$t' not found: run scripts/install-deps.sh"
done
[ -x /usr/bin/time ] || die "GNU time (/usr/bin/time) not found: run scripts/install-deps.sh"

# ----------------------------------------------------------------- inputs --
ff() { ffmpeg -nostdin -v error -y "$@"; }
# Pink noise and a tone at about -30 LUFS: normalisation has work to do.
sound="anoisesrc=color=pink:seed=7:amplitude=0.17:sample_rate=48000[n];sine=frequency=440:sample_rate=48000,volume=0.05[s];[n][s]amix=inputs=2:normalize=0,aformat=channel_layouts=stereo[a]"
grain="noise=alls=3:allf=t"
skdata=/usr/lib/python3/dist-packages/skimage/data
dlib=/usr/share/doc/libdlib19.1/examples/faces

# The folder of a source: inputs/NAME-SECONDSs/{clip.*,shoot.json}
src() {
  case $1 in
    short) echo "$inputs/short-30s" ;;
    long) echo "$inputs/long-${long}s" ;;
    *) echo "$inputs/$1-${seconds}s" ;;
  esac
}

# make_source NAME SECONDS
make_source() {
  local name=$1 t=$2 dir tmp file
  dir=$(src "$name")
  case $name in hlg) file=clip.mov ;; *) file=clip.mp4 ;; esac
  # The shoot is written every time (cheap); the clip only once.
  mkdir -p "$dir"
  printf '{"version":1,"shoot":"bench-reel-%s","posts":[{"id":"reel-01","type":"reel","template":"reel-basic","text":{"title":"Bench %s"},"media":[{"file":"%s"}]}]}\n' \
    "$name" "$name" "$file" >"$dir/shoot.json"
  [ -s "$dir/$file" ] && return 0
  echo "bench/reel: making $dir/$file ($t s)"
  tmp="$dir/.tmp.$file"
  local x264=(-c:v libx264 -preset veryfast -crf 20 -pix_fmt yuv420p)
  case $name in
    1080p60)
      ff -f lavfi -i "testsrc2=size=1920x1080:rate=60,$grain" -filter_complex "$sound" \
        -map 0:v -map '[a]' -t "$t" "${x264[@]}" -c:a aac -b:a 192k "$tmp" ;;
    4k30)
      ff -f lavfi -i "testsrc2=size=3840x2160:rate=30,$grain" -filter_complex "$sound" \
        -map 0:v -map '[a]' -t "$t" "${x264[@]}" -c:a aac -b:a 192k "$tmp" ;;
    hlg)
      ff -f lavfi -i "testsrc2=size=1920x1080:rate=30,$grain" -filter_complex "$sound" \
        -map 0:v -map '[a]' -t "$t" -c:v libx265 -preset ultrafast -crf 22 -pix_fmt yuv420p10le \
        -tag:v hvc1 -x265-params log-level=none -color_primaries bt2020 -color_trc arib-std-b67 \
        -colorspace bt2020nc -color_range tv -c:a aac -b:a 192k "$tmp" ;;
    faces)
      # dlib's example party photo as the room, skimage's astronaut walking
      # across it (a face of about 250 px), 30 fps.
      [ -f "$dlib/2008_002470.jpg" ] && [ -f "$skdata/astronaut.png" ] ||
        die "no face pictures (libdlib19.1, python3-skimage): run scripts/install-deps.sh"
      ff -loop 1 -framerate 30 -i "$dlib/2008_002470.jpg" -loop 1 -framerate 30 -i "$skdata/astronaut.png" \
        -filter_complex "[0]scale=1920:1080:force_original_aspect_ratio=increase,crop=1920:1080,setsar=1[bg];[1]scale=640:640[fg];[bg][fg]overlay=x='-300+t*150':y='300+40*sin(t)',$grain,format=yuv420p[v];$sound" \
        -map '[v]' -map '[a]' -t "$t" "${x264[@]}" -c:a aac -b:a 192k "$tmp" ;;
    short | long)
      # small and without grain: what is measured is memory against length
      ff -f lavfi -i "testsrc2=size=640x360:rate=30" -filter_complex "$sound" \
        -map 0:v -map '[a]' -t "$t" "${x264[@]}" -c:a aac -b:a 128k "$tmp" ;;
  esac
  mv "$tmp" "$dir/$file"
}

# The logo bug of the reference command: the same artwork reel-basic draws
# (templates/_shared/, the city's logo goes there when it sends one), as a PNG.
logo="$inputs/logo.png"
mkdir -p "$inputs"
[ -s "$logo" ] || vips thumbnail "$repo/templates/_shared/logo-placeholder.svg" "$logo" 160

# ------------------------------------------------------------------ bench --
# prepare NAME FACES: run the untimed stages into work/NAME-prep once.
prepare() {
  local name=$1 faces=$2 shoot p="$work/$1-prep"
  shoot=$(src "$name")
  rm -rf "$p" "$work/$1-scrubbed"
  "$igprep" ingest "$shoot" --out "$p" --quiet
  "$igprep" scrub "$shoot" --out "$p" --quiet
  if [ "$faces" = 1 ]; then
    cp -a "$p" "$work/$1-scrubbed" # where the timed chain starts
    rm -f "$shoot/faces.json"
    "$igprep" detect "$shoot" --out "$p" --quiet
    "$igprep" redact "$shoot" --out "$p" --quiet
  else
    # No people in these clips: whatever the detector proposes on the test
    # pattern is marked "ignore", as an editor would, so no face is hidden
    # and the render runs without faces (and without a second encoder).
    rm -f "$shoot/faces.json"
    "$igprep" detect "$shoot" --out "$p" --quiet
    jq '.media |= map_values(.faces |= map(. + {"ignore": true}))' "$p/faces.json" >"$shoot/faces.json"
    "$igprep" detect "$shoot" --out "$p" --quiet
    "$igprep" redact "$shoot" --out "$p" --quiet
    "$igprep" compose "$shoot" --out "$p" --quiet || true
  fi
}

# Does this igprep render reels? (Until the render lands, encode refuses them.)
has_render=
render_probe() {
  local name=$1 w="$work/probe"
  rm -rf "$w"
  cp -a "$work/$name-prep" "$w"
  if "$igprep" encode "$(src "$name")" --out "$w" --post reel-01 --quiet 2>"$work/probe.err" &&
    [ -s "$w/posts/reel-01/reel-01.mp4" ]; then
    has_render=1
  else
    has_render=0
    echo "bench/reel: igprep does not render reels here ($(head -n 1 "$work/probe.err")): timing (b) and (c) only" >&2
  fi
  rm -rf "$w"
}

master_of() { ls "$work/$1-prep/masters/"*.mp4 | head -n 1; }

# loudnorm's first pass over the master: the options of the second.
second_pass() {
  ffmpeg -hide_banner -nostdin -nostats -i "$1" -af loudnorm=I=-14:TP=-1:LRA=11:print_format=json \
    -f null - 2>&1 | sed -n '/^{/,/^}/p' |
    jq -r '"loudnorm=I=-14:TP=-1:LRA=11:measured_I=\(.input_i):measured_TP=\(.input_tp):measured_LRA=\(.input_lra):measured_thresh=\(.input_thresh):offset=\(.target_offset):linear=true"'
}

# compare NAME FACES LABEL: (a), (b), (c) in one hyperfine run, each under GNU time.
compare() {
  local name=$1 faces=$2 label=$3 shoot master pre="" w="$work/$1"
  shoot=$(src "$name")
  local json="$results/hyperfine-reel-$1.json" rss="$results/rss-$1"
  master=$(master_of "$name")
  case $(ffprobe -v error -select_streams v:0 -show_entries stream=color_transfer -of csv=p=0 "$master") in
    arib-std-b67 | smpte2084)
      pre="zscale=t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,tonemap=tonemap=hable:desat=0,zscale=t=bt709:m=bt709:r=tv,format=yuv420p," ;;
  esac
  local vf="[0:v]${pre}scale=1080:1920:force_original_aspect_ratio=increase:out_color_matrix=bt709:out_range=tv,crop=1080:1920,fps=30[s];[s][1:v]overlay=x=W-w-60:y=260,format=yuv420p[v]"
  local ref
  ref="ffmpeg -nostdin -v error -y -i $(q "$master") -i $(q "$logo") -filter_complex $(q "$vf") -map '[v]' -map 0:a \
-c:v libx264 -preset slow -crf 19 -maxrate 20M -bufsize 40M -profile:v high -level:v 4.1 \
-g 60 -keyint_min 60 -flags +cgop -bf 2 \
-color_primaries bt709 -color_trc bt709 -colorspace bt709 -color_range tv \
-af $(q "$(second_pass "$master")") -c:a aac -b:a 128k -ar 48000 -ac 2 \
-movflags +faststart -use_editlist 0 $(q "$w/ffmpeg.mp4")"
  local igp="$(q "$igprep") encode $(q "$shoot") --out $(q "$w/igprep") --post reel-01 --quiet"
  local chain="$(q "$igprep") detect $(q "$shoot") --out $(q "$w/igprep") --quiet && \
$(q "$igprep") redact $(q "$shoot") --out $(q "$w/igprep") --quiet && $igp"
  local decode="ffmpeg -nostdin -v error -i $(q "$master") -f null -"
  timed() { echo "/usr/bin/time -a -o $(q "$rss-$1") -f %M bash -c $(q "$2")"; }
  rm -f "$rss"-*
  mkdir -p "$w"
  local hf=(hyperfine --warmup "$warmup" --runs "$runs" --export-json "$json")
  if [ "$has_render" = 1 ]; then
    hf+=(--prepare "rm -rf $(q "$w/igprep") && cp -a $(q "$work/$name-prep") $(q "$w/igprep")"
      --command-name igprep "$(timed igprep "$igp")")
    [ "$faces" = 1 ] &&
      hf+=(--prepare "rm -rf $(q "$w/igprep") && cp -a $(q "$work/$name-scrubbed") $(q "$w/igprep")"
        --command-name chain "$(timed chain "$chain")")
  fi
  hf+=(--prepare "rm -f $(q "$w/ffmpeg.mp4")" --command-name ffmpeg "$(timed ffmpeg "$ref")")
  hf+=(--prepare "true" --command-name decode "$(timed decode "$decode")")
  echo
  echo "bench/reel: $label"
  "${hf[@]}"
  python3 - "$json" "$label" "$rss" >>"$summary" <<'PY'
import json, math, os, sys
data = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
label, rss = sys.argv[2], sys.argv[3]
def peak(name):
    try:
        return max(int(l) for l in open("%s-%s" % (rss, name)) if l.strip().isdigit()) / 1024
    except (OSError, ValueError):
        return float("nan")
def ratio(a, b):
    if a not in data or b not in data:
        return "-"
    ma, mb = data[a]["mean"], data[b]["mean"]
    sa, sb = data[a]["stddev"] or 0, data[b]["stddev"] or 0
    r = ma / mb
    return "%.2f ± %.2f" % (r, r * math.hypot(sa / ma, sb / mb))
print()
print(label)
print("  command   wall mean ± sd       cpu user+sys   peak RSS")
for name in ("igprep", "chain", "ffmpeg", "decode"):
    if name not in data:
        if name != "chain":
            print("  %-8s  (not run: no reel render in this igprep)" % name)
        continue
    r = data[name]
    print("  %-8s  %6.2f s ± %5.2f s   %8.2f s   %6.0f MiB" % (name, r["mean"], r["stddev"] or 0,
          r["user"] + r["system"], peak(name)))
print("  igprep / ffmpeg: %s    igprep / decode: %s    ffmpeg / decode: %s" % (
    ratio("igprep", "ffmpeg"), ratio("igprep", "decode"), ratio("ffmpeg", "decode")))
if "chain" in data:
    print("  chain (detect + redact + encode) / ffmpeg: %s" % ratio("chain", "ffmpeg"))
PY
}

# Peak RSS against clip length: the same reel path on 30 s and on $long s.
rss_by_length() {
  local name p out
  printf '\npeak RSS against clip length (one run each, GNU time %%M)\n' >>"$summary"
  for name in short long; do
    p="$work/$name-run"
    rm -rf "$p"
    cp -a "$work/$name-prep" "$p"
    out=$(mktemp)
    if [ "$has_render" = 1 ]; then
      /usr/bin/time -f '%M %e' -o "$out" "$igprep" encode "$(src "$name")" --out "$p" --post reel-01 --quiet
      read -r kb secs <"$out"
      printf '  igprep encode, %4s s clip: %6.0f MiB in %6.1f s\n' \
        "$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$(master_of "$name")" | cut -d. -f1)" \
        "$(awk -v k="$kb" 'BEGIN { print k / 1024 }')" "$secs" >>"$summary"
    else
      echo "  igprep encode: not run (no reel render in this igprep)" >>"$summary"
    fi
    rm -f "$out"
    rm -rf "$p"
  done
}

mkdir -p "$work"
rm -f "$summary"
{
  cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
  echo "igprep reel benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs ($cpu), load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "$("$igprep" --version | head -n 1), $(ffmpeg -version | head -n 1 | cut -d' ' -f1-3);" \
    "hyperfine: $warmup warm-up + $runs runs per command; sources ${seconds} s"
  echo "igprep / this > 1: igprep takes that many times as long"
} >"$summary"

# label NAME: what the comparison of that source is called in the summary.
label() {
  case $1 in
    1080p60) echo "1080p60 H.264 (${seconds} s) -> reel 1080x1920 30 fps, no face tracking" ;;
    4k30) echo "4K30 H.264 (${seconds} s) -> reel, no face tracking" ;;
    hlg) echo "HLG HEVC 10-bit 1080p30 (${seconds} s) -> reel, tone-mapped, no face tracking" ;;
    faces) echo "1080p30 H.264, a walking astronaut in a room of people (${seconds} s) -> reel, every face tracked and hidden" ;;
    *) die "unknown source '$1' in BENCH_REEL_SOURCES (1080p60 4k30 hlg faces)" ;;
  esac
}

for s in $sources; do
  label "$s" >/dev/null
  make_source "$s" "$seconds"
done
if [ "$do_rss" = 1 ]; then
  make_source short 30
  make_source long "$long"
fi
for s in $sources; do prepare "$s" "$([ "$s" = faces ] && echo 1 || echo 0)"; done
render_probe "${sources%% *}"

for s in $sources; do compare "$s" "$([ "$s" = faces ] && echo 1 || echo 0)" "$(label "$s")"; done
if [ "$do_rss" = 1 ]; then
  prepare short 0
  prepare long 0
  rss_by_length
fi
rm -rf "$work"

echo
cat "$summary"
echo
echo "bench/reel: written to ${summary#"$repo/"} and ${results#"$repo/"}/hyperfine-reel-*.json"
