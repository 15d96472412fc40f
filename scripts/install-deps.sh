#!/usr/bin/env bash
# Install the Debian packages igprep needs to build, run, test and benchmark.
# Idempotent: installs only what is missing, says what it installs, and works
# as root or through sudo. Usage: scripts/install-deps.sh
set -euo pipefail

packages=(
  # build
  build-essential cmake pkg-config clang-format
  # fuzzing (make fuzz): clang and its libFuzzer and sanitizer runtimes
  clang libclang-rt-14-dev
  # libraries (see docs/design: FFmpeg 5.1, libvips 8.14, cairo/pango, ...)
  libvips-dev libjansson-dev libexif-dev libglib2.0-dev liblcms2-dev
  libavformat-dev libavcodec-dev libavutil-dev libavfilter-dev
  libswscale-dev libswresample-dev
  libcairo2-dev libpango1.0-dev librsvg2-dev libarchive-dev
  # SHA-256 (OpenSSL's libcrypto)
  libssl-dev
  # review sheets and composed slides written with libpng (filters/pngsave.c)
  libpng-dev zlib1g-dev
  # igprep review's web server (docs/review.md)
  libmicrohttpd-dev
  # the account's time zone (igprep.json "timezone", Asia/Tokyo by default)
  tzdata
  # messages: msgfmt builds po/ja.po; xgettext and msgmerge check it (tests/integration/t-translations.sh)
  gettext
  # GOption's own words in --help ("Usage:", "Help Options:") in Japanese
  libglib2.0-data
  # fonts of the proof: Japanese captions and emoji (until templates bundle their own)
  fonts-noto-cjk fonts-noto-color-emoji
  # the templates' bundled fonts: the sources scripts/update-fonts.sh copies into fonts/
  fonts-morisawa-bizud-gothic fonts-motoya-l-maruberi fontconfig
  # independent readers and writers used by the tests
  libimage-exiftool-perl ffmpeg libvips-tools libheif-examples jq poppler-utils
  # faces (docs/faces.md): OpenCV's dnn/objdetect for the detector, opencv-data
  # for the Haar fallback; the face fixture's photos (python3-skimage,
  # libdlib19.1's example faces) and the Python that makes it
  libopencv-dnn-dev libopencv-objdetect-dev libopencv-imgproc-dev opencv-data
  python3-skimage python3-numpy python3-pil libdlib19.1
  # video faces: python3-opencv reads the rendered reels in
  # tests/integration/check-video-redaction.py
  python3-opencv
  # igprep review's browser test: Debian's Chromium, driven by puppeteer-core
  # (scripts/fetch-js.sh, from npm) with node
  chromium nodejs
  # the operation manual (make manual, scripts/make-manual.sh): pandoc turns
  # docs/manual/ into HTML, WeasyPrint sets the PDF with the bundled fonts
  pandoc weasyprint
  # benchmarks: hyperfine, ImageMagick's convert, GNU time for peak RSS
  hyperfine imagemagick time python3
)

# scripts/fetch-models.sh and scripts/fetch-js.sh need npm; a NodeSource nodejs already carries it,
# Debian's is a package of its own.
if ! command -v npm >/dev/null 2>&1; then
  packages+=(npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} Debian packages are present"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "install-deps: missing packages (${missing[*]}) and not root; install sudo or run as root" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
