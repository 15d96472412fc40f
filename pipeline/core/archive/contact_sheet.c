/* The archive's contact sheet: see contact_sheet.h. */
#include "contact_sheet.h"
#include "reel.h"

#include "error.h"
#include "i18n.h"
#include "image.h"
#include "leakcheck.h"
#include "render.h"
#include "template.h"

#include <stdint.h>
#include <string.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <vips/vips.h>

void igp_sheet_item_free(gpointer p)
{
    SheetItem *s = p;
    g_free(s->post_id);
    g_free(s->caption);
    g_free(s->image);
    g_free(s->order);
    g_free(s);
}

#define PAGE_W    595.276 /* A4 in points */
#define PAGE_H    841.890
#define MARGIN    36.0
#define HEADER    34.0
#define COLUMNS   3
#define ROWS      4
#define THUMB_BOX 150.0 /* points; thumbnails are made at twice this for print */
/* The bundled Japanese-capable face (as the deletion report): shoot names,
 * captions and the labels may be Japanese, which the system's sans-serif
 * may lack. */
#define FONT "BIZ UDPGothic"

typedef struct Sheet {
    cairo_t *cr;
    PangoContext *ctx;
} Sheet;

static cairo_status_t append_bytes(void *closure, const unsigned char *data, unsigned int len)
{
    g_byte_array_append(closure, data, len);
    return CAIRO_STATUS_SUCCESS;
}

/* A thumbnail of @p path as a cairo image, made by libvips. */
static int thumbnail_surface(const char *path, int box, cairo_surface_t **out)
{
    VipsImage *thumb = NULL, *srgb = NULL, *rgb = NULL;
    unsigned char *px;
    size_t len;
    int ret = 0;

    VipsImage *poster = NULL; /* videos: one still from the middle */

    if (igp_is_video_file(path) && (ret = igp_reel_poster(path, 0.5, &poster)) != 0)
        goto done;
    if ((poster ? vips_thumbnail_image(poster, &thumb, box, "height", box, NULL)
                : vips_thumbnail(path, &thumb, box, "height", box, NULL)) ||
        vips_colourspace(thumb, &srgb, VIPS_INTERPRETATION_sRGB, NULL) ||
        vips_extract_band(srgb, &rgb, 0, "n", 3, NULL)) {
        ret = igp_vips_error(IGP_ERR_LIBRARY, path, _("cannot make thumbnail"));
        goto done;
    }
    if (!(px = vips_image_write_to_memory(rgb, &len))) {
        ret = igp_vips_error(IGP_ERR_LIBRARY, path, _("cannot make thumbnail"));
        goto done;
    }
    *out = igp_surface_from_pixels(px, rgb->Xsize, rgb->Ysize, 3, CAIRO_FORMAT_RGB24, 0);
    g_free(px);
done:
    if (poster)
        g_object_unref(poster);
    if (thumb)
        g_object_unref(thumb);
    if (srgb)
        g_object_unref(srgb);
    if (rgb)
        g_object_unref(rgb);
    return ret;
}

/* Centred text that shrinks to fit @p width. */
static PangoLayout *label_layout(const Sheet *sh, const char *text, double size)
{
    PangoLayout *l = pango_layout_new(sh->ctx);
    PangoFontDescription *font = pango_font_description_from_string(FONT);

    pango_font_description_set_absolute_size(font, size * PANGO_SCALE);
    pango_layout_set_font_description(l, font);
    pango_font_description_free(font);
    pango_layout_set_text(l, text, -1);
    return l;
}

/* One line of text whose baseline is at @p y, starting at @p x, or centred
 * on @p x when @p centred; shrinks to fit @p width. */
static void draw_text(const Sheet *sh, const char *text, double x, double y, double width,
                      double size, int centred)
{
    PangoLayout *l = label_layout(sh, text, size);
    PangoRectangle ink, logical;
    double w;

    pango_layout_get_extents(l, &ink, &logical);
    w = (double)logical.width / PANGO_SCALE;
    if (w > width) {
        g_object_unref(l);
        l = label_layout(sh, text, size * width / w);
        pango_layout_get_extents(l, &ink, &logical);
        w = (double)logical.width / PANGO_SCALE;
    }
    cairo_move_to(sh->cr, centred ? x - w / 2 : x,
                  y - (double)pango_layout_get_baseline(l) / PANGO_SCALE);
    pango_cairo_show_layout(sh->cr, l);
    g_object_unref(l);
}

static void draw_label(const Sheet *sh, const char *text, double cx, double y, double width,
                       double size)
{
    draw_text(sh, text, cx, y, width, size, 1);
}

static int draw_cell(const Sheet *sh, const SheetItem *item, double x, double y, double cell_w)
{
    cairo_t *cr = sh->cr;
    cairo_surface_t *thumb = NULL;
    double box_x = x + (cell_w - THUMB_BOX) / 2, scale = 0.5;
    int w, h, ret = thumbnail_surface(item->image, (int)(THUMB_BOX / scale), &thumb);

    if (ret)
        return ret;
    w = cairo_image_surface_get_width(thumb);
    h = cairo_image_surface_get_height(thumb);
    cairo_save(cr);
    cairo_translate(cr, box_x + (THUMB_BOX - w * scale) / 2, y + (THUMB_BOX - h * scale));
    cairo_scale(cr, scale, scale);
    cairo_set_source_surface(cr, thumb, 0, 0);
    cairo_paint(cr);
    cairo_restore(cr);
    cairo_surface_destroy(thumb);
    cairo_set_source_rgb(cr, 0, 0, 0);
    draw_label(sh, item->post_id, x + cell_w / 2, y + THUMB_BOX + 13, cell_w - 6, 9.5);
    cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
    draw_label(sh, item->caption, x + cell_w / 2, y + THUMB_BOX + 24, cell_w - 6, 6.5);
    return 0;
}

static void draw_header(const Sheet *sh, const IgpSheetInfo *bag, int page, int pages)
{
    char *title = g_strdup_printf(_("%s — period %s — bagged %s — page %d/%d"), bag->name,
                                  bag->period, bag->date, page, pages);
    cairo_set_source_rgb(sh->cr, 0, 0, 0);
    draw_text(sh, title, MARGIN, MARGIN + 12, PAGE_W - 2 * MARGIN, 11, 0);
    g_free(title);
}

static gint compare_sheet(gconstpointer a, gconstpointer b)
{
    return strcmp((*(SheetItem *const *)a)->order, (*(SheetItem *const *)b)->order);
}

/* The PDF's only date is the Bagging-Date: cairo would otherwise stamp the
 * wall-clock time and two exports of the same inputs would differ. */
static void set_pdf_metadata(cairo_surface_t *surface, const IgpSheetInfo *bag)
{
    char *when = g_strdup_printf("%sT00:00:00Z", bag->date);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, bag->name);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "igprep archive");
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, when);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_MOD_DATE, when);
    g_free(when);
}

int igp_contact_sheet(GPtrArray *sheet, const IgpSheetInfo *bag, GBytes **out)
{
    GByteArray *pdf = g_byte_array_new();
    cairo_surface_t *surface =
        cairo_pdf_surface_create_for_stream(append_bytes, pdf, PAGE_W, PAGE_H);
    cairo_t *cr = cairo_create(surface);
    char *fonts_dir = igp_fonts_dir();
    IgpFonts *fonts = NULL;
    Sheet sh = {cr, NULL};
    const double cell_w = (PAGE_W - 2 * MARGIN) / COLUMNS;
    const double cell_h = (PAGE_H - 2 * MARGIN - HEADER) / ROWS;
    const int per_page = COLUMNS * ROWS;
    const int pages = ((int)sheet->len + per_page - 1) / per_page;
    cairo_status_t status;
    int ret = 0;

    set_pdf_metadata(surface, bag);
    ret = igp_fonts_open(fonts_dir, &fonts);
    g_free(fonts_dir);
    if (ret == 0) {
        sh.ctx = igp_fonts_context(fonts);
        pango_cairo_update_context(cr, sh.ctx);
    }
    g_ptr_array_sort(sheet, compare_sheet);
    for (guint i = 0; i < sheet->len && ret == 0; i++) {
        int slot = (int)i % per_page;
        if (slot == 0 && i > 0)
            cairo_show_page(cr);
        if (slot == 0)
            draw_header(&sh, bag, (int)i / per_page + 1, pages);
        ret = draw_cell(&sh, sheet->pdata[i], MARGIN + (slot % COLUMNS) * cell_w,
                        MARGIN + HEADER + (slot / COLUMNS) * cell_h, cell_w);
    }
    if (sh.ctx)
        g_object_unref(sh.ctx);
    cairo_destroy(cr);
    /* cairo 1.16 loses a block per subset font here (see proof.c). */
    igp_leakcheck_pause();
    cairo_surface_finish(surface);
    igp_leakcheck_resume();
    status = cairo_surface_status(surface);
    cairo_surface_destroy(surface);
    igp_fonts_free(&fonts);
    if (ret == 0 && status != CAIRO_STATUS_SUCCESS)
        ret = igp_error(IGP_ERR_LIBRARY, "archive", _("cairo cannot write index.pdf: %s"),
                        cairo_status_to_string(status));
    if (ret) {
        g_byte_array_free(pdf, TRUE);
        return ret;
    }
    *out = g_byte_array_free_to_bytes(pdf);
    return 0;
}
