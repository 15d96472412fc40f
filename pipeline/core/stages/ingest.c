/* ingest: identify every source by content, read its header, hash it. */
#include "stage.h"
#include "log.h"

#include "bmffwalk.h"
#include "error.h"
#include "i18n.h"
#include "fsutil.h"
#include "probe.h"

#include <stdlib.h>

#include <glib.h>

typedef struct IngestJob {
    IgpShoot *shoot;
    IgpProgress *progress;
    json_t **entries; ///< one per media, filled by the workers
} IngestJob;

static const char *kind_name(IgpMediaKind kind)
{
    return kind == IGP_MEDIA_IMAGE ? "image" : kind == IGP_MEDIA_VIDEO ? "video" : "unknown";
}

static json_t *describe(const IgpMediaInfo *info, const IgpDigest *digest)
{
    json_t *e = json_pack("{s:s, s:s, s:s, s:I, s:i, s:i, s:[i,i], s:s, s:b}", "sha256",
                          digest->hex, "kind", kind_name(info->kind), "format", info->format,
                          "bytes", (json_int_t)info->bytes, "width", info->width, "height",
                          info->height, "display", info->display_width, info->display_height,
                          "colour", info->colour, "icc", info->has_icc);
    if (info->kind == IGP_MEDIA_IMAGE) {
        json_object_set_new(e, "orientation", json_integer(info->orientation));
    } else {
        json_object_set_new(e, "duration", json_real(info->duration));
        json_object_set_new(e, "rotation", json_integer(info->rotation));
        json_object_set_new(e, "codec", json_string(info->video_codec));
        json_object_set_new(e, "transfer", json_string(info->transfer));
        json_object_set_new(e, "audio_streams", json_integer(info->audio_streams));
        json_object_set_new(e, "other_streams", json_integer(info->other_streams));
    }
    return e;
}

/* Refuse absurd inputs before anything is probed or decoded: the file's
 * size, and for videos the container's own declarations. */
static int check_file_limits(const IgpStageSettings *s, const char *path, const IgpMediaInfo *info)
{
    if (info->bytes > s->max_file_bytes)
        return igp_error(IGP_ERR_POLICY, path, _("file is %.0f MB, over the limit of %.0f MB"),
                         info->bytes / 1e6, s->max_file_bytes / 1e6);
    if (info->kind == IGP_MEDIA_VIDEO) {
        /* libavformat reads a clip cut short up to where it ends, without a
         * word: igprep's own box walk sees that the boxes overrun the file. */
        IgpBmffWalk boxes;
        int ret = igp_bmff_walk(path, &boxes);
        return ret ? ret : igp_video_check_limits(path, &s->video_limits);
    }
    return 0;
}

/* Photos: the pixel count from the header (libvips reads no pixels for it). */
static int check_image_limits(const IgpStageSettings *s, const char *path, const IgpMediaInfo *info)
{
    int64_t pixels = (int64_t)info->width * info->height;

    if (info->kind == IGP_MEDIA_IMAGE && pixels > s->limits.max_pixels)
        return igp_error(IGP_ERR_POLICY, path,
                         _("image is %dx%d (%.0f megapixels), over the limit of %.0f "
                           "(decompression bomb?)"),
                         info->width, info->height, pixels / 1e6, s->limits.max_pixels / 1e6);
    return 0;
}

static void ingest_one(int index, void *data)
{
    IngestJob *job = data;
    const char *name = g_ptr_array_index(job->shoot->media, index);
    char *path = g_build_filename(job->shoot->manifest->dir, name, NULL);
    IgpMediaInfo info;
    IgpDigest digest;
    int ret;

    igp_error_clear();
    ret = igp_identify(path, &info);
    if (ret == 0)
        ret = check_file_limits(job->shoot->settings, path, &info);
    if (ret == 0)
        ret = igp_probe(path, &info);
    if (ret == 0)
        ret = check_image_limits(job->shoot->settings, path, &info);
    if (ret == 0)
        ret = igp_hash_file(path, &digest);
    if (ret == 0) {
        job->entries[index] = describe(&info, &digest);
    } else {
        igp_log_error_kind("source-failed",
                           json_pack("{s:s, s:s}", "source", name, "stage", "ingest"), "%s",
                           igp_error_buffer());
        job->entries[index] = json_pack("{s:s}", "error", igp_error_buffer());
    }
    igp_progress_step(job->progress);
    g_free(path);
}

int igp_ingest(IgpShoot *shoot)
{
    int n = (int)shoot->media->len;
    IngestJob job = {
        .shoot = shoot, .progress = igp_progress_new("ingest", n), .entries = g_new0(json_t *, n)};
    char *shoot_dir = realpath(shoot->manifest->dir, NULL);
    /* Where the sources are: archive --include-originals reads them from there. */
    json_t *state = json_pack("{s:i, s:s, s:s, s:o}", "version", 1, "shoot", shoot->manifest->shoot,
                              "shoot_dir", shoot_dir ? shoot_dir : shoot->manifest->dir, "media",
                              json_object());
    json_t *previous;
    int failed = 0, ret;

    igp_parallel_for(n, shoot->settings->jobs, ingest_one, &job);
    igp_progress_free(&job.progress);
    for (int i = 0; i < n; i++) {
        failed += json_object_get(job.entries[i], "error") != NULL;
        json_object_set_new(json_object_get(state, "media"), g_ptr_array_index(shoot->media, i),
                            job.entries[i]);
    }
    previous = igp_state_load(shoot->out_dir, "ingest");
    igp_state_keep_others(shoot, json_object_get(previous, "media"),
                          json_object_get(state, "media"));
    json_decref(previous);
    igp_error_clear();
    ret = igp_state_save(shoot->out_dir, "ingest", state);
    if (ret)
        igp_log_error("%s", igp_error_buffer());
    json_decref(state);
    free(shoot_dir);
    g_free(job.entries);
    igp_log_note(ngettext("ingest: %d source identified, %d failed",
                          "ingest: %d sources identified, %d failed", n - failed),
                 n - failed, failed);
    return ret ? ret : failed ? IGP_ERR_INVALIDDATA : 0;
}
