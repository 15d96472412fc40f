# The code's shape that issue 16 asks for, checked so it stays: post types
# are known to one table (shoot/posttype.c) and the manifest parser only, and
# the compose and encode stages do not call each other (template drawing is
# templates/draw.c, which both use).
. "$(dirname "$0")/lib.sh"

cd "$IGP_SRC"
sources=$(git ls-files 'pipeline/*.c' 'pipeline/*.h' 'filters/*.c' 'filters/*.cpp' 'filters/*.h' 2>/dev/null ||
  find pipeline filters -name '*.[ch]' -o -name '*.cpp')
outside_table() { grep -v -e '^pipeline/core/shoot/posttype\.[ch]:' -e '^pipeline/core/shoot/manifest\.c:'; }

type_tests=$(grep -nE 'IGP_POST_(FEED|CAROUSEL|REEL|STORY|HIGHLIGHT)\b|(strcmp|g_strcmp0|g_str_equal)\([^;]*"(feed|carousel|reel|story|highlight)"' $sources | outside_table || true)
check "no test of a post type name outside the table and the manifest parser${type_tests:+: $type_tests}" test -z "$type_tests"
suffix_tests=$(grep -nE '"-story"|g_str_has_suffix\([^;]*story' $sources | outside_table || true)
check "no \"-story\" suffix parsed outside the table and the manifest parser${suffix_tests:+: $suffix_tests}" test -z "$suffix_tests"

compose_to_encode=$(grep -nE '#include "(reel_post|encode)\.h"|igp_(reel_post|encode)_' pipeline/core/templates/compose.c || true)
check "compose includes and calls nothing of encode${compose_to_encode:+: $compose_to_encode}" test -z "$compose_to_encode"
encode_to_compose=$(grep -nE 'igp_compose|compose\.h' pipeline/core/stages/encode.c pipeline/core/stages/reel_post.c || true)
check "encode includes and calls nothing of compose${encode_to_compose:+: $encode_to_compose}" test -z "$encode_to_compose"
done_testing
