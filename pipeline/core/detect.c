/* detect: propose face boxes on each photo master, merge them into
 * OUT/faces.json without touching an editor's decision, and draw review
 * sheets an editor can mark faces from (docs/faces.md). */
#include "stage.h"
#include "faces.h"
#include "log.h"

#include "error.h"
#include "facedet.h"
#include "fsutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

/* Bump when the same master and settings would give other boxes. */
#define DETECT_RECIPE    "detect-v1"
#define DEFAULT_MIN_FACE 24
#define SCORE_DEFAULT    0.6f
#define SCORE_THOROUGH   0.5f
/* Review sheets: long side of a media's sheet, and of a tile in the index. */
#define REVIEW_SIZE 1200
#define INDEX_TILE  360

typedef struct DetectJob {
    IgpShoot *shoot;
    IgpFaceDetector *detector; ///< NULL when it could not be opened
    const char *detector_error;
    json_t *masters;  ///< state/scrub.json "media"
    json_t *previous; ///< last run's state/detect.json "media"
    IgpFacesDoc *editor;
    IgpFacesDoc *last; ///< last run's OUT/faces.json
    char *key;         ///< detector, score, min face: what boxes depend on
    float score;
    int min_face;
    IgpProgress *progress;
    json_t **entries; ///< per media: the new state entry
    json_t **faces;   ///< per media: its merged faces.json entry, or NULL
} DetectJob;

char *igp_face_model_path(const IgpStageSettings *s);

/* The model: --model, then $IGPREP_FACE_MODEL, then the source tree's models/
 * (filled by scripts/fetch-models.sh), then the installed copy. */
char *igp_face_model_path(const IgpStageSettings *s)
{
    const char *env = g_getenv("IGPREP_FACE_MODEL");
    char *in_tree = g_build_filename(IGP_MODEL_DIR, IGP_FACEDET_MODEL_FILE, NULL);

    if (s->face_model)
        return g_free(in_tree), g_strdup(s->face_model);
    if (env && *env)
        return g_free(in_tree), g_strdup(env);
    if (igp_path_exists(in_tree))
        return in_tree;
    g_free(in_tree);
    return g_build_filename("/usr/share/igprep/models", IGP_FACEDET_MODEL_FILE, NULL);
}

/* The master as 8-bit RGB in memory. */
static int load_rgb(const char *path, IgpRgbImage *img)
{
    VipsImage *image = vips_image_new_from_file(path, "access", VIPS_ACCESS_SEQUENTIAL, NULL);
    VipsImage *rgb = NULL;
    size_t len = 0;
    int ret = 0;

    if (!image)
        return igp_vips_error(IGP_ERR_INVALIDDATA, path, "cannot read master");
    if (image->Bands == 3)
        rgb = g_object_ref(image);
    else if (vips_colourspace(image, &rgb, VIPS_INTERPRETATION_sRGB, NULL))
        ret = igp_vips_error(IGP_ERR_INVALIDDATA, path, "cannot convert master to RGB");
    if (ret == 0) {
        img->width = rgb->Xsize;
        img->height = rgb->Ysize;
        img->stride = (size_t)img->width * 3;
        img->data = vips_image_write_to_memory(rgb, &len);
        if (!img->data || len != img->stride * img->height)
            ret = igp_vips_error(IGP_ERR_INVALIDDATA, path, "cannot decode master");
    }
    g_object_unref(image);
    if (rgb)
        g_object_unref(rgb);
    return ret;
}

/* Boxes from the detector, clipped to the picture (a face at the edge gives
 * a box partly outside it), as JSON. */
static json_t *boxes_json(const IgpFaceBox *b, int n, int w, int h)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++) {
        double x0 = MAX(0, b[i].x), y0 = MAX(0, b[i].y);
        double x1 = MIN(w, b[i].x + b[i].w), y1 = MIN(h, b[i].y + b[i].h);
        if (x1 - x0 < 2 || y1 - y0 < 2)
            continue;
        json_array_append_new(
            a, json_pack("[f,f,f,f,f]", x0, y0, x1 - x0, y1 - y0, round(b[i].score * 1000) / 1000));
    }
    return a;
}

static IgpFaceBox *boxes_from_json(json_t *a, int *n)
{
    IgpFaceBox *b = g_new0(IgpFaceBox, json_array_size(a) + 1);
    json_t *v;
    size_t i;

    json_array_foreach(a, i, v)
    {
        b[i] = (IgpFaceBox){(float)json_number_value(json_array_get(v, 0)),
                            (float)json_number_value(json_array_get(v, 1)),
                            (float)json_number_value(json_array_get(v, 2)),
                            (float)json_number_value(json_array_get(v, 3)),
                            (float)json_number_value(json_array_get(v, 4))};
    }
    *n = (int)json_array_size(a);
    return b;
}

/* Last run's boxes, if the master and the detector settings are the same. */
static json_t *cached_boxes(const DetectJob *job, const char *name, const char *master_sha)
{
    json_t *prev = json_object_get(job->previous, name);
    if (g_strcmp0(json_string_value(json_object_get(prev, "master_sha256")), master_sha) ||
        g_strcmp0(json_string_value(json_object_get(prev, "key")), job->key))
        return NULL;
    return json_object_get(prev, "found");
}

/* Run the detector on one master; NULL on error (in the buffer). */
static json_t *find_faces(DetectJob *job, const char *master, int *w, int *h)
{
    IgpRgbImage img = {0};
    IgpFaceBox *boxes = NULL;
    int n = 0, ret;
    json_t *found = NULL;

    if (!job->detector) {
        igp_error(IGP_ERR_LIBRARY, master, "face detector unavailable: %s", job->detector_error);
        return NULL;
    }
    ret = load_rgb(master, &img);
    if (ret == 0)
        ret = igp_facedet_detect(job->detector, img.data, img.width, img.height, img.stride,
                                 job->min_face, job->score, &boxes, &n);
    if (ret == 0)
        found = boxes_json(boxes, n, img.width, img.height);
    *w = img.width;
    *h = img.height;
    g_free(boxes);
    g_free(img.data);
    return found;
}

/* ---- review sheets ---- */

static const double COLOUR_HIDDEN[3] = {230, 40, 40};    /* red: will be hidden */
static const double COLOUR_CLEARED[3] = {40, 200, 60};   /* green: stays visible */
static const double COLOUR_MANUAL[3] = {255, 160, 0};    /* orange: a manual box, hidden */
static const double COLOUR_IGNORED[3] = {150, 150, 150}; /* grey: not a face */

static const double *status_colour(const json_t *face)
{
    if (igp_face_is_cleared(face))
        return COLOUR_CLEARED;
    if (igp_face_is_ignored(face))
        return COLOUR_IGNORED;
    if (!g_strcmp0(json_string_value(json_object_get(face, "source")), "detected"))
        return COLOUR_HIDDEN;
    return COLOUR_MANUAL;
}

/* The face's number on the sheet: its id without the leading "f". */
static const char *face_label(const json_t *face)
{
    const char *id = json_string_value(json_object_get(face, "id"));
    return id[0] == 'f' && g_ascii_isdigit(id[1]) ? id + 1 : id;
}

/* Labels are drawn with a built-in 3x5 pixel font: no fonts to find, and
 * none of pango's or fontconfig's process-wide caches (which the leak
 * checker would report) for a few digits and file names. */
static const char FONT_CHARS[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.-_() ";
static const unsigned short FONT_ROWS[] = {
    /* each glyph: 5 rows of 3 bits, left bit first, top row in the high bits */
    075557, 026227, 071747, 071717, 055711, 074717, 074757, 071222, 075757, 075717, /* 0-9 */
    025755, 065656, 034443, 065556, 074647, 074644, 034553, 055755, 072227, 011152, /* A-J */
    055655, 044447, 057755, 065555, 025552, 065644, 025563, 065655, 034216, 072222, /* K-T */
    055557, 055552, 055775, 055255, 055222, 071247, 000002, 000700, 000007, 012221, /* U-( */
    042224, 000000,                                                                 /* ) sp */
};

static unsigned short glyph(char c)
{
    const char *at = strchr(FONT_CHARS, g_ascii_toupper(c));
    return at && c ? FONT_ROWS[at - FONT_CHARS] : 071302; /* '?' */
}

/* Width in pixels of @p text drawn at @p scale. */
static int label_width(const char *text, int scale)
{
    return (int)strlen(text) * 4 * scale - scale;
}

/* Draw @p text with its top-left corner at (x, y). */
static void draw_text(VipsImage *img, const char *text, int x, int y, int scale, const double *ink)
{
    for (const char *c = text; *c; c++, x += 4 * scale) {
        unsigned short g = glyph(*c);
        for (int row = 0; row < 5; row++)
            for (int col = 0; col < 3; col++)
                if (g >> ((4 - row) * 3 + (2 - col)) & 1)
                    vips_draw_rect(img, (double *)ink, 3, x + col * scale, y + row * scale, scale,
                                   scale, "fill", TRUE, NULL);
    }
}

/* A box outline three pixels thick with its number on a tab above it. */
static void draw_face(VipsImage *sheet, const json_t *face, double scale)
{
    const double *c = status_colour(face);
    double ink[3] = {c[0], c[1], c[2]}, b[4];
    static const double white[3] = {255, 255, 255};
    int x, y, w, h;

    if (igp_face_box(face, b))
        return;
    x = (int)(b[0] * scale), y = (int)(b[1] * scale);
    w = MAX(4, (int)(b[2] * scale)), h = MAX(4, (int)(b[3] * scale));
    for (int t = 0; t < 3; t++)
        vips_draw_rect(sheet, ink, 3, x - t, y - t, w + 2 * t, h + 2 * t, NULL);
    {
        const char *label = face_label(face);
        int scale = 3, tw = label_width(label, scale) + 8, th = 5 * scale + 8;
        int ty = MAX(0, y - th);
        vips_draw_rect(sheet, ink, 3, x - 2, ty, tw, th, "fill", TRUE, NULL);
        draw_text(sheet, label, x + 2, ty + 4, scale, white);
    }
    vips_error_clear();
}

/* OUT/review/<media>.png: the master with every face numbered and coloured. */
static int write_review(const DetectJob *job, const char *name, const char *master, json_t *faces,
                        int width)
{
    char *file = g_strdup_printf("%s.png", name);
    char *path = g_build_filename(job->shoot->out_dir, "review", file, NULL);
    char *dir = g_path_get_dirname(path), *tmp = igp_temp_sibling(path);
    VipsImage *thumb = NULL, *sheet = NULL;
    json_t *face;
    size_t i;
    int ret = igp_mkdir_p(dir);

    if (ret == 0 && vips_thumbnail(master, &thumb, REVIEW_SIZE, "height", REVIEW_SIZE, NULL))
        ret = igp_vips_error(IGP_ERR_LIBRARY, master, "cannot make review sheet");
    if (ret == 0 && !(sheet = vips_image_copy_memory(thumb)))
        ret = igp_vips_error(IGP_ERR_LIBRARY, master, "cannot make review sheet");
    json_array_foreach(ret ? NULL : faces, i, face)
        draw_face(sheet, face, (double)sheet->Xsize / width);
    if (ret == 0 && vips_pngsave(sheet, tmp, "compression", 3, "strip", TRUE, NULL))
        ret = igp_vips_error(IGP_ERR_LIBRARY, path, "cannot write review sheet");
    if (ret == 0)
        ret = igp_publish(tmp, path);
    if (ret)
        unlink(tmp);
    if (thumb)
        g_object_unref(thumb);
    if (sheet)
        g_object_unref(sheet);
    g_free(file);
    g_free(path);
    g_free(dir);
    g_free(tmp);
    return ret;
}

/* One tile of the index: the media's sheet, small, its name and face count
 * under it in black on white. NULL when its sheet is missing. */
static VipsImage *index_tile(const IgpShoot *shoot, const char *name, json_t *entry)
{
    static const double black[3] = {0, 0, 0};
    char *file = g_strdup_printf("%s.png", name);
    char *review = g_build_filename(shoot->out_dir, "review", file, NULL);
    char *caption =
        g_strdup_printf("%s (%zu)", name, json_array_size(json_object_get(entry, "faces")));
    VipsImage *thumb = NULL, *framed = NULL, *tile = NULL;

    if (igp_path_exists(review) &&
        !vips_thumbnail(review, &thumb, INDEX_TILE, "height", INDEX_TILE, NULL) &&
        thumb->Bands == 3 &&
        !vips_embed(thumb, &framed, 0, 0, INDEX_TILE, INDEX_TILE + 20, "extend", VIPS_EXTEND_WHITE,
                    NULL) &&
        (tile = vips_image_copy_memory(framed)))
        draw_text(tile, caption, 4, INDEX_TILE + 4, 2, black);
    vips_error_clear();
    if (thumb)
        g_object_unref(thumb);
    if (framed)
        g_object_unref(framed);
    g_free(caption);
    g_free(file);
    g_free(review);
    return tile;
}

/* OUT/review/index.png: every media's sheet, small, four to a row. */
static int write_index(const IgpShoot *shoot, json_t *media)
{
    GPtrArray *tiles = g_ptr_array_new_with_free_func(g_object_unref);
    char *path = g_build_filename(shoot->out_dir, "review", "index.png", NULL);
    char *tmp = igp_temp_sibling(path);
    const char *name;
    json_t *entry;
    VipsImage *sheet = NULL, *tile;
    int ret = 0;

    json_object_foreach(media, name, entry)
    {
        if ((tile = index_tile(shoot, name, entry)))
            g_ptr_array_add(tiles, tile);
    }
    if (tiles->len > 0) {
        VipsArrayDouble *white = vips_array_double_newv(1, 255.0);
        if (vips_arrayjoin((VipsImage **)tiles->pdata, &sheet, (int)tiles->len, "across", 4, "shim",
                           12, "background", white, NULL) ||
            vips_pngsave(sheet, tmp, "compression", 3, "strip", TRUE, NULL))
            ret = igp_vips_error(IGP_ERR_LIBRARY, path, "cannot write index sheet");
        vips_area_unref(VIPS_AREA(white));
        if (ret == 0)
            ret = igp_publish(tmp, path);
        if (ret)
            unlink(tmp);
    }
    if (sheet)
        g_object_unref(sheet);
    g_ptr_array_unref(tiles);
    g_free(path);
    g_free(tmp);
    return ret;
}

/* ---- one media ---- */

/* A review sheet shows the master and its faces: same both, same sheet. */
static void review_key(const char *master_sha, json_t *faces, IgpDigest *key)
{
    char *text = json_dumps(faces, JSON_SORT_KEYS | JSON_COMPACT);
    char *all = g_strdup_printf("review-v1|%s|%s", master_sha, text);
    igp_hash_bytes(all, strlen(all), key);
    g_free(all);
    free(text);
}

static int review_is_current(const DetectJob *job, const char *name, const IgpDigest *key)
{
    json_t *prev = json_object_get(job->previous, name);
    char *file = g_strdup_printf("%s.png", name);
    char *path = g_build_filename(job->shoot->out_dir, "review", file, NULL);
    int same = !g_strcmp0(json_string_value(json_object_get(prev, "review_key")), key->hex) &&
               igp_path_exists(path);
    g_free(file);
    g_free(path);
    return same;
}

static json_t *detect_image(DetectJob *job, const char *name, json_t *scrubbed)
{
    const char *rel = json_string_value(json_object_get(scrubbed, "master"));
    const char *sha = json_string_value(json_object_get(scrubbed, "master_sha256"));
    int w = (int)json_integer_value(json_object_get(scrubbed, "width"));
    int h = (int)json_integer_value(json_object_get(scrubbed, "height"));
    char *master = g_build_filename(job->shoot->out_dir, rel, NULL);
    json_t *found = json_incref(cached_boxes(job, name, sha)), *faces, *entry = NULL;
    IgpFaceBox *boxes;
    IgpDigest key;
    int n, index = -1;

    if (!found)
        found = find_faces(job, master, &w, &h);
    if (found && igp_faces_check_photo(job->editor, name) == 0 &&
        igp_faces_check_bounds(job->editor, name, w, h) == 0) {
        boxes = boxes_from_json(found, &n);
        faces = igp_faces_merge(igp_faces_of(job->editor, name), igp_faces_of(job->last, name),
                                boxes, n);
        g_free(boxes);
        for (guint i = 0; i < job->shoot->media->len; i++)
            if (!strcmp(g_ptr_array_index(job->shoot->media, i), name))
                index = (int)i;
        job->faces[index] =
            json_pack("{s:o, s:[i,i], s:{s:s, s:f, s:i}}", "faces", faces, "size", w, h, "detector",
                      "backend", igp_facedet_backend_name(job->detector), "score",
                      round(job->score * 100) / 100, "min_face", job->min_face);
        review_key(sha, faces, &key);
        if (review_is_current(job, name, &key) || write_review(job, name, master, faces, w) == 0)
            entry = json_pack("{s:s, s:s, s:O, s:I, s:s}", "master_sha256", sha, "key", job->key,
                              "found", found, "faces", (json_int_t)json_array_size(faces),
                              "review_key", key.hex);
    }
    json_decref(found);
    g_free(master);
    return entry;
}

static void detect_one(int index, void *data)
{
    DetectJob *job = data;
    const char *name = g_ptr_array_index(job->shoot->media, index);
    json_t *scrubbed = json_object_get(job->masters, name);
    const char *kind = json_string_value(json_object_get(scrubbed, "kind"));

    igp_error_clear();
    if (!json_object_get(scrubbed, "master")) {
        job->entries[index] = json_pack("{s:s}", "error", "no master (scrub failed)");
    } else if (g_strcmp0(kind, "image")) {
        /* Face tracks in videos are not made yet: redact refuses videos. */
        job->entries[index] =
            json_pack("{s:s}", "error", "face detection in videos is not supported yet");
    } else if (!(job->entries[index] = detect_image(job, name, scrubbed))) {
        igp_log_error("%s: face detection failed, this photo is stopped: %s", name,
                      igp_error_buffer());
        job->entries[index] = json_pack("{s:s}", "error", igp_error_buffer());
    }
    igp_progress_step(job->progress);
}

/* OUT/faces.json: this run's media, plus the other media of the last one. */
static int save_faces(const DetectJob *job)
{
    json_t *doc = json_pack("{s:i, s:o}", "version", 1, "media", json_object());
    json_t *media = json_object_get(doc, "media"), *entry;
    const char *style = igp_faces_style(job->editor), *name;
    char *path = g_build_filename(job->shoot->out_dir, IGP_FACES_NAME, NULL);
    int ret;

    if (style)
        json_object_set_new(doc, "style", json_string(style));
    json_object_foreach(json_object_get(job->last->root, "media"), name, entry)
        json_object_set(media, name, entry);
    for (guint i = 0; i < job->shoot->media->len; i++)
        if (job->faces[i])
            json_object_set(media, g_ptr_array_index(job->shoot->media, i), job->faces[i]);
    ret = igp_json_save(path, doc);
    if (ret == 0)
        ret = write_index(job->shoot, media);
    json_decref(doc);
    g_free(path);
    return ret;
}

static void open_detector(DetectJob *job)
{
    char *model = igp_face_model_path(job->shoot->settings);

    igp_error_clear();
    if (igp_facedet_open(model, NULL, &job->detector)) {
        job->detector_error = g_strdup(igp_error_buffer());
        igp_log_error("%s", job->detector_error);
    } else if (igp_facedet_backend(job->detector) == IGP_FACEDET_HAAR) {
        igp_log_warning("face model %s not found: detecting with OpenCV's Haar cascades, which "
                        "miss more faces (run scripts/fetch-models.sh)",
                        model);
    }
    g_free(model);
}

static void free_job(DetectJob *job)
{
    for (guint i = 0; job->faces && i < job->shoot->media->len; i++)
        json_decref(job->faces[i]);
    g_free(job->faces);
    g_free(job->entries);
    g_free(job->key);
    g_free((char *)job->detector_error);
    igp_faces_free(&job->editor);
    igp_faces_free(&job->last);
    igp_facedet_close(&job->detector);
}

/* The editor's marks and last run's merge; an unreadable editor file stops
 * every photo (fail closed), a damaged merge of ours is only redone. */
static int load_marks(DetectJob *job)
{
    char *editor = g_build_filename(job->shoot->manifest->dir, IGP_FACES_NAME, NULL);
    char *last = g_build_filename(job->shoot->out_dir, IGP_FACES_NAME, NULL);
    int ret = igp_faces_load(editor, 1, &job->editor);

    if (ret == 0 && igp_faces_load(last, 1, &job->last)) {
        igp_log_warning("%s; making it again", igp_error_buffer());
        igp_error_clear();
        igp_faces_load("/dev/null/none", 1, &job->last);
    }
    g_free(editor);
    g_free(last);
    return ret;
}

int igp_detect(IgpShoot *shoot)
{
    const IgpStageSettings *s = shoot->settings;
    int n = (int)shoot->media->len, failed = 0, faces = 0, ret;
    json_t *scrub = igp_state_load(shoot->out_dir, "scrub");
    json_t *previous = igp_state_load(shoot->out_dir, "detect");
    json_t *state = json_pack("{s:i, s:o}", "version", 1, "media", json_object());
    DetectJob job = {.shoot = shoot,
                     .masters = json_object_get(scrub, "media"),
                     .previous = json_object_get(previous, "media"),
                     .score = s->face_thorough ? SCORE_THOROUGH : SCORE_DEFAULT,
                     .min_face = s->face_min_size > 0 ? s->face_min_size : DEFAULT_MIN_FACE};

    igp_error_clear();
    ret = load_marks(&job);
    if (ret) {
        igp_log_error("%s", igp_error_buffer());
        igp_log_error("detect: no photo can be redacted until %s/%s is fixed", shoot->manifest->dir,
                      IGP_FACES_NAME);
    }
    if (ret == 0)
        open_detector(&job);
    job.key = g_strdup_printf("%s|%s|score %.2f|min %d", DETECT_RECIPE,
                              job.detector ? igp_facedet_backend_name(job.detector) : "none",
                              job.score, job.min_face);
    job.entries = g_new0(json_t *, n);
    job.faces = g_new0(json_t *, n);
    if (ret == 0) {
        job.progress = igp_progress_new("detect", n);
        igp_parallel_for(n, s->jobs, detect_one, &job);
        igp_progress_free(&job.progress);
    }
    for (int i = 0; i < n; i++) {
        json_t *e =
            job.entries[i] ? job.entries[i] : json_pack("{s:s}", "error", "faces.json is invalid");
        const char *err = json_string_value(json_object_get(e, "error"));
        failed += err && strcmp(err, "face detection in videos is not supported yet") &&
                  strcmp(err, "no master (scrub failed)");
        faces += (int)json_integer_value(json_object_get(e, "faces"));
        json_object_set_new(json_object_get(state, "media"), g_ptr_array_index(shoot->media, i), e);
    }
    igp_state_keep_others(shoot, job.previous, json_object_get(state, "media"));
    json_object_set_new(
        state, "detector",
        json_string(job.detector ? igp_facedet_backend_name(job.detector) : "none"));
    igp_error_clear();
    if (ret == 0 && (ret = save_faces(&job)) == 0)
        ret = igp_state_save(shoot->out_dir, "detect", state);
    else if (ret == 0)
        igp_log_error("%s", igp_error_buffer());
    if (ret == 0)
        igp_log_note("detect: %d face%s marked or found in %d photo%s (%s), %d failed; review "
                     "sheets in %s/review",
                     faces, faces == 1 ? "" : "s", n - failed, n - failed == 1 ? "" : "s",
                     job.detector ? igp_facedet_backend_name(job.detector) : "no detector", failed,
                     shoot->out_dir);
    else
        igp_state_save(shoot->out_dir, "detect", state);
    free_job(&job);
    json_decref(state);
    json_decref(scrub);
    json_decref(previous);
    return ret ? IGP_ERR_INVALIDDATA : failed ? IGP_ERR_INVALIDDATA : 0;
}
