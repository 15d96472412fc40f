/* pngsave: fast PNG for igprep's intermediate pictures (pngsave.h). */
#include "pngsave.h"

#include "error.h"
#include "i18n.h"
#include "image.h"

#include <errno.h>
#include <setjmp.h>
#include <string.h>

#include <glib.h>
#include <png.h>
#include <zlib.h>

static void append_bytes(png_structp png, png_bytep data, png_size_t len)
{
    g_byte_array_append(png_get_io_ptr(png), data, (guint)len);
}

static void no_flush(png_structp png)
{
    (void)png;
}

/* libpng's own handlers print to stderr: a failure here is reported once,
 * by the caller, naming the picture; a warning is not for the user. */
static void png_failed(png_structp png, png_const_charp message)
{
    (void)message;
    png_longjmp(png, 1);
}

static void png_warned(png_structp png, png_const_charp message)
{
    (void)png, (void)message;
}

/* Write @p rows (@p height of them, each @p width RGB pixels) into @p out.
 * libpng reports errors by longjmp: nothing here owns memory across it. */
static int write_rows(png_structp png, png_infop info, GByteArray *out, png_bytep *rows, int width,
                      int height)
{
    if (setjmp(png_jmpbuf(png)))
        return -1;
    png_set_write_fn(png, out, append_bytes, no_flush);
    png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_SUB);
    png_set_compression_level(png, 1);
    png_set_compression_strategy(png, Z_RLE);
    png_write_info(png, info);
    png_write_image(png, rows);
    png_write_end(png, NULL);
    return 0;
}

int igp_png_encode(VipsImage *image, const char *what, void **png_out, size_t *len)
{
    size_t size = 0;
    guint8 *pixels = NULL;
    png_bytep *rows = NULL;
    png_structp png = NULL;
    png_infop info = NULL;
    GByteArray *out = g_byte_array_new();
    int ret = 0;

    *png_out = NULL, *len = 0;
    if (image->Bands != 3 || image->BandFmt != VIPS_FORMAT_UCHAR)
        ret = igp_error(IGP_ERR_LIBRARY, what, _("cannot write PNG: not 8-bit RGB"));
    else if (!(pixels = vips_image_write_to_memory(image, &size)))
        ret = igp_vips_error(IGP_ERR_LIBRARY, what, _("cannot write PNG"));
    else if (!(png =
                   png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, png_failed, png_warned)) ||
             !(info = png_create_info_struct(png)))
        ret = igp_error(IGP_ERR(ENOMEM), what, _("cannot write PNG"));
    if (ret == 0) {
        rows = g_new(png_bytep, image->Ysize);
        for (int y = 0; y < image->Ysize; y++)
            rows[y] = pixels + (size_t)y * image->Xsize * 3;
        if (write_rows(png, info, out, rows, image->Xsize, image->Ysize))
            ret = igp_error(IGP_ERR_LIBRARY, what, _("cannot write PNG"));
    }
    if (png)
        png_destroy_write_struct(&png, info ? &info : NULL);
    g_free(rows);
    g_free(pixels);
    if (ret == 0) {
        *len = out->len;
        *png_out = g_byte_array_free(out, FALSE);
    } else {
        g_byte_array_free(out, TRUE);
    }
    return ret;
}
