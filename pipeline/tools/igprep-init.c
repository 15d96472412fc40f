/* igprep-init: a starting shoot.json from a shoot folder's photos and videos. */
#include "cli.h"
#include "log.h"
#include "scaffold.h"

#include "error.h"

#include <stdio.h>

int main(int argc, char **argv)
{
    static gboolean quiet;
    GOptionEntry entries[] = {
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("only errors and warnings"), NULL},
        G_OPTION_ENTRY_NULL};
    GOptionContext *ctx =
        g_option_context_new(N_("SHOOT - write a starting shoot.json from the folder's media"));
    IgpScaffold scaffold;
    int ret;

    igp_i18n_init();
    if (igp_cli_parse(
            ctx, entries,
            N_("Writes SHOOT/shoot.json with a post for each photo and video of the folder,\n"
               "in name order (recognised by their content, as the run does): a feed post\n"
               "per photo, a reel per video. Each post's \"schedule\" is left empty: a run\n"
               "names every post still waiting for its time and makes the others. Keys\n"
               "beginning with \"_\" are comments. The file is checked with igprep's own\n"
               "reader before it appears; an existing shoot.json is never replaced.\n"
               "Exit status: 0 written, 1 not written (shoot.json exists, no media, or a\n"
               "failure), 2 usage error.\n"),
            "igprep-init", &argc, &argv))
        return IGP_EXIT_USAGE;
    if (argc != 2) {
        fprintf(stderr, _("%s: expected one SHOOT folder, got %d arguments (try --help)\n"),
                "igprep-init", argc - 1);
        return IGP_EXIT_USAGE;
    }
    igp_log_set_quiet(quiet);
    if ((ret = igp_cli_start(argv[0])))
        return ret;
    ret = igp_scaffold_write(argv[1], &scaffold);
    for (guint i = 0; scaffold.left_out && i < scaffold.left_out->len; i++)
        igp_log_warning("%s", (const char *)g_ptr_array_index(scaffold.left_out, i));
    if (ret)
        igp_log_error("%s", igp_error_buffer());
    else
        igp_log_note(_("%s written (feed posts: %d, reels: %d); fill in each \"schedule\", "
                       "then: igprep run %s"),
                     scaffold.path, scaffold.feed_posts, scaffold.reels, argv[1]);
    igp_scaffold_clear(&scaffold);
    return igp_cli_finish(ret);
}
