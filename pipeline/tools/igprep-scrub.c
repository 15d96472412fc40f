/* igprep-scrub: re-encode each photo and video into a master with no metadata. */
#include "cli.h"

int main(int argc, char **argv)
{
    igp_i18n_init();
    return igp_cli_stage_main(argc, argv, "igprep-scrub",
                              N_("re-encode each photo and video into a master with no metadata"),
                              IGP_STAGE_SCRUB);
}
