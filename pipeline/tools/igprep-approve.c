/* igprep-approve: record that someone approved a post, as its files are now. */
#include "cli.h"
#include "log.h"
#include "publish.h"

#include "error.h"

#include <locale.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    static char *by, *note;
    static gboolean quiet;
    GOptionEntry entries[] = {
        /* Taken as raw bytes (checked as UTF-8 later), so that a name in
         * Japanese works whatever the locale. */
        {"by", 'b', 0, G_OPTION_ARG_FILENAME, &by, "who approves (required)", "NAME"},
        {"note", 'n', 0, G_OPTION_ARG_FILENAME, &note, "a remark kept with the approval", "TEXT"},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "only errors", NULL},
        G_OPTION_ENTRY_NULL};
    GOptionContext *ctx = g_option_context_new("OUT POST-ID - approve a post for publishing");
    IgpApproveSettings settings = {0};
    GError *err = NULL;
    int ret;

    setlocale(LC_ALL, "");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(
        ctx, "Appends to OUT/approvals.json who approved the post, when (UTC, or $IGP_NOW),\n"
             "and the SHA-256 of each of its files. Any later change to a file voids the\n"
             "approval. Refuses unknown posts, posts that were not made, and posts whose\n"
             "files fail OUT/reports/verify.json.\n"
             "Exit status: 0 approved, 1 refused, 2 usage error.\n");
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        fprintf(stderr, "igprep-approve: %s (try --help)\n", err->message);
        return IGP_EXIT_USAGE;
    }
    g_option_context_free(ctx);
    if (argc != 3 || !by || !*by) {
        fprintf(stderr, "igprep-approve: expected OUT POST-ID --by NAME (try --help)\n");
        return IGP_EXIT_USAGE;
    }
    settings.out_dir = argv[1];
    settings.post_id = argv[2];
    settings.by = by;
    settings.note = note;
    igp_log_set_quiet(quiet);
    if ((ret = igp_cli_start(argv[0])))
        return ret;
    ret = igp_approve(&settings);
    if (ret)
        igp_log_error("%s", igp_error_buffer());
    return igp_cli_finish(ret);
}
