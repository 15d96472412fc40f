/* Shared between the parts of the reel renderer (reel.c, reel_audio.c,
 * reel_pixels.c); not for other code. */
#ifndef IGP_REEL_INTERNAL_H
#define IGP_REEL_INTERNAL_H

#include "reel.h"

#include <libavcodec/avcodec.h>
#include <libavfilter/avfilter.h>
#include <libavformat/avformat.h>

/** Open a video file and read its stream parameters. */
int igp_reel_open_input(const char *source, AVFormatContext **in);

/** Open a decoder for @p st (threads: one per processor). */
int igp_reel_open_decoder(const char *source, const AVStream *st, AVCodecContext **dec);

/**
 * abuffer → trim to [start, end] from zero → stereo → @p chain → abuffersink,
 * for frames of @p dec with timestamps in @p time_base.
 */
int igp_reel_audio_graph(AVFilterGraph **graph, AVFilterContext **src, AVFilterContext **sink,
                         const AVCodecContext *dec, AVRational time_base, double start, double end,
                         const char *chain);

/** loudnorm's second pass with the measured values ("anull" for silence); g_free() it. */
char *igp_reel_loudnorm_chain(const IgpLoudness *loudness);

/** Hide @p face in a yuv420p frame (BT.709, limited range), in place. */
int igp_reel_redact_frame(AVFrame *frame, const IgpRedactFace *face);

/** An overlay converted to the output's YUV once, blended on many frames. */
typedef struct IgpYuvOverlay {
    unsigned serial;
    int valid;
    int x, y, w, h;                         ///< even-aligned box on the frame
    uint8_t *y_premul, *y_alpha;            ///< w × h
    uint8_t *u_premul, *v_premul, *c_alpha; ///< w/2 × h/2
} IgpYuvOverlay;

/** Convert @p img (premultiplied ARGB32) unless @p ov already holds that serial. */
int igp_reel_overlay_prepare(IgpYuvOverlay *ov, const IgpReelOverlayImage *img);

/** Blend @p ov over a yuv420p frame. */
void igp_reel_overlay_blend(const IgpYuvOverlay *ov, AVFrame *frame);

void igp_reel_overlay_release(IgpYuvOverlay *ov);

/** The frame as packed 8-bit RGB (g_free() the buffer). */
uint8_t *igp_reel_frame_rgb(const AVFrame *frame, int *stride);

#endif
