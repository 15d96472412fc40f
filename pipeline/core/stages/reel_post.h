/**
 * @file
 * encode, videos: reels and story videos (docs/video.md). One pass per output
 * file over the scrubbed master (filters/reel.h): the faces of every track
 * not cleared hidden on every frame, the 9:16 window following the faces,
 * overlays from the post's template, Instagram's encode targets; the
 * full-size redacted master written in the same pass.
 */
#ifndef IGP_REEL_POST_H
#define IGP_REEL_POST_H

#include "stage.h"

#include <jansson.h>

/** What the encode stage hands to each video post. */
typedef struct IgpReelContext {
    const IgpShoot *shoot;
    const char *style;        ///< --style over faces.json's, or NULL
    const char *stickers_dir; ///< where a face's "sticker" artwork is looked for
} IgpReelContext;

/**
 * Make the post's files in OUT/posts/<id>/ (whole folder or nothing):
 * <id>.mp4 (story videos over 60 s: <id>-01.mp4, ...), a reel's
 * <id>-cover.jpg; OUT/composed/<id>-story.png for the next-day story;
 * OUT/reports/reels/<id>.json (the source moment and window of every frame).
 *
 * @param media      state/redact.json "media" (the video's entry: kind "video",
 *                   source_master, faces, style)
 * @param master_out the redacted master to write in the same pass, or NULL;
 *                   not written when no face is to be hidden
 * @param entry      receives "files", "outputs", "story", "frames_report", and
 *                   "master_written": true when @p master_out was written
 * @return 0 or an IGP_ERR naming the post
 */
int igp_reel_post_encode(const IgpReelContext *ctx, const IgpPost *post, json_t *media,
                         const char *master_out, json_t *entry);

#endif
