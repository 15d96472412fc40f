/* igprep-proof: draw the proof of a run (PDF and PNG pages) for approval. */
#include "cli.h"
#include "log.h"
#include "publish.h"

#include "error.h"

#include <stdio.h>

int main(int argc, char **argv)
{
    static char *pdf_path;
    static gboolean quiet, json;

    igp_i18n_init();
    GOptionEntry entries[] = {
        {"out", 'o', 0, G_OPTION_ARG_FILENAME, &pdf_path,
         N_("write the PDF here (default: OUT/reports/proof.pdf); PNG pages go beside it"), "FILE"},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("only errors and warnings"), NULL},
        {"json", 0, 0, G_OPTION_ARG_NONE, &json,
         N_("JSON Lines on stdout: errors, then the result: the proof's digest, files and pages "
            "(docs/json.md)"),
         NULL},
        G_OPTION_ENTRY_NULL};
    GOptionContext *ctx = g_option_context_new(N_("OUT - draw the proof of a run's posts"));
    IgpProofSettings settings = {0};
    json_t *result = NULL;
    int ret;

    if (igp_cli_parse(
            ctx, entries,
            N_("One page per post: the post on a phone, the feed and profile-grid crops or the\n"
               "story safe zone, caption with counts, alt text, schedule, collaborators, the\n"
               "next-day story, faces hidden and cleared, and the verify result per file.\n"
               "Writes OUT/reports/proof.pdf and OUT/reports/proof-NN.png (one per page).\n"
               "Exit status: 0 success, 1 failure, 2 usage error.\n"),
            "igprep-proof", &argc, &argv))
        return IGP_EXIT_USAGE;
    if (argc != 2) {
        fprintf(stderr, _("igprep-proof: expected one OUT folder (try --help)\n"));
        return IGP_EXIT_USAGE;
    }
    settings.out_dir = argv[1];
    settings.pdf_path = pdf_path;
    settings.quiet = quiet;
    settings.result = &result;
    igp_log_set_quiet(quiet);
    igp_log_set_json(json);
    if ((ret = igp_cli_start(argv[0])))
        return ret;
    ret = igp_proof(&settings);
    if (ret && *igp_error_buffer())
        igp_log_error("%s", igp_error_buffer());
    if (!result) /* the same fields, empty, when no proof was made */
        result = json_pack("{s:n, s:n, s:i, s:[]}", "digest", "pdf", "pages", 0, "posts");
    return igp_cli_finish_json("proof", ret, result);
}
