/* reel_overlay: logo bug, title and end cards and subtitles over a reel's
 * frames, from its reel template and SRT file (see reel_overlay.h). */
#include "reel_overlay.h"
#include "postfill.h"
#include "template.h"

#include "error.h"
#include "i18n.h"
#include "fsutil.h"
#include "srt.h"

#include <math.h>
#include <string.h>

#include <glib.h>

struct IgpReelOverlays {
    IgpFonts *fonts;
    PangoContext *ctx;
    IgpTemplate *t;
    IgpSrt *srt; ///< NULL: no subtitles
    json_t *text;
    char *what;
    double title_end, end_start; ///< post seconds: the title card before, the end card from
    /* what the current picture shows */
    int have_key;
    unsigned key_when;
    int key_cue;
    cairo_surface_t *surface; ///< NULL: nothing to draw
    IgpOverlayImage image;
    unsigned serial;
    int renders;
    int error;
};

/* The bounding box of the non-transparent pixels; 0 when there are none. */
static int find_bbox(cairo_surface_t *s, int box[4])
{
    const uint8_t *data = cairo_image_surface_get_data(s);
    int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
    int stride = cairo_image_surface_get_stride(s);
    int x0 = w, y0 = h, x1 = -1, y1 = -1;

    for (int y = 0; y < h; y++) {
        const uint32_t *row = (const uint32_t *)(const void *)(data + (size_t)y * stride);
        int first = -1, last = -1;
        for (int x = 0; x < w; x++) {
            if (row[x]) {
                first = x;
                break;
            }
        }
        if (first < 0)
            continue;
        for (int x = w - 1; x >= first; x--) {
            if (row[x]) {
                last = x;
                break;
            }
        }
        x0 = MIN(x0, first), x1 = MAX(x1, last);
        y0 = MIN(y0, y), y1 = y;
    }
    if (x1 < 0)
        return 0;
    box[0] = x0, box[1] = y0, box[2] = x1 - x0 + 1, box[3] = y1 - y0 + 1;
    return 1;
}

static int same_pixels(cairo_surface_t *a, cairo_surface_t *b)
{
    if (!a || !b)
        return a == b;
    return cairo_image_surface_get_stride(a) == cairo_image_surface_get_stride(b) &&
           !memcmp(cairo_image_surface_get_data(a), cairo_image_surface_get_data(b),
                   (size_t)cairo_image_surface_get_stride(a) * cairo_image_surface_get_height(a));
}

static int render(IgpReelOverlays *o, unsigned when, int cue, cairo_surface_t **out)
{
    IgpTemplateFill fill = {.text = o->text,
                            .what = o->what,
                            .when = when,
                            .transparent = 1,
                            .subtitle = cue >= 0 ? o->srt->cues[cue].text : NULL};
    int ret = igp_template_render(o->t, o->fonts, o->ctx, &fill, out);

    o->renders += ret == 0;
    return ret;
}

/* Every cue must be drawable by the bundled font and fit the subtitle box. */
static int check_cues(IgpReelOverlays *o)
{
    const IgpLayer *l = &o->t->layers[o->t->subtitle_layer];

    for (int i = 0; i < o->srt->n_cues; i++) {
        const IgpSrtCue *c = &o->srt->cues[i];
        IgpTextFit fit;
        if (igp_text_check_glyphs(o->ctx, o->fonts, &l->style, c->text, 0) ||
            igp_text_fit(o->ctx, &l->style, c->text, 0, l->box[2], l->box[3], &fit)) {
            char *why = g_strdup(igp_error_buffer()), *where;
            int ret;
            igp_error_clear();
            where = g_strdup_printf("%s:%d", o->srt->path, c->line);
            ret = igp_error(IGP_ERR_INVALIDDATA, where,
                            _("%s: subtitle \"%s\" in box '%s' of template '%s': %s"), o->what,
                            c->text, l->name, o->t->name, why);
            g_free(where);
            g_free(why);
            return ret;
        }
    }
    return 0;
}

int igp_reel_overlays_open(const IgpShoot *shoot, const IgpPost *post, double duration,
                           IgpReelOverlays **out)
{
    IgpReelOverlays *o = g_new0(IgpReelOverlays, 1);
    const char *name = json_string_value(json_object_get(post->json, "template"));
    const char *subs = json_string_value(json_object_get(post->json, "subtitles"));
    const char *shoot_title = json_string_value(json_object_get(shoot->manifest->root, "title"));
    char *fonts_dir = igp_fonts_dir(), *templates_dir = igp_templates_dir();
    int ret;

    *out = NULL;
    o->what = g_strdup_printf(_("post '%s'"), post->id);
    o->key_cue = -1;
    ret = igp_fonts_open(fonts_dir, &o->fonts);
    if (ret == 0)
        ret = igp_post_template_load(templates_dir, o->fonts, post, name ? name : IGP_REEL_TEMPLATE,
                                     "reel", &o->t);
    if (ret == 0 && subs) {
        char *path = g_build_filename(shoot->manifest->dir, subs, NULL), *real = NULL;
        const char *why;
        /* shoot.json was checked, but the folder may have changed since. */
        ret = igp_path_inside(shoot->manifest->dir, subs, &real, &why);
        if (ret == 0 || ret == IGP_ERR(ENOENT))
            ret = igp_srt_load(path, &o->srt);
        else
            ret =
                igp_error(IGP_ERR_INVALIDDATA, o->what,
                          _("subtitles '%s' must stay inside the shoot folder: it %s"), subs, why);
        g_free(real);
        if (ret == 0 && o->t->subtitle_layer < 0)
            ret = igp_error(IGP_ERR_INVALIDDATA, o->what,
                            _("it has subtitles (%s) but its template '%s' has no subtitle layer"),
                            subs, o->t->name);
        g_free(path);
    }
    if (ret == 0) {
        o->ctx = igp_fonts_context(o->fonts);
        o->text = igp_post_fill_text(shoot, post, 0);
        /* The title card: the post's title, else the shoot's. */
        if (!json_string_value(json_object_get(o->text, "title")) && shoot_title)
            json_object_set_new(o->text, "title", json_string(shoot_title));
        /* A reel shorter than both cards splits its time between them. */
        o->title_end = MIN(o->t->title_seconds, duration / 2);
        o->end_start = MAX(duration - o->t->end_seconds, duration / 2);
        if (o->srt)
            ret = check_cues(o);
    }
    /* Draw both cards once now: a missing {title} fails here, not mid-encode. */
    for (int i = 0; ret == 0 && i < 2; i++) {
        cairo_surface_t *s = NULL;
        ret = render(
            o, IGP_WHEN_BIT(IGP_WHEN_ALWAYS) | IGP_WHEN_BIT(i ? IGP_WHEN_END : IGP_WHEN_TITLE), -1,
            &s);
        if (s)
            cairo_surface_destroy(s);
    }
    o->renders = 0;
    g_free(fonts_dir);
    g_free(templates_dir);
    if (ret) {
        igp_reel_overlays_close(&o);
        return ret;
    }
    *out = o;
    return 0;
}

const IgpOverlayImage *igp_reel_overlays_at(IgpReelOverlays *o, double t_post, double t_source)
{
    unsigned when = IGP_WHEN_BIT(IGP_WHEN_ALWAYS);
    int cue = o->srt ? igp_srt_cue_at(o->srt, t_source) : -1, box[4] = {0, 0, 0, 0};
    cairo_surface_t *s = NULL;

    if (o->error)
        return NULL;
    if (t_post < o->title_end)
        when |= IGP_WHEN_BIT(IGP_WHEN_TITLE);
    if (t_post >= o->end_start)
        when |= IGP_WHEN_BIT(IGP_WHEN_END);
    if (o->have_key && when == o->key_when && cue == o->key_cue)
        return o->surface ? &o->image : NULL;
    if ((o->error = render(o, when, cue, &s)))
        return NULL;
    o->have_key = 1, o->key_when = when, o->key_cue = cue;
    cairo_surface_flush(s);
    if (!find_bbox(s, box)) {
        cairo_surface_destroy(s);
        s = NULL;
    }
    if (same_pixels(s, o->surface)) {
        if (s)
            cairo_surface_destroy(s);
        return o->surface ? &o->image : NULL;
    }
    if (o->surface)
        cairo_surface_destroy(o->surface);
    o->surface = s;
    o->serial++;
    if (!s)
        return NULL;
    o->image = (IgpOverlayImage){.argb = cairo_image_surface_get_data(s),
                                 .width = cairo_image_surface_get_width(s),
                                 .height = cairo_image_surface_get_height(s),
                                 .stride = cairo_image_surface_get_stride(s),
                                 .x = box[0],
                                 .y = box[1],
                                 .w = box[2],
                                 .h = box[3],
                                 .serial = o->serial};
    return &o->image;
}

int igp_reel_overlays_error(const IgpReelOverlays *o)
{
    return o->error;
}

int igp_reel_overlays_renders(const IgpReelOverlays *o)
{
    return o->renders;
}

void igp_reel_overlays_close(IgpReelOverlays **po)
{
    IgpReelOverlays *o = *po;
    if (!o)
        return;
    if (o->surface)
        cairo_surface_destroy(o->surface);
    if (o->ctx)
        g_object_unref(o->ctx);
    json_decref(o->text);
    igp_srt_free(&o->srt);
    igp_template_free(&o->t);
    igp_fonts_free(&o->fonts);
    g_free(o->what);
    g_free(o);
    *po = NULL;
}
