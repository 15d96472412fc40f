/* igprep-publish: hand approved, unchanged, verified posts to the outbox. */
#include "cli.h"
#include "log.h"
#include "publish.h"

#include "error.h"

#include <stdio.h>

int main(int argc, char **argv)
{
    static char *outbox;
    static gboolean quiet, json;
    GOptionEntry entries[] = {
        {"outbox", 0, 0, G_OPTION_ARG_FILENAME, &outbox, N_("where post folders go (required)"),
         "DIR"},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("only errors and warnings"), NULL},
        {"json", 0, 0, G_OPTION_ARG_NONE, &json,
         N_("JSON Lines on stdout: errors and warnings, then the result: what became of each "
            "post (docs/json.md)"),
         NULL},
        G_OPTION_ENTRY_NULL};
    GOptionContext *ctx = g_option_context_new(N_("OUT - publish approved posts to an outbox"));
    IgpPublishSettings settings = {0};
    json_t *result = NULL;
    int ret;

    igp_i18n_init();
    if (igp_cli_parse(
            ctx, entries,
            N_("Runs verify on OUT, then writes DIR/<shoot>-<post>/ (media and post.json, see\n"
               "docs/post-json.md) for each post whose latest approval is its content now (the\n"
               "digest of its files and words) and whose files pass verify. A post folder\n"
               "appears complete or not at all; an identical one is left untouched. Posts not\n"
               "approved are named on one line; an approved post refused is named with what\n"
               "changed, and its folder moved to DIR/.withdrawn/ with a note. Each publish,\n"
               "refusal and withdrawal is appended to OUT/audit.log.\n"
               "Exit status: 0 every approved post published, 1 an approved post refused or a\n"
               "failure, 2 usage error.\n"),
            "igprep-publish", &argc, &argv))
        return IGP_EXIT_USAGE;
    if (argc != 2 || !outbox || !*outbox) {
        fprintf(stderr, _("igprep-publish: expected OUT --outbox DIR (try --help)\n"));
        return IGP_EXIT_USAGE;
    }
    settings.out_dir = argv[1];
    settings.outbox = outbox;
    settings.quiet = quiet;
    settings.result = &result;
    igp_log_set_quiet(quiet);
    igp_log_set_json(json);
    if ((ret = igp_cli_start(argv[0])))
        return ret;
    ret = igp_publish_outbox(&settings);
    if (ret && *igp_error_buffer())
        igp_log_error("%s", igp_error_buffer());
    if (!result) /* the same fields, empty, when publish could not start */
        result =
            json_pack("{s:s, s:i, s:i, s:i, s:i, s:i, s:[]}", "outbox", outbox, "published", 0,
                      "unchanged", 0, "refused", 0, "not_approved", 0, "withdrawn", 0, "posts");
    return igp_cli_finish_json("publish", ret, result);
}
