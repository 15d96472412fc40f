#include "render.h"
#include "pngsave.h"

#include "error.h"
#include "i18n.h"
#include "fsutil.h"
#include "image.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <fontconfig/fontconfig.h>
#include <glib.h>
#include <librsvg/rsvg.h>
#include <pango/pangofc-font.h>
#include <pango/pangofc-fontmap.h>

struct IgpFonts {
    FcConfig *config;
    char *families; ///< ", "-joined, for messages
    GPtrArray *family_list;
};

/* ---- fonts ---- */

static void collect_families(IgpFonts *fonts)
{
    FcPattern *all = FcPatternCreate();
    FcObjectSet *os = FcObjectSetBuild(FC_FAMILY, NULL);
    FcFontSet *set = FcFontList(fonts->config, all, os);
    GString *joined = g_string_new(NULL);

    fonts->family_list = g_ptr_array_new_with_free_func(g_free);
    for (int i = 0; set && i < set->nfont; i++) {
        FcChar8 *family;
        /* Index 0 is the font's English family name; later ones are
         * translations (e.g. "BIZ UDPゴシック"), also accepted. */
        for (int n = 0; FcPatternGetString(set->fonts[i], FC_FAMILY, n, &family) == FcResultMatch;
             n++) {
            int seen = 0;
            for (guint j = 0; j < fonts->family_list->len && !seen; j++)
                seen = !g_ascii_strcasecmp(g_ptr_array_index(fonts->family_list, j),
                                           (const char *)family);
            if (seen)
                continue;
            g_ptr_array_add(fonts->family_list, g_strdup((const char *)family));
            if (n == 0)
                g_string_append_printf(joined, "%s%s", joined->len ? ", " : "", family);
        }
    }
    fonts->families = g_string_free(joined, FALSE);
    if (set)
        FcFontSetDestroy(set);
    FcObjectSetDestroy(os);
    FcPatternDestroy(all);
}

int igp_fonts_open(const char *fonts_dir, IgpFonts **out)
{
    /* Absolute: fontconfig looks relative names up in its own folders. */
    char *rel = g_build_filename(fonts_dir, "fonts.conf", NULL);
    char *conf = g_canonicalize_filename(rel, NULL);
    IgpFonts *fonts = g_new0(IgpFonts, 1);
    int ret = 0;

    /* FcConfigCreate() starts empty: no /etc/fonts, no user fonts. */
    fonts->config = FcConfigCreate();
    if (!g_file_test(conf, G_FILE_TEST_IS_REGULAR) ||
        !FcConfigParseAndLoad(fonts->config, (const FcChar8 *)conf, FcTrue) ||
        !FcConfigBuildFonts(fonts->config))
        ret = igp_error(IGP_ERR_INVALIDDATA, conf, _("cannot load the bundled fontconfig file"));
    if (ret == 0) {
        collect_families(fonts);
        if (fonts->family_list->len == 0)
            ret = igp_error(IGP_ERR_INVALIDDATA, conf, _("names no font file in %s"), fonts_dir);
    }
    g_free(conf);
    g_free(rel);
    if (ret) {
        igp_fonts_free(&fonts);
        return ret;
    }
    *out = fonts;
    return 0;
}

void igp_fonts_free(IgpFonts **pf)
{
    IgpFonts *f = *pf;
    if (!f)
        return;
    if (f->config)
        FcConfigDestroy(f->config);
    if (f->family_list)
        g_ptr_array_free(f->family_list, TRUE);
    g_free(f->families);
    g_free(f);
    *pf = NULL;
}

int igp_fonts_has_family(const IgpFonts *fonts, const char *family)
{
    for (guint i = 0; i < fonts->family_list->len; i++)
        if (!g_ascii_strcasecmp(g_ptr_array_index(fonts->family_list, i), family))
            return 1;
    return 0;
}

const char *igp_fonts_families(const IgpFonts *fonts)
{
    return fonts->families;
}

PangoContext *igp_fonts_context(IgpFonts *fonts)
{
    /* A FreeType font map of our own, bound to the bundled configuration:
     * pango never consults the process-wide default fontconfig. */
    PangoFontMap *map = pango_cairo_font_map_new_for_font_type(CAIRO_FONT_TYPE_FT);
    cairo_font_options_t *opts = cairo_font_options_create();
    PangoContext *ctx;

    pango_fc_font_map_set_config(PANGO_FC_FONT_MAP(map), fonts->config);
    pango_cairo_font_map_set_resolution(PANGO_CAIRO_FONT_MAP(map), 72.0);
    ctx = pango_font_map_create_context(map);
    g_object_unref(map); /* the context keeps it */
    /* Unhinted outlines and metrics: the same layout at every size and on
     * every machine. The hint style is left to fonts.conf, font by font
     * (none for outlines): cairo 1.16 draws no colour bitmap glyph (the
     * emoji) when the context itself asks for no hinting. */
    cairo_font_options_set_antialias(opts, CAIRO_ANTIALIAS_GRAY);
    cairo_font_options_set_hint_metrics(opts, CAIRO_HINT_METRICS_OFF);
    pango_cairo_context_set_font_options(ctx, opts);
    cairo_font_options_destroy(opts);
    pango_context_set_language(ctx, pango_language_from_string("ja"));
    pango_context_set_round_glyph_positions(ctx, FALSE);
    return ctx;
}

/* ---- colours ---- */

int igp_color_parse(const char *s, IgpColor *out)
{
    unsigned v[4] = {0, 0, 0, 255};
    size_t n = s ? strlen(s) : 0;

    if (n < 4 || s[0] != '#' || strspn(s + 1, "0123456789abcdefABCDEF") != n - 1)
        return -1;
    if (n == 4) {
        for (int i = 0; i < 3; i++)
            v[i] = (unsigned)g_ascii_xdigit_value(s[1 + i]) * 17;
    } else if (n == 7 || n == 9) {
        for (size_t i = 0; i < (n - 1) / 2; i++)
            v[i] = (unsigned)(g_ascii_xdigit_value(s[1 + 2 * i]) * 16 +
                              g_ascii_xdigit_value(s[2 + 2 * i]));
    } else {
        return -1;
    }
    *out = (IgpColor){v[0] / 255.0, v[1] / 255.0, v[2] / 255.0, v[3] / 255.0};
    return 0;
}

/* ---- text ---- */

static PangoLayout *make_layout(PangoContext *ctx, const IgpTextStyle *style, const char *text,
                                int is_markup, double size, double box_w)
{
    PangoLayout *layout = pango_layout_new(ctx);
    PangoFontDescription *desc = pango_font_description_from_string(style->font);

    pango_font_description_set_absolute_size(desc, size * PANGO_SCALE);
    pango_layout_set_font_description(layout, desc);
    pango_font_description_free(desc);
    pango_layout_set_width(layout, (int)(box_w * PANGO_SCALE));
    /* WORD_CHAR: break where UAX #14 allows (any ideograph boundary, never
     * before 。、」ー or small kana), and inside a word only when one word is
     * wider than the box. */
    pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(layout, style->align);
    if (style->line_spacing > 0)
        pango_layout_set_line_spacing(layout, (float)style->line_spacing);
    if (is_markup)
        pango_layout_set_markup(layout, text, -1);
    else
        pango_layout_set_text(layout, text, -1);
    return layout;
}

/* The family part of a font description string. */
static char *font_family(const char *font)
{
    PangoFontDescription *desc = pango_font_description_from_string(font);
    char *family = g_strdup(pango_font_description_get_family(desc));
    pango_font_description_free(desc);
    return family;
}

static int plain_text(const char *markup, int is_markup, char **text)
{
    GError *err = NULL;

    if (!is_markup) {
        *text = g_strdup(markup);
        return 0;
    }
    if (!pango_parse_markup(markup, -1, 0, NULL, text, NULL, &err)) {
        int ret = igp_error(IGP_ERR_INVALIDDATA, "text", _("bad pango markup: %s"), err->message);
        g_error_free(err);
        return ret;
    }
    return 0;
}

/* Is @p family one of @p font's names? A font has one per language
 * (fontconfig names "BIZ UDPGothic" "BIZ UDPゴシック" under a Japanese
 * locale), and a template may give any of them. */
static int font_is_family(PangoFont *font, const char *family)
{
    FcPattern *pattern =
        PANGO_IS_FC_FONT(font) ? pango_fc_font_get_pattern(PANGO_FC_FONT(font)) : NULL;
    FcChar8 *name;

    for (int i = 0; pattern && FcPatternGetString(pattern, FC_FAMILY, i, &name) == FcResultMatch;
         i++)
        if (!g_ascii_strcasecmp((const char *)name, family))
            return 1;
    return 0;
}

/* Every run of a laid-out text must use the requested family, or the emoji
 * font for emoji: catches a family changed by markup or any fallback the
 * character check missed. */
static int check_runs(PangoLayout *layout, const char *family)
{
    PangoLayoutIter *iter = pango_layout_get_iter(layout);
    int ret = 0;

    do {
        PangoLayoutRun *run = pango_layout_iter_get_run_readonly(iter);
        if (!run)
            continue;
        PangoFontDescription *d = pango_font_describe(run->item->analysis.font);
        const char *used = pango_font_description_get_family(d);
        if (!used || (!font_is_family(run->item->analysis.font, family) &&
                      !font_is_family(run->item->analysis.font, IGP_EMOJI_FAMILY)))
            ret = igp_error(IGP_ERR_INVALIDDATA, "text", _("drawn with '%s' instead of '%s'"),
                            used ? used : "?", family);
        pango_font_description_free(d);
    } while (ret == 0 && pango_layout_iter_next_run(iter));
    pango_layout_iter_free(iter);
    return ret;
}

/* A variation selector picks how the character before it is drawn ("☕️"
 * asks for the emoji); fonts map it through the shaper, not to a glyph. */
static int is_variation_selector(gunichar c)
{
    return (c >= 0xFE00 && c <= 0xFE0F) || (c >= 0xE0100 && c <= 0xE01EF);
}

/* The bundled emoji font at a size, or NULL when fonts/ has none. */
static PangoFont *load_emoji_font(PangoContext *ctx, const IgpFonts *fonts)
{
    PangoFontDescription *desc;
    PangoFont *font;

    if (!igp_fonts_has_family(fonts, IGP_EMOJI_FAMILY))
        return NULL;
    desc = pango_font_description_from_string(IGP_EMOJI_FAMILY);
    pango_font_description_set_absolute_size(desc, 32 * PANGO_SCALE);
    font = pango_context_load_font(ctx, desc);
    pango_font_description_free(desc);
    return font;
}

int igp_text_check_glyphs(PangoContext *ctx, const IgpFonts *fonts, const IgpTextStyle *style,
                          const char *markup, int is_markup)
{
    char *family = font_family(style->font), *text = NULL;
    PangoFontDescription *desc = pango_font_description_from_string(style->font);
    PangoFont *font = NULL, *emoji = load_emoji_font(ctx, fonts);
    int ret = 0;

    if (!family || !igp_fonts_has_family(fonts, family))
        ret = igp_error(IGP_ERR_INVALIDDATA, "font",
                        _("'%s' is not a bundled font family (fonts/ has: %s)"),
                        family ? family : style->font, igp_fonts_families(fonts));
    if (ret == 0)
        ret = plain_text(markup, is_markup, &text);
    if (ret == 0) {
        pango_font_description_set_absolute_size(desc, 32 * PANGO_SCALE);
        font = pango_context_load_font(ctx, desc);
        if (!font)
            ret = igp_error(IGP_ERR_INVALIDDATA, "font", _("cannot load '%s'"), style->font);
    }
    for (const char *p = text; ret == 0 && p && *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        char utf8[8] = {0};
        if (g_unichar_iscntrl(c) || g_unichar_type(c) == G_UNICODE_FORMAT ||
            is_variation_selector(c))
            continue; /* newlines, joiners, the emoji selector U+FE0F: nothing to draw */
        if (pango_font_has_char(font, c) || (emoji && pango_font_has_char(emoji, c)))
            continue;
        g_unichar_to_utf8(c, utf8);
        ret = igp_error(IGP_ERR_INVALIDDATA, "glyph",
                        _("the font '%s' has no glyph for '%s' (U+%04X), nor has the emoji "
                          "font; bundled fonts never fall back to another font"),
                        family, utf8, (unsigned)c);
    }
    if (ret == 0) {
        PangoLayout *layout = make_layout(ctx, style, markup, is_markup, 32, 1e6);
        ret = check_runs(layout, family);
        g_object_unref(layout);
    }
    if (font)
        g_object_unref(font);
    if (emoji)
        g_object_unref(emoji);
    pango_font_description_free(desc);
    g_free(family);
    g_free(text);
    return ret;
}

/* An outline is drawn half outside the glyphs: keep it inside the box too. */
static double outline_margin(const IgpTextStyle *style)
{
    return style->outline_width > 0 ? style->outline_width / 2 : 0;
}

/* Does the layout fit the box within the line limit? */
static int layout_fits(PangoLayout *layout, const IgpTextStyle *style, double box_w, double box_h,
                       IgpTextFit *fit)
{
    PangoRectangle ink, logical;

    pango_layout_get_extents(layout, &ink, &logical);
    fit->lines = pango_layout_get_line_count(layout);
    fit->width = (double)logical.width / PANGO_SCALE;
    fit->height = (double)logical.height / PANGO_SCALE;
    return fit->lines <= style->max_lines && fit->width <= box_w + 0.01 &&
           fit->height <= box_h + 0.01 && (double)(ink.x + ink.width) / PANGO_SCALE <= box_w + 1;
}

/* Does a wrapped paragraph end in a line of one or two characters (e.g.
 * "ハロウィ" / "ン")? Every paragraph counts, not only the last: the author's
 * own line breaks end paragraphs too. */
static int has_widow(PangoLayout *layout)
{
    int n = pango_layout_get_line_count(layout);
    const char *text = pango_layout_get_text(layout);

    for (int i = 1; i < n; i++) {
        PangoLayoutLine *line = pango_layout_get_line_readonly(layout, i);
        PangoLayoutLine *next = i + 1 < n ? pango_layout_get_line_readonly(layout, i + 1) : NULL;
        int ends_paragraph = !next || next->is_paragraph_start;
        const char *start = text + line->start_index;
        glong chars = g_utf8_strlen(start, line->length);
        /* A line ending in the author's newline carries it in its length. */
        if (chars > 0 && start[line->length - 1] == '\n')
            chars--;
        if (ends_paragraph && !line->is_paragraph_start && chars <= 2)
            return 1;
    }
    return 0;
}

int igp_text_fit(PangoContext *ctx, const IgpTextStyle *style, const char *markup, int is_markup,
                 double box_w, double box_h, IgpTextFit *fit)
{
    double m = outline_margin(style), w = box_w - 2 * m, h = box_h - 2 * m;

    /* Whole pixels from the top: the first size that fits is the largest.
     * Line counts do not grow monotonically with size in every case, so
     * every size is tried rather than bisected; 100 layouts take ~10 ms. */
    IgpTextFit widowed = {0};
    for (double size = floor(style->size_max); size >= style->size_min - 1e-9; size -= 1) {
        PangoLayout *layout = make_layout(ctx, style, markup, is_markup, size, w);
        int fits = layout_fits(layout, style, w, h, fit);
        int widow = fits && has_widow(layout);
        g_object_unref(layout);
        if (fits && !widow) {
            fit->size = size;
            return 0;
        }
        /* A last line of one or two characters reads badly: take a smaller
         * size without one if there is one, else the largest that fits. */
        if (widow && widowed.size == 0) {
            widowed = *fit;
            widowed.size = size;
        }
    }
    if (widowed.size > 0) {
        *fit = widowed;
        return 0;
    }
    {
        PangoLayout *layout = make_layout(ctx, style, markup, is_markup, style->size_min, w);
        layout_fits(layout, style, w, h, fit);
        g_object_unref(layout);
    }
    return igp_error(
        IGP_ERR_INVALIDDATA, "fit",
        ngettext("does not fit even at the minimum size %.0fpx: needs %d line (max %d) "
                 "and %.0fpx of height (box %.0fx%.0f)",
                 "does not fit even at the minimum size %.0fpx: needs %d lines (max "
                 "%d) and %.0fpx of height (box %.0fx%.0f)",
                 fit->lines),
        style->size_min, fit->lines, style->max_lines, fit->height, box_w, box_h);
}

static void set_color(cairo_t *cr, const IgpColor *c)
{
    cairo_set_source_rgba(cr, c->r, c->g, c->b, c->a);
}

/* Does the layout draw anything from the colour emoji font? */
static int has_emoji_run(PangoLayout *layout)
{
    PangoLayoutIter *iter = pango_layout_get_iter(layout);
    int found = 0;

    do {
        PangoLayoutRun *run = pango_layout_iter_get_run_readonly(iter);
        if (!run)
            continue;
        PangoFontDescription *d = pango_font_describe(run->item->analysis.font);
        const char *family = pango_font_description_get_family(d);
        found = family && !g_ascii_strcasecmp(family, IGP_EMOJI_FAMILY);
        pango_font_description_free(d);
    } while (!found && pango_layout_iter_next_run(iter));
    pango_layout_iter_free(iter);
    return found;
}

/* Draw the layout's shape at the current point in the current source: a
 * colour glyph ignores the source, so a shadow drawn straight would be a
 * second coloured emoji instead of a shadow. The shape is drawn opaque, the
 * source's own alpha applies once, when it is painted through the shape. */
static void show_layout_as_mask(cairo_t *cr, PangoLayout *layout)
{
    cairo_pattern_t *shape;

    cairo_push_group(cr); /* saves the source; cairo_pop_group() restores it */
    cairo_set_source_rgb(cr, 0, 0, 0);
    pango_cairo_show_layout(cr, layout);
    shape = cairo_pop_group(cr);
    cairo_mask(cr, shape);
    cairo_pattern_destroy(shape);
}

void igp_text_draw(cairo_t *cr, PangoContext *ctx, const IgpTextStyle *style, const char *markup,
                   int is_markup, double x, double y, double box_w, double box_h,
                   const IgpTextFit *fit)
{
    double m = outline_margin(style), w = box_w - 2 * m, top = y + m;
    PangoLayout *layout;

    pango_cairo_update_context(cr, ctx);
    layout = make_layout(ctx, style, markup, is_markup, fit->size, w);
    if (style->valign == IGP_VALIGN_MIDDLE)
        top = y + (box_h - fit->height) / 2;
    else if (style->valign == IGP_VALIGN_BOTTOM)
        top = y + box_h - m - fit->height;
    cairo_save(cr);
    if (style->shadow.a > 0) {
        cairo_move_to(cr, x + m + style->shadow_dx, top + style->shadow_dy);
        set_color(cr, &style->shadow);
        if (has_emoji_run(layout))
            show_layout_as_mask(cr, layout);
        else
            pango_cairo_show_layout(cr, layout);
    }
    if (style->outline_width > 0) {
        cairo_move_to(cr, x + m, top);
        pango_cairo_layout_path(cr, layout);
        cairo_set_line_width(cr, style->outline_width);
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
        set_color(cr, &style->outline);
        cairo_stroke(cr);
    }
    cairo_move_to(cr, x + m, top);
    set_color(cr, &style->color);
    pango_cairo_show_layout(cr, layout);
    cairo_restore(cr);
    g_object_unref(layout);
}

/* ---- contrast ---- */

static double linear_channel(double c)
{
    return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

double igp_relative_luminance(double r, double g, double b)
{
    return 0.2126 * linear_channel(r) + 0.7152 * linear_channel(g) + 0.0722 * linear_channel(b);
}

double igp_contrast_ratio(double l1, double l2)
{
    double hi = MAX(l1, l2), lo = MIN(l1, l2);
    return (hi + 0.05) / (lo + 0.05);
}

double igp_surface_mean_luminance(cairo_surface_t *surface, int x, int y, int w, int h)
{
    int sw = cairo_image_surface_get_width(surface), sh = cairo_image_surface_get_height(surface);
    int stride = cairo_image_surface_get_stride(surface);
    const unsigned char *data;
    double table[256], sum = 0;
    long n = 0;

    cairo_surface_flush(surface);
    data = cairo_image_surface_get_data(surface);
    for (int i = 0; i < 256; i++)
        table[i] = linear_channel(i / 255.0);
    for (int row = MAX(0, y); row < MIN(sh, y + h); row++) {
        const uint32_t *p = (const uint32_t *)(data + (size_t)row * stride);
        for (int col = MAX(0, x); col < MIN(sw, x + w); col++, n++)
            sum += 0.2126 * table[(p[col] >> 16) & 0xff] + 0.7152 * table[(p[col] >> 8) & 0xff] +
                   0.0722 * table[p[col] & 0xff];
    }
    return n ? sum / n : 0;
}

/* ---- artwork ---- */

/* Artwork is read whole, capped, and only from a regular file: a FIFO or a
 * device named as artwork is refused instead of hanging the run. */
static int open_svg(const char *path, RsvgHandle **out)
{
    GError *err = NULL;
    RsvgHandle *h = NULL;
    char *data = NULL;
    size_t len = 0;

    if (igp_read_user_file(path, IGP_READ_ARTWORK, &data, &len))
        return IGP_ERR_INVALIDDATA;
    h = rsvg_handle_new_from_data((const guint8 *)data, len, &err);
    g_free(data);
    if (!h) {
        int ret = igp_error(IGP_ERR_INVALIDDATA, path, _("cannot read SVG: %s"),
                            err ? err->message : _("unknown error"));
        if (err)
            g_error_free(err);
        return ret;
    }
    *out = h;
    return 0;
}

int igp_svg_check(const char *path)
{
    RsvgHandle *h = NULL;
    int ret = open_svg(path, &h);
    if (h)
        g_object_unref(h);
    return ret;
}

int igp_svg_draw(cairo_t *cr, const char *path, double x, double y, double w, double h)
{
    RsvgHandle *handle = NULL;
    RsvgRectangle viewport = {x, y, w, h};
    GError *err = NULL;
    int ret = open_svg(path, &handle);

    if (ret)
        return ret;
    if (!rsvg_handle_render_document(handle, cr, &viewport, &err)) {
        ret = igp_error(IGP_ERR_INVALIDDATA, path, _("cannot draw SVG: %s"),
                        err ? err->message : _("unknown error"));
        if (err)
            g_error_free(err);
    }
    g_object_unref(handle);
    return ret;
}

/* The rest of a PNG held in memory, for cairo's stream reader. */
typedef struct PngBytes {
    const char *data;
    size_t left;
} PngBytes;

static cairo_status_t read_png_bytes(void *closure, unsigned char *out, unsigned int length)
{
    PngBytes *b = closure;

    if (length > b->left)
        return CAIRO_STATUS_READ_ERROR;
    memcpy(out, b->data, length);
    b->data += length;
    b->left -= length;
    return CAIRO_STATUS_SUCCESS;
}

int igp_png_draw(cairo_t *cr, const char *path, double x, double y, double w, double h)
{
    cairo_surface_t *png;
    double pw, ph, scale;
    char *data = NULL;
    size_t len = 0;
    PngBytes bytes;

    if (igp_read_user_file(path, IGP_READ_ARTWORK, &data, &len))
        return IGP_ERR_INVALIDDATA;
    bytes = (PngBytes){data, len};
    png = cairo_image_surface_create_from_png_stream(read_png_bytes, &bytes);
    g_free(data);
    if (cairo_surface_status(png) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(png);
        return igp_error(IGP_ERR_INVALIDDATA, path, _("cannot read PNG"));
    }
    pw = cairo_image_surface_get_width(png);
    ph = cairo_image_surface_get_height(png);
    scale = MIN(w / pw, h / ph);
    cairo_save(cr);
    cairo_translate(cr, x + (w - pw * scale) / 2, y + (h - ph * scale) / 2);
    cairo_scale(cr, scale, scale);
    cairo_set_source_surface(cr, png, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_GOOD);
    cairo_paint(cr);
    cairo_restore(cr);
    cairo_surface_destroy(png);
    return 0;
}

/* ---- libvips <-> cairo ---- */

int igp_surface_from_vips(VipsImage *image, cairo_surface_t **out)
{
    int w = image->Xsize, h = image->Ysize, bands = image->Bands;
    size_t len;
    unsigned char *pixels;
    cairo_surface_t *s;

    if (image->BandFmt != VIPS_FORMAT_UCHAR || (bands != 3 && bands != 4))
        return igp_error(IGP_ERR_UNSUPPORTED, "render", _("expected 8-bit RGB, got %d bands"),
                         bands);
    if (!(pixels = vips_image_write_to_memory(image, &len)))
        return igp_vips_error(IGP_ERR_LIBRARY, "render", _("cannot compute pixels"));
    s = igp_surface_from_pixels(pixels, w, h, bands, CAIRO_FORMAT_ARGB32, 0);
    g_free(pixels);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        return igp_error(IGP_ERR(ENOMEM), "render", _("cannot make a %dx%d surface"), w, h);
    }
    *out = s;
    return 0;
}

/* Cairo's ARGB32 and RGB24 are native-endian 32-bit words, alpha (or
 * nothing) in the top byte, colours premultiplied by alpha: write whole
 * words, never bytes, so the byte order (BGRA on little-endian machines)
 * comes out right. */
cairo_surface_t *igp_surface_from_pixels(const uint8_t *px, int width, int height, int bands,
                                         cairo_format_t format, int keep_alpha)
{
    cairo_surface_t *s = cairo_image_surface_create(format, width, height);
    int alpha = keep_alpha && bands == 4 && format == CAIRO_FORMAT_ARGB32;
    unsigned char *data;
    int stride;

    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
        return s;
    cairo_surface_flush(s);
    data = cairo_image_surface_get_data(s);
    stride = cairo_image_surface_get_stride(s);
    for (int y = 0; y < height; y++) {
        uint32_t *row = (uint32_t *)(data + (size_t)y * stride);
        const uint8_t *in = px + (size_t)y * width * bands;
        for (int x = 0; x < width; x++, in += bands) {
            uint32_t a = alpha ? in[3] : 255;
            uint32_t r = (in[0] * a + 127) / 255, g = (in[1] * a + 127) / 255,
                     b = (in[2] * a + 127) / 255;
            row[x] = a << 24 | r << 16 | g << 8 | b;
        }
    }
    cairo_surface_mark_dirty(s);
    return s;
}

int igp_vips_from_surface(cairo_surface_t *surface, VipsImage **out)
{
    int w = cairo_image_surface_get_width(surface), h = cairo_image_surface_get_height(surface);
    int stride = cairo_image_surface_get_stride(surface);
    unsigned char *rgb = g_malloc((size_t)w * h * 3);
    const unsigned char *data;

    cairo_surface_flush(surface);
    data = cairo_image_surface_get_data(surface);
    for (int y = 0; y < h; y++) {
        const uint32_t *row = (const uint32_t *)(data + (size_t)y * stride);
        unsigned char *dst = rgb + (size_t)y * w * 3;
        for (int x = 0; x < w; x++) {
            dst[3 * x] = (row[x] >> 16) & 0xff;
            dst[3 * x + 1] = (row[x] >> 8) & 0xff;
            dst[3 * x + 2] = row[x] & 0xff;
        }
    }
    *out = vips_image_new_from_memory_copy(rgb, (size_t)w * h * 3, w, h, 3, VIPS_FORMAT_UCHAR);
    g_free(rgb);
    if (!*out)
        return igp_vips_error(IGP_ERR_LIBRARY, "render", _("cannot wrap pixels"));
    (*out)->Type = VIPS_INTERPRETATION_sRGB;
    return 0;
}

/* Is every pixel of an image surface opaque? (cairo then writes RGB.) */
static int surface_is_opaque(cairo_surface_t *surface)
{
    int w = cairo_image_surface_get_width(surface), h = cairo_image_surface_get_height(surface);
    int stride = cairo_image_surface_get_stride(surface);
    cairo_format_t format = cairo_image_surface_get_format(surface);
    const unsigned char *data;

    if (format == CAIRO_FORMAT_RGB24)
        return 1;
    if (format != CAIRO_FORMAT_ARGB32)
        return 0;
    cairo_surface_flush(surface);
    data = cairo_image_surface_get_data(surface);
    for (int y = 0; y < h; y++) {
        const uint32_t *row = (const uint32_t *)(data + (size_t)y * stride);
        for (int x = 0; x < w; x++)
            if (row[x] >> 24 != 0xff)
                return 0;
    }
    return 1;
}

/* An opaque surface as an 8-bit RGB PNG, the pixels cairo would write,
 * written fast (pngsave.h): these PNGs are read once by the next stage, and
 * cairo's default (level 6, every filter tried) took most of compose's time
 * for a 1080x1920 story (bench/README.md, "The stages around detection"). */
static int save_opaque_png(cairo_surface_t *surface, const char *path)
{
    VipsImage *rgb = NULL;
    void *png = NULL;
    size_t len = 0;
    int ret = igp_vips_from_surface(surface, &rgb);

    if (ret == 0)
        ret = igp_png_encode(rgb, path, &png, &len);
    if (ret == 0)
        ret = igp_write_file_atomic(path, png, len);
    if (rgb)
        g_object_unref(rgb);
    g_free(png);
    return ret;
}

int igp_surface_save_png(cairo_surface_t *surface, const char *path)
{
    char *tmp;
    int ret = 0;

    if (cairo_surface_get_type(surface) == CAIRO_SURFACE_TYPE_IMAGE && surface_is_opaque(surface))
        return save_opaque_png(surface, path);
    tmp = igp_temp_sibling(path);
    if (cairo_surface_write_to_png(surface, tmp) != CAIRO_STATUS_SUCCESS)
        ret = igp_error(IGP_ERR(EIO), path, _("cannot write PNG"));
    if (ret == 0)
        ret = igp_fsync_path(tmp);
    if (ret == 0 && rename(tmp, path) != 0)
        ret =
            igp_error(IGP_ERR(errno), path, _("cannot rename into place: %s"), igp_strerror(errno));
    if (ret)
        remove(tmp);
    g_free(tmp);
    return ret;
}
