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

/** JPEG writer settings. */
typedef struct IgpJpegSettings {
    int quality;       ///< 1..100, default 90
    int subsample;     ///< 1: 4:2:0 chroma, 0: 4:4:4; default 1
    int64_t max_bytes; ///< lower quality in steps of 4 until the file fits; 0: no limit
    int optimize; ///< optimised Huffman tables: a few % smaller, slower, more memory; default 1
} IgpJpegSettings;

void igp_jpeg_default_settings(IgpJpegSettings *s);

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
