#!/usr/bin/env bash
# Every user-facing string is translated: xgettext over the sources, merged
# with po/ja.po, must leave 0 untranslated and 0 fuzzy messages (msgfmt
# --statistics), and the formats must agree (msgfmt --check). And messages
# are not written past gettext: a literal given straight to igp_error(),
# igp_log_error/warning/note() or fprintf(stderr) is reported.
. "$(dirname "$0")/lib.sh"

cd "$IGP_SRC"
pot=$TEST_TMP/igprep.pot
merged=$TEST_TMP/ja.po
cp po/ja.po "$merged"
check "xgettext extracts the strings" bash scripts/update-po.sh "$pot" /dev/null
check "msgmerge merges po/ja.po" msgmerge --quiet --no-wrap --sort-output --add-location=file -o "$merged" po/ja.po "$pot"
stats=$(msgfmt --check --statistics -o /dev/null "$merged" 2>&1) || stats="msgfmt failed: $stats"
echo "# $stats"
check "msgfmt --check accepts the merged catalogue" bash -c '! grep -q "failed\|error" <<<"$1"' _ "$stats"
check "no untranslated message" bash -c '! grep -q untranslated <<<"$1"' _ "$stats"
check "no fuzzy message" bash -c '! grep -q fuzzy <<<"$1"' _ "$stats"
untranslated=$(msgattrib --untranslated --no-obsolete "$merged" | grep -c '^msgid ' || true)
[ "$untranslated" -le 1 ] || msgattrib --untranslated --no-obsolete --no-wrap "$merged" | grep '^msgid' | head -20 | sed 's/^/#   /'

# Literal messages that bypass gettext, in the programs' sources.
bypass=$(git ls-files 'filters/*.c' 'filters/*.cpp' 'pipeline/*.c' | xargs perl -0ne '
    while (/(?:igp_error\s*\([^,;]+,\s*"[^"]*",|igp_log_(?:error|warning|note)\s*\(|fprintf\s*\(\s*stderr\s*,)\s*"[^"]*[A-Za-z]{3}/g) {
        my $line = 1 + (substr($_, 0, pos($_)) =~ tr/\n//);
        print "$ARGV:$line\n";
    }')
[ -z "$bypass" ] || echo "$bypass" | head -30 | sed 's/^/#   untranslated literal: /'
check "every message literal goes through _()" test -z "$bypass"
done_testing
