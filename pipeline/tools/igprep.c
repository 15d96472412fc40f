/* igprep: the driver. `igprep run SHOOT` runs every stage in one process;
 * `igprep STAGE ...` runs the program igprep-STAGE, as git runs git-foo. */
#include "cli.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *const usage =
    N_("usage: igprep run SHOOT [--out DIR] [--jobs N] [--post ID] [--quiet] [--json]\n"
       "                  [--min-face PX] [--thorough] [--style STYLE] ... ('igprep run --help')\n"
       "       igprep init SHOOT\n"
       "       igprep STAGE [ARGS...]\n"
       "       igprep STAGE --help | igprep help STAGE\n"
       "       igprep --help | --version\n"
       "\n"
       "Prepares a shoot folder's photos and videos for the city's Instagram account:\n"
       "strips every trace of place, person, device and time, hides every face not\n"
       "cleared, and makes each post's images, reels and story videos at Instagram's\n"
       "specs, verified. --json: progress as JSON lines on stdout.\n"
       "\n"
       "  init     write a starting SHOOT/shoot.json from the folder's photos and videos:\n"
       "           a post per photo, a reel per video, the times left to fill in\n"
       "  run      all stages below, in order, on SHOOT (results in OUT, default out/<shoot>)\n"
       "\n"
       "Stages (each also a program igprep-STAGE; 'igprep STAGE --help' for its options):\n"
       "  ingest   identify the sources by content, probe and hash them\n"
       "  scrub    re-encode each photo and video into a master with no metadata (OUT/masters)\n"
       "  detect   find faces (videos: face tracks), merge with SHOOT/faces.json into\n"
       "           OUT/faces.json, draw OUT/review\n"
       "  redact   hide every face not marked cleared, on the masters (OUT/masters/redacted)\n"
       "  encode   cut each post's images at Instagram's sizes; render reels and story videos\n"
       "           in one pass each, faces hidden on every frame (OUT/posts/<id>; docs/video.md)\n"
       "  verify   check outputs against Instagram's limits and the privacy rules\n"
       "\n"
       "Templates (docs/templates.md):\n"
       "  compose  draw templated posts and their next-day stories (OUT/composed; part of run)\n"
       "  template list | check [NAME...] | preview NAME [--shoot SHOOT --post ID] [--guides]\n"
       "           | new NAME --from TEMPLATE | export --to DIR [--format dir|zip]\n"
       "\n"
       "After the run:\n"
       "  proof    draw every post as it will appear, with its words and checks (PDF and PNGs)\n"
       "  approve  record who approved posts (a proof's, or named) and what: files and words\n"
       "  publish  hand approved, unchanged, verified posts to an outbox folder (post.json)\n"
       "  archive  export delivered posts and masters as a BagIt bag; --check BAG validates one\n"
       "  plan     SHOOT... --month YYYY-MM: the month's work plan (業務計画表, PDF or CSV)\n"
       "           and the contract's minimums\n"
       "\n"
       "Personal data (docs/privacy.md):\n"
       "  inventory  list every file of runs, what it holds of people, and whether it left\n"
       "             igprep [--outbox DIR] [--archive DIR] [--json]\n"
       "  purge      erase a run's working copies with unhidden faces and write the deletion\n"
       "             report (データ消去報告書) [--keep-delivered] [--dry-run] [--force]\n"
       "\n"
       "Faces:\n"
       "  review   a page on 127.0.0.1 to clear, hide and add faces by clicking; saves\n"
       "           SHOOT/faces.json (docs/review.md)\n"
       "\n"
       "Exit status: 0 success, 1 some source or post failed, 2 usage error,\n"
       "3 verify refused a file.\n");

static const char *const run_summary = N_("run every stage on a shoot folder");

/* igprep-STAGE next to this program first (a build tree), then on PATH. */
static int run_stage_program(const char *stage, int argc, char **argv)
{
    char self[4096], *program = g_strdup_printf("igprep-%s", stage);
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

    (void)argc;
    argv[0] = program;
    if (n > 0) {
        self[n] = '\0';
        char *dir = g_path_get_dirname(self);
        char *sibling = g_build_filename(dir, program, NULL);
        if (access(sibling, X_OK) == 0)
            execv(sibling, argv);
        g_free(sibling);
        g_free(dir);
    }
    execvp(program, argv);
    if (errno == ENOENT) {
        char *name = igp_log_escape(stage);
        fprintf(stderr, _("igprep: '%s' is not an igprep stage (try igprep --help)\n"), name);
        g_free(name);
    } else
        fprintf(stderr, _("igprep: cannot run %s: %s\n"), program, strerror(errno));
    g_free(program);
    return IGP_EXIT_USAGE;
}

/* `igprep help STAGE`: the stage's own --help (`igprep help run` too). */
static int help_on(const char *stage)
{
    char *args[] = {(char *)"run", (char *)"--help", NULL};
    IgpStageSettings settings;
    int argc = 2;
    char **argv = args;

    if (strcmp(stage, "run") != 0) {
        char *forward[] = {(char *)stage, (char *)"--help", NULL};
        return run_stage_program(stage, 2, forward);
    }
    igp_stage_default_settings(&settings);
    return igp_cli_parse_stage(&argc, &argv, "igprep run", run_summary, IGP_STAGE_ALL, &settings);
}

int main(int argc, char **argv)
{
    IgpStageSettings settings;
    int ret;

    igp_i18n_init();
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "help")) {
        if (argc == 3 && !strcmp(argv[1], "help"))
            return help_on(argv[2]);
        fputs(_(usage), argc < 2 ? stderr : stdout);
        return argc < 2 ? IGP_EXIT_USAGE : IGP_EXIT_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("igprep %s\n", IGP_VERSION);
        return IGP_EXIT_OK;
    }
    if (strcmp(argv[1], "run") != 0)
        return run_stage_program(argv[1], argc - 1, argv + 1);

    argc--, argv++;
    igp_stage_default_settings(&settings);
    if ((ret = igp_cli_parse_stage(&argc, &argv, "igprep run", run_summary, IGP_STAGE_ALL,
                                   &settings)) ||
        (ret = igp_cli_start(argv[0])))
        return ret;
    return igp_cli_finish(igp_run(&settings, IGP_STAGE_ALL));
}
