/* scrub: re-encode each photo's pixels into a master with no metadata at all. */
#include "stage.h"
#include "log.h"

#include "audit.h"

#include "error.h"
#include "i18n.h"
#include "fsutil.h"
#include "video.h"

#include <string.h>

#include <glib.h>
#include <libavcodec/avcodec.h>

typedef struct ScrubJob {
    IgpShoot *shoot;
    json_t *ingest;     ///< state/ingest.json "media"
    json_t *previous;   ///< last run's state/scrub.json "media"
    char *image_recipe; ///< what a photo master depends on besides its source
    char *video_recipe; ///< what a video master depends on besides its source
    IgpProgress *progress;
    json_t **entries; ///< per media: the new state entry
    json_t **audits;  ///< per media: what was found and removed
} ScrubJob;

static const char *chroma_recipe(int subsample)
{
    if (subsample == IGP_SUBSAMPLE_LIKE_SOURCE)
        return "chroma as a JPEG source's, else 4:4:4";
    return subsample ? "4:2:0" : "4:4:4";
}

/* The master's name: the source's whole name plus the master's extension,
 * so that IMG_1.JPG and IMG_1.HEIC never collide. */
static char *master_relpath(const char *name, int video)
{
    return g_strdup_printf("masters/%s.%s", name, video ? "mp4" : "jpg");
}

/* Is last run's master for this source still valid? */
static int master_is_current(const ScrubJob *job, const char *name, const char *source_sha,
                             const char *recipe)
{
    json_t *prev = json_object_get(job->previous, name);
    const char *prev_sha = json_string_value(json_object_get(prev, "source_sha256"));
    const char *prev_recipe = json_string_value(json_object_get(prev, "recipe"));
    const char *master_sha = json_string_value(json_object_get(prev, "master_sha256"));
    const char *master = json_string_value(json_object_get(prev, "master"));
    char *path;
    IgpDigest digest;
    int current;

    if (!prev_sha || !master_sha || !prev_recipe || !master || strcmp(prev_sha, source_sha) ||
        strcmp(prev_recipe, recipe))
        return 0;
    path = g_build_filename(job->shoot->out_dir, master, NULL);
    current = igp_hash_file(path, &digest) == 0 && !strcmp(digest.hex, master_sha);
    igp_error_clear();
    g_free(path);
    return current;
}

static json_t *make_image_master(const ScrubJob *job, const char *source, const char *master)
{
    int width = 0, height = 0;

    if (igp_image_save_display_jpeg(source, &job->shoot->settings->limits, master,
                                    &job->shoot->settings->master, &width, &height))
        return NULL;
    return json_pack("{s:s, s:i, s:i}", "kind", "image", "width", width, "height", height);
}

static json_t *make_video_master(const ScrubJob *job, const char *source, const char *master)
{
    IgpVideoInfo info;

    if (igp_video_scrub(source, master, &job->shoot->settings->video_limits, &info) != 0)
        return NULL;
    return json_pack("{s:s, s:i, s:i, s:f, s:i, s:i, s:b, s:i}", "kind", "video", "width",
                     info.width, "height", info.height, "duration", info.duration, "rotation",
                     info.rotation, "bit_depth", info.bit_depth, "audio", info.has_audio,
                     "dropped_streams", info.dropped_streams);
}

/* Decode and re-encode one source into its master; NULL on error (in the buffer). */
static json_t *make_master(ScrubJob *job, const char *name, int video, const char *source_sha,
                           const char *recipe)
{
    const IgpShoot *shoot = job->shoot;
    char *source = g_build_filename(shoot->manifest->dir, name, NULL);
    char *rel = master_relpath(name, video);
    char *master = g_build_filename(shoot->out_dir, rel, NULL);
    char *dir = g_path_get_dirname(master);
    IgpDigest digest;
    json_t *entry = NULL;

    if (igp_mkdir_p(dir) == 0)
        entry =
            video ? make_video_master(job, source, master) : make_image_master(job, source, master);
    if (entry && igp_hash_file(master, &digest) != 0)
        g_clear_pointer(&entry, json_decref);
    if (entry)
        json_object_update_new(entry, json_pack("{s:s, s:s, s:s, s:s}", "source_sha256", source_sha,
                                                "recipe", recipe, "master", rel, "master_sha256",
                                                digest.hex));
    g_free(source);
    g_free(rel);
    g_free(master);
    g_free(dir);
    return entry;
}

static void scrub_one(int index, void *data)
{
    ScrubJob *job = data;
    const char *name = g_ptr_array_index(job->shoot->media, index);
    json_t *src = json_object_get(job->ingest, name);
    const char *sha = json_string_value(json_object_get(src, "sha256"));
    const char *kind = json_string_value(json_object_get(src, "kind"));
    const char *format = json_string_value(json_object_get(src, "format"));
    int video = kind && !strcmp(kind, "video");
    const char *recipe = video ? job->video_recipe : job->image_recipe;
    char *path = g_build_filename(job->shoot->manifest->dir, name, NULL);

    igp_error_clear();
    if (!sha || !kind || !format) {
        /* ingest already said what is wrong with this file */
        job->entries[index] = json_pack("{s:s}", "error", "failed in ingest");
    } else if (master_is_current(job, name, sha, recipe)) {
        job->entries[index] = json_deep_copy(json_object_get(job->previous, name));
    } else {
        job->entries[index] = make_master(job, name, video, sha, recipe);
        if (!job->entries[index]) {
            igp_log_error_kind("source-failed",
                               json_pack("{s:s, s:s}", "source", name, "stage", "scrub"), "%s",
                               igp_error_buffer());
            job->entries[index] = json_pack("{s:s}", "error", igp_error_buffer());
        }
    }
    if (sha && kind && format) {
        json_t *audit = igp_audit_source(path, kind, format);
        json_object_update_new(audit, json_pack("{s:s, s:b}", "source_sha256", sha, "removed",
                                                !json_object_get(job->entries[index], "error")));
        job->audits[index] = audit;
    }
    igp_progress_step(job->progress);
    g_free(path);
}

int igp_scrub(IgpShoot *shoot)
{
    const IgpStageSettings *s = shoot->settings;
    int n = (int)shoot->media->len;
    json_t *ingest = igp_state_load(shoot->out_dir, "ingest");
    json_t *previous = igp_state_load(shoot->out_dir, "scrub");
    ScrubJob job = {.shoot = shoot,
                    .ingest = json_object_get(ingest, "media"),
                    .previous = json_object_get(previous, "media")};
    json_t *state = json_pack("{s:i, s:o}", "version", 1, "media", json_object());
    json_t *audit = json_pack("{s:i, s:o}", "version", 1, "media", json_object());
    char *audit_path = g_build_filename(shoot->out_dir, "reports", "scrub.json", NULL);
    json_t *previous_audit = json_load_file(audit_path, 0, NULL);
    int failed = 0, ret;

    if (!job.ingest) {
        igp_log_error(_("%s: no ingest results; run 'igprep ingest' first"), shoot->out_dir);
        json_decref(ingest);
        json_decref(previous);
        json_decref(state);
        json_decref(audit);
        json_decref(previous_audit);
        g_free(audit_path);
        return IGP_ERR_INVALIDDATA;
    }
    job.image_recipe =
        g_strdup_printf("jpeg q%d %s%s%s, libvips %s", s->master.quality,
                        chroma_recipe(s->master.subsample), s->master.optimize ? " optimized" : "",
                        s->master.restart_rows ? " restart rows" : "", vips_version_string());
    job.video_recipe = g_strdup_printf("mp4 h264 crf16 veryfast aac192, lavc %s", LIBAVCODEC_IDENT);
    job.progress = igp_progress_new("scrub", n);
    job.entries = g_new0(json_t *, n);
    job.audits = g_new0(json_t *, n);
    igp_parallel_for(n, s->jobs, scrub_one, &job);
    igp_progress_free(&job.progress);
    for (int i = 0; i < n; i++) {
        const char *name = g_ptr_array_index(shoot->media, i);
        failed += json_object_get(job.entries[i], "error") != NULL;
        json_object_set_new(json_object_get(state, "media"), name, job.entries[i]);
        if (job.audits[i])
            json_object_set_new(json_object_get(audit, "media"), name, job.audits[i]);
    }
    igp_state_keep_others(shoot, job.previous, json_object_get(state, "media"));
    if (previous_audit)
        igp_state_keep_others(shoot, json_object_get(previous_audit, "media"),
                              json_object_get(audit, "media"));
    igp_error_clear();
    ret = igp_state_save(shoot->out_dir, "scrub", state);
    if (ret == 0)
        ret = igp_report_save(shoot->out_dir, "scrub", audit);
    if (ret)
        igp_log_error("%s", igp_error_buffer());
    igp_log_note(ngettext("scrub: %d master ready, %d failed", "scrub: %d masters ready, %d failed",
                          n - failed),
                 n - failed, failed);
    json_decref(state);
    json_decref(audit);
    json_decref(ingest);
    json_decref(previous);
    json_decref(previous_audit);
    g_free(audit_path);
    g_free(job.entries);
    g_free(job.audits);
    g_free(job.image_recipe);
    g_free(job.video_recipe);
    return ret ? ret : failed ? IGP_ERR_INVALIDDATA : 0;
}
