/* detect: propose face boxes on each photo master, merge them into
 * OUT/faces.json without touching an editor's decision, and draw review
 * sheets an editor can mark faces from (docs/faces.md). */
#include "stage.h"
#include "faces.h"
#include "log.h"

#include "error.h"
#include "i18n.h"
#include "facedet.h"
#include "fsutil.h"
#include "jpegrows.h"
#include "pngsave.h"
#include "leakcheck.h"
#include "template.h" /* igp_fonts_dir() */

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "track.h"

#include "frames.h"

#include <fontconfig/fontconfig.h>
#include <glib.h>

/* Bump when the same master and settings would give other boxes. */
#define DETECT_RECIPE    "detect-v7"
#define DEFAULT_MIN_FACE 24
/* Photos' working resolution (docs/faces.md, "Working resolution"): a face
 * narrower than POST_MIN_FACE pixels in a delivered post needs no finding.
 * A post crops the largest rectangle of its shape (crop.h) and scales it to
 * its size, so a W x H photo is shown at most max(post width / W, post
 * height / H) times its size, in the posts of the shoot that use it (a
 * template's slot is never larger than its post; a reel is 1080x1920; a
 * post's next-day story shows it in its story template's picture box,
 * story_shown_at). A source face of POST_MIN_FACE over that is the
 * smallest that matters; never below DEFAULT_MIN_FACE. A photo no post uses
 * is taken as a story's. The master is decoded shrunk so that this face is
 * at least IGP_FACEDET_MIN_FACE_INPUT pixels wide (at the JPEG decoder's
 * 1/2, 1/4 or 1/8 when that is within a tenth more, decoder_shrink), which
 * keeps memory flat whatever the camera's resolution. */
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
/* Video review sheets: crop height and the width of the number cell. */
#define REVIEW_CROP  180
#define REVIEW_LABEL 160
/* Review sheets: long side of a media's sheet; width and height of a
 * media's picture in the index. */
#define REVIEW_SIZE 1200
#define INDEX_TILE  400
/* The index pictures of at most this many photos searched in a run are kept
 * in memory (360 KB each) rather than decoded from their masters again. */
#define INDEX_KEEP   64
#define INDEX_HEIGHT 300
/* Scale of the index's face numbers: 3x5 glyphs drawn 4 times, 20 px high. */
#define INDEX_LABEL 4

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
    GMutex lock;                ///< guards done
    double *done;               ///< per media: how much of it is done, 0..1 (a video: frames)
    json_t **entries;           ///< per media: the new state entry
    json_t **faces;             ///< per media: its merged faces.json entry, or NULL
    VipsImage **index_pictures; ///< per photo searched this run: its index picture, or NULL
    int index_kept;             ///< how many index_pictures are held (at most INDEX_KEEP)
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

/* How many times its size the @p w × @p h photo is shown at most in the
 * next-day story of post @p p: in the story template's picture box (the
 * default's is 800 × 1000 in a 1080 × 1920 story, smaller than the feed
 * post); the whole screen when the template cannot be read. */
static double story_shown_at(const char *templates_dir, const IgpPost *p, int w, int h)
{
    const IgpPostTypeInfo *info = igp_post_type_info(p->type);
    double in_box;

    if (info->story != IGP_STORY_UNLESS_OFF) /* a reel's story: its cover, full-screen */
        return shown_at(IGP_ASPECT_9_16, w, h);
    in_box = igp_template_story_scale(templates_dir, igp_post_template_name(p), w, h);
    return in_box > 0 ? in_box : shown_at(IGP_ASPECT_9_16, w, h);
}

/* The smallest face that matters on photo @p name (@p w × @p h), in its
 * pixels: POST_MIN_FACE in the post of the shoot that shows it largest. */
static int photo_min_face(const IgpShoot *shoot, const char *name, int w, int h)
{
    const IgpManifest *m = shoot->manifest;
    char *templates_dir = igp_templates_dir();
    double largest = 0;

    for (int i = 0; m && i < m->n_posts; i++) {
        const IgpPost *p = &m->posts[i];
        for (int j = 0; j < p->n_media; j++) {
            if (strcmp(p->media[j].file, name))
                continue;
            /* stories and reels are 9:16 (their type's aspect) */
            largest = MAX(largest, shown_at(p->aspect, w, h));
            if (igp_post_has_story(p))
                largest = MAX(largest, story_shown_at(templates_dir, p, w, h));
        }
    }
    g_free(templates_dir);
    if (largest <= 0)
        largest = shown_at(IGP_ASPECT_9_16, w, h);
    return MAX(DEFAULT_MIN_FACE, (int)floor(POST_MIN_FACE / largest));
}

/* The JPEG decoder's own shrink (1/2, 1/4 or 1/8) when it gives the
 * master at no less than @p scale and at most a tenth more, else 0: the
 * picture then needs no resampling pass of its own (a 12 MP master in a
 * feed post, wanted at 0.49, is decoded at 1/2; the detector's pyramid
 * takes the rest). */
static int decoder_shrink(double scale)
{
    for (int shrink = 8; shrink >= 2; shrink /= 2)
        if (1.0 / shrink >= scale && 1.0 / shrink <= scale * 1.1)
            return shrink;
    return 0;
}

/* A master with restart rows (jpegrows.h), decoded in two bands at once,
 * shrunk by @p shrink: 0, or 1 when it is not such a JPEG (no message). */
static int load_rgb_in_bands(const char *path, int shrink, IgpRgbImage *img)
{
    int width, height = 0, bands; /* height 0: every row */
    guint8 *pixels = igp_jpeg_rows_decode_file(path, shrink, 0, &width, &height, &bands);

    if (pixels && bands != 3)
        g_clear_pointer(&pixels, g_free); /* grey: the usual way converts it */
    if (!pixels)
        return 1;
    *img = (IgpRgbImage){pixels, width, height, (size_t)width * 3, 0, 0};
    return 0;
}

/* The master as 8-bit RGB in memory, shrunk by about @p scale (<= 1) on
 * load (libvips' shrink-on-load: no full-size buffer); its own size in
 * @p w, @p h. The picture may be up to a tenth larger than asked. */
static int load_rgb(const char *path, double scale, IgpRgbImage *img, int *w, int *h)
{
    VipsImage *image = vips_image_new_from_file(path, NULL), *small = NULL, *rgb = NULL;
    size_t len = 0;
    int ret = 0, shrink = decoder_shrink(scale);

    if (!image)
        return igp_vips_error(IGP_ERR_INVALIDDATA, path, _("cannot read master"));
    *w = image->Xsize, *h = image->Ysize;
    if ((scale >= 1 || shrink) &&
        !g_strcmp0(vips_foreign_find_load(path), "VipsForeignLoadJpegFile") &&
        load_rgb_in_bands(path, scale >= 1 ? 1 : shrink, img) == 0) {
        g_object_unref(image);
        return 0;
    }
    if (scale >= 1)
        small = g_object_ref(image);
    else if (shrink && !g_strcmp0(vips_foreign_find_load(path), "VipsForeignLoadJpegFile")) {
        if (vips_jpegload(path, &small, "shrink", shrink, NULL))
            ret = igp_vips_error(IGP_ERR_INVALIDDATA, path, _("cannot read master"));
    } else if (vips_thumbnail(path, &small, MAX(1, (int)lround(*w * scale)), "height",
                              MAX(1, (int)lround(*h * scale)), "size", VIPS_SIZE_FORCE, "no_rotate",
                              TRUE, NULL))
        ret = igp_vips_error(IGP_ERR_INVALIDDATA, path, _("cannot read master"));
    if (ret == 0 && small->Bands == 3 && small->BandFmt == VIPS_FORMAT_UCHAR)
        rgb = g_object_ref(small);
    else if (ret == 0 && vips_colourspace(small, &rgb, VIPS_INTERPRETATION_sRGB, NULL))
        ret = igp_vips_error(IGP_ERR_INVALIDDATA, path, _("cannot convert master to RGB"));
    if (ret == 0) {
        img->width = rgb->Xsize;
        img->height = rgb->Ysize;
        img->stride = (size_t)img->width * 3;
        img->data = vips_image_write_to_memory(rgb, &len);
        if (!img->data || len != img->stride * img->height)
            ret = igp_vips_error(IGP_ERR_INVALIDDATA, path, _("cannot decode master"));
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

/* @p image computed into a memory image of its own, which holds nothing of
 * what it was made from (a libvips image computed in place, or copied with
 * vips_image_copy_memory, keeps its whole pipeline alive); @p image is
 * unreffed. NULL when @p image is NULL or cannot be computed. */
static VipsImage *detached(VipsImage *image)
{
    VipsImage *copy = NULL;
    size_t len = 0;
    void *pixels = image ? vips_image_write_to_memory(image, &len) : NULL;

    if (pixels)
        copy = vips_image_new_from_memory_copy(pixels, len, image->Xsize, image->Ysize,
                                               image->Bands, image->BandFmt);
    g_free(pixels);
    if (image)
        g_object_unref(image);
    vips_error_clear();
    return copy;
}

/* The decoded picture shrunk to fit REVIEW_SIZE, for the review sheets, so
 * that they need not decode the master again; NULL when it is smaller than
 * that (the sheet then reads the master). */
static VipsImage *review_picture(const IgpRgbImage *img)
{
    VipsImage *whole, *small = NULL;

    if (MAX(img->width, img->height) < REVIEW_SIZE)
        return NULL;
    whole = vips_image_new_from_memory(img->data, img->stride * img->height, img->width,
                                       img->height, 3, VIPS_FORMAT_UCHAR);
    if (whole && vips_thumbnail_image(whole, &small, REVIEW_SIZE, "height", REVIEW_SIZE, NULL))
        small = NULL;
    if (whole)
        g_object_unref(whole);
    return detached(small); /* img is freed next */
}

static gpointer review_picture_thread(gpointer img)
{
    VipsImage *small = review_picture(img);

    vips_thread_shutdown(); /* libvips' buffers for this thread go */
    return small;
}

/* Run the detector on one master (@p w × @p h, from scrub); NULL on error
 * (in the buffer). @p small: the picture for the review sheets (review_picture). */
static json_t *find_faces(DetectJob *job, const char *master, int min_face, int *w, int *h,
                          VipsImage **small)
{
    IgpRgbImage img = {0};
    IgpFaceFound *found = NULL;
    int n = 0, ret;
    double scale = 1;
    json_t *faces = NULL;

    if (!job->detector) {
        igp_error(IGP_ERR_LIBRARY, master, _("face detector unavailable: %s"), job->detector_error);
        return NULL;
    }
    if (igp_facedet_backend(job->detector) == IGP_FACEDET_BLAZEFACE)
        scale = MIN(1.0, (double)IGP_FACEDET_MIN_FACE_INPUT / min_face);
    ret = load_rgb(master, scale, &img, w, h);
    if (ret == 0) {
        double sx = (double)img.width / *w, sy = (double)img.height / *h;
        /* The review sheet's picture is shrunk meanwhile: the detector's
         * first steps (its pyramid) leave a processor free. */
        GThread *shrinking = g_thread_try_new("review-picture", review_picture_thread, &img, NULL);
        ret = igp_facedet_find(job->detector, img.data, img.width, img.height, img.stride,
                               MAX(8, (int)lround(min_face * sx)), job->score, &found, &n);
        *small = shrinking ? g_thread_join(shrinking) : review_picture(&img);
        if (ret == 0)
            faces = boxes_json(found, n, sx, sy, *w, *h);
        else
            g_clear_object(small);
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

/* Can the built-in font draw @p text? ASCII only: anything else (the
 * Japanese labels, a Japanese file name) needs a real font. */
static int bitmap_font_draws(const char *text)
{
    for (const char *c = text; *c; c++)
        if ((unsigned char)*c >= 0x80)
            return 0;
    return 1;
}

/* @p text drawn with the bundled BIZ UDPGothic (libvips's text operation,
 * pango) as a one-band mask, its letters about as high as the built-in
 * font's at @p scale; NULL when it cannot be made. pango's and fontconfig's
 * caches live as long as the process: not leaks. */
static VipsImage *text_mask(const char *text, int scale)
{
    static char *fontfile;
    char *font = g_strdup_printf("BIZ UDPGothic %dpx", 7 * scale);
    VipsImage *mask = NULL;

    /* The font is added to fontconfig's current configuration, which
     * libvips's text operation reads, once: its own "fontfile" option
     * keeps a freed name in its table of loaded files (libvips 8.14). */
    if (g_once_init_enter(&fontfile)) {
        char *dir = igp_fonts_dir(),
             *path = g_build_filename(dir, "BIZUDPGothic-Regular.ttf", NULL);
        igp_leakcheck_pause();
        FcConfigAppFontAddFile(NULL, (const FcChar8 *)path);
        igp_leakcheck_resume();
        g_free(dir);
        g_once_init_leave(&fontfile, path);
    }
    igp_leakcheck_pause();
    if (vips_text(&mask, text, "font", font, "dpi", 72, NULL))
        vips_error_clear();
    igp_leakcheck_resume();
    g_free(font);
    return mask;
}

/* Width in pixels of @p text drawn at @p scale. */
static int label_width(const char *text, int scale)
{
    VipsImage *mask = bitmap_font_draws(text) ? NULL : text_mask(text, scale);
    int w = mask ? mask->Xsize : (int)strlen(text) * 4 * scale - scale;

    if (mask)
        g_object_unref(mask);
    return w;
}

/* Fill a @p w × @p h square of @p img at (x, y) with @p ink, clipped. The
 * pictures drawn on here are 8-bit RGB in memory, so their bytes are
 * written directly: the built-in font draws each glyph as up to 15 such
 * squares, and one vips_draw_rect() call per square (an operation built
 * and run each time) cost a 12 MP photo's review sheet and the index
 * about 0.17 s. */
static void fill_square(VipsImage *img, const double *ink, int x, int y, int w, int h)
{
    int x0 = MAX(0, x), y0 = MAX(0, y), x1 = MIN(img->Xsize, x + w), y1 = MIN(img->Ysize, y + h);

    if (x0 >= x1 || y0 >= y1)
        return;
    if (img->Bands != 3 || img->BandFmt != VIPS_FORMAT_UCHAR || vips_image_inplace(img)) {
        vips_error_clear();
        vips_draw_rect(img, (double *)ink, 3, x, y, w, h, "fill", TRUE, NULL);
        return;
    }
    for (int row = y0; row < y1; row++)
        for (VipsPel *p = VIPS_IMAGE_ADDR(img, x0, row), *end = p + 3 * (x1 - x0); p < end; p += 3)
            p[0] = (VipsPel)ink[0], p[1] = (VipsPel)ink[1], p[2] = (VipsPel)ink[2];
}

/* Draw @p text with its top-left corner at (x, y). */
static void draw_text(VipsImage *img, const char *text, int x, int y, int scale, const double *ink)
{
    if (!bitmap_font_draws(text)) {
        VipsImage *mask = text_mask(text, scale);
        /* The real font's line is taller: centred on the built-in one's. */
        if (mask &&
            vips_draw_mask(img, (double *)ink, 3, mask, x, y + (5 * scale - mask->Ysize) / 2, NULL))
            vips_error_clear();
        if (mask)
            g_object_unref(mask);
        return;
    }
    for (const char *c = text; *c; c++, x += 4 * scale) {
        unsigned short g = glyph(*c);
        for (int row = 0; row < 5; row++)
            for (int col = 0; col < 3; col++)
                if (g >> ((4 - row) * 3 + (2 - col)) & 1)
                    fill_square(img, ink, x + col * scale, y + row * scale, scale, scale);
    }
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

static const double BLACK[3] = {0, 0, 0};
static const double WHITE[3] = {255, 255, 255};

/* Black or white, whichever contrasts more with @p bg (WCAG's relative
 * luminance: above 0.179 black reads better). */
static const double *ink_on(const double *bg)
{
    static const double weight[3] = {0.2126, 0.7152, 0.0722};
    double lum = 0;
    for (int c = 0; c < 3; c++) {
        double v = bg[c] / 255;
        lum += weight[c] * (v <= 0.03928 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4));
    }
    return lum > 0.179 ? BLACK : WHITE;
}

/* A number tab: @p text at @p scale, black or white on @p bg, framed by 2
 * pixels of the text's colour so that it stands out on any photo. Its
 * bottom at @p bottom (its top at 0 when there is no room above), kept
 * inside the picture sideways. */
static void draw_tab(VipsImage *img, const char *text, int x, int bottom, int scale,
                     const double *bg)
{
    const double *ink = ink_on(bg);
    int pad = scale + 2, w = label_width(text, scale) + 2 * pad, h = 5 * scale + 2 * pad;
    int y = MAX(0, bottom - h);

    x = CLAMP(x, 0, MAX(0, img->Xsize - w));
    vips_draw_rect(img, (double *)ink, 3, x, y, w, h, "fill", TRUE, NULL);
    vips_draw_rect(img, (double *)bg, 3, x + 2, y + 2, w - 4, h - 4, "fill", TRUE, NULL);
    draw_text(img, text, x + pad, y + pad, scale, ink);
}

/* What a media's faces come to: hidden by the editor's decision (or a
 * manual box), cleared, not a face, and undecided (found by the detector,
 * not in the editor's marks: hidden until someone decides). */
typedef struct Tally {
    int hidden, cleared, ignored, undecided;
} Tally;

/* Is face @p face in the editor's marks @p marks (by id)? */
static int is_decided(const json_t *face, const json_t *marks)
{
    const char *id = json_string_value(json_object_get(face, "id"));
    const json_t *mark;
    size_t i;

    json_array_foreach(marks, i, mark)
    {
        if (!g_strcmp0(json_string_value(json_object_get(mark, "id")), id))
            return 1;
    }
    return 0;
}

static Tally tally_faces(const json_t *faces, const json_t *marks)
{
    const json_t *face;
    Tally t = {0};
    size_t i;

    json_array_foreach(faces, i, face)
    {
        if (igp_face_is_cleared(face))
            t.cleared++;
        else if (igp_face_is_ignored(face))
            t.ignored++;
        else if (is_decided(face, marks))
            t.hidden++;
        else
            t.undecided++;
    }
    return t;
}

/* The number on the sheets: undecided faces get a "?" after it. */
static char *sheet_label(const json_t *face, const json_t *marks)
{
    int undecided =
        !igp_face_is_cleared(face) && !igp_face_is_ignored(face) && !is_decided(face, marks);
    return g_strdup_printf("%s%s", face_label(face), undecided ? "?" : "");
}

/* The counts as "[] 3 HIDDEN  [] 1 CLEARED  [] 0 NOT A FACE  [] 2 UNDECIDED",
 * each after a square of its colour (undecided: an empty red one), from
 * (x, y), wrapping within @p width. @p img NULL only measures. Returns the
 * height used. */
static int draw_tally(VipsImage *img, const Tally *t, int x, int y, int scale, int width)
{
    const struct {
        int n;
        const char *what;
        const double *colour;
    } part[] = {{t->hidden, N_("%d HIDDEN"), COLOUR_HIDDEN},
                {t->cleared, N_("%d CLEARED"), COLOUR_CLEARED},
                {t->ignored, N_("%d NOT A FACE"), COLOUR_IGNORED},
                {t->undecided, N_("%d UNDECIDED"), COLOUR_HIDDEN}};
    int line = 7 * scale, at = x, top = y;

    for (size_t i = 0; i < G_N_ELEMENTS(part); i++) {
        char *text = g_strdup_printf(_(part[i].what), part[i].n);
        int w = 5 * scale + 2 * scale + label_width(text, scale);
        if (at > x && at + w > x + width)
            at = x, y += line;
        if (img) {
            vips_draw_rect(img, (double *)part[i].colour, 3, at, y, 5 * scale, 5 * scale, "fill",
                           TRUE, NULL);
            if (i == 3) /* hollow: hidden, but nobody has decided yet */
                vips_draw_rect(img, (double *)WHITE, 3, at + scale, y + scale, 3 * scale, 3 * scale,
                               "fill", TRUE, NULL);
            draw_text(img, text, at + 7 * scale, y, scale, BLACK);
        }
        at += w + 4 * scale;
        g_free(text);
    }
    return y + line - top;
}

/* @p img as 8-bit sRGB with three bands, in memory (drawable); NULL on error. */
static VipsImage *drawable_copy(VipsImage *img)
{
    VipsImage *rgb = NULL, *three = NULL, *out = NULL;

    if (!vips_colourspace(img, &rgb, VIPS_INTERPRETATION_sRGB, NULL) &&
        !vips_extract_band(rgb, &three, 0, "n", 3, NULL))
        out = vips_image_copy_memory(three);
    if (rgb)
        g_object_unref(rgb);
    if (three)
        g_object_unref(three);
    return out;
}

/* @p picture above a white band of @p band pixels; NULL on error. */
static VipsImage *with_band(VipsImage *picture, int band)
{
    VipsImage *canvas = white_image(picture->Xsize, picture->Ysize + band), *joined = NULL, *out;

    if (!canvas || vips_insert(canvas, picture, &joined, 0, 0, NULL)) {
        if (canvas)
            g_object_unref(canvas);
        return NULL;
    }
    out = vips_image_copy_memory(joined);
    g_object_unref(canvas);
    g_object_unref(joined);
    return out;
}

/* A box outline three pixels thick with its number on a tab above it. */
static void draw_face(VipsImage *sheet, const json_t *face, const json_t *marks, double scale,
                      int text_scale, int thickness)
{
    const double *c = status_colour(face);
    double ink[3] = {c[0], c[1], c[2]}, b[4];
    char *label;
    int x, y, w, h;

    if (igp_face_box(face, b))
        return;
    x = (int)(b[0] * scale), y = (int)(b[1] * scale);
    w = MAX(4, (int)(b[2] * scale)), h = MAX(4, (int)(b[3] * scale));
    for (int t = 0; t < thickness; t++)
        vips_draw_rect(sheet, ink, 3, x - t, y - t, w + 2 * t, h + 2 * t, NULL);
    label = sheet_label(face, marks);
    draw_tab(sheet, label, x - thickness + 1, y - thickness + 1, text_scale, ink);
    g_free(label);
    vips_error_clear();
}

/* Encode @p sheet as PNG in memory (pngsave.h: a grainy 12 MP photo's
 * sheet in about 25 ms, libvips' pngsave at zlib level 1 took 45), then
 * write it atomically, so that a full disk is reported as one, naming the
 * file. */
static int save_png(VipsImage *sheet, const char *path)
{
    void *png = NULL;
    size_t len = 0;
    int ret = igp_png_encode(sheet, path, &png, &len);

    if (ret == 0)
        ret = igp_write_file_atomic(path, png, len);
    g_free(png);
    return ret;
}

/* Height of the band with_counts() puts under a @p width wide picture. */
static int counts_height(const Tally *t, int width, int scale)
{
    return 8 * scale + draw_tally(NULL, t, 0, 0, scale, width - 4 * scale) + 2 * scale;
}

/* The band under a sheet: the media's name, then its counts. */
static VipsImage *with_counts(VipsImage *picture, const char *name, const Tally *t, int scale)
{
    VipsImage *out = with_band(picture, counts_height(t, picture->Xsize, scale));

    if (out) {
        draw_text(out, name, 2 * scale, picture->Ysize + 2 * scale, scale, BLACK);
        draw_tally(out, t, 2 * scale, picture->Ysize + 9 * scale, scale,
                   picture->Xsize - 4 * scale);
    }
    return out;
}

/* OUT/review/<media>.png: the master with every face numbered and coloured,
 * and under it how many faces are hidden, cleared, not a face, undecided. */
static int write_review(const DetectJob *job, const char *name, const char *master, json_t *faces,
                        int width, VipsImage *small)
{
    char *file = g_strdup_printf("%s.png", name);
    char *path = g_build_filename(job->shoot->out_dir, "review", file, NULL);
    char *dir = g_path_get_dirname(path);
    const json_t *marks = igp_faces_of(job->editor, name);
    Tally tally = tally_faces(faces, marks);
    VipsImage *thumb = NULL, *picture = NULL, *sheet = NULL;
    json_t *face;
    size_t i;
    int ret = igp_mkdir_p(dir);

    if (ret == 0 && small)
        thumb = g_object_ref(small);
    else if (ret == 0 && vips_thumbnail(master, &thumb, REVIEW_SIZE, "height", REVIEW_SIZE, NULL))
        ret = igp_vips_error(IGP_ERR_LIBRARY, master, _("cannot make review sheet"));
    if (ret == 0 && !(picture = drawable_copy(thumb)))
        ret = igp_vips_error(IGP_ERR_LIBRARY, master, _("cannot make review sheet"));
    json_array_foreach(ret ? NULL : faces, i, face)
        draw_face(picture, face, marks, (double)picture->Xsize / width, 4, 3);
    if (ret == 0 && !(sheet = with_counts(picture, name, &tally, 3)))
        ret = igp_vips_error(IGP_ERR_LIBRARY, master, _("cannot make review sheet"));
    if (ret == 0)
        ret = save_png(sheet, path);
    if (thumb)
        g_object_unref(thumb);
    if (picture)
        g_object_unref(picture);
    if (sheet)
        g_object_unref(sheet);
    g_free(file);
    g_free(path);
    g_free(dir);
    return ret;
}

/* The index of media @p name in the shoot, or -1. */
static int media_index(const DetectJob *job, const char *name)
{
    for (guint i = 0; i < job->shoot->media->len; i++)
        if (!strcmp(g_ptr_array_index(job->shoot->media, i), name))
            return (int)i;
    return -1;
}

/* A photo's picture in the index: its master, small, with its faces drawn
 * at that size so their numbers stay large. NULL when there is no master. */
static VipsImage *index_photo(const DetectJob *job, const char *name, json_t *entry)
{
    json_t *scrubbed = json_object_get(job->masters, name);
    const char *rel = json_string_value(json_object_get(scrubbed, "master"));
    const json_t *marks = igp_faces_of(job->editor, name);
    int width = (int)json_integer_value(json_array_get(json_object_get(entry, "size"), 0));
    char *master = rel ? g_build_filename(job->shoot->out_dir, rel, NULL) : NULL;
    int index = media_index(job, name);
    VipsImage *thumb = NULL, *picture = NULL;
    json_t *face;
    size_t i;

    if (index >= 0 && job->index_pictures[index] && width > 0)
        picture = drawable_copy(job->index_pictures[index]);
    else if (master && width > 0 && igp_path_exists(master) &&
             g_strcmp0(json_string_value(json_object_get(scrubbed, "kind")), "video") &&
             !vips_thumbnail(master, &thumb, INDEX_TILE, "height", INDEX_HEIGHT, NULL))
        picture = drawable_copy(thumb);
    json_array_foreach(picture ? json_object_get(entry, "faces") : NULL, i, face)
        draw_face(picture, face, marks, (double)picture->Xsize / width, INDEX_LABEL, 2);
    vips_error_clear();
    if (thumb)
        g_object_unref(thumb);
    g_free(master);
    return picture;
}

/* A video's picture in the index: its sheet without its counts, small (its
 * rows' numbers are large already). NULL when the sheet is missing. */
static VipsImage *index_video(const DetectJob *job, const char *name, const Tally *tally)
{
    char *file = g_strdup_printf("%s.png", name);
    char *review = g_build_filename(job->shoot->out_dir, "review", file, NULL);
    VipsImage *sheet = NULL, *rows = NULL, *thumb = NULL, *picture = NULL;

    if (igp_path_exists(review) && (sheet = vips_image_new_from_file(review, NULL))) {
        int band = counts_height(tally, sheet->Xsize, 3);
        if (sheet->Ysize > band &&
            !vips_crop(sheet, &rows, 0, 0, sheet->Xsize, sheet->Ysize - band, NULL) &&
            !vips_thumbnail_image(rows, &thumb, INDEX_TILE, "height", INDEX_HEIGHT, NULL))
            picture = drawable_copy(thumb);
    }
    vips_error_clear();
    if (sheet)
        g_object_unref(sheet);
    if (rows)
        g_object_unref(rows);
    if (thumb)
        g_object_unref(thumb);
    g_free(file);
    g_free(review);
    return picture;
}

/* One tile of the index: the media with its numbered faces, its name and
 * its counts under it. NULL when there is nothing to show. */
static VipsImage *index_tile(const DetectJob *job, const char *name, json_t *entry)
{
    const json_t *marks = igp_faces_of(job->editor, name);
    Tally tally = tally_faces(json_object_get(entry, "faces"), marks);
    VipsImage *picture = index_photo(job, name, entry), *framed = NULL, *tile = NULL;

    if (!picture)
        picture = index_video(job, name, &tally);
    /* Every tile the same size, so that the names line up row by row. */
    if (picture && !vips_embed(picture, &framed, 0, 0, INDEX_TILE, INDEX_HEIGHT, "extend",
                               VIPS_EXTEND_WHITE, NULL))
        tile = with_counts(framed, name, &tally, 2);
    vips_error_clear();
    if (picture)
        g_object_unref(picture);
    if (framed)
        g_object_unref(framed);
    return tile;
}

/* OUT/review/index.png: every media, small, four to a row, with large
 * numbers and each one's counts. */
static int write_index(const DetectJob *job, json_t *media)
{
    GPtrArray *tiles = g_ptr_array_new_with_free_func(g_object_unref);
    char *path = g_build_filename(job->shoot->out_dir, "review", "index.png", NULL);
    const char *name;
    json_t *entry;
    VipsImage *sheet = NULL, *tile;
    int ret = 0;

    json_object_foreach(media, name, entry)
    {
        if ((tile = index_tile(job, name, entry)))
            g_ptr_array_add(tiles, tile);
    }
    if (tiles->len > 0) {
        VipsArrayDouble *white = vips_array_double_newv(1, 255.0);
        if (vips_arrayjoin((VipsImage **)tiles->pdata, &sheet, (int)tiles->len, "across",
                           MIN(4, (int)tiles->len), "shim", 16, "background", white, NULL))
            ret = igp_vips_error(IGP_ERR_LIBRARY, path, _("cannot make index sheet"));
        vips_area_unref(VIPS_AREA(white));
        if (ret == 0)
            ret = save_png(sheet, path);
    }
    if (sheet)
        g_object_unref(sheet);
    g_ptr_array_unref(tiles);
    g_free(path);
    return ret;
}

/* ---- one media ---- */

/* A review sheet shows the master, its faces and which of them the editor
 * has decided on: same all three, same sheet. */
static void review_key(const char *master_sha, json_t *faces, const json_t *marks, IgpDigest *key)
{
    char *text = json_dumps(faces, JSON_SORT_KEYS | JSON_COMPACT);
    GString *all = g_string_new(NULL);
    const json_t *face;
    size_t i;

    /* The sheets' words are in the user's language: another language, another sheet. */
    g_string_printf(all, "review-v2|%s|%s|%s|", igp_i18n_is_japanese() ? "ja" : "en", master_sha,
                    text);
    json_array_foreach(faces, i, face) g_string_append_c(all, is_decided(face, marks) ? '1' : '0');
    igp_hash_bytes(all->str, all->len, key);
    g_string_free(all, TRUE);
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

/* Keep the index's picture of photo @p name, made from @p small, its
 * review picture (for at most INDEX_KEEP photos: beyond, the index decodes
 * their masters again). */
static void keep_index_picture(DetectJob *job, const char *name, VipsImage *small)
{
    int index = media_index(job, name);
    VipsImage *thumb = NULL;

    if (index < 0 || g_atomic_int_add(&job->index_kept, 1) >= INDEX_KEEP)
        return;
    if (vips_thumbnail_image(small, &thumb, INDEX_TILE, "height", INDEX_HEIGHT, NULL) == 0)
        job->index_pictures[index] = detached(thumb); /* small goes next */
    vips_error_clear();
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
    VipsImage *small = NULL;
    IgpFaceBox *boxes;
    IgpDigest key;
    int n, index = -1;

    if (!found)
        found = find_faces(job, master, min_face, &w, &h, &small);
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
        review_key(sha, faces, igp_faces_of(job->editor, name), &key);
        if (review_is_current(job, name, &key) ||
            write_review(job, name, master, faces, w, small) == 0)
            entry = json_pack("{s:s, s:s, s:i, s:O, s:I, s:s}", "master_sha256", sha, "key",
                              job->key, "min_face", min_face, "found", found, "faces",
                              (json_int_t)json_array_size(faces), "review_key", key.hex);
    }
    if (small && entry)
        keep_index_picture(job, name, small);
    if (small)
        g_object_unref(small);
    json_decref(found);
    g_free(master);
    return entry;
}

/* ---- videos: face tracks ---- */

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
static int video_min_face(const DetectJob *job, const IgpFrameReader *r)
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
    IgpFrameReader r;
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
        igp_error(IGP_ERR_LIBRARY, master, _("face detector unavailable: %s"), job->detector_error);
        return NULL;
    }
    ret = igp_frame_reader_open(&r, master, VIDEO_MAX_SIDE);
    if (ret == 0 && (r.width != w || r.height != h))
        ret = igp_error(IGP_ERR_INVALIDDATA, master, _("master is %dx%d, scrub recorded %dx%d"),
                        r.width, r.height, w, h);
    if (ret == 0)
        ret = igp_facedet_video_open(job->detector, job->threads, &video);
    if (ret == 0) {
        tracker = igp_tracker_new(VIDEO_EVERY / r.fps);
        min_face = video_min_face(job, &r);
        sx = (double)r.width / r.out_w, sy = (double)r.height / r.out_h;
    }
    while (ret == 0 && (got = igp_frame_reader_next(&r, &t)) == 1) {
        if (r.index % VIDEO_EVERY == 0) {
            IgpFaceBox *boxes = NULL;
            int n = 0, kept = 0;
            gint64 start = g_get_monotonic_time();
            double cpu_start = cpu_seconds();
            ret = igp_frame_reader_rgb(&r);
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
        ret = igp_error(IGP_ERR_INVALIDDATA, master, _("master has no frames"));
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
        igp_log_note(ngettext("detect: %s: %d frames, faces looked for in %d at %dx%d (min %d "
                              "px), %d track, %.0f ms per detection (%.0f ms of CPU time, all "
                              "threads); the network ran on %ld of %ld tiles, the others were "
                              "still",
                              "detect: %s: %d frames, faces looked for in %d at %dx%d (min %d "
                              "px), %d tracks, %.0f ms per detection (%.0f ms of CPU time, all "
                              "threads); the network ran on %ld of %ld tiles, the others were "
                              "still",
                              n_tracks),
                     name, r.index + 1, detections, r.out_w, r.out_h, min_face, n_tracks,
                     detections ? spent / 1000.0 / detections : 0,
                     detections ? cpu * 1000 / detections : 0, tiles_run, tiles);
    }
    igp_tracks_free(tracks, n_tracks);
    igp_frame_reader_close(&r);
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

/* The face around @p shot's box in the current (full-size) frame, framed in
 * the face's colour, its time under it. */
static VipsImage *make_crop(const IgpFrameReader *r, const Shot *shot, const json_t *face)
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
static VipsImage *label_cell(const json_t *face, const json_t *marks)
{
    const char *id = json_string_value(json_object_get(face, "id"));
    int undecided =
        !igp_face_is_cleared(face) && !igp_face_is_ignored(face) && !is_decided(face, marks);
    char *label = g_strdup_printf("%s%s", id, undecided ? "?" : "");
    VipsImage *cell = white_image(REVIEW_LABEL, REVIEW_CROP + 34);
    int scale = label_width(label, 8) <= REVIEW_LABEL - 16 ? 8 : 4;

    if (cell)
        draw_text(cell, label, 8, (REVIEW_CROP + 34) / 2 - 5 * scale / 2, scale,
                  status_colour(face));
    g_free(label);
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
    IgpFrameReader r = {0};
    guint next = 0;
    double t;
    int ret = igp_mkdir_p(dir), got = 0;

    if (ret == 0 && shots->len > 0)
        ret = igp_frame_reader_open(&r, master, 0);
    while (ret == 0 && next < shots->len && (got = igp_frame_reader_next(&r, &t)) == 1) {
        int converted = 0;
        for (; ret == 0 && next < shots->len; next++) {
            Shot *shot = &g_array_index(shots, Shot, next);
            if (shot->t > t + 0.5 / r.fps)
                break;
            if (!converted && (ret = igp_frame_reader_rgb(&r)) == 0)
                converted = 1;
            if (ret == 0)
                shot->crop = make_crop(&r, shot, json_array_get(faces, shot->face));
        }
    }
    if (ret == 0 && got < 0)
        ret = got;
    igp_frame_reader_close(&r);
    /* Rows: face by face, its shots in time order. */
    for (size_t f = 0; ret == 0 && f < json_array_size(faces); f++) {
        int in_row = 1;
        g_ptr_array_add(cells,
                        label_cell(json_array_get(faces, f), igp_faces_of(job->editor, name)));
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
            ret = igp_vips_error(IGP_ERR_LIBRARY, master, _("cannot make review sheet"));
    if (ret == 0 && cells->len == 0) {
        static const double black[3] = {0, 0, 0};
        VipsImage *none = white_image(420, 60);
        if (none)
            draw_text(none, _("NO FACES FOUND"), 20, 15, 6, black);
        g_ptr_array_add(cells, none);
    }
    if (ret == 0) {
        VipsArrayDouble *white = vips_array_double_newv(1, 255.0);
        if (vips_arrayjoin((VipsImage **)cells->pdata, &sheet, (int)cells->len, "across", 4, "shim",
                           12, "background", white, NULL))
            ret = igp_vips_error(IGP_ERR_LIBRARY, path, _("cannot make review sheet"));
        vips_area_unref(VIPS_AREA(white));
    }
    if (ret == 0) {
        Tally tally = tally_faces(faces, igp_faces_of(job->editor, name));
        VipsImage *counted = with_counts(sheet, name, &tally, 3);
        g_object_unref(sheet);
        if (!(sheet = counted))
            ret = igp_vips_error(IGP_ERR_LIBRARY, path, _("cannot make review sheet"));
    }
    if (ret == 0)
        ret = save_png(sheet, path);
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
        review_key(sha, faces, igp_faces_of(job->editor, name), &key);
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
        const char *fmt = searched ? (video ? _("%s: this video is stopped: %s")
                                            : _("%s: this photo is stopped: %s"))
                          : video  ? _("%s: face tracking failed, this video is stopped: %s")
                                   : _("%s: face detection failed, this photo is stopped: %s");
        igp_log_error(fmt, name, igp_error_buffer());
        job->entries[index] = json_pack("{s:s}", "error", igp_error_buffer());
    }
    progress_at(job, index, 1);
}

/* The face of @p faces with id @p id, or NULL. */
static const json_t *face_by_id(const json_t *faces, const char *id)
{
    const json_t *face;
    size_t i;

    json_array_foreach(faces, i, face)
    {
        if (!g_strcmp0(json_string_value(json_object_get(face, "id")), id))
            return face;
    }
    return NULL;
}

/* The faces whose decision this run changed against the last run's
 * OUT/faces.json ("IMG_0013.JPG f2: cleared -> hidden"; a face gone from the
 * marks, a manual box deleted, is "removed"): a note each, and the list for
 * state/detect.json and reports/redaction.json. */

/* A face's decision in the user's language (in English, faces.json's own words). */
static const char *decision_words(const char *decision)
{
    static const struct {
        const char *key, *words;
    } words[] = {{"hidden", N_("hidden")},
                 {"cleared", N_("cleared")},
                 {"ignored", N_("ignored")},
                 {"removed", N_("removed")}};

    for (size_t i = 0; i < G_N_ELEMENTS(words); i++)
        if (!strcmp(decision, words[i].key))
            return _(words[i].words);
    return decision;
}

static json_t *decision_changes(const DetectJob *job)
{
    json_t *changes = json_array();

    for (guint m = 0; m < job->shoot->media->len; m++) {
        const char *name = g_ptr_array_index(job->shoot->media, m);
        const json_t *now = json_object_get(job->faces[m], "faces"), *face;
        size_t i;

        json_array_foreach(job->faces[m] ? igp_faces_of(job->last, name) : NULL, i, face)
        {
            const char *id = json_string_value(json_object_get(face, "id"));
            const json_t *after = face_by_id(now, id);
            const char *from = igp_face_decision(face);
            const char *to = after ? igp_face_decision(after) : "removed";
            if (!id || !strcmp(from, to))
                continue;
            igp_log_note(_("detect: %s %s: %s -> %s (changed since the last run)"), name, id,
                         decision_words(from), decision_words(to));
            json_array_append_new(changes, json_pack("{s:s, s:s, s:s, s:s}", "media", name, "id",
                                                     id, "from", from, "to", to));
        }
    }
    return changes;
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
        ret = write_index(job, media);
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
        igp_log_warning(_("face model %s not found: detecting with OpenCV's Haar cascades, which "
                          "miss more faces (run scripts/fetch-models.sh)"),
                        model);
    }
    g_free(model);
}

static void free_job(DetectJob *job)
{
    for (guint i = 0; job->faces && i < job->shoot->media->len; i++)
        json_decref(job->faces[i]);
    for (guint i = 0; job->index_pictures && i < job->shoot->media->len; i++)
        if (job->index_pictures[i])
            g_object_unref(job->index_pictures[i]);
    g_free(job->faces);
    g_free(job->index_pictures);
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

/* The names a media key of the editor's marks may have: every media of
 * every post (selected or not), and every file in the shoot folder. */
static GPtrArray *shoot_file_names(const IgpShoot *shoot)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    GDir *dir = g_dir_open(shoot->manifest->dir, 0, NULL);
    const char *file;

    for (int i = 0; i < shoot->manifest->n_posts; i++)
        for (int j = 0; j < shoot->manifest->posts[i].n_media; j++)
            g_ptr_array_add(names, g_strdup(shoot->manifest->posts[i].media[j].file));
    while (dir && (file = g_dir_read_name(dir)))
        g_ptr_array_add(names, g_strdup(file));
    if (dir)
        g_dir_close(dir);
    return names;
}

/* The editor's marks and last run's merge; an unreadable editor file stops
 * every photo (fail closed), a damaged merge of ours is only redone. */
static int load_marks(DetectJob *job)
{
    char *editor = g_build_filename(job->shoot->manifest->dir, IGP_FACES_NAME, NULL);
    char *last = g_build_filename(job->shoot->out_dir, IGP_FACES_NAME, NULL);
    int ret = igp_faces_load(editor, 1, &job->editor);

    if (ret == 0) {
        GPtrArray *names = shoot_file_names(job->shoot);
        ret = igp_faces_check_media_names(job->editor, names);
        g_ptr_array_unref(names);
    }

    if (ret == 0 && igp_faces_load(last, 1, &job->last)) {
        igp_log_warning(_("%s; making it again"), igp_error_buffer());
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
        igp_log_error(_("detect: no photo or video can be redacted until %s/%s is fixed"),
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
    job.index_pictures = g_new0(VipsImage *, n);
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
    if (ret == 0)
        json_object_set_new(state, "changes", decision_changes(&job));
    json_object_set_new(
        state, "detector",
        json_string(job.detector ? igp_facedet_backend_name(job.detector) : "none"));
    igp_error_clear();
    if (ret == 0 && (ret = save_faces(&job)) == 0)
        ret = igp_state_save(shoot->out_dir, "detect", state);
    if (ret && *igp_error_buffer()) /* faces.json or the state could not be written */
        igp_log_error("%s", igp_error_buffer());
    if (ret == 0)
        igp_log_note(ngettext("detect: %d face marked or found in %d media (%s), %d failed; "
                              "review sheets in %s/review",
                              "detect: %d faces marked or found in %d media (%s), %d failed; "
                              "review sheets in %s/review",
                              faces),
                     faces, n - failed,
                     job.detector ? igp_facedet_backend_name(job.detector) : _("no detector"),
                     failed, shoot->out_dir);
    else
        igp_state_save(shoot->out_dir, "detect", state);
    free_job(&job);
    json_decref(state);
    json_decref(scrub);
    json_decref(previous);
    return ret ? IGP_ERR_INVALIDDATA : failed ? IGP_ERR_INVALIDDATA : 0;
}
