/* scrub: re-encode each photo's pixels into a master with no metadata at all. */
#include "stage.h"
#include "log.h"

#include "error.h"
#include "fsutil.h"

#include <string.h>

#include <glib.h>

typedef struct ScrubJob {
    IgpShoot *shoot;
    json_t *ingest;   ///< state/ingest.json "media"
    json_t *previous; ///< last run's state/scrub.json "media"
    char *recipe;     ///< what a master depends on besides its source
    IgpProgress *progress;
    json_t **entries; ///< per media: the new state entry
    json_t **audits;  ///< per media: what was found and removed
} ScrubJob;

/* Metadata categories for the audit, recognised from libvips' field names
 * (e.g. "exif-ifd3-GPSLatitude", "xmp-data"). */
static const struct {
    const char *label;
    const char *needles[6];
} audit_categories[] = {
    {"gps position", {"-ifd3-GPS", NULL}},
    {"make/model", {"-ifd0-Make", "-ifd0-Model", "LensMake", "LensModel", NULL}},
    {"serial number", {"Serial", NULL}},
    {"owner", {"OwnerName", "Artist", "Copyright", NULL}},
    {"software", {"Software", "ProcessingSoftware", NULL}},
    {"dates", {"DateTime", "OffsetTime", "SubSecTime", NULL}},
    {"maker notes", {"MakerNote", NULL}},
    {"xmp", {"xmp-data", "heif-mime", NULL}},
    {"iptc", {"iptc-data", NULL}},
    {"icc profile", {"icc-profile-data", NULL}},
    {"thumbnail", {"thumbnail", "-ifd1-", NULL}},
    {"comments", {"comment", "UserComment", "ImageDescription", NULL}},
};

static json_t *audit_source(const char *path)
{
    VipsImage *image = vips_image_new_from_file(path, NULL);
    json_t *found = json_array();
    char **fields;

    if (!image) {
        vips_error_clear();
        return found;
    }
    fields = vips_image_get_fields(image);
    for (size_t c = 0; c < G_N_ELEMENTS(audit_categories); c++) {
        int hit = 0;
        for (char **f = fields; *f && !hit; f++)
            for (const char *const *n = audit_categories[c].needles; *n && !hit; n++)
                hit = strstr(*f, *n) != NULL;
        if (hit)
            json_array_append_new(found, json_string(audit_categories[c].label));
    }
    g_strfreev(fields);
    g_object_unref(image);
    return found;
}

/* The master file name: the source's whole name plus ".jpg", so that
 * IMG_1.JPG and IMG_1.HEIC never collide. */
static char *master_relpath(const char *name)
{
    return g_strdup_printf("masters/%s.jpg", name);
}

/* Is last run's master for this source still valid? */
static int master_is_current(const ScrubJob *job, const char *name, const char *source_sha)
{
    json_t *prev = json_object_get(job->previous, name);
    const char *prev_sha = json_string_value(json_object_get(prev, "source_sha256"));
    const char *prev_recipe = json_string_value(json_object_get(prev, "recipe"));
    const char *master_sha = json_string_value(json_object_get(prev, "master_sha256"));
    char *path;
    IgpDigest digest;
    int current;

    if (!prev_sha || !master_sha || !prev_recipe || strcmp(prev_sha, source_sha) ||
        strcmp(prev_recipe, job->recipe))
        return 0;
    path = g_build_filename(job->shoot->out_dir, json_string_value(json_object_get(prev, "master")),
                            NULL);
    current = igp_hash_file(path, &digest) == 0 && !strcmp(digest.hex, master_sha);
    igp_error_clear();
    g_free(path);
    return current;
}

static int make_master(const ScrubJob *job, const char *source, const char *master, int *width,
                       int *height)
{
    VipsImage *image = NULL;
    int ret = igp_image_open_display(source, &job->shoot->settings->limits, &image);

    if (ret == 0) {
        *width = vips_image_get_width(image);
        *height = vips_image_get_height(image);
        ret = igp_image_save_jpeg(image, source, master, &job->shoot->settings->master);
        g_object_unref(image);
    }
    return ret;
}

static json_t *scrub_image(ScrubJob *job, const char *name, const char *source_sha)
{
    const IgpShoot *shoot = job->shoot;
    char *source = g_build_filename(shoot->manifest->dir, name, NULL);
    char *rel = master_relpath(name);
    char *master = g_build_filename(shoot->out_dir, rel, NULL);
    char *dir = g_path_get_dirname(master);
    IgpDigest digest;
    int width = 0, height = 0, ret;
    json_t *entry = NULL;

    ret = igp_mkdir_p(dir);
    if (ret == 0)
        ret = make_master(job, source, master, &width, &height);
    if (ret == 0)
        ret = igp_hash_file(master, &digest);
    if (ret == 0)
        entry = json_pack("{s:s, s:s, s:s, s:s, s:i, s:i}", "source_sha256", source_sha, "recipe",
                          job->recipe, "master", rel, "master_sha256", digest.hex, "width", width,
                          "height", height);
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
    char *path = g_build_filename(job->shoot->manifest->dir, name, NULL);

    igp_error_clear();
    if (!sha) {
        /* ingest already said what is wrong with this file */
        job->entries[index] = json_pack("{s:s}", "error", "failed in ingest");
    } else if (!kind || strcmp(kind, "image") != 0) {
        igp_log_error("%s: video sources are not supported by this version's photo pipeline", path);
        job->entries[index] = json_pack("{s:s}", "error", "video not supported");
    } else if (master_is_current(job, name, sha)) {
        job->entries[index] = json_deep_copy(json_object_get(job->previous, name));
    } else {
        job->entries[index] = scrub_image(job, name, sha);
        if (!job->entries[index]) {
            igp_log_error("%s", igp_error_buffer());
            job->entries[index] = json_pack("{s:s}", "error", igp_error_buffer());
        }
    }
    if (sha && kind && !strcmp(kind, "image"))
        job->audits[index] =
            json_pack("{s:s, s:o, s:b}", "source_sha256", sha, "found", audit_source(path),
                      "removed", !json_object_get(job->entries[index], "error"));
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
        igp_log_error("%s: no ingest results; run 'igprep ingest' first", shoot->out_dir);
        json_decref(ingest);
        json_decref(previous);
        json_decref(state);
        json_decref(audit);
        json_decref(previous_audit);
        g_free(audit_path);
        return IGP_ERR_INVALIDDATA;
    }
    job.recipe = g_strdup_printf("jpeg q%d %s%s, libvips %s", s->master.quality,
                                 s->master.subsample ? "4:2:0" : "4:4:4",
                                 s->master.optimize ? " optimized" : "", vips_version_string());
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
    igp_log_note("scrub: %d master%s ready, %d failed", n - failed, n - failed == 1 ? "" : "s",
                 failed);
    json_decref(state);
    json_decref(audit);
    json_decref(ingest);
    json_decref(previous);
    json_decref(previous_audit);
    g_free(audit_path);
    g_free(job.entries);
    g_free(job.audits);
    g_free(job.recipe);
    return ret ? ret : failed ? IGP_ERR_INVALIDDATA : 0;
}
