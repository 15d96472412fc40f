#!/bin/sh
# Install the browser test's driver, puppeteer-core, into .cache/js
# (git-ignored; never committed). It drives Debian's chromium (installed by
# scripts/install-deps.sh); puppeteer-core downloads no browser of its own.
# 24.10.0 speaks the DevTools protocol of Chromium 120 and later.
# Usage: scripts/fetch-js.sh   (make deps runs it)
set -eu

PACKAGE=puppeteer-core
VERSION=24.10.0

root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/.cache/js"
installed="$dest/node_modules/$PACKAGE/package.json"

if [ -f "$installed" ] && grep -q "\"version\": \"$VERSION\"" "$installed"; then
  echo "fetch-js: $PACKAGE $VERSION is present in $dest"
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "fetch-js: npm is not installed (scripts/install-deps.sh installs it)" >&2
  exit 1
fi
mkdir -p "$dest"
# No install scripts run: puppeteer-core has none that are needed.
npm install --prefix "$dest" --no-audit --no-fund --ignore-scripts --silent \
  --no-save "$PACKAGE@$VERSION" >/dev/null
echo "fetch-js: $PACKAGE $VERSION installed in $dest (for tests/integration/t-review-browser.sh)"
