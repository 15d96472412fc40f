/* frames: the decoded frames of a video master, one at a time (frames.h). */
#include "frames.h"

#include "error.h"
#include "video.h"
#include "i18n.h"

#include <math.h>
#include <string.h>

#include <glib.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <libswscale/swscale.h>

/* swscale writes whole SIMD blocks: its last row may run past the
 * picture's end, so the RGB buffer has this much room beyond it. */
#define SWS_SLACK 256

static int av_fail(int averr, const char *domain, const char *what)
{
    igp_av_error(averr, domain, what); /* the message, FFmpeg's reason in the user's words */
    return averr == AVERROR_INVALIDDATA ? IGP_ERR_INVALIDDATA : IGP_ERR_LIBRARY;
}

void igp_frame_reader_close(IgpFrameReader *r)
{
    avcodec_free_context(&r->dec);
    avformat_close_input(&r->fmt);
    av_packet_free(&r->pkt);
    av_frame_free(&r->frame);
    sws_freeContext(r->sws);
    r->sws = NULL;
    g_clear_pointer(&r->rgb, g_free);
}

int igp_frame_reader_open(IgpFrameReader *r, const char *path, int max_side)
{
    const AVCodec *codec;
    const uint8_t *matrix;
    AVStream *st;
    AVRational rate;
    double scale;
    int ret;

    memset(r, 0, sizeof(*r));
    r->path = path;
    r->index = -1;
    if ((ret = avformat_open_input(&r->fmt, path, NULL, NULL)) < 0)
        return av_fail(ret, path, _("cannot open master"));
    if ((ret = avformat_find_stream_info(r->fmt, NULL)) < 0)
        return av_fail(ret, path, _("cannot read master"));
    r->stream = av_find_best_stream(r->fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (r->stream < 0)
        return igp_error(IGP_ERR_INVALIDDATA, path, _("master has no video stream"));
    st = r->fmt->streams[r->stream];
    for (unsigned i = 0; i < r->fmt->nb_streams; i++)
        if ((int)i != r->stream)
            r->fmt->streams[i]->discard = AVDISCARD_ALL;
    /* Boxes are in upright pixels: a master still needing a turn is wrong. */
    matrix = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, NULL);
    if (matrix && lround(av_display_rotation_get((const int32_t *)matrix)) % 360 != 0)
        return igp_error(IGP_ERR_INVALIDDATA, path, _("master is not upright (display matrix)"));
    if (!(codec = avcodec_find_decoder(st->codecpar->codec_id)))
        return igp_error(IGP_ERR_UNSUPPORTED, path, _("no decoder for the master"));
    if (!(r->dec = avcodec_alloc_context3(codec)) || !(r->pkt = av_packet_alloc()) ||
        !(r->frame = av_frame_alloc()))
        return IGP_ERR(ENOMEM);
    if ((ret = avcodec_parameters_to_context(r->dec, st->codecpar)) < 0)
        return av_fail(ret, path, _("cannot set up decoder"));
    r->dec->pkt_timebase = st->time_base;
    r->dec->thread_count = 2;
    if ((ret = avcodec_open2(r->dec, codec, NULL)) < 0)
        return av_fail(ret, path, _("cannot open decoder"));
    r->width = st->codecpar->width, r->height = st->codecpar->height;
    if (r->width <= 0 || r->height <= 0)
        return igp_error(IGP_ERR_INVALIDDATA, path, _("master has no frame size"));
    scale = max_side > 0 ? MIN(1.0, (double)max_side / MAX(r->width, r->height)) : 1.0;
    r->out_w = MAX(2, (int)lround(r->width * scale));
    r->out_h = MAX(2, (int)lround(r->height * scale));
    r->stride = (size_t)r->out_w * 3;
    /* swscale writes whole SIMD blocks: its last row may run past the
     * picture's end, so the buffer has room for that. */
    r->rgb = g_malloc(r->stride * r->out_h + SWS_SLACK);
    rate = st->avg_frame_rate.num > 0 && st->avg_frame_rate.den > 0 ? st->avg_frame_rate
                                                                    : st->r_frame_rate;
    r->fps = rate.num > 0 && rate.den > 0 ? av_q2d(rate) : 30;
    r->frames = st->nb_frames > 0      ? st->nb_frames
                : r->fmt->duration > 0 ? (int64_t)(r->fmt->duration * r->fps / AV_TIME_BASE)
                                       : 0;
    return 0;
}

int igp_frame_reader_next(IgpFrameReader *r, double *t)
{
    for (;;) {
        int ret = avcodec_receive_frame(r->dec, r->frame);
        if (ret == 0) {
            int64_t pts = r->frame->best_effort_timestamp;
            r->index++;
            if (pts == AV_NOPTS_VALUE) {
                *t = r->index / r->fps;
            } else {
                if (!r->have_first)
                    r->first_pts = pts, r->have_first = 1;
                *t = MAX(0, (pts - r->first_pts) * av_q2d(r->fmt->streams[r->stream]->time_base));
            }
            return 1;
        }
        if (ret == AVERROR_EOF || (ret == AVERROR(EAGAIN) && r->flushing))
            return 0;
        if (ret != AVERROR(EAGAIN))
            return av_fail(ret, r->path, _("cannot decode master"));
        ret = av_read_frame(r->fmt, r->pkt);
        if (ret == AVERROR_EOF) {
            r->flushing = 1;
            avcodec_send_packet(r->dec, NULL);
            continue;
        }
        if (ret < 0)
            return av_fail(ret, r->path, _("cannot read master"));
        ret = r->pkt->stream_index == r->stream ? avcodec_send_packet(r->dec, r->pkt) : 0;
        av_packet_unref(r->pkt);
        if (ret < 0)
            return av_fail(ret, r->path, _("cannot decode master"));
    }
}

int igp_frame_reader_rgb(IgpFrameReader *r)
{
    AVFrame *f = r->frame;
    uint8_t *dst[4] = {r->rgb, NULL, NULL, NULL};
    int dst_stride[4] = {(int)r->stride, 0, 0, 0};

    if (f->width != r->width || f->height != r->height)
        return igp_error(IGP_ERR_INVALIDDATA, r->path, _("frame %d is %dx%d, not %dx%d"), r->index,
                         f->width, f->height, r->width, r->height);
    r->sws = sws_getCachedContext(r->sws, f->width, f->height, f->format, r->out_w, r->out_h,
                                  AV_PIX_FMT_RGB24, SWS_AREA, NULL, NULL, NULL);
    if (!r->sws)
        return igp_error(IGP_ERR_LIBRARY, r->path, _("cannot convert frames to RGB"));
    sws_scale(r->sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height, dst, dst_stride);
    return 0;
}
