# Shared helpers for igprep's integration tests. Source it first.
# IGP_BIN (the built programs) and IGP_SRC (the source tree) come from ctest.
set -euo pipefail
# No test reads the terminal: a program that polls stdin (ffmpeg does, for
# its keys) sees end of file at once instead of a shared terminal.
exec </dev/null
# Messages in English unless a test asks for Japanese (LANG=ja_JP.UTF-8 cmd):
# the tests read the programs' words, whatever the developer's locale.
unset LANGUAGE LC_ALL LC_MESSAGES
export LANG=C.UTF-8

: "${IGP_BIN:?set by ctest: the folder of the built programs}"
: "${IGP_SRC:?set by ctest: the source tree}"
IGPREP="$IGP_BIN/igprep"
SAMPLE="$IGP_SRC/samples/nobisuku-halloween"

# sample_out DEST: a copy of the sample shoot's OUT, made once per ctest run
# by setup-samples.sh (the "samples" fixture), mtimes kept.
sample_out() {
  local cached="${IGP_CACHE:?set by ctest}/samples/out"
  [ -d "$cached" ] || { echo "the samples fixture has not run: $cached" >&2; return 1; }
  cp -a "$cached" "$1"
}

# approvers DIR: an igprep.json in DIR (a shoot folder, or OUT) naming the
# people the tests approve as (approve refuses anyone else).
approvers() {
  printf '%s\n' '{"approvers": [{"name": "ann", "role": "city"}, {"name": "山田 花子", "role": "city"},' \
    '  {"name": "tester", "role": "agency"}]}' >"$1/igprep.json"
}

TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/igp-test.XXXXXX")
trap 'rm -rf "$TEST_TMP"' EXIT

failures=0
passes=0

pass() { passes=$((passes + 1)); }
fail() {
  failures=$((failures + 1))
  echo "FAIL: $*" >&2
}

# check DESCRIPTION COMMAND...: the command must succeed.
check() {
  local what=$1
  shift
  if "$@"; then pass; else fail "$what"; fi
}

# Finish: print the tally ctest shows and exit non-zero on any failure.
done_testing() {
  echo "$passes passed, $failures failed"
  [ "$failures" -eq 0 ]
}

# Tags exiftool may report on a clean output: file-system facts and the
# structure of the JPEG itself. Anything else is a leak.
EXIFTOOL_ALLOWED='^(SourceFile|ExifTool:ExifToolVersion|System:(FileName|Directory|FileSize|FileModifyDate|FileAccessDate|FileInodeChangeDate|FilePermissions)|File:(FileType|FileTypeExtension|MIMEType|ImageWidth|ImageHeight|EncodingProcess|BitsPerSample|ColorComponents|YCbCrSubSampling)|JFIF:(JFIFVersion|ResolutionUnit|XResolution|YResolution)|Composite:(ImageSize|Megapixels))$'

# Print every tag of FILE outside the allow-list (empty output: clean).
exiftool_leaks() {
  exiftool -j -a -G1 -ee -u "$1" | jq -r '.[0] | keys[]' | grep -Ev "$EXIFTOOL_ALLOWED" || true
}

# Tags an MP4 igprep writes may show in exiftool: structure only, dates all zero.
VIDEO_ALLOWED='^(SourceFile|ExifTool:ExifToolVersion|System:.*|File:(FileType|FileTypeExtension|MIMEType)|QuickTime:(MajorBrand|MinorVersion|CompatibleBrands|MovieHeaderVersion|CreateDate|ModifyDate|TimeScale|Duration|PreferredRate|PreferredVolume|MatrixStructure|PreviewTime|PreviewDuration|PosterTime|SelectionTime|SelectionDuration|CurrentTime|NextTrackID|HandlerType|HandlerVendorID|Free|MediaDataSize|MediaDataOffset|MediaData)|Track[12]:(TrackHeaderVersion|TrackCreateDate|TrackModifyDate|TrackID|TrackDuration|TrackLayer|TrackVolume|MatrixStructure|ImageWidth|ImageHeight|Unknown_edts|MediaHeaderVersion|MediaCreateDate|MediaModifyDate|MediaTimeScale|MediaDuration|MediaLanguageCode|HandlerType|HandlerDescription|GraphicsMode|OpColor|CompressorID|SourceImageWidth|SourceImageHeight|XResolution|YResolution|BitDepth|AVCConfiguration|ColorProfiles|ColorPrimaries|TransferCharacteristics|MatrixCoefficients|VideoFullRangeFlag|PixelAspectRatio|BufferSize|MaxBitrate|AverageBitrate|VideoFrameRate|SyncSampleTable|CompositionTimeToSample|SampleToChunk|SampleSizes|ChunkOffset|Balance|AudioFormat|AudioChannels|AudioBitsPerSample|AudioSampleRate|Unknown_esds|Unknown_btrt|TimeToSampleTable|SampleGroupDescription|SampleToGroup)|Composite:(ImageSize|Megapixels|AvgBitrate|Rotation))$'

# Print every tag of an MP4 outside the allow-list (empty output: clean).
exiftool_video_leaks() {
  exiftool -j -a -G1 -ee -u "$1" | jq -r '.[0] | keys[]' | grep -Ev "$VIDEO_ALLOWED" || true
}

# Mean absolute difference of two same-sized images, 0..255 (libvips CLI).
mean_abs_diff() {
  local d="$TEST_TMP/diff.v"
  vips subtract "$1" "$2" "$d" >/dev/null
  vips abs "$d" "$d.abs.v" >/dev/null
  vips avg "$d.abs.v"
  rm -f "$d" "$d.abs.v"
}

# block_max_diff A B: the largest mean absolute difference of an 8x8 block
# (t-template.sh and t-proof-ja.sh compare their reference images with it
# and mean_abs_diff).
block_max_diff() {
  vips subtract "$1" "$2" "$TEST_TMP/bd.v" >/dev/null
  vips abs "$TEST_TMP/bd.v" "$TEST_TMP/ba.v" >/dev/null
  vips bandmean "$TEST_TMP/ba.v" "$TEST_TMP/bm.v" >/dev/null
  vips cast "$TEST_TMP/bm.v" "$TEST_TMP/bf.v" float >/dev/null
  vips shrink "$TEST_TMP/bf.v" "$TEST_TMP/bs.v" 8 8 >/dev/null
  vips max "$TEST_TMP/bs.v"
}

# A listing of every file in a folder with its hash, size and mtime, to
# prove a folder was not written to.
fingerprint() {
  (cd "$1" && find . -printf '%p %s %T@\n' | sort && find . -type f -exec sha256sum {} + | sort)
}
