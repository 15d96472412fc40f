/* igprep-review: the face review page, served on 127.0.0.1 (docs/review.md). */
#include "cli.h"
#include "log.h"
#include "review.h"

#include "error.h"

#include <stdio.h>

int main(int argc, char **argv)
{
    static char *out;
    static gint port;
    GOptionEntry entries[] = {{"out", 'o', 0, G_OPTION_ARG_FILENAME, &out,
                               N_("the run's results (default out/<shoot>, as igprep run)"), "DIR"},
                              {"port", 'p', 0, G_OPTION_ARG_INT, &port,
                               N_("port on 127.0.0.1 (default: any free port)"), "N"},
                              G_OPTION_ENTRY_NULL};
    GOptionContext *ctx =
        g_option_context_new(N_("SHOOT - review the faces of a shoot in a browser"));
    IgpReview *review = NULL;
    int ret;

    igp_i18n_init();
    if (igp_cli_parse(
            ctx, entries,
            N_("Serves a page on http://127.0.0.1:PORT/ (printed; nothing is opened) that shows\n"
               "every photo and video track of the last 'igprep run' with its faces. Clicks and\n"
               "keys decide each face (hidden, cleared with a consent reference, not a face),\n"
               "a drag adds a manual box, and every decision is saved at once to "
               "SHOOT/faces.json,\n"
               "the only file in the shoot folder igprep writes. Run 'igprep run' again to apply\n"
               "them. Only this machine can reach the page. Ctrl-C stops. See docs/review.md.\n"
               "Exit status: 0 stopped, 1 cannot start, 2 usage error.\n"),
            "igprep-review", &argc, &argv))
        return IGP_EXIT_USAGE;
    if (argc != 2 || port < 0 || port > 65535) {
        fprintf(stderr, argc != 2 ? _("igprep-review: expected SHOOT (try --help)\n")
                                  : _("igprep-review: --port must be 0 to 65535\n"));
        return IGP_EXIT_USAGE;
    }
    if ((ret = igp_cli_start(argv[0])))
        return ret;
    ret = igp_review_open(argv[1], out, &review);
    if (ret == 0)
        ret = igp_review_serve(review, (unsigned)port);
    if (ret)
        igp_log_error("%s", igp_error_buffer());
    igp_review_close(&review);
    return igp_cli_finish(ret);
}
