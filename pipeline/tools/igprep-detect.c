/* igprep-detect: propose face boxes, merge them into OUT/faces.json with the
 * editor's marks (SHOOT/faces.json) and draw review sheets in OUT/review. */
#include "cli.h"

int main(int argc, char **argv)
{
    igp_i18n_init();
    /* Its options (--thorough, --min-face, --model) are those of the detect
     * stage, shared with igprep run (cli.c). */
    return igp_cli_stage_main(argc, argv, "igprep-detect",
                              N_("find faces and draw review sheets for the editor (the editor's "
                                 "marks: SHOOT/faces.json; merged: OUT/faces.json, OUT/review/)"),
                              IGP_STAGE_INGEST | IGP_STAGE_SCRUB | IGP_STAGE_DETECT);
}
