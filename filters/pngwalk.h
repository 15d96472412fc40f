/**
 * @file
 * An independent PNG chunk reader for verification: dimensions, and every
 * chunk that can carry metadata (tEXt, zTXt, iTXt, eXIf, tIME, unknown
 * ancillary chunks) or data hidden after IEND.
 */
#ifndef IGP_PNGWALK_H
#define IGP_PNGWALK_H

#include "findings.h"

#include <stdint.h>

typedef struct IgpPngWalk {
    int width, height;
    int bit_depth, colour_type;
    int64_t trailing_bytes;
    int64_t exif_offset; ///< where the first eXIf chunk's data starts, 0 if none
    uint32_t exif_len;
    IgpFindings found;
} IgpPngWalk;

/** @return 0 when the chunks could be read to IEND, IGP_ERR_INVALIDDATA otherwise */
int igp_png_walk(const char *path, IgpPngWalk *walk);

#endif
