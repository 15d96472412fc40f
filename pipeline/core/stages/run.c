/* run: the stages in order over one shoot, in one process. */
#include "stage.h"
#include "log.h"

#include "error.h"
#include "i18n.h"
#include "fsutil.h"

#include <fcntl.h>
#include <malloc.h>
#include <stdlib.h>
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

/* @p path made absolute and free of symlinks, though it may not exist yet:
 * its deepest existing folder resolved, the rest appended, "." and ".."
 * applied as mkdir -p would. Caller g_free()s. */
static char *resolve_path(const char *path)
{
    char *cwd = g_get_current_dir(), *tail = g_strdup(""), *real, *out;
    /* Absolute, but with its ".." kept: only realpath() knows where they lead. */
    char *cur = g_path_is_absolute(path) ? g_strdup(path) : g_build_filename(cwd, path, NULL);

    while (!(real = realpath(cur, NULL))) {
        char *base = g_path_get_basename(cur), *dir = g_path_get_dirname(cur);
        char *longer = *tail ? g_build_filename(base, tail, NULL) : g_strdup(base);
        g_free(tail);
        g_free(base);
        g_free(cur);
        tail = longer;
        cur = dir;
    }
    out = g_canonicalize_filename(tail, real);
    free(real);
    g_free(tail);
    g_free(cur);
    g_free(cwd);
    return out;
}

/* Is @p inner the folder @p outer or inside it? By whole components: /a/bc
 * is not inside /a/b. Both absolute and resolved. */
static int path_within(const char *inner, const char *outer)
{
    size_t n = strlen(outer);

    if (!strcmp(outer, "/"))
        return 1;
    return !strncmp(inner, outer, n) && (inner[n] == '\0' || inner[n] == '/');
}

/* OUT and the shoot folder must be apart: igprep only reads the shoot
 * folder (its faces.json would be overwritten by OUT's), and a shoot
 * inside OUT would be among the files a run manages. */
static int check_out_dir(const IgpShoot *shoot)
{
    const char *shoot_dir = shoot->settings->shoot_dir;
    char *in = resolve_path(shoot_dir), *out = resolve_path(shoot->out_dir);
    int ret = 0;

    if (!strcmp(in, out))
        ret = igp_error(IGP_ERR_USAGE, shoot->out_dir,
                        _("the output folder is the shoot folder itself, which igprep only reads; "
                          "choose another with --out DIR"));
    else if (path_within(out, in))
        ret = igp_error(IGP_ERR_USAGE, shoot->out_dir,
                        _("the output folder is inside the shoot folder %s, which igprep only "
                          "reads; choose one outside it with --out DIR"),
                        shoot_dir);
    else if (path_within(in, out))
        ret = igp_error(IGP_ERR_USAGE, shoot->out_dir,
                        _("the output folder holds the shoot folder %s; choose one outside it "
                          "with --out DIR"),
                        shoot_dir);
    g_free(in);
    g_free(out);
    return ret;
}

/* Hand the memory a stage freed back to the system before the next one.
 * glibc keeps freed blocks in per-thread arenas (libvips' and detection's
 * workers each have one) and raises its mmap threshold after large frees,
 * so without this each stage's peak would stack on the last one's leftovers
 * and one process running every stage would peak well above any stage
 * (docs/faces.md, "Measured"). */
static void after_stage(void)
{
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}

/* Keep the worst outcome: a policy refusal outranks a failed item. */
static int worse(int a, int b)
{
    if (a == IGP_ERR_POLICY || b == IGP_ERR_POLICY)
        return IGP_ERR_POLICY;
    return a ? a : b;
}

/* The posts of OUT/state/encode.json as the result lists them (docs/json.md):
 * {"id", "status": "made"|"failed", "files": [paths] | "error": why}. */
static json_t *posts_result(const char *out_dir, int *made, int *failed)
{
    json_t *state = igp_state_load(out_dir, "encode"), *list = json_array(), *entry;
    const char *id;

    json_object_foreach(json_object_get(state, "posts"), id, entry)
    {
        json_t *error = json_object_get(entry, "error"), *files = json_array(), *f;
        size_t i;

        if (error) {
            json_array_append_new(
                list, json_pack("{s:s, s:s, s:O}", "id", id, "status", "failed", "error", error));
            json_decref(files);
            (*failed)++;
            continue;
        }
        json_array_foreach(json_object_get(entry, "files"), i, f)
            json_array_append(files, json_object_get(f, "path"));
        json_array_append_new(
            list, json_pack("{s:s, s:s, s:o}", "id", id, "status", "made", "files", files));
        (*made)++;
    }
    json_decref(state);
    return list;
}

/* The sources a stage could not use, each once, with the first stage that
 * failed it: {"source", "stage", "error"}. */
static json_t *failed_sources(const char *out_dir)
{
    static const char *const stages[] = {"ingest", "scrub", "redact"};
    json_t *list = json_array(), *seen = json_object(), *entry;
    const char *name;

    for (size_t s = 0; s < G_N_ELEMENTS(stages); s++) {
        json_t *state = igp_state_load(out_dir, stages[s]);
        json_object_foreach(json_object_get(state, "media"), name, entry)
        {
            json_t *error = json_object_get(entry, "error");
            if (!error || json_object_get(seen, name))
                continue;
            json_object_set_new(seen, name, json_true());
            json_array_append_new(list, json_pack("{s:s, s:s, s:O}", "source", name, "stage",
                                                  stages[s], "error", error));
        }
        json_decref(state);
    }
    json_decref(seen);
    return list;
}

json_t *igp_run_result(const char *out_dir)
{
    int made = 0, failed = 0;
    json_t *posts = out_dir ? posts_result(out_dir, &made, &failed) : json_array();

    json_t *verify = NULL;

    if (out_dir) { /* verify's summary, when this run verified */
        char *path = g_build_filename(out_dir, "reports", "verify.json", NULL);
        json_t *report = json_load_file(path, 0, NULL);
        if (json_is_object(report))
            verify = json_pack("{s:O, s:O, s:O}", "ok", json_object_get(report, "ok"), "checked",
                               json_object_get(report, "checked"), "failed",
                               json_object_get(report, "failed"));
        json_decref(report);
        g_free(path);
    }
    return json_pack("{s:s?, s:i, s:i, s:o, s:o, s:o*}", "out", out_dir, "made", made, "failed",
                     failed, "posts", posts, "failed_sources",
                     out_dir ? failed_sources(out_dir) : json_array(), "verify",
                     verify ? verify : json_null());
}

int igp_run(const IgpStageSettings *settings, unsigned stages)
{
    return igp_run_collect(settings, stages, NULL);
}

int igp_run_collect(const IgpStageSettings *settings, unsigned stages, json_t **result)
{
    IgpShoot *shoot = NULL;
    int ret = igp_shoot_open(settings, &shoot), result_code = 0, lock;

    if (result)
        *result = NULL;
    if (ret == 0 && (ret = check_out_dir(shoot)))
        igp_shoot_free(&shoot);
    if (ret) {
        igp_log_error("%s", igp_error_buffer());
        if (result)
            *result = igp_run_result(NULL);
        return ret;
    }
    /* Each --jobs worker drives libvips, which starts a thread per processor
     * of its own: share the processors out instead of oversubscribing. */
    if (settings->jobs > 1)
        vips_concurrency_set(MAX(1, (int)g_get_num_processors() / settings->jobs));
    lock = prepare_out(shoot->out_dir);
    if (lock < 0) {
        igp_log_error("%s", igp_error_buffer());
        if (result)
            *result = igp_run_result(NULL);
        igp_shoot_free(&shoot);
        return lock;
    }
    /* A post with missing media was reported when the shoot was opened. */
    for (int i = 0; i < shoot->manifest->n_posts; i++)
        if (igp_shoot_selects(shoot, &shoot->manifest->posts[i]) &&
            shoot->manifest->posts[i].problem)
            result_code = IGP_ERR_INVALIDDATA;
    if (stages & IGP_STAGE_INGEST) {
        result_code = worse(result_code, igp_ingest(shoot));
        after_stage();
    }
    if (stages & IGP_STAGE_SCRUB) {
        result_code = worse(result_code, igp_scrub(shoot));
        after_stage();
    }
    /* Faces (docs/faces.md): detect proposes, redact hides every face not
     * cleared on the masters; encode only reads redacted masters. */
    if (stages & IGP_STAGE_DETECT) {
        result_code = worse(result_code, igp_detect(shoot));
        after_stage();
    }
    if (stages & IGP_STAGE_REDACT) {
        result_code = worse(result_code, igp_redact(shoot));
        after_stage();
    }
    /* Templates draw on the redacted masters (compose.c). */
    if (stages & IGP_STAGE_COMPOSE) {
        result_code = worse(result_code, igp_compose(shoot));
        after_stage();
    }
    if (stages & IGP_STAGE_ENCODE) {
        result_code = worse(result_code, igp_encode(shoot));
        after_stage();
    }
    if (stages & IGP_STAGE_VERIFY) {
        IgpVerifySettings v = {.out_dir = shoot->out_dir, .quiet = settings->quiet};
        result_code = worse(result_code, igp_verify(&v));
    }
    if (stages & IGP_STAGE_ENCODE)
        igp_log_note(_("results in %s/posts (reports in %s/reports)"), shoot->out_dir,
                     shoot->out_dir);
    if (result) /* before the lock goes: no other run changes OUT meanwhile */
        *result = igp_run_result(shoot->out_dir);
    igp_shoot_free(&shoot);
    close(lock); /* releases the flock */
    return result_code;
}
