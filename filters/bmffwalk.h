/**
 * @file
 * An independent ISO base media file (MP4, MOV, HEIF, AVIF) box reader for
 * verification. It reports what a privacy and spec check needs: where moov
 * is, edit lists, the tracks and their handlers, and every box that can carry
 * metadata (udta, meta keys and items, XMP uuid, Exif and XMP items of HEIF
 * files, non-zero creation times).
 */
#ifndef IGP_BMFFWALK_H
#define IGP_BMFFWALK_H

#include "findings.h"

#include <stdint.h>

typedef struct IgpBmffWalk {
    int moov_before_mdat; ///< 'moov' comes before the first 'mdat' (fast start)
    int has_moov, has_mdat;
    int edit_lists; ///< 'elst' boxes
    int video_tracks, audio_tracks, other_tracks;
    IgpFindings found;
} IgpBmffWalk;

/** @return 0, or IGP_ERR_INVALIDDATA when the boxes do not fit the file */
int igp_bmff_walk(const char *path, IgpBmffWalk *walk);

#endif
