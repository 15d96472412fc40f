/* igprep-ingest: identify the shoot's sources by content, probe and hash them. */
#include "cli.h"

int main(int argc, char **argv)
{
    return igp_cli_stage_main(argc, argv, "igprep-ingest",
                              "identify the shoot's sources by content, probe and hash them",
                              IGP_STAGE_INGEST);
}
