/* igprep-plan: the month's work plan (業務計画表) of one or more shoots, and
 * the contract's minimums. */
#include "cli.h"
#include "log.h"
#include "workplan.h"

#include "error.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    static char *month, *format, *to, *runs, *outbox;
    static gboolean quiet;

    igp_i18n_init();
    GOptionEntry entries[] = {
        {"month", 'm', 0, G_OPTION_ARG_STRING, &month, N_("the month to plan (required)"),
         "YYYY-MM"},
        {"format", 'f', 0, G_OPTION_ARG_STRING, &format, N_("pdf (default) or csv"), "FORMAT"},
        {"to", 't', 0, G_OPTION_ARG_FILENAME, &to,
         N_("write here (default: plan-YYYY-MM.pdf; csv: standard output)"), "FILE"},
        {"runs", 0, 0, G_OPTION_ARG_FILENAME, &runs,
         N_("where the shoots' runs are, OUT = DIR/<shoot> (default: out)"), "DIR"},
        {"outbox", 0, 0, G_OPTION_ARG_FILENAME, &outbox,
         N_("the outbox publish writes to: its posts count as published"), "DIR"},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("only errors and warnings"), NULL},
        G_OPTION_ENTRY_NULL};
    GOptionContext *ctx = g_option_context_new(
        N_("SHOOT... - the month's work plan (業務計画表) and the contract's minimums"));
    IgpWorkplanSettings settings = {0};
    int shortfalls = 0, ret;

    if (igp_cli_parse(
            ctx, entries,
            N_("One row per post dated in the month (next-day stories included): date, kind,\n"
               "id, theme, subject, interview or experience, collaborators, and status\n"
               "(planned, made, approved, published). A PDF in Japanese with the bundled\n"
               "fonts, or CSV. The contract's minimums are checked for the month and the\n"
               "months before it: at least one reel, at least one feed post or reel based\n"
               "on an interview or an experience, a next-day story for every post; tie-ups\n"
               "are counted toward 5. Each shortfall is a warning quoting the rule.\n"
               "Exit status: 0 success (warnings included), 1 failure, 2 usage error.\n"),
            "igprep-plan", &argc, &argv))
        return IGP_EXIT_USAGE;
    if (argc < 2 || !month) {
        fprintf(stderr, _("igprep-plan: expected SHOOT... and --month YYYY-MM (try --help)\n"));
        return IGP_EXIT_USAGE;
    }
    if (format && strcmp(format, "pdf") && strcmp(format, "csv")) {
        fprintf(stderr, _("igprep-plan: --format takes pdf or csv, not '%s'\n"), format);
        return IGP_EXIT_USAGE;
    }
    settings.shoots = (const char *const *)argv + 1;
    settings.n_shoots = argc - 1;
    settings.month = month;
    settings.format = format && !strcmp(format, "csv") ? IGP_WORKPLAN_CSV : IGP_WORKPLAN_PDF;
    settings.to = to;
    settings.runs = runs;
    settings.outbox = outbox;
    igp_log_set_quiet(quiet);
    if ((ret = igp_cli_start(argv[0])))
        return ret;
    ret = igp_workplan(&settings, &shortfalls);
    if (ret && *igp_error_buffer())
        igp_log_error("%s", igp_error_buffer());
    return igp_cli_finish(ret);
}
