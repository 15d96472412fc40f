/**
 * @file
 * What every igprep program shares: option parsing (GOption, so --help is
 * generated from the same table), library start-up, and exit codes.
 *
 * Exit codes:
 *   0  everything succeeded
 *   1  some source, post or file failed (each reported on one line)
 *   2  usage error
 *   3  verify refused a file (privacy or Instagram limits)
 */
#ifndef IGP_CLI_H
#define IGP_CLI_H

#include "i18n.h"
#include "stage.h"

#include <glib.h>

/** The gettext domain igp_i18n_init() binds: GOption translates the help's
 *  entries, summary and description through it (N_() in the tables). */
#define IGP_TEXT_DOMAIN "igprep"

enum { IGP_EXIT_OK = 0, IGP_EXIT_FAILED = 1, IGP_EXIT_USAGE = 2, IGP_EXIT_POLICY = 3 };

/**
 * Parse the options every shoot stage takes (SHOOT, --out, --post, --jobs,
 * --quiet, --json, --version), and only those of the @p stages the program
 * runs (IGP_STAGE_* bits): ingest's and scrub's source limits
 * (--max-megapixels, --max-duration, --max-streams; ingest's --max-file-mb),
 * detect's --thorough, --no-thorough, --min-face, --model, redact's and
 * encode's --style, encode's --quality; into @p settings. An option of
 * another stage is refused as unknown. @p summary is marked N_() by the caller.
 * @return 0, or IGP_EXIT_USAGE after printing what is wrong
 */
int igp_cli_parse_stage(int *argc, char ***argv, const char *program, const char *summary,
                        unsigned stages, IgpStageSettings *settings);

/**
 * Parse the command line of a program with options of its own (not a
 * stage's): @p entries, and @p description under --help (N_() by the
 * caller; GOption's own words in the user's language too). @p ctx is freed.
 * @return 0, or IGP_EXIT_USAGE after printing what is wrong as
 * "PROGRAM: why (try --help)"
 */
int igp_cli_parse(GOptionContext *ctx, const GOptionEntry *entries, const char *description,
                  const char *program, int *argc, char ***argv);

/** Start libvips (and friends); returns 0 or IGP_EXIT_FAILED after printing why. */
int igp_cli_start(const char *argv0);

/** Shut libraries down, check that stdout was written, map @p ret to an exit code. */
int igp_cli_finish(int ret);

/** The exit code of a library return value (0 or a negative IGP_ERR). */
int igp_cli_exit_code(int ret);

/**
 * igp_cli_finish(), and with --json first the result line (docs/json.md):
 * {"event": "result", "program": @p program, "ok", "exit", "errors",
 * "warnings", ...@p fields (taken; may be NULL)}.
 */
int igp_cli_finish_json(const char *program, int ret, json_t *fields);

/** Run one stage (IGP_STAGE_* bits) from a stage program's main. */
int igp_cli_stage_main(int argc, char **argv, const char *program, const char *summary,
                       unsigned stages);

#endif
