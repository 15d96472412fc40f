/**
 * @file
 * Drawing primitives for templates, with cairo, pango and librsvg: the
 * bundled fonts (and only those), Japanese text fitted into a box, glyph
 * coverage, WCAG contrast, SVG and PNG artwork, and conversion between
 * libvips images and cairo surfaces.
 *
 * Fonts: igp_fonts_open() builds a fontconfig configuration from
 * fonts/fonts.conf alone (never the system's), and every pango font map made
 * from it sees exactly the bundled files. A family that is not bundled, or a
 * character the chosen font lacks, is an error: pango would otherwise pick
 * another font silently. The one exception is emoji: a character the chosen
 * font lacks and the bundled colour emoji font (IGP_EMOJI_FAMILY) has is
 * drawn from it, in colour, as captions show emoji.
 *
 * Sizes are in canvas pixels throughout (pango runs at 72 dpi, so a point is
 * a pixel).
 */
#ifndef IGP_RENDER_H
#define IGP_RENDER_H

#include <stdint.h>

#include <cairo.h>
#include <pango/pangocairo.h>
#include <vips/vips.h>

/** The bundled colour emoji font's family (fonts/NotoColorEmoji.ttf). */
#define IGP_EMOJI_FAMILY "Noto Color Emoji"

/** The bundled fonts: a fontconfig configuration shared by all threads. */
typedef struct IgpFonts IgpFonts;

/**
 * Load FONTS_DIR/fonts.conf (and nothing else) and scan its fonts.
 * @return 0, or IGP_ERR_INVALIDDATA when the file is missing or names no font
 */
int igp_fonts_open(const char *fonts_dir, IgpFonts **out);
void igp_fonts_free(IgpFonts **fonts);

/** Is @p family (case-insensitive) one of the bundled families? */
int igp_fonts_has_family(const IgpFonts *fonts, const char *family);

/** The bundled families, ", "-joined, for messages. */
const char *igp_fonts_families(const IgpFonts *fonts);

/**
 * A pango context over the bundled fonts only, Japanese, 72 dpi, no hinting.
 * Pango objects are not thread-safe: make one per thread. Unref when done.
 */
PangoContext *igp_fonts_context(IgpFonts *fonts);

/** An RGBA colour, each 0..1. */
typedef struct IgpColor {
    double r, g, b, a;
} IgpColor;

/** Parse "#rgb", "#rrggbb" or "#rrggbbaa". Returns 0 or -1. */
int igp_color_parse(const char *s, IgpColor *out);

typedef enum IgpVAlign { IGP_VALIGN_TOP, IGP_VALIGN_MIDDLE, IGP_VALIGN_BOTTOM } IgpVAlign;

/** How a text box draws its text. */
typedef struct IgpTextStyle {
    const char *font;          ///< pango description without size, e.g. "BIZ UDPGothic Bold"
    double size_min, size_max; ///< auto-fit range, pixels
    int max_lines;
    PangoAlignment align;
    IgpVAlign valign;
    double line_spacing; ///< line height as a factor of the size; 0: the font's own
    IgpColor color;
    double outline_width; ///< 0: none
    IgpColor outline;
    double shadow_dx, shadow_dy; ///< shadow offset; shadow.a 0: none
    IgpColor shadow;
} IgpTextStyle;

/** A fitted text: what igp_text_draw() needs. */
typedef struct IgpTextFit {
    double size;  ///< chosen size, pixels
    int lines;    ///< lines at that size
    double width; ///< logical extent, pixels
    double height;
} IgpTextFit;

/**
 * Check that the bundled family of @p style->font draws every character of
 * @p markup (pango markup; plain text when @p is_markup is 0) with its own
 * glyphs. Names the first missing character as "'X' (U+XXXX)".
 * @return 0, or IGP_ERR_INVALIDDATA (unknown family, bad markup, missing glyph)
 */
int igp_text_check_glyphs(PangoContext *ctx, const IgpFonts *fonts, const IgpTextStyle *style,
                          const char *markup, int is_markup);

/**
 * The largest whole-pixel size in [size_min, size_max] at which the text fits
 * a @p box_w × @p box_h box within max_lines lines, broken by pango's
 * Japanese line breaking (kinsoku: no line starts with 。、」 or small kana).
 * @return 0, or IGP_ERR_INVALIDDATA when it does not fit even at size_min
 *         (the message gives the lines and height needed)
 */
int igp_text_fit(PangoContext *ctx, const IgpTextStyle *style, const char *markup, int is_markup,
                 double box_w, double box_h, IgpTextFit *fit);

/** Draw a fitted text into the box at (@p x, @p y), with its outline or shadow. */
void igp_text_draw(cairo_t *cr, PangoContext *ctx, const IgpTextStyle *style, const char *markup,
                   int is_markup, double x, double y, double box_w, double box_h,
                   const IgpTextFit *fit);

/** WCAG 2 relative luminance of an sRGB colour (0..1 channels). */
double igp_relative_luminance(double r, double g, double b);

/** WCAG 2 contrast ratio of two relative luminances, 1..21. */
double igp_contrast_ratio(double l1, double l2);

/**
 * Mean relative luminance of the pixels of an opaque ARGB32 surface inside a
 * rectangle (clipped to the surface).
 */
double igp_surface_mean_luminance(cairo_surface_t *surface, int x, int y, int w, int h);

/**
 * Draw an SVG file into a box with librsvg, keeping its aspect ratio,
 * centred. @return 0 or IGP_ERR_INVALIDDATA naming the file
 */
int igp_svg_draw(cairo_t *cr, const char *path, double x, double y, double w, double h);

/** Check that an SVG file can be read. @return 0 or IGP_ERR_INVALIDDATA naming the file */
int igp_svg_check(const char *path);

/** Draw a PNG file into a box, keeping its aspect ratio, centred. */
int igp_png_draw(cairo_t *cr, const char *path, double x, double y, double w, double h);

/** An opaque ARGB32 surface from an 8-bit sRGB (3 or 4 band) image. */
int igp_surface_from_vips(VipsImage *image, cairo_surface_t **out);

/**
 * A cairo surface of @p format (CAIRO_FORMAT_ARGB32 or CAIRO_FORMAT_RGB24)
 * from packed 8-bit RGB or RGBA rows: the one place pixels cross from
 * libvips to cairo. With @p keep_alpha and 4 bands the alpha is kept (the
 * colours premultiplied, as cairo wants); otherwise the surface is opaque.
 * Check cairo_surface_status() of the result.
 */
cairo_surface_t *igp_surface_from_pixels(const uint8_t *px, int width, int height, int bands,
                                         cairo_format_t format, int keep_alpha);

/** An 8-bit sRGB 3-band image from an (opaque) ARGB32 surface. */
int igp_vips_from_surface(cairo_surface_t *surface, VipsImage **out);

/** Write a surface as PNG atomically (temporary sibling, fsync, rename). */
int igp_surface_save_png(cairo_surface_t *surface, const char *path);

#endif
