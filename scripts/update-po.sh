#!/usr/bin/env bash
# Extract every translatable string (_() and N_()) of the programs into
# po/igprep.pot and merge it into po/ja.po (make po). New strings arrive
# untranslated, changed ones fuzzy: translate them, then `make` compiles.
# Usage: scripts/update-po.sh [POT] [PO]   (defaults: po/igprep.pot po/ja.po)
set -euo pipefail
cd "$(dirname "$0")/.."
pot=${1:-po/igprep.pot}
po=${2:-po/ja.po}
xgettext --from-code=UTF-8 --language=C --keyword=_ --keyword=N_ \
  --keyword=ngettext:1,2 --keyword=igp_findings_add:2 --add-comments=TRANSLATORS: --package-name=igprep \
  --sort-output --add-location=file --no-wrap -o "$pot" \
  $(git ls-files 'filters/*.c' 'filters/*.cpp' 'pipeline/*.c' | sort)
if [ "$po" != /dev/null ]; then
  msgmerge --quiet --update --backup=none --no-wrap --sort-output --add-location=file "$po" "$pot"
fi
