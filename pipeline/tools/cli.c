#include "cli.h"
#include "log.h"

#include "error.h"
#include "redact.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gmodule.h>
#include <libavutil/log.h>
#include <vips/vips.h>

static char *out_dir, *only_post;
static int quiet;
static int json_progress;
static gboolean show_version;

/* NOT_GIVEN: the option was not on the command line. */
#define NOT_GIVEN G_MININT64

/* The numeric options: parsed, range-checked and documented from one table.
 * @c stages: the stages that read the setting (ingest checks the sources'
 * sizes from their headers, scrub again while decoding; encode writes the
 * posts' JPEGs); a program offers an option only when it runs one of them. */
enum { OPT_JOBS, OPT_QUALITY, OPT_MEGAPIXELS, OPT_FILE_MB, OPT_DURATION, OPT_STREAMS, N_NUMBERS };
enum { SOURCE_CHECKS = IGP_STAGE_INGEST | IGP_STAGE_SCRUB };
static struct {
    const char *name, *arg, *help;
    unsigned stages;
    gint64 min, max, value;
} numbers[N_NUMBERS] = {
    [OPT_JOBS] = {"jobs", "N", N_("worker threads (default: processors, max 8)"), IGP_STAGE_ALL, 1,
                  64, NOT_GIVEN},
    [OPT_QUALITY] = {"quality", "Q", N_("JPEG quality of posts (default: 90)"), IGP_STAGE_ENCODE, 1,
                     100, NOT_GIVEN},
    [OPT_MEGAPIXELS] = {"max-megapixels", "MP", N_("refuse larger photos (default: 210)"),
                        SOURCE_CHECKS, 1, 100000, NOT_GIVEN},
    [OPT_FILE_MB] = {"max-file-mb", "MB", N_("refuse larger source files (default: 4000)"),
                     IGP_STAGE_INGEST, 1, 1000000, NOT_GIVEN},
    [OPT_DURATION] = {"max-duration", "S", N_("refuse longer videos, in seconds (default: 3600)"),
                      SOURCE_CHECKS, 1, 86400, NOT_GIVEN},
    [OPT_STREAMS] = {"max-streams", "N", N_("refuse videos with more streams (default: 32)"),
                     SOURCE_CHECKS, 1, 1000, NOT_GIVEN},
};

/* Check every given number against its range; print the first that is out. */
static int check_numbers(const char *program)
{
    for (int i = 0; i < N_NUMBERS; i++) {
        gint64 v = numbers[i].value;
        if (v != NOT_GIVEN && (v < numbers[i].min || v > numbers[i].max)) {
            fprintf(stderr, _("%s: --%s takes %lld to %lld, not %lld\n"), program, numbers[i].name,
                    (long long)numbers[i].min, (long long)numbers[i].max, (long long)v);
            return IGP_EXIT_USAGE;
        }
    }
    return 0;
}

static void apply_numbers(IgpStageSettings *s)
{
    gint64 *v[N_NUMBERS];
    for (int i = 0; i < N_NUMBERS; i++)
        v[i] = numbers[i].value == NOT_GIVEN ? NULL : &numbers[i].value;
    if (v[OPT_JOBS])
        s->jobs = (int)*v[OPT_JOBS];
    if (v[OPT_QUALITY])
        s->post.quality = (int)*v[OPT_QUALITY];
    if (v[OPT_MEGAPIXELS])
        s->limits.max_pixels = *v[OPT_MEGAPIXELS] * 1000000;
    if (v[OPT_FILE_MB])
        s->max_file_bytes = *v[OPT_FILE_MB] * 1000000;
    if (v[OPT_DURATION])
        s->video_limits.max_duration = (double)*v[OPT_DURATION];
    if (v[OPT_STREAMS])
        s->video_limits.max_streams = (int)*v[OPT_STREAMS];
}

/* The face options (docs/faces.md). Given, they override shoot.json's
 * "thorough", "min_face" and "style" for this run. */
static gboolean thorough, no_thorough;
static gint64 min_face = NOT_GIVEN;
static char *face_model, *face_style;

enum { MIN_FACE_LO = 8, MIN_FACE_HI = 4096 };

static const GOptionEntry detect_entries[] = {
    {"thorough", 0, 0, G_OPTION_ARG_NONE, &thorough,
     N_("a more sensitive face search for the editor (score 0.5, not 0.6; shoot.json "
        "\"thorough\")"),
     NULL},
    {"no-thorough", 0, 0, G_OPTION_ARG_NONE, &no_thorough,
     N_("the normal face search, whatever shoot.json says"), NULL},
    {"min-face", 0, 0, G_OPTION_ARG_INT64, &min_face,
     N_("smallest face looked for, in pixels (default: 24; shoot.json \"min_face\")"), "PX"},
    {"model", 0, 0, G_OPTION_ARG_FILENAME, &face_model,
     N_("BlazeFace ONNX model (default: models/ from scripts/fetch-models.sh; without it, Haar "
        "cascades)"),
     "FILE"},
    G_OPTION_ENTRY_NULL};

static const GOptionEntry style_entries[] = {
    {"style", 0, 0, G_OPTION_ARG_STRING, &face_style,
     N_("blur, mosaic, fill or sticker for every face without its own \"style\" (default: "
        "shoot.json's \"style\", else faces.json's, else blur)"),
     "STYLE"},
    G_OPTION_ENTRY_NULL};

/* Check the face options given and copy them into @p s. */
static int apply_face_options(const char *program, IgpStageSettings *s)
{
    IgpRedactStyle style;

    if (thorough && no_thorough) {
        fprintf(stderr, _("%s: --thorough and --no-thorough contradict each other\n"), program);
        return IGP_EXIT_USAGE;
    }
    if (min_face != NOT_GIVEN && (min_face < MIN_FACE_LO || min_face > MIN_FACE_HI)) {
        fprintf(stderr, _("%s: --min-face takes %d to %d pixels, not %lld\n"), program, MIN_FACE_LO,
                MIN_FACE_HI, (long long)min_face);
        return IGP_EXIT_USAGE;
    }
    if (face_style && igp_redact_style_parse(face_style, &style)) {
        fprintf(stderr, _("%s: --style: %s\n"), program, igp_error_buffer());
        return IGP_EXIT_USAGE;
    }
    if (thorough || no_thorough)
        s->face_thorough = thorough ? 1 : 0;
    if (min_face != NOT_GIVEN)
        s->face_min_size = (int)min_face;
    if (face_model)
        s->face_model = face_model;
    if (face_style)
        s->face_style = face_style;
    return 0;
}

/* Add the face options of the stages a program runs: a program accepts
 * every option of every stage it runs. */
static void add_face_options(GOptionContext *ctx, unsigned stages)
{
    if (stages & IGP_STAGE_DETECT)
        g_option_context_add_main_entries(ctx, detect_entries, IGP_TEXT_DOMAIN);
    /* redact hides photos' faces; encode hides videos' in its render pass. */
    if (stages & (IGP_STAGE_REDACT | IGP_STAGE_ENCODE))
        g_option_context_add_main_entries(ctx, style_entries, IGP_TEXT_DOMAIN);
}

/* What the help says after the options; a program that verifies can refuse a file. */
static const char *stage_description(unsigned stages)
{
    return stages & IGP_STAGE_VERIFY
               ? N_("SHOOT is a shoot folder with a shoot.json; it is only read, never written.\n"
                    "Exit status: 0 success, 1 some source or post failed, 2 usage error,\n"
                    "3 verify refused a file.\n")
               : N_("SHOOT is a shoot folder with a shoot.json; it is only read, never written.\n"
                    "Exit status: 0 success, 1 some source or post failed, 2 usage error.\n");
}

int igp_cli_parse(GOptionContext *ctx, const GOptionEntry *entries, const char *description,
                  const char *program, int *argc, char ***argv)
{
    GError *err = NULL;
    int ok;

    g_option_context_add_main_entries(ctx, entries, IGP_TEXT_DOMAIN);
    g_option_context_set_translation_domain(ctx, IGP_TEXT_DOMAIN);
    g_option_context_set_description(ctx, description);
    ok = g_option_context_parse(ctx, argc, argv, &err);
    g_option_context_free(ctx);
    if (ok)
        return 0;
    fprintf(stderr, _("%s: %s (try --help)\n"), program, err->message);
    g_error_free(err);
    return IGP_EXIT_USAGE;
}

int igp_cli_parse_stage(int *argc, char ***argv, const char *program, const char *summary,
                        unsigned stages, IgpStageSettings *settings)
{
    GOptionEntry entries[N_NUMBERS + 6] = {
        {"out", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir,
         N_("where results go (default: out/<shoot name>)"), "DIR"},
        {"post", 'p', 0, G_OPTION_ARG_STRING, &only_post, N_("make only this post"), "ID"},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("only errors and warnings"), NULL},
        {"json", 0, 0, G_OPTION_ARG_NONE, &json_progress,
         N_("JSON Lines on stdout for scripts: progress, errors, warnings, then the result "
            "(docs/json.md)"),
         NULL},
        {"version", 0, 0, G_OPTION_ARG_NONE, &show_version, N_("print the version"), NULL}};
    char *usage = g_strdup_printf(_("SHOOT - %s"), _(summary));
    GOptionContext *ctx;
    GError *err = NULL;
    int ok, n = 0;

    /* After the common entries, only the settings the program's stages read
     * (the rest of the array stays zero: the table's end). */
    while (entries[n].long_name)
        n++;
    for (int i = 0; i < N_NUMBERS; i++)
        if (numbers[i].stages & stages)
            entries[n++] = (GOptionEntry){
                numbers[i].name, i == OPT_JOBS ? 'j' : 0, 0, G_OPTION_ARG_INT64, &numbers[i].value,
                numbers[i].help, numbers[i].arg};
    g_set_prgname(program);
    ctx = g_option_context_new(usage);
    g_option_context_add_main_entries(ctx, entries, IGP_TEXT_DOMAIN);
    add_face_options(ctx, stages);
    g_option_context_set_translation_domain(ctx, IGP_TEXT_DOMAIN);
    g_option_context_set_description(ctx, stage_description(stages));
    ok = g_option_context_parse(ctx, argc, argv, &err);
    g_option_context_free(ctx);
    g_free(usage);
    if (show_version) {
        printf("%s %s\n", program, IGP_VERSION);
        exit(IGP_EXIT_OK);
    }
    if (!ok) {
        char *why = igp_log_escape(err->message); /* it quotes the argument */
        fprintf(stderr, _("%s: %s (try --help)\n"), program, why);
        g_free(why);
        g_error_free(err);
        return IGP_EXIT_USAGE;
    }
    if (*argc != 2) {
        fprintf(stderr, _("%s: expected one SHOOT folder, got %d arguments (try --help)\n"),
                program, *argc - 1);
        return IGP_EXIT_USAGE;
    }
    if (check_numbers(program) || apply_face_options(program, settings))
        return IGP_EXIT_USAGE;
    settings->shoot_dir = (*argv)[1];
    settings->out_dir = out_dir;
    settings->only_post = only_post;
    settings->quiet = quiet;
    apply_numbers(settings);
    igp_log_set_quiet(quiet);
    igp_log_set_json(json_progress);
    return 0;
}

static void ignore_log(const gchar *domain, GLogLevelFlags level, const gchar *message,
                       gpointer data)
{
    (void)domain, (void)level, (void)message, (void)data;
}

/* libvips loads every module of its module folder when it starts: HEIF, but
 * also ImageMagick, Poppler and OpenSlide, whose loaders igprep blocks as
 * untrusted, and JPEG XL, which igprep does not take. Mapping those and the
 * hundred-odd libraries they pull in costs every igprep process 10-15 ms
 * (bench/README.md, "Starting a process"). So libvips starts from a home
 * without modules, and igprep loads the one it reads photos with.
 *
 * libvips looks for modules in $VIPSHOME/lib; /nonexistent is the home
 * Debian gives accounts that must have none. (libvips' own messages then
 * go untranslated: it has no Japanese, and igprep words what users read.)
 * A user's own VIPSHOME is kept, with every module in it. Returns whether
 * VIPSHOME was set here. */
static int keep_vips_modules_out(void)
{
    if (g_getenv("VIPSHOME"))
        return 0;
    return g_setenv("VIPSHOME", "/nonexistent", TRUE);
}

/* After VIPS_INIT: the HEIF module (HEIC and AVIF photos) from libvips' own
 * module folder, as libvips would have loaded it. A libvips without it
 * reads no HEIF, as before: ingest then names the file it cannot read. */
static void load_vips_modules(void)
{
    char *path = g_strdup_printf("%s/vips-modules-%d.%d/vips-heif.%s", IGP_VIPS_LIBDIR,
                                 vips_version(0), vips_version(1), G_MODULE_SUFFIX);

    /* The module makes itself resident when it registers its loaders. */
    if (g_file_test(path, G_FILE_TEST_EXISTS))
        g_module_open(path, G_MODULE_BIND_LAZY);
    g_free(path);
}

int igp_cli_start(const char *argv0)
{
    int vipshome_set_here = keep_vips_modules_out();

    if (VIPS_INIT(argv0)) {
        fprintf(stderr, _("igprep: cannot start libvips: %s\n"), vips_error_buffer());
        return IGP_EXIT_FAILED;
    }
    if (vipshome_set_here) {
        g_unsetenv("VIPSHOME"); /* not passed on to the programs igprep runs */
        load_vips_modules();
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

int igp_cli_exit_code(int ret)
{
    return ret == 0                ? IGP_EXIT_OK
           : ret == IGP_ERR_POLICY ? IGP_EXIT_POLICY
           : ret == IGP_ERR_USAGE  ? IGP_EXIT_USAGE
                                   : IGP_EXIT_FAILED;
}

int igp_cli_finish_json(const char *program, int ret, json_t *fields)
{
    if (igp_log_json()) {
        int code = igp_cli_exit_code(ret);
        json_t *result =
            json_pack("{s:s, s:b, s:i, s:i, s:i}", "program", program, "ok", code == IGP_EXIT_OK,
                      "exit", code, "errors", igp_log_errors(), "warnings", igp_log_warnings());
        if (json_is_object(fields))
            json_object_update_missing(result, fields);
        igp_log_json_result(result);
    }
    json_decref(fields);
    return igp_cli_finish(ret);
}

int igp_cli_finish(int ret)
{
    int code = igp_cli_exit_code(ret);
    vips_shutdown();
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, _("igprep: cannot write to standard output\n"));
        return IGP_EXIT_FAILED;
    }
    return code;
}

int igp_cli_stage_main(int argc, char **argv, const char *program, const char *summary,
                       unsigned stages)
{
    IgpStageSettings settings;
    json_t *result = NULL;
    int ret;

    igp_stage_default_settings(&settings);
    if ((ret = igp_cli_parse_stage(&argc, &argv, program, summary, stages, &settings)) ||
        (ret = igp_cli_start(argv[0])))
        return ret;
    ret = igp_run_collect(&settings, stages, igp_log_json() ? &result : NULL);
    /* "igprep-scrub" is "scrub" in the result, as "igprep run" is "run". */
    return igp_cli_finish_json(strchr(program, '-') ? strchr(program, '-') + 1 : program, ret,
                               result);
}
