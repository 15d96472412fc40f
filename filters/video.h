/**
 * @file
 * Video scrubbing: decode a phone clip and encode a new one from its pixels
 * and samples alone, with FFmpeg's libraries.
 *
 * Nothing of the source container is copied: no global or stream metadata,
 * no chapters, no data, subtitle, attachment or timecode tracks, no
 * creation times. Exactly one video stream (the display-matrix rotation
 * applied to the pixels) and at most one audio stream are written.
 */
#ifndef IGP_VIDEO_H
#define IGP_VIDEO_H

#include <stdint.h>

/** Refusal limits for video sources. */
typedef struct IgpVideoLimits {
    double max_duration; ///< seconds; default 3600
    int max_streams;     ///< streams in the container; default 32
    int64_t max_pixels;  ///< width × height of a frame; default 8192 × 8192
} IgpVideoLimits;

void igp_video_default_limits(IgpVideoLimits *limits);

/** What the scrubbed master looks like. */
typedef struct IgpVideoInfo {
    int width, height; ///< after rotation
    int rotation;      ///< degrees applied to the pixels: 0, 90, 180, 270
    int bit_depth;     ///< 8 or 10
    int has_audio;
    double duration;     ///< seconds
    int dropped_streams; ///< streams of the source not carried over
} IgpVideoInfo;

/**
 * Re-encode @p source into an MP4 master at @p path (H.264, same size after
 * rotation, same bit depth, CRF 16; AAC 192 kb/s, at most stereo), written to
 * a temporary sibling and renamed into place.
 *
 * @param info filled on success (may be NULL)
 * @return 0, IGP_ERR_INVALIDDATA (unreadable, truncated), IGP_ERR_POLICY
 *         (over a limit), IGP_ERR_UNSUPPORTED (no video stream), or another
 *         IGP_ERR; on error nothing is left at @p path or beside it
 */
int igp_video_scrub(const char *source, const char *path, const IgpVideoLimits *limits,
                    IgpVideoInfo *info);

/**
 * Check a video against the limits from its header alone (no decoding).
 * @return 0, IGP_ERR_INVALIDDATA or IGP_ERR_POLICY with a message
 */
int igp_video_check_limits(const char *source, const IgpVideoLimits *limits);

/**
 * Report a libav* error code: IGP_ERR_INVALIDDATA for bad data, else
 * IGP_ERR_LIBRARY, with "@p what: <libav's words>" in the error buffer.
 */
int igp_av_error(int averr, const char *domain, const char *what);

struct AVCodecContext;

/** x264's frame threads for encoders with no VBV cap (the masters): what its
 *  automatic choice was on two processors, now the same on every machine. */
#define IGP_X264_THREADS 3

/**
 * Settle what a libx264 encoder's bytes would otherwise depend on besides
 * its frames and options (docs/video.md, "Same bytes every run"): a fixed
 * number of threads (x264's output depends on it, so it must not follow the
 * processor count), and no AVX-512 code (x264 0.164's AVX-512 MB-tree code
 * reads memory it never wrote: the bytes changed with what the process had
 * freed before). Call before avcodec_open2().
 *
 * @param threads x264's frame threads; 1 for any encoder with a VBV cap:
 *        its rate control reads the sizes of the frames other threads are
 *        still encoding, so the bytes would depend on their timing
 */
void igp_x264_deterministic(struct AVCodecContext *enc, int threads);

#endif
