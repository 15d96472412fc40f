#!/usr/bin/env bash
# Copy the bundled fonts and their licences from their Debian packages into
# fonts/, so that every machine renders with exactly these files (see
# fonts/fonts.conf). Only the weights the templates use are kept.
# Usage: scripts/update-fonts.sh   (after scripts/install-deps.sh)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/fonts"
gothic=/usr/share/fonts/truetype/bizud-gothic
maru=/usr/share/fonts/truetype/motoya-l-maruberi
emoji=/usr/share/fonts/truetype/noto

for f in "$gothic/BIZUDPGothic-Regular.ttf" "$gothic/BIZUDPGothic-Bold.ttf" "$maru/MTLmr3m.ttf" \
  "$emoji/NotoColorEmoji.ttf"; do
  if [ ! -f "$f" ]; then
    echo "update-fonts: $f is missing; install fonts-morisawa-bizud-gothic, fonts-motoya-l-maruberi and fonts-noto-color-emoji" >&2
    exit 1
  fi
  install -m 0644 "$f" "$dest/"
done
# The licences: OFL 1.1 (BIZ UDPGothic and Noto Color Emoji, in their Debian
# copyright files) and Apache 2.0 (Motoya L Maruberi).
install -m 0644 /usr/share/doc/fonts-morisawa-bizud-gothic/copyright "$dest/LICENSE-BIZUDPGothic.txt"
install -m 0644 /usr/share/doc/fonts-noto-color-emoji/copyright "$dest/LICENSE-NotoColorEmoji.txt"
{
  cat /usr/share/doc/fonts-motoya-l-maruberi/copyright
  echo
  cat /usr/share/common-licenses/Apache-2.0
} >"$dest/LICENSE-MotoyaLMaruberi.txt"
(cd "$dest" && sha256sum ./*.ttf >SHA256SUMS)
echo "update-fonts: fonts/ updated:"
ls -l "$dest"
