/* redact: hide faces in place, irreversibly, with a feathered elliptical mask. */
#include "redact.h"

#include "error.h"
#include "image.h"

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
                     "unknown style '%s' (styles: blur, mosaic, fill, sticker)", name ? name : "");
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

static Ellipse face_ellipse(const IgpRedactFace *face, double padding)
{
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
    double r = sqrt(dx * dx + dy * dy);
    if (r <= e->solid)
        return 1;
    if (r >= e->solid + FEATHER)
        return 0;
    return 1 - (r - e->solid) / FEATHER;
}

/* Region → libvips image (a copy). */
static VipsImage *region_image(const IgpRgbImage *img, int x, int y, int w, int h)
{
    uint8_t *buf = g_malloc((size_t)w * h * 3);
    VipsImage *out;
    for (int row = 0; row < h; row++)
        memcpy(buf + (size_t)row * w * 3, img->data + (size_t)(y + row) * img->stride + x * 3,
               (size_t)w * 3);
    out = vips_image_new_from_memory_copy(buf, (size_t)w * h * 3, w, h, 3, VIPS_FORMAT_UCHAR);
    g_free(buf);
    return out;
}

/* Render @p in (w × h × 3 uchar) into @p out (a w × h × 3 buffer). */
static int image_to_buffer(VipsImage *in, int w, int h, uint8_t *out)
{
    VipsImage *cast = NULL;
    size_t len = 0;
    void *mem;
    int ret = 0;

    if (vips_cast_uchar(in, &cast, NULL))
        return igp_vips_error(IGP_ERR_LIBRARY, "redact", "cannot convert");
    if (cast->Xsize != w || cast->Ysize != h || cast->Bands != 3) {
        g_object_unref(cast);
        return igp_error(IGP_ERR_LIBRARY, "redact", "replacement is %dx%dx%d, not %dx%dx3",
                         cast->Xsize, cast->Ysize, cast->Bands, w, h);
    }
    mem = vips_image_write_to_memory(cast, &len);
    if (!mem || len != (size_t)w * h * 3)
        ret = igp_vips_error(IGP_ERR_LIBRARY, "redact", "cannot render");
    else
        memcpy(out, mem, len);
    g_free(mem);
    g_object_unref(cast);
    return ret;
}

/* Deterministic noise (the same face gives the same master, so re-runs
 * find it unchanged), seeded from the box. */
static void add_noise(uint8_t *buf, int w, int h, const IgpRedactFace *face)
{
    guint32 state = (guint32)(face->x * 7919 + face->y * 104729 + face->w * 31 + face->h) | 1;
    for (size_t i = 0; i < (size_t)w * h * 3; i++) {
        int v;
        state ^= state << 13, state ^= state >> 17, state ^= state << 5;
        v = buf[i] + (int)(state % (2 * BLUR_NOISE + 1)) - BLUR_NOISE;
        buf[i] = (uint8_t)CLAMP(v, 0, 255);
    }
}

/* Shrink so the face is BLUR_FACE_PIXELS across, blur, enlarge, add noise. */
static int make_blur(VipsImage *region, const IgpRedactFace *face, uint8_t *out)
{
    double k = MAX(2.0, MAX(face->w, face->h) / BLUR_FACE_PIXELS);
    int w = region->Xsize, h = region->Ysize, ret;
    VipsImage *small = NULL, *soft = NULL, *big = NULL;

    if (vips_resize(region, &small, 1.0 / k, "kernel", VIPS_KERNEL_LINEAR, NULL) ||
        vips_gaussblur(small, &soft, 1.2, NULL) ||
        vips_resize(soft, &big, (double)w / soft->Xsize, "vscale", (double)h / soft->Ysize,
                    "kernel", VIPS_KERNEL_LINEAR, NULL))
        ret = igp_vips_error(IGP_ERR_LIBRARY, "redact", "cannot blur");
    else
        ret = image_to_buffer(big, w, h, out);
    if (ret == 0)
        add_noise(out, w, h, face);
    if (small)
        g_object_unref(small);
    if (soft)
        g_object_unref(soft);
    if (big)
        g_object_unref(big);
    return ret;
}

/* Square cells of the larger face side / 8 (at least 4 px), each its mean. */
static int make_mosaic(VipsImage *region, const IgpRedactFace *face, uint8_t *out)
{
    int cell = MAX(4, (int)ceil(MAX(face->w, face->h) / MOSAIC_CELLS_PER_FACE));
    int w = region->Xsize, h = region->Ysize, ret;
    VipsImage *padded = NULL, *small = NULL, *big = NULL, *cut = NULL;
    int pw = (w + cell - 1) / cell * cell, ph = (h + cell - 1) / cell * cell;

    /* Pad to whole cells by repeating the edge, so edge cells are averaged too. */
    if (vips_embed(region, &padded, 0, 0, pw, ph, "extend", VIPS_EXTEND_COPY, NULL) ||
        vips_shrink(padded, &small, cell, cell, NULL) || vips_zoom(small, &big, cell, cell, NULL) ||
        vips_extract_area(big, &cut, 0, 0, w, h, NULL))
        ret = igp_vips_error(IGP_ERR_LIBRARY, "redact", "cannot make mosaic");
    else
        ret = image_to_buffer(cut, w, h, out);
    if (padded)
        g_object_unref(padded);
    if (small)
        g_object_unref(small);
    if (big)
        g_object_unref(big);
    if (cut)
        g_object_unref(cut);
    return ret;
}

static void make_fill(int w, int h, uint8_t *out)
{
    for (size_t i = 0; i < (size_t)w * h; i++)
        memcpy(out + i * 3, FILL_RGB, 3);
}

/* Load a sticker as straight (non-premultiplied) RGBA of exactly w × h. */
static int load_sticker(const char *path, int w, int h, uint8_t *rgba)
{
    if (g_str_has_suffix(path, ".svg")) {
        /* libvips' SVG loader is blocked for untrusted input; stickers are
         * the project's own artwork, drawn with librsvg directly. */
        GError *gerr = NULL;
        RsvgHandle *svg = rsvg_handle_new_from_file(path, &gerr);
        cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
        cairo_t *cr = cairo_create(surface);
        RsvgRectangle viewport = {0, 0, w, h};
        int ok = svg && rsvg_handle_render_document(svg, cr, &viewport, &gerr);
        cairo_surface_flush(surface);
        for (int y = 0; ok && y < h; y++) {
            const guint32 *row =
                (const guint32 *)(cairo_image_surface_get_data(surface) +
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
        cairo_destroy(cr);
        cairo_surface_destroy(surface);
        if (svg)
            g_object_unref(svg);
        if (!ok) {
            int ret = igp_error(IGP_ERR_INVALIDDATA, path, "cannot draw sticker: %s",
                                gerr ? gerr->message : "unknown error");
            g_clear_error(&gerr);
            return ret;
        }
        return 0;
    } else {
        VipsImage *img = NULL, *rgba_img = NULL;
        size_t len = 0;
        void *mem = NULL;
        int ret = 0;
        if (vips_thumbnail(path, &img, w, "height", h, "size", VIPS_SIZE_FORCE, NULL) ||
            vips_colourspace(img, &rgba_img, VIPS_INTERPRETATION_sRGB, NULL))
            ret = igp_vips_error(IGP_ERR_INVALIDDATA, path, "cannot load sticker");
        if (ret == 0 && rgba_img->Bands != 4)
            ret = igp_error(IGP_ERR_INVALIDDATA, path, "sticker PNG needs an alpha channel");
        if (ret == 0 && (mem = vips_image_write_to_memory(rgba_img, &len)) &&
            len == (size_t)w * h * 4)
            memcpy(rgba, mem, len);
        else if (ret == 0)
            ret = igp_vips_error(IGP_ERR_INVALIDDATA, path, "cannot load sticker");
        g_free(mem);
        if (img)
            g_object_unref(img);
        if (rgba_img)
            g_object_unref(rgba_img);
        return ret;
    }
}

/* Blur underneath, then the sticker over the padded box. */
static int make_sticker(VipsImage *region, const IgpRedactFace *face, double padding, int rx,
                        int ry, uint8_t *out)
{
    int w = region->Xsize, h = region->Ysize, ret = make_blur(region, face, out);
    int sw = (int)ceil(face->w * (1 + 2 * padding)), sh = (int)ceil(face->h * (1 + 2 * padding));
    int sx = (int)floor(face->x - face->w * padding) - rx,
        sy = (int)floor(face->y - face->h * padding) - ry;
    uint8_t *rgba;

    if (ret)
        return ret;
    if (!face->sticker)
        return igp_error(IGP_ERR_INVALIDDATA, "redact", "style sticker needs a sticker file");
    rgba = g_malloc((size_t)sw * sh * 4);
    ret = load_sticker(face->sticker, sw, sh, rgba);
    for (int y = 0; ret == 0 && y < sh; y++)
        for (int x = 0; x < sw; x++) {
            const uint8_t *s = rgba + ((size_t)y * sw + x) * 4;
            uint8_t *d;
            if (sx + x < 0 || sy + y < 0 || sx + x >= w || sy + y >= h)
                continue;
            d = out + ((size_t)(sy + y) * w + sx + x) * 3;
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
            if (m <= 0)
                continue;
            for (int c = 0; c < 3; c++)
                d[c] = (uint8_t)lround(s[c] * m + d[c] * (1 - m));
        }
}

int igp_redact_face(IgpRgbImage *image, const IgpRedactFace *face, double padding)
{
    Ellipse e = face_ellipse(face, padding);
    int rx, ry, rw, rh, ret;
    VipsImage *region;
    uint8_t *repl;

    if (face->w <= 0 || face->h <= 0)
        return igp_error(IGP_ERR_INVALIDDATA, "redact", "empty face box");
    igp_redact_extent(face, padding, image->width, image->height, &rx, &ry, &rw, &rh);
    if (rw == 0 || rh == 0)
        return 0; /* wholly outside the picture: nothing to hide */
    region = region_image(image, rx, ry, rw, rh);
    if (!region)
        return igp_vips_error(IGP_ERR_LIBRARY, "redact", "cannot copy region");
    repl = g_malloc((size_t)rw * rh * 3);
    switch (face->style) {
    case IGP_REDACT_MOSAIC:
        ret = make_mosaic(region, face, repl);
        break;
    case IGP_REDACT_FILL:
        make_fill(rw, rh, repl);
        ret = 0;
        break;
    case IGP_REDACT_STICKER:
        ret = make_sticker(region, face, padding, rx, ry, repl);
        break;
    default:
        ret = make_blur(region, face, repl);
    }
    if (ret == 0)
        blend(image, repl, rx, ry, rw, rh, &e);
    g_free(repl);
    g_object_unref(region);
    return ret;
}
