/**
 * @file
 * Photo operations on libvips images: decode for display, drop metadata,
 * crop around a focus point, and write JPEG atomically.
 */
#ifndef IGP_IMAGE_H
#define IGP_IMAGE_H

#include <stdint.h>

#include <vips/vips.h>

/** Refusal limits against decompression bombs and absurd inputs. */
typedef struct IgpImageLimits {
    int64_t max_pixels; ///< width × height of the source; default 210 MP (200 MP phone sensors)
} IgpImageLimits;

/** Fill @p limits with the defaults. */
void igp_image_default_limits(IgpImageLimits *limits);

/** IgpJpegSettings.subsample: the chroma of the picture's source, see
 *  igp_jpeg_settings_like(). */
#define IGP_SUBSAMPLE_LIKE_SOURCE (-1)

/** JPEG writer settings. */
typedef struct IgpJpegSettings {
    int quality;       ///< 1..100, default 90
    int subsample;     ///< 1: 4:2:0 chroma, 0: 4:4:4; default 1. IGP_SUBSAMPLE_LIKE_SOURCE is
                       ///< settled by igp_image_save_display_jpeg() and
                       ///< igp_redact_file_to_jpeg(); any other writer takes it as 4:4:4
    int64_t max_bytes; ///< lower quality in steps of 4 until the file fits; 0: no limit
    int optimize;     ///< optimised Huffman tables: a few % smaller, slower, more memory; default 1
    int restart_rows; ///< 1: a restart marker after every row of MCUs (masters:
                      ///< filters/jpegrows.h); default 0
} IgpJpegSettings;

void igp_jpeg_default_settings(IgpJpegSettings *s);

/**
 * A "postclose" handler that g_free()s @p pixels: connect it to an image made
 * with vips_image_new_from_memory() over them, which then owns them.
 */
void igp_image_free_on_close(VipsImage *image, gpointer pixels);

/**
 * @p image as a JPEG in memory (*@p data, g_free()), written as
 * igp_image_save_jpeg() writes files (its quality, chroma, tables and
 * restart markers; max_bytes is not applied). 0, or -1 with libvips' message.
 */
int igp_jpeg_save_buffer(VipsImage *image, const IgpJpegSettings *s, void **data, size_t *len);

/**
 * @p s (NULL: the defaults) with IGP_SUBSAMPLE_LIKE_SOURCE settled for a
 * picture decoded from @p source, as libvips loaded it (its metadata still
 * there): 4:2:0 when @p source is a JPEG with subsampled chroma, else
 * 4:4:4. A master re-encoded from a camera's 4:2:0 JPEG then keeps the
 * chroma the camera stored instead of storing it upsampled, which adds
 * nothing: a fifth less to decode, for every stage after scrub. (libvips
 * names 4:2:2 and 4:4:0 "4:2:0" too, and a subsampled CMYK JPEG "4:2:0:4":
 * their masters are 4:2:0, as every post is.) See docs/faces.md, "Masters
 * with their source's chroma".
 */
IgpJpegSettings igp_jpeg_settings_like(const IgpJpegSettings *s, VipsImage *source);

/**
 * Open a photo as it is meant to be seen: fully decoded and checked before
 * this returns (truncated or corrupt files fail here, the same way at any
 * libvips concurrency; large images are decoded to a temporary file), EXIF
 * orientation applied, converted to
 * 8-bit sRGB through its embedded ICC profile (untagged images are taken as
 * sRGB), alpha flattened onto white, and every metadata field removed.
 *
 * @param path    the source; only read
 * @param limits  refusal limits (NULL: defaults)
 * @param out     set on success to a new image the caller unrefs
 * @return 0, IGP_ERR_INVALIDDATA (corrupt, truncated), IGP_ERR_POLICY (over a limit)
 */
int igp_image_open_display(const char *path, const IgpImageLimits *limits, VipsImage **out);

/**
 * Remove every metadata item (EXIF, XMP, IPTC, ICC, orientation, comments,
 * format-specific fields) from @p image, in place. Pixels are untouched.
 */
void igp_image_drop_metadata(VipsImage *image);

/**
 * Encode @p image as a JPEG with no metadata at all to a temporary sibling of
 * @p path, then rename it into place. libvips computes pixels lazily, so a
 * damaged source is only discovered here: such errors name @p source.
 * @return 0, or an IGP_ERR; on error nothing is left at @p path or beside it.
 */
int igp_image_save_jpeg(VipsImage *image, const char *source, const char *path,
                        const IgpJpegSettings *settings);

/**
 * igp_image_open_display() of @p source, then igp_image_save_jpeg() of it to
 * @p path, with the same result, file and messages; but when the display
 * conversion works row by row and the picture fits in memory, the encode
 * runs while the source is still being decoded (once, in this thread, in
 * order, as igp_image_open_display() does), so two cores share the work.
 * @p width and @p height are set to the master's size on success.
 */
int igp_image_save_display_jpeg(const char *source, const IgpImageLimits *limits, const char *path,
                                const IgpJpegSettings *settings, int *width, int *height);

/** A JPEG encode running in a thread of its own: igp_jpeg_writer_start(). */
typedef struct IgpJpegWriter IgpJpegWriter;

/**
 * Start encoding @p image (a reference is taken) as igp_image_save_jpeg()
 * does, to a temporary sibling of @p path, in a thread of its own: its
 * pixels may still be being made by the caller (igp_row_feed_fill()).
 * NULL when no thread can be started (nothing was written).
 */
IgpJpegWriter *igp_jpeg_writer_start(VipsImage *image, const char *path,
                                     const IgpJpegSettings *settings);

/**
 * Wait for the encode to end and finish as igp_image_save_jpeg() does
 * (same messages, naming @p source or the file), or, when the caller's
 * pixels failed (@p source_error, its message already in the buffer),
 * remove the temporary file and return @p source_error. Frees @p writer.
 */
int igp_jpeg_writer_finish(IgpJpegWriter *writer, const char *source, int source_error);

/**
 * Read rectangles of the 8-bit picture in file @p path in one pass, top to
 * bottom, without holding the whole picture: @p out[i] becomes a memory
 * image of @p areas[i] shrunk by the integer factor @p shrink[i] (each pixel
 * the mean of shrink × shrink pixels; the last partial row and column are
 * dropped), or NULL for an empty area. Rows below the last area are not
 * decoded.
 * @return 0 or IGP_ERR_INVALIDDATA (message in the error buffer); on error
 * every @p out[i] is NULL
 */
int igp_image_read_areas(const char *path, const VipsRect *areas, const int *shrink, int n,
                         VipsImage **out);
/**
 * igp_image_read_areas() on @p image, already open (a file opened for a
 * sequential read, or pixels in memory); @p path names it in messages.
 */
int igp_image_read_areas_of(VipsImage *image, const char *path, const VipsRect *areas,
                            const int *shrink, int n, VipsImage **out);

/**
 * Report a failed libvips call: append "domain: what" to igprep's buffer and
 * clear libvips' buffer. libvips' own text is left out on purpose: its buffer
 * is shared by every thread of the process, so with --jobs it may hold
 * another worker's message, or lose this one, depending on timing.
 * Returns @p err.
 */
int igp_vips_error(int err, const char *domain, const char *what);

#endif
