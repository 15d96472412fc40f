/* igprep-inventory: every file a run made or knows about, what it holds of
 * people, and whether it left igprep. */
#include "cli.h"
#include "log.h"
#include "privacy.h"

#include "error.h"

#include <stdio.h>

static char *outbox, *archive;
static gboolean json, quiet;

static const GOptionEntry entries[] = {
    {"outbox", 0, 0, G_OPTION_ARG_FILENAME, &outbox,
     N_("the outbox publish wrote to: which files went out, which posts are published"), "DIR"},
    {"archive", 0, 0, G_OPTION_ARG_FILENAME, &archive,
     N_("the folder holding the bags archive wrote (folders, .zip, .tar)"), "DIR"},
    {"json", 0, 0, G_OPTION_ARG_NONE, &json, N_("one JSON document on stdout"), NULL},
    {"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("only errors and warnings"), NULL},
    G_OPTION_ENTRY_NULL};

static const char *const description =
    N_("Lists every file under each run folder OUT, and the shoot's originals, with\n"
       "its size, SHA-256, what it holds and whether its bytes left igprep:\n"
       "  faces unhidden    originals, masters, review sheets, composed intermediates,\n"
       "                    face records (faces.json, state/detect.json): purge removes\n"
       "                    those under OUT\n"
       "  faces hidden      redacted masters, posts, proofs, redaction records\n"
       "  no personal data  reports, state, approvals, the lock\n"
       "  unknown           files igprep did not make\n"
       "A shoot whose posts are all in the outbox and in a bag is ready for purge.\n"
       "Warns when working copies with unhidden faces are older than the shoot's\n"
       "\"retention_days\" (shoot.json). Nothing is written. See docs/privacy.md.\n"
       "\n"
       "Exit status: 0 listed, 1 some OUT could not be read, 2 usage error.\n");

int main(int argc, char **argv)
{
    GOptionContext *ctx = g_option_context_new(N_("OUT... - where personal data lives"));
    IgpInventorySettings settings = {0};
    int ret;

    igp_i18n_init();
    if (igp_cli_parse(ctx, entries, description, "igprep-inventory", &argc, &argv))
        return IGP_EXIT_USAGE;
    if (argc < 2) {
        fprintf(stderr, _("igprep-inventory: expected one or more OUT folders (try --help)\n"));
        return IGP_EXIT_USAGE;
    }
    settings.out_dirs = argv + 1;
    settings.outbox = outbox;
    settings.archive = archive;
    settings.json = json;
    igp_log_set_quiet(quiet);
    if ((ret = igp_cli_start(argv[0])))
        return ret;
    ret = igp_inventory(&settings);
    if (ret && *igp_error_buffer())
        igp_log_error("%s", igp_error_buffer());
    return igp_cli_finish(ret);
}
