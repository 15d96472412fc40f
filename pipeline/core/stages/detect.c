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
#include <time.h>
#include <unistd.h>

#include "track.h"

#include <glib.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <libswscale/swscale.h>

/* Bump when the same master and settings would give other boxes. */
#define DETECT_RECIPE    "detect-v6"
#define DEFAULT_MIN_FACE 24
/* Photos' working resolution (docs/faces.md, "Working resolution"): a face
 * narrower than POST_MIN_FACE pixels in a delivered post needs no finding.
 * A post crops the largest rectangle of its shape (crop.h) and scales it to
 * its size, so a W x H photo is shown at most max(post width / W, post
 * height / H) times its size, in the posts of the shoot that use it (a
 * template's slot is never larger than its post; a post's next-day story and
 * a reel are 1080x1920). A source face of POST_MIN_FACE over that is the
 * smallest that matters; never below DEFAULT_MIN_FACE. A photo no post uses
 * is taken as a story's. The master is decoded shrunk so that this face is
 * IGP_FACEDET_MIN_FACE_INPUT pixels wide, which keeps memory flat whatever
 * the camera's resolution. */
#define POST_WIDTH    1080
#define POST_MIN_FACE 24
/* The head around a detector's box (face_extent), in box widths/heights. */
#define FACE_SIDE_MARGIN 0.20
#define FACE_FOREHEAD    0.50
#define FACE_CHIN        0.35
#define SCORE_DEFAULT    0.6f
#define SCORE_THOROUGH   0.5f
/* Videos (docs/faces.md, "Videos"): detect on every VIDEO_EVERY-th frame, at
 * a working size whose long side is at most VIDEO_MAX_SIDE, faces from
 * VIDEO_MIN_FACE working pixels (48 px of a 1920 px master). */
#define VIDEO_RECIPE   "video-v2"
#define VIDEO_EVERY    2
#define VIDEO_MAX_SIDE 1280
#define VIDEO_MIN_FACE 32
/* Room past an RGB buffer for swscale's last SIMD block. */
#define SWS_SLACK 256
/* Video review sheets: crop height and the width of the number cell. */
#define REVIEW_CROP  180
#define REVIEW_LABEL 160
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
    char *video_key;   ///< the same for a video's tracks
    float score;
    int threads;  ///< for a video's detector
    int min_face; ///< --min-face, or 0: from the photo's size (photo_min_face)
    IgpProgress *progress;
    GMutex lock;      ///< guards done
    double *done;     ///< per media: how much of it is done, 0..1 (a video: frames)
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

/* How many times its size the @p w × @p h photo is shown at most in a post
 * of shape @p aspect. */
static double shown_at(IgpAspect aspect, int w, int h)
{
    int pw, ph;
    igp_aspect_size(aspect, &pw, &ph);
    return MAX((double)pw / w, (double)ph / h);
}

/* The smallest face that matters on photo @p name (@p w × @p h), in its
 * pixels: POST_MIN_FACE in the post of the shoot that shows it largest. */
static int photo_min_face(const IgpShoot *shoot, const char *name, int w, int h)
{
    const IgpManifest *m = shoot->manifest;
    double largest = 0;

    for (int i = 0; m && i < m->n_posts; i++) {
        const IgpPost *p = &m->posts[i];
        for (int j = 0; j < p->n_media; j++) {
            if (strcmp(p->media[j].file, name))
                continue;
            largest = MAX(largest, p->type == IGP_POST_STORY || p->type == IGP_POST_REEL ||
                                           igp_post_has_story(p)
                                       ? shown_at(IGP_ASPECT_9_16, w, h)
                                       : shown_at(p->aspect, w, h));
        }
    }
    if (largest <= 0)
        largest = shown_at(IGP_ASPECT_9_16, w, h);
    return MAX(DEFAULT_MIN_FACE, (int)floor(POST_MIN_FACE / largest));
}

/* The master as 8-bit RGB in memory, shrunk by @p scale (<= 1) on load
 * (libvips' shrink-on-load: no full-size buffer); its own size in @p w, @p h. */
static int load_rgb(const char *path, double scale, IgpRgbImage *img, int *w, int *h)
{
    VipsImage *image = vips_image_new_from_file(path, NULL), *small = NULL, *rgb = NULL;
    size_t len = 0;
    int ret = 0;

    if (!image)
        return igp_vips_error(IGP_ERR_INVALIDDATA, path, "cannot read master");
    *w = image->Xsize, *h = image->Ysize;
    if (scale >= 1)
        small = g_object_ref(image);
    else if (vips_thumbnail(path, &small, MAX(1, (int)lround(*w * scale)), "height",
                            MAX(1, (int)lround(*h * scale)), "size", VIPS_SIZE_FORCE, "no_rotate",
                            TRUE, NULL))
        ret = igp_vips_error(IGP_ERR_INVALIDDATA, path, "cannot read master");
    if (ret == 0 && small->Bands == 3 && small->BandFmt == VIPS_FORMAT_UCHAR)
        rgb = g_object_ref(small);
    else if (ret == 0 && vips_colourspace(small, &rgb, VIPS_INTERPRETATION_sRGB, NULL))
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
    if (small)
        g_object_unref(small);
    if (rgb)
        g_object_unref(rgb);
    return ret;
}

/* The area to hide for a face, [x, y, w, h] in master pixels (@p sx, @p sy:
 * working pixels per master pixel): the detector's box grown to the head's
 * likely extent, so that a face found with a small or offset box (partly
 * behind someone) is still hidden whole. From the keypoints: their outermost
 * (the ears, or the eyes when the ears are hidden) with a margin, the
 * forehead above the eyes and the chin below the mouth, in units of the box. */
static void face_extent(const IgpFaceFound *f, double sx, double sy, double out[4])
{
    const IgpFaceBox *b = &f->box;
    double x0 = b->x, y0 = b->y, x1 = b->x + b->w, y1 = b->y + b->h;

    if (f->has_keypoints) {
        double kx0 = f->keypoints[0][0], kx1 = kx0;
        for (int k = 1; k < IGP_KP_COUNT; k++) {
            kx0 = MIN(kx0, f->keypoints[k][0]);
            kx1 = MAX(kx1, f->keypoints[k][0]);
        }
        x0 = MIN(x0, kx0 - FACE_SIDE_MARGIN * b->w);
        x1 = MAX(x1, kx1 + FACE_SIDE_MARGIN * b->w);
        y0 = MIN(y0, MIN(f->keypoints[IGP_KP_EYE_LEFT][1], f->keypoints[IGP_KP_EYE_RIGHT][1]) -
                         FACE_FOREHEAD * b->h);
        y1 = MAX(y1, f->keypoints[IGP_KP_MOUTH][1] + FACE_CHIN * b->h);
    }
    out[0] = x0 / sx, out[1] = y0 / sy, out[2] = (x1 - x0) / sx, out[3] = (y1 - y0) / sy;
}

/* Faces from the detector (working pixels), grown to the head and clipped
 * to the @p w × @p h master (a face at the edge gives a box partly outside
 * it), as JSON [x, y, w, h, score]. */
static json_t *boxes_json(const IgpFaceFound *f, int n, double sx, double sy, int w, int h)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++) {
        double b[4];
        face_extent(&f[i], sx, sy, b);
        double x0 = MAX(0, b[0]), y0 = MAX(0, b[1]);
        double x1 = MIN(w, b[0] + b[2]), y1 = MIN(h, b[1] + b[3]);
        if (x1 - x0 < 2 || y1 - y0 < 2)
            continue;
        json_array_append_new(a, json_pack("[f,f,f,f,f]", round(x0 * 10) / 10, round(y0 * 10) / 10,
                                           round((x1 - x0) * 10) / 10, round((y1 - y0) * 10) / 10,
                                           round(f[i].box.score * 1000) / 1000));
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

/* Last run's boxes, if the master, the detector settings and the smallest
 * face looked for (@p min_face: the posts may have changed) are the same. */
static json_t *cached_boxes(const DetectJob *job, const char *name, const char *master_sha,
                            int min_face)
{
    json_t *prev = json_object_get(job->previous, name);
    if (g_strcmp0(json_string_value(json_object_get(prev, "master_sha256")), master_sha) ||
        g_strcmp0(json_string_value(json_object_get(prev, "key")), job->key) ||
        json_integer_value(json_object_get(prev, "min_face")) != min_face)
        return NULL;
    return json_object_get(prev, "found");
}

/* Run the detector on one master (@p w × @p h, from scrub); NULL on error
 * (in the buffer). */
static json_t *find_faces(DetectJob *job, const char *master, int min_face, int *w, int *h)
{
    IgpRgbImage img = {0};
    IgpFaceFound *found = NULL;
    int n = 0, ret;
    double scale = 1;
    json_t *faces = NULL;

    if (!job->detector) {
        igp_error(IGP_ERR_LIBRARY, master, "face detector unavailable: %s", job->detector_error);
        return NULL;
    }
    if (igp_facedet_backend(job->detector) == IGP_FACEDET_BLAZEFACE)
        scale = MIN(1.0, (double)IGP_FACEDET_MIN_FACE_INPUT / min_face);
    ret = load_rgb(master, scale, &img, w, h);
    if (ret == 0) {
        double sx = (double)img.width / *w, sy = (double)img.height / *h;
        ret = igp_facedet_find(job->detector, img.data, img.width, img.height, img.stride,
                               MAX(8, (int)lround(min_face * sx)), job->score, &found, &n);
        if (ret == 0)
            faces = boxes_json(found, n, sx, sy, *w, *h);
    }
    g_free(found);
    g_free(img.data);
    return faces;
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

/* Encode @p sheet as PNG in memory, then write it atomically: libvips says
 * only "write error" when a file write fails, and a full disk must be
 * reported as one, naming the file. */
static int save_png(VipsImage *sheet, const char *path, const char *what)
{
    void *png = NULL;
    size_t len = 0;
    int ret;

    if (vips_pngsave_buffer(sheet, &png, &len, "compression", 3, "strip", TRUE, NULL))
        return igp_vips_error(IGP_ERR_LIBRARY, path, what);
    ret = igp_write_file_atomic(path, png, len);
    g_free(png);
    return ret;
}

/* OUT/review/<media>.png: the master with every face numbered and coloured. */
static int write_review(const DetectJob *job, const char *name, const char *master, json_t *faces,
                        int width)
{
    char *file = g_strdup_printf("%s.png", name);
    char *path = g_build_filename(job->shoot->out_dir, "review", file, NULL);
    char *dir = g_path_get_dirname(path);
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
    if (ret == 0)
        ret = save_png(sheet, path, "cannot make review sheet");
    if (thumb)
        g_object_unref(thumb);
    if (sheet)
        g_object_unref(sheet);
    g_free(file);
    g_free(path);
    g_free(dir);
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
                           12, "background", white, NULL))
            ret = igp_vips_error(IGP_ERR_LIBRARY, path, "cannot make index sheet");
        vips_area_unref(VIPS_AREA(white));
        if (ret == 0)
            ret = save_png(sheet, path, "cannot make index sheet");
    }
    if (sheet)
        g_object_unref(sheet);
    g_ptr_array_unref(tiles);
    g_free(path);
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

/* NULL on failure; *searched tells whether the search for faces itself went
 * through (the failure is then the editor's marks or a review sheet's write). */
static json_t *detect_image(DetectJob *job, const char *name, json_t *scrubbed, int *searched)
{
    const char *rel = json_string_value(json_object_get(scrubbed, "master"));
    const char *sha = json_string_value(json_object_get(scrubbed, "master_sha256"));
    int w = (int)json_integer_value(json_object_get(scrubbed, "width"));
    int h = (int)json_integer_value(json_object_get(scrubbed, "height"));
    char *master = g_build_filename(job->shoot->out_dir, rel, NULL);
    int min_face = job->min_face > 0 ? job->min_face : photo_min_face(job->shoot, name, w, h);
    json_t *found = json_incref(cached_boxes(job, name, sha, min_face)), *faces, *entry = NULL;
    IgpFaceBox *boxes;
    IgpDigest key;
    int n, index = -1;

    if (!found)
        found = find_faces(job, master, min_face, &w, &h);
    *searched = found != NULL;
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
                      round(job->score * 100) / 100, "min_face", min_face);
        review_key(sha, faces, &key);
        if (review_is_current(job, name, &key) || write_review(job, name, master, faces, w) == 0)
            entry = json_pack("{s:s, s:s, s:i, s:O, s:I, s:s}", "master_sha256", sha, "key",
                              job->key, "min_face", min_face, "found", found, "faces",
                              (json_int_t)json_array_size(faces), "review_key", key.hex);
    }
    json_decref(found);
    g_free(master);
    return entry;
}

/* ---- videos: face tracks ---- */

/* The frames of a video master, in order, with their time from the first
 * frame and (on request) as RGB at a bounded size. One frame in memory. */
typedef struct FrameReader {
    const char *path;
    AVFormatContext *fmt;
    AVCodecContext *dec;
    AVPacket *pkt;
    AVFrame *frame;
    struct SwsContext *sws;
    int stream;
    int width, height; ///< the video's
    int out_w, out_h;  ///< the RGB frames'
    uint8_t *rgb;
    size_t stride;
    int64_t first_pts;
    int have_first, flushing;
    int index; ///< number of the current frame, from 0
    double fps;
    int64_t frames; ///< expected number of frames, for progress (0: unknown)
} FrameReader;

static int av_fail(int averr, const char *domain, const char *what)
{
    char msg[AV_ERROR_MAX_STRING_SIZE];
    av_strerror(averr, msg, sizeof(msg));
    return igp_error(averr == AVERROR_INVALIDDATA ? IGP_ERR_INVALIDDATA : IGP_ERR_LIBRARY, domain,
                     "%s: %s", what, msg);
}

static void reader_close(FrameReader *r)
{
    avcodec_free_context(&r->dec);
    avformat_close_input(&r->fmt);
    av_packet_free(&r->pkt);
    av_frame_free(&r->frame);
    sws_freeContext(r->sws);
    r->sws = NULL;
    g_clear_pointer(&r->rgb, g_free);
}

/* Open @p path; RGB frames get a long side of at most @p max_side (0: full size). */
static int reader_open(FrameReader *r, const char *path, int max_side)
{
    const AVCodec *codec;
    const uint8_t *matrix;
    AVStream *st;
    AVRational rate;
    double scale;
    int ret;

    memset(r, 0, sizeof(*r));
    r->path = path;
    r->index = -1;
    if ((ret = avformat_open_input(&r->fmt, path, NULL, NULL)) < 0)
        return av_fail(ret, path, "cannot open master");
    if ((ret = avformat_find_stream_info(r->fmt, NULL)) < 0)
        return av_fail(ret, path, "cannot read master");
    r->stream = av_find_best_stream(r->fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (r->stream < 0)
        return igp_error(IGP_ERR_INVALIDDATA, path, "master has no video stream");
    st = r->fmt->streams[r->stream];
    for (unsigned i = 0; i < r->fmt->nb_streams; i++)
        if ((int)i != r->stream)
            r->fmt->streams[i]->discard = AVDISCARD_ALL;
    /* Boxes are in upright pixels: a master still needing a turn is wrong. */
    matrix = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, NULL);
    if (matrix && lround(av_display_rotation_get((const int32_t *)matrix)) % 360 != 0)
        return igp_error(IGP_ERR_INVALIDDATA, path, "master is not upright (display matrix)");
    if (!(codec = avcodec_find_decoder(st->codecpar->codec_id)))
        return igp_error(IGP_ERR_UNSUPPORTED, path, "no decoder for the master");
    if (!(r->dec = avcodec_alloc_context3(codec)) || !(r->pkt = av_packet_alloc()) ||
        !(r->frame = av_frame_alloc()))
        return IGP_ERR(ENOMEM);
    if ((ret = avcodec_parameters_to_context(r->dec, st->codecpar)) < 0)
        return av_fail(ret, path, "cannot set up decoder");
    r->dec->pkt_timebase = st->time_base;
    r->dec->thread_count = 2;
    if ((ret = avcodec_open2(r->dec, codec, NULL)) < 0)
        return av_fail(ret, path, "cannot open decoder");
    r->width = st->codecpar->width, r->height = st->codecpar->height;
    if (r->width <= 0 || r->height <= 0)
        return igp_error(IGP_ERR_INVALIDDATA, path, "master has no frame size");
    scale = max_side > 0 ? MIN(1.0, (double)max_side / MAX(r->width, r->height)) : 1.0;
    r->out_w = MAX(2, (int)lround(r->width * scale));
    r->out_h = MAX(2, (int)lround(r->height * scale));
    r->stride = (size_t)r->out_w * 3;
    /* swscale writes whole SIMD blocks: its last row may run past the
     * picture's end, so the buffer has room for that. */
    r->rgb = g_malloc(r->stride * r->out_h + SWS_SLACK);
    rate = st->avg_frame_rate.num > 0 && st->avg_frame_rate.den > 0 ? st->avg_frame_rate
                                                                    : st->r_frame_rate;
    r->fps = rate.num > 0 && rate.den > 0 ? av_q2d(rate) : 30;
    r->frames = st->nb_frames > 0      ? st->nb_frames
                : r->fmt->duration > 0 ? (int64_t)(r->fmt->duration * r->fps / AV_TIME_BASE)
                                       : 0;
    return 0;
}

/* The next frame: 1 with @p t its time in seconds from the first frame, 0
 * at the end, or an IGP_ERR. */
static int reader_next(FrameReader *r, double *t)
{
    for (;;) {
        int ret = avcodec_receive_frame(r->dec, r->frame);
        if (ret == 0) {
            int64_t pts = r->frame->best_effort_timestamp;
            r->index++;
            if (pts == AV_NOPTS_VALUE) {
                *t = r->index / r->fps;
            } else {
                if (!r->have_first)
                    r->first_pts = pts, r->have_first = 1;
                *t = MAX(0, (pts - r->first_pts) * av_q2d(r->fmt->streams[r->stream]->time_base));
            }
            return 1;
        }
        if (ret == AVERROR_EOF || (ret == AVERROR(EAGAIN) && r->flushing))
            return 0;
        if (ret != AVERROR(EAGAIN))
            return av_fail(ret, r->path, "cannot decode master");
        ret = av_read_frame(r->fmt, r->pkt);
        if (ret == AVERROR_EOF) {
            r->flushing = 1;
            avcodec_send_packet(r->dec, NULL);
            continue;
        }
        if (ret < 0)
            return av_fail(ret, r->path, "cannot read master");
        ret = r->pkt->stream_index == r->stream ? avcodec_send_packet(r->dec, r->pkt) : 0;
        av_packet_unref(r->pkt);
        if (ret < 0)
            return av_fail(ret, r->path, "cannot decode master");
    }
}

/* The current frame as 8-bit RGB in r->rgb. */
static int reader_rgb(FrameReader *r)
{
    AVFrame *f = r->frame;
    uint8_t *dst[4] = {r->rgb, NULL, NULL, NULL};
    int dst_stride[4] = {(int)r->stride, 0, 0, 0};

    if (f->width != r->width || f->height != r->height)
        return igp_error(IGP_ERR_INVALIDDATA, r->path, "frame %d is %dx%d, not %dx%d", r->index,
                         f->width, f->height, r->width, r->height);
    r->sws = sws_getCachedContext(r->sws, f->width, f->height, f->format, r->out_w, r->out_h,
                                  AV_PIX_FMT_RGB24, SWS_AREA, NULL, NULL, NULL);
    if (!r->sws)
        return igp_error(IGP_ERR_LIBRARY, r->path, "cannot convert frames to RGB");
    sws_scale(r->sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height, dst, dst_stride);
    return 0;
}

static int media_index(const DetectJob *job, const char *name)
{
    for (guint i = 0; i < job->shoot->media->len; i++)
        if (!strcmp(g_ptr_array_index(job->shoot->media, i), name))
            return (int)i;
    return -1;
}

/* Record how much of media @p index is done and show the stage's progress
 * (a long video moves it frame by frame, with ETA). */
static void progress_at(DetectJob *job, int index, double fraction)
{
    double sum = 0;
    g_mutex_lock(&job->lock);
    job->done[index] = CLAMP(fraction, 0, 1);
    for (guint i = 0; i < job->shoot->media->len; i++)
        sum += job->done[i];
    g_mutex_unlock(&job->lock);
    igp_progress_set(job->progress, sum);
}

/* CPU time of the whole process, seconds (the detector's threads included). */
static double cpu_seconds(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts))
        return 0;
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Smallest face looked for in a video, in working pixels: --min-face (in
 * source pixels) scaled, or VIDEO_MIN_FACE. */
static int video_min_face(const DetectJob *job, const FrameReader *r)
{
    int wanted = job->shoot->settings->face_min_size;
    if (wanted <= 0)
        return VIDEO_MIN_FACE;
    return MAX(16, (int)lround(wanted * (double)r->out_w / r->width));
}

/* Detect on every VIDEO_EVERY-th frame of the master and link the faces
 * into tracks: [{"track": [...]}, ...] in master pixels, or NULL (error in
 * the buffer). Frames are not kept. */
static json_t *find_tracks(DetectJob *job, const char *name, const char *master, int w, int h)
{
    FrameReader r;
    IgpFaceVideo *video = NULL;
    IgpTracker *tracker = NULL;
    IgpTrack *tracks = NULL;
    int index = media_index(job, name);
    json_t *found = NULL;
    gint64 spent = 0;
    double cpu = 0;
    int ret, got = 0, n_tracks = 0, detections = 0, min_face = 0;
    long tiles = 0, tiles_run = 0;
    double t = 0, sx = 1, sy = 1;

    if (!job->detector) {
        igp_error(IGP_ERR_LIBRARY, master, "face detector unavailable: %s", job->detector_error);
        return NULL;
    }
    ret = reader_open(&r, master, VIDEO_MAX_SIDE);
    if (ret == 0 && (r.width != w || r.height != h))
        ret = igp_error(IGP_ERR_INVALIDDATA, master, "master is %dx%d, scrub recorded %dx%d",
                        r.width, r.height, w, h);
    if (ret == 0)
        ret = igp_facedet_video_open(job->detector, job->threads, &video);
    if (ret == 0) {
        tracker = igp_tracker_new(VIDEO_EVERY / r.fps);
        min_face = video_min_face(job, &r);
        sx = (double)r.width / r.out_w, sy = (double)r.height / r.out_h;
    }
    while (ret == 0 && (got = reader_next(&r, &t)) == 1) {
        if (r.index % VIDEO_EVERY == 0) {
            IgpFaceBox *boxes = NULL;
            int n = 0, kept = 0;
            gint64 start = g_get_monotonic_time();
            double cpu_start = cpu_seconds();
            ret = reader_rgb(&r);
            if (ret == 0)
                ret = igp_facedet_video_detect(video, r.rgb, r.out_w, r.out_h, r.stride, min_face,
                                               job->score, &boxes, &n);
            spent += g_get_monotonic_time() - start;
            cpu += cpu_seconds() - cpu_start;
            detections++;
            /* To master pixels, clipped to the frame (as for photos). */
            for (int i = 0; ret == 0 && i < n; i++) {
                double x0 = MAX(0, boxes[i].x * sx), y0 = MAX(0, boxes[i].y * sy);
                double x1 = MIN(w, (boxes[i].x + boxes[i].w) * sx);
                double y1 = MIN(h, (boxes[i].y + boxes[i].h) * sy);
                if (x1 - x0 < 2 || y1 - y0 < 2)
                    continue;
                boxes[kept++] = (IgpFaceBox){(float)x0, (float)y0, (float)(x1 - x0),
                                             (float)(y1 - y0), boxes[i].score};
            }
            if (ret == 0)
                igp_tracker_add(tracker, t, boxes, kept);
            g_free(boxes);
        }
        if (r.frames > 0 && r.index % 10 == 0)
            progress_at(job, index, 0.99 * r.index / r.frames);
    }
    if (ret == 0 && got < 0)
        ret = got;
    if (ret == 0 && r.index < 0)
        ret = igp_error(IGP_ERR_INVALIDDATA, master, "master has no frames");
    if (tracker)
        igp_tracker_finish(&tracker, &tracks, &n_tracks);
    if (video)
        igp_facedet_video_stats(video, &tiles, &tiles_run);
    igp_facedet_video_close(&video);
    if (ret == 0) {
        found = json_array();
        for (int i = 0; i < n_tracks; i++)
            json_array_append_new(found,
                                  json_pack("{s:o}", "track", igp_track_keys_json(&tracks[i])));
        igp_log_note("detect: %s: %d frames, faces looked for in %d at %dx%d (min %d px), %d "
                     "track%s, %.0f ms per detection (%.0f ms of CPU time, all threads); the "
                     "network ran on %ld of %ld tiles, the others were still",
                     name, r.index + 1, detections, r.out_w, r.out_h, min_face, n_tracks,
                     n_tracks == 1 ? "" : "s", detections ? spent / 1000.0 / detections : 0,
                     detections ? cpu * 1000 / detections : 0, tiles_run, tiles);
    }
    igp_tracks_free(tracks, n_tracks);
    reader_close(&r);
    return found;
}

/* One crop of the review sheet: a face at a time. */
typedef struct Shot {
    int face;        ///< index in the faces array
    double t;        ///< seconds
    double box[4];   ///< master pixels
    VipsImage *crop; ///< framed and captioned, or NULL until made
} Shot;

static int cmp_shot(const void *a, const void *b)
{
    const Shot *p = a, *q = b;
    return p->t < q->t ? -1 : p->t > q->t ? 1 : p->face - q->face;
}

/* First, middle and last key of each face (a still box: start, middle, end). */
static GArray *review_shots(json_t *faces, double duration)
{
    GArray *shots = g_array_new(FALSE, TRUE, sizeof(Shot));
    json_t *face;
    size_t i;

    json_array_foreach(faces, i, face)
    {
        json_t *track = json_object_get(face, "track");
        size_t n = json_array_size(track), pick[3] = {0, n / 2, n ? n - 1 : 0};
        for (int s = 0; s < 3; s++) {
            Shot shot = {.face = (int)i};
            json_t *key = json_array_get(track, pick[s]);
            json_t *box = n ? json_object_get(key, "box") : json_object_get(face, "box");
            shot.t = n ? json_number_value(json_object_get(key, "t")) : duration * s / 2.0;
            for (size_t c = 0; c < 4; c++)
                shot.box[c] = json_number_value(json_array_get(box, c));
            if (shot.box[2] > 0 && shot.box[3] > 0)
                g_array_append_val(shots, shot);
        }
    }
    g_array_sort(shots, cmp_shot);
    return shots;
}

/* A white RGB image. */
static VipsImage *white_image(int w, int h)
{
    guchar *px = g_malloc((size_t)w * h * 3);
    VipsImage *img;
    memset(px, 255, (size_t)w * h * 3);
    img = vips_image_new_from_memory_copy(px, (size_t)w * h * 3, w, h, 3, VIPS_FORMAT_UCHAR);
    g_free(px);
    return img;
}

/* The face around @p shot's box in the current (full-size) frame, framed in
 * the face's colour, its time under it. */
static VipsImage *make_crop(const FrameReader *r, const Shot *shot, const json_t *face)
{
    const double *c = status_colour(face);
    const double *b = shot->box;
    static const double black[3] = {0, 0, 0};
    double side = MAX(b[2], b[3]) * 1.6, cx = b[0] + b[2] / 2, cy = b[1] + b[3] / 2;
    int x0 = CLAMP((int)(cx - side / 2), 0, r->width - 1);
    int y0 = CLAMP((int)(cy - side / 2), 0, r->height - 1);
    int x1 = CLAMP((int)(cx + side / 2), x0 + 1, r->width);
    int y1 = CLAMP((int)(cy + side / 2), y0 + 1, r->height);
    VipsImage *frame = vips_image_new_from_memory(r->rgb, r->stride * r->height, r->width,
                                                  r->height, 3, VIPS_FORMAT_UCHAR);
    VipsImage *cut = NULL, *small = NULL, *framed = NULL, *out = NULL;
    VipsArrayDouble *ink = vips_array_double_newv(3, c[0], c[1], c[2]);
    char caption[32];

    g_snprintf(caption, sizeof(caption), "%.2fS", shot->t);
    if (frame && !vips_crop(frame, &cut, x0, y0, x1 - x0, y1 - y0, NULL) &&
        !vips_resize(cut, &small, (double)REVIEW_CROP / (y1 - y0), NULL) &&
        !vips_embed(small, &framed, 6, 6, small->Xsize + 12, small->Ysize + 12, "extend",
                    VIPS_EXTEND_BACKGROUND, "background", ink, NULL) &&
        (out = white_image(framed->Xsize, framed->Ysize + 22))) {
        VipsImage *done = NULL;
        if (!vips_insert(out, framed, &done, 0, 0, NULL)) {
            g_object_unref(out);
            out = vips_image_copy_memory(done);
            g_object_unref(done);
            if (out)
                draw_text(out, caption, 4, framed->Ysize + 5, 2, black);
        } else {
            g_clear_object(&out);
        }
    }
    vips_area_unref(VIPS_AREA(ink));
    vips_error_clear();
    if (frame)
        g_object_unref(frame);
    if (cut)
        g_object_unref(cut);
    if (small)
        g_object_unref(small);
    if (framed)
        g_object_unref(framed);
    return out;
}

/* The number cell of a row: the face's id in its colour. */
static VipsImage *label_cell(const json_t *face)
{
    const char *id = json_string_value(json_object_get(face, "id"));
    VipsImage *cell = white_image(REVIEW_LABEL, REVIEW_CROP + 34);
    int scale = label_width(id, 8) <= REVIEW_LABEL - 16 ? 8 : 4;
    if (cell)
        draw_text(cell, id, 8, (REVIEW_CROP + 34) / 2 - 5 * scale / 2, scale, status_colour(face));
    return cell;
}

/* OUT/review/<media>.png for a video: one row per face, its number, then its
 * first, middle and last crop framed in its colour (red hidden, green
 * cleared, orange manual, grey ignored). A second pass over the master. */
static int write_video_review(const DetectJob *job, const char *name, const char *master,
                              json_t *faces, double duration)
{
    char *file = g_strdup_printf("%s.png", name);
    char *path = g_build_filename(job->shoot->out_dir, "review", file, NULL);
    char *dir = g_path_get_dirname(path);
    GArray *shots = review_shots(faces, duration);
    GPtrArray *cells = g_ptr_array_new_with_free_func(g_object_unref);
    VipsImage *sheet = NULL;
    FrameReader r = {0};
    guint next = 0;
    double t;
    int ret = igp_mkdir_p(dir), got = 0;

    if (ret == 0 && shots->len > 0)
        ret = reader_open(&r, master, 0);
    while (ret == 0 && next < shots->len && (got = reader_next(&r, &t)) == 1) {
        int converted = 0;
        for (; ret == 0 && next < shots->len; next++) {
            Shot *shot = &g_array_index(shots, Shot, next);
            if (shot->t > t + 0.5 / r.fps)
                break;
            if (!converted && (ret = reader_rgb(&r)) == 0)
                converted = 1;
            if (ret == 0)
                shot->crop = make_crop(&r, shot, json_array_get(faces, shot->face));
        }
    }
    if (ret == 0 && got < 0)
        ret = got;
    reader_close(&r);
    /* Rows: face by face, its shots in time order. */
    for (size_t f = 0; ret == 0 && f < json_array_size(faces); f++) {
        int in_row = 1;
        g_ptr_array_add(cells, label_cell(json_array_get(faces, f)));
        for (guint i = 0; i < shots->len; i++) {
            Shot *shot = &g_array_index(shots, Shot, i);
            if (shot->face == (int)f && shot->crop) {
                g_ptr_array_add(cells, g_object_ref(shot->crop));
                in_row++;
            }
        }
        for (; in_row < 4; in_row++)
            g_ptr_array_add(cells, white_image(8, 8));
    }
    for (guint i = 0; i < cells->len; i++)
        if (!g_ptr_array_index(cells, i))
            ret = igp_vips_error(IGP_ERR_LIBRARY, master, "cannot make review sheet");
    if (ret == 0 && cells->len == 0) {
        static const double black[3] = {0, 0, 0};
        VipsImage *none = white_image(420, 60);
        if (none)
            draw_text(none, "NO FACES FOUND", 20, 15, 6, black);
        g_ptr_array_add(cells, none);
    }
    if (ret == 0) {
        VipsArrayDouble *white = vips_array_double_newv(1, 255.0);
        if (vips_arrayjoin((VipsImage **)cells->pdata, &sheet, (int)cells->len, "across", 4, "shim",
                           12, "background", white, NULL))
            ret = igp_vips_error(IGP_ERR_LIBRARY, path, "cannot make review sheet");
        vips_area_unref(VIPS_AREA(white));
    }
    if (ret == 0)
        ret = save_png(sheet, path, "cannot make review sheet");
    for (guint i = 0; i < shots->len; i++)
        if (g_array_index(shots, Shot, i).crop)
            g_object_unref(g_array_index(shots, Shot, i).crop);
    g_array_free(shots, TRUE);
    g_ptr_array_unref(cells);
    if (sheet)
        g_object_unref(sheet);
    g_free(file);
    g_free(path);
    g_free(dir);
    return ret;
}

/* As detect_image(), for a video's face tracks. */
static json_t *detect_video(DetectJob *job, const char *name, json_t *scrubbed, int *searched)
{
    const char *rel = json_string_value(json_object_get(scrubbed, "master"));
    const char *sha = json_string_value(json_object_get(scrubbed, "master_sha256"));
    int w = (int)json_integer_value(json_object_get(scrubbed, "width"));
    int h = (int)json_integer_value(json_object_get(scrubbed, "height"));
    double duration = json_number_value(json_object_get(scrubbed, "duration"));
    char *master = g_build_filename(job->shoot->out_dir, rel, NULL);
    json_t *prev = json_object_get(job->previous, name), *found = NULL, *faces, *entry = NULL;
    IgpTrack *tracks = NULL;
    IgpDigest key;
    int n = 0;

    if (!g_strcmp0(json_string_value(json_object_get(prev, "master_sha256")), sha) &&
        !g_strcmp0(json_string_value(json_object_get(prev, "key")), job->video_key))
        found = json_incref(json_object_get(prev, "found"));
    if (!found)
        found = find_tracks(job, name, master, w, h);
    *searched = found != NULL;
    if (found && igp_faces_check_bounds(job->editor, name, w, h) == 0 &&
        igp_faces_video_tracks(found, IGP_TRACKS_FACES, &tracks, &n) == 0) {
        faces = igp_faces_merge_tracks(igp_faces_of(job->editor, name),
                                       igp_faces_of(job->last, name), tracks, n);
        job->faces[media_index(job, name)] = json_pack(
            "{s:o, s:[i,i], s:{s:s, s:f, s:i, s:i}}", "faces", faces, "size", w, h, "detector",
            "backend", job->detector ? igp_facedet_backend_name(job->detector) : "none", "score",
            round(job->score * 100) / 100, "every", VIDEO_EVERY, "max_side", VIDEO_MAX_SIDE);
        review_key(sha, faces, &key);
        if (review_is_current(job, name, &key) ||
            write_video_review(job, name, master, faces, duration) == 0)
            entry = json_pack("{s:s, s:s, s:s, s:O, s:I, s:s}", "kind", "video", "master_sha256",
                              sha, "key", job->video_key, "found", found, "faces",
                              (json_int_t)json_array_size(faces), "review_key", key.hex);
    }
    igp_tracks_free(tracks, n);
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
    int video = !g_strcmp0(kind, "video"), searched = 0;

    igp_error_clear();
    if (!json_object_get(scrubbed, "master")) {
        job->entries[index] = json_pack("{s:s}", "error", "no master (scrub failed)");
    } else if (!video && g_strcmp0(kind, "image")) {
        job->entries[index] = json_pack("{s:s}", "error", "unknown kind of master");
    } else if (!(job->entries[index] = video ? detect_video(job, name, scrubbed, &searched)
                                             : detect_image(job, name, scrubbed, &searched))) {
        /* Say "detection failed" only when it did: a full disk is a full disk. */
        igp_log_error("%s: %sthis %s is stopped: %s", name,
                      searched ? ""
                      : video  ? "face tracking failed, "
                               : "face detection failed, ",
                      video ? "video" : "photo", igp_error_buffer());
        job->entries[index] = json_pack("{s:s}", "error", igp_error_buffer());
    }
    progress_at(job, index, 1);
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
    g_free(job->done);
    g_mutex_clear(&job->lock);
    g_free(job->entries);
    g_free(job->key);
    g_free(job->video_key);
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
                     .min_face = MAX(0, s->face_min_size),
                     .threads = MAX(1, s->jobs)};

    igp_error_clear();
    ret = load_marks(&job);
    if (ret) {
        igp_log_error("%s", igp_error_buffer());
        igp_log_error("detect: no photo or video can be redacted until %s/%s is fixed",
                      shoot->manifest->dir, IGP_FACES_NAME);
    }
    if (ret == 0)
        open_detector(&job);
    job.key = g_strdup_printf("%s|%s|score %.2f|min %d (0: per photo)", DETECT_RECIPE,
                              job.detector ? igp_facedet_backend_name(job.detector) : "none",
                              job.score, job.min_face);
    job.video_key = g_strdup_printf("%s|%s|every %d|side %d|min %d", job.key, VIDEO_RECIPE,
                                    VIDEO_EVERY, VIDEO_MAX_SIDE, s->face_min_size);
    job.entries = g_new0(json_t *, n);
    job.faces = g_new0(json_t *, n);
    job.done = g_new0(double, n);
    g_mutex_init(&job.lock);
    if (ret == 0) {
        job.progress = igp_progress_new("detect", n);
        igp_parallel_for(n, s->jobs, detect_one, &job);
        igp_progress_free(&job.progress);
    }
    for (int i = 0; i < n; i++) {
        json_t *e =
            job.entries[i] ? job.entries[i] : json_pack("{s:s}", "error", "faces.json is invalid");
        const char *err = json_string_value(json_object_get(e, "error"));
        failed += err && strcmp(err, "no master (scrub failed)");
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
    if (ret && *igp_error_buffer()) /* faces.json or the state could not be written */
        igp_log_error("%s", igp_error_buffer());
    if (ret == 0)
        igp_log_note("detect: %d face%s marked or found in %d media (%s), %d failed; review "
                     "sheets in %s/review",
                     faces, faces == 1 ? "" : "s", n - failed,
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
