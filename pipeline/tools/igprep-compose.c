/* igprep-compose: draw each templated post's slides and next-day story. */
#include "cli.h"

int main(int argc, char **argv)
{
    igp_i18n_init();
    return igp_cli_stage_main(argc, argv, "igprep-compose",
                              N_("draw templated posts and their next-day stories (OUT/composed)"),
                              IGP_STAGE_COMPOSE);
}
