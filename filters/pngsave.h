/**
 * @file
 * PNG for igprep's own intermediate pictures (review sheets, composed
 * slides), written with libpng for speed: they are written once per photo
 * and read once or twice, so encoding time matters more than a few
 * percent of size.
 */
#ifndef IGP_PNGSAVE_H
#define IGP_PNGSAVE_H

#include <stddef.h>

#include <vips/vips.h>

/**
 * Encode @p image (8-bit, 3 bands) as a PNG in memory: zlib level 1 with
 * its run-length strategy after the "sub" filter, which on a grainy photo
 * is about twice as fast as libvips' pngsave at the same level and a few
 * percent smaller; no metadata chunks. *png is g_free()d by the caller.
 * Returns 0, or a negative IGP_ERR with the message set (@p what names the
 * picture in it).
 */
int igp_png_encode(VipsImage *image, const char *what, void **png, size_t *len);

#endif
