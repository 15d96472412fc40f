/* igprep-encode: cut each post's images at Instagram's sizes from the masters. */
#include "cli.h"

int main(int argc, char **argv)
{
    igp_i18n_init();
    return igp_cli_stage_main(argc, argv, "igprep-encode",
                              N_("cut each post's images at Instagram's sizes from the masters"),
                              IGP_STAGE_ENCODE);
}
