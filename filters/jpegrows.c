/* jpegrows: a JPEG with a restart marker after every row of MCUs, as rows. */
#include "jpegrows.h"

#include "image.h"

#include <string.h>

#include <glib/gstdio.h>

/* JPEG markers (ITU-T T.81, table B.1). */
enum {
    SOF0 = 0xC0, /* baseline DCT */
    DHT = 0xC4,
    RST0 = 0xD0,
    SOI = 0xD8,
    EOI = 0xD9,
    SOS = 0xDA,
    DQT = 0xDB,
    DRI = 0xDD,
};

static int get16(const uint8_t *p)
{
    return p[0] << 8 | p[1];
}

/* The frame header (SOF0 segment at @p seg, @p n bytes): size and the MCU's
 * height; its components go into rows->coding. */
static int read_frame(const uint8_t *seg, size_t n, IgpJpegRows *rows, int *mcus_per_row)
{
    int components, hmax = 1, vmax = 1;

    if (n < 8 || seg[0] != 8) /* 8-bit samples */
        return 1;
    rows->height = get16(seg + 1), rows->width = get16(seg + 3), components = seg[5];
    if (rows->height == 0 || rows->width == 0 || (components != 1 && components != 3) ||
        n != 6 + 3 * (size_t)components)
        return 1;
    for (int c = 0; c < components; c++) {
        int h = seg[7 + 3 * c] >> 4, v = seg[7 + 3 * c] & 15;
        if (h < 1 || h > 4 || v < 1 || v > 4)
            return 1;
        /* (A scan of one component codes it in 8×8 blocks, whatever its factors.) */
        if (components > 1)
            hmax = MAX(hmax, h), vmax = MAX(vmax, v);
    }
    g_string_append_len(rows->coding, (const char *)seg + 5, (gssize)n - 5);
    rows->components = components;
    rows->mcu_height = 8 * vmax;
    *mcus_per_row = (rows->width + 8 * hmax - 1) / (8 * hmax);
    rows->n_rows = (rows->height + rows->mcu_height - 1) / rows->mcu_height;
    return 0;
}

/* The markers from SOI to the scan: a baseline frame, its tables, a restart
 * interval of one row of MCUs and one scan of every component. */
static int read_header(IgpJpegRows *rows)
{
    const uint8_t *d = rows->data;
    size_t pos = 2;
    int mcus_per_row = 0, interval = 0, frame = 0;

    if (rows->len < 4 || d[0] != 0xFF || d[1] != SOI)
        return 1;
    for (;;) {
        int marker, n;
        if (pos + 4 > rows->len || d[pos] != 0xFF)
            return 1;
        marker = d[pos + 1], n = get16(d + pos + 2);
        if (n < 2 || pos + 2 + (size_t)n > rows->len)
            return 1;
        if (marker == SOF0) {
            rows->sof = pos;
            if (frame++ || read_frame(d + pos + 4, (size_t)n - 2, rows, &mcus_per_row))
                return 1;
        } else if (marker >= 0xC1 && marker <= 0xCF && marker != DHT && marker != 0xC8 &&
                   marker != 0xCC) {
            return 1; /* progressive, lossless, arithmetic: not what igprep writes */
        } else if (marker == DRI) {
            if (n != 4)
                return 1;
            interval = get16(d + pos + 4);
        }
        if (marker == DQT || marker == DHT || marker == SOS)
            g_string_append_len(rows->coding, (const char *)d + pos, n + 2);
        pos += 2 + (size_t)n;
        if (marker == SOS) {
            /* One scan holding every component of the frame (its length:
             * 6 bytes and 2 per component). */
            int scan_components = n >= 3 ? d[pos - (size_t)n + 2] : 0;
            if (!frame || interval != mcus_per_row || scan_components != rows->components ||
                n != 6 + 2 * scan_components)
                return 1;
            rows->scan = pos;
            return 0;
        }
    }
}

/* Split the entropy-coded data at its restart markers: one row each, the
 * markers in order (RST0..RST7, again and again), EOI after the last. In the
 * data a 0xFF byte is followed by 0x00 (a coded 0xFF) or by a marker. */
static int split_rows(IgpJpegRows *rows)
{
    const uint8_t *d = rows->data, *end = d + rows->len, *p = d + rows->scan;
    int row = 0;

    rows->row_start = g_new(size_t, rows->n_rows);
    rows->row_len = g_new(size_t, rows->n_rows);
    rows->row_start[0] = rows->scan;
    while ((p = memchr(p, 0xFF, (size_t)(end - p))) && p + 1 < end) {
        size_t at = (size_t)(p - d);
        if (p[1] == 0x00) {
            p += 2;
            continue;
        }
        rows->row_len[row] = at - rows->row_start[row];
        if (p[1] == EOI)
            return row == rows->n_rows - 1 && p + 2 == end ? 0 : 1;
        if (p[1] != RST0 + row % 8 || ++row >= rows->n_rows)
            return 1; /* another marker, or one out of order or too many */
        rows->row_start[row] = at + 2;
        p += 2;
    }
    return 1; /* no EOI */
}

int igp_jpeg_rows_parse(const uint8_t *data, size_t len, IgpJpegRows *rows)
{
    memset(rows, 0, sizeof(*rows));
    rows->data = data, rows->len = len;
    rows->coding = g_string_new(NULL);
    return read_header(rows) || split_rows(rows);
}

void igp_jpeg_rows_clear(IgpJpegRows *rows)
{
    if (rows->coding)
        g_string_free(rows->coding, TRUE);
    g_free(rows->row_start);
    g_free(rows->row_len);
    memset(rows, 0, sizeof(*rows));
}

int igp_jpeg_rows_same_coding(const IgpJpegRows *a, const IgpJpegRows *b)
{
    return a->width == b->width && a->mcu_height == b->mcu_height &&
           a->coding->len == b->coding->len &&
           !memcmp(a->coding->str, b->coding->str, a->coding->len);
}

/* Append rows [first, end) of @p r, each but the last followed by its
 * restart marker, counted from @p counted (the rows before it in the file). */
static void append_rows(GByteArray *out, const IgpJpegRows *r, int first, int end, int counted,
                        int last_in_file)
{
    for (int i = first; i < end; i++, counted++) {
        g_byte_array_append(out, r->data + r->row_start[i], (guint)r->row_len[i]);
        if (counted != last_in_file) {
            const uint8_t marker[2] = {0xFF, (uint8_t)(RST0 + counted % 8)};
            g_byte_array_append(out, marker, 2);
        }
    }
}

static void append_eoi(GByteArray *out)
{
    const uint8_t eoi[2] = {0xFF, EOI};

    g_byte_array_append(out, eoi, 2);
}

GByteArray *igp_jpeg_rows_cut(const IgpJpegRows *r, int first, int end)
{
    GByteArray *out = g_byte_array_sized_new(
        (guint)(r->scan + r->row_start[end - 1] + r->row_len[end - 1] - r->row_start[first]));
    int height = MIN(r->height, end * r->mcu_height) - first * r->mcu_height;

    g_byte_array_append(out, r->data, (guint)r->scan);
    out->data[r->sof + 5] = (uint8_t)(height >> 8), out->data[r->sof + 6] = (uint8_t)height;
    append_rows(out, r, first, end, 0, end - first - 1);
    append_eoi(out);
    return out;
}

GByteArray *igp_jpeg_rows_replace(const IgpJpegRows *r, int first, const IgpJpegRows *with,
                                  int n_with)
{
    GByteArray *out = g_byte_array_sized_new((guint)r->len);
    int row = first;

    g_byte_array_append(out, r->data, (guint)r->scan);
    append_rows(out, r, 0, first, 0, r->n_rows - 1);
    for (int i = 0; i < n_with; row += with[i].n_rows, i++)
        append_rows(out, &with[i], 0, with[i].n_rows, row, r->n_rows - 1);
    append_rows(out, r, row, r->n_rows, row, r->n_rows - 1);
    append_eoi(out);
    return out;
}

/* ---- Decoding in bands ---- */

#define LOAD_BANDS 2
/* Pictures up to this many bytes (decoded, at the shrink asked for: a 12 MP
 * picture's 36 MB, as redact and verify hold one) are decoded in bands into
 * memory; larger ones are left to the usual way, which reads a picture as
 * it decodes, so that memory stays flat with the camera's resolution. */
#define LOAD_IN_MEMORY_MAX (40 * 1024 * 1024)
/* The file is read whole and each band copied out of it: files up to this
 * size only (a 24 MP master is about 10 MB), so that a 50 MP master does not
 * cost its file three times over. */
#define LOAD_FILE_MAX (16 * 1024 * 1024)
/* Rows of pixels a band copies out of libvips at a time. */
#define LOAD_STRIP 64

/* One band of rows of MCUs, decoded on a thread of its own straight into
 * its part of the picture's buffer. */
typedef struct Band {
    GByteArray *cut; ///< the band as a JPEG of its own, context rows included
    int shrink;
    int width, bands; ///< what the band must decode to
    int skip, rows;   ///< rows of pixels of the cut: those to pass over, then those to keep
    guint8 *dest;     ///< where the rows kept go
    int failed;
} Band;

static int decode_band_rows(Band *b)
{
    if (b->rows == 0)
        return 0;
    VipsImage *image = vips_image_new_from_buffer(
        b->cut->data, b->cut->len, "", "shrink", b->shrink, "access", VIPS_ACCESS_SEQUENTIAL, NULL);
    VipsRegion *region = NULL;
    size_t row_bytes = (size_t)b->width * b->bands;
    int failed = !image || image->Xsize != b->width || image->Bands != b->bands ||
                 image->BandFmt != VIPS_FORMAT_UCHAR || image->Ysize < b->skip + b->rows;

    if (!failed)
        region = vips_region_new(image);
    for (int y = 0; !failed && y < b->rows; y += LOAD_STRIP) {
        VipsRect strip = {0, b->skip + y, b->width, MIN(LOAD_STRIP, b->rows - y)};
        failed = vips_region_prepare(region, &strip) != 0;
        for (int k = 0; !failed && k < strip.height; k++)
            memcpy(b->dest + (size_t)(y + k) * row_bytes,
                   VIPS_REGION_ADDR(region, 0, strip.top + k), row_bytes);
    }
    if (region)
        g_object_unref(region);
    if (image)
        g_object_unref(image);
    if (failed)
        vips_error_clear(); /* (the caller decodes the usual way, which says why) */
    return failed;
}

static gpointer decode_band_thread(gpointer data)
{
    Band *b = data;

    b->failed = decode_band_rows(b);
    vips_thread_shutdown();
    return NULL;
}

/* The size libvips gives the whole file at @p shrink (from its header). */
static int shrunk_size(const void *data, size_t len, int shrink, int *width, int *height)
{
    VipsImage *header = vips_image_new_from_buffer(data, len, "", "shrink", shrink, NULL);

    if (!header) {
        vips_error_clear();
        return 1;
    }
    *width = header->Xsize, *height = header->Ysize;
    g_object_unref(header);
    return 0;
}

/* Set up band @p i of the pixel rows [top, bottom) of the shrunk picture. */
static Band band_of(const IgpJpegRows *rows, int shrink, int width, int top, int bottom, int i,
                    guint8 *pixels)
{
    int unit = rows->mcu_height / shrink; /* pixels of a row of MCUs */
    int first_row = top / unit, end_row = (bottom + unit - 1) / unit;
    int first = first_row + (end_row - first_row) * i / LOAD_BANDS;
    int end = first_row + (end_row - first_row) * (i + 1) / LOAD_BANDS;
    int context = MAX(0, first - 1);
    int y0 = MAX(top, first * unit), y1 = MIN(bottom, end * unit);

    if (first >= end) /* fewer rows of MCUs than bands */
        return (Band){NULL, shrink, width, rows->components, 0, 0, pixels, 0};
    return (Band){igp_jpeg_rows_cut(rows, context, MIN(rows->n_rows, end + 1)),
                  shrink,
                  width,
                  rows->components,
                  y0 - context * unit,
                  MAX(0, y1 - y0),
                  pixels + (size_t)(y0 - top) * width * rows->components,
                  0};
}

guint8 *igp_jpeg_rows_decode(const void *data, size_t len, int shrink, int top, int *width,
                             int *height, int *bands)
{
    IgpJpegRows rows = {0};
    Band band[LOAD_BANDS] = {{0}};
    GThread *threads[LOAD_BANDS] = {0};
    guint8 *pixels = NULL;
    int failed = 0, full_height = 0, bottom;

    if (igp_jpeg_rows_parse(data, len, &rows) || shrink < 1 || rows.mcu_height % shrink ||
        shrunk_size(data, len, shrink, width, &full_height) || top < 0 || top >= full_height) {
        igp_jpeg_rows_clear(&rows);
        return NULL;
    }
    bottom = *height > 0 ? MIN(full_height, top + *height) : full_height;
    *height = bottom - top, *bands = rows.components;
    if ((size_t)*width * full_height * *bands > LOAD_IN_MEMORY_MAX) {
        igp_jpeg_rows_clear(&rows);
        return NULL;
    }
    pixels = g_malloc((size_t)*width * *height * *bands);
    for (int i = 0; i < LOAD_BANDS; i++) {
        band[i] = band_of(&rows, shrink, *width, top, bottom, i, pixels);
        if (i > 0)
            threads[i] = g_thread_try_new("igp-jpeg-band", decode_band_thread, &band[i], NULL);
    }
    for (int i = 0; i < LOAD_BANDS; i++)
        if (!threads[i])
            band[i].failed = decode_band_rows(&band[i]);
    for (int i = 0; i < LOAD_BANDS; i++) {
        if (threads[i])
            g_thread_join(threads[i]);
        failed |= band[i].failed;
        if (band[i].cut)
            g_byte_array_unref(band[i].cut);
    }
    igp_jpeg_rows_clear(&rows);
    if (failed)
        g_clear_pointer(&pixels, g_free);
    return pixels;
}

VipsImage *igp_jpeg_rows_load_buffer(const void *data, size_t len, int shrink, int top, int height)
{
    int width, bands;
    guint8 *pixels = igp_jpeg_rows_decode(data, len, shrink, top, &width, &height, &bands);
    VipsImage *out;

    if (!pixels)
        return NULL;
    out = vips_image_new_from_memory(pixels, (size_t)width * height * bands, width, height, bands,
                                     VIPS_FORMAT_UCHAR);
    if (!out) {
        vips_error_clear();
        g_free(pixels);
        return NULL;
    }
    g_signal_connect(out, "postclose", G_CALLBACK(igp_image_free_on_close), pixels);
    out->Type = bands == 1 ? VIPS_INTERPRETATION_B_W : VIPS_INTERPRETATION_sRGB;
    return out;
}

/* The file @p path in memory, when it is at most LOAD_FILE_MAX bytes. */
static char *read_small_file(const char *path, size_t *len)
{
    GStatBuf st;
    char *data = NULL;

    if (g_stat(path, &st) == 0 && st.st_size <= LOAD_FILE_MAX &&
        g_file_get_contents(path, &data, len, NULL))
        return data;
    return NULL;
}

guint8 *igp_jpeg_rows_decode_file(const char *path, int shrink, int top, int *width, int *height,
                                  int *bands)
{
    size_t len = 0;
    char *data = read_small_file(path, &len);
    guint8 *pixels =
        data ? igp_jpeg_rows_decode(data, len, shrink, top, width, height, bands) : NULL;

    g_free(data);
    return pixels;
}

VipsImage *igp_jpeg_rows_load(const char *path, int shrink, int top, int height)
{
    size_t len = 0;
    char *data = read_small_file(path, &len);
    VipsImage *rows = data ? igp_jpeg_rows_load_buffer(data, len, shrink, top, height) : NULL;

    g_free(data);
    return rows;
}
