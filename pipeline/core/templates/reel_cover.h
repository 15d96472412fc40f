/**
 * @file
 * A reel's cover JPEG and its next-day story, drawn from one redacted frame.
 */
#ifndef IGP_REEL_COVER_H
#define IGP_REEL_COVER_H

#include "manifest.h"
#include "stage.h"

#include <vips/vips.h>

/** The default cover template ("cover": {"template": ...} in the post chooses another). */
#define IGP_REEL_COVER_TEMPLATE "reel-cover"
/** Reel covers and stories: JPEG at most this large (instagram-specs.md §10). */
#define IGP_REEL_COVER_MAX_BYTES (8 * 1000 * 1000)

/**
 * Draw the post's cover (template "reel-cover", canvas reel-cover) from
 * @p frame and write it as a 1080×1920 JPEG of at most 8 MB, with no
 * metadata, atomically at @p cover_jpeg; and, when @p story_png is not NULL,
 * the next-day story (the post template's "story", default "story-announce")
 * as PNG at @p story_png. Its schedule is igp_next_day() of the post's
 * (postfill.h), as for photo posts.
 *
 * @param frame   the redacted full-size picture at "cover": {"at"} (sRGB 8-bit, upright)
 * @param faces   face boxes in @p frame pixels (hidden or cleared): the crop never cuts one
 *                (a face too far from the focus is left out whole, with a note)
 *
 * The crop is centred on the post's "cover": {"focus": [x, y]} (fractions of
 * the frame), else on its clip's "focus"; "cover": {"template": NAME} draws
 * another reel-cover template.
 * @return 0, or an IGP_ERR naming the post (nothing is left at either path)
 */
int igp_reel_cover_write(const IgpShoot *shoot, const IgpPost *post, VipsImage *frame,
                         const double (*faces)[4], int n_faces, const char *cover_jpeg,
                         const char *story_png);

#endif
