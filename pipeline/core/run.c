/* run: the stages in order over one shoot, in one process. */
#include "stage.h"
#include "log.h"

#include "error.h"

/* Keep the worst outcome: a policy refusal outranks a failed item. */
static int worse(int a, int b)
{
    if (a == IGP_ERR_POLICY || b == IGP_ERR_POLICY)
        return IGP_ERR_POLICY;
    return a ? a : b;
}

int igp_run(const IgpStageSettings *settings, unsigned stages)
{
    IgpShoot *shoot = NULL;
    int ret = igp_shoot_open(settings, &shoot), result = 0;

    if (ret) {
        igp_log_error("%s", igp_error_buffer());
        return ret;
    }
    /* A post with missing media was reported when the shoot was opened. */
    for (int i = 0; i < shoot->manifest->n_posts; i++)
        if (igp_shoot_selects(shoot, &shoot->manifest->posts[i]) &&
            shoot->manifest->posts[i].problem)
            result = IGP_ERR_INVALIDDATA;
    if (stages & IGP_STAGE_INGEST)
        result = worse(result, igp_ingest(shoot));
    if (stages & IGP_STAGE_SCRUB)
        result = worse(result, igp_scrub(shoot));
    if (stages & IGP_STAGE_ENCODE)
        result = worse(result, igp_encode(shoot));
    if (stages & IGP_STAGE_VERIFY) {
        IgpVerifySettings v = {.out_dir = shoot->out_dir, .quiet = settings->quiet};
        result = worse(result, igp_verify(&v));
    }
    if (stages & IGP_STAGE_ENCODE)
        igp_log_note("results in %s/posts (reports in %s/reports)", shoot->out_dir, shoot->out_dir);
    igp_shoot_free(&shoot);
    return result;
}
