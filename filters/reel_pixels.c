/* Reel pixels: the per-frame work on yuv420p frames that no libavfilter
 * filter does because it changes with every frame: hiding faces (through the
 * photo redaction on a small RGB cut-out) and blending overlays. All frames
 * are BT.709, limited range (the normalising graph makes them so). */
#include "reel_internal.h"

#include "error.h"

#include <string.h>

#include <glib.h>
#include <libavutil/frame.h>

static inline uint8_t clamp8(int v)
{
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

/* BT.709 limited range, 16.16 fixed point. */
static inline void yuv_to_rgb(int y, int u, int v, uint8_t *rgb)
{
    int c = (y - 16) * 76309, d = u - 128, e = v - 128;
    rgb[0] = clamp8((c + 117489 * e + 32768) >> 16);
    rgb[1] = clamp8((c - 13975 * d - 34925 * e + 32768) >> 16);
    rgb[2] = clamp8((c + 138438 * d + 32768) >> 16);
}

static inline int luma(int r, int g, int b)
{
    return (11966 * r + 40254 * g + 4064 * b + 32768 + (16 << 16)) >> 16;
}

static inline int chroma_u(int r, int g, int b)
{
    return (-6596 * r - 22189 * g + 28785 * b + 32768 + (128 << 16)) >> 16;
}

static inline int chroma_v(int r, int g, int b)
{
    return (28785 * r - 26145 * g - 2640 * b + 32768 + (128 << 16)) >> 16;
}

static void region_to_rgb(const AVFrame *f, int x, int y, int w, int h, uint8_t *rgb)
{
    for (int j = 0; j < h; j++) {
        const uint8_t *py = f->data[0] + (size_t)(y + j) * f->linesize[0] + x;
        const uint8_t *pu = f->data[1] + (size_t)((y + j) / 2) * f->linesize[1] + x / 2;
        const uint8_t *pv = f->data[2] + (size_t)((y + j) / 2) * f->linesize[2] + x / 2;
        for (int i = 0; i < w; i++)
            yuv_to_rgb(py[i], pu[i / 2], pv[i / 2], rgb + ((size_t)j * w + i) * 3);
    }
}

/* Write back only what the redaction changed: every other pixel of the
 * frame stays exactly as decoded. */
static void rgb_to_region(AVFrame *f, int x, int y, int w, int h, const uint8_t *rgb,
                          const uint8_t *before)
{
    for (int j = 0; j < h; j += 2)
        for (int i = 0; i < w; i += 2) {
            int changed = 0, r = 0, g = 0, b = 0;
            for (int k = 0; k < 4; k++) {
                size_t at = ((size_t)(j + k / 2) * w + i + k % 2) * 3;
                if (memcmp(rgb + at, before + at, 3)) {
                    f->data[0][(size_t)(y + j + k / 2) * f->linesize[0] + x + i + k % 2] =
                        clamp8(luma(rgb[at], rgb[at + 1], rgb[at + 2]));
                    changed = 1;
                }
                r += rgb[at], g += rgb[at + 1], b += rgb[at + 2];
            }
            if (changed) {
                size_t c = (size_t)((y + j) / 2);
                f->data[1][c * f->linesize[1] + (x + i) / 2] =
                    clamp8(chroma_u(r / 4, g / 4, b / 4));
                f->data[2][c * f->linesize[2] + (x + i) / 2] =
                    clamp8(chroma_v(r / 4, g / 4, b / 4));
            }
        }
}

int igp_reel_redact_frame(AVFrame *frame, const IgpRedactFace *face)
{
    int x, y, w, h, ret;

    igp_redact_extent(face, IGP_REDACT_PADDING, frame->width, frame->height, &x, &y, &w, &h);
    /* Whole chroma samples: even corners and sizes. */
    w += x & 1, h += y & 1, x &= ~1, y &= ~1;
    w = MIN(w + (w & 1), frame->width - x) & ~1;
    h = MIN(h + (h & 1), frame->height - y) & ~1;
    if (w <= 0 || h <= 0)
        return 0;

    uint8_t *rgb = g_malloc((size_t)w * h * 3), *before = g_malloc((size_t)w * h * 3);
    IgpRgbImage cut = {rgb, w, h, (size_t)w * 3, x, y};
    IgpRedactFace local = *face;

    local.x -= x, local.y -= y;
    region_to_rgb(frame, x, y, w, h, rgb);
    memcpy(before, rgb, (size_t)w * h * 3);
    ret = igp_redact_face(&cut, &local, IGP_REDACT_PADDING);
    if (ret == 0)
        rgb_to_region(frame, x, y, w, h, rgb, before);
    g_free(rgb);
    g_free(before);
    return ret;
}

void igp_reel_overlay_release(IgpYuvOverlay *ov)
{
    g_free(ov->y_premul);
    g_free(ov->y_alpha);
    g_free(ov->u_premul);
    g_free(ov->v_premul);
    g_free(ov->c_alpha);
    memset(ov, 0, sizeof(*ov));
}

/* One pixel of cairo's ARGB32 (native-endian 32-bit words). */
static inline void argb_at(const IgpReelOverlayImage *img, int x, int y, int *a, int *r, int *g,
                           int *b)
{
    uint32_t p;
    memcpy(&p, img->argb + (size_t)y * img->stride + (size_t)x * 4, 4);
    *a = p >> 24, *r = (p >> 16) & 255, *g = (p >> 8) & 255, *b = p & 255;
}

int igp_reel_overlay_prepare(IgpYuvOverlay *ov, const IgpReelOverlayImage *img)
{
    if (ov->valid && ov->serial == img->serial)
        return 0;
    igp_reel_overlay_release(ov);
    ov->serial = img->serial;
    ov->x = MAX(img->x, 0) & ~1;
    ov->y = MAX(img->y, 0) & ~1;
    ov->w = MIN(img->x + img->w + 1, img->width) - ov->x;
    ov->h = MIN(img->y + img->h + 1, img->height) - ov->y;
    ov->w = MAX(ov->w, 0) & ~1;
    ov->h = MAX(ov->h, 0) & ~1;
    ov->y_premul = g_malloc0((size_t)ov->w * ov->h + 1);
    ov->y_alpha = g_malloc0((size_t)ov->w * ov->h + 1);
    ov->u_premul = g_malloc0((size_t)ov->w * ov->h / 4 + 1);
    ov->v_premul = g_malloc0((size_t)ov->w * ov->h / 4 + 1);
    ov->c_alpha = g_malloc0((size_t)ov->w * ov->h / 4 + 1);
    for (int j = 0; j < ov->h; j += 2)
        for (int i = 0; i < ov->w; i += 2) {
            int sa = 0, sr = 0, sg = 0, sb = 0;
            for (int k = 0; k < 4; k++) {
                int a, r, g, b, at = (j + k / 2) * ov->w + i + k % 2;
                argb_at(img, ov->x + i + k % 2, ov->y + j + k / 2, &a, &r, &g, &b);
                /* The colour's own share of Y: luma of the premultiplied
                 * colour plus the black level scaled by coverage. */
                ov->y_premul[at] = clamp8(luma(r, g, b) - 16 + (16 * a + 127) / 255);
                ov->y_alpha[at] = (uint8_t)a;
                sa += a, sr += r, sg += g, sb += b;
            }
            int at = j / 2 * (ov->w / 2) + i / 2, a = sa / 4;
            ov->c_alpha[at] = (uint8_t)a;
            ov->u_premul[at] =
                clamp8(chroma_u(sr / 4, sg / 4, sb / 4) - 128 + (128 * a + 127) / 255);
            ov->v_premul[at] =
                clamp8(chroma_v(sr / 4, sg / 4, sb / 4) - 128 + (128 * a + 127) / 255);
        }
    ov->valid = 1;
    return 0;
}

static inline uint8_t over(uint8_t base, uint8_t premul, uint8_t alpha)
{
    return clamp8((base * (255 - alpha) + 127) / 255 + premul);
}

void igp_reel_overlay_blend(const IgpYuvOverlay *ov, AVFrame *f)
{
    int w = MIN(ov->w, f->width - ov->x), h = MIN(ov->h, f->height - ov->y);

    for (int j = 0; j < h; j++) {
        uint8_t *py = f->data[0] + (size_t)(ov->y + j) * f->linesize[0] + ov->x;
        const uint8_t *a = ov->y_alpha + (size_t)j * ov->w, *p = ov->y_premul + (size_t)j * ov->w;
        for (int i = 0; i < w; i++)
            if (a[i])
                py[i] = over(py[i], p[i], a[i]);
    }
    for (int j = 0; j < h / 2; j++) {
        size_t row = (size_t)(ov->y / 2 + j);
        uint8_t *pu = f->data[1] + row * f->linesize[1] + ov->x / 2;
        uint8_t *pv = f->data[2] + row * f->linesize[2] + ov->x / 2;
        size_t at = (size_t)j * (ov->w / 2);
        for (int i = 0; i < w / 2; i++)
            if (ov->c_alpha[at + i]) {
                pu[i] = over(pu[i], ov->u_premul[at + i], ov->c_alpha[at + i]);
                pv[i] = over(pv[i], ov->v_premul[at + i], ov->c_alpha[at + i]);
            }
    }
}

uint8_t *igp_reel_frame_rgb(const AVFrame *frame, int *stride)
{
    uint8_t *rgb = g_malloc((size_t)frame->width * frame->height * 3);
    region_to_rgb(frame, 0, 0, frame->width & ~1, frame->height & ~1, rgb);
    *stride = (frame->width & ~1) * 3;
    return rgb;
}
