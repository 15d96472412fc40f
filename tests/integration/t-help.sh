# --help on every program and subcommand exits 0; every option a help lists
# is accepted by that program, and an option of another stage is refused
# (exit 2, naming it): each program offers only what its stages read. Under
# LANG=ja_JP.UTF-8 every option's description is in Japanese.
. "$(dirname "$0")/lib.sh"

# The commands (a program, or the driver and a subcommand) and, for each,
# options of other stages or programs that it must refuse.
commands=(
  "igprep run|--outbox"
  "igprep-ingest|--quality --style"
  "igprep-scrub|--quality --max-file-mb"
  "igprep-detect|--quality --style"
  "igprep-redact|--quality"
  "igprep-compose|--style --max-megapixels"
  "igprep-encode|--thorough --max-megapixels"
  "igprep-verify|--out"
  "igprep-proof|--quality"
  "igprep-approve|--outbox"
  "igprep-publish|--by"
  "igprep-archive|--outbox"
  "igprep-inventory|--by"
  "igprep-purge|--by"
  "igprep-plan|--by"
  "igprep-review|--thorough"
  "igprep-init|--out"
)

# run_cmd COMMAND ARGS...: "igprep run" is the driver with a subcommand.
run_cmd() {
  local cmd=$1
  shift
  case $cmd in
    "igprep "*) "$IGPREP" "${cmd#igprep }" "$@" ;;
    *) "$IGP_BIN/$cmd" "$@" ;;
  esac
}

for entry in "${commands[@]}"; do
  cmd=${entry%%|*}
  refused=${entry#*|}
  status=0
  run_cmd "$cmd" --help >"$TEST_TMP/help" 2>"$TEST_TMP/err" || status=$?
  check "$cmd --help exits 0 (got $status)" test "$status" -eq 0
  check "$cmd --help prints its usage" grep -q "^Usage:" "$TEST_TMP/help"
  # Each option listed ("  -o, --out=DIR   ..."), with a value when it takes one.
  options=$(sed -nE 's/^  +(-[a-zA-Z], )?(--[a-z0-9-]+)(=[^ ]+)?( .*)?$/\2\3/p' "$TEST_TMP/help" |
    grep -v '^--help' || true)
  check "$cmd --help lists options" test -n "$options"
  # All of them on one command line before --help (which then prints the
  # help and exits 0): an option the program does not take is refused
  # first, by name.
  args=()
  for option in $options; do
    name=${option%%=*}
    args+=("$name")
    [ "$option" = "$name" ] || args+=(1) # a value every option's parser takes
  done
  status=0
  run_cmd "$cmd" "${args[@]}" --help >/dev/null 2>"$TEST_TMP/err" || status=$?
  check "$cmd accepts every option its help lists (exit $status: $(head -c 200 "$TEST_TMP/err"))" \
    test "$status" -eq 0
  for name in $refused; do
    status=0
    run_cmd "$cmd" "$name" 1 --help >/dev/null 2>"$TEST_TMP/err" || status=$?
    check "$cmd refuses $name, another program's option (exit $status)" test "$status" -eq 2
    check "$cmd names $name when refusing it" grep -qF -- "$name" "$TEST_TMP/err"
    check "$cmd's help does not list $name" bash -c '! grep -qE -- "^  +(-[a-zA-Z], )?$1[ =]" "$2"' \
      _ "$name" "$TEST_TMP/help"
  done
  # Japanese: every option described in Japanese (a line of the help's
  # option list with no character outside ASCII is an untranslated one).
  LANG=ja_JP.UTF-8 run_cmd "$cmd" --help >"$TEST_TMP/help-ja" 2>/dev/null || true
  untranslated=$(grep -E '^  +(-[a-zA-Z], )?--[a-z]' "$TEST_TMP/help-ja" | grep -v -- '--help ' |
    LC_ALL=C grep -v -P '[\x80-\xff]' || true)
  check "$cmd --help in Japanese describes every option in Japanese: $untranslated" \
    test -z "$untranslated"
done

# The driver: its own usage, and `igprep help STAGE` is the stage's --help.
check "igprep --help exits 0" bash -c '"$1" --help >/dev/null' _ "$IGPREP"
check "igprep help exits 0" bash -c '"$1" help >/dev/null' _ "$IGPREP"
for stage in ingest init; do
  check "igprep help $stage is igprep-$stage --help" \
    test "$("$IGPREP" help "$stage")" = "$("$IGP_BIN/igprep-$stage" --help)"
  check "igprep $stage --help is igprep-$stage --help" \
    test "$("$IGPREP" "$stage" --help)" = "$("$IGP_BIN/igprep-$stage" --help)"
done
check "igprep help run is igprep run --help" \
  test "$("$IGPREP" help run)" = "$("$IGPREP" run --help)"
status=0; "$IGPREP" help frobnicate 2>/dev/null || status=$?
check "igprep help of no stage exits 2 (got $status)" test "$status" -eq 2
check "igprep-template --help exits 0" bash -c '"$1" --help >/dev/null' _ "$IGP_BIN/igprep-template"
done_testing
