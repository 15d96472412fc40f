/* jpegrows: a baseline JPEG with a restart marker after every row of MCUs
 * (igprep's masters: IgpJpegSettings.restart_rows), seen as rows of MCUs that
 * can be cut out, or replaced, as they are coded: no decode, no re-encode.
 *
 * A restart marker resets the decoder (DC predictions, bit buffer), so each
 * row of MCUs between two markers is coded on its own. redact uses this to
 * re-encode only the rows of the faces it hides and copy every other row of
 * the master byte for byte (docs/faces.md, "Redaction"); detect and redact
 * decode such a file in two bands at once, on two threads, where libjpeg
 * alone decodes a file on one. */
#ifndef IGP_JPEGROWS_H
#define IGP_JPEGROWS_H

#include <stddef.h>
#include <stdint.h>

#include <glib.h>
#include <vips/vips.h>

typedef struct IgpJpegRows {
    const uint8_t *data; ///< the whole file (not owned)
    size_t len;
    size_t sof;      ///< offset of the SOF0 marker
    size_t scan;     ///< offset of the first entropy-coded byte, after the SOS segment
    GString *coding; ///< every DQT, DHT and SOS segment and the frame's components, as they are
    int width, height;
    int components;              ///< 1 (grey) or 3 (colour)
    int mcu_height;              ///< pixels in a row of MCUs
    int n_rows;                  ///< rows of MCUs: restart intervals
    size_t *row_start, *row_len; ///< each row's entropy-coded bytes, without its marker
} IgpJpegRows;

/**
 * Read @p data (@p len bytes, kept by the caller while @p rows is used) as
 * rows: 0, or 1 when it is not a baseline, single-scan JPEG with a restart
 * marker after every row of MCUs (no message: the caller takes another way).
 * igp_jpeg_rows_clear() @p rows in both cases.
 */
int igp_jpeg_rows_parse(const uint8_t *data, size_t len, IgpJpegRows *rows);

void igp_jpeg_rows_clear(IgpJpegRows *rows);

/** Can rows of @p b stand in for rows of @p a: the same width, components, tables and scan. */
int igp_jpeg_rows_same_coding(const IgpJpegRows *a, const IgpJpegRows *b);

/** A JPEG of rows [@p first, @p end) of @p r alone, its height cut to theirs. */
GByteArray *igp_jpeg_rows_cut(const IgpJpegRows *r, int first, int end);

/**
 * @p r with its rows from @p first on replaced by all the rows of @p with[0],
 * then of @p with[1], ... (@p n_with of them; each
 * igp_jpeg_rows_same_coding() as @p r, and together they must fit in it).
 */
GByteArray *igp_jpeg_rows_replace(const IgpJpegRows *r, int first, const IgpJpegRows *with,
                                  int n_with);

/**
 * Rows [@p top, @p top + @p height) of the JPEG in memory (@p len bytes at
 * @p data; @p height 0: to the bottom), decoded shrunk by @p shrink (1, 2,
 * 4 or 8: libjpeg's own scaling, as libvips' jpegload "shrink", the rows
 * counted in the shrunk picture), in two bands on two threads, when it has
 * a restart marker after every row of MCUs: only the rows of MCUs they lie
 * in are decoded. Each band is decoded with a row of MCUs more on each
 * side, so that every pixel is the one a decode of the whole file gives
 * (chroma is upsampled from the rows around it). NULL, with no message,
 * when it is not such a JPEG, when the whole picture at that shrink is more
 * than 40 MiB (memory stays flat with the camera's resolution) or when a
 * band does not decode:
 * the caller decodes it the usual way, which reports what is wrong.
 */
VipsImage *igp_jpeg_rows_load_buffer(const void *data, size_t len, int shrink, int top, int height);

/** igp_jpeg_rows_load_buffer() of the file @p path, if it is at most 16 MiB. */
VipsImage *igp_jpeg_rows_load(const char *path, int shrink, int top, int height);

/**
 * igp_jpeg_rows_load_buffer()'s pixels alone (g_free()): @p width ×
 * *@p height pixels (*@p height in: the rows wanted, 0 for all; out: the
 * rows given) of @p bands bytes (1: grey, 3: RGB), rows one after the
 * other. Each band's decode holds only a strip of rows besides.
 */
guint8 *igp_jpeg_rows_decode(const void *data, size_t len, int shrink, int top, int *width,
                             int *height, int *bands);

/** igp_jpeg_rows_decode() of the file @p path, if it is at most 16 MiB. */
guint8 *igp_jpeg_rows_decode_file(const char *path, int shrink, int top, int *width, int *height,
                                  int *bands);

#endif
