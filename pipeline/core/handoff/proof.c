/* proof: one page per post, drawn with cairo and pango, to PDF and PNG,
 * for the people who approve it: the post as it will appear, its words,
 * and what the checks found. */
#include "publish.h"
#include "checks.h"
#include "stage.h"
#include "log.h"
#include "faces.h"
#include "i18n.h"

#include "crop.h"
#include "error.h"
#include "reel.h"
#include "fsutil.h"
#include "leakcheck.h"
#include "render.h"

#include <math.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <vips/vips.h>

/* A4 landscape, in points: prints as it is, and fits a screen. */
#define PAGE_W 842.0
#define PAGE_H 595.0
#define MARGIN 24.0
/* PNG pages at 108 dpi: readable on a screen, small enough to mail. */
#define PNG_SCALE 1.5
/* Pictures are loaded this wide: sharp at twice the phone's 220 pt screen. */
#define THUMB_PX 480

/* Fontconfig's CJK family when installed, else its default sans (which
 * falls back per character). A template's bundled fonts will replace it. */
#define FONT_FAMILY "Noto Sans CJK JP, sans-serif"

/* Instagram's story safe zone (instagram-specs §6): y 250 to 1670 of 1920. */
#define STORY_HEIGHT    1920.0
#define STORY_SAFE_TOP  250.0
#define STORY_SAFE_BOTM 1670.0

typedef struct Box {
    double x, y, w, h;
} Box;

/* One picture of a post, loaded small enough to draw. */
typedef struct Slide {
    const char *path;       ///< relative to OUT, from encode.json
    int width, height;      ///< as encoded
    cairo_surface_t *image; ///< NULL when it could not be loaded
    char *problem;          ///< why not
} Slide;

/* Everything one page shows. */
typedef struct Page {
    const char *shoot, *id;
    json_t *entry; ///< the post's encode.json entry
    json_t *facts; ///< its "post": caption, alt, schedule, ...
    int number, count;
    Slide *slides;
    int n_slides;
    int story;                   ///< 9:16: drawn full screen with the safe zone
    IgpProofLayout layout;       ///< from the post type's row (posttype.h)
    const IgpPostTypeInfo *type; ///< that row, or NULL for an unknown type
    GTimeZone *zone;             ///< the account's, for the times shown
    const IgpFacesDoc *marks;    ///< the editor's SHOOT/faces.json, or NULL
    char *checks_markup;         ///< next-day story, faces, verify, as pango markup
    const char *digest;          ///< the post's content digest (digest.h), or NULL when not made
    const char *proof;           ///< the whole proof's digest
    char *causes;                ///< a post not made: the earlier stages' errors behind it, or NULL
} Page;

/* ---- pictures: libvips to cairo ---- */

/* Give the surface a JPEG of itself: the PDF then embeds that (about a
 * tenth of the raw pixels) instead of the pixels; PNG pages ignore it. */
static void attach_jpeg(cairo_surface_t *surface, VipsImage *rgb)
{
    void *jpeg = NULL;
    size_t len = 0;

    if (vips_jpegsave_buffer(rgb, &jpeg, &len, "Q", 85, "strip", TRUE, NULL) != 0) {
        vips_error_clear(); /* the PDF just gets the raw pixels */
        return;
    }
    if (cairo_surface_set_mime_data(surface, CAIRO_MIME_TYPE_JPEG, jpeg, len, g_free, jpeg) !=
        CAIRO_STATUS_SUCCESS)
        g_free(jpeg);
}

/* Load a picture at most THUMB_PX wide (and twice that tall) as 8-bit sRGB. */
static int load_slide(const char *out_dir, Slide *slide)
{
    char *path = g_build_filename(out_dir, slide->path, NULL);
    VipsImage *thumb = NULL, *srgb = NULL, *u8 = NULL;
    void *px = NULL;
    size_t size;
    int ret = 0;
    VipsImage *poster = NULL; /* videos: one still from the middle */

    if (igp_is_video_file(path) && igp_reel_poster(path, 0.5, &poster) != 0)
        ret = IGP_ERR_INVALIDDATA; /* message already in the error buffer */
    else if ((poster ? vips_thumbnail_image(poster, &thumb, THUMB_PX, "height", 2 * THUMB_PX, NULL)
                     : vips_thumbnail(path, &thumb, THUMB_PX, "height", 2 * THUMB_PX, NULL)) ||
             vips_colourspace(thumb, &srgb, VIPS_INTERPRETATION_sRGB, NULL) ||
             vips_cast_uchar(srgb, &u8, NULL) || u8->Bands < 3 ||
             !(px = vips_image_write_to_memory(u8, &size)))
        ret = igp_vips_error(IGP_ERR_INVALIDDATA, slide->path, _("cannot load"));
    if (ret == 0) {
        slide->image = igp_surface_from_pixels(px, u8->Xsize, u8->Ysize, u8->Bands > 3 ? 4 : 3,
                                               CAIRO_FORMAT_ARGB32, 1);
        if (cairo_surface_status(slide->image) != CAIRO_STATUS_SUCCESS)
            ret = igp_error(IGP_ERR_LIBRARY, slide->path, _("cairo: %s"),
                            cairo_status_to_string(cairo_surface_status(slide->image)));
    }
    if (ret == 0 && u8->Bands == 3) {
        /* The thumbnail was computed once, sequentially: encode the pixels
         * already in memory rather than asking for them again. */
        VipsImage *mem =
            vips_image_new_from_memory(px, size, u8->Xsize, u8->Ysize, 3, VIPS_FORMAT_UCHAR);
        if (mem) {
            attach_jpeg(slide->image, mem);
            g_object_unref(mem);
        }
        vips_error_clear();
    }
    g_free(px);
    if (u8)
        g_object_unref(u8);
    if (srgb)
        g_object_unref(srgb);
    if (thumb)
        g_object_unref(thumb);
    if (poster)
        g_object_unref(poster);
    g_free(path);
    return ret;
}

/* ---- geometry ---- */

/* The largest rectangle of the picture's aspect that fits in @p box, centred. */
static Box fit(const Slide *s, Box box)
{
    double aspect = s->height > 0 ? (double)s->width / s->height : 1.0;
    Box r = box;

    if (box.w / box.h > aspect)
        r.w = box.h * aspect;
    else
        r.h = box.w / aspect;
    r.x = box.x + (box.w - r.w) / 2;
    r.y = box.y + (box.h - r.h) / 2;
    return r;
}

static void paint_slide(cairo_t *cr, const Slide *s, Box r)
{
    cairo_save(cr);
    if (s->image) {
        int w = cairo_image_surface_get_width(s->image);
        int h = cairo_image_surface_get_height(s->image);
        cairo_rectangle(cr, r.x, r.y, r.w, r.h);
        cairo_clip(cr);
        cairo_translate(cr, r.x, r.y);
        cairo_scale(cr, r.w / w, r.h / h);
        cairo_set_source_surface(cr, s->image, 0, 0);
        cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_GOOD);
        cairo_paint(cr);
    } else {
        /* A missing picture must be obvious, not a blank space. */
        cairo_rectangle(cr, r.x, r.y, r.w, r.h);
        cairo_set_source_rgb(cr, 1.0, 0.85, 0.85);
        cairo_fill(cr);
    }
    cairo_restore(cr);
}

static void rounded_rect(cairo_t *cr, Box b, double radius)
{
    cairo_new_sub_path(cr);
    cairo_arc(cr, b.x + b.w - radius, b.y + radius, radius, -M_PI / 2, 0);
    cairo_arc(cr, b.x + b.w - radius, b.y + b.h - radius, radius, 0, M_PI / 2);
    cairo_arc(cr, b.x + radius, b.y + b.h - radius, radius, M_PI / 2, M_PI);
    cairo_arc(cr, b.x + radius, b.y + radius, radius, M_PI, 3 * M_PI / 2);
    cairo_close_path(cr);
}

/* ---- text ---- */

/* A layout in points (72 dpi), so font sizes are the sizes on paper. */
static PangoLayout *new_layout(cairo_t *cr, double size, int bold)
{
    PangoLayout *layout = pango_cairo_create_layout(cr);
    PangoFontDescription *font = pango_font_description_from_string(FONT_FAMILY);

    pango_cairo_context_set_resolution(pango_layout_get_context(layout), 72);
    pango_font_description_set_size(font, (int)(size * PANGO_SCALE));
    if (bold)
        pango_font_description_set_weight(font, PANGO_WEIGHT_BOLD);
    pango_layout_set_font_description(layout, font);
    pango_font_description_free(font);
    pango_layout_context_changed(layout);
    return layout;
}

/* Plain text at (x, y), at most @p w wide and @p lines lines (0: any). */
static double show_text(cairo_t *cr, const char *text, double x, double y, double w, double size,
                        int bold, int lines)
{
    PangoLayout *layout = new_layout(cr, size, bold);
    int height;

    pango_layout_set_width(layout, (int)(w * PANGO_SCALE));
    pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
    if (lines > 0) {
        pango_layout_set_height(layout, -lines);
        pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_END);
    }
    pango_layout_set_text(layout, text, -1);
    cairo_move_to(cr, x, y);
    pango_cairo_show_layout(cr, layout);
    cairo_new_path(cr); /* no current point left to join the next shape to */
    pango_layout_get_size(layout, NULL, &height);
    g_object_unref(layout);
    return (double)height / PANGO_SCALE;
}

/* Pango markup in a box, in the largest size from 9 pt down to 5 pt that
 * fits: a long caption with ten alt texts still shows every word. */
static void show_markup_fitted(cairo_t *cr, const char *markup, Box b)
{
    PangoLayout *layout = NULL;
    int height = 0;

    for (double size = 9.0; size >= 5.0; size -= 0.5) {
        if (layout)
            g_object_unref(layout);
        layout = new_layout(cr, size, 0);
        pango_layout_set_width(layout, (int)(b.w * PANGO_SCALE));
        pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
        pango_layout_set_markup(layout, markup, -1);
        pango_layout_get_size(layout, NULL, &height);
        if (height <= b.h * PANGO_SCALE)
            break;
    }
    cairo_save(cr);
    cairo_rectangle(cr, b.x, b.y, b.w, b.h);
    cairo_clip(cr);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_move_to(cr, b.x, b.y);
    pango_cairo_show_layout(cr, layout);
    cairo_restore(cr);
    g_object_unref(layout);
}

/* ---- the phone ---- */

/* Story safe zone: shade what the profile and reply bars cover. */
static void draw_safe_zone(cairo_t *cr, Box img)
{
    double top = img.y + img.h * STORY_SAFE_TOP / STORY_HEIGHT;
    double bottom = img.y + img.h * STORY_SAFE_BOTM / STORY_HEIGHT;
    double dash[] = {3.0, 2.0};

    cairo_save(cr);
    cairo_set_source_rgba(cr, 0.85, 0.1, 0.1, 0.25);
    cairo_rectangle(cr, img.x, img.y, img.w, top - img.y);
    cairo_rectangle(cr, img.x, bottom, img.w, img.y + img.h - bottom);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0.85, 0.1, 0.1);
    cairo_set_line_width(cr, 1.0);
    cairo_set_dash(cr, dash, 2, 0);
    cairo_move_to(cr, img.x, top);
    cairo_line_to(cr, img.x + img.w, top);
    cairo_move_to(cr, img.x, bottom);
    cairo_line_to(cr, img.x + img.w, bottom);
    cairo_stroke(cr);
    cairo_restore(cr);
}

static void draw_story_screen(cairo_t *cr, const Page *p, Box screen)
{
    Box img;

    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_rectangle(cr, screen.x, screen.y, screen.w, screen.h);
    cairo_fill(cr);
    if (p->n_slides == 0)
        return;
    img = fit(&p->slides[0], screen);
    paint_slide(cr, &p->slides[0], img);
    draw_safe_zone(cr, img);
}

/* The feed as the app shows it: account row, picture, dots, caption. */
static void draw_feed_screen(cairo_t *cr, const Page *p, Box screen)
{
    const char *caption = json_string_value(json_object_get(p->facts, "caption"));
    double y = screen.y + 6;
    Box img;

    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_rectangle(cr, screen.x, screen.y, screen.w, screen.h);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    y += show_text(cr, "Instagram", screen.x + 8, y, screen.w - 16, 10, 1, 1) + 8;
    cairo_set_source_rgb(cr, 0.8, 0.8, 0.8);
    cairo_arc(cr, screen.x + 17, y + 8, 8, 0, 2 * M_PI);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    show_text(cr, _("account"), screen.x + 30, y + 2, screen.w - 40, 7, 1, 1);
    y += 22;
    if (p->n_slides > 0) {
        img = fit(&p->slides[0], (Box){screen.x, y, screen.w, screen.w * 1.25});
        img.y = y; /* top-aligned under the account row, as the app does */
        paint_slide(cr, &p->slides[0], img);
        y += img.h + 6;
    }
    /* Carousel position dots, the first one current. */
    for (int i = 0; i < p->n_slides && p->n_slides > 1; i++) {
        double cx = screen.x + screen.w / 2 + (i - (p->n_slides - 1) / 2.0) * 6;
        if (i == 0)
            cairo_set_source_rgb(cr, 0.2, 0.5, 1.0);
        else
            cairo_set_source_rgb(cr, 0.7, 0.7, 0.7);
        cairo_arc(cr, cx, y + 2, 1.8, 0, 2 * M_PI);
        cairo_fill(cr);
    }
    y += 8;
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    if (caption && y < screen.y + screen.h - 12)
        show_text(cr, caption, screen.x + 8, y, screen.w - 16, 6.5, 0,
                  (int)((screen.y + screen.h - 4 - y) / 9.5));
}

static void draw_phone(cairo_t *cr, const Page *p, Box phone)
{
    Box screen = {phone.x + 8, phone.y + 8, phone.w - 16, phone.h - 16};

    cairo_set_source_rgb(cr, 0.15, 0.15, 0.17);
    rounded_rect(cr, phone, 22);
    cairo_fill(cr);
    cairo_save(cr);
    rounded_rect(cr, screen, 15);
    cairo_clip(cr);
    if (p->story)
        draw_story_screen(cr, p, screen);
    else
        draw_feed_screen(cr, p, screen);
    cairo_restore(cr);
}

/* ---- the crops ---- */

static void outline(cairo_t *cr, Box b, double r, double g, double bl, int dashed)
{
    double dash[] = {4.0, 2.0};

    cairo_save(cr);
    cairo_set_source_rgb(cr, r, g, bl);
    cairo_set_line_width(cr, 1.5);
    if (dashed)
        cairo_set_dash(cr, dash, 2, 0);
    cairo_rectangle(cr, b.x, b.y, b.w, b.h);
    cairo_stroke(cr);
    cairo_restore(cr);
}

/* The first picture with the feed frame (all of it) and the profile grid's
 * 3:4 tile (its centre) outlined, the part the grid hides shaded; a story
 * with its safe zone. Returns the height used. */
static double draw_cover_crops(cairo_t *cr, const Page *p, Box box)
{
    const Slide *s = &p->slides[0];
    Box img = fit(s, (Box){box.x, box.y + 14, box.w, box.h - 48});
    char *legend;

    img.y = box.y + 14;
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    show_text(cr, p->story ? _("Story: safe zone") : _("Feed and profile grid"), box.x, box.y,
              box.w, 8, 1, 1);
    paint_slide(cr, s, img);
    if (p->story) {
        draw_safe_zone(cr, img);
        legend = g_strdup_printf(
            _("%d×%d. Shaded: under the profile and reply bars; keep text in y 250–1670."),
            s->width, s->height);
    } else {
        IgpRect t = igp_focus_crop(s->width, s->height, 3, 4, 0.5, 0.5);
        double k = img.w / s->width;
        Box tile = {img.x + t.x * k, img.y + t.y * k, t.w * k, t.h * k};
        cairo_set_source_rgba(cr, 1, 1, 1, 0.55);
        cairo_rectangle(cr, img.x, img.y, tile.x - img.x, img.h);
        cairo_rectangle(cr, tile.x + tile.w, img.y, img.x + img.w - tile.x - tile.w, img.h);
        cairo_rectangle(cr, img.x, img.y, img.w, tile.y - img.y);
        cairo_rectangle(cr, img.x, tile.y + tile.h, img.w, img.y + img.h - tile.y - tile.h);
        cairo_fill(cr);
        outline(cr, img, 0.1, 0.4, 0.9, 0);
        outline(cr, tile, 0.8, 0.1, 0.6, 1);
        legend = g_strdup_printf(_("Blue: the feed shows all %d×%d. Magenta, dashed: the profile "
                                   "grid's 3:4 tile, its centre %d×%d."),
                                 s->width, s->height, t.w, t.h);
    }
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    show_text(cr, legend, box.x, img.y + img.h + 4, box.w, 6.5, 0, 3);
    g_free(legend);
    return img.h + 14 + 30;
}

/* Every picture of a carousel, numbered, five to a row. */
static void draw_slides(cairo_t *cr, const Page *p, Box box)
{
    const double cell_w = box.w / 5, cell_h = cell_w * 1.25 + 10;

    for (int i = 0; i < p->n_slides; i++) {
        Box cell = {box.x + (i % 5) * cell_w, box.y + (i / 5) * cell_h, cell_w - 4, cell_h - 12};
        char label[16];
        if (cell.y + cell_h > box.y + box.h)
            break;
        paint_slide(cr, &p->slides[i], fit(&p->slides[i], cell));
        snprintf(label, sizeof(label), "%d", i + 1);
        cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
        show_text(cr, label, cell.x, cell.y + cell.h + 1, cell.w, 6, 0, 1);
    }
}

/* ---- the words and checks ---- */

/* "Title: what does not apply", in grey: not a fault, nothing to fix. */
static void append_not_used(GString *m, const char *title)
{
    char *t = g_markup_printf_escaped("<b>%s</b>: <span foreground=\"#707070\">%s</span>\n", title,
                                      _("not used for this kind of post"));
    g_string_append(m, t);
    g_free(t);
}

/* Caption with its counts against Instagram's limits, in red when over. */
static void append_caption_markup(GString *m, const Page *p)
{
    json_t *facts = p->facts;
    const char *caption = json_string_value(json_object_get(facts, "caption"));
    long chars = caption ? g_utf8_strlen(caption, -1) : 0;
    int tags = igp_count_hashtags(caption);
    char *length, *hashtags, *t;

    if (!caption && p->type && !(p->type->publish_fields & IGP_FIELD_CAPTION)) {
        append_not_used(m, _("Caption"));
        return;
    }
    length = g_strdup_printf(_("%ld / %d characters"), chars, IGP_MAX_CAPTION_CHARS);
    hashtags = g_strdup_printf(
        ngettext("%d hashtag (at most %d)", "%d hashtags (at most %d)", (unsigned long)tags), tags,
        IGP_MAX_HASHTAGS);
    t = g_markup_printf_escaped(
        "<b>%s</b>  <span foreground=\"%s\">%s</span>, <span foreground=\"%s\">%s</span>\n%s\n",
        _("Caption"), chars > IGP_MAX_CAPTION_CHARS ? "#c00000" : "#207020", length,
        tags > IGP_MAX_HASHTAGS ? "#c00000" : "#207020", hashtags,
        caption ? caption : _("(no caption)"));

    g_string_append(m, t);
    g_free(t);
    g_free(hashtags);
    g_free(length);
}

/* Alt text, one per picture; a missing one in red. Stories and reels have
 * none on Instagram: said so in grey, not flagged. */
static void append_alt_markup(GString *m, const Page *p)
{
    json_t *alt = json_object_get(p->facts, "alt");
    char *t;

    if (p->type && !(p->type->publish_fields & IGP_FIELD_ALT)) {
        g_string_append(m, "\n");
        append_not_used(m, _("Alt text"));
        return;
    }
    t = g_markup_printf_escaped("\n<b>%s</b>\n", _("Alt text"));
    g_string_append(m, t);
    g_free(t);
    for (int i = 0; i < p->n_slides; i++) {
        const char *a = json_string_value(json_array_get(alt, i));
        t = a ? g_markup_printf_escaped("%d. %s\n", i + 1, a)
              : g_markup_printf_escaped("%d. <span foreground=\"#c00000\">%s</span>\n", i + 1,
                                        _("none"));
        g_string_append(m, t);
        g_free(t);
    }
}

static void append_line(GString *m, const char *title, const char *value)
{
    char *t = g_markup_printf_escaped("<b>%s</b>: %s\n", title, value);
    g_string_append(m, t);
    g_free(t);
}

static void append_schedule_markup(GString *m, const Page *p)
{
    json_t *collaborators = json_object_get(p->facts, "collaborators"), *c;
    const char *schedule = json_string_value(json_object_get(p->facts, "schedule"));
    char *when = schedule ? igp_time_for_people(schedule, p->zone) : NULL;
    GString *names = g_string_new(NULL);
    size_t i;

    append_line(m, _("Schedule"), when ? when : _("not set"));
    g_free(when);
    if (p->type && !(p->type->publish_fields & IGP_FIELD_COLLABORATORS)) {
        g_string_free(names, TRUE);
        return;
    }
    json_array_foreach(collaborators, i, c)
        g_string_append_printf(names, "%s%s", i ? ", " : "", json_string_value(c));
    if (json_array_size(collaborators) > IGP_MAX_COLLABORATORS)
        g_string_append_printf(names, _(" (more than %d: publish will refuse it)"),
                               IGP_MAX_COLLABORATORS);
    append_line(m, _("Collaborators"), names->len ? names->str : _("none"));
    g_string_free(names, TRUE);
}

/* The next-day story is the post derived from this one. encode records
 * every story of the plan (made or not), so a post without one gets none:
 * a story or highlight itself, or a post with "story_followup": false. */
static void append_story_markup(GString *m, const Page *p, json_t *posts)
{
    const char *story_id = igp_post_derived(posts, p->id);
    json_t *story = story_id ? json_object_get(posts, story_id) : NULL;
    const char *base = igp_post_parent(p->entry);
    char *v = NULL;

    if (base) {
        if (json_object_get(posts, base))
            v = g_strdup_printf(_("this is the next-day story of %s"), base);
    } else if (!story) {
        if (!p->type || p->type->story != IGP_STORY_NEVER)
            v = g_markup_printf_escaped("<span foreground=\"#707070\">%s</span>",
                                        _("none planned for this post"));
        if (v) {
            char *t = g_markup_printf_escaped("<b>%s</b>: ", _("Next-day story"));
            g_string_append_printf(m, "%s%s\n", t, v);
            g_free(t);
            g_free(v);
        }
        return;
    } else {
        const char *sched =
            json_string_value(json_object_get(json_object_get(story, "post"), "schedule"));
        char *when = sched ? igp_time_for_people(sched, p->zone) : g_strdup(_("(not set)"));
        v = g_strdup_printf(json_object_get(story, "error") ? _("%s, scheduled %s (not made)")
                                                            : _("%s, scheduled %s"),
                            story_id, when);
        g_free(when);
    }
    if (v)
        append_line(m, _("Next-day story"), v);
    g_free(v);
}

/* A highlight's stories, in their order, and whether each has been made. */
static void append_members_markup(GString *m, json_t *facts, json_t *posts)
{
    json_t *stories = json_object_get(facts, "stories"), *s;
    GString *list = g_string_new(NULL);
    size_t i;

    if (!stories)
        return;
    json_array_foreach(stories, i, s)
    {
        json_t *entry = json_object_get(posts, json_string_value(s));
        g_string_append_printf(list, "%s%zu. %s%s", i ? ", " : "", i + 1, json_string_value(s),
                               !entry || json_object_get(entry, "error") ? _(" (not made)") : "");
    }
    append_line(m, _("Stories"), list->str);
    g_string_free(list, TRUE);
}

/* The faces of a post, counted for people (docs/proof.md): a face the
 * editor labelled with a "person" counts once however many of the post's
 * pictures show it; an unlabelled face, or a video's track, once; boxes the
 * editor marked as not a face are counted as boxes. Undecided: found by the
 * detector and not in the editor's marks (SHOOT/faces.json), hidden until
 * someone decides, as on the review sheets. */
typedef struct FaceCount {
    GHashTable *hidden, *cleared, *ignored, *undecided; ///< sets of face keys
    int absent;                                         ///< sources not in the report
    GString *no_consent;                                ///< "f2 (IMG_0012.HEIC), ..."
} FaceCount;

/* The editor's mark of face @p id in @p media, or NULL. */
static json_t *editor_mark(const IgpFacesDoc *marks, const char *media, const char *id)
{
    json_t *faces = marks && id ? igp_faces_of(marks, media) : NULL, *f;
    size_t i;

    json_array_foreach(faces, i, f)
    {
        if (!g_strcmp0(json_string_value(json_object_get(f, "id")), id))
            return f;
    }
    return NULL;
}

static void count_face(FaceCount *c, const Page *p, const char *src, size_t index, json_t *face)
{
    const char *d = json_string_value(json_object_get(face, "decision"));
    const char *id = json_string_value(json_object_get(face, "id"));
    json_t *mark = editor_mark(p->marks, src, id);
    const char *person = json_string_value(json_object_get(mark, "person"));
    char *key = person ? g_strdup_printf("person\x1f%s", person)
                : id   ? g_strdup_printf("%s\x1f%s", src, id)
                       : g_strdup_printf("%s\x1f#%zu", src, index);
    GHashTable *set;

    if (!g_strcmp0(d, "cleared")) {
        set = c->cleared;
        if (!json_object_get(face, "consent"))
            g_string_append_printf(c->no_consent, _("%s%s in %s"), c->no_consent->len ? ", " : "",
                                   id ? id : "?", src);
    } else if (!g_strcmp0(d, "ignored"))
        set = c->ignored;
    else if (p->marks && !mark &&
             g_strcmp0(json_string_value(json_object_get(face, "source")), "manual"))
        set = c->undecided; /* hidden, but nobody has looked at it yet */
    else
        set = c->hidden;
    g_hash_table_add(set, key);
}

/* "Faces: 2 hidden, 1 cleared, 3 marked not a face", and "review needed"
 * only when a face is undecided or a source is missing from the report. */
static void append_faces_markup(GString *m, const Page *p, json_t *redaction)
{
    json_t *media = json_object_get(redaction, "media"), *src, *face;
    FaceCount c = {g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
                   g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
                   g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
                   g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
                   0,
                   g_string_new(NULL)};
    GString *v = g_string_new(NULL);
    size_t i, j;
    guint undecided;

    json_array_foreach(redaction ? json_object_get(p->facts, "sources") : NULL, i, src)
    {
        const char *name = json_string_value(src);
        json_t *entry = json_object_get(media, name);
        c.absent += !entry;
        json_array_foreach(json_object_get(entry, "faces"), j, face)
            count_face(&c, p, name, j, face);
    }
    undecided = g_hash_table_size(c.undecided);
    if (!redaction)
        g_string_append(v, _("no face redaction report"));
    else
        g_string_append_printf(v, _("%u hidden, %u cleared, %u marked not a face"),
                               g_hash_table_size(c.hidden) + undecided,
                               g_hash_table_size(c.cleared), g_hash_table_size(c.ignored));
    if (undecided) {
        char *t = g_strdup_printf(_("%u of them undecided, hidden until decided"), undecided);
        g_string_append_printf(v, _("; %s"), t);
        g_free(t);
    }
    if (c.absent)
        g_string_append_printf(v, _("; %s"), _("some sources are not in the report"));
    {
        char *t = g_markup_printf_escaped("<b>%s</b>: %s", _("Faces"), v->str);
        g_string_append(m, t);
        g_free(t);
    }
    if (undecided || c.absent) {
        char *t = g_markup_printf_escaped(" — <span foreground=\"#c00000\">%s</span>",
                                          _("review needed"));
        g_string_append(m, t);
        g_free(t);
    }
    g_string_append(m, "\n");
    if (c.no_consent->len) {
        char *t = g_markup_printf_escaped("<b>%s</b>: <span foreground=\"#c00000\">%s %s</span>\n",
                                          _("Consent"), _("cleared without a consent reference:"),
                                          c.no_consent->str);
        g_string_append(m, t);
        g_free(t);
    }
    g_string_free(v, TRUE);
    g_string_free(c.no_consent, TRUE);
    g_hash_table_destroy(c.hidden);
    g_hash_table_destroy(c.cleared);
    g_hash_table_destroy(c.ignored);
    g_hash_table_destroy(c.undecided);
}

/* One verify.json entry as "✓ name: ok (N checks)", or "✗ name: refused:"
 * and each failed check in verify's words; then any warning, in orange. */
static void append_verify_entry(GString *m, const char *name, json_t *entry)
{
    json_t *c;
    size_t i;
    char *t;

    if (json_is_true(json_object_get(entry, "ok"))) {
        size_t n = json_array_size(json_object_get(entry, "checks"));
        char *ok =
            g_strdup_printf(ngettext("%s: ok (%zu check)", "%s: ok (%zu checks)", n), name, n);
        t = g_markup_printf_escaped("<span foreground=\"#207020\">✓</span> %s\n", ok);
        g_string_append(m, t);
        g_free(t);
        g_free(ok);
    } else {
        char *refused = g_strdup_printf(_("%s: refused by verify:"), name);
        t = g_markup_printf_escaped("<span foreground=\"#c00000\">✗ %s", refused);
        g_string_append(m, t);
        g_free(t);
        g_free(refused);
        json_array_foreach(json_object_get(entry, "checks"), i, c)
        {
            if (json_is_true(json_object_get(c, "ok")))
                continue;
            char *sentence = igp_check_sentence(c);
            t = g_markup_printf_escaped(" %s.", sentence);
            g_string_append(m, t);
            g_free(t);
            g_free(sentence);
        }
        g_string_append(m, "</span>\n");
    }
    json_array_foreach(json_object_get(entry, "checks"), i, c)
    {
        const char *warning = json_string_value(json_object_get(c, "warning"));
        char *w;
        if (!warning)
            continue;
        w = g_strdup_printf(_("%s, a warning: %s."), name, warning);
        t = g_markup_printf_escaped("<span foreground=\"#b86200\">⚠ %s</span>\n", w);
        g_string_append(m, t);
        g_free(t);
        g_free(w);
    }
}

static json_t *verify_entry(json_t *verify, const char *path)
{
    json_t *e;
    size_t i;

    json_array_foreach(json_object_get(verify, "files"), i, e)
    {
        const char *file = json_string_value(json_object_get(e, "file"));
        if (file && !strcmp(file, path))
            return e;
    }
    return NULL;
}

/* A line in red. */
static void append_red(GString *m, const char *text)
{
    char *t = g_markup_printf_escaped("<span foreground=\"#c00000\">%s</span>\n", text);
    g_string_append(m, t);
    g_free(t);
}

static void append_verify_markup(GString *m, const Page *p, const char *out_dir, json_t *verify)
{
    json_t *files = json_object_get(p->entry, "files");
    GString *changed = g_string_new(NULL);
    char *t = g_markup_printf_escaped("<b>%s</b>\n", _("Verify"));

    g_string_append(m, t);
    g_free(t);
    if (!verify)
        append_red(m, _("no verify report: run igprep verify OUT"));
    else if (!igp_verify_report_is_current(out_dir))
        append_red(m, _("the verify report is older than the posts: run igprep verify OUT"));
    for (int i = 0; i < p->n_slides && verify; i++) {
        json_t *e = verify_entry(verify, p->slides[i].path);
        const char *name = strrchr(p->slides[i].path, '/') ? strrchr(p->slides[i].path, '/') + 1
                                                           : p->slides[i].path;
        if (e)
            append_verify_entry(m, name, e);
        else {
            t = g_strdup_printf(_("✗ %s: not verified"), name);
            append_red(m, t);
            g_free(t);
        }
    }
    /* verify.json describes the files as they were; say if they are not. */
    if (!igp_post_files_match(out_dir, files, changed)) {
        t = g_strdup_printf(_("changed since igprep made them: %s"), changed->str);
        append_red(m, t);
        g_free(t);
    }
    g_string_free(changed, TRUE);
}

/* ---- pages ---- */

/* What the approver quotes: this page's digest and the proof's (digest.h). */
static void draw_digests(cairo_t *cr, const Page *p)
{
    char *line = p->digest ? g_strdup_printf(_("post digest %.*s · proof %s"), IGP_SHORT_DIGEST,
                                             p->digest, p->proof)
                           : g_strdup_printf(_("not made: not approvable · proof %s"), p->proof);
    PangoLayout *layout = new_layout(cr, 8, 1);
    int w;

    pango_layout_set_text(layout, line, -1);
    pango_layout_get_size(layout, &w, NULL);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_move_to(cr, PAGE_W - MARGIN - (double)w / PANGO_SCALE, 37);
    pango_cairo_show_layout(cr, layout);
    g_object_unref(layout);
    g_free(line);
}

/* The kind of post, in the reader's words (the type's name is a key). */
static const char *type_label(const Page *p)
{
    return p->type ? _(p->type->proof_label) : _("post");
}

static void draw_header(cairo_t *cr, const Page *p)
{
    char *right = g_strdup_printf(_("%s · page %d of %d"), p->shoot, p->number, p->count);
    const char *aspect = json_string_value(json_object_get(p->entry, "aspect"));
    char *files =
        g_strdup_printf(ngettext("%d file", "%d files", (unsigned long)p->n_slides), p->n_slides);
    char *sub = g_strdup_printf("%s%s%s · %s", type_label(p), aspect ? " " : "",
                                aspect ? aspect : "", files);
    PangoLayout *layout = new_layout(cr, 8, 0);
    int w;

    cairo_set_source_rgb(cr, 0, 0, 0);
    show_text(cr, p->id, MARGIN, 18, 400, 15, 1, 1);
    cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
    show_text(cr, sub, MARGIN + 2, 38, 400, 8, 0, 1);
    pango_layout_set_text(layout, right, -1);
    pango_layout_get_size(layout, &w, NULL);
    cairo_move_to(cr, PAGE_W - MARGIN - (double)w / PANGO_SCALE, 24);
    pango_cairo_show_layout(cr, layout);
    draw_digests(cr, p);
    cairo_new_path(cr);
    cairo_set_source_rgb(cr, 0.8, 0.8, 0.8);
    cairo_set_line_width(cr, 0.75);
    cairo_move_to(cr, MARGIN, 54);
    cairo_line_to(cr, PAGE_W - MARGIN, 54);
    cairo_stroke(cr);
    g_object_unref(layout);
    g_free(files);
    g_free(sub);
    g_free(right);
}

static void draw_page(cairo_t *cr, const Page *p)
{
    const Box phone = {MARGIN, 64, 236, 505};
    const Box middle = {284, 64, 230, 505};
    const Box text = {534, 64, PAGE_W - MARGIN - 534, 505};
    const char *error = json_string_value(json_object_get(p->entry, "error"));

    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    draw_header(cr, p);
    if (error) {
        /* encode's message may say "(see above)": its causes are drawn first. */
        double y = 80;
        char *t;
        if (p->causes) {
            cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
            y += show_text(cr, _("What went wrong before:"), MARGIN, y, PAGE_W - 2 * MARGIN, 11, 1,
                           0);
            y += show_text(cr, p->causes, MARGIN, y + 2, PAGE_W - 2 * MARGIN, 10, 0, 12) + 10;
        }
        t = g_strdup_printf(_("Not made: %s"), error);
        cairo_set_source_rgb(cr, 0.75, 0, 0);
        show_text(cr, t, MARGIN, y, PAGE_W - 2 * MARGIN, 11, 0, 0);
        g_free(t);
        return;
    }
    draw_phone(cr, p, phone);
    if (p->n_slides > 0) {
        double used = draw_cover_crops(cr, p, (Box){middle.x, middle.y, middle.w, 340});
        if (p->n_slides > 1 && p->layout != IGP_PROOF_LIST)
            draw_slides(cr, p, (Box){middle.x, middle.y + used + 6, middle.w, middle.h - used - 6});
    }
    show_markup_fitted(cr, p->checks_markup, text);
}

static char *page_markup(const Page *p, const char *out_dir, json_t *posts, json_t *verify,
                         json_t *redaction)
{
    GString *m = g_string_new(NULL);

    append_caption_markup(m, p);
    append_alt_markup(m, p);
    g_string_append(m, "\n");
    append_schedule_markup(m, p);
    append_story_markup(m, p, posts);
    if (p->layout == IGP_PROOF_LIST) /* a highlight: its cover and its stories */
        append_members_markup(m, p->facts, posts);
    append_faces_markup(m, p, redaction);
    g_string_append(m, "\n");
    append_verify_markup(m, p, out_dir, verify);
    return g_string_free(m, FALSE);
}

static void page_load(Page *p, const char *out_dir, json_t *entry)
{
    json_t *files = json_object_get(entry, "files"), *f;
    const IgpPostTypeInfo *type =
        igp_post_type_find(json_string_value(json_object_get(entry, "type")));
    size_t i;

    p->entry = entry;
    p->facts = json_object_get(entry, "post");
    p->layout = type ? type->proof : IGP_PROOF_SLIDES;
    p->type = type;
    p->n_slides = (int)json_array_size(files);
    p->slides = g_new0(Slide, p->n_slides ? p->n_slides : 1);
    json_array_foreach(files, i, f)
    {
        Slide *s = &p->slides[i];
        s->path = json_string_value(json_object_get(f, "path"));
        s->width = (int)json_integer_value(json_object_get(f, "width"));
        s->height = (int)json_integer_value(json_object_get(f, "height"));
        if (!s->path || load_slide(out_dir, s) != 0) {
            igp_log_warning(_("proof: %s"), igp_error_buffer());
            igp_error_clear();
        }
        if (s->width <= 0 || s->height <= 0) /* not recorded: the loaded size */
            s->width = 1080, s->height = 1350;
    }
    p->story = p->n_slides > 0 && p->slides[0].width * 16 == p->slides[0].height * 9;
}

/* The error of @p name in OUT/state/@p stage's @p section, or NULL. */
static const char *state_error(json_t *states, const char *stage, const char *section,
                               const char *name)
{
    json_t *doc = json_object_get(states, stage);
    return json_string_value(
        json_object_get(json_object_get(json_object_get(doc, section), name), "error"));
}

/* Why a post was not made, as the earlier stages recorded it: the first
 * error of ingest, scrub, detect or redact for each of its sources, else
 * compose's for the post (from the shoot's shoot.json, as encode keeps none for a post it
 * could not make). One line each; NULL when none is recorded. */
static char *not_made_causes(const char *out_dir, const char *id, const char *error)
{
    static const char *const stages[] = {"ingest", "scrub", "detect", "redact"};
    json_t *states = json_object(), *ingest, *shoot = NULL, *post, *m;
    GString *lines = g_string_new(NULL);
    const char *e;
    size_t i;

    for (size_t k = 0; k < G_N_ELEMENTS(stages); k++)
        json_object_set_new(states, stages[k], igp_state_load(out_dir, stages[k]));
    json_object_set_new(states, "compose", igp_state_load(out_dir, "compose"));
    ingest = json_incref(json_object_get(states, "ingest"));
    if (json_string_value(json_object_get(ingest, "shoot_dir"))) {
        char *path = g_build_filename(json_string_value(json_object_get(ingest, "shoot_dir")),
                                      "shoot.json", NULL);
        shoot = json_load_file(path, 0, NULL);
        g_free(path);
    }
    json_array_foreach(json_object_get(shoot, "posts"), i, post)
    {
        size_t j;
        if (g_strcmp0(json_string_value(json_object_get(post, "id")), id))
            continue;
        json_array_foreach(json_object_get(post, "media"), j, m)
        {
            const char *file = json_string_value(json_object_get(m, "file"));
            for (size_t k = 0; file && k < G_N_ELEMENTS(stages); k++)
                if ((e = state_error(states, stages[k], "media", file))) {
                    g_string_append_printf(lines, "%s: %s\n", file, e);
                    break;
                }
        }
    }
    if (!lines->len && (e = state_error(states, "compose", "posts", id)) && g_strcmp0(e, error))
        g_string_append_printf(lines, "%s\n", e);
    json_decref(shoot);
    json_decref(ingest);
    json_decref(states);
    if (lines->len)
        g_string_truncate(lines, lines->len - 1);
    return g_string_free(lines, lines->len == 0);
}

static void page_free(Page *p)
{
    for (int i = 0; i < p->n_slides; i++)
        if (p->slides[i].image)
            cairo_surface_destroy(p->slides[i].image);
    g_free(p->slides);
    g_free(p->checks_markup);
    g_free(p->causes);
}

/* ---- output ---- */

static cairo_status_t append_bytes(void *closure, const unsigned char *data, unsigned int len)
{
    g_byte_array_append(closure, data, len);
    return CAIRO_STATUS_SUCCESS;
}

/* "<prefix>-NN.png": the page drawn at PNG_SCALE, written atomically. */
static int write_png_page(const Page *p, const char *prefix)
{
    cairo_surface_t *s = cairo_image_surface_create(
        CAIRO_FORMAT_ARGB32, (int)ceil(PAGE_W * PNG_SCALE), (int)ceil(PAGE_H * PNG_SCALE));
    cairo_t *cr = cairo_create(s);
    GByteArray *png = g_byte_array_new();
    char *path = g_strdup_printf("%s-%02d.png", prefix, p->number);
    cairo_status_t st;
    int ret = 0;

    cairo_scale(cr, PNG_SCALE, PNG_SCALE);
    draw_page(cr, p);
    cairo_destroy(cr);
    st = cairo_surface_write_to_png_stream(s, append_bytes, png);
    if (st != CAIRO_STATUS_SUCCESS)
        ret = igp_error(IGP_ERR_LIBRARY, path, _("cairo: %s"), cairo_status_to_string(st));
    else
        ret = igp_write_file_atomic(path, png->data, png->len);
    cairo_surface_destroy(s);
    g_byte_array_free(png, TRUE);
    g_free(path);
    return ret;
}

/* Pages of an earlier, longer proof must not pass for pages of this one. */
static void remove_stale_pages(const char *prefix, int from)
{
    for (int n = from;; n++) {
        char *path = g_strdup_printf("%s-%02d.png", prefix, n);
        int exists = g_file_test(path, G_FILE_TEST_EXISTS);
        if (exists)
            unlink(path);
        g_free(path);
        if (!exists)
            break;
    }
}

typedef struct ProofRun {
    const IgpProofSettings *settings;
    json_t *state, *verify, *redaction;
    IgpConfig config;   ///< the account's igprep.json: its zone
    IgpFacesDoc *marks; ///< the editor's faces.json, or NULL when the shoot is unknown
    json_t *pages;      ///< [{"id", "digest", "content"}] of the posts made, in page order
    char digest[IGP_SHORT_DIGEST + 1];
    char *pdf_path, *png_prefix;
} ProofRun;

static int draw_all_pages(ProofRun *run, cairo_t *pdf)
{
    json_t *posts = json_object_get(run->state, "posts"), *entry;
    const char *id;
    int number = 0, ret = 0;

    json_object_foreach(posts, id, entry)
    {
        Page p = {.shoot = json_string_value(json_object_get(run->state, "shoot")),
                  .id = id,
                  .number = ++number,
                  .count = (int)json_object_size(posts)};
        json_t *content = igp_post_content(posts, id);
        char digest[65];
        if (content) {
            igp_content_digest(content, digest);
            p.digest = digest;
        }
        json_decref(content);
        p.proof = run->digest;
        p.zone = run->config.zone;
        p.marks = run->marks;
        if (json_object_get(entry, "error"))
            p.causes = not_made_causes(run->settings->out_dir, id,
                                       json_string_value(json_object_get(entry, "error")));
        page_load(&p, run->settings->out_dir, entry);
        p.checks_markup =
            page_markup(&p, run->settings->out_dir, posts, run->verify, run->redaction);
        draw_page(pdf, &p);
        cairo_show_page(pdf);
        if (ret == 0)
            ret = write_png_page(&p, run->png_prefix);
        page_free(&p);
    }
    return ret ? ret : number;
}

/* The PDF is drawn to a hidden sibling and renamed once complete. */
static int write_proof(ProofRun *run)
{
    char *tmp = igp_temp_sibling(run->pdf_path);
    cairo_surface_t *surface = cairo_pdf_surface_create(tmp, PAGE_W, PAGE_H);
    cairo_t *cr = cairo_create(surface);
    char *title = g_strdup_printf(_("igprep proof: %s"),
                                  json_string_value(json_object_get(run->state, "shoot")));
    cairo_status_t st;
    int pages;

    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "igprep " IGP_VERSION);
    pages = draw_all_pages(run, cr);
    cairo_destroy(cr);
    /* cairo 1.16 (Debian 12) loses a block of 768 bytes for each font it
     * subsets into the PDF here (the same with a bare pango + cairo program):
     * its memory, not igprep's. See leakcheck.h for why this and not a
     * suppression. */
    igp_leakcheck_pause();
    cairo_surface_finish(surface);
    igp_leakcheck_resume();
    st = cairo_surface_status(surface);
    cairo_surface_destroy(surface);
    g_free(title);
    if (pages >= 0 && st != CAIRO_STATUS_SUCCESS)
        pages =
            igp_error(IGP_ERR_LIBRARY, run->pdf_path, _("cairo: %s"), cairo_status_to_string(st));
    if (pages >= 0) {
        int ret = igp_fsync_path(tmp);
        if (ret == 0)
            ret = igp_publish(tmp, run->pdf_path);
        if (ret)
            pages = ret;
    }
    if (pages < 0)
        unlink(tmp);
    else
        remove_stale_pages(run->png_prefix, pages + 1);
    g_free(tmp);
    return pages;
}

static json_t *load_report(const char *out_dir, const char *name)
{
    char *path = g_build_filename(out_dir, "reports", name, NULL);
    int missing;
    json_t *doc = igp_json_load_optional(path, &missing);

    if (!doc && !missing) { /* unreadable: show it as absent, but say why */
        igp_log_warning(_("proof: %s"), igp_error_buffer());
        igp_error_clear();
    }
    g_free(path);
    return doc;
}

/* The editor's marks, SHOOT/faces.json of the run's shoot (state/ingest.json
 * names it): what tells a decided face from an undecided one. NULL when the
 * shoot folder is unknown or its faces.json unreadable (then no face is
 * called undecided: the proof cannot tell, and says what it counts). */
static IgpFacesDoc *load_editor_marks(const char *out_dir)
{
    char *path = g_build_filename(out_dir, "state", "ingest.json", NULL);
    json_t *ingest = json_load_file(path, 0, NULL);
    const char *shoot_dir = json_string_value(json_object_get(ingest, "shoot_dir"));
    IgpFacesDoc *doc = NULL;

    g_free(path);
    if (shoot_dir) {
        path = g_build_filename(shoot_dir, IGP_FACES_NAME, NULL);
        if (igp_faces_load(path, 1, &doc) != 0) {
            igp_log_warning(_("proof: %s"), igp_error_buffer());
            igp_error_clear();
            doc = NULL;
        }
        g_free(path);
    }
    json_decref(ingest);
    return doc;
}

/* Pango, cairo and fontconfig keep every font they opened until the process
 * ends: let them go, so that the leak checker (make test-sanitize) reports
 * only real leaks. Safe: every layout and surface is gone by now. */
static void release_font_caches(void)
{
    pango_cairo_font_map_set_default(NULL);
    cairo_debug_reset_static_data();
}

/* The posts the proof shows that can be approved, with their content and
 * digest, and the proof's digest over them. */
static void compute_digests(ProofRun *run)
{
    json_t *posts = json_object_get(run->state, "posts"), *entry;
    const char *id;

    run->pages = json_array();
    json_object_foreach(posts, id, entry)
    {
        json_t *content = igp_post_content(posts, id);
        char digest[65];
        if (!content)
            continue;
        igp_content_digest(content, digest);
        json_array_append_new(run->pages, json_pack("{s:s, s:s, s:o}", "id", id, "digest", digest,
                                                    "content", content));
    }
    igp_proof_digest(run->pages, run->digest);
}

static json_t *proofs_load(const char *path)
{
    json_t *doc = json_load_file(path, 0, NULL);

    if (!json_is_array(json_object_get(doc, "proofs"))) {
        json_decref(doc);
        doc = json_pack("{s:i, s:[]}", "version", 1, "proofs");
    }
    return doc;
}

json_t *igp_proof_record_find(const char *out_dir, const char *digest)
{
    char *path = g_build_filename(out_dir, "state", IGP_PROOFS_NAME, NULL);
    json_t *doc = proofs_load(path), *p, *found = NULL;
    size_t i;

    json_array_foreach(json_object_get(doc, "proofs"), i, p)
    {
        const char *d = json_string_value(json_object_get(p, "digest"));
        if (d && digest && !g_ascii_strcasecmp(d, digest))
            found = json_incref(p);
    }
    json_decref(doc);
    g_free(path);
    return found;
}

/* Remember what this proof showed, so that `approve --proof DIGEST`
 * approves exactly that (OUT/state/proofs.json, under OUT's lock). */
static int record_proof(const ProofRun *run)
{
    const char *out_dir = run->settings->out_dir;
    char *path = g_build_filename(out_dir, "state", IGP_PROOFS_NAME, NULL);
    json_t *doc, *found = igp_proof_record_find(out_dir, run->digest);
    char at[64];
    int lock, ret = 0;

    if (found) { /* the same posts as an earlier proof: nothing new to record */
        json_decref(found);
        g_free(path);
        return 0;
    }
    if ((lock = igp_out_lock(out_dir)) < 0) {
        g_free(path);
        return lock;
    }
    igp_now_in_zone(run->config.zone, at, sizeof(at));
    doc = proofs_load(path);
    json_array_append_new(
        json_object_get(doc, "proofs"),
        json_pack("{s:s, s:s, s:O}", "digest", run->digest, "at", at, "posts", run->pages));
    ret = igp_json_save(path, doc);
    json_decref(doc);
    close(lock);
    g_free(path);
    return ret;
}

/* The proof as --json's result lists it: a page per post of the run, in
 * order, with the post's digest (null for a post not made). */
static json_t *proof_result(const ProofRun *run, int pages)
{
    json_t *posts = json_array(), *page;
    const char *id;
    json_t *entry;
    int number = 0;
    size_t i;

    json_object_foreach(json_object_get(run->state, "posts"), id, entry)
    {
        const char *digest = NULL;
        char *png = g_strdup_printf("%s-%02d.png", run->png_prefix, ++number);
        json_array_foreach(run->pages, i, page)
        {
            if (!g_strcmp0(id, json_string_value(json_object_get(page, "id"))))
                digest = json_string_value(json_object_get(page, "digest"));
        }
        json_array_append_new(posts, json_pack("{s:s, s:i, s:s, s:s?}", "id", id, "page", number,
                                               "png", png, "digest", digest));
        g_free(png);
    }
    return json_pack("{s:s, s:s, s:i, s:o}", "digest", run->digest, "pdf", run->pdf_path, "pages",
                     pages, "posts", posts);
}

int igp_proof(const IgpProofSettings *s)
{
    ProofRun run = {.settings = s};
    char *dir;
    int ret;

    if (!(run.state = igp_encode_state_load(s->out_dir)))
        return IGP_ERR_INVALIDDATA;
    if (json_object_size(json_object_get(run.state, "posts")) == 0) {
        json_decref(run.state);
        return igp_error(IGP_ERR_INVALIDDATA, s->out_dir, _("no posts to proof"));
    }
    if ((ret = igp_out_config_load(s->out_dir, &run.config))) {
        json_decref(run.state);
        return ret;
    }
    run.marks = load_editor_marks(s->out_dir);
    run.verify = load_report(s->out_dir, "verify.json");
    run.redaction = load_report(s->out_dir, "redaction.json");
    run.pdf_path = s->pdf_path ? g_strdup(s->pdf_path)
                               : g_build_filename(s->out_dir, "reports", "proof.pdf", NULL);
    run.png_prefix = g_str_has_suffix(run.pdf_path, ".pdf")
                         ? g_strndup(run.pdf_path, strlen(run.pdf_path) - 4)
                         : g_strdup(run.pdf_path);
    dir = g_path_get_dirname(run.pdf_path);
    compute_digests(&run);
    ret = igp_mkdir_p(dir);
    if (ret == 0)
        ret = write_proof(&run);
    if (ret >= 0) {
        int pages = ret;
        ret = record_proof(&run);
        if (ret == 0)
            igp_log_note(ngettext("proof %s: %d page in %s, and %s-01.png; approve it with "
                                  "igprep approve %s --proof %s --by NAME",
                                  "proof %s: %d pages in %s, and %s-01.png ...; approve it with "
                                  "igprep approve %s --proof %s --by NAME",
                                  (unsigned long)pages),
                         run.digest, pages, run.pdf_path, run.png_prefix, s->out_dir, run.digest);
        if (ret == 0 && s->result)
            *s->result = proof_result(&run, pages);
    }
    g_free(dir);
    g_free(run.png_prefix);
    g_free(run.pdf_path);
    json_decref(run.pages);
    json_decref(run.redaction);
    json_decref(run.verify);
    json_decref(run.state);
    igp_faces_free(&run.marks);
    igp_config_clear(&run.config);
    release_font_caches();
    return ret < 0 ? ret : 0;
}
