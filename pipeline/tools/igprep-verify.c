/* igprep-verify: check outputs against Instagram's limits and the privacy rules. */
#include "cli.h"
#include "auditlog.h"
#include "log.h"

#include "error.h"

#include <stdio.h>
#include <sys/stat.h>

/* The result's fields (docs/json.md): the report's counts and files, and
 * for OUT the audit log's chain. Takes both. */
static json_t *verify_result(json_t *report, json_t *chain)
{
    json_t *fields = json_pack("{s:i, s:i, s:o, s:o}", "checked", 0, "failed", 0, "files",
                               json_array(), "audit_log", chain ? chain : json_null());

    if (report) {
        json_object_set(fields, "checked", json_object_get(report, "checked"));
        json_object_set(fields, "failed", json_object_get(report, "failed"));
        json_object_set(fields, "files", json_object_get(report, "files"));
    }
    json_decref(report);
    return fields;
}

int main(int argc, char **argv)
{
    const char *const *kinds = igp_output_kind_post_names();
    static gboolean json, quiet;
    static char *as_kind;

    igp_i18n_init();
    GOptionEntry entries[] = {
        {"json", 0, 0, G_OPTION_ARG_NONE, &json,
         N_("JSON Lines on stdout: each failed check, then the report as the result "
            "(docs/json.md)"),
         NULL},
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
    json_t *report = NULL, *chain_result = NULL;
    struct stat st;
    int ret;

    if (igp_cli_parse(
            ctx, entries,
            N_("OUT is a run's folder: its posts and masters are checked and the report is\n"
               "written to OUT/reports/verify.json, and the chain of OUT/audit.log is checked\n"
               "(the first line that breaks it is named). FILEs are checked by what they are (see "
               "--as).\n"
               "Exit status: 0 all pass, 1 a file cannot be read, 2 usage error,\n"
               "3 a file fails a check.\n"),
            "igprep-verify", &argc, &argv))
        return IGP_EXIT_USAGE;
    if (argc < 2) {
        fprintf(stderr, _("igprep-verify: expected OUT or FILE... (try --help)\n"));
        return IGP_EXIT_USAGE;
    }
    if (argc == 2 && stat(argv[1], &st) == 0 && S_ISDIR(st.st_mode))
        settings.out_dir = argv[1];
    else
        settings.files = argv + 1;
    settings.report = json ? &report : NULL;
    settings.quiet = quiet;
    igp_log_set_json(json);
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
        size_t lines = 0;
        int chain = igp_audit_verify(settings.out_dir, &lines);
        chain_result = json_pack("{s:b, s:I}", "intact", chain == 0, "lines", (json_int_t)lines);
        if (chain) {
            igp_log_error_kind("audit-chain", NULL, "%s", igp_error_buffer());
            igp_error_clear();
            ret = ret ? ret : chain;
        } else if (lines && !quiet && !json) {
            igp_log_note(ngettext("verify: %s/%s: %zu line, chain intact",
                                  "verify: %s/%s: %zu lines, chain intact", lines),
                         settings.out_dir, IGP_AUDIT_LOG_NAME, lines);
        }
    }
    return igp_cli_finish_json("verify", ret, verify_result(report, chain_result));
}
