/* igprep-verify: check outputs against Instagram's limits and the privacy rules. */
#include "cli.h"
#include "auditlog.h"
#include "log.h"

#include "error.h"

#include <stdio.h>
#include <sys/stat.h>

int main(int argc, char **argv)
{
    const char *const *kinds = igp_output_kind_post_names();
    static gboolean json, quiet;
    static char *as_kind;

    igp_i18n_init();
    GOptionEntry entries[] = {
        {"json", 0, 0, G_OPTION_ARG_NONE, &json, N_("print the report as JSON on stdout"), NULL},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("only the failures"), NULL},
        {"as", 0, 0, G_OPTION_ARG_STRING, &as_kind,
         N_("judge FILEs as feed-image, carousel-image, story-image, reel-cover, reel or "
            "story-video (default: by content: a JPEG as a feed image, 9:16 as a story; a video as "
            "a reel)"),
         "KIND"},
        G_OPTION_ENTRY_NULL};
    GOptionContext *ctx =
        g_option_context_new(N_("OUT | FILE... - verify a run's outputs or files"));
    IgpVerifySettings settings = {0};
    GError *err = NULL;
    struct stat st;
    int ret;

    g_option_context_add_main_entries(ctx, entries, IGP_TEXT_DOMAIN);
    g_option_context_set_translation_domain(ctx, IGP_TEXT_DOMAIN);
    g_option_context_set_description(
        ctx, N_("OUT is a run's folder: its posts and masters are checked and the report is\n"
                "written to OUT/reports/verify.json, and the chain of OUT/audit.log is checked\n"
                "(the first line that breaks it is named). FILEs are checked by what they are (see "
                "--as).\n"
                "Exit status: 0 all pass, 1 a file cannot be read, 2 usage error,\n"
                "3 a file fails a check.\n"));
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        fprintf(stderr, _("%s: %s (try --help)\n"), "igprep-verify", err->message);
        g_error_free(err);
        g_option_context_free(ctx);
        return IGP_EXIT_USAGE;
    }
    g_option_context_free(ctx);
    if (argc < 2) {
        fprintf(stderr, _("igprep-verify: expected OUT or FILE... (try --help)\n"));
        return IGP_EXIT_USAGE;
    }
    if (argc == 2 && stat(argv[1], &st) == 0 && S_ISDIR(st.st_mode))
        settings.out_dir = argv[1];
    else
        settings.files = argv + 1;
    settings.json = json;
    settings.quiet = quiet;
    if (as_kind && !g_strv_contains(kinds, as_kind)) {
        fprintf(stderr, _("igprep-verify: --as takes one of: feed-image, carousel-image, "
                          "story-image, reel-cover, reel, story-video\n"));
        return IGP_EXIT_USAGE;
    }
    settings.as_kind = as_kind;
    if ((ret = igp_cli_start(argv[0])))
        return ret;
    ret = igp_verify(&settings);
    if (settings.out_dir) {
        /* The approvals' audit trail: a broken chain is a failed check. */
        size_t lines;
        int chain = igp_audit_verify(settings.out_dir, &lines);
        if (chain) {
            igp_log_error("%s", igp_error_buffer());
            igp_error_clear();
            ret = ret ? ret : chain;
        } else if (lines && !quiet && !json) {
            igp_log_note(ngettext("verify: %s/%s: %zu line, chain intact",
                                  "verify: %s/%s: %zu lines, chain intact", lines),
                         settings.out_dir, IGP_AUDIT_LOG_NAME, lines);
        }
    }
    return igp_cli_finish(ret);
}
