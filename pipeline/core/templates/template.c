/* template: load and check templates/<name>/template.json. */
#include "template.h"
#include "jsonpos.h"
#include "i18n.h"

#include "error.h"
#include "fsutil.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <glib.h>

#ifndef IGP_DATA_DIR
#define IGP_DATA_DIR "."
#endif

typedef struct CanvasRow {
    const char *name;
    int width, height;
    double safe[4];    ///< where text and logos must stay
    int overlay;       ///< drawn over a video, frame by frame (reels, story videos)
    int faces_in_safe; ///< faces kept inside the safe area by default (what every crop shows)
} CanvasRow;

static const CanvasRow canvases[] = {
    {"feed-4:5", 1080, 1350, {0, 0, 1080, 1350}, 0, 0},
    {"feed-1:1", 1080, 1080, {0, 0, 1080, 1080}, 0, 0},
    {"feed-1.91:1", 1080, 566, {0, 0, 1080, 566}, 0, 0},
    /* Stories: the profile bar and the reply bar cover 250 px each. */
    {"story", 1080, 1920, {0, 250, 1080, 1420}, 0, 0},
    {"highlight-cover", 1080, 1920, {0, 250, 1080, 1420}, 0, 0},
    /* Reel covers: the centre 1080x1080 survives the feed, grid and
     * Home-feed crops (instagram-specs.md §6). */
    {"reel-cover", 1080, 1920, {0, 420, 1080, 1080}, 0, 1},
    /* Reel (and story video) overlays: the story bars' 250 px top and bottom,
     * and 60 px each side (instagram-specs.md §6). Keep text clear of the
     * action buttons on the right too (templates/reel-basic does). */
    {"reel", 1080, 1920, {60, 250, 960, 1420}, 1, 0},
};

/* The row of @p canvas, or an empty one (a template not yet checked). */
static const CanvasRow *canvas_of(const char *canvas)
{
    static const CanvasRow none = {0};
    for (size_t i = 0; canvas && i < G_N_ELEMENTS(canvases); i++)
        if (!strcmp(canvas, canvases[i].name))
            return &canvases[i];
    return &none;
}

static const char *const root_keys[] = {"version",     "canvas", "description", "background",
                                        "pages",       "story",  "layers",      "title_seconds",
                                        "end_seconds", "video",  NULL};
static const char *const layer_keys[] = {
    "type",    "name",   "box",          "radius", "slot",   "keep_faces_in",
    "shape",   "fill",   "gradient",     "text",   "markup", "optional",
    "font",    "size",   "max_lines",    "align",  "valign", "color",
    "outline", "shadow", "line_spacing", "file",   "when",   NULL};

const char *igp_data_dir(void)
{
    const char *env = getenv("IGPREP_DATA");
    return env && *env ? env : IGP_DATA_DIR;
}

char *igp_templates_dir(void)
{
    const char *env = getenv("IGPREP_TEMPLATES");
    return env && *env ? g_strdup(env) : g_build_filename(igp_data_dir(), "templates", NULL);
}

/* A folder holding fonts.conf, or NULL. */
static char *fonts_at(const char *dir, const char *sub)
{
    char *fonts = g_build_filename(dir, sub, NULL), *conf;

    conf = g_build_filename(fonts, "fonts.conf", NULL);
    if (!g_file_test(conf, G_FILE_TEST_IS_REGULAR)) {
        g_free(fonts);
        fonts = NULL;
    }
    g_free(conf);
    return fonts;
}

char *igp_template_fonts_dir(const char *templates_dir)
{
    /* A template set (igprep template export) carries its fonts next to its
     * templates: SET/templates and SET/fonts, or fonts inside the folder. */
    char *fonts = fonts_at(templates_dir, "fonts");

    if (!fonts)
        fonts = fonts_at(templates_dir, ".." G_DIR_SEPARATOR_S "fonts");
    return fonts ? fonts : g_build_filename(igp_data_dir(), "fonts", NULL);
}

char *igp_fonts_dir(void)
{
    char *templates = igp_templates_dir(), *fonts = igp_template_fonts_dir(templates);

    g_free(templates);
    return fonts;
}

int igp_canvas_size(const char *canvas, int *width, int *height)
{
    for (size_t i = 0; i < G_N_ELEMENTS(canvases); i++) {
        if (!strcmp(canvas, canvases[i].name)) {
            *width = canvases[i].width;
            *height = canvases[i].height;
            return 0;
        }
    }
    return -1;
}

/* ---- messages with positions ---- */

typedef struct Checker {
    const char *path;
    const char *text;
    size_t len;
    const char *templates_dir;
    IgpTemplate *t;
    IgpFonts *fonts;
    PangoContext *ctx;
} Checker;

static int fail_at(const Checker *c, const char *pointer, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail_at(const Checker *c, const char *pointer, const char *fmt, ...)
{
    va_list ap;
    char *msg;
    int ret;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    ret = igp_json_error_at(c->path, c->text, c->len, pointer, _("template '%s': %s"), c->t->name,
                            msg);
    g_free(msg);
    return ret;
}

/* Re-word the error buffer's last message at a position (for checks done by
 * render.c, which knows no positions). */
static int fail_with_buffer(const Checker *c, const char *pointer, const char *prefix)
{
    char *msg = g_strdup(igp_error_buffer());
    int ret;

    igp_error_clear();
    ret = fail_at(c, pointer, "%s%s", prefix, msg);
    g_free(msg);
    return ret;
}

static char *ptr_join(const char *pointer, const char *key)
{
    return g_strdup_printf("%s/%s", pointer, key);
}

/* ---- typed getters ---- */

static int check_keys(const Checker *c, const char *pointer, json_t *obj,
                      const char *const *allowed, const char *what)
{
    const char *key;
    json_t *value;

    json_object_foreach(obj, key, value)
    {
        int known = 0;
        for (const char *const *k = allowed; *k && !known; k++)
            known = !strcmp(key, *k);
        if (!known) {
            char *ptr = ptr_join(pointer, key);
            int ret = fail_at(c, ptr, _("unknown key '%s' in %s"), key, what);
            g_free(ptr);
            return ret;
        }
    }
    return 0;
}

static int get_string(const Checker *c, const char *pointer, json_t *obj, const char *key,
                      int required, const char **out)
{
    json_t *v = json_object_get(obj, key);
    char *ptr;
    int ret;

    *out = NULL;
    if (!v)
        return required ? fail_at(c, pointer, _("missing key '%s'"), key) : 0;
    if (json_is_string(v)) {
        *out = json_string_value(v);
        return 0;
    }
    ptr = ptr_join(pointer, key);
    ret = fail_at(c, ptr, _("'%s' must be a string"), key);
    g_free(ptr);
    return ret;
}

static int get_number(const Checker *c, const char *pointer, json_t *obj, const char *key,
                      double lo, double hi, double *out)
{
    json_t *v = json_object_get(obj, key);
    char *ptr;
    int ret = 0;

    if (!v)
        return 0; /* keeps the default in *out */
    ptr = ptr_join(pointer, key);
    if (!json_is_number(v))
        ret = fail_at(c, ptr, _("'%s' must be a number"), key);
    else if (json_number_value(v) < lo || json_number_value(v) > hi)
        ret = fail_at(c, ptr, _("'%s' must be between %g and %g, not %g"), key, lo, hi,
                      json_number_value(v));
    else
        *out = json_number_value(v);
    g_free(ptr);
    return ret;
}

static int get_bool(const Checker *c, const char *pointer, json_t *obj, const char *key, int *out)
{
    json_t *v = json_object_get(obj, key);
    char *ptr;
    int ret;

    if (!v)
        return 0;
    if (json_is_boolean(v)) {
        *out = json_is_true(v);
        return 0;
    }
    ptr = ptr_join(pointer, key);
    ret = fail_at(c, ptr, _("'%s' must be true or false"), key);
    g_free(ptr);
    return ret;
}

static int get_color(const Checker *c, const char *pointer, json_t *obj, const char *key,
                     IgpColor *out)
{
    json_t *v = json_object_get(obj, key);
    char *ptr;
    int ret = 0;

    if (!v)
        return 0;
    ptr = ptr_join(pointer, key);
    if (!json_is_string(v) || igp_color_parse(json_string_value(v), out))
        ret =
            fail_at(c, ptr, _("'%s' must be a colour \"#rgb\", \"#rrggbb\" or \"#rrggbbaa\""), key);
    g_free(ptr);
    return ret;
}

/* An array of n numbers. */
static int get_numbers(const Checker *c, const char *pointer, json_t *obj, const char *key, int n,
                       int required, double *out)
{
    json_t *v = json_object_get(obj, key);
    char *ptr;
    int ok, ret = 0;

    if (!v)
        return required ? fail_at(c, pointer, _("missing key '%s'"), key) : 0;
    ok = json_is_array(v) && (int)json_array_size(v) == n;
    for (int i = 0; ok && i < n; i++)
        ok = json_is_number(json_array_get(v, i));
    ptr = ptr_join(pointer, key);
    if (!ok)
        ret = fail_at(c, ptr, _("'%s' must be an array of %d numbers"), key, n);
    for (int i = 0; ok && i < n; i++)
        out[i] = json_number_value(json_array_get(v, i));
    g_free(ptr);
    return ret;
}

/* One of a list of words; returns its index in *out. */
static int get_word(const Checker *c, const char *pointer, json_t *obj, const char *key,
                    const char *const *words, int *out)
{
    const char *s;
    char *ptr, *list;
    int ret = get_string(c, pointer, obj, key, 0, &s);

    if (ret || !s)
        return ret;
    for (int i = 0; words[i]; i++) {
        if (!strcmp(s, words[i])) {
            *out = i;
            return 0;
        }
    }
    ptr = ptr_join(pointer, key);
    list = g_strjoinv(", ", (char **)words);
    ret = fail_at(c, ptr, _("'%s' must be one of %s, not '%s'"), key, list, s);
    g_free(list);
    g_free(ptr);
    return ret;
}

/* ---- layers ---- */

static int inside(const double box[4], const double area[4])
{
    return box[0] >= area[0] - 1e-9 && box[1] >= area[1] - 1e-9 &&
           box[0] + box[2] <= area[0] + area[2] + 1e-9 &&
           box[1] + box[3] <= area[1] + area[3] + 1e-9;
}

static int check_box(const Checker *c, const char *pointer, json_t *lj, IgpLayer *l)
{
    const IgpTemplate *t = c->t;
    double canvas[4] = {0, 0, t->width, t->height};
    char *ptr = ptr_join(pointer, "box");
    int ret = get_numbers(c, pointer, lj, "box", 4, 1, l->box);

    if (ret == 0 && (l->box[2] <= 0 || l->box[3] <= 0))
        ret = fail_at(c, ptr, _("layer '%s': box width and height must be positive"), l->name);
    else if (ret == 0 && !inside(l->box, canvas))
        ret = fail_at(c, ptr, _("layer '%s': box [%g, %g, %g, %g] is outside the %dx%d canvas"),
                      l->name, l->box[0], l->box[1], l->box[2], l->box[3], t->width, t->height);
    /* Text and logos must stay clear of Instagram's own UI. */
    else if (ret == 0 &&
             (l->type == IGP_LAYER_TEXT || l->type == IGP_LAYER_LOGO ||
              l->type == IGP_LAYER_SUBTITLE) &&
             !inside(l->box, t->safe))
        ret = fail_at(c, ptr,
                      _("layer '%s': box [%g, %g, %g, %g] leaves the %s safe zone (y %g to %g)"),
                      l->name, l->box[0], l->box[1], l->box[2], l->box[3], t->canvas, t->safe[1],
                      t->safe[1] + t->safe[3]);
    g_free(ptr);
    return ret;
}

static int check_media(const Checker *c, const char *pointer, json_t *lj, IgpLayer *l)
{
    double slot = 0;
    char *ptr;
    int ret = get_number(c, pointer, lj, "slot", 0, 9, &slot);

    l->slot = (int)slot;
    c->t->n_slots = MAX(c->t->n_slots, l->slot + 1);
    /* By default faces must land inside the slot, and for a reel cover inside
     * the centre square that every crop of it shows. */
    memcpy(l->keep, l->box, sizeof(l->keep));
    if (canvas_of(c->t->canvas)->faces_in_safe) {
        double top = MAX(l->box[1], c->t->safe[1]);
        double bottom = MIN(l->box[1] + l->box[3], c->t->safe[1] + c->t->safe[3]);
        l->keep[1] = top, l->keep[3] = MAX(1, bottom - top);
    }
    if (ret == 0)
        ret = get_numbers(c, pointer, lj, "keep_faces_in", 4, 0, l->keep);
    ptr = ptr_join(pointer, "keep_faces_in");
    if (ret == 0 && !inside(l->keep, l->box))
        ret = fail_at(c, ptr, _("layer '%s': keep_faces_in must lie inside the box"), l->name);
    g_free(ptr);
    return ret;
}

static int check_shape(const Checker *c, const char *pointer, json_t *lj, IgpLayer *l)
{
    static const char *const shapes[] = {"rect", "ellipse", NULL};
    static const char *const dirs[] = {"down", "up", "right", "left", NULL};
    json_t *g = json_object_get(lj, "gradient");
    int dir = 0, ret;

    l->fill = (IgpColor){1, 1, 1, 1};
    if ((ret = get_word(c, pointer, lj, "shape", shapes, &l->ellipse)) ||
        (ret = get_color(c, pointer, lj, "fill", &l->fill)))
        return ret;
    if (!g)
        return 0;
    {
        static const char *const gkeys[] = {"from", "to", "direction", NULL};
        char *gptr = ptr_join(pointer, "gradient");
        if (!json_is_object(g))
            ret = fail_at(c, gptr,
                          _("'gradient' must be an object {\"from\", \"to\", \"direction\"}"));
        if (ret == 0)
            ret = check_keys(c, gptr, g, gkeys, "a gradient");
        if (ret == 0 && !(json_object_get(g, "from") && json_object_get(g, "to")))
            ret = fail_at(c, gptr, _("a gradient needs 'from' and 'to' colours"));
        if (ret == 0 && !(ret = get_color(c, gptr, g, "from", &l->fill)) &&
            !(ret = get_color(c, gptr, g, "to", &l->fill_to)))
            ret = get_word(c, gptr, g, "direction", dirs, &dir);
        l->gradient = 1;
        l->direction = "durl"[dir];
        g_free(gptr);
    }
    return ret;
}

/* The literal part of a text (placeholders removed), for the glyph check. */
static char *literal_text(const char *text)
{
    GString *s = g_string_new(NULL);
    for (const char *p = text; *p; p++) {
        const char *end;
        if (*p == '{' && (end = strchr(p, '}'))) {
            p = end;
            continue;
        }
        g_string_append_c(s, *p);
    }
    return g_string_free(s, FALSE);
}

static int check_text_effects(const Checker *c, const char *pointer, json_t *lj, IgpLayer *l)
{
    json_t *o = json_object_get(lj, "outline"), *s = json_object_get(lj, "shadow");
    char *ptr;
    int ret = 0;

    if (o) {
        static const char *const okeys[] = {"color", "width", NULL};
        ptr = ptr_join(pointer, "outline");
        l->style.outline = (IgpColor){1, 1, 1, 1};
        l->style.outline_width = 4;
        if (!json_is_object(o))
            ret = fail_at(c, ptr, _("'outline' must be an object {\"color\", \"width\"}"));
        if (ret == 0 && !(ret = check_keys(c, ptr, o, okeys, "an outline")) &&
            !(ret = get_color(c, ptr, o, "color", &l->style.outline)))
            ret = get_number(c, ptr, o, "width", 0.5, 40, &l->style.outline_width);
        g_free(ptr);
    }
    if (ret == 0 && s) {
        static const char *const skeys[] = {"color", "offset", NULL};
        double off[2] = {3, 3};
        ptr = ptr_join(pointer, "shadow");
        l->style.shadow = (IgpColor){0, 0, 0, 0.5};
        if (!json_is_object(s))
            ret = fail_at(c, ptr, _("'shadow' must be an object {\"color\", \"offset\"}"));
        if (ret == 0 && !(ret = check_keys(c, ptr, s, skeys, "a shadow")) &&
            !(ret = get_color(c, ptr, s, "color", &l->style.shadow)))
            ret = get_numbers(c, ptr, s, "offset", 2, 0, off);
        l->style.shadow_dx = off[0], l->style.shadow_dy = off[1];
        g_free(ptr);
    }
    return ret;
}

static int check_font(const Checker *c, const char *pointer, IgpLayer *l)
{
    char *literal = literal_text(l->text), *ptr = ptr_join(pointer, "font");
    PangoFontDescription *d = pango_font_description_from_string(l->font);
    const char *family = pango_font_description_get_family(d);
    int ret = 0;

    if (!family || !igp_fonts_has_family(c->fonts, family))
        ret = fail_at(c, ptr, _("layer '%s': font '%s' is not bundled (fonts/ has: %s)"), l->name,
                      family ? family : l->font, igp_fonts_families(c->fonts));
    pango_font_description_free(d);
    g_free(ptr);
    /* The template's own words must be drawable too, placeholders aside. */
    if (ret == 0 && igp_text_check_glyphs(c->ctx, c->fonts, &l->style, literal, 0)) {
        ptr = ptr_join(pointer, "text");
        ret = fail_with_buffer(c, ptr, "");
        g_free(ptr);
    }
    g_free(literal);
    return ret;
}

static int check_text(const Checker *c, const char *pointer, json_t *lj, IgpLayer *l)
{
    static const char *const aligns[] = {"left", "center", "right", NULL};
    static const char *const valigns[] = {"top", "middle", "bottom", NULL};
    const char *text, *font;
    double size[2] = {0, 0}, lines = 1;
    int align = 0, valign = 0, ret;
    char *ptr;

    l->style.color = (IgpColor){0, 0, 0, 1};
    if (l->type == IGP_LAYER_SUBTITLE) {
        /* The words come from the post's SRT file, cue by cue. */
        static const char *const not_here[] = {"text", "markup", "optional", NULL};
        for (int i = 0; not_here[i]; i++) {
            if (json_object_get(lj, not_here[i])) {
                ptr = ptr_join(pointer, not_here[i]);
                ret = fail_at(c, ptr,
                              _("layer '%s': a subtitle layer takes its words from the post's "
                                "\"subtitles\" file, not '%s'"),
                              l->name, not_here[i]);
                g_free(ptr);
                return ret;
            }
        }
        if (c->t->subtitle_layer >= 0)
            return fail_at(c, pointer, _("layer '%s': a template has at most one subtitle layer"),
                           l->name);
        c->t->subtitle_layer = (int)(l - c->t->layers);
        text = "";
    } else if ((ret = get_string(c, pointer, lj, "text", 1, &text))) {
        return ret;
    }
    if ((ret = get_string(c, pointer, lj, "font", 1, &font)) ||
        (ret = get_numbers(c, pointer, lj, "size", 2, 1, size)) ||
        (ret = get_number(c, pointer, lj, "max_lines", 1, 20, &lines)) ||
        (ret = get_word(c, pointer, lj, "align", aligns, &align)) ||
        (ret = get_word(c, pointer, lj, "valign", valigns, &valign)) ||
        (ret = get_color(c, pointer, lj, "color", &l->style.color)) ||
        (ret = get_number(c, pointer, lj, "line_spacing", 0, 4, &l->style.line_spacing)) ||
        (ret = get_bool(c, pointer, lj, "markup", &l->markup)) ||
        (ret = get_bool(c, pointer, lj, "optional", &l->optional)) ||
        (ret = check_text_effects(c, pointer, lj, l)))
        return ret;
    l->text = g_strdup(text);
    l->font = g_strdup(font);
    l->style.font = l->font;
    l->style.size_min = size[0], l->style.size_max = size[1];
    l->style.max_lines = (int)lines;
    l->style.align = align == 0   ? PANGO_ALIGN_LEFT
                     : align == 1 ? PANGO_ALIGN_CENTER
                                  : PANGO_ALIGN_RIGHT;
    l->style.valign = (IgpVAlign)valign;
    ptr = ptr_join(pointer, "size");
    if (size[0] < 8 || size[1] > 400 || size[0] > size[1])
        ret =
            fail_at(c, ptr, _("layer '%s': 'size' must be [min, max] with 8 <= min <= max <= 400"),
                    l->name);
    else if (size[1] > l->box[3])
        ret = fail_at(c, ptr, _("layer '%s': the largest size %gpx is taller than the box (%gpx)"),
                      l->name, size[1], l->box[3]);
    g_free(ptr);
    return ret ? ret : check_font(c, pointer, l);
}

/* Where artwork @p file is: the template's folder, else _shared/; a symbolic
 * link may not lead out of the folder it is in. Sets *found (NULL: in
 * neither) or returns an error naming the key. */
static int find_artwork(const Checker *c, const char *ptr, const char *file, char **found)
{
    char *shared = g_build_filename(c->templates_dir, IGP_TEMPLATE_SHARED, NULL);
    const char *folders[] = {c->t->dir, shared}, *why;
    int ret = 0;

    *found = NULL;
    for (size_t i = 0; i < G_N_ELEMENTS(folders) && !*found && ret == 0; i++) {
        int r = igp_path_inside(folders[i], file, found, &why);
        if (r == IGP_ERR_POLICY || r == IGP_ERR(ELOOP))
            ret = fail_at(c, ptr, _("artwork '%s' must stay inside %s: it %s"), file, folders[i],
                          why);
    }
    g_free(shared);
    return ret;
}

/* Artwork: a plain file name in the template's folder or in _shared/. */
static int check_artwork(const Checker *c, const char *pointer, json_t *lj, IgpLayer *l)
{
    const char *file;
    char *ptr, *found = NULL;
    struct stat st;
    int ret = get_string(c, pointer, lj, "file", 1, &file);

    if (ret)
        return ret;
    ptr = ptr_join(pointer, "file");
    l->is_svg = g_str_has_suffix(file, ".svg");
    if (!*file || strchr(file, '/') || file[0] == '.')
        ret = fail_at(c, ptr, _("'file' must be a file name in the template's folder or in %s/"),
                      IGP_TEMPLATE_SHARED);
    else if (!l->is_svg && !g_str_has_suffix(file, ".png"))
        ret = fail_at(c, ptr, _("artwork '%s' must be .svg or .png"), file);
    else if ((ret = find_artwork(c, ptr, file, &found)))
        ;
    else if (!found)
        ret = fail_at(c, ptr, _("artwork file '%s' is missing (looked in %s and %s/%s)"), file,
                      c->t->dir, c->templates_dir, IGP_TEMPLATE_SHARED);
    else if (stat(found, &st) != 0 || !S_ISREG(st.st_mode))
        ret = fail_at(c, ptr, _("artwork file '%s' is not a regular file"), found);
    else
        l->file = g_strdup(found);
    if (ret == 0 && l->is_svg && igp_svg_check(l->file))
        ret = fail_with_buffer(c, ptr, "");
    if (ret == 0 && l->type == IGP_LAYER_LOGO && !l->is_svg)
        ret = fail_at(c, ptr, _("the logo must be an SVG (it is drawn as vectors)"));
    g_free(found);
    g_free(ptr);
    return ret;
}

static int check_layer(const Checker *c, const char *pointer, json_t *lj, int index, IgpLayer *l)
{
    static const char *const types[] = {"media",   "shape",    "text", "logo",
                                        "sticker", "subtitle", NULL};
    static const char *const whens[] = {"always", "title", "end", NULL};
    const char *name;
    int type = -1, when = 0, ret;
    int reel = igp_canvas_is_overlay(c->t->canvas);

    l->pointer = g_strdup(pointer);
    if (!json_is_object(lj))
        return fail_at(c, pointer, _("a layer must be an object with a 'type'"));
    if ((ret = get_string(c, pointer, lj, "name", 0, &name)))
        return ret;
    l->name = name ? g_strdup(name) : g_strdup_printf("layer %d", index + 1);
    if ((ret = check_keys(c, pointer, lj, layer_keys, "a layer")))
        return ret;
    if (!json_object_get(lj, "type"))
        return fail_at(c, pointer, _("layer '%s': missing key 'type'"), l->name);
    if ((ret = get_word(c, pointer, lj, "type", types, &type)))
        return ret;
    l->type = (IgpLayerType)type;
    /* Reel overlays are drawn over the video: it is their only picture. */
    if (reel && l->type == IGP_LAYER_MEDIA)
        return fail_at(
            c, pointer,
            _("layer '%s': a reel template has no media layer (the video is the picture)"),
            l->name);
    if (!reel && l->type == IGP_LAYER_SUBTITLE)
        return fail_at(c, pointer, _("layer '%s': subtitle layers are for reel templates only"),
                       l->name);
    if (json_object_get(lj, "when")) {
        char *ptr = ptr_join(pointer, "when");
        ret = reel ? get_word(c, pointer, lj, "when", whens, &when)
                   : fail_at(c, ptr, _("layer '%s': 'when' is for reel templates only"), l->name);
        if (ret == 0 && l->type == IGP_LAYER_SUBTITLE && when != IGP_WHEN_ALWAYS)
            ret =
                fail_at(c, ptr, _("layer '%s': subtitles show whenever a cue is active; no 'when'"),
                        l->name);
        g_free(ptr);
        if (ret)
            return ret;
    }
    l->when = (IgpWhen)when;
    if ((ret = check_box(c, pointer, lj, l)) ||
        (ret = get_number(c, pointer, lj, "radius", 0, 2000, &l->radius)))
        return ret;
    switch (l->type) {
    case IGP_LAYER_MEDIA:
        return check_media(c, pointer, lj, l);
    case IGP_LAYER_SHAPE:
        return check_shape(c, pointer, lj, l);
    case IGP_LAYER_TEXT:
    case IGP_LAYER_SUBTITLE:
        return check_text(c, pointer, lj, l);
    default:
        return check_artwork(c, pointer, lj, l);
    }
}

static int check_canvas(const Checker *c, json_t *root)
{
    IgpTemplate *t = c->t;
    const char *canvas;
    int ret = get_string(c, "", root, "canvas", 1, &canvas);

    if (ret)
        return ret;
    for (size_t i = 0; i < G_N_ELEMENTS(canvases); i++) {
        if (!strcmp(canvas, canvases[i].name)) {
            t->canvas = g_strdup(canvas);
            t->width = canvases[i].width;
            t->height = canvases[i].height;
            memcpy(t->safe, canvases[i].safe, sizeof(t->safe));
            return 0;
        }
    }
    return fail_at(c, "/canvas",
                   _("unknown canvas '%s' (feed-4:5, feed-1:1, feed-1.91:1, story, reel-cover, "
                     "highlight-cover, reel)"),
                   canvas);
}

/* "pages", "story" and "video" name other templates: they must exist. */
static int check_template_ref(const Checker *c, const char *pointer, const char *name)
{
    char *file = name ? g_build_filename(c->templates_dir, name, IGP_TEMPLATE_FILE, NULL) : NULL;
    int ret = 0;

    if (name && (!*name || strchr(name, '/') || !g_file_test(file, G_FILE_TEST_IS_REGULAR)))
        ret = fail_at(c, pointer, _("no template '%s' in %s"), name, c->templates_dir);
    g_free(file);
    return ret;
}

static int check_root(const Checker *c, json_t *root)
{
    IgpTemplate *t = c->t;
    const char *s;
    double version = 0;
    json_t *layers;
    int ret;

    if (!json_is_object(root))
        return fail_at(c, "", _("a template must be a JSON object"));
    t->background = (IgpColor){1, 1, 1, 1};
    if ((ret = check_keys(c, "", root, root_keys, "a template")))
        return ret;
    if (!json_object_get(root, "version"))
        return fail_at(c, "", _("missing key 'version'"));
    if ((ret = get_number(c, "", root, "version", 0, 1e9, &version)))
        return ret;
    if (version != IGP_TEMPLATE_VERSION)
        return fail_at(c, "/version", _("unknown version %g (this igprep reads version %d)"),
                       version, IGP_TEMPLATE_VERSION);
    if ((ret = check_canvas(c, root)) || (ret = get_string(c, "", root, "description", 0, &s)) ||
        (ret = get_color(c, "", root, "background", &t->background)))
        return ret;
    t->description = g_strdup(s ? s : "");
    if ((ret = get_string(c, "", root, "pages", 0, &s)) ||
        (ret = check_template_ref(c, "/pages", s)))
        return ret;
    t->pages = g_strdup(s);
    if ((ret = get_string(c, "", root, "story", 0, &s)) ||
        (ret = check_template_ref(c, "/story", s)))
        return ret;
    t->story = g_strdup(s);
    if ((ret = get_string(c, "", root, "video", 0, &s)) ||
        (ret = check_template_ref(c, "/video", s)))
        return ret;
    if (s && igp_canvas_is_overlay(t->canvas))
        return fail_at(c, "/video", _("'video' is for photo templates: this one is for videos"));
    t->video = g_strdup(s);
    /* Reels: how long the title and end cards show. */
    t->title_seconds = t->end_seconds = 2.5;
    for (int i = 0; i < 2; i++) {
        const char *key = i ? "end_seconds" : "title_seconds";
        char *ptr = g_strdup_printf("/%s", key);
        if (json_object_get(root, key) && !igp_canvas_is_overlay(t->canvas))
            ret = fail_at(c, ptr, _("'%s' is for reel templates only"), key);
        else
            ret = get_number(c, "", root, key, 0, 30, i ? &t->end_seconds : &t->title_seconds);
        g_free(ptr);
        if (ret)
            return ret;
    }
    layers = json_object_get(root, "layers");
    if (!json_is_array(layers) || json_array_size(layers) == 0)
        return fail_at(c, layers ? "/layers" : "", _("'layers' must be a non-empty array"));
    t->layers = g_new0(IgpLayer, json_array_size(layers));
    for (size_t i = 0; i < json_array_size(layers); i++) {
        char *ptr = g_strdup_printf("/layers/%zu", i);
        t->n_layers++;
        ret = check_layer(c, ptr, json_array_get(layers, i), (int)i, &t->layers[i]);
        g_free(ptr);
        if (ret)
            return ret;
    }
    return 0;
}

int igp_template_load(const char *templates_dir, const char *name, IgpFonts *fonts,
                      IgpTemplate **out)
{
    IgpTemplate *t = g_new0(IgpTemplate, 1);
    char *text = NULL;
    size_t len = 0;
    json_error_t jerr;
    json_t *root = NULL;
    int ret = 0;

    t->name = g_strdup(name);
    t->subtitle_layer = -1;
    t->dir = g_build_filename(templates_dir, name, NULL);
    t->path = g_build_filename(t->dir, IGP_TEMPLATE_FILE, NULL);
    if (!*name || strchr(name, '/') || name[0] == '.' || name[0] == '_') {
        ret = igp_error(IGP_ERR_INVALIDDATA, "template", _("'%s' is not a template name"), name);
    } else if (igp_read_user_file(t->path, IGP_READ_JSON, &text, &len)) {
        ret = IGP_ERR_INVALIDDATA; /* the message names template.json */
    } else if (!(root = igp_json_parse_text(text, &len, &jerr))) {
        char *where = g_strdup_printf("%s:%d:%d", t->path, jerr.line, jerr.column);
        ret = igp_error(IGP_ERR_INVALIDDATA, where, _("template '%s': %s"), name, jerr.text);
        g_free(where);
    } else {
        PangoContext *ctx = igp_fonts_context(fonts);
        Checker c = {t->path, text, len, templates_dir, t, fonts, ctx};
        ret = check_root(&c, root);
        g_object_unref(ctx);
    }
    json_decref(root);
    g_free(text);
    if (ret) {
        igp_template_free(&t);
        return ret;
    }
    *out = t;
    return 0;
}

/* templates_dir/NAME/template.json as JSON, unchecked (read as compose
 * reads it: a regular file of bounded size); NULL when it cannot be read. */
static json_t *template_json(const char *templates_dir, const char *name)
{
    char *path = g_build_filename(templates_dir, name, IGP_TEMPLATE_FILE, NULL), *text = NULL;
    size_t len = 0;
    json_error_t jerr;
    json_t *root = NULL;

    if (!strchr(name, '/') && name[0] != '.' &&
        igp_read_user_file(path, IGP_READ_JSON, &text, &len) == 0)
        root = igp_json_parse_text(text, &len, &jerr);
    igp_error_clear(); /* the caller assumes the whole screen instead */
    g_free(text);
    g_free(path);
    return root;
}

double igp_template_story_scale(const char *templates_dir, const char *post_template, int w, int h)
{
    /* As compose: the post template's "story", else the default story. */
    json_t *post = post_template ? template_json(templates_dir, post_template) : NULL;
    const char *story = json_string_value(json_object_get(post, "story"));
    json_t *root = post_template && !post
                       ? NULL
                       : template_json(templates_dir, story ? story : IGP_STORY_TEMPLATE),
           *layer;
    double largest = -1;
    size_t i;

    json_array_foreach(json_object_get(root, "layers"), i, layer)
    {
        json_t *box = json_object_get(layer, "box");
        if (g_strcmp0(json_string_value(json_object_get(layer, "type")), "media"))
            continue;
        if (!json_is_number(json_array_get(box, 2)) || !json_is_number(json_array_get(box, 3))) {
            largest = -1; /* not a template compose would draw: do not guess */
            break;
        }
        largest = MAX(largest, MAX(json_number_value(json_array_get(box, 2)) / w,
                                   json_number_value(json_array_get(box, 3)) / h));
    }
    json_decref(root);
    json_decref(post);
    return largest;
}

void igp_template_free(IgpTemplate **pt)
{
    IgpTemplate *t = *pt;
    if (!t)
        return;
    for (int i = 0; i < t->n_layers; i++) {
        IgpLayer *l = &t->layers[i];
        g_free(l->name);
        g_free(l->pointer);
        g_free(l->text);
        g_free(l->font);
        g_free(l->file);
    }
    g_free(t->layers);
    g_free(t->name);
    g_free(t->dir);
    g_free(t->path);
    g_free(t->canvas);
    g_free(t->description);
    g_free(t->pages);
    g_free(t->story);
    g_free(t->video);
    g_free(t);
    *pt = NULL;
}

static gint compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

GPtrArray *igp_template_names(const char *templates_dir)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    GDir *dir = g_dir_open(templates_dir, 0, NULL);
    const char *name;

    while (dir && (name = g_dir_read_name(dir))) {
        char *file = g_build_filename(templates_dir, name, IGP_TEMPLATE_FILE, NULL);
        if (name[0] != '.' && name[0] != '_' && g_file_test(file, G_FILE_TEST_IS_REGULAR))
            g_ptr_array_add(names, g_strdup(name));
        g_free(file);
    }
    if (dir)
        g_dir_close(dir);
    g_ptr_array_sort(names, compare_names);
    return names;
}

int igp_canvas_is_overlay(const char *canvas)
{
    return canvas_of(canvas)->overlay;
}
