/* Template drawing (docs/templates.md): a template's layers on a cairo
 * surface, with pango and librsvg, and the cover-fit crop of its pictures.
 * Called by the compose stage (photo slides, next-day stories) and by
 * encode's reel cover and overlays alike, so neither calls the other. */
#include "template.h"
#include "log.h"

#include "error.h"
#include "i18n.h"
#include "fsutil.h"
#include "image.h"
#include "jpegrows.h"

#include <math.h>
#include <string.h>

#include <glib.h>

/* WCAG 2 AA for normal text. */
#define MIN_CONTRAST 4.5

/* ---- cover-fit crop ---- */

typedef struct CropProblem {
    int src_w, src_h;
    double cw, ch, s;   ///< crop size (source pixels), slot pixels per source pixel
    double want[2];     ///< the crop origin centred on the focus
    double focus[2];    ///< the focus point, source pixels
    double (*faces)[4]; ///< clipped to the picture
    int n_faces;
    const double *keep; ///< slot pixels
} CropProblem;

/* Is a face partly inside the crop (cut by its edge)? */
static int cuts(const double c[2], double cw, double ch, const double f[4])
{
    double ix = MIN(c[0] + cw, f[0] + f[2]) - MAX(c[0], f[0]);
    double iy = MIN(c[1] + ch, f[1] + f[3]) - MAX(c[1], f[1]);
    int overlaps = ix > 1e-6 && iy > 1e-6;
    int contained = f[0] >= c[0] - 1e-6 && f[1] >= c[1] - 1e-6 && f[0] + f[2] <= c[0] + cw + 1e-6 &&
                    f[1] + f[3] <= c[1] + ch + 1e-6;
    return overlaps && !contained;
}

/* Candidate origins on one axis: the wanted one, the interval's ends, and
 * every position where a crop edge meets a face edge. */
static int axis_candidates(const CropProblem *p, int axis, double lo, double hi, double *out)
{
    double size = axis ? p->ch : p->cw;
    int n = 0;

    out[n++] = CLAMP(p->want[axis], lo, hi);
    out[n++] = lo, out[n++] = hi;
    for (int i = 0; i < p->n_faces; i++) {
        const double a = p->faces[i][axis], b = a + p->faces[i][axis + 2];
        const double at[4] = {a, b, a - size, b - size};
        for (int k = 0; k < 4; k++)
            if (at[k] >= lo - 1e-9 && at[k] <= hi + 1e-9)
                out[n++] = at[k];
    }
    return n;
}

/* The crop that keeps the faces flagged in @p kept (and the focus) inside
 * the keep rectangle, cuts no other face, and is nearest the wanted one. */
static int crop_keeping(const CropProblem *p, const int *kept, double c[2])
{
    double u[4] = {p->focus[0], p->focus[1], p->focus[0], p->focus[1]}, lo[2], hi[2];
    double *cand[2], best = -1;
    int n[2];

    for (int i = 0; i < p->n_faces; i++) {
        if (!kept[i])
            continue;
        u[0] = MIN(u[0], p->faces[i][0]), u[1] = MIN(u[1], p->faces[i][1]);
        u[2] = MAX(u[2], p->faces[i][0] + p->faces[i][2]);
        u[3] = MAX(u[3], p->faces[i][1] + p->faces[i][3]);
    }
    for (int axis = 0; axis < 2; axis++) {
        double size = axis ? p->ch : p->cw, src = axis ? p->src_h : p->src_w;
        /* [u0, u1] must map inside [keep0, keep0 + keep_len] of the slot,
         * and the crop must stay in the picture. */
        lo[axis] = MAX(0, u[axis + 2] - (p->keep[axis] + p->keep[axis + 2]) / p->s);
        hi[axis] = MIN(src - size, u[axis] - p->keep[axis] / p->s);
        if (lo[axis] > hi[axis] + 1e-6)
            return -1;
    }
    cand[0] = g_new(double, 3 + 4 * p->n_faces);
    cand[1] = g_new(double, 3 + 4 * p->n_faces);
    n[0] = axis_candidates(p, 0, lo[0], hi[0], cand[0]);
    n[1] = axis_candidates(p, 1, lo[1], hi[1], cand[1]);
    for (int i = 0; i < n[0]; i++) {
        for (int j = 0; j < n[1]; j++) {
            double t[2] = {cand[0][i], cand[1][j]};
            double d = hypot(t[0] - p->want[0], t[1] - p->want[1]);
            int ok = best < 0 || d < best;
            for (int f = 0; f < p->n_faces && ok; f++)
                ok = !cuts(t, p->cw, p->ch, p->faces[f]);
            if (ok)
                best = d, c[0] = t[0], c[1] = t[1];
        }
    }
    g_free(cand[0]);
    g_free(cand[1]);
    return best < 0 ? -1 : 0;
}

static int compare_area(const void *a, const void *b, void *faces)
{
    const double(*f)[4] = faces;
    double x = f[*(const int *)a][2] * f[*(const int *)a][3];
    double y = f[*(const int *)b][2] * f[*(const int *)b][3];
    return (x > y) - (x < y);
}

int igp_cover_crop(int src_w, int src_h, double box_w, double box_h, const double focus[2],
                   double (*faces)[4], int n_faces, const double keep[4], double crop[4])
{
    CropProblem p = {.src_w = src_w, .src_h = src_h, .n_faces = n_faces, .keep = keep};
    int *kept = g_new(int, n_faces + 1), *order = g_new(int, n_faces + 1), dropped = -1;

    p.cw = src_w, p.ch = src_w * box_h / box_w;
    if (p.ch > src_h)
        p.ch = src_h, p.cw = src_h * box_w / box_h;
    p.s = box_w / p.cw;
    p.focus[0] = focus[0] * src_w, p.focus[1] = focus[1] * src_h;
    p.want[0] = p.focus[0] - p.cw / 2, p.want[1] = p.focus[1] - p.ch / 2;
    p.faces = g_malloc0(sizeof(double[4]) * (n_faces + 1));
    for (int i = 0; i < n_faces; i++) {
        double x0 = CLAMP(faces[i][0], 0, src_w), y0 = CLAMP(faces[i][1], 0, src_h);
        double x1 = CLAMP(faces[i][0] + faces[i][2], 0, src_w);
        double y1 = CLAMP(faces[i][1] + faces[i][3], 0, src_h);
        p.faces[i][0] = x0, p.faces[i][1] = y0, p.faces[i][2] = x1 - x0, p.faces[i][3] = y1 - y0;
        kept[i] = 1, order[i] = i;
    }
    /* Keep every face if that is possible; otherwise leave out the smallest
     * faces first (often distant people or false detections), entirely:
     * a face is either fully in the picture or fully out, never cut. */
    g_qsort_with_data(order, n_faces, sizeof(int), compare_area, p.faces);
    for (int drop = 0; drop <= n_faces && dropped < 0; drop++) {
        double c[2] = {0, 0};
        if (drop > 0)
            kept[order[drop - 1]] = 0;
        if (crop_keeping(&p, kept, c) == 0) {
            crop[0] = c[0], crop[1] = c[1], crop[2] = p.cw, crop[3] = p.ch;
            dropped = drop;
        }
    }
    g_free(p.faces);
    g_free(kept);
    g_free(order);
    return dropped;
}

/* ---- drawing ---- */

static void rounded_rect(cairo_t *cr, const double b[4], double r)
{
    r = MIN(r, MIN(b[2], b[3]) / 2);
    if (r <= 0) {
        cairo_rectangle(cr, b[0], b[1], b[2], b[3]);
        return;
    }
    cairo_new_sub_path(cr);
    cairo_arc(cr, b[0] + b[2] - r, b[1] + r, r, -G_PI / 2, 0);
    cairo_arc(cr, b[0] + b[2] - r, b[1] + b[3] - r, r, 0, G_PI / 2);
    cairo_arc(cr, b[0] + r, b[1] + b[3] - r, r, G_PI / 2, G_PI);
    cairo_arc(cr, b[0] + r, b[1] + r, r, G_PI, 3 * G_PI / 2);
    cairo_close_path(cr);
}

static void shape_path(cairo_t *cr, const IgpLayer *l)
{
    if (l->ellipse) {
        cairo_save(cr);
        cairo_translate(cr, l->box[0] + l->box[2] / 2, l->box[1] + l->box[3] / 2);
        cairo_scale(cr, l->box[2] / 2, l->box[3] / 2);
        cairo_arc(cr, 0, 0, 1, 0, 2 * G_PI);
        cairo_restore(cr);
    } else {
        rounded_rect(cr, l->box, l->radius);
    }
}

static void draw_shape(cairo_t *cr, const IgpLayer *l)
{
    const double *b = l->box;
    cairo_pattern_t *p = NULL;

    shape_path(cr, l);
    if (l->gradient) {
        double x0 = b[0], y0 = b[1], x1 = b[0], y1 = b[1];
        if (l->direction == 'd')
            y1 += b[3];
        else if (l->direction == 'u')
            y0 += b[3];
        else if (l->direction == 'r')
            x1 += b[2];
        else
            x0 += b[2];
        p = cairo_pattern_create_linear(x0, y0, x1, y1);
        cairo_pattern_add_color_stop_rgba(p, 0, l->fill.r, l->fill.g, l->fill.b, l->fill.a);
        cairo_pattern_add_color_stop_rgba(p, 1, l->fill_to.r, l->fill_to.g, l->fill_to.b,
                                          l->fill_to.a);
        cairo_set_source(cr, p);
    } else {
        cairo_set_source_rgba(cr, l->fill.r, l->fill.g, l->fill.b, l->fill.a);
    }
    cairo_fill(cr);
    if (p)
        cairo_pattern_destroy(p);
}

/* An error about one layer, naming the template, the box and (for text) the
 * words, with the reason render.c left in the buffer. */
static int layer_error(const IgpTemplate *t, const IgpLayer *l, const IgpTemplateFill *fill,
                       const char *text)
{
    char *why = g_strdup(igp_error_buffer());
    int ret;

    igp_error_clear();
    if (text)
        ret = igp_error(IGP_ERR_INVALIDDATA, fill->what,
                        _("template '%s', box '%s': text \"%s\": %s"), t->name, l->name, text, why);
    else
        ret = igp_error(IGP_ERR_INVALIDDATA, fill->what, _("template '%s', box '%s': %s"), t->name,
                        l->name, why);
    g_free(why);
    return ret;
}

static int draw_media(cairo_t *cr, const IgpTemplate *t, const IgpLayer *l,
                      const IgpTemplateFill *fill)
{
    const IgpSlotPicture *pic;
    double keep[4], crop[4];
    int w = (int)lround(l->box[2]), h = (int)lround(l->box[3]), ret = 0, left_out;
    VipsImage *cut = NULL, *scaled = NULL;
    cairo_surface_t *surface = NULL;

    if (l->slot >= fill->n_pictures) {
        igp_error(IGP_ERR_INVALIDDATA, "media", _("needs picture %d, the post has %d"), l->slot + 1,
                  fill->n_pictures);
        return layer_error(t, l, fill, NULL);
    }
    pic = &fill->pictures[l->slot];
    keep[0] = l->keep[0] - l->box[0], keep[1] = l->keep[1] - l->box[1];
    keep[2] = l->keep[2], keep[3] = l->keep[3];
    left_out = igp_cover_crop(pic->image->Xsize, pic->image->Ysize, w, h, pic->focus, pic->faces,
                              pic->n_faces, keep, crop);
    if (left_out > 0)
        igp_log_note(_("%s: template '%s', box '%s': %d of the %d faces of '%s' left out of the "
                       "crop entirely (all could not fit; none is cut)"),
                     fill->what, t->name, l->name, left_out, pic->n_faces, pic->name);
    if (left_out < 0) {
        igp_error(IGP_ERR_INVALIDDATA, "faces",
                  _("no crop of '%s' for the %dx%d slot keeps the focus without cutting a face; "
                    "move the focus"),
                  pic->name, w, h);
        return layer_error(t, l, fill, NULL);
    }
    /* Whole source pixels, rounded outwards around the exact crop; the
     * separate scales land on the slot size exactly. */
    {
        int x0 = (int)floor(crop[0]), y0 = (int)floor(crop[1]);
        int x1 = MIN(pic->image->Xsize, (int)ceil(crop[0] + crop[2]));
        int y1 = MIN(pic->image->Ysize, (int)ceil(crop[1] + crop[3]));
        /* The crop's rows, in two bands at once when the master has restart
         * rows (jpegrows.h); else the master is read as it decodes. */
        VipsImage *rows = pic->reread ? igp_jpeg_rows_load(pic->reread, 1, y0, y1 - y0) : NULL;
        VipsImage *src = rows          ? rows
                         : pic->reread ? vips_image_new_from_file(pic->reread, "access",
                                                                  VIPS_ACCESS_SEQUENTIAL, NULL)
                                       : g_object_ref(pic->image);
        if (!src || vips_extract_area(src, &cut, x0, rows ? 0 : y0, x1 - x0, y1 - y0, NULL) ||
            vips_resize(cut, &scaled, (double)w / (x1 - x0), "vscale", (double)h / (y1 - y0),
                        "kernel", VIPS_KERNEL_LANCZOS3, NULL))
            ret = igp_vips_error(IGP_ERR_LIBRARY, pic->name, _("cannot crop"));
        else if (fill->placements)
            json_array_append_new(fill->placements,
                                  json_pack("{s:s, s:[i,i,i,i], s:[i,i,i,i]}", "media", pic->name,
                                            "crop", x0, y0, x1 - x0, y1 - y0, "box",
                                            (int)lround(l->box[0]), (int)lround(l->box[1]), w, h));
        if (src)
            g_object_unref(src);
    }
    if (ret == 0)
        ret = igp_surface_from_vips(scaled, &surface);
    if (ret == 0) {
        cairo_save(cr);
        rounded_rect(cr, l->box, l->radius);
        cairo_clip(cr);
        cairo_set_source_surface(cr, surface, l->box[0], l->box[1]);
        cairo_paint(cr);
        cairo_restore(cr);
        cairo_surface_destroy(surface);
    }
    if (cut)
        g_object_unref(cut);
    if (scaled)
        g_object_unref(scaled);
    return ret ? layer_error(t, l, fill, NULL) : 0;
}

/* Replace {name} by fill->text's string "name" (escaped for markup).
 * Returns NULL and sets *missing when a value is absent or empty. */
static char *substitute(const IgpLayer *l, json_t *values, char **missing)
{
    GString *s = g_string_new(NULL);

    for (const char *p = l->text; *p; p++) {
        const char *end = *p == '{' ? strchr(p, '}') : NULL;
        if (!end) {
            g_string_append_c(s, *p);
            continue;
        }
        char *key = g_strndup(p + 1, end - p - 1);
        const char *v = json_string_value(json_object_get(values, key));
        if (!v || !*v) {
            *missing = key;
            g_string_free(s, TRUE);
            return NULL;
        }
        if (l->markup) {
            char *esc = g_markup_escape_text(v, -1);
            g_string_append(s, esc);
            g_free(esc);
        } else {
            g_string_append(s, v);
        }
        g_free(key);
        p = end;
    }
    return g_string_free(s, FALSE);
}

/* A shape drawn earlier that covers the whole text box backs it. */
static int has_backing(const IgpTemplate *t, int index)
{
    const double *b = t->layers[index].box;
    for (int i = 0; i < index; i++) {
        const IgpLayer *s = &t->layers[i];
        if (s->type == IGP_LAYER_SHAPE && s->box[0] <= b[0] && s->box[1] <= b[1] &&
            s->box[0] + s->box[2] >= b[0] + b[2] && s->box[1] + s->box[3] >= b[1] + b[3])
            return 1;
    }
    return 0;
}

/* WCAG contrast of the text against what is behind it; an outline that
 * contrasts with the text counts as a backing. */
static void check_contrast(cairo_surface_t *surface, const IgpTemplate *t, int index,
                           const IgpTemplateFill *fill)
{
    const IgpLayer *l = &t->layers[index];
    const IgpColor *c = &l->style.color, *o = &l->style.outline;
    double behind = igp_surface_mean_luminance(surface, (int)l->box[0], (int)l->box[1],
                                               (int)l->box[2], (int)l->box[3]);
    double text = igp_relative_luminance(c->r, c->g, c->b);
    double ratio = igp_contrast_ratio(text, behind);

    if (ratio >= MIN_CONTRAST || has_backing(t, index))
        return;
    if (l->style.outline_width >= 2 &&
        igp_contrast_ratio(text, igp_relative_luminance(o->r, o->g, o->b)) >= MIN_CONTRAST)
        return;
    igp_log_warning(_("%s: template '%s', box '%s': contrast %.1f:1 against the picture behind it "
                      "is under %.1f:1; put a backing shape or an outline behind the text"),
                    fill->what, t->name, l->name, ratio, MIN_CONTRAST);
}

static int draw_text(cairo_t *cr, cairo_surface_t *surface, PangoContext *ctx, IgpFonts *fonts,
                     const IgpTemplate *t, int index, const IgpTemplateFill *fill)
{
    const IgpLayer *l = &t->layers[index];
    char *missing = NULL, *text;
    IgpTextFit fit;
    int ret = 0;

    if (l->type == IGP_LAYER_SUBTITLE) {
        if (!fill->subtitle)
            return 0; /* no cue at this time */
        text = g_strdup(fill->subtitle);
    } else {
        text = substitute(l, fill->text, &missing);
    }
    if (!text) {
        if (!l->optional)
            ret = igp_error(IGP_ERR_INVALIDDATA, fill->what,
                            _("template '%s', box '%s': no text '%s' (set \"text\": {\"%s\": "
                              "\"...\"} in shoot.json)"),
                            t->name, l->name, missing, missing);
        g_free(missing);
        return ret;
    }
    if (igp_text_check_glyphs(ctx, fonts, &l->style, text, l->markup) ||
        igp_text_fit(ctx, &l->style, text, l->markup, l->box[2], l->box[3], &fit))
        ret = layer_error(t, l, fill, text);
    if (ret == 0) {
        if (!fill->transparent) /* overlays: what is behind is the video */
            check_contrast(surface, t, index, fill);
        igp_text_draw(cr, ctx, &l->style, text, l->markup, l->box[0], l->box[1], l->box[2],
                      l->box[3], &fit);
    }
    g_free(text);
    return ret;
}

static void draw_guides(cairo_t *cr, const IgpTemplate *t)
{
    static const double dash[] = {16, 10};

    cairo_save(cr);
    cairo_set_line_width(cr, 3);
    cairo_set_dash(cr, dash, 2, 0);
    cairo_set_source_rgba(cr, 0, 0.8, 1, 0.9);
    cairo_rectangle(cr, t->safe[0] + 1.5, t->safe[1] + 1.5, t->safe[2] - 3, t->safe[3] - 3);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    cairo_set_line_width(cr, 2);
    for (int i = 0; i < t->n_layers; i++) {
        const double *b = t->layers[i].box;
        cairo_set_source_rgba(cr, 1, 0, 0.6, 0.8);
        cairo_rectangle(cr, b[0] + 1, b[1] + 1, b[2] - 2, b[3] - 2);
        cairo_stroke(cr);
    }
    cairo_restore(cr);
}

static int draw_layer(cairo_t *cr, cairo_surface_t *surface, PangoContext *ctx, IgpFonts *fonts,
                      const IgpTemplate *t, int index, const IgpTemplateFill *fill)
{
    const IgpLayer *l = &t->layers[index];
    const double *b = l->box;
    int ret = 0;

    switch (l->type) {
    case IGP_LAYER_MEDIA:
        return draw_media(cr, t, l, fill);
    case IGP_LAYER_SHAPE:
        draw_shape(cr, l);
        return 0;
    case IGP_LAYER_TEXT:
    case IGP_LAYER_SUBTITLE:
        return draw_text(cr, surface, ctx, fonts, t, index, fill);
    default:
        ret = l->is_svg ? igp_svg_draw(cr, l->file, b[0], b[1], b[2], b[3])
                        : igp_png_draw(cr, l->file, b[0], b[1], b[2], b[3]);
        return ret ? layer_error(t, l, fill, NULL) : 0;
    }
}

int igp_template_render(const IgpTemplate *t, IgpFonts *fonts, PangoContext *ctx,
                        const IgpTemplateFill *fill, cairo_surface_t **out)
{
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, t->width, t->height);
    cairo_t *cr = cairo_create(surface);
    int ret = 0;

    if (!fill->transparent) {
        cairo_set_source_rgb(cr, t->background.r, t->background.g, t->background.b);
        cairo_paint(cr);
    }
    for (int i = 0; i < t->n_layers && ret == 0; i++)
        if (!fill->when || (fill->when & IGP_WHEN_BIT(t->layers[i].when)))
            ret = draw_layer(cr, surface, ctx, fonts, t, i, fill);
    if (ret == 0 && fill->guides)
        draw_guides(cr, t);
    if (ret == 0 && cairo_status(cr) != CAIRO_STATUS_SUCCESS)
        ret = igp_error(IGP_ERR_LIBRARY, t->name, _("cairo: %s"),
                        cairo_status_to_string(cairo_status(cr)));
    cairo_destroy(cr);
    if (ret) {
        cairo_surface_destroy(surface);
        return ret;
    }
    cairo_surface_flush(surface);
    *out = surface;
    return 0;
}
