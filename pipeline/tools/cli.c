#include "cli.h"
#include "log.h"

#include "error.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/log.h>
#include <vips/vips.h>

enum { MAX_MEGAPIXELS = 100000 };

static char *out_dir, *only_post;
/* NOT_GIVEN: the option was not on the command line. */
#define NOT_GIVEN G_MININT
static int jobs = NOT_GIVEN, quality = NOT_GIVEN, quiet;
static gint64 max_megapixels = NOT_GIVEN;
static gboolean show_version;

int igp_cli_parse_stage(int *argc, char ***argv, const char *program, const char *summary,
                        IgpStageSettings *settings)
{
    GOptionEntry entries[] = {
        {"out", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir,
         "where results go (default: out/<shoot name>)", "DIR"},
        {"post", 'p', 0, G_OPTION_ARG_STRING, &only_post, "make only this post", "ID"},
        {"jobs", 'j', 0, G_OPTION_ARG_INT, &jobs, "worker threads (default: processors, max 8)",
         "N"},
        {"quality", 0, 0, G_OPTION_ARG_INT, &quality, "JPEG quality of posts (default: 90)", "Q"},
        {"max-megapixels", 0, 0, G_OPTION_ARG_INT64, &max_megapixels,
         "refuse sources larger than this (default: 210)", "MP"},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "only errors and warnings", NULL},
        {"version", 0, 0, G_OPTION_ARG_NONE, &show_version, "print the version", NULL},
        {NULL}};
    char *usage = g_strdup_printf("SHOOT - %s", summary);
    GOptionContext *ctx;
    GError *err = NULL;
    int ok;

    setlocale(LC_ALL, "");
    g_set_prgname(program);
    ctx = g_option_context_new(usage);
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(
        ctx, "SHOOT is a shoot folder with a shoot.json; it is only read, never written.\n"
             "Exit status: 0 success, 1 some source or post failed, 2 usage error,\n"
             "3 verify refused a file.\n");
    ok = g_option_context_parse(ctx, argc, argv, &err);
    g_option_context_free(ctx);
    g_free(usage);
    if (show_version) {
        printf("%s %s\n", program, IGP_VERSION);
        exit(IGP_EXIT_OK);
    }
    if (!ok) {
        fprintf(stderr, "%s: %s (try --help)\n", program, err->message);
        g_error_free(err);
        return IGP_EXIT_USAGE;
    }
    if (*argc != 2) {
        fprintf(stderr, "%s: expected one SHOOT folder, got %d arguments (try --help)\n", program,
                *argc - 1);
        return IGP_EXIT_USAGE;
    }
    if ((jobs != NOT_GIVEN && jobs < 1) ||
        (quality != NOT_GIVEN && (quality < 1 || quality > 100)) ||
        (max_megapixels != NOT_GIVEN && (max_megapixels < 1 || max_megapixels > MAX_MEGAPIXELS))) {
        fprintf(stderr,
                "%s: --jobs takes 1 or more, --quality 1 to 100, --max-megapixels 1 to %d\n",
                program, MAX_MEGAPIXELS);
        return IGP_EXIT_USAGE;
    }
    settings->shoot_dir = (*argv)[1];
    settings->out_dir = out_dir;
    settings->only_post = only_post;
    settings->quiet = quiet;
    if (jobs > 0)
        settings->jobs = jobs;
    if (quality > 0)
        settings->post.quality = quality;
    if (max_megapixels > 0)
        settings->limits.max_pixels = max_megapixels * 1000000;
    igp_log_set_quiet(quiet);
    return 0;
}

static void ignore_log(const gchar *domain, GLogLevelFlags level, const gchar *message,
                       gpointer data)
{
    (void)domain, (void)level, (void)message, (void)data;
}

int igp_cli_start(const char *argv0)
{
    if (VIPS_INIT(argv0)) {
        fprintf(stderr, "igprep: cannot start libvips: %s\n", vips_error_buffer());
        return IGP_EXIT_FAILED;
    }
    /* Keep libvips' warnings (e.g. about damaged sources) out of the user's
     * way: every failure that matters is reported by igprep itself. */
    g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING, ignore_log, NULL);
    vips_cache_set_max(0);
    /* Sources are untrusted: only libvips' own hardened loaders, never
     * ImageMagick, Poppler or OpenSlide through libvips' fallbacks. */
    vips_block_untrusted_set(TRUE);
    /* FFmpeg's own logging would add lines of its own; igprep reports every
     * failure itself, naming the file. */
    av_log_set_level(AV_LOG_QUIET);
    return 0;
}

int igp_cli_finish(int ret)
{
    int code = ret == 0 ? IGP_EXIT_OK : ret == IGP_ERR_POLICY ? IGP_EXIT_POLICY : IGP_EXIT_FAILED;
    vips_shutdown();
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "igprep: cannot write to standard output\n");
        return IGP_EXIT_FAILED;
    }
    return code;
}

int igp_cli_stage_main(int argc, char **argv, const char *program, const char *summary,
                       unsigned stages)
{
    IgpStageSettings settings;
    int ret;

    igp_stage_default_settings(&settings);
    if ((ret = igp_cli_parse_stage(&argc, &argv, program, summary, &settings)) ||
        (ret = igp_cli_start(argv[0])))
        return ret;
    return igp_cli_finish(igp_run(&settings, stages));
}
