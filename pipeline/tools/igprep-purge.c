/* igprep-purge: erase a run's working copies with unhidden faces, and write
 * the deletion report. */
#include "cli.h"
#include "log.h"
#include "privacy.h"

#include "error.h"

#include <cairo.h>
#include <stdio.h>

static char *outbox, *archive, *report_to;
static gboolean keep_delivered, dry_run, force, quiet;

static const GOptionEntry entries[] = {
    {"outbox", 0, 0, G_OPTION_ARG_FILENAME, &outbox,
     N_("the outbox publish wrote to, to check that approved posts went out"), "DIR"},
    {"archive", 0, 0, G_OPTION_ARG_FILENAME, &archive,
     N_("the folder of bags: the shoot's RESTRICTED originals bags there are erased too"), "DIR"},
    {"keep-delivered", 0, 0, G_OPTION_ARG_NONE, &keep_delivered,
     N_("leave every bag and outbox folder as it is"), NULL},
    {"dry-run", 'n', 0, G_OPTION_ARG_NONE, &dry_run, N_("list what would go; change nothing"),
     NULL},
    {"force", 0, 0, G_OPTION_ARG_NONE, &force,
     N_("purge even while an approved post is not published"), NULL},
    {"report-to", 0, 0, G_OPTION_ARG_FILENAME, &report_to,
     N_("where the deletion report goes (default: the folder that holds OUT)"), "DIR"},
    {"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("only errors and warnings"), NULL},
    G_OPTION_ENTRY_NULL};

static const char *const description =
    N_("Erases the working copies under OUT that carry unhidden faces: masters (not\n"
       "masters/redacted), review sheets, composed intermediates, faces.json and\n"
       "state/detect.json. Each file is overwritten once with zeros through the file\n"
       "system, fsynced and unlinked, and its folder fsynced (NIST SP 800-88 'Clear'\n"
       "for files). With --archive, the shoot's RESTRICTED originals bags go too,\n"
       "unless --keep-delivered. Posts, redacted masters, reports and the shoot\n"
       "folder's originals are never touched. A killed purge, run again, finishes.\n"
       "\n"
       "Then writes DIR/deletion-report-YYYYMMDD.pdf and .json (データ消去報告書).\n"
       "On SSDs and copy-on-write file systems an overwrite may not reach the old\n"
       "blocks: device-level or cryptographic erasure remains the operator's job.\n"
       "See docs/privacy.md.\n"
       "\n"
       "Refuses while a post is approved but not in the outbox, unless --force.\n"
       "Exit status: 0 purged (or listed), 1 failure, 2 usage error, 3 refused.\n");

int main(int argc, char **argv)
{
    GOptionContext *ctx =
        g_option_context_new(N_("OUT - erase working copies with unhidden faces"));
    IgpPurgeSettings settings = {0};
    int ret;

    igp_i18n_init();
    if (igp_cli_parse(ctx, entries, description, "igprep-purge", &argc, &argv))
        return IGP_EXIT_USAGE;
    if (argc != 2) {
        fprintf(stderr, _("igprep-purge: expected one OUT folder (try --help)\n"));
        return IGP_EXIT_USAGE;
    }
    settings.out_dir = argv[1];
    settings.outbox = outbox;
    settings.archive = archive;
    settings.report_to = report_to;
    settings.keep_delivered = keep_delivered;
    settings.dry_run = dry_run;
    settings.force = force;
    igp_log_set_quiet(quiet);
    if ((ret = igp_cli_start(argv[0])))
        return ret;
    ret = igp_purge(&settings);
    if (ret && *igp_error_buffer())
        igp_log_error("%s", igp_error_buffer());
    /* Release the fonts cairo cached for the report (see igprep-archive.c). */
    cairo_debug_reset_static_data();
    return igp_cli_finish(ret);
}
