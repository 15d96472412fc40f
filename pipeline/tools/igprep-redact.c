/* igprep-redact: hide every face not marked cleared on the masters. */
#include "cli.h"

#include "error.h"
#include "redact.h"

#include <stdio.h>
#include <string.h>

/* Take --style out of argv before the shared parser sees it. */
static int take_style(int *argc, char **argv, IgpStageSettings *s)
{
    int kept = 1;
    for (int i = 1; i < *argc; i++) {
        if (!strcmp(argv[i], "--style") && i + 1 < *argc) {
            IgpRedactStyle style;
            s->face_style = argv[++i];
            if (igp_redact_style_parse(s->face_style, &style)) {
                fprintf(stderr, "igprep-redact: %s\n", igp_error_buffer());
                return IGP_EXIT_USAGE;
            }
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
        printf("Redaction options (before or after SHOOT):\n"
               "  --style STYLE   blur, mosaic, fill or sticker for every face without its own\n"
               "                  \"style\" (default: faces.json's \"style\", else blur)\n\n");
    if ((ret = take_style(&argc, argv, &settings)) ||
        (ret = igp_cli_parse_stage(&argc, &argv, "igprep-redact",
                                   "hide every face not marked cleared, on the masters",
                                   &settings)) ||
        (ret = igp_cli_start(argv[0])))
        return ret;
    return igp_cli_finish(igp_run(&settings, IGP_STAGE_INGEST | IGP_STAGE_SCRUB | IGP_STAGE_DETECT |
                                                 IGP_STAGE_REDACT));
}
