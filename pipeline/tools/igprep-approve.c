/* igprep-approve: record that the city approved posts, as they are now. */
#include "cli.h"
#include "log.h"
#include "publish.h"

#include "error.h"

#include <stdio.h>

int main(int argc, char **argv)
{
    static char *by, *note, *proof, *at;
    static gboolean quiet, all, json;

    igp_i18n_init();
    GOptionEntry entries[] = {
        /* Taken as raw bytes (checked as UTF-8 later), so that a name in
         * Japanese works whatever the locale. */
        {"by", 'b', 0, G_OPTION_ARG_FILENAME, &by,
         N_("who approves: an approver named in igprep.json (required)"), "NAME"},
        {"proof", 'p', 0, G_OPTION_ARG_STRING, &proof,
         N_("approve exactly the posts of the proof with this digest"), "DIGEST"},
        {"all", 'a', 0, G_OPTION_ARG_NONE, &all, N_("approve every post"), NULL},
        {"at", 0, 0, G_OPTION_ARG_STRING, &at,
         N_("the time the approver gave it, kept beside the clock's (ISO 8601; without an offset, "
            "the account's zone)"),
         "TIME"},
        {"note", 'n', 0, G_OPTION_ARG_FILENAME, &note, N_("a remark kept with the approval"),
         "TEXT"},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("only errors"), NULL},
        {"json", 0, 0, G_OPTION_ARG_NONE, &json,
         N_("JSON Lines on stdout: each refusal, then the result: each post approved or refused "
            "(docs/json.md)"),
         NULL},
        G_OPTION_ENTRY_NULL};
    GOptionContext *ctx = g_option_context_new(
        N_("OUT [POST-ID...] [--proof DIGEST | --all] - approve posts for publishing"));
    IgpApproveSettings settings = {0};
    json_t *result = NULL;
    const char **ids;
    int ret;

    if (igp_cli_parse(
            ctx, entries,
            N_("Approves the posts a proof showed (--proof, the digest printed on every page),\n"
               "every post (--all), or the posts named; a next-day story goes with its post\n"
               "unless it is named on its own. Appends to OUT/approvals.json who approved (an\n"
               "approver of igprep.json), when (the clock, in the account's zone), and the\n"
               "post's content and digest: files, caption, alt texts, schedule, collaborators,\n"
               "cover, template text, next-day story. Any later change voids the approval.\n"
               "Each approval and refusal is appended to OUT/audit.log.\n"
               "Exit status: 0 approved, 1 some post refused, 2 usage error.\n"),
            "igprep-approve", &argc, &argv))
        return IGP_EXIT_USAGE;
    if (argc < 2 || !by || !*by || (argc == 2 && !proof && !all) || (proof && (all || argc > 2))) {
        fprintf(stderr,
                _("igprep-approve: expected OUT POST-ID... | OUT --proof DIGEST | OUT --all, "
                  "with --by NAME (try --help)\n"));
        return IGP_EXIT_USAGE;
    }
    settings.out_dir = argv[1];
    ids = g_new0(const char *, argc - 1); /* NULL-terminated */
    for (int i = 2; i < argc; i++)
        ids[i - 2] = argv[i];
    settings.post_ids = ids;
    settings.all = all;
    settings.proof = proof;
    settings.by = by;
    settings.at = at;
    settings.note = note;
    settings.result = &result;
    igp_log_set_quiet(quiet);
    igp_log_set_json(json);
    if ((ret = igp_cli_start(argv[0]))) {
        g_free(ids);
        return ret;
    }
    ret = igp_approve(&settings);
    if (ret && *igp_error_buffer())
        igp_log_error("%s", igp_error_buffer());
    g_free(ids);
    if (!result) /* the same fields, empty, when nothing could be approved */
        result = json_pack("{s:s, s:n, s:i, s:i, s:[]}", "by", by, "proof", "approved", 0,
                           "refused", 0, "posts");
    return igp_cli_finish_json("approve", ret, result);
}
