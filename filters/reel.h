/**
 * @file
 * Rendering a reel or a story video: one decode of the scrubbed master, and in
 * that one pass the faces hidden on every frame, the full-size redacted master
 * written, the 9:16 window cropped and scaled, overlays blended, and the
 * result encoded to Instagram's targets (docs/video.md):
 *
 *   decode ─ normalise (HDR tone-map, BT.709, 8-bit) ─ hide faces ─┬─ master encoder
 *                                                                  └─ constant frame rate
 *          ─ crop window ─ scale 1080×1920 ─ overlay ─ H.264 High encoder
 *   audio  ─ trim ─ loudnorm (second pass, measured values) ─ AAC-LC 48 kHz stereo
 *
 * The pixel work between the two libavfilter graphs is igprep's own frame
 * loop, because the window and the faces change with every frame.
 */
#ifndef IGP_REEL_H
#define IGP_REEL_H

#include "redact.h"

#include <stdint.h>

#include <vips/vips.h>

/** Loudness of a range of audio, measured by loudnorm's first pass. */
typedef struct IgpLoudness {
    int has_audio;
    double input_i, input_tp, input_lra, input_thresh, target_offset;
} IgpLoudness;

/** Targets of EBU R128 normalisation (instagram-specs §10). */
#define IGP_REEL_LOUDNESS_I   -14.0
#define IGP_REEL_LOUDNESS_TP  -1.0
#define IGP_REEL_LOUDNESS_LRA 11.0

/**
 * Measure the loudness of @p source's audio between @p start and @p end
 * seconds (only audio is decoded). No audio: has_audio = 0 and success.
 */
int igp_reel_measure_loudness(const char *source, double start, double end, IgpLoudness *out);

/** What a video source is: read from its header. */
typedef struct IgpReelSource {
    int width, height;
    double duration;
    double fps; ///< average frame rate
    int hdr;    ///< HLG or PQ transfer
    int has_audio;
} IgpReelSource;

int igp_reel_probe(const char *source, IgpReelSource *out);

/** Picture over the output frames: premultiplied cairo ARGB32 at output size. */
typedef struct IgpReelOverlayImage {
    const uint8_t *argb;
    int width, height, stride;
    int x, y, w, h;  ///< bounding box of the pixels that are not transparent
    unsigned serial; ///< changes whenever the pixels change
} IgpReelOverlayImage;

/** Faces to hide at source time @p t (array owned by the callee, valid until the next call). */
typedef int (*IgpReelFacesFn)(void *opaque, double t, const IgpRedactFace **faces, int *n);

/** The overlay at post time @p t_post and source time @p t_source, or NULL. */
typedef const IgpReelOverlayImage *(*IgpReelOverlayFn)(void *opaque, double t_post,
                                                       double t_source);

/** Receives the hidden full-size picture at the cover time: @p rgb is 8-bit RGB. */
typedef int (*IgpReelCoverFn)(void *opaque, const uint8_t *rgb, int width, int height, int stride);

/** Called now and then with the fraction of the output done. */
typedef void (*IgpReelProgressFn)(void *opaque, double fraction);

/** One output file of a post (a reel, or one part of a story). */
typedef struct IgpReelJob {
    const char *source;     ///< the scrubbed master
    double start, end;      ///< source seconds this output shows
    double post_time;       ///< post time at @p start (story parts after the first: > 0)
    int fps;                ///< output frame rate (30; 24, 25, 50, 60 when asked)
    int width, height;      ///< output size (1080×1920)
    int crop_w, crop_h;     ///< the window, in source pixels
    const int (*window)[2]; ///< per output frame: the window's top-left corner
    int n_frames;           ///< output frames (and entries of @p window)
    int64_t maxrate;        ///< video bit rate cap, bits/s (buffer: twice that)
    int crf;
    const char *preset;
    IgpLoudness loudness; ///< from igp_reel_measure_loudness() over the whole post
    IgpReelFacesFn faces;
    void *faces_opaque;
    IgpReelOverlayFn overlay;
    void *overlay_opaque;
    double cover_at; ///< source seconds of the cover picture, or < 0
    IgpReelCoverFn cover;
    void *cover_opaque;
    IgpReelProgressFn progress;
    void *progress_opaque;
    const char *output;        ///< the output MP4 (temporary sibling, then renamed)
    const char *master_output; ///< the full-size redacted master, or NULL
    double master_end; ///< source seconds the master runs to (> end: a post in parts), or 0: end
} IgpReelJob;

/** What was written. */
typedef struct IgpReelResult {
    int frames;        ///< output video frames
    int master_frames; ///< frames in the master
    int silent;        ///< the source had no audio: a silent track was written
    int faces_hidden;  ///< face-frames hidden
} IgpReelResult;

/**
 * Render one output. Both files appear whole or not at all.
 * @return 0 or an IGP_ERR (message in the error buffer)
 */
int igp_reel_render(const IgpReelJob *job, IgpReelResult *result);

/**
 * A still of a video for proofs and contact sheets: the picture at
 * @p fraction of its length (0.5: the middle, past any title card), as an
 * 8-bit sRGB image in memory (unref it).
 */
int igp_reel_poster(const char *path, double fraction, VipsImage **out);

/** Does @p path name a video igprep wrote (".mp4")? */
int igp_is_video_file(const char *path);

/**
 * The 9:16 (or @p out_w:@p out_h) window for a @p src_w × @p src_h source:
 * the largest that fits, even sizes. Never a border.
 */
void igp_reel_window_size(int src_w, int src_h, int out_w, int out_h, int *crop_w, int *crop_h);

/**
 * Window positions that follow @p centres (per frame, source pixels, NaN
 * where nothing is of interest: the fallback is used), smoothed so the
 * window glides instead of jumping, kept inside the picture.
 */
void igp_reel_window_path(const double (*centres)[2], int n, double fps, const double fallback[2],
                          int src_w, int src_h, int crop_w, int crop_h, int (*window)[2]);

#endif
