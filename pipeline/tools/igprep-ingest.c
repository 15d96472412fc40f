/* igprep-ingest: identify the shoot's sources by content, probe and hash them. */
#include "cli.h"

int main(int argc, char **argv)
{
    igp_i18n_init();
    return igp_cli_stage_main(argc, argv, "igprep-ingest",
                              N_("identify the shoot's sources by content, probe and hash them"),
                              IGP_STAGE_INGEST);
}
