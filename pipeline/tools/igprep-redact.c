/* igprep-redact: hide every face not marked cleared on the masters. */
#include "cli.h"

int main(int argc, char **argv)
{
    igp_i18n_init();
    /* --style, and detect's options (it runs detect first), from cli.c. */
    return igp_cli_stage_main(
        argc, argv, "igprep-redact", N_("hide every face not marked cleared, on the masters"),
        IGP_STAGE_INGEST | IGP_STAGE_SCRUB | IGP_STAGE_DETECT | IGP_STAGE_REDACT);
}
