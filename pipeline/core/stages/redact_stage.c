/* redact: hide every face that is not cleared, on a copy of each photo
 * master, before any crop, so every file made from it inherits the hiding.
 * Fail closed: a photo without a current detection result, or whose faces
 * cannot all be hidden, gets no redacted master, and encode makes no post
 * from it. */
#include "stage.h"
#include "faces.h"
#include "log.h"

#include "error.h"
#include "i18n.h"
#include "fsutil.h"
#include "redact.h"

#include <string.h>

#include <glib.h>

/* Bump when the same inputs would give other pixels. */
#define REDACT_RECIPE   "redact-v4"
#define DEFAULT_STICKER "smile.svg"

typedef struct RedactJob {
    IgpShoot *shoot;
    json_t *masters;    ///< state/scrub.json "media"
    json_t *detected;   ///< state/detect.json "media"
    json_t *previous;   ///< last run's state/redact.json "media"
    IgpFacesDoc *faces; ///< OUT/faces.json, written by detect
    const char *shoot_style;
    char *stickers_dir;
    IgpProgress *progress;
    json_t **entries; ///< per media: the new state entry
    json_t **reports; ///< per media: reports/redaction.json entry
} RedactJob;

/* Per face, then --style, then faces.json's "style", then blur. */
static IgpRedactStyle face_style(const RedactJob *job, const json_t *face)
{
    return igp_face_style(face, job->shoot->settings->face_style, job->shoot_style);
}

/* The face's sticker file, or NULL with the reason in the error buffer. */
static char *sticker_path(const RedactJob *job, const json_t *face)
{
    const char *name = json_string_value(json_object_get(face, "sticker"));
    char *path = NULL;

    igp_redact_sticker_path(job->stickers_dir, name ? name : DEFAULT_STICKER, &path);
    return path;
}

/* Everything the redacted master depends on, hashed. */
static void redact_key(const RedactJob *job, const char *master_sha, json_t *faces, IgpDigest *key)
{
    GString *s = g_string_new(REDACT_RECIPE);
    json_t *face;
    size_t i;

    g_string_append_printf(s, "|%s|pad %.3f|q%d chroma %d restart rows %d", master_sha,
                           IGP_REDACT_PADDING, job->shoot->settings->master.quality,
                           job->shoot->settings->master.subsample,
                           job->shoot->settings->master.restart_rows);
    json_array_foreach(faces, i, face)
    {
        char *text = json_dumps(face, JSON_SORT_KEYS | JSON_COMPACT);
        IgpRedactStyle style = face_style(job, face);
        g_string_append_printf(s, "|%s|%s", text, igp_redact_style_name(style));
        if (style == IGP_REDACT_STICKER) {
            /* Read as the sticker will be: a FIFO or a device is not hashed
             * forever, it just makes no key (and redaction fails later). */
            char *path = sticker_path(job, face), *data = NULL;
            size_t len = 0;
            IgpDigest d = {{0}};
            if (path && igp_read_user_file(path, IGP_READ_ARTWORK, &data, &len) == 0)
                igp_hash_bytes(data, len, &d);
            g_string_append_printf(s, "|%s", d.hex);
            g_free(data);
            g_free(path);
        }
        free(text);
    }
    igp_error_clear();
    igp_hash_bytes(s->str, s->len, key);
    g_string_free(s, TRUE);
}

static int is_current(const RedactJob *job, const char *name, const IgpDigest *key)
{
    json_t *prev = json_object_get(job->previous, name);
    const char *rel = json_string_value(json_object_get(prev, "master"));
    IgpDigest d;
    char *path;
    int same;

    if (!rel || g_strcmp0(json_string_value(json_object_get(prev, "key")), key->hex))
        return 0;
    path = g_build_filename(job->shoot->out_dir, rel, NULL);
    same = igp_hash_file(path, &d) == 0 &&
           !g_strcmp0(d.hex, json_string_value(json_object_get(prev, "master_sha256")));
    igp_error_clear();
    g_free(path);
    return same;
}

/* A cleared face's consent reference (faces.json "consent"), or NULL: it
 * goes into the report, and from there into the proof and the archive's
 * catalogue. */
static const char *consent_of(const json_t *face)
{
    const char *consent = json_string_value(json_object_get(face, "consent"));
    return consent && *consent ? consent : NULL;
}

/* The report of an unchanged master is the previous run's: its consent
 * references are taken from the faces again (they may have been added since,
 * or the report written by an igprep that did not keep them). */
static void renew_consent(json_t *report, json_t *faces)
{
    json_t *r, *face;
    size_t i, j;

    json_array_foreach(report, i, r)
    {
        json_object_del(r, "consent");
        json_array_foreach(faces, j, face)
        {
            if (g_strcmp0(json_string_value(json_object_get(face, "id")),
                          json_string_value(json_object_get(r, "id"))) ||
                !consent_of(face))
                continue;
            json_object_set_new(r, "consent", json_string(consent_of(face)));
            break;
        }
    }
}

/* Hide the faces and write masters/redacted/<name>.jpg: at most 40 MB of
 * the picture is ever held (igp_redact_file_to_jpeg), so memory does not
 * grow with the camera's resolution. */
static int write_redacted(const RedactJob *job, const char *master, const char *out_path,
                          json_t *faces, json_t *report)
{
    GArray *hidden = g_array_new(FALSE, FALSE, sizeof(IgpRedactFace));
    GPtrArray *stickers = g_ptr_array_new_with_free_func(g_free);
    json_t *face;
    size_t i;
    int ret = 0;

    json_array_foreach(faces, i, face)
    {
        IgpRedactFace f = {.style = face_style(job, face)};
        int hide = !strcmp(igp_face_decision(face), "hidden");
        double b[4];
        char *sticker = hide && f.style == IGP_REDACT_STICKER ? sticker_path(job, face) : NULL;
        if (hide && f.style == IGP_REDACT_STICKER && !sticker) {
            ret = IGP_ERR_INVALIDDATA; /* sticker_path() said why */
            break;
        }
        igp_face_box(face, b);
        f.x = b[0], f.y = b[1], f.w = b[2], f.h = b[3], f.sticker = sticker;
        g_ptr_array_add(stickers, sticker);
        json_array_append_new(
            report,
            json_pack("{s:s, s:s, s:s, s:s?, s:O, s:s*}", "id",
                      json_string_value(json_object_get(face, "id")), "source",
                      json_string_value(json_object_get(face, "source"))
                          ? json_string_value(json_object_get(face, "source"))
                          : "manual",
                      "decision", igp_face_decision(face), "style",
                      strcmp(igp_face_decision(face), "hidden") ? NULL
                                                                : igp_redact_style_name(f.style),
                      "box", json_object_get(face, "box"), "consent", consent_of(face)));
        if (hide)
            g_array_append_val(hidden, f);
    }
    if (ret == 0)
        ret =
            igp_redact_file_to_jpeg(master, (IgpRedactFace *)(void *)hidden->data, (int)hidden->len,
                                    IGP_REDACT_PADDING, out_path, &job->shoot->settings->master);
    g_array_free(hidden, TRUE);
    g_ptr_array_free(stickers, TRUE);
    return ret;
}

/* Check that detect saw this very master and that its faces are usable:
 * boxes for a photo, boxes or tracks for a video. */
static json_t *faces_for(const RedactJob *job, const char *name, json_t *scrubbed, int video)
{
    json_t *det = json_object_get(job->detected, name);
    const char *sha = json_string_value(json_object_get(scrubbed, "master_sha256"));
    json_t *faces = igp_faces_of(job->faces, name);

    if (json_object_get(det, "error"))
        igp_error(IGP_ERR_INVALIDDATA, name, _("no face detection result: %s"),
                  json_string_value(json_object_get(det, "error")));
    else if (!det || g_strcmp0(json_string_value(json_object_get(det, "master_sha256")), sha) ||
             !faces)
        igp_error(IGP_ERR_INVALIDDATA, name,
                  _("faces were not detected on the current master (run 'igprep detect')"));
    else if ((video || igp_faces_check_photo(job->faces, name) == 0) &&
             igp_faces_check_bounds(
                 job->faces, name, (int)json_integer_value(json_object_get(scrubbed, "width")),
                 (int)json_integer_value(json_object_get(scrubbed, "height"))) == 0)
        return faces;
    return NULL;
}

static json_t *redact_image(RedactJob *job, const char *name, json_t *scrubbed, json_t **report)
{
    json_t *faces = faces_for(job, name, scrubbed, 0), *entry = NULL, *list;
    char *rel = g_strdup_printf("masters/redacted/%s.jpg", name), *master, *out_path;
    IgpDigest key, d;
    int ret;

    if (!faces) {
        g_free(rel);
        return NULL;
    }
    redact_key(job, json_string_value(json_object_get(scrubbed, "master_sha256")), faces, &key);
    master = g_build_filename(job->shoot->out_dir,
                              json_string_value(json_object_get(scrubbed, "master")), NULL);
    out_path = g_build_filename(job->shoot->out_dir, rel, NULL);
    list = json_array();
    if (is_current(job, name, &key)) {
        /* Same pixels; the report is made again from the same faces. */
        json_decref(list);
        list = json_deep_copy(json_object_get(json_object_get(job->previous, name), "report"));
        entry = json_deep_copy(json_object_get(job->previous, name));
        renew_consent(list, faces);
        json_object_set(entry, "report", list);
    } else if ((ret = write_redacted(job, master, out_path, faces, list)) == 0 &&
               (ret = igp_hash_file(out_path, &d)) == 0) {
        entry = json_pack("{s:s, s:s, s:s, s:s, s:s, s:O, s:O, s:O}", "kind", "image", "master",
                          rel, "master_sha256", d.hex, "key", key.hex, "source_master_sha256",
                          json_string_value(json_object_get(scrubbed, "master_sha256")), "width",
                          json_object_get(scrubbed, "width"), "height",
                          json_object_get(scrubbed, "height"), "report", list);
    }
    if (entry)
        *report = json_pack("{s:s, s:O}", "master", rel, "faces", json_object_get(entry, "report"));
    json_decref(list);
    g_free(rel);
    g_free(master);
    g_free(out_path);
    return entry;
}

/* A face's entry in reports/redaction.json: for a track, its time span. */
static json_t *face_report(const RedactJob *job, const json_t *face)
{
    const char *decision = igp_face_decision(face);
    const char *source = json_string_value(json_object_get(face, "source"));
    json_t *track = json_object_get(face, "track");
    json_t *r = json_pack(
        "{s:s, s:s, s:s, s:s*}", "id", json_string_value(json_object_get(face, "id")), "source",
        source ? source : "manual", "decision", decision, "consent", consent_of(face));

    if (!strcmp(decision, "hidden"))
        json_object_set_new(r, "style", json_string(igp_redact_style_name(face_style(job, face))));
    if (track)
        json_object_set_new(
            r, "track",
            json_pack("{s:O, s:O, s:I}", "from", json_object_get(json_array_get(track, 0), "t"),
                      "to", json_object_get(json_array_get(track, json_array_size(track) - 1), "t"),
                      "keys", (json_int_t)json_array_size(track)));
    else
        json_object_set(r, "box", json_object_get(face, "box"));
    return r;
}

/* A video: no pixels here. The entry tells encode's render pass which
 * faces to hide in every frame (tracks, contract of issue 6); it exists only
 * when detect ran on this very master and every face is usable. */
static json_t *redact_video(RedactJob *job, const char *name, json_t *scrubbed, json_t **report)
{
    json_t *faces = faces_for(job, name, scrubbed, 1), *list, *face;
    const char *rel = json_string_value(json_object_get(scrubbed, "master"));
    const char *sha = json_string_value(json_object_get(scrubbed, "master_sha256"));
    IgpTrack *tracks = NULL;
    IgpDigest key;
    size_t i;
    int n = 0;

    if (!faces || igp_faces_video_tracks(faces, IGP_TRACKS_HIDDEN, &tracks, &n))
        return NULL;
    igp_tracks_free(tracks, n);
    redact_key(job, sha, faces, &key);
    list = json_array();
    json_array_foreach(faces, i, face) json_array_append_new(list, face_report(job, face));
    *report = json_pack("{s:s, s:O}", "source_master", rel, "faces", list);
    json_decref(list);
    return json_pack("{s:s, s:s, s:s, s:O, s:s, s:s, s:O, s:O, s:O}", "kind", "video",
                     "source_master", rel, "source_master_sha256", sha, "faces", faces, "style",
                     igp_redact_style_name(face_style(job, NULL)), "key", key.hex, "width",
                     json_object_get(scrubbed, "width"), "height",
                     json_object_get(scrubbed, "height"), "duration",
                     json_object_get(scrubbed, "duration"));
}

static void redact_one(int index, void *data)
{
    RedactJob *job = data;
    const char *name = g_ptr_array_index(job->shoot->media, index);
    json_t *scrubbed = json_object_get(job->masters, name);
    const char *kind = json_string_value(json_object_get(scrubbed, "kind"));
    char *rel =
        g_strdup_printf("masters/redacted/%s.%s", name, !g_strcmp0(kind, "video") ? "mp4" : "jpg");
    char *stale = g_build_filename(job->shoot->out_dir, rel, NULL);

    igp_error_clear();
    if (!json_object_get(scrubbed, "master")) {
        job->entries[index] = json_pack("{s:s}", "error", "no master (scrub failed)");
    } else if (!g_strcmp0(kind, "video")) {
        if (!(job->entries[index] = redact_video(job, name, scrubbed, &job->reports[index]))) {
            igp_log_error(_("%s: faces cannot be hidden, no post will use this video: %s"), name,
                          igp_error_buffer());
            job->entries[index] = json_pack("{s:s}", "error", igp_error_buffer());
        }
    } else if (g_strcmp0(kind, "image")) {
        job->entries[index] = json_pack("{s:s}", "error", "unknown kind of master");
    } else if (!(job->entries[index] = redact_image(job, name, scrubbed, &job->reports[index]))) {
        igp_log_error(_("%s: faces not hidden, no post will use this photo: %s"), name,
                      igp_error_buffer());
        job->entries[index] = json_pack("{s:s}", "error", igp_error_buffer());
    }
    /* Fail closed: an older redacted master must not outlive a failure. */
    if (json_object_get(job->entries[index], "error"))
        igp_remove_tree(stale);
    g_free(rel);
    g_free(stale);
    igp_progress_step(job->progress);
}

static char *stickers_dir(void)
{
    const char *env = g_getenv("IGPREP_TEMPLATES");
    return g_build_filename(env && *env ? env : IGP_TEMPLATE_DIR, "stickers", NULL);
}

int igp_redact(IgpShoot *shoot)
{
    int n = (int)shoot->media->len, failed = 0, hidden = 0, ret;
    json_t *scrub = igp_state_load(shoot->out_dir, "scrub");
    json_t *detect = igp_state_load(shoot->out_dir, "detect");
    json_t *previous = igp_state_load(shoot->out_dir, "redact");
    json_t *state = json_pack("{s:i, s:o}", "version", 1, "media", json_object());
    json_t *report = json_pack("{s:i, s:o}", "version", 1, "media", json_object());
    char *faces_path = g_build_filename(shoot->out_dir, IGP_FACES_NAME, NULL);
    RedactJob job = {.shoot = shoot,
                     .masters = json_object_get(scrub, "media"),
                     .detected = json_object_get(detect, "media"),
                     .previous = json_object_get(previous, "media"),
                     .stickers_dir = stickers_dir()};

    igp_error_clear();
    if (igp_faces_load(faces_path, 1, &job.faces)) {
        igp_log_error("%s", igp_error_buffer());
        igp_faces_load("/dev/null/none", 1, &job.faces); /* every photo then fails */
        json_object_clear(job.detected);
    }
    job.shoot_style = igp_faces_style(job.faces);
    job.entries = g_new0(json_t *, n);
    job.reports = g_new0(json_t *, n);
    job.progress = igp_progress_new("redact", n);
    igp_parallel_for(n, shoot->settings->jobs, redact_one, &job);
    igp_progress_free(&job.progress);
    for (int i = 0; i < n; i++) {
        const char *name = g_ptr_array_index(shoot->media, i);
        const char *err = json_string_value(json_object_get(job.entries[i], "error"));
        json_t *faces = json_object_get(job.reports[i], "faces"), *f;
        size_t k;
        failed += err && strcmp(err, "no master (scrub failed)");
        json_array_foreach(faces, k, f)
        {
            const char *decision = json_string_value(json_object_get(f, "decision"));
            hidden += !g_strcmp0(decision, "hidden");
            /* Shown without a consent form on record: allowed, but said. */
            if (!g_strcmp0(decision, "cleared") && !json_object_get(f, "consent"))
                igp_log_warning(_("%s: face '%s' is cleared (shown) without a consent reference: "
                                  "add its \"consent\" in faces.json"),
                                name, json_string_value(json_object_get(f, "id")));
        }
        if (!job.reports[i])
            job.reports[i] = json_pack("{s:s}", "error", err ? err : "not redacted");
        json_object_set_new(json_object_get(state, "media"), name, job.entries[i]);
        json_object_set_new(json_object_get(report, "media"), name, job.reports[i]);
    }
    /* Which detector found the faces: the Haar fallback must show here. */
    json_object_set(report, "detector", json_object_get(detect, "detector") ?: json_null());
    /* The faces whose decision the last detect changed (docs/faces.md). */
    json_object_set_new(report, "changes",
                        json_deep_copy(json_object_get(detect, "changes")) ?: json_array());
    igp_state_keep_others(shoot, job.previous, json_object_get(state, "media"));
    igp_error_clear();
    ret = igp_state_save(shoot->out_dir, "redact", state);
    if (ret == 0)
        ret = igp_report_save(shoot->out_dir, "redaction", report);
    if (ret)
        igp_log_error("%s", igp_error_buffer());
    igp_log_note(ngettext("redact: %d face hidden, %d media failed",
                          "redact: %d faces hidden, %d media failed", hidden),
                 hidden, failed);
    igp_faces_free(&job.faces);
    g_free(job.stickers_dir);
    g_free(job.entries);
    g_free(job.reports);
    g_free(faces_path);
    json_decref(state);
    json_decref(report);
    json_decref(scrub);
    json_decref(detect);
    json_decref(previous);
    return ret ? ret : failed ? IGP_ERR_INVALIDDATA : 0;
}
