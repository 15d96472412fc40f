/**
 * @file
 * An independent JPEG structure reader for verification.
 *
 * It walks the marker segments of a file byte by byte with its own code,
 * sharing nothing with the writer (libvips / libjpeg), and reports what a
 * privacy and spec check needs: frame size, every segment that could carry
 * metadata, and bytes hidden after the end-of-image marker.
 */
#ifndef IGP_JPEGWALK_H
#define IGP_JPEGWALK_H

#include "findings.h"

#include <stdint.h>

typedef struct IgpJpegWalk {
    int width, height; ///< from the first SOF segment
    int components;    ///< 1 (grey), 3 (YCbCr), 4 (CMYK)
    int precision;     ///< bits per sample
    int progressive;   ///< SOF2
    int frames;        ///< SOF segments seen (more than 1: not a plain JPEG)
    int has_jfif;      ///< APP0 "JFIF"
    int has_icc;       ///< APP2 "ICC_PROFILE"
    char icc_description[96];
    int complete;           ///< reached EOI
    int64_t trailing_bytes; ///< bytes after EOI (motion photos, MPF images, junk)
    /** Segments that are not allowed in a clean file, e.g. "APP1 Exif (5120 bytes)". */
    IgpFindings found;
} IgpJpegWalk;

/**
 * Walk the JPEG at @p path.
 * @return 0 when the structure could be read to EOI (findings may still be
 *         present), IGP_ERR_INVALIDDATA when it is not a well-formed JPEG.
 */
int igp_jpeg_walk(const char *path, IgpJpegWalk *walk);

#endif
