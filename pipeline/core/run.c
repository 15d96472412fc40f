/* run: the stages in order over one shoot, in one process. */
#include "stage.h"
#include "log.h"

#include "error.h"
#include "fsutil.h"

#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <glib.h>

/* Create OUT, take its lock (one run at a time), clean up after killed runs.
 * Returns the lock's file descriptor, or a negative IGP_ERR. */
static int prepare_out(const char *out_dir)
{
    static const char *const subdirs[] = {"",        "posts",  "masters",          "state",
                                          "reports", "review", "masters/redacted", "composed"};
    int fd = igp_mkdir_p(out_dir);

    if (fd == 0)
        fd = igp_lock_folder(out_dir);
    if (fd < 0)
        return fd;
    for (size_t i = 0; i < G_N_ELEMENTS(subdirs); i++) {
        char *sub = g_build_filename(out_dir, subdirs[i], NULL);
        igp_sweep_temporaries(sub);
        g_free(sub);
    }
    return fd;
}

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
    int ret = igp_shoot_open(settings, &shoot), result = 0, lock;

    if (ret) {
        igp_log_error("%s", igp_error_buffer());
        return ret;
    }
    /* Each --jobs worker drives libvips, which starts a thread per processor
     * of its own: share the processors out instead of oversubscribing. */
    if (settings->jobs > 1)
        vips_concurrency_set(MAX(1, (int)g_get_num_processors() / settings->jobs));
    lock = prepare_out(shoot->out_dir);
    if (lock < 0) {
        igp_log_error("%s", igp_error_buffer());
        igp_shoot_free(&shoot);
        return lock;
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
    /* Faces (docs/faces.md): detect proposes, redact hides every face not
     * cleared on the masters; encode only reads redacted masters. */
    if (stages & IGP_STAGE_DETECT)
        result = worse(result, igp_detect(shoot));
    if (stages & IGP_STAGE_REDACT)
        result = worse(result, igp_redact(shoot));
    /* Templates draw on the redacted masters (compose.c). */
    if (stages & IGP_STAGE_COMPOSE)
        result = worse(result, igp_compose(shoot));
    if (stages & IGP_STAGE_ENCODE)
        result = worse(result, igp_encode(shoot));
    if (stages & IGP_STAGE_VERIFY) {
        IgpVerifySettings v = {.out_dir = shoot->out_dir, .quiet = settings->quiet};
        result = worse(result, igp_verify(&v));
    }
    if (stages & IGP_STAGE_ENCODE)
        igp_log_note("results in %s/posts (reports in %s/reports)", shoot->out_dir, shoot->out_dir);
    igp_shoot_free(&shoot);
    close(lock); /* releases the flock */
    return result;
}
