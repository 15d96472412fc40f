/**
 * @file
 * The frames of a video master, in order, with their time from the first
 * frame and (on request) as 8-bit RGB at a bounded size, with FFmpeg's
 * libraries. One frame in memory. (detect reads its masters this way.)
 */
#ifndef IGP_FRAMES_H
#define IGP_FRAMES_H

#include <stddef.h>
#include <stdint.h>

struct AVFormatContext;
struct AVCodecContext;
struct AVPacket;
struct AVFrame;
struct SwsContext;

typedef struct IgpFrameReader {
    const char *path;
    struct AVFormatContext *fmt;
    struct AVCodecContext *dec;
    struct AVPacket *pkt;
    struct AVFrame *frame;
    struct SwsContext *sws;
    int stream;
    int width, height; ///< the video's
    int out_w, out_h;  ///< the RGB frames'
    uint8_t *rgb;      ///< the current frame after igp_frame_reader_rgb(), rows of @c stride
    size_t stride;
    int64_t first_pts;
    int have_first, flushing;
    int index; ///< number of the current frame, from 0
    double fps;
    int64_t frames; ///< expected number of frames, for progress (0: unknown)
} IgpFrameReader;

/**
 * Open @p path (an upright master: one still needing a turn is refused); RGB
 * frames get a long side of at most @p max_side (0: full size).
 * @return 0 or an IGP_ERR naming the file; close it either way
 */
int igp_frame_reader_open(IgpFrameReader *r, const char *path, int max_side);

/** The next frame: 1 with @p t its time in seconds from the first frame, 0
 * at the end, or an IGP_ERR. */
int igp_frame_reader_next(IgpFrameReader *r, double *t);

/** The current frame as 8-bit RGB in r->rgb. */
int igp_frame_reader_rgb(IgpFrameReader *r);

void igp_frame_reader_close(IgpFrameReader *r);

#endif
