/**
 * @file
 * Post templates: one folder per template under templates/, holding
 * template.json and its SVG/PNG artwork (see docs/templates.md).
 *
 * Loading checks the whole template before anything is drawn: JSON syntax,
 * keys, types, layer types, fonts (bundled families only, and every literal
 * character covered), artwork files, boxes inside the canvas and inside the
 * canvas's safe zone. Every message is "FILE:LINE:COLUMN: what".
 *
 * igp_template_render() (compose.c) draws a template filled with a post's
 * text and pictures.
 */
#ifndef IGP_TEMPLATE_H
#define IGP_TEMPLATE_H

#include "render.h"

#include <jansson.h>
#include <vips/vips.h>

#define IGP_TEMPLATE_FILE    "template.json"
#define IGP_TEMPLATE_VERSION 1
/** Artwork shared by all templates (the logo) lives in templates/_shared. */
#define IGP_TEMPLATE_SHARED "_shared"

/** The next-day story's template when the post's template names none (or it has none). */
#define IGP_STORY_TEMPLATE "story-announce"

typedef enum IgpLayerType {
    IGP_LAYER_MEDIA,
    IGP_LAYER_SHAPE,
    IGP_LAYER_TEXT,
    IGP_LAYER_LOGO,
    IGP_LAYER_STICKER,
    IGP_LAYER_SUBTITLE, ///< reel templates: where and how subtitles are drawn
} IgpLayerType;

/** Reel templates: when a layer is shown. */
typedef enum IgpWhen {
    IGP_WHEN_ALWAYS, ///< the whole reel (default)
    IGP_WHEN_TITLE,  ///< the opening title card: the first title_seconds
    IGP_WHEN_END,    ///< the end card: the last end_seconds
} IgpWhen;

/** The mask bit of a IgpWhen, for IgpTemplateFill.when. */
#define IGP_WHEN_BIT(w) (1u << (w))

typedef struct IgpLayer {
    IgpLayerType type;
    char *name;    ///< for messages: the layer's "name", or "layer N"
    char *pointer; ///< JSON pointer of the layer, e.g. "/layers/2"
    double box[4]; ///< x, y, w, h in canvas pixels
    double radius; ///< rounded corners (media, shape)
    /* media */
    int slot;       ///< which of the slide's pictures (0: the slide's own)
    double keep[4]; ///< faces and focus must land inside this canvas rectangle
    /* shape */
    int ellipse;
    IgpColor fill;
    int gradient; ///< fill is a linear gradient from fill to fill_to
    IgpColor fill_to;
    char direction; ///< gradient: 'd'own, 'u'p, 'r'ight, 'l'eft
    /* text */
    char *text;   ///< with {placeholders}
    int markup;   ///< text is pango markup (substituted values are escaped)
    int optional; ///< skip the layer when a placeholder has no value
    IgpTextStyle style;
    char *font; ///< owned string behind style.font
    /* logo, sticker */
    char *file; ///< resolved path of the artwork
    int is_svg;
    /* reel templates */
    IgpWhen when; ///< when the layer is shown
} IgpLayer;

typedef struct IgpTemplate {
    char *name;
    char *dir;         ///< templates/<name>
    char *path;        ///< templates/<name>/template.json
    char *canvas;      ///< "feed-4:5", "story", "reel-cover", ...
    char *description; ///< what the template is for, "" when not given
    int width, height;
    double safe[4]; ///< where text and logos must stay (the canvas when no UI covers it)
    IgpColor background;
    char *pages; ///< carousel: the template of slides 2 and later, or NULL
    char *story; ///< the next-day story's template, or NULL (IGP_STORY_TEMPLATE)
    char *video; ///< the overlay template used instead for a video (story-basic), or NULL
    IgpLayer *layers;
    int n_layers;
    int n_slots; ///< pictures the template takes (highest media slot + 1)
    /* reel templates (canvas "reel"): overlays drawn over the video */
    double title_seconds; ///< how long the title card shows (default 2.5)
    double end_seconds;   ///< how long the end card shows (default 2.5)
    int subtitle_layer;   ///< index of the subtitle layer, or -1
} IgpTemplate;

/** Where templates/ and fonts/ are: $IGPREP_DATA, else the source tree igprep was built from. */
const char *igp_data_dir(void);

/** The templates folder: $IGPREP_TEMPLATES, else DATA/templates. Caller g_free()s. */
char *igp_templates_dir(void);

/**
 * The fonts of the templates in @p templates_dir: TEMPLATES/fonts or
 * TEMPLATES/../fonts when it holds a fonts.conf (a template set made by
 * `igprep template export` carries its own), else DATA/fonts. Caller g_free()s.
 */
char *igp_template_fonts_dir(const char *templates_dir);

/** The fonts folder of igp_templates_dir() (igp_template_fonts_dir()). Caller g_free()s. */
char *igp_fonts_dir(void);

/**
 * Load and check templates_dir/NAME/template.json.
 * @return 0, or IGP_ERR_INVALIDDATA with "path:line:column: what" (first problem)
 */
int igp_template_load(const char *templates_dir, const char *name, IgpFonts *fonts,
                      IgpTemplate **out);
void igp_template_free(IgpTemplate **t);

/**
 * How many times its size a @p w × @p h photo is shown at most in the
 * next-day story of a post drawn with template @p post_template (NULL: a
 * post without one): the largest of its story template's media boxes,
 * each filled by the photo cropped to the box's shape. Read from the
 * template.json files unchecked (compose checks them). A negative value
 * when the story template cannot be read or its boxes make no sense: the
 * caller then assumes the whole screen.
 */
double igp_template_story_scale(const char *templates_dir, const char *post_template, int w, int h);

/** The names of the template folders (those with a template.json), sorted. */
GPtrArray *igp_template_names(const char *templates_dir);

/** Canvas size of a canvas name; returns 0 or -1 for an unknown name. */
int igp_canvas_size(const char *canvas, int *width, int *height);

/** Is @p canvas drawn over a video frame by frame ("reel")? */
int igp_canvas_is_overlay(const char *canvas);

/** One picture placed into a media slot. */
typedef struct IgpSlotPicture {
    VipsImage *image; ///< the displayed picture (a master)
    /** The file @c image was opened from, when each layer that draws it
     *  should read it again top to bottom (a master: never decoded whole,
     *  so memory does not grow with the camera's resolution), or NULL:
     *  draw from @c image (pixels already in memory). */
    const char *reread;
    const char *name;   ///< for messages
    double focus[2];    ///< fractions of the picture
    double (*faces)[4]; ///< face boxes in the picture's pixels (hidden or cleared)
    int n_faces;
} IgpSlotPicture;

/** What fills a template. */
typedef struct IgpTemplateFill {
    json_t *text; ///< object: placeholder name -> string
    const IgpSlotPicture *pictures;
    int n_pictures;
    int guides;       ///< draw the safe zone and boxes (previews only)
    const char *what; ///< for messages, e.g. "post 'feed-01'"
    /** When not NULL, every media slot drawn appends {"media": its picture's
     * name, "crop": [x, y, w, h] in the picture, "box": [x, y, w, h] on the
     * canvas}, so that verify can find each face on the slide. */
    json_t *placements;
    /* Reel overlays (canvas "reel"). */
    unsigned when;        ///< IGP_WHEN_BIT()s of the layers to draw; 0: every layer
    int transparent;      ///< start from a transparent canvas, not the background
    const char *subtitle; ///< the subtitle layer's text (plain), or NULL: none
} IgpTemplateFill;

/**
 * Draw @p t filled with @p fill on a new opaque surface. Text is fitted;
 * a text that does not fit, a missing glyph or a face that cannot be kept
 * in its slot is an error naming the template, the box and the text.
 * Legibility problems (contrast under 4.5:1 without a backing shape) are
 * logged as warnings.
 */
int igp_template_render(const IgpTemplate *t, IgpFonts *fonts, PangoContext *ctx,
                        const IgpTemplateFill *fill, cairo_surface_t **out);

/**
 * The cover-fit crop of a @p src_w × @p src_h picture for a @p box_w × @p box_h
 * slot: the largest crop of the slot's shape, centred on the focus as far as
 * possible, moved so that every face box and the focus land inside @p keep
 * (slot pixels: x, y, w, h). When not every face can, the smallest faces are
 * left out one by one, each entirely: no face is ever cut by the crop's edge.
 * @return the number of faces left out (0: all kept), or -1 when no crop
 *         keeps the focus without cutting a face
 */
int igp_cover_crop(int src_w, int src_h, double box_w, double box_h, const double focus[2],
                   double (*faces)[4], int n_faces, const double keep[4], double crop[4]);

#endif
