/* redact: hide faces in place, irreversibly, with a feathered elliptical mask. */
#include "redact.h"

#include "error.h"
#include "i18n.h"
#include "fsutil.h"
#include "image.h"
#include "jpegrows.h"
#include "rowfeed.h"

#include <math.h>
#include <string.h>

#include <cairo.h>
#include <glib.h>
#include <librsvg/rsvg.h>
#include <vips/vips.h>

/* The blur shrinks the face to about this many pixels across: too few to
 * recognise anyone, enough to keep the colours of the scene. */
#define BLUR_FACE_PIXELS 10.0
/* Noise added after the blur (±), so no deconvolution can sharpen it back. */
#define BLUR_NOISE 10
/* The Gaussian on the shrunk face: sigma and radius, in shrunk pixels. */
#define BLUR_SIGMA  1.2f
#define BLUR_RADIUS 3
/* Mosaic cells: at least 1/8 of the face's larger side. */
#define MOSAIC_CELLS_PER_FACE 8
/* The feathered edge, as a fraction of the padded half-size. */
#define FEATHER 0.25
/* Fill colour: a soft neutral beige. */
static const uint8_t FILL_RGB[3] = {214, 204, 190};

static const char *const style_names[] = {
    [IGP_REDACT_BLUR] = "blur",
    [IGP_REDACT_MOSAIC] = "mosaic",
    [IGP_REDACT_FILL] = "fill",
    [IGP_REDACT_STICKER] = "sticker",
};

int igp_redact_style_parse(const char *name, IgpRedactStyle *style)
{
    for (size_t i = 0; i < G_N_ELEMENTS(style_names); i++)
        if (name && !strcmp(name, style_names[i])) {
            *style = (IgpRedactStyle)i;
            return 0;
        }
    return igp_error(IGP_ERR_INVALIDDATA, "redact",
                     _("unknown style '%s' (styles: blur, mosaic, fill, sticker)"),
                     name ? name : "");
}

const char *igp_redact_style_name(IgpRedactStyle style)
{
    return style_names[style];
}

/* The mask ellipse: centre and half-axes of the padded box. Fully opaque up
 * to radius `solid` (enough to cover the unpadded box's corners), fading to
 * zero at solid + FEATHER. */
typedef struct Ellipse {
    double cx, cy, a, b, solid;
} Ellipse;

/* Small faces are padded more: a detector's box for a face 24-48 px wide
 * is often offset by a third of its size (a face behind someone, seen
 * from the side), and the extra area is only a few pixels. From +SMALL_PAD
 * per side at SMALL_FACE_FROM px to nothing at SMALL_FACE_TO px. */
#define SMALL_PAD       0.30
#define SMALL_FACE_FROM 24.0
#define SMALL_FACE_TO   48.0

static double padding_for(const IgpRedactFace *face, double padding)
{
    double side = MIN(face->w, face->h);
    double t = (SMALL_FACE_TO - side) / (SMALL_FACE_TO - SMALL_FACE_FROM);
    return padding + SMALL_PAD * CLAMP(t, 0.0, 1.0);
}

static Ellipse face_ellipse(const IgpRedactFace *face, double padding)
{
    padding = padding_for(face, padding);
    Ellipse e = {face->x + face->w / 2, face->y + face->h / 2, face->w * (0.5 + padding),
                 face->h * (0.5 + padding), 1.0};
    double corner = M_SQRT2 * 0.5 / (0.5 + padding);
    e.solid = MAX(1.0, corner + 0.02);
    return e;
}

void igp_redact_extent(const IgpRedactFace *face, double padding, int width, int height, int *x,
                       int *y, int *w, int *h)
{
    Ellipse e = face_ellipse(face, padding);
    double r = e.solid + FEATHER;
    int x0 = MAX(0, (int)floor(e.cx - e.a * r)), y0 = MAX(0, (int)floor(e.cy - e.b * r));
    int x1 = MIN(width, (int)ceil(e.cx + e.a * r)), y1 = MIN(height, (int)ceil(e.cy + e.b * r));

    *x = x0, *y = y0;
    *w = MAX(0, x1 - x0), *h = MAX(0, y1 - y0);
}

/* Mask weight 0..1 of pixel (px, py). */
static double mask_at(const Ellipse *e, double px, double py)
{
    double dx = (px + 0.5 - e->cx) / e->a, dy = (py + 0.5 - e->cy) / e->b;
    double r2 = dx * dx + dy * dy, outer = e->solid + FEATHER;
    if (r2 <= e->solid * e->solid)
        return 1;
    if (r2 >= outer * outer)
        return 0;
    return 1 - (sqrt(r2) - e->solid) / FEATHER;
}

/* The part of the picture a replacement is made for: its pixels (read in
 * place; the replacement goes to a buffer of its own until the blend), where
 * it lies in the whole picture, and the face. */
typedef struct Region {
    const uint8_t *rgb; ///< top-left pixel of w × h, rows @c stride bytes apart
    size_t stride;
    int w, h;
    int x, y; ///< top-left pixel in picture coordinates
    const IgpRedactFace *face;
} Region;

/* Mean of each channel over the pixels [x0, x1) × [y0, y1) of the region. */
static void box_mean(const Region *r, int x0, int y0, int x1, int y1, float mean[3])
{
    uint32_t sum[3] = {0, 0, 0};
    for (int y = y0; y < y1; y++) {
        const uint8_t *row = r->rgb + (size_t)y * r->stride;
        for (int x = x0; x < x1; x++)
            for (int c = 0; c < 3; c++)
                sum[c] += row[x * 3 + c];
    }
    for (int c = 0; c < 3; c++)
        mean[c] = (float)sum[c] / (float)((x1 - x0) * (y1 - y0));
}

/* Separable Gaussian of BLUR_SIGMA on a small float RGB image, edges
 * repeated. */
static void gauss_small(float *img, int w, int h)
{
    float k[2 * BLUR_RADIUS + 1], total = 0;
    float *tmp = g_malloc((size_t)w * h * 3 * sizeof(float));

    for (int i = -BLUR_RADIUS; i <= BLUR_RADIUS; i++)
        total += k[i + BLUR_RADIUS] = expf(-(float)(i * i) / (2 * BLUR_SIGMA * BLUR_SIGMA));
    for (int i = 0; i <= 2 * BLUR_RADIUS; i++)
        k[i] /= total;
    for (int pass = 0; pass < 2; pass++) {
        const float *src = pass ? tmp : img;
        float *dst = pass ? img : tmp;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int c = 0; c < 3; c++) {
                    float v = 0;
                    for (int i = -BLUR_RADIUS; i <= BLUR_RADIUS; i++) {
                        int sx = pass ? x : CLAMP(x + i, 0, w - 1);
                        int sy = pass ? CLAMP(y + i, 0, h - 1) : y;
                        v += k[i + BLUR_RADIUS] * src[((size_t)sy * w + sx) * 3 + c];
                    }
                    dst[((size_t)y * w + x) * 3 + c] = v;
                }
    }
    g_free(tmp);
}

/* The blur's noise: a fixed pseudo-random tile of NOISE_TILE² pixels
 * (Wellons' lowbias32 hash of the position), repeated over the picture. It
 * is grey (the same on R, G and B): what hides the face's detail is noise in
 * brightness, and colour noise would only cost the encoder bits. */
#define NOISE_TILE 256
static int8_t noise_tile[NOISE_TILE][NOISE_TILE];

static gpointer make_noise_tile(gpointer unused)
{
    (void)unused;
    for (uint32_t y = 0; y < NOISE_TILE; y++)
        for (uint32_t x = 0; x < NOISE_TILE; x++) {
            uint32_t h = (y << 16) ^ x;
            h ^= h >> 16, h *= 0x7feb352dU, h ^= h >> 15, h *= 0x846ca68bU, h ^= h >> 16;
            noise_tile[y][x] = (int8_t)((int)(h % (2 * BLUR_NOISE + 1)) - BLUR_NOISE);
        }
    return NULL;
}

/* Where each output pixel of one axis reads the shrunk image: the two
 * samples and the second one's weight out of 256 (bilinear, centres
 * aligned). */
static void bilinear_axis(int out, int small, int *i0, int *i1, int *weight)
{
    for (int i = 0; i < out; i++) {
        float f = CLAMP(((float)i + 0.5f) * small / out - 0.5f, 0, small - 1);
        i0[i] = (int)f;
        i1[i] = MIN(i0[i] + 1, small - 1);
        weight[i] = (int)lroundf((f - i0[i]) * 256);
    }
}

/* Shrink so the face is BLUR_FACE_PIXELS across (a mean over each cell),
 * blur, enlarge bilinearly and add noise.
 *
 * The noise is tied to the picture, not to the face: in a video, a face
 * that stays still keeps the same grain from frame to frame, so averaging
 * frames cannot cancel it and the encoder does not spend bits on grain that
 * changes every frame. The arithmetic is done here rather than through
 * libvips because in a video it runs for every face of every frame, where
 * setting up three libvips operations costs more than the pixels do. */
static void make_blur(const Region *r, uint8_t *out)
{
    static GOnce noise_once = G_ONCE_INIT;
    double k = MAX(2.0, MAX(r->face->w, r->face->h) / BLUR_FACE_PIXELS);
    int sw = MAX(1, (int)lround(r->w / k)), sh = MAX(1, (int)lround(r->h / k));
    float *small = g_malloc((size_t)sw * sh * 3 * sizeof(float));
    int32_t *fixed = g_malloc((size_t)sw * sh * 3 * sizeof(int32_t));
    int *axes = g_malloc(sizeof(int) * 3 * (size_t)(r->w + r->h));
    int *x0 = axes, *x1 = x0 + r->w, *wx = x1 + r->w;
    int *y0 = wx + r->w, *y1 = y0 + r->h, *wy = y1 + r->h;

    g_once(&noise_once, make_noise_tile, NULL);
    for (int j = 0; j < sh; j++)
        for (int i = 0; i < sw; i++) {
            int cx0 = i * r->w / sw, cx1 = MAX(cx0 + 1, (i + 1) * r->w / sw);
            int cy0 = j * r->h / sh, cy1 = MAX(cy0 + 1, (j + 1) * r->h / sh);
            box_mean(r, cx0, cy0, cx1, cy1, small + ((size_t)j * sw + i) * 3);
        }
    gauss_small(small, sw, sh);
    /* 1/16 levels in fixed point; the bilinear weights are out of 256. */
    for (size_t i = 0; i < (size_t)sw * sh * 3; i++)
        fixed[i] = (int32_t)lroundf(small[i] * 16);
    bilinear_axis(r->w, sw, x0, x1, wx);
    bilinear_axis(r->h, sh, y0, y1, wy);
    for (int y = 0; y < r->h; y++) {
        const int32_t *top = fixed + (size_t)y0[y] * sw * 3,
                      *bottom = fixed + (size_t)y1[y] * sw * 3;
        const int8_t *noise = noise_tile[(r->y + y) % NOISE_TILE];
        uint8_t *o = out + (size_t)y * r->w * 3;
        for (int x = 0; x < r->w; x++, o += 3) {
            const int32_t *a = top + x0[x] * 3, *b = top + x1[x] * 3;
            const int32_t *c = bottom + x0[x] * 3, *d = bottom + x1[x] * 3;
            int n = noise[(r->x + x) % NOISE_TILE];
            for (int ch = 0; ch < 3; ch++) {
                int32_t upper = a[ch] * (256 - wx[x]) + b[ch] * wx[x];
                int32_t lower = c[ch] * (256 - wx[x]) + d[ch] * wx[x];
                int v = (int)((upper * (256 - wy[y]) + lower * wy[y] + (1 << 19)) >> 20) + n;
                o[ch] = (uint8_t)CLAMP(v, 0, 255);
            }
        }
    }
    g_free(axes);
    g_free(fixed);
    g_free(small);
}

/* Square cells of the larger face side / 8 (at least 4 px), each its mean.
 * The cells lie on a grid of the picture, so a still face keeps its cells
 * in a video. */
static void make_mosaic(const Region *r, uint8_t *out)
{
    int cell = MAX(4, (int)ceil(MAX(r->face->w, r->face->h) / MOSAIC_CELLS_PER_FACE));

    for (int y0 = -(r->y % cell); y0 < r->h; y0 += cell)
        for (int x0 = -(r->x % cell); x0 < r->w; x0 += cell) {
            int cx0 = MAX(0, x0), cy0 = MAX(0, y0);
            int cx1 = MIN(r->w, x0 + cell), cy1 = MIN(r->h, y0 + cell);
            float mean[3];
            box_mean(r, cx0, cy0, cx1, cy1, mean);
            for (int y = cy0; y < cy1; y++)
                for (int x = cx0; x < cx1; x++)
                    for (int c = 0; c < 3; c++)
                        out[((size_t)y * r->w + x) * 3 + c] = (uint8_t)lroundf(mean[c]);
        }
}

static void make_fill(int w, int h, uint8_t *out)
{
    for (size_t i = 0; i < (size_t)w * h; i++)
        memcpy(out + i * 3, FILL_RGB, 3);
}

int igp_redact_sticker_path(const char *stickers_dir, const char *name, char **path)
{
    const char *why;
    int ret = igp_path_inside(stickers_dir, name, path, &why);

    if (ret == IGP_ERR(ENOENT))
        return igp_error(IGP_ERR_INVALIDDATA, stickers_dir, _("no sticker '%s' here"), name);
    if (ret)
        return igp_error(IGP_ERR_INVALIDDATA, stickers_dir,
                         _("sticker '%s' must stay inside this folder: it %s"), name, why);
    return 0;
}

/* Straight (non-premultiplied) RGBA from cairo's premultiplied ARGB. */
static void unpremultiply(cairo_surface_t *surface, int w, int h, uint8_t *rgba)
{
    for (int y = 0; y < h; y++) {
        const guint32 *row = (const guint32 *)(cairo_image_surface_get_data(surface) +
                                               (size_t)y * cairo_image_surface_get_stride(surface));
        for (int x = 0; x < w; x++) {
            guint32 p = row[x];
            int a = p >> 24;
            uint8_t *o = rgba + ((size_t)y * w + x) * 4;
            o[0] = a ? (uint8_t)(((p >> 16) & 255) * 255 / a) : 0;
            o[1] = a ? (uint8_t)(((p >> 8) & 255) * 255 / a) : 0;
            o[2] = a ? (uint8_t)((p & 255) * 255 / a) : 0;
            o[3] = (uint8_t)a;
        }
    }
}

static int draw_svg_sticker(const char *path, const char *data, size_t len, int w, int h,
                            uint8_t *rgba)
{
    /* libvips' SVG loader is blocked for untrusted input; stickers are
     * the project's own artwork, drawn with librsvg directly. */
    GError *gerr = NULL;
    RsvgHandle *svg = rsvg_handle_new_from_data((const guint8 *)data, len, &gerr);
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
    cairo_t *cr = cairo_create(surface);
    RsvgRectangle viewport = {0, 0, w, h};
    int ok = svg && rsvg_handle_render_document(svg, cr, &viewport, &gerr), ret = 0;

    cairo_surface_flush(surface);
    if (ok)
        unpremultiply(surface, w, h, rgba);
    else
        ret = igp_error(IGP_ERR_INVALIDDATA, path, _("cannot draw sticker: %s"),
                        gerr ? gerr->message : _("unknown error"));
    g_clear_error(&gerr);
    cairo_destroy(cr);
    cairo_surface_destroy(surface);
    if (svg)
        g_object_unref(svg);
    return ret;
}

static int draw_png_sticker(const char *path, const char *data, size_t len, int w, int h,
                            uint8_t *rgba)
{
    VipsImage *img = NULL, *rgba_img = NULL;
    size_t got = 0;
    void *mem = NULL;
    int ret = 0;

    if (vips_thumbnail_buffer((void *)data, len, &img, w, "height", h, "size", VIPS_SIZE_FORCE,
                              NULL) ||
        vips_colourspace(img, &rgba_img, VIPS_INTERPRETATION_sRGB, NULL))
        ret = igp_vips_error(IGP_ERR_INVALIDDATA, path, _("cannot load sticker"));
    if (ret == 0 && rgba_img->Bands != 4)
        ret = igp_error(IGP_ERR_INVALIDDATA, path, _("sticker PNG needs an alpha channel"));
    if (ret == 0 && (mem = vips_image_write_to_memory(rgba_img, &got)) && got == (size_t)w * h * 4)
        memcpy(rgba, mem, got);
    else if (ret == 0)
        ret = igp_vips_error(IGP_ERR_INVALIDDATA, path, _("cannot load sticker"));
    g_free(mem);
    if (img)
        g_object_unref(img);
    if (rgba_img)
        g_object_unref(rgba_img);
    return ret;
}

/* Load a sticker as straight (non-premultiplied) RGBA of exactly w × h: a
 * regular file of at most the artwork cap, never a FIFO or a device. */
static int load_sticker(const char *path, int w, int h, uint8_t *rgba)
{
    char *data = NULL;
    size_t len = 0;
    int ret = igp_read_user_file(path, IGP_READ_ARTWORK, &data, &len);

    if (ret)
        ret = IGP_ERR_INVALIDDATA;
    else if (g_str_has_suffix(path, ".svg"))
        ret = draw_svg_sticker(path, data, len, w, h, rgba);
    else
        ret = draw_png_sticker(path, data, len, w, h, rgba);
    g_free(data);
    return ret;
}

/* Blur underneath, then the sticker over the padded box. */
static int make_sticker(const Region *r, double padding, uint8_t *out)
{
    const IgpRedactFace *face = r->face;
    int sw = (int)ceil(face->w * (1 + 2 * padding)), sh = (int)ceil(face->h * (1 + 2 * padding));
    int sx = (int)floor(face->x - face->w * padding), sy = (int)floor(face->y - face->h * padding);
    uint8_t *rgba;
    int ret;

    if (!face->sticker)
        return igp_error(IGP_ERR_INVALIDDATA, "redact", _("style sticker needs a sticker file"));
    make_blur(r, out);
    rgba = g_malloc((size_t)sw * sh * 4);
    ret = load_sticker(face->sticker, sw, sh, rgba);
    for (int y = 0; ret == 0 && y < sh; y++)
        for (int x = 0; x < sw; x++) {
            const uint8_t *s = rgba + ((size_t)y * sw + x) * 4;
            uint8_t *d;
            if (sx + x < 0 || sy + y < 0 || sx + x >= r->w || sy + y >= r->h)
                continue;
            d = out + ((size_t)(sy + y) * r->w + sx + x) * 3;
            for (int c = 0; c < 3; c++)
                d[c] = (uint8_t)((s[c] * s[3] + d[c] * (255 - s[3]) + 127) / 255);
        }
    g_free(rgba);
    return ret;
}

/* Mix the replacement into the image through the feathered mask. */
static void blend(IgpRgbImage *img, const uint8_t *repl, int rx, int ry, int w, int h,
                  const Ellipse *e)
{
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            double m = mask_at(e, rx + x, ry + y);
            uint8_t *d = img->data + (size_t)(ry + y) * img->stride + (size_t)(rx + x) * 3;
            const uint8_t *s = repl + ((size_t)y * w + x) * 3;
            if (m >= 1)
                memcpy(d, s, 3);
            else if (m > 0)
                for (int c = 0; c < 3; c++)
                    d[c] = (uint8_t)lround(s[c] * m + d[c] * (1 - m));
        }
}

int igp_redact_face(IgpRgbImage *image, const IgpRedactFace *face, double padding)
{
    Ellipse e = face_ellipse(face, padding);
    int rx, ry, rw, rh, ret = 0;
    uint8_t *repl;

    if (face->w <= 0 || face->h <= 0)
        return igp_error(IGP_ERR_INVALIDDATA, "redact", _("empty face box"));
    igp_redact_extent(face, padding, image->width, image->height, &rx, &ry, &rw, &rh);
    if (rw == 0 || rh == 0)
        return 0; /* wholly outside the picture: nothing to hide */
    repl = g_malloc((size_t)rw * rh * 3);

    /* The face box is in the image's pixels; the region also knows where it
     * lies in the whole picture (the image may be a cut-out of a frame). */
    IgpRedactFace local = *face;
    local.x -= rx, local.y -= ry;
    Region region = {image->data + (size_t)ry * image->stride + (size_t)rx * 3,
                     image->stride,
                     rw,
                     rh,
                     image->origin_x + rx,
                     image->origin_y + ry,
                     &local};
    switch (face->style) {
    case IGP_REDACT_MOSAIC:
        make_mosaic(&region, repl);
        break;
    case IGP_REDACT_FILL:
        make_fill(rw, rh, repl);
        break;
    case IGP_REDACT_STICKER:
        ret = make_sticker(&region, padding, repl);
        break;
    default:
        make_blur(&region, repl);
    }
    if (ret == 0)
        blend(image, repl, rx, ry, rw, rh, &e);
    g_free(repl);
    return ret;
}

/* A group of faces whose redactions touch or may touch the same pixels
 * (transitively), hidden together on a cut-out of their bounding box. */
typedef struct Patch {
    VipsRect area;   ///< the cut-out, in picture pixels
    GArray *members; ///< int: indices of the faces, in the caller's order
    IgpRgbImage pixels;
} Patch;

/* Rows decoded at a time when reading the patches. */
#define PATCH_READ_STRIP 64

static gint compare_index(gconstpointer a, gconstpointer b)
{
    return *(const int *)a - *(const int *)b;
}

static void patch_free(gpointer data)
{
    Patch *p = data;
    g_array_free(p->members, TRUE);
    g_free(p->pixels.data);
    g_free(p);
}

/* One patch per face, then merge patches whose areas overlap until none
 * do: the inserted rectangles are then disjoint, and every face is hidden
 * on pixels already changed by the faces before it, as on the whole
 * picture. */
static GPtrArray *group_faces(const IgpRedactFace *faces, int n, double padding, int width,
                              int height)
{
    GPtrArray *patches = g_ptr_array_new_with_free_func(patch_free);
    gboolean merged = TRUE;

    for (int i = 0; i < n; i++) {
        Patch *p = g_new0(Patch, 1);
        igp_redact_extent(&faces[i], padding, width, height, &p->area.left, &p->area.top,
                          &p->area.width, &p->area.height);
        p->members = g_array_new(FALSE, FALSE, sizeof(int));
        g_array_append_val(p->members, i);
        if (vips_rect_isempty(&p->area))
            patch_free(p); /* wholly outside the picture: nothing to hide */
        else
            g_ptr_array_add(patches, p);
    }
    while (merged) {
        merged = FALSE;
        for (guint i = 0; i < patches->len; i++)
            for (guint j = i + 1; j < patches->len; j++) {
                Patch *a = g_ptr_array_index(patches, i), *b = g_ptr_array_index(patches, j);
                if (!vips_rect_overlapsrect(&a->area, &b->area))
                    continue;
                vips_rect_unionrect(&a->area, &b->area, &a->area);
                g_array_append_vals(a->members, b->members->data, b->members->len);
                g_ptr_array_remove_index(patches, j--);
                merged = TRUE;
            }
    }
    /* Members in the caller's order, so overlapping faces apply as before. */
    for (guint i = 0; i < patches->len; i++) {
        Patch *p = g_ptr_array_index(patches, i);
        g_array_sort(p->members, compare_index);
    }
    return patches;
}

/* Copy the rows of @p strip (prepared in @p region) that fall in each patch. */
static void copy_strip(GPtrArray *patches, VipsRegion *region, const VipsRect *strip)
{
    for (guint i = 0; i < patches->len; i++) {
        Patch *p = g_ptr_array_index(patches, i);
        VipsRect rows;
        vips_rect_intersectrect(&p->area, strip, &rows);
        for (int y = rows.top; !vips_rect_isempty(&rows) && y < VIPS_RECT_BOTTOM(&rows); y++)
            memcpy(p->pixels.data + (size_t)(y - p->area.top) * p->pixels.stride,
                   VIPS_REGION_ADDR(region, p->area.left, y), p->pixels.stride);
    }
}

/* Give each patch its pixel buffer; returns the last row any patch needs. */
static int alloc_patches(GPtrArray *patches)
{
    int bottom = 0;

    for (guint i = 0; i < patches->len; i++) {
        Patch *p = g_ptr_array_index(patches, i);
        p->pixels = (IgpRgbImage){g_malloc((size_t)p->area.width * p->area.height * 3),
                                  p->area.width,
                                  p->area.height,
                                  (size_t)p->area.width * 3,
                                  p->area.left,
                                  p->area.top};
        bottom = MAX(bottom, VIPS_RECT_BOTTOM(&p->area));
    }
    return bottom;
}

/* Read the patches' pixels from @p image (file @p path, opened for a
 * sequential read or already in memory) in one pass, top to bottom, a strip
 * of rows at a time, stopping after the last row any patch needs. */
static int read_patches(VipsImage *image, const char *path, GPtrArray *patches)
{
    VipsRegion *region = vips_region_new(image);
    int bottom = 0, ret = 0;

    if (image->Bands != 3 || image->BandFmt != VIPS_FORMAT_UCHAR)
        ret = igp_error(IGP_ERR_INVALIDDATA, path, _("master is not 8-bit RGB"));
    if (ret == 0)
        bottom = alloc_patches(patches);
    for (int top = 0; ret == 0 && top < bottom; top += PATCH_READ_STRIP) {
        VipsRect strip = {0, top, image->Xsize, MIN(PATCH_READ_STRIP, image->Ysize - top)};
        if (vips_region_prepare(region, &strip))
            ret = igp_vips_error(IGP_ERR_INVALIDDATA, path, _("cannot decode master"));
        else
            copy_strip(patches, region, &strip);
    }
    g_object_unref(region);
    return ret;
}

/* Hide the faces of @p p on its own pixels, in the caller's order. */
static int hide_patch(Patch *p, const IgpRedactFace *faces, double padding)
{
    for (guint k = 0; k < p->members->len; k++) {
        IgpRedactFace local = faces[g_array_index(p->members, int, k)];
        int ret;
        local.x -= p->area.left, local.y -= p->area.top;
        if ((ret = igp_redact_face(&p->pixels, &local, padding)))
            return ret;
    }
    return 0;
}

/* Hide each patch's faces on its own pixels. */
static int hide_in_patches(GPtrArray *patches, const IgpRedactFace *faces, double padding)
{
    for (guint i = 0; i < patches->len; i++) {
        int ret = hide_patch(g_ptr_array_index(patches, i), faces, padding);
        if (ret)
            return ret;
    }
    return 0;
}

/* @p image (file @p path; the reference is taken) with every patch inserted. */
static int insert_patches(VipsImage *image, const char *path, GPtrArray *patches, VipsImage **out)
{
    for (guint i = 0; i < patches->len; i++) {
        Patch *p = g_ptr_array_index(patches, i);
        VipsImage *patch =
            vips_image_new_from_memory(p->pixels.data, p->pixels.stride * p->pixels.height,
                                       p->pixels.width, p->pixels.height, 3, VIPS_FORMAT_UCHAR);
        VipsImage *with = NULL;
        int failed = !patch || vips_insert(image, patch, &with, p->area.left, p->area.top, NULL);
        /* The patch's pixels now belong to the image (no second copy). */
        if (patch) {
            g_signal_connect(patch, "postclose", G_CALLBACK(igp_image_free_on_close),
                             p->pixels.data);
            p->pixels.data = NULL;
        }
        if (patch)
            g_object_unref(patch);
        g_object_unref(image);
        if (failed)
            return igp_vips_error(IGP_ERR_LIBRARY, path, _("cannot insert the hidden faces"));
        image = with;
    }
    image->Type = VIPS_INTERPRETATION_sRGB;
    *out = image;
    return 0;
}

/* Decoded pictures up to this size are held whole while their faces are
 * hidden (a 12 MP photo's 36 MB, as scrub holds it): one decode, not two. */
#define REDACT_IN_MEMORY_MAX (40 * 1024 * 1024)

static VipsImage *open_sequential(const char *path)
{
    return vips_image_new_from_file(path, "access", VIPS_ACCESS_SEQUENTIAL, NULL);
}

/* @p image decoded into memory (the reference is taken), or NULL. */
static VipsImage *decoded(VipsImage *image)
{
    VipsImage *copy = vips_image_copy_memory(image);

    g_object_unref(image);
    return copy;
}

int igp_redact_file(const char *path, const IgpRedactFace *faces, int n, double padding,
                    VipsImage **out)
{
    VipsImage *header = vips_image_new_from_file(path, NULL), *image;
    GPtrArray *patches;
    int ret, in_memory;

    if (!header)
        return igp_vips_error(IGP_ERR_INVALIDDATA, path, _("cannot read master"));
    for (int i = 0; i < n; i++)
        if (faces[i].w <= 0 || faces[i].h <= 0) {
            g_object_unref(header);
            return igp_error(IGP_ERR_INVALIDDATA, "redact", _("empty face box"));
        }
    patches = group_faces(faces, n, padding, header->Xsize, header->Ysize);
    /* A picture that fits the budget is decoded once, into memory; a larger
     * one is read twice, a strip at a time, so memory stays flat. */
    in_memory = patches->len > 0 && VIPS_IMAGE_SIZEOF_IMAGE(header) <= REDACT_IN_MEMORY_MAX;
    g_object_unref(header);
    if (!(image = open_sequential(path)))
        ret = igp_vips_error(IGP_ERR_INVALIDDATA, path, _("cannot read master"));
    else if (in_memory && !(image = decoded(image)))
        ret = igp_vips_error(IGP_ERR_INVALIDDATA, path, _("cannot decode master"));
    else
        ret = read_patches(image, path, patches);
    if (ret == 0)
        ret = hide_in_patches(patches, faces, padding);
    if (ret == 0 && !in_memory) {
        g_object_unref(image);
        if (!(image = open_sequential(path)))
            ret = igp_vips_error(IGP_ERR_INVALIDDATA, path, _("cannot read master"));
    }
    if (ret == 0) {
        ret = insert_patches(image, path, patches, out);
        image = NULL;
    }
    if (image)
        g_object_unref(image);
    g_ptr_array_free(patches, TRUE);
    return ret;
}

/* The faces of a picture being decoded into a feed (redact_overlapped()). */
typedef struct HideAsDecoded {
    GPtrArray *patches;
    const IgpRedactFace *faces;
    double padding;
    guint hidden; ///< patches [0, hidden) are hidden and back in the feed
} HideAsDecoded;

/* An IgpRowFeedHook: keep the patches' decoded rows; hide each patch once
 * its last row is decoded, in the patches' order (so a failure is the same
 * one as in hide_in_patches()), and write it back into the feed; release
 * the rows above the first patch not yet hidden. */
static int hide_as_decoded(IgpRowFeed *feed, VipsRegion *decoded, const VipsRect *strip, void *data)
{
    HideAsDecoded *h = data;
    int ready = VIPS_RECT_BOTTOM(strip);

    copy_strip(h->patches, decoded, strip);
    for (; h->hidden < h->patches->len; h->hidden++) {
        Patch *p = g_ptr_array_index(h->patches, h->hidden);
        int ret;
        if (VIPS_RECT_BOTTOM(&p->area) > ready)
            break;
        if ((ret = hide_patch(p, h->faces, h->padding)))
            return ret;
        for (int y = 0; y < p->area.height; y++)
            memcpy(igp_row_feed_row(feed, p->area.top + y) + p->area.left * 3,
                   p->pixels.data + y * p->pixels.stride, p->pixels.stride);
    }
    for (guint i = h->hidden; i < h->patches->len; i++)
        ready = MIN(ready, ((Patch *)g_ptr_array_index(h->patches, i))->area.top);
    return ready;
}

static int mkdir_for(const char *path)
{
    char *dir = g_path_get_dirname(path);
    int ret = igp_mkdir_p(dir);

    g_free(dir);
    return ret;
}

/* The patches of @p faces on the picture whose header is @p header if
 * redact_overlapped() can hide them: a picture decoded into memory anyway
 * (as igp_redact_file() does), 8-bit RGB, with a face to hide. Otherwise
 * NULL, and igp_redact_file() does it, or says what is wrong, as it always
 * did. */
static GPtrArray *patches_to_overlap(VipsImage *header, const IgpRedactFace *faces, int n,
                                     double padding)
{
    GPtrArray *patches;

    if (!header || VIPS_IMAGE_SIZEOF_IMAGE(header) > REDACT_IN_MEMORY_MAX || header->Bands != 3 ||
        header->BandFmt != VIPS_FORMAT_UCHAR)
        return NULL;
    for (int i = 0; i < n; i++)
        if (faces[i].w <= 0 || faces[i].h <= 0)
            return NULL;
    patches = group_faces(faces, n, padding, header->Xsize, header->Ysize);
    if (patches && patches->len == 0)
        g_clear_pointer(&patches, g_ptr_array_unref);
    return patches;
}

/* Decode @p path (@p header: its header) once, into memory, hiding the
 * faces as their rows come, while a thread of its own encodes the rows that
 * are done. Returns 1 (nothing done, no message) when igp_redact_file() is
 * the way. */
static int redact_overlapped(const char *path, VipsImage *header, const IgpRedactFace *faces, int n,
                             double padding, const char *out_path, const IgpJpegSettings *settings)
{
    HideAsDecoded h = {patches_to_overlap(header, faces, n, padding), faces, padding, 0};
    VipsImage *image = h.patches ? open_sequential(path) : NULL, *hidden = NULL;
    IgpRowFeed *feed = NULL;
    IgpJpegWriter *writer = NULL;
    int ret = 1;

    if (image && (hidden = igp_row_feed_new(image, &feed)) && (ret = mkdir_for(out_path)) == 0) {
        hidden->Type = VIPS_INTERPRETATION_sRGB; /* as insert_patches() */
        if (!(writer = igp_jpeg_writer_start(hidden, out_path, settings)))
            ret = 1; /* no thread to spare: the usual way */
    }
    if (writer) {
        alloc_patches(h.patches);
        ret = igp_row_feed_fill(feed, image, hide_as_decoded, &h, path, _("cannot decode master"));
        ret = igp_jpeg_writer_finish(writer, path, ret);
    }
    if (hidden)
        g_object_unref(hidden);
    if (image)
        g_object_unref(image);
    if (h.patches)
        g_ptr_array_unref(h.patches);
    return ret;
}

/* ---- Only the rows of the faces (filters/jpegrows.h) ----
 * A master written with a restart marker after every row of MCUs is
 * redacted row by row: the rows of MCUs from the highest of the hidden
 * faces' patches to the lowest are decoded (with a row more on each side,
 * so that chroma is upsampled as in the whole picture), hidden as
 * igp_redact_file() hides them, and encoded again with the master's
 * settings, in two pieces on two threads; every row above and below is the
 * master's, byte for byte, not re-encoded. Past ROWS_AT_MOST of the
 * picture's rows (a crowd from top to bottom) redact_overlapped(), which
 * decodes the whole picture on one thread while another encodes it, is as
 * quick and the rows are not worth it. */
#define ROWS_AT_MOST (2.0 / 3.0)

/* The rows of MCUs [*first, *end) from the highest of @p patches to the lowest. */
static void rows_of_patches(GPtrArray *patches, int mcu_height, int *first, int *end)
{
    int top = G_MAXINT, bottom = 0;

    for (guint i = 0; i < patches->len; i++) {
        const Patch *p = g_ptr_array_index(patches, i);
        top = MIN(top, p->area.top), bottom = MAX(bottom, VIPS_RECT_BOTTOM(&p->area));
    }
    *first = top / mcu_height, *end = (bottom + mcu_height - 1) / mcu_height;
}

/* Rows [top, bottom) of MCUs of @p rows decoded into memory: in two bands at
 * once when there are enough of them (jpegrows.h), else in one. */
static VipsImage *decode_rows(const IgpJpegRows *rows, int top, int bottom, GByteArray **cut)
{
    VipsImage *image;

    *cut = igp_jpeg_rows_cut(rows, top, bottom);
    if ((image = igp_jpeg_rows_load_buffer((*cut)->data, (*cut)->len, 1, 0, 0)))
        return image;
    image = vips_image_new_from_buffer((*cut)->data, (*cut)->len, "", NULL);
    return image ? decoded(image) : NULL;
}

/* The faces of @p patches hidden on @p image, the picture's rows from @p dy
 * on: *@p hidden (the reference to @p image is taken). 0, or IGP_ERR. */
static int hide_in_cut(VipsImage *image, int dy, GPtrArray *patches, const IgpRedactFace *faces,
                       int n, double padding, const char *path, VipsImage **hidden)
{
    IgpRedactFace *moved = g_memdup2(faces, sizeof(*faces) * (size_t)n);
    int ret;

    /* The faces and patches in the cut's pixels... */
    for (int i = 0; i < n; i++)
        moved[i].y -= dy;
    for (guint i = 0; i < patches->len; i++)
        ((Patch *)g_ptr_array_index(patches, i))->area.top -= dy;
    ret = read_patches(image, path, patches);
    /* ...but noise and mosaic cells lie on the whole picture's grid. */
    for (guint i = 0; ret == 0 && i < patches->len; i++)
        ((Patch *)g_ptr_array_index(patches, i))->pixels.origin_y += dy;
    if (ret == 0)
        ret = hide_in_patches(patches, moved, padding);
    if (ret == 0)
        ret = insert_patches(image, path, patches, hidden);
    else
        g_object_unref(image);
    g_free(moved);
    return ret;
}

/* The rows are encoded again in this many pieces at once, each a JPEG. */
#define ROW_PIECES 2

/* One piece: rows of pixels [top, top + height) of @c hidden, encoded on a
 * thread of its own into @c jpeg, then read as rows into @c rows. */
typedef struct RowPiece {
    VipsImage *hidden;
    int top, height;
    const IgpJpegSettings *settings;
    void *jpeg;
    size_t len;
    int failed;
    IgpJpegRows rows;
} RowPiece;

static gpointer encode_piece(gpointer data)
{
    RowPiece *p = data;
    VipsImage *rows = NULL;

    p->failed = vips_extract_area(p->hidden, &rows, 0, p->top, p->hidden->Xsize, p->height, NULL) ||
                igp_jpeg_save_buffer(rows, p->settings, &p->jpeg, &p->len);
    if (rows)
        g_object_unref(rows);
    return NULL;
}

static gpointer encode_piece_thread(gpointer data)
{
    encode_piece(data);
    vips_thread_shutdown();
    return NULL;
}

/* Rows [first, end) of MCUs of the picture, in @p hidden from row @p top
 * on, encoded again in @p n pieces side by side. 0, or IGP_ERR. */
static int encode_pieces(const IgpJpegRows *rows, VipsImage *hidden, int top, int first, int end,
                         const IgpJpegSettings *settings, RowPiece *pieces, int n, const char *path)
{
    GThread *threads[ROW_PIECES] = {0};
    int failed = 0;

    for (int i = 0; i < n; i++) {
        int from = first + (end - first) * i / n, to = first + (end - first) * (i + 1) / n;
        pieces[i].hidden = hidden, pieces[i].settings = settings;
        pieces[i].top = (from - top) * rows->mcu_height;
        pieces[i].height = MIN(rows->height, to * rows->mcu_height) - from * rows->mcu_height;
        if (i > 0)
            threads[i] = g_thread_try_new("igp-redact-rows", encode_piece_thread, &pieces[i], NULL);
    }
    for (int i = 0; i < n; i++)
        if (!threads[i])
            encode_piece(&pieces[i]);
    for (int i = 0; i < n; i++) {
        if (threads[i])
            g_thread_join(threads[i]);
        failed |= pieces[i].failed;
    }
    return failed ? igp_vips_error(IGP_ERR_LIBRARY, path, _("cannot encode the hidden faces")) : 0;
}

/* The master (@p rows) with its rows [first, end) replaced by the pieces',
 * written to @p out_path; 1 (nothing written) when the pieces cannot stand
 * in for exactly those rows (not coded with the master's very tables, or
 * another number of rows: a row of a face must never be the master's). */
static int write_with_pieces(const IgpJpegRows *rows, int first, int end, RowPiece *pieces, int n,
                             const char *out_path)
{
    IgpJpegRows with[ROW_PIECES];
    int fits = 1, count = 0, ret = 1;
    GByteArray *out;

    for (int i = 0; i < n; i++) {
        fits &= igp_jpeg_rows_parse(pieces[i].jpeg, pieces[i].len, &pieces[i].rows) == 0 &&
                igp_jpeg_rows_same_coding(rows, &pieces[i].rows) &&
                pieces[i].rows.n_rows * rows->mcu_height >= pieces[i].height &&
                (pieces[i].rows.n_rows - 1) * rows->mcu_height < pieces[i].height;
        with[i] = pieces[i].rows;
        count += pieces[i].rows.n_rows;
    }
    if (fits && count == end - first) {
        out = igp_jpeg_rows_replace(rows, first, with, n);
        ret = mkdir_for(out_path);
        if (ret == 0)
            ret = igp_write_file_atomic(out_path, out->data, out->len);
        g_byte_array_unref(out);
    }
    return ret;
}

/* The rows [first, end) of MCUs of @p rows with their faces hidden, in
 * place of the master's, written to @p out_path: 0, IGP_ERR, or 1 (nothing
 * written, no message) when the new rows cannot stand in for them. */
static int redact_in_rows(const IgpJpegRows *rows, int first, int end, GPtrArray *patches,
                          const IgpRedactFace *faces, int n, double padding, const char *path,
                          const char *out_path, const IgpJpegSettings *settings)
{
    /* Decoded with a row of context above and below. */
    int top = MAX(0, first - 1), bottom = MIN(rows->n_rows, end + 1);
    int n_pieces = MIN(ROW_PIECES, end - first), ret = 0;
    GByteArray *cut = NULL;
    VipsImage *image = decode_rows(rows, top, bottom, &cut), *hidden = NULL;
    RowPiece pieces[ROW_PIECES] = {{0}};

    if (!image)
        ret = igp_vips_error(IGP_ERR_INVALIDDATA, path, _("cannot decode master"));
    if (ret == 0)
        ret = hide_in_cut(image, top * rows->mcu_height, patches, faces, n, padding, path, &hidden);
    if (ret == 0)
        ret = encode_pieces(rows, hidden, top, first, end, settings, pieces, n_pieces, path);
    if (ret == 0)
        ret = write_with_pieces(rows, first, end, pieces, n_pieces, out_path);
    for (int i = 0; i < n_pieces; i++) {
        igp_jpeg_rows_clear(&pieces[i].rows);
        g_free(pieces[i].jpeg);
    }
    if (hidden)
        g_object_unref(hidden);
    g_byte_array_unref(cut);
    return ret;
}

/* Redact @p path into @p out_path a row of MCUs at a time (see above).
 * Returns 1 (nothing done, no message) when the master is not such a JPEG,
 * when the redacted master is to be written otherwise, or when there is
 * nothing to hide: the caller then takes the usual way. */
static int redact_rows(const char *path, VipsImage *header, const IgpRedactFace *faces, int n,
                       double padding, const char *out_path, const IgpJpegSettings *settings)
{
    char *data = NULL;
    size_t len = 0;
    IgpJpegRows rows = {0};
    GPtrArray *patches = NULL;
    int ret = 1, first = 0, end = 0;

    /* A picture larger than the in-memory budget is read as it decodes
     * (igp_redact_file()): memory stays flat with the camera's resolution. */
    if (!settings->restart_rows || settings->max_bytes > 0 || !header || n <= 0 ||
        VIPS_IMAGE_SIZEOF_IMAGE(header) > REDACT_IN_MEMORY_MAX)
        return 1;
    for (int i = 0; i < n; i++)
        if (faces[i].w <= 0 || faces[i].h <= 0)
            return 1; /* igp_redact_file() says so */
    if (g_file_get_contents(path, &data, &len, NULL) &&
        igp_jpeg_rows_parse((const uint8_t *)data, len, &rows) == 0 &&
        rows.width == header->Xsize && rows.height == header->Ysize)
        patches = group_faces(faces, n, padding, rows.width, rows.height);
    if (patches && patches->len > 0)
        rows_of_patches(patches, rows.mcu_height, &first, &end);
    if (end > first && end - first <= ROWS_AT_MOST * rows.n_rows)
        ret =
            redact_in_rows(&rows, first, end, patches, faces, n, padding, path, out_path, settings);
    if (patches)
        g_ptr_array_unref(patches);
    igp_jpeg_rows_clear(&rows);
    g_free(data);
    return ret;
}

/* No face to hide: the redacted master is the scrubbed master, byte for
 * byte, instead of the same picture decoded and encoded once more. */
static int copy_master(const char *path, const char *out_path)
{
    char *data = NULL;
    size_t len = 0;
    int ret = mkdir_for(out_path);

    if (ret == 0 && !g_file_get_contents(path, &data, &len, NULL))
        ret = igp_error(IGP_ERR_INVALIDDATA, path, _("cannot read master"));
    if (ret == 0)
        ret = igp_write_file_atomic(out_path, data, len);
    g_free(data);
    return ret;
}

int igp_redact_file_to_jpeg(const char *path, const IgpRedactFace *faces, int n, double padding,
                            const char *out_path, const IgpJpegSettings *settings)
{
    VipsImage *out = NULL, *header = vips_image_new_from_file(path, NULL);
    IgpJpegSettings like = igp_jpeg_settings_like(settings, header); /* the master's chroma */
    int ret;

    if (!header)
        vips_error_clear(); /* (an unreadable master fails below, with its message) */
    if (header && n == 0 && like.max_bytes <= 0) {
        g_object_unref(header);
        return copy_master(path, out_path);
    }
    ret = redact_rows(path, header, faces, n, padding, out_path, &like);
    if (ret == 1)
        ret = redact_overlapped(path, header, faces, n, padding, out_path, &like);
    if (header)
        g_object_unref(header);
    if (ret != 1)
        return ret;
    ret = igp_redact_file(path, faces, n, padding, &out);
    if (ret == 0)
        ret = mkdir_for(out_path);
    if (ret == 0)
        ret = igp_image_save_jpeg(out, path, out_path, &like);
    if (out)
        g_object_unref(out);
    return ret;
}
