/* igprep-detect: propose face boxes, merge them into OUT/faces.json with the
 * editor's marks (SHOOT/faces.json) and draw review sheets in OUT/review. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Take this program's own options out of argv before the shared parser
 * (which knows only the options every stage takes) sees them. */
static int take_face_options(int *argc, char **argv, IgpStageSettings *s)
{
    int kept = 1;
    for (int i = 1; i < *argc; i++) {
        if (!strcmp(argv[i], "--thorough")) {
            s->face_thorough = 1;
        } else if (!strcmp(argv[i], "--min-face") && i + 1 < *argc) {
            s->face_min_size = atoi(argv[++i]);
            if (s->face_min_size < 8 || s->face_min_size > 4096) {
                fprintf(stderr, "igprep-detect: --min-face takes 8 to 4096 pixels\n");
                return IGP_EXIT_USAGE;
            }
        } else if (!strcmp(argv[i], "--model") && i + 1 < *argc) {
            s->face_model = argv[++i];
        } else {
            argv[kept++] = argv[i];
        }
    }
    *argc = kept;
    argv[kept] = NULL;
    return 0;
}

int main(int argc, char **argv)
{
    IgpStageSettings settings;
    int ret;

    igp_stage_default_settings(&settings);
    if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
        printf("Face options (before or after SHOOT):\n"
               "  --thorough      a more sensitive pass for the editor (score 0.5, not 0.6)\n"
               "  --min-face PX   smallest face to look for (default: 24)\n"
               "  --model FILE    BlazeFace ONNX model (default: models/ from\n"
               "                  scripts/fetch-models.sh; without it, Haar cascades)\n"
               "The editor's marks are read from SHOOT/faces.json; the merged marks are\n"
               "written to OUT/faces.json and the review sheets to OUT/review/.\n\n");
    if ((ret = take_face_options(&argc, argv, &settings)) ||
        (ret =
             igp_cli_parse_stage(&argc, &argv, "igprep-detect",
                                 "find faces and draw review sheets for the editor", &settings)) ||
        (ret = igp_cli_start(argv[0])))
        return ret;
    return igp_cli_finish(
        igp_run(&settings, IGP_STAGE_INGEST | IGP_STAGE_SCRUB | IGP_STAGE_DETECT));
}
