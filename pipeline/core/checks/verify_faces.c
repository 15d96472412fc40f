/* verify_faces: check, independently of redact, that every face that is not
 * cleared is really hidden in the redacted masters:
 *  - little detail is left: the fine detail (a band-pass at facial-feature
 *    scale) inside the box hardly correlates with the source master's;
 *  - the face detector finds no face on that box any more.
 * Also the privacy walk every JPEG igprep hands on gets (no metadata). */
#include "stage.h"
#include "checks.h"
#include "i18n.h"
#include "faces.h"

#include "crop.h"
#include "error.h"
#include "facedet.h"
#include "fsutil.h"
#include "i18n.h"
#include "jpegwalk.h"

#include <math.h>
#include <string.h>

#include <glib.h>

/* Correlation of fine detail with the source above which a face counts as
 * still recognisable. A face left as it was scores about 1; blur, mosaic,
 * fill and stickers score below 0.2 on the fixtures (docs/faces.md). */
#define MAX_DETAIL_CORRELATION 0.35
/* The detector's score that still counts as "a face is there" on a hidden
 * box. Higher than detect's 0.6: blur keeps a face's coarse layout, and a
 * false box (a texture) blurred may still look faintly face-like. */
#define VERIFY_SCORE 0.75f
/* A detection that is the same face as a box (IoU >= 0.3) covers at least
 * 0.3 of the box's area or at most 1/0.3 of it: its width is between about
 * 0.55 and 1.8 box widths. So verify looks for faces from half the box's
 * width, in the box with one box width around it (docs/faces.md, "Verify"),
 * at a resolution where the box is VERIFY_BOX_INPUT pixels wide: twice the
 * smallest face the detector's pyramid maps to one input tile. */
#define VERIFY_MIN_FACE_SHARE 0.5
#define VERIFY_BOX_INPUT      (2 * IGP_FACEDET_MIN_FACE_INPUT)
/* Faces smaller than this in a post (after its downscale) are not checked
 * there: too few pixels to measure detail; the master's check covers them. */
#define MIN_POST_FACE 24
/* Faces are compared at this width, and their detail is what a blur of this
 * sigma removes there: about 10 cycles per face width and up, the band of
 * eye, nose and mouth edges, which every style leaves nothing of. */
#define DETAIL_SIGMA 1.0
/* Faces are compared at this width, whatever their size. */
#define COMPARE_WIDTH 64
/* A master's faces are checked from this width (a slide's from MIN_POST_FACE). */
#define MASTER_MIN_FACE 8

char *igp_face_model_path(const IgpStageSettings *s);

/* The box of a picture as grey, COMPARE_WIDTH wide, minus its own blur: the
 * fine detail (eyes, mouth, nose edges). */
static double *fine_detail(VipsImage *img, const double b[4], int *n)
{
    VipsImage *t[6] = {NULL};
    double *out = NULL;
    size_t len = 0;
    int x = MAX(0, (int)b[0]), y = MAX(0, (int)b[1]);
    int w = MIN(img->Xsize - x, (int)ceil(b[2])), h = MIN(img->Ysize - y, (int)ceil(b[3]));

    if (w >= 4 && h >= 4 && !vips_extract_area(img, &t[0], x, y, w, h, NULL) &&
        !vips_colourspace(t[0], &t[1], VIPS_INTERPRETATION_B_W, NULL) &&
        !vips_resize(t[1], &t[2], (double)COMPARE_WIDTH / w, NULL) &&
        !vips_gaussblur(t[2], &t[3], DETAIL_SIGMA, "precision", VIPS_PRECISION_FLOAT, NULL) &&
        !vips_subtract(t[2], t[3], &t[4], NULL) &&
        !vips_cast(t[4], &t[5], VIPS_FORMAT_DOUBLE, NULL) &&
        (out = vips_image_write_to_memory(t[5], &len)))
        *n = (int)(len / sizeof(double));
    vips_error_clear();
    for (int i = 0; i < 6; i++)
        if (t[i])
            g_object_unref(t[i]);
    return out;
}

/* Detail correlation of one box between the source and a redacted copy of
 * the same geometry. */
static double detail_left(VipsImage *source, VipsImage *redacted, const double b[4])
{
    int na = 0, nb = 0;
    double *a = fine_detail(source, b, &na), *r = fine_detail(redacted, b, &nb);
    double c =
        a && r && na == nb && na > 0 ? igp_correlation(a, r, na, 1e-6) : 1; /* unreadable: fail */
    g_free(a);
    g_free(r);
    return c;
}

/* The one detector is shared by the threads that check slides
 * (verify_master): one detection at a time. */
static GMutex detector_lock;

static int detect_locked(IgpFaceDetector *det, const void *rgb, int w, int h, int min_face,
                         IgpFaceBox **boxes, int *n)
{
    int ret;

    g_mutex_lock(&detector_lock);
    ret = igp_facedet_detect(det, rgb, w, h, (size_t)w * 3, min_face, VERIFY_SCORE, boxes, n);
    g_mutex_unlock(&detector_lock);
    return ret;
}

/* Does the detector still find a face on the box? It looks at the box with
 * one face width around it, shrunk so that the box is VERIFY_BOX_INPUT
 * pixels wide, for faces from VERIFY_MIN_FACE_SHARE of the box's width:
 * smaller or larger ones cannot be the same face. */
static int face_still_found(IgpFaceDetector *det, VipsImage *img, const double b[4])
{
    VipsImage *crop = NULL, *small = NULL;
    int x = MAX(0, (int)(b[0] - b[2])), y = MAX(0, (int)(b[1] - b[3])), n = 0, found = 0;
    int w = MIN(img->Xsize, (int)(b[0] + 2 * b[2])) - x;
    int h = MIN(img->Ysize, (int)(b[1] + 2 * b[3])) - y;
    double k = MIN(1.0, VERIFY_BOX_INPUT / MAX(1.0, b[2]));
    IgpFaceBox *boxes = NULL, box;
    size_t len = 0;
    void *mem = NULL;

    if (w > 0 && h > 0 && !vips_extract_area(img, &crop, x, y, w, h, NULL) &&
        !vips_resize(crop, &small, k, NULL) && (mem = vips_image_write_to_memory(small, &len)) &&
        small->Bands == 3 &&
        detect_locked(det, mem, small->Xsize, small->Ysize,
                      MAX(8, (int)lround(VERIFY_MIN_FACE_SHARE * b[2] * k)), &boxes, &n) == 0) {
        double sx = (double)small->Xsize / w, sy = (double)small->Ysize / h;
        box = (IgpFaceBox){(float)((b[0] - x) * sx), (float)((b[1] - y) * sy), (float)(b[2] * sx),
                           (float)(b[3] * sy), 1};
        for (int i = 0; i < n; i++)
            found |= igp_face_iou(&boxes[i], &box) >= 0.3;
    } else {
        found = 1; /* cannot tell: fail closed */
    }
    igp_error_clear();
    vips_error_clear();
    g_free(mem);
    g_free(boxes);
    if (crop)
        g_object_unref(crop);
    if (small)
        g_object_unref(small);
    return found;
}

/* "f1, f3 and f4" from a list of {"id": ...}, at most 5 named. */
static char *face_ids(json_t *faces)
{
    GString *s = g_string_new(NULL);
    json_t *f;
    size_t i, n = json_array_size(faces);

    json_array_foreach(faces, i, f)
    {
        const char *id =
            json_is_string(f) ? json_string_value(f) : json_string_value(json_object_get(f, "id"));
        if (i == 5) {
            g_string_append_printf(s, _(" and %zu more"), n - 5);
            break;
        }
        g_string_append_printf(s, "%s%s",
                               i == 0       ? ""
                               : i + 1 == n ? _(" and ")
                                            : _(", "),
                               id ? id : "?");
    }
    return g_string_free(s, FALSE);
}

/* What verify says of faces still recognisable, and what to do. */
static char *visible_message(json_t *visible, double worst, const char *file)
{
    char *ids = face_ids(visible), *text;
    int one = json_array_size(visible) == 1;

    const char *what_to_do =
        file ? _("this post file is not what igprep made from the redacted master: make it again "
                 "with igprep run and do not edit it")
             : _("hide it with a stronger \"style\" (mosaic or fill) in faces.json and run igprep "
                 "run again");

    text = g_strdup_printf(one ? _("face %s is still recognisable: its fine detail matches the "
                                   "source's by %.2f, at most 0.35 is allowed; %s")
                               : _("faces %s are still recognisable: their fine detail matches "
                                   "the source's by %.2f, at most 0.35 is allowed; %s"),
                           ids, worst, what_to_do);
    g_free(ids);
    return text;
}

/* The face detector verify runs, opened on a thread of its own while the
 * masters are read (loading the network takes a few hundredths of a
 * second); detector_of() waits for it, the first time it is needed. */
typedef struct LazyDetector {
    GMutex lock;
    GThread *opening;
    IgpFaceDetector *det; ///< NULL when there is none: only the detail check runs
} LazyDetector;

static gpointer open_detector(gpointer model)
{
    IgpFaceDetector *det = NULL;

    if (igp_facedet_open(model, NULL, &det))
        igp_error_clear();
    return det;
}

static void detector_start(LazyDetector *d, char *model)
{
    g_mutex_init(&d->lock);
    d->det = NULL;
    if (!(d->opening = g_thread_try_new("verify-detector", open_detector, model, NULL)))
        d->det = open_detector(model);
}

static IgpFaceDetector *detector_of(LazyDetector *d)
{
    IgpFaceDetector *det;

    g_mutex_lock(&d->lock);
    if (d->opening)
        d->det = g_thread_join(d->opening), d->opening = NULL;
    det = d->det;
    g_mutex_unlock(&d->lock);
    return det;
}

static void detector_close(LazyDetector *d)
{
    detector_of(d);
    igp_facedet_close(&d->det);
    g_mutex_clear(&d->lock);
}

/* A hidden face's box mapped into a picture of @p width × @p height (by
 * scale and offset) and cut to it; 0 when it is not to be checked there
 * (not hidden, no box, or smaller than @p min_face once cut). */
static int box_to_check(json_t *face, double scale, double ox, double oy, int width, int height,
                        double min_face, double b[4])
{
    if (g_strcmp0(json_string_value(json_object_get(face, "decision")), "hidden") ||
        igp_face_box(face, b))
        return 0;
    b[0] = (b[0] - ox) * scale, b[1] = (b[1] - oy) * scale, b[2] *= scale, b[3] *= scale;
    /* Only the part inside this picture (a crop may cut a face off). */
    if (b[0] < 0)
        b[2] += b[0], b[0] = 0;
    if (b[1] < 0)
        b[3] += b[1], b[1] = 0;
    b[2] = MIN(b[2], width - b[0]), b[3] = MIN(b[3], height - b[1]);
    return b[2] >= min_face && b[3] >= min_face;
}

/* Faces wider than this are read shrunk: both checks look at a face at most
 * COMPARE_WIDTH (64) pixels wide, so 128 keeps twice that. */
#define AREA_FACE_WIDTH 128

/* The part of a master both checks of box @p b look at (the detector's: the
 * box with one box width around it, cut to the picture; the detail's: the
 * box), and the factor it can be read shrunk by. */
static void area_of(const double b[4], int width, int height, VipsRect *area, int *shrink)
{
    int x = MAX(0, (int)(b[0] - b[2])), y = MAX(0, (int)(b[1] - b[3]));
    int x1 = MIN(width, MAX((int)(b[0] + 2 * b[2]), (int)b[0] + (int)ceil(b[2])));
    int y1 = MIN(height, MAX((int)(b[1] + 2 * b[3]), (int)b[1] + (int)ceil(b[3])));

    *area = (VipsRect){x, y, x1 - x, y1 - y};
    *shrink = MAX(1, (int)(b[2] / AREA_FACE_WIDTH));
}

/* The faces' parts of the two masters, each file read once, top to bottom;
 * a master over SIDE_BY_SIDE_MAX is never whole in memory, so memory stays
 * flat with the camera's resolution (docs/faces.md, "The whole photo path
 * now"; bench/README.md). Index i is face i of @p faces; NULL where a face is
 * not checked. Returns 0, or -1 when a master cannot be read. */
typedef struct FaceAreas {
    VipsImage **source, **redacted;
    VipsRect *area;
    int *shrink;
    size_t n;
} FaceAreas;

static void face_areas_free(FaceAreas *a)
{
    for (size_t i = 0; i < a->n; i++) {
        if (a->source[i])
            g_object_unref(a->source[i]);
        if (a->redacted[i])
            g_object_unref(a->redacted[i]);
    }
    g_free(a->source), g_free(a->redacted), g_free(a->area), g_free(a->shrink);
}

/* Masters up to this size (decoded: 40 MiB, about 14 MP) are checked on several
 * threads at once; each thread's decode holds its own buffers, so larger
 * ones are checked one step at a time and memory stays flat with the
 * camera's resolution (bench/README.md, "The stages around detection"). */
#define SIDE_BY_SIDE_MAX (40 * 1024 * 1024)

static int side_by_side(VipsImage *master)
{
    return VIPS_IMAGE_SIZEOF_IMAGE(master) <= SIDE_BY_SIDE_MAX && g_get_num_processors() > 1;
}

/* One master's face areas, read by a thread of its own. */
typedef struct AreaRead {
    VipsImage *master;
    const char *path;
    const VipsRect *area;
    const int *shrink;
    int n;
    VipsImage **out;
} AreaRead;

/* A source master's pixels, decoded once into memory by the first check
 * that needs them, while the others wait (see keep_decoded). */
typedef struct DecodeOnce {
    GMutex lock;
    int tried;
    VipsImage *master, *pixels;
} DecodeOnce;

static void decode_once_free(gpointer data)
{
    DecodeOnce *once = data;

    if (once->pixels)
        g_object_unref(once->pixels);
    g_mutex_clear(&once->lock);
    g_free(once);
}

/* The pixels of master @p master, decoded now if no check did yet, when
 * keep_decoded() asked for it; else NULL (each check reads the file). */
static VipsImage *decoded_of(VipsImage *master)
{
    DecodeOnce *once = master ? g_object_get_data(G_OBJECT(master), "igp-decoded") : NULL;
    VipsImage *pixels;

    if (!once)
        return NULL;
    g_mutex_lock(&once->lock);
    if (!once->tried) {
        once->tried = 1;
        once->pixels = vips_image_copy_memory(once->master);
        vips_error_clear(); /* without them, each check reads the file */
    }
    pixels = once->pixels;
    g_mutex_unlock(&once->lock);
    return pixels;
}

/* Have source master @p master (opened for a sequential read) decoded once
 * into memory when it is small enough to check side by side: its face
 * areas and every slide's check then read those pixels (the same ones a
 * decode of the file gives) instead of decoding the file again each. The
 * first check that needs them decodes them; a larger master is decoded as
 * it is read, each time. */
static void keep_decoded(VipsImage *master)
{
    DecodeOnce *once;

    if (!master || !side_by_side(master))
        return;
    once = g_new0(DecodeOnce, 1);
    g_mutex_init(&once->lock);
    once->master = master; /* owned by the caller, who outlives the checks */
    g_object_set_data_full(G_OBJECT(master), "igp-decoded", once, decode_once_free);
}

static gpointer read_areas_thread(gpointer data)
{
    const AreaRead *r = data;
    VipsImage *pixels = decoded_of(r->master);
    int ret = pixels ? igp_image_read_areas_of(pixels, r->path, r->area, r->shrink, r->n, r->out)
                     : igp_image_read_areas(r->path, r->area, r->shrink, r->n, r->out);

    igp_error_clear();
    return GINT_TO_POINTER(ret);
}

static gpointer area_thread_main(gpointer data)
{
    gpointer ret = read_areas_thread(data);

    vips_thread_shutdown();
    return ret;
}

static int read_face_areas(VipsImage *source, VipsImage *redacted, json_t *faces, double min_face,
                           FaceAreas *a)
{
    json_t *face;
    size_t i;
    int ret;
    GThread *thread;

    a->n = json_array_size(faces);
    a->source = g_new0(VipsImage *, a->n + 1), a->redacted = g_new0(VipsImage *, a->n + 1);
    a->area = g_new0(VipsRect, a->n + 1), a->shrink = g_new0(int, a->n + 1);
    json_array_foreach(faces, i, face)
    {
        double b[4];
        if (box_to_check(face, 1, 0, 0, redacted->Xsize, redacted->Ysize, min_face, b))
            area_of(b, redacted->Xsize, redacted->Ysize, &a->area[i], &a->shrink[i]);
    }
    /* Each master's decode is one thread's work (a JPEG decodes top to
     * bottom): the two are read side by side, if small enough. */
    AreaRead src = {source, source->filename, a->area, a->shrink, (int)a->n, a->source};
    thread = side_by_side(redacted) ? g_thread_try_new("verify-areas", area_thread_main, &src, NULL)
                                    : NULL;
    ret = igp_image_read_areas(redacted->filename, a->area, a->shrink, (int)a->n, a->redacted);
    if (thread)
        ret |= GPOINTER_TO_INT(g_thread_join(thread));
    else
        ret |= GPOINTER_TO_INT(read_areas_thread(&src));
    igp_error_clear();
    return ret ? -1 : 0;
}

/* Check every hidden face of @p faces (master boxes, mapped into @p redacted
 * by scale and offset; @p source has @p redacted's geometry); one check.
 * With @p areas (a master, opened for a sequential read), each face is
 * judged on its part of the masters, read beforehand; else (a post slide,
 * small, in memory) on the pictures themselves.
 * Only the detail left decides: a face whose detail is gone is hidden, even
 * where the detector still finds a face-like blob (a blur keeps a face's
 * coarse layout); that is a warning, for a person to look at. */
static void check_faces(IgpFileReport *r, LazyDetector *det, VipsImage *source, VipsImage *redacted,
                        const FaceAreas *areas, json_t *faces, double scale, double ox, double oy,
                        double min_face, const char *check, const char *file)
{
    json_t *face, *visible = json_array(), *detected = json_array();
    double max_detail = 0, worst = 0, worst_detected = 0;
    IgpFaceDetector *found_by;
    size_t i;

    json_array_foreach(faces, i, face)
    {
        double b[4], d;
        const char *id = json_string_value(json_object_get(face, "id"));
        VipsImage *src = source, *red = redacted;
        if (!box_to_check(face, scale, ox, oy, redacted->Xsize, redacted->Ysize, min_face, b))
            continue;
        if (areas) { /* the face's part, maybe shrunk: the box in its pixels */
            const VipsRect *a = &areas->area[i];
            int k = MAX(1, areas->shrink[i]);
            src = areas->source[i], red = areas->redacted[i];
            b[0] = (b[0] - a->left) / k, b[1] = (b[1] - a->top) / k, b[2] /= k, b[3] /= k;
            if (!src || !red) { /* cannot tell: fail closed */
                worst = max_detail = 1;
                json_array_append_new(visible, json_pack("{s:s?, s:f}", "id", id, "detail", 1.0));
                continue;
            }
        }
        d = detail_left(src, red, b);
        max_detail = MAX(max_detail, d);
        if (d > MAX_DETAIL_CORRELATION) {
            worst = MAX(worst, d);
            json_array_append_new(
                visible, json_pack("{s:s?, s:f}", "id", id, "detail", round(d * 1000) / 1000));
        } else if ((found_by = detector_of(det)) && face_still_found(found_by, red, b)) {
            worst_detected = MAX(worst_detected, d);
            json_array_append_new(detected, json_string(id ? id : "?"));
        }
    }
    {
        json_t *value = json_pack("{s:f, s:O, s:O}", "max_detail", round(max_detail * 1000) / 1000,
                                  "visible", visible, "detected", detected);
        if (file)
            json_object_set_new(value, "file", json_string(file));
        igp_check(r, check, json_array_size(visible) == 0, value,
                  N_("every uncleared face: detail correlation with the source at most 0.35"));
        if (json_array_size(visible) > 0) {
            char *m = visible_message(visible, worst, file);
            igp_check_says(r, m);
            g_free(m);
        } else if (json_array_size(detected) > 0) {
            char *ids = face_ids(detected);
            char *m = g_strdup_printf(
                json_array_size(detected) == 1
                    ? _("the face detector still finds a face at %s, though its fine detail "
                        "matches the source's by only %.2f (at most 0.35 is allowed); look at it "
                        "in the proof and give it a stronger \"style\" (mosaic or fill) in "
                        "faces.json if it can still be recognised")
                    : _("the face detector still finds a face at %s, though their fine detail "
                        "matches the source's by only %.2f (at most 0.35 is allowed); look at it "
                        "in the proof and give it a stronger \"style\" (mosaic or fill) in "
                        "faces.json if it can still be recognised"),
                ids, worst_detected);
            igp_check_warns(r, m);
            g_free(m);
            g_free(ids);
        }
    }
    json_decref(visible);
    json_decref(detected);
}

/* A face check that could not be made, worded for people. */
static void cannot_check(IgpFileReport *r, const char *check, json_t *value, const char *limit,
                         const char *why)
{
    char *m = g_strdup_printf(_("its faces cannot be checked: %s; run igprep run again"), why);
    igp_check(r, check, 0, value, limit);
    igp_check_says(r, m);
    g_free(m);
}

/* The post check of slide @p rel refused: it cannot be lined up with its
 * master (unreadable pixels, a cut encode could not have made). */
static void cannot_line_up(IgpFileReport *r, const char *rel)
{
    cannot_check(r, "faces_hidden_in_post",
                 json_pack("{s:s, s:s}", "file", rel, "error", "cannot align"),
                 N_("aligned with its master"), _("the slide cannot be lined up with its master"));
}

/* The post check of slide @p rel refused: encode cut it from its master,
 * but it differs from that cut by @p difference (mean or median grey). */
static void not_the_recorded_cut(IgpFileReport *r, const char *rel, double difference)
{
    cannot_check(r, "faces_hidden_in_post",
                 json_pack("{s:s, s:s, s:f}", "file", rel, "error", "cannot align", "difference",
                           round(difference * 10) / 10),
                 N_("aligned with its master"),
                 _("the slide does not show the part of its master that encode recorded"));
}

/* A picture of OUT as RGB, or NULL. A master is opened for sequential
 * access: its pixels are read top to bottom, a part at a time
 * (read_face_areas, reopen), so a 50 MP master never sits whole in memory
 * or in a temporary file (one up to SIDE_BY_SIDE_MAX is decoded whole, once,
 * and then read in any order: keep_decoded). A post slide (small) is
 * opened for random access: every face reads it again. */
static VipsImage *open_rgb(const char *out_dir, const char *rel, VipsAccess access)
{
    char *path = rel ? g_build_filename(out_dir, rel, NULL) : NULL;
    VipsImage *img = path ? vips_image_new_from_file(path, "access", access, NULL) : NULL;

    if (img && img->Bands != 3)
        g_clear_object(&img);
    vips_error_clear();
    g_free(path);
    return img;
}

/* A master opened by open_rgb() again for one more top-to-bottom read,
 * decoded at 1/@p shrink (JPEG shrink-on-load) as encode decoded it; *got
 * is the shrink it was decoded at (1 when the file is not a JPEG), and
 * *in_memory tells whether it is the master decoded whole (keep_decoded),
 * which can be read in any order. */
static VipsImage *reopen_shrunk(VipsImage *master, int shrink, int *got, int *in_memory)
{
    VipsImage *image = NULL;

    *got = shrink, *in_memory = 0;
    if (shrink > 1 && !vips_jpegload(master->filename, &image, "shrink", shrink, "access",
                                     VIPS_ACCESS_SEQUENTIAL, NULL))
        return image;
    vips_error_clear();
    *got = 1;
    if ((image = decoded_of(master))) { /* already decoded whole */
        *in_memory = 1;
        return g_object_ref(image);
    }
    return vips_image_new_from_file(master->filename, "access", VIPS_ACCESS_SEQUENTIAL, NULL);
}

/* A master opened by open_rgb() again, for one more top-to-bottom read, to
 * be scaled by @p scale: decoded shrunk by *shrink (JPEG shrink-on-load, as
 * encode does) when it is scaled down by 2 or more, so only a fraction of
 * it is decoded and held. */
static VipsImage *reopen(VipsImage *master, double scale, int *shrink)
{
    int want = 1, in_memory;

    for (int s = 8; s > 1 && want == 1; s /= 2)
        if (scale * s <= 0.5)
            want = s;
    return reopen_shrunk(master, want, shrink, &in_memory);
}

/* Say in the last check of @p r how its slide was lined up with its
 * master: "cut" (encode's record), "matching" or "placement" (compose's). */
static void say_aligned_by(IgpFileReport *r, const char *how)
{
    json_t *last = json_array_get(r->checks, json_array_size(r->checks) - 1);

    if (json_is_object(json_object_get(last, "value")))
        json_object_set_new(json_object_get(last, "value"), "aligned_by", json_string(how));
}

/* The face check of one post slide made from a master, run by a worker
 * thread into a report of its own; its checks join the master's after. */
typedef struct SlideJob {
    LazyDetector *det;
    const char *out_dir, *rel;
    VipsImage *source, *redacted;
    json_t *placement; ///< what compose drew there (a templated slide), or NULL
    json_t *cut;       ///< where encode cut a plain slide from its master, or NULL
    json_t *faces;
    IgpFileReport r;
} SlideJob;

static GPtrArray *slide_jobs_of(IgpFileReport *r, LazyDetector *det, const char *out_dir,
                                json_t *encode, const char *name, VipsImage *source,
                                VipsImage *redacted, json_t *faces);

/* A master's slide jobs, taken one at a time by whichever thread is free. */
typedef struct SlideQueue {
    GPtrArray *jobs;
    gint next;
} SlideQueue;

static void run_slide_queue(SlideQueue *q);
static gpointer slide_thread_main(gpointer queue);

static void slide_job_free(gpointer data)
{
    SlideJob *job = data;

    json_decref(job->placement);
    json_decref(job->r.json);
    g_free(job);
}

/* One redacted master: privacy walk, every hidden face in it and in every
 * post slide cut from it. */
static json_t *verify_master(LazyDetector *det, const char *out_dir, const char *name,
                             VipsImage *source, VipsImage *redacted, json_t *entry, json_t *encode,
                             int *ok)
{
    const char *rel = json_string_value(json_object_get(entry, "master"));
    char *path = g_build_filename(out_dir, rel, NULL);
    IgpFileReport r;
    IgpJpegWalk w;
    FaceAreas areas = {0};
    SlideQueue queue = {NULL, 0};
    GThread *slides;

    igp_report_init(&r, rel, "redacted-master");
    /* (Without the masters the slides are only listed: they fail with them.)
     * The slides of a master up to SIDE_BY_SIDE_MAX are checked by another
     * thread while this one checks the master's own faces, then by both
     * (each slide's check mostly waits for nothing but the processor: the
     * source master is decoded once for all); a larger master's slides
     * after its faces, one at a time. */
    queue.jobs = slide_jobs_of(&r, det, out_dir, encode, name, source, redacted,
                               json_object_get(entry, "report"));
    slides = queue.jobs->len && side_by_side(redacted)
                 ? g_thread_try_new("verify-slides", slide_thread_main, &queue, NULL)
                 : NULL;
    /* (The privacy walk reads the whole file: meanwhile the slides' thread
     * starts decoding the source master.) */
    memset(&w, 0, sizeof(w));
    if (igp_jpeg_walk(path, &w) == 0)
        igp_check_findings(&r, w.found.n == 0 && w.trailing_bytes == 0, &w.found,
                           N_("no EXIF, XMP, IPTC, comments, trailers"));
    else
        igp_check(&r, "structure", 0, json_string(igp_error_buffer()), N_("complete JPEG to EOI"));
    igp_error_clear();
    if (source && redacted &&
        read_face_areas(source, redacted, json_object_get(entry, "report"), MASTER_MIN_FACE,
                        &areas) == 0)
        check_faces(&r, det, source, redacted, &areas, json_object_get(entry, "report"), 1, 0, 0,
                    MASTER_MIN_FACE, "faces_hidden", NULL);
    else
        cannot_check(&r, "faces_hidden", json_string(N_("cannot read the masters")), N_("readable"),
                     _("the scrubbed or the redacted master cannot be read"));
    face_areas_free(&areas);
    run_slide_queue(&queue); /* the slides left, if any */
    if (slides)
        g_thread_join(slides); /* every slide checked */
    for (guint i = 0; i < queue.jobs->len; i++) {
        SlideJob *job = g_ptr_array_index(queue.jobs, i);
        json_t *c;
        size_t k;
        json_array_foreach(job->r.checks, k, c) json_array_append(r.checks, c);
        r.ok &= job->r.ok;
    }
    g_ptr_array_free(queue.jobs, TRUE);
    *ok = r.ok;
    g_free(path);
    return igp_report_finish(&r);
}

/* Slides are lined up with their master at this scale of the slide. */
#define LOCATE_SCALE 0.25

/* Mean |difference| of grey @p s (sw × sh) against @p m (mw wide) at offset
 * (dx, dy), on every other pixel. */
static double difference_at(const float *m, int mw, const float *s, int sw, int sh, int dx, int dy)
{
    double sum = 0;
    int n = 0;
    for (int y = 0; y < sh; y += 2)
        for (int x = 0; x < sw; x += 2, n++)
            sum += fabsf(s[y * sw + x] - m[(y + dy) * mw + x + dx]);
    return n ? sum / n : 1e9;
}

/* Grey float pixels of @p img scaled by @p k across and @p vk down; *w, *h set. */
static float *grey_pixels2(VipsImage *img, double k, double vk, int *w, int *h)
{
    VipsImage *small = NULL, *grey = NULL, *fl = NULL;
    float *out = NULL;
    size_t len;

    if (!vips_resize(img, &small, k, "vscale", vk, NULL) &&
        !vips_colourspace(small, &grey, VIPS_INTERPRETATION_B_W, NULL) &&
        !vips_cast(grey, &fl, VIPS_FORMAT_FLOAT, NULL) &&
        (out = vips_image_write_to_memory(fl, &len)))
        *w = fl->Xsize, *h = fl->Ysize;
    vips_error_clear();
    if (small)
        g_object_unref(small);
    if (grey)
        g_object_unref(grey);
    if (fl)
        g_object_unref(fl);
    return out;
}

/* Grey float pixels of @p img scaled by @p k; *w, *h set. */
static float *grey_pixels(VipsImage *img, double k, int *w, int *h)
{
    return grey_pixels2(img, k, k, w, h);
}

/* Where a post slide sits in its master: encode cuts the largest rectangle
 * of the slide's shape (full width or full height), so only the offset along
 * one axis is unknown. Found by sliding the slide over the master, both
 * small and grey. Returns the mean difference at the best place (0..255). */
static double locate_slide(VipsImage *master, VipsImage *pixels, int shrink, VipsImage *slide,
                           double *scale, double *ox, double *oy)
{
    int full_height = (double)master->Xsize / master->Ysize > (double)slide->Xsize / slide->Ysize;
    double f =
        full_height ? (double)slide->Ysize / master->Ysize : (double)slide->Xsize / master->Xsize;
    double k = LOCATE_SCALE, best = 1e9;
    int mw = 0, mh = 0, sw = 0, sh = 0, best_at = 0;
    /* (@p pixels: the master decoded shrunk by @p shrink.) */
    float *mp = grey_pixels(pixels, f * k * shrink, &mw, &mh),
          *sp = grey_pixels(slide, k, &sw, &sh);

    *scale = f, *ox = *oy = 0;
    if (mp && sp) {
        sw = MIN(sw, mw), sh = MIN(sh, mh);
        for (int o = 0; o <= (full_height ? mw - sw : mh - sh); o++) {
            double d = difference_at(mp, mw, sp, sw, sh, full_height ? o : 0, full_height ? 0 : o);
            if (d < best)
                best = d, best_at = o;
        }
    }
    g_free(mp);
    g_free(sp);
    *(full_height ? ox : oy) = best_at / (f * k);
    return best;
}

/* A slide farther than this from its master (mean grey difference) is not a
 * plain crop: a template drew it, with its own layout. */
#define MAX_SLIDE_DIFFERENCE 12.0

/* One post slide made from a redacted master: a check in the master's report
 * (verify.json keeps one report per file; the slide has its own already). */
static void verify_post(IgpFileReport *r, LazyDetector *det, const char *out_dir, const char *rel,
                        VipsImage *source, VipsImage *redacted, json_t *faces, int plain)
{
    static const char *const check = "faces_hidden_in_post";
    VipsImage *slide = open_rgb(out_dir, rel, VIPS_ACCESS_RANDOM), *scaled = NULL;
    VipsImage *aligned = NULL, *master = NULL, *from = NULL, *cut = NULL;
    double scale = 1, ox = 0, oy = 0, diff = 0;
    int shrink = 1;

    if (!slide) {
        cannot_check(r, check, json_pack("{s:s, s:s}", "file", rel, "error", "cannot read"),
                     N_("readable"), _("the post file cannot be read"));
    } else if (!(master = reopen(redacted,
                                 LOCATE_SCALE * MAX((double)slide->Xsize / redacted->Xsize,
                                                    (double)slide->Ysize / redacted->Ysize),
                                 &shrink))) {
        cannot_check(r, check, json_pack("{s:s, s:s}", "file", rel, "error", "cannot read"),
                     N_("readable"), _("the redacted master cannot be read"));
    } else if ((diff = locate_slide(redacted, master, shrink, slide, &scale, &ox, &oy)) >
                   MAX_SLIDE_DIFFERENCE &&
               plain) {
        /* encode recorded cutting it from this master: it must be found there. */
        not_the_recorded_cut(r, rel, diff);
    } else if (diff > MAX_SLIDE_DIFFERENCE) {
        /* A run older than compose's placements: a templated slide, drawn
         * by compose from the same redacted master. */
        igp_check(r, check, 1,
                  json_pack("{s:s, s:s, s:f}", "file", rel, "skipped",
                            "a templated slide, not a plain crop", "difference",
                            round(diff * 10) / 10),
                  N_("checked on plain crops only"));
    } else if ((from = reopen(source, scale, &shrink)) &&
               !vips_resize(from, &scaled, scale * shrink, NULL) && scaled->Xsize >= slide->Xsize &&
               scaled->Ysize >= slide->Ysize &&
               !vips_extract_area(scaled, &cut,
                                  MIN((int)lround(ox * scale), scaled->Xsize - slide->Xsize),
                                  MIN((int)lround(oy * scale), scaled->Ysize - slide->Ysize),
                                  slide->Xsize, slide->Ysize, NULL) &&
               (aligned = vips_image_copy_memory(cut))) {
        check_faces(r, det, aligned, slide, NULL, faces, scale, ox, oy, MIN_POST_FACE, check, rel);
        say_aligned_by(r, "matching");
    } else {
        cannot_line_up(r, rel);
    }
    vips_error_clear();
    if (from)
        g_object_unref(from);
    if (master)
        g_object_unref(master);
    if (slide)
        g_object_unref(slide);
    if (scaled)
        g_object_unref(scaled);
    if (cut)
        g_object_unref(cut);
    if (aligned)
        g_object_unref(aligned);
}

/* A slide matches the cut encode recorded when the median grey difference
 * between the two, outside the hidden faces, is at most this (at
 * LOCATE_SCALE): 0-1 on the bench photo and the samples; a cut one slide
 * pixel off gives 5, 4 pixels off 14. */
#define MAX_CUT_DIFFERENCE 6
/* ... measured on at least this share of the slide; with less left outside
 * the faces (a close portrait), the slide is lined up by matching instead. */
#define MIN_CUT_COMPARED 0.25

/* Leave out of @p keep (@p w × @p h, LOCATE_SCALE of a slide) every hidden
 * face's box, mapped into the slide by @p scale and offset, with half its
 * size around it (redaction pads and feathers it), also where the box is
 * cut by the slide's edge or lies just outside it. */
static void leave_out_faces(guint8 *keep, int w, int h, json_t *faces, double scale, double ox,
                            double oy)
{
    const double k = scale * LOCATE_SCALE;
    json_t *face;
    size_t i;

    json_array_foreach(faces, i, face)
    {
        double b[4];
        if (g_strcmp0(json_string_value(json_object_get(face, "decision")), "hidden") ||
            igp_face_box(face, b))
            continue;
        b[0] = (b[0] - ox) * k, b[1] = (b[1] - oy) * k, b[2] *= k, b[3] *= k;
        for (int y = MAX(0, (int)floor(b[1] - b[3] / 2)); y < MIN(h, (int)ceil(b[1] + 1.5 * b[3]));
             y++)
            for (int x = MAX(0, (int)floor(b[0] - b[2] / 2));
                 x < MIN(w, (int)ceil(b[0] + 1.5 * b[2])); x++)
                keep[(size_t)y * w + x] = 0;
    }
}

/* The median of |@p a - @p b| (grey, 0..255) over the pixels @p keep marks
 * of @p n; *compared how many those were. */
static double median_difference(const float *a, const float *b, const guint8 *keep, size_t n,
                                size_t *compared)
{
    size_t count[256] = {0}, seen = 0;

    *compared = 0;
    for (size_t i = 0; i < n; i++)
        if (keep[i])
            count[MIN(255, (int)fabsf(a[i] - b[i]))]++, (*compared)++;
    for (int d = 0; d < 256; d++)
        if ((seen += count[d]) * 2 >= *compared)
            return d;
    return 255;
}

/* Keep the top-left @p w × @p h of grey pixels @p p (@p stride wide), in place. */
static void keep_top_left(float *p, int stride, int w, int h)
{
    for (int y = 1; y < h; y++)
        memmove(p + (size_t)y * w, p + (size_t)y * stride, (size_t)w * sizeof(float));
}

/* Does @p slide show the same scene as @p picture, scaled by @p kx across
 * and @p ky down to LOCATE_SCALE of the slide (the slide's cut from the
 * scrubbed master, or that cut already scaled to the slide), outside the
 * hidden @p faces (mapped into the slide by @p scale and offset)? 1 yes,
 * 0 no, -1 too little is left outside the faces to tell, -2 they cannot be
 * compared. *median: their difference. */
static int same_scene(VipsImage *picture, double kx, double ky, VipsImage *slide, json_t *faces,
                      double scale, double ox, double oy, double *median)
{
    int aw = 0, ah = 0, sw = 0, sh = 0, same = 0;
    float *a = grey_pixels2(picture, kx, ky, &aw, &ah);
    float *b = grey_pixels(slide, LOCATE_SCALE, &sw, &sh);
    /* Scaled separately, the two may round to sizes a pixel apart. */
    int w = MIN(aw, sw), h = MIN(ah, sh);
    size_t n = (size_t)w * h, compared = 0;
    guint8 *keep = a && b && ABS(aw - sw) <= 1 && ABS(ah - sh) <= 1 ? g_malloc(n) : NULL;

    same = keep ? 0 : -2;

    if (keep) {
        keep_top_left(a, aw, w, h);
        keep_top_left(b, sw, w, h);
        memset(keep, 1, n);
        leave_out_faces(keep, w, h, faces, scale, ox, oy);
        *median = median_difference(a, b, keep, n, &compared);
        same = compared < MIN_CUT_COMPARED * n ? -1 : *median <= MAX_CUT_DIFFERENCE;
    }
    g_free(keep);
    g_free(a);
    g_free(b);
    return same;
}

/* Is crop @p c (x, y, w, h) one encode could have cut from @p from (the
 * master decoded as encode decoded it) for @p slide: inside it, and of the
 * size of the largest rectangle of the slide's shape? */
static int is_encodes_crop(VipsImage *from, VipsImage *slide, const int c[4])
{
    IgpRect r = igp_focus_crop(from->Xsize, from->Ysize, slide->Xsize, slide->Ysize, 0.5, 0.5);

    return c[0] >= 0 && c[1] >= 0 && c[2] == r.w && c[3] == r.h && c[0] + c[2] <= from->Xsize &&
           c[1] + c[3] <= from->Ysize;
}

/* @p cut scaled by @p sx across and @p sy down to @p slide's size, as
 * encode scaled the slide (Lanczos 3), or NULL. With @p lazy (@p cut is in
 * memory) it is left as a libvips pipeline, each check computing only the
 * pixels it reads; else (@p cut is read top to bottom) computed whole. */
static VipsImage *scaled_like(VipsImage *cut, VipsImage *slide, double sx, double sy, int lazy)
{
    VipsImage *resized = NULL, *out = NULL;

    if (!vips_resize(cut, &resized, sx, "vscale", sy, "kernel", VIPS_KERNEL_LANCZOS3, NULL) &&
        resized->Xsize == slide->Xsize && resized->Ysize == slide->Ysize)
        out = lazy ? g_object_ref(resized) : vips_image_copy_memory(resized);
    if (resized)
        g_object_unref(resized);
    return out;
}

/* A plain slide whose cut encode recorded (state/encode.json "cut": the
 * master decoded at 1/shrink, the crop scaled to the slide): the scrubbed
 * master is cut the same way, so its pixels line up with the slide's
 * exactly, and the master need not be decoded again to find where the
 * slide sits. The record is not taken on trust: outside its hidden faces
 * the slide must show what that cut shows. A master decoded in memory is
 * scaled only where the checks look (around the faces), lazily. Returns 0
 * when too little is left outside the faces to tell (the caller then lines
 * the slide up by matching, verify_post), else 1 with the check made. */
static int verify_cut(IgpFileReport *r, LazyDetector *det, const char *out_dir, const char *rel,
                      VipsImage *source, json_t *cut, json_t *faces)
{
    static const char *const check = "faces_hidden_in_post";
    VipsImage *slide = open_rgb(out_dir, rel, VIPS_ACCESS_RANDOM), *from = NULL;
    VipsImage *cropped = NULL, *aligned = NULL;
    int shrink = (int)json_integer_value(json_object_get(cut, "shrink")), c[4], got = 0;
    int in_memory = 0, same = -2;
    double median = 0, sx = 0, sy = 0;

    for (int i = 0; i < 4; i++)
        c[i] = (int)json_integer_value(json_array_get(json_object_get(cut, "crop"), i));
    /* Only encode's own cut: its shrink for these sizes, its crop's size. */
    if (slide &&
        shrink == igp_load_shrink(source->Xsize, source->Ysize, slide->Xsize, slide->Ysize) &&
        (from = reopen_shrunk(source, shrink, &got, &in_memory)) && got == shrink &&
        is_encodes_crop(from, slide, c) &&
        !vips_extract_area(from, &cropped, c[0], c[1], c[2], c[3], NULL)) {
        sx = (double)slide->Xsize / c[2], sy = (double)slide->Ysize / c[3];
        aligned = scaled_like(cropped, slide, sx, sy, in_memory);
    }
    /* (A lazy cut is compared from the master's pixels, scaled once straight
     * to the comparison's size; one computed whole, as it is.) */
    if (aligned)
        same =
            same_scene(in_memory ? cropped : aligned, in_memory ? sx * LOCATE_SCALE : LOCATE_SCALE,
                       in_memory ? sy * LOCATE_SCALE : LOCATE_SCALE, slide, faces, sx / shrink,
                       c[0] * shrink, c[1] * shrink, &median);
    if (same > 0) {
        check_faces(r, det, aligned, slide, NULL, faces, sx / shrink, c[0] * shrink, c[1] * shrink,
                    MIN_POST_FACE, check, rel);
        say_aligned_by(r, "cut");
    } else if (!slide) {
        cannot_check(r, check, json_pack("{s:s, s:s}", "file", rel, "error", "cannot read"),
                     N_("readable"), _("the post file cannot be read"));
    } else if (same == 0) {
        not_the_recorded_cut(r, rel, median);
    } else if (same == -2) {
        cannot_line_up(r, rel);
    }
    vips_error_clear();
    if (slide)
        g_object_unref(slide);
    if (from)
        g_object_unref(from);
    if (cropped)
        g_object_unref(cropped);
    if (aligned)
        g_object_unref(aligned);
    return same != -1;
}

/* One media slot of a templated slide: compose recorded which part of the
 * master ("crop") it drew where on the slide ("box"). The unredacted source
 * is cut and scaled the same way, and every hidden face checked there. */
static void verify_placement(IgpFileReport *r, LazyDetector *det, const char *out_dir,
                             const char *rel, VipsImage *source, json_t *placement, json_t *faces)
{
    static const char *const check = "faces_hidden_in_post";
    VipsImage *slide = open_rgb(out_dir, rel, VIPS_ACCESS_RANDOM), *region = NULL, *scaled = NULL;
    VipsImage *from = NULL, *resized = NULL, *aligned = NULL;
    json_t *crop = json_object_get(placement, "crop"), *box = json_object_get(placement, "box");
    int c[4], b[4], ok = slide != NULL, full, in_memory = 0;

    for (int i = 0; i < 4; i++) {
        c[i] = (int)json_integer_value(json_array_get(crop, i));
        b[i] = (int)json_integer_value(json_array_get(box, i));
    }
    ok = ok && c[2] > 0 && c[3] > 0 && b[2] > 0 && b[3] > 0 && b[0] >= 0 && b[1] >= 0 &&
         b[0] + b[2] <= slide->Xsize && b[1] + b[3] <= slide->Ysize &&
         !vips_extract_area(slide, &region, b[0], b[1], b[2], b[3], NULL) &&
         (from = reopen_shrunk(source, 1, &full, &in_memory)) &&
         !vips_extract_area(from, &scaled, c[0], c[1], c[2], c[3], NULL) &&
         !vips_resize(scaled, &resized, (double)b[2] / c[2], "vscale", (double)b[3] / c[3], NULL) &&
         resized->Xsize >= b[2] && resized->Ysize >= b[3] &&
         /* (in memory: scaled only where the checks look, as verify_cut) */
         (aligned = in_memory ? g_object_ref(resized) : vips_image_copy_memory(resized));
    if (ok) {
        check_faces(r, det, aligned, region, NULL, faces, (double)b[2] / c[2], c[0], c[1],
                    MIN_POST_FACE, check, rel);
        say_aligned_by(r, "placement");
    } else
        cannot_line_up(r, rel);
    vips_error_clear();
    if (slide)
        g_object_unref(slide);
    if (region)
        g_object_unref(region);
    if (from)
        g_object_unref(from);
    if (resized)
        g_object_unref(resized);
    if (scaled)
        g_object_unref(scaled);
    if (aligned)
        g_object_unref(aligned);
}

/* What compose drew on slide @p index of post @p id (a derived post, whose
 * encode entry @p post names its parent, is its parent's story), or NULL
 * when the slide is a plain crop. */
static json_t *placements_of(json_t *compose, const char *id, json_t *post, size_t index)
{
    json_t *posts = json_object_get(compose, "posts");
    json_t *entry = json_object_get(posts, id);
    const char *parent = igp_post_parent(post);

    /* A slide compose did not draw ("files" null: a post drawn only for its
     * next-day story, or a page without a template) is a plain crop. */
    if (entry && !json_is_string(json_array_get(json_object_get(entry, "files"), index)))
        return NULL;
    if (entry)
        return json_array_get(json_object_get(entry, "placements"), index);
    if (parent && index == 0) {
        json_t *story = json_object_get(json_object_get(posts, parent), "story");
        return json_object_get(story, "placements");
    }
    return NULL;
}

/* Record in the master's report that post file @p rel was made from it:
 * verify refuses that file too when the master's faces are not hidden. */
static void add_slide(IgpFileReport *r, const char *rel)
{
    json_t *slides = json_object_get(r->json, "slides"), *s;
    size_t i;

    if (!slides)
        json_object_set_new(r->json, "slides", slides = json_array());
    json_array_foreach(slides, i, s) if (!g_strcmp0(json_string_value(s), rel)) return;
    json_array_append_new(slides, json_string(rel));
}

static SlideJob *slide_job(LazyDetector *det, const char *out_dir, const char *rel,
                           VipsImage *source, VipsImage *redacted, json_t *placement, json_t *cut,
                           json_t *faces)
{
    SlideJob *job = g_new0(SlideJob, 1);

    *job = (SlideJob){det, out_dir, rel, source, redacted, json_incref(placement), cut, faces, {0}};
    igp_report_init(&job->r, rel, "slide");
    return job;
}

static void run_slide_job(SlideJob *job)
{
    if (job->placement)
        verify_placement(&job->r, job->det, job->out_dir, job->rel, job->source, job->placement,
                         job->faces);
    else if (!job->cut || !verify_cut(&job->r, job->det, job->out_dir, job->rel, job->source,
                                      job->cut, job->faces))
        verify_post(&job->r, job->det, job->out_dir, job->rel, job->source, job->redacted,
                    job->faces, job->cut != NULL);
    igp_error_clear();
    vips_error_clear();
}

/* Run the jobs of @p q that no other thread has taken yet. */
static void run_slide_queue(SlideQueue *q)
{
    for (gint i; (i = g_atomic_int_add(&q->next, 1)) < (gint)q->jobs->len;)
        run_slide_job(g_ptr_array_index(q->jobs, i));
}

static gpointer slide_thread_main(gpointer queue)
{
    run_slide_queue(queue);
    vips_thread_shutdown(); /* libvips' buffers for this thread go */
    return NULL;
}

/* Every post slide made from media @p name, listed in @p r's "slides" (verify
 * refuses them with it), and, when both masters are there, the jobs that
 * check their faces (each @p encode path borrowed). */
static GPtrArray *slide_jobs_of(IgpFileReport *r, LazyDetector *det, const char *out_dir,
                                json_t *encode, const char *name, VipsImage *source,
                                VipsImage *redacted, json_t *faces)
{
    json_t *compose = igp_state_load(out_dir, "compose");
    GPtrArray *jobs = g_ptr_array_new_with_free_func(slide_job_free);
    const char *id;
    json_t *post;

    json_object_foreach(json_object_get(encode, "posts"), id, post)
    {
        json_t *sources = json_object_get(json_object_get(post, "post"), "sources"), *src;
        json_t *files = json_object_get(post, "files"), *file;
        size_t i, k;
        json_array_foreach(files, i, file)
        {
            const char *rel = json_string_value(json_object_get(file, "path"));
            json_t *placed = placements_of(compose, id, post, i), *p;
            if (!rel)
                continue;
            if (json_is_array(placed)) { /* a templated slide */
                json_array_foreach(placed, k, p)
                {
                    if (!g_strcmp0(json_string_value(json_object_get(p, "media")), name)) {
                        add_slide(r, rel);
                        if (source && redacted)
                            g_ptr_array_add(jobs, slide_job(det, out_dir, rel, source, redacted, p,
                                                            NULL, faces));
                    }
                }
                continue;
            }
            src = json_array_size(sources) == json_array_size(files) ? json_array_get(sources, i)
                                                                     : NULL;
            if (src && !g_strcmp0(json_string_value(src), name)) {
                add_slide(r, rel);
                if (source && redacted)
                    g_ptr_array_add(jobs, slide_job(det, out_dir, rel, source, redacted, NULL,
                                                    json_object_get(file, "cut"), faces));
            }
        }
    }
    json_decref(compose);
    return jobs;
}

void igp_verify_faces(const char *out_dir, void (*add)(void *ctx, json_t *report, int ok),
                      void *ctx);

void igp_verify_faces(const char *out_dir, void (*add)(void *ctx, json_t *report, int ok),
                      void *ctx)
{
    json_t *scrub = igp_state_load(out_dir, "scrub");
    json_t *redact = igp_state_load(out_dir, "redact");
    json_t *encode = igp_state_load(out_dir, "encode");
    IgpStageSettings defaults = {0};
    LazyDetector det;
    char *model = igp_face_model_path(&defaults);
    const char *name;
    json_t *entry;

    /* Without any detector only the detail check runs (it is the stricter). */
    detector_start(&det, model);
    json_object_foreach(json_object_get(redact, "media"), name, entry)
    {
        json_t *scrubbed = json_object_get(json_object_get(scrub, "media"), name), *rep;
        VipsImage *source, *redacted;
        int ok;
        if (!json_object_get(entry, "master"))
            continue;
        source = open_rgb(out_dir, json_string_value(json_object_get(scrubbed, "master")),
                          VIPS_ACCESS_SEQUENTIAL);
        redacted = open_rgb(out_dir, json_string_value(json_object_get(entry, "master")),
                            VIPS_ACCESS_SEQUENTIAL);
        if (redacted)
            keep_decoded(source);
        rep = verify_master(&det, out_dir, name, source, redacted, entry, encode, &ok);
        add(ctx, rep, ok);
        if (source)
            g_object_unref(source);
        if (redacted)
            g_object_unref(redacted);
    }
    detector_close(&det);
    g_free(model);
    json_decref(scrub);
    json_decref(redact);
    json_decref(encode);
}
