/* The reel renderer: see reel.h for the shape of the one pass. */
#include "reel_internal.h"

#include "error.h"
#include "i18n.h"
#include "fsutil.h"
#include "video.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

enum {
    AUDIO_RATE = 48000,
    AUDIO_BITRATE = 128000,
    MASTER_CRF = 18,
    KEYFRAME_SECONDS = 2,
    B_FRAMES = 2,
};

/* The window holds still while the faces' centre stays within this share of
 * its width (height) of where it looks. */
#define STEADY_ZONE 0.10

int igp_reel_open_input(const char *source, AVFormatContext **in)
{
    int ret = avformat_open_input(in, source, NULL, NULL);
    if (ret < 0)
        return igp_av_error(ret, source, _("cannot open video"));
    if ((ret = avformat_find_stream_info(*in, NULL)) < 0) {
        avformat_close_input(in);
        return igp_av_error(ret, source, _("cannot read video streams"));
    }
    return 0;
}

int igp_reel_open_decoder(const char *source, const AVStream *st, AVCodecContext **dec)
{
    const AVCodec *codec = avcodec_find_decoder(st->codecpar->codec_id);
    int ret;

    if (!codec)
        return igp_error(IGP_ERR_UNSUPPORTED, source, _("no decoder for '%s'"),
                         avcodec_get_name(st->codecpar->codec_id));
    *dec = avcodec_alloc_context3(codec);
    if (!*dec)
        return IGP_ERR(ENOMEM);
    if ((ret = avcodec_parameters_to_context(*dec, st->codecpar)) < 0)
        return igp_av_error(ret, source, _("cannot set up decoder"));
    (*dec)->pkt_timebase = st->time_base;
    (*dec)->thread_count = 0;
    if ((*dec)->ch_layout.nb_channels > 0 && (*dec)->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC)
        av_channel_layout_default(&(*dec)->ch_layout, (*dec)->ch_layout.nb_channels);
    if ((ret = avcodec_open2(*dec, codec, NULL)) < 0)
        return igp_av_error(ret, source, _("cannot open decoder"));
    return 0;
}

static int is_hdr(enum AVColorTransferCharacteristic trc)
{
    return trc == AVCOL_TRC_ARIB_STD_B67 || trc == AVCOL_TRC_SMPTE2084;
}

int igp_reel_probe(const char *source, IgpReelSource *out)
{
    AVFormatContext *in = NULL;
    int v, ret;

    memset(out, 0, sizeof(*out));
    if ((ret = igp_reel_open_input(source, &in)) < 0)
        return ret;
    v = av_find_best_stream(in, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (v < 0) {
        avformat_close_input(&in);
        return igp_error(IGP_ERR_UNSUPPORTED, source, _("no video stream"));
    }
    const AVStream *st = in->streams[v];
    out->width = st->codecpar->width;
    out->height = st->codecpar->height;
    out->duration = in->duration > 0 ? in->duration / (double)AV_TIME_BASE : 0;
    out->fps = st->avg_frame_rate.den ? av_q2d(st->avg_frame_rate) : 0;
    out->hdr = is_hdr(st->codecpar->color_trc);
    out->has_audio = av_find_best_stream(in, AVMEDIA_TYPE_AUDIO, -1, v, NULL, 0) >= 0;
    avformat_close_input(&in);
    return 0;
}

/* ---- the window ---- */

void igp_reel_window_size(int src_w, int src_h, int out_w, int out_h, int *crop_w, int *crop_h)
{
    if ((int64_t)src_w * out_h > (int64_t)src_h * out_w) { /* wider than the output */
        *crop_h = src_h & ~1;
        *crop_w = (int)((int64_t)src_h * out_w / out_h) & ~1;
    } else {
        *crop_w = src_w & ~1;
        *crop_h = (int)((int64_t)src_w * out_h / out_w) & ~1;
    }
}

/* A steady camera: the window holds still while the subject stays within
 * @p zone of where it looks, and then moves only as far as it must. This is
 * what a camera operator does, and a still window costs the encoder
 * nothing, where a drifting one makes every frame new. */
static void hold_steady(double *v, int n, double zone)
{
    double held = n > 0 ? v[0] : 0;
    for (int i = 0; i < n; i++) {
        if (v[i] > held + zone)
            held = v[i] - zone;
        else if (v[i] < held - zone)
            held = v[i] + zone;
        v[i] = held;
    }
}

/* A centred moving average of @p radius frames each side. */
static void smooth(double *v, int n, int radius)
{
    double *copy = g_memdup2(v, sizeof(double) * n);
    for (int i = 0; i < n; i++) {
        double sum = 0;
        int count = 0;
        for (int k = MAX(0, i - radius); k <= MIN(n - 1, i + radius); k++)
            sum += copy[k], count++;
        v[i] = sum / count;
    }
    g_free(copy);
}

void igp_reel_window_path(const double (*centres)[2], int n, double fps, const double fallback[2],
                          int src_w, int src_h, int crop_w, int crop_h, int (*window)[2])
{
    double *axis[2] = {g_new(double, n), g_new(double, n)};
    const int size[2] = {crop_w, crop_h}, limit[2] = {src_w - crop_w, src_h - crop_h};

    for (int a = 0; a < 2; a++) {
        /* Where nothing is of interest, stay where the last subject was (or
         * will be); with no subject at all, the post's focus. */
        double last = NAN;
        for (int i = 0; i < n; i++)
            axis[a][i] = last = isnan(centres[i][a]) ? last : centres[i][a];
        for (int i = n - 1; i >= 0; i--)
            axis[a][i] = last = isnan(axis[a][i]) ? last : axis[a][i];
        for (int i = 0; i < n; i++)
            if (isnan(axis[a][i]))
                axis[a][i] = fallback[a];
        hold_steady(axis[a], n, STEADY_ZONE * size[a]);
        /* Two passes of a half-second average: close to a Gaussian glide. */
        int radius = MAX(1, (int)lround(fps * 0.5));
        smooth(axis[a], n, radius);
        smooth(axis[a], n, radius);
        for (int i = 0; i < n; i++) {
            double corner = axis[a][i] - size[a] / 2.0;
            int c = (int)lround(CLAMP(corner, 0, limit[a]));
            window[i][a] = MIN(c, limit[a]) & ~1;
        }
    }
    g_free(axis[0]);
    g_free(axis[1]);
}

/* ---- one render ---- */

typedef struct Muxer {
    AVFormatContext *fmt;
    AVStream *video, *audio;
    char *tmp;
} Muxer;

typedef struct Render {
    const IgpReelJob *job;
    IgpReelResult result;
    AVFormatContext *in;
    int vi, ai;
    AVCodecContext *vdec, *adec, *venc, *menc, *aenc;
    AVFilterGraph *vgraph, *agraph;
    AVFilterContext *vsrc, *vsink, *asrc, *asink;
    struct SwsContext *sws;
    Muxer reel, master;
    AVFrame *decoded, *normal, *held, *scaled, *audio;
    AVPacket *pkt;
    IgpYuvOverlay overlay;
    int next_slot;   ///< the next output frame to write
    int64_t silence; ///< samples of silence written (no audio source)
    int cover_taken;
    int64_t first_pts; ///< the stream's start: source time 0
} Render;

static int open_muxer(Render *r, Muxer *m, const char *path)
{
    int ret;
    m->tmp = igp_temp_sibling(path);
    if ((ret = avformat_alloc_output_context2(&m->fmt, NULL, "mp4", m->tmp)) < 0)
        return igp_av_error(ret, path, _("cannot create MP4"));
    /* No encoder tag, zero creation times: nothing but pictures and sound. */
    m->fmt->flags |= AVFMT_FLAG_BITEXACT;
    (void)r;
    return 0;
}

static AVStream *add_stream(Muxer *m, const AVCodecContext *enc)
{
    AVStream *st = avformat_new_stream(m->fmt, NULL);
    if (!st || avcodec_parameters_from_context(st->codecpar, enc) < 0)
        return NULL;
    st->time_base = enc->time_base;
    return st;
}

static int start_muxer(Muxer *m, const char *path)
{
    AVDictionary *opts = NULL;
    int ret;

    if ((ret = avio_open(&m->fmt->pb, m->tmp, AVIO_FLAG_WRITE)) < 0)
        return igp_av_error(ret, path, _("cannot create file"));
    /* moov before mdat; no edit list (instagram-specs §10). */
    av_dict_set(&opts, "movflags", "+faststart", 0);
    av_dict_set(&opts, "use_editlist", "0", 0);
    ret = avformat_write_header(m->fmt, &opts);
    av_dict_free(&opts);
    return ret < 0 ? igp_av_error(ret, path, _("cannot write MP4 header")) : 0;
}

static void set_bt709(AVCodecContext *enc)
{
    enc->color_primaries = AVCOL_PRI_BT709;
    enc->color_trc = AVCOL_TRC_BT709;
    enc->colorspace = AVCOL_SPC_BT709;
    enc->color_range = AVCOL_RANGE_MPEG;
}

static int open_x264(AVCodecContext **out, int w, int h, AVRational tb, AVRational rate,
                     const char *preset, int crf, int threads)
{
    const AVCodec *codec = avcodec_find_encoder_by_name("libx264");
    AVCodecContext *enc;

    if (!codec)
        return igp_error(IGP_ERR_UNSUPPORTED, "video", _("libx264 is not available"));
    enc = *out = avcodec_alloc_context3(codec);
    enc->width = w;
    enc->height = h;
    enc->pix_fmt = AV_PIX_FMT_YUV420P;
    enc->time_base = tb;
    enc->framerate = rate;
    enc->sample_aspect_ratio = (AVRational){1, 1};
    set_bt709(enc);
    enc->flags |= AV_CODEC_FLAG_BITEXACT | AV_CODEC_FLAG_GLOBAL_HEADER;
    av_opt_set(enc->priv_data, "preset", preset, 0);
    av_opt_set_int(enc->priv_data, "crf", crf, 0);
    igp_x264_deterministic(enc, threads);
    return 0;
}

static int open_video_encoders(Render *r)
{
    const IgpReelJob *job = r->job;
    int ret;

    /* One thread: with its VBV cap, x264's rate control would otherwise read
     * the sizes of frames other threads are still encoding, and the bytes
     * would follow how busy the machine is. */
    open_x264(&r->venc, job->width, job->height, (AVRational){1, job->fps},
              (AVRational){job->fps, 1}, job->preset, job->crf, 1);
    if (!r->venc)
        return igp_error(IGP_ERR_UNSUPPORTED, "video", _("libx264 is not available"));
    /* Closed GOPs of 2 s, High profile, level 4.1 (4.2 above 30 fps), capped VBR. */
    r->venc->gop_size = r->venc->keyint_min = KEYFRAME_SECONDS * job->fps;
    r->venc->flags |= AV_CODEC_FLAG_CLOSED_GOP;
    r->venc->max_b_frames = B_FRAMES;
    r->venc->profile = FF_PROFILE_H264_HIGH;
    r->venc->level = job->fps > 30 ? 42 : 41;
    r->venc->rc_max_rate = job->maxrate;
    r->venc->rc_buffer_size = (int)MIN(job->maxrate * 2, INT_MAX);
    av_opt_set(r->venc->priv_data, "profile", "high", 0);
    if ((ret = avcodec_open2(r->venc, r->venc->codec, NULL)) < 0)
        return igp_av_error(ret, job->output, _("cannot open H.264 encoder"));
    if (!(r->reel.video = add_stream(&r->reel, r->venc)))
        return IGP_ERR(ENOMEM);
    if (!r->master.fmt)
        return 0;
    /* The archived master keeps every source frame and its timing. */
    const AVStream *st = r->in->streams[r->vi];
    open_x264(&r->menc, r->vdec->width & ~1, r->vdec->height & ~1, st->time_base,
              st->avg_frame_rate, "veryfast", MASTER_CRF, IGP_X264_THREADS);
    if ((ret = avcodec_open2(r->menc, r->menc->codec, NULL)) < 0)
        return igp_av_error(ret, job->master_output, _("cannot open H.264 encoder"));
    return (r->master.video = add_stream(&r->master, r->menc)) ? 0 : IGP_ERR(ENOMEM);
}

/* Where the pass stops reading: the output's end, or the master's when it
 * covers all the parts of a post. */
static double last_time(const Render *r)
{
    return r->master.fmt && r->job->master_end > r->job->end ? r->job->master_end : r->job->end;
}

static int open_audio(Render *r)
{
    const AVCodec *codec = avcodec_find_encoder(AV_CODEC_ID_AAC);
    AVCodecContext *enc = r->aenc = avcodec_alloc_context3(codec);
    int ret;

    enc->sample_rate = AUDIO_RATE;
    av_channel_layout_default(&enc->ch_layout, 2);
    enc->sample_fmt = AV_SAMPLE_FMT_FLTP;
    enc->bit_rate = AUDIO_BITRATE;
    enc->profile = FF_PROFILE_AAC_LOW;
    enc->time_base = (AVRational){1, AUDIO_RATE};
    enc->flags |= AV_CODEC_FLAG_BITEXACT | AV_CODEC_FLAG_GLOBAL_HEADER;
    if ((ret = avcodec_open2(enc, codec, NULL)) < 0)
        return igp_av_error(ret, r->job->output, _("cannot open AAC encoder"));
    if (!(r->reel.audio = add_stream(&r->reel, enc)) ||
        (r->master.fmt && !(r->master.audio = add_stream(&r->master, enc))))
        return IGP_ERR(ENOMEM);
    if (r->ai < 0)
        return 0;
    if ((ret = igp_reel_open_decoder(r->job->source, r->in->streams[r->ai], &r->adec)) < 0)
        return ret;
    char *chain = igp_reel_loudnorm_chain(&r->job->loudness);
    char *full = g_strdup_printf("%s,aresample=%d,aformat=sample_fmts=fltp:sample_rates=%d:"
                                 "channel_layouts=stereo",
                                 chain, AUDIO_RATE, AUDIO_RATE);
    ret = igp_reel_audio_graph(&r->agraph, &r->asrc, &r->asink, r->adec,
                               r->in->streams[r->ai]->time_base, r->job->start, last_time(r), full);
    g_free(chain);
    g_free(full);
    if (ret == 0)
        av_buffersink_set_frame_size(r->asink, enc->frame_size);
    return ret;
}

/* 8-bit 4:2:0 BT.709 limited range already? Untagged HD video is BT.709 in
 * practice (ITU-R BT.709 for HD, BT.601 for SD). */
static int is_bt709_420(const AVCodecContext *d)
{
    int matrix_709 = d->colorspace == AVCOL_SPC_BT709 || (d->colorspace == AVCOL_SPC_UNSPECIFIED &&
                                                          d->height >= 720 && d->width >= 720);
    return d->pix_fmt == AV_PIX_FMT_YUV420P && matrix_709 && d->color_range != AVCOL_RANGE_JPEG;
}

/* Decoded pictures to 8-bit 4:2:0 BT.709 limited range, HDR tone-mapped. */
static int open_video_graph(Render *r)
{
    const AVStream *st = r->in->streams[r->vi];
    const AVCodecContext *d = r->vdec;
    AVFilterInOut *inputs = avfilter_inout_alloc(), *outputs = avfilter_inout_alloc();
    char args[256], *chain;
    int ret;

    r->vgraph = avfilter_graph_alloc();
    snprintf(args, sizeof(args), "video_size=%dx%d:pix_fmt=%d:time_base=%d/%d:pixel_aspect=1/1",
             d->width, d->height, d->pix_fmt, st->time_base.num, st->time_base.den);
    if ((ret = avfilter_graph_create_filter(&r->vsrc, avfilter_get_by_name("buffer"), "in", args,
                                            NULL, r->vgraph)) < 0 ||
        (ret = avfilter_graph_create_filter(&r->vsink, avfilter_get_by_name("buffersink"), "out",
                                            NULL, NULL, r->vgraph)) < 0) {
        avfilter_inout_free(&inputs);
        avfilter_inout_free(&outputs);
        return igp_av_error(ret, r->job->source, _("cannot create video filters"));
    }
    if (is_hdr(d->color_trc))
        /* Scene light to linear, BT.2020 to BT.709 primaries in float, a
         * Hable curve into SDR, then BT.709 8-bit (instagram-specs §10),
         * undithered like the reference command: dither noise costs the
         * encoder about a tenth more time (docs/video.md). */
        chain =
            g_strdup_printf("zscale=tin=%s:min=%s:pin=%s:rin=%s:t=linear:npl=100,format=gbrpf32le,"
                            "zscale=p=bt709,tonemap=tonemap=hable:desat=0,"
                            "zscale=t=bt709:m=bt709:r=tv:d=none,format=yuv420p",
                            d->color_trc == AVCOL_TRC_SMPTE2084 ? "smpte2084" : "arib-std-b67",
                            d->colorspace == AVCOL_SPC_BT2020_CL ? "2020_cl" : "2020_ncl", "2020",
                            d->color_range == AVCOL_RANGE_JPEG ? "full" : "limited");
    else if (is_bt709_420(d))
        chain = g_strdup("null"); /* already what the encoders take: no copy */
    else
        chain = g_strdup("scale=out_color_matrix=bt709:out_range=tv,format=yuv420p");
    outputs->name = av_strdup("in");
    outputs->filter_ctx = r->vsrc;
    inputs->name = av_strdup("out");
    inputs->filter_ctx = r->vsink;
    ret = avfilter_graph_parse_ptr(r->vgraph, chain, &inputs, &outputs, NULL);
    if (ret >= 0)
        ret = avfilter_graph_config(r->vgraph, NULL);
    avfilter_inout_free(&inputs);
    avfilter_inout_free(&outputs);
    g_free(chain);
    return ret < 0 ? igp_av_error(ret, r->job->source, _("cannot configure video filters")) : 0;
}

static int write_packets(Render *r, AVCodecContext *enc, Muxer *m, AVStream *st, Muxer *copy,
                         AVStream *copy_st)
{
    int ret;
    while ((ret = avcodec_receive_packet(enc, r->pkt)) >= 0) {
        /* Constant frame rate: every picture lasts one tick of the time base
         * (libx264 leaves it unset, and the last one would count as 0). */
        if (enc == r->venc && r->pkt->duration <= 0)
            r->pkt->duration = 1;
        /* Sound past the output's end belongs to the master only (a post in
         * parts whose master covers them all). */
        if (enc == r->aenc && r->pkt->pts * av_q2d(enc->time_base) >= r->job->end - r->job->start) {
            if (copy && copy_st) {
                av_packet_rescale_ts(r->pkt, enc->time_base, copy_st->time_base);
                r->pkt->stream_index = copy_st->index;
                if ((ret = av_interleaved_write_frame(copy->fmt, r->pkt)) < 0)
                    return igp_av_error(ret, r->job->master_output, _("cannot write packet"));
            }
            av_packet_unref(r->pkt);
            continue;
        }
        if (copy && copy_st) {
            AVPacket *dup = av_packet_clone(r->pkt);
            av_packet_rescale_ts(dup, enc->time_base, copy_st->time_base);
            dup->stream_index = copy_st->index;
            ret = av_interleaved_write_frame(copy->fmt, dup);
            av_packet_free(&dup);
            if (ret < 0)
                return igp_av_error(ret, r->job->master_output, _("cannot write packet"));
        }
        av_packet_rescale_ts(r->pkt, enc->time_base, st->time_base);
        r->pkt->stream_index = st->index;
        if ((ret = av_interleaved_write_frame(m->fmt, r->pkt)) < 0)
            return igp_av_error(ret, r->job->output, _("cannot write packet"));
    }
    return ret == AVERROR(EAGAIN) || ret == AVERROR_EOF ? 0
                                                        : igp_av_error(ret, "video", _("encoder"));
}

static double source_time(const Render *r, int64_t pts)
{
    return (pts - r->first_pts) * av_q2d(r->in->streams[r->vi]->time_base);
}

/* Hide every face the caller lists for this moment. */
static int hide_faces(Render *r, AVFrame *f, double t)
{
    const IgpRedactFace *faces = NULL;
    int n = 0, ret;

    if (!r->job->faces)
        return 0;
    if ((ret = r->job->faces(r->job->faces_opaque, t, &faces, &n)) < 0)
        return ret;
    for (int i = 0; i < n; i++)
        if ((ret = igp_reel_redact_frame(f, &faces[i])) < 0)
            return ret;
    r->result.faces_hidden += n;
    return 0;
}

static int take_cover(Render *r, const AVFrame *f, double t)
{
    const IgpReelJob *job = r->job;
    if (r->cover_taken || !job->cover || job->cover_at < 0 || t + 0.5 / job->fps < job->cover_at)
        return 0;
    int stride, ret;
    uint8_t *rgb = igp_reel_frame_rgb(f, &stride);
    r->cover_taken = 1;
    ret = job->cover(job->cover_opaque, rgb, f->width & ~1, f->height & ~1, stride);
    g_free(rgb);
    return ret;
}

/* Output frame @p slot: the window of the held picture, scaled, overlaid. */
static int emit_slot(Render *r, int slot)
{
    const IgpReelJob *job = r->job;
    const AVFrame *src = r->held;
    const int x = job->window[slot][0], y = job->window[slot][1];
    const uint8_t *planes[3] = {src->data[0] + (size_t)y * src->linesize[0] + x,
                                src->data[1] + (size_t)(y / 2) * src->linesize[1] + x / 2,
                                src->data[2] + (size_t)(y / 2) * src->linesize[2] + x / 2};
    int ret;

    if ((ret = av_frame_make_writable(r->scaled)) < 0)
        return igp_av_error(ret, job->output, _("frame buffer"));
    sws_scale(r->sws, planes, src->linesize, 0, job->crop_h, r->scaled->data, r->scaled->linesize);
    if (job->overlay) {
        const IgpReelOverlayImage *img =
            job->overlay(job->overlay_opaque, job->post_time + (double)slot / job->fps,
                         job->start + (double)slot / job->fps);
        if (img && img->w > 0 && img->h > 0) {
            igp_reel_overlay_prepare(&r->overlay, img);
            igp_reel_overlay_blend(&r->overlay, r->scaled);
        }
    }
    r->scaled->pts = slot;
    r->scaled->pict_type = AV_PICTURE_TYPE_NONE;
    if ((ret = avcodec_send_frame(r->venc, r->scaled)) < 0)
        return igp_av_error(ret, job->output, _("cannot encode video"));
    r->result.frames++;
    if (job->progress && slot % 15 == 0)
        job->progress(job->progress_opaque, (double)slot / job->n_frames);
    return write_packets(r, r->venc, &r->reel, r->reel.video, NULL, NULL);
}

static int holding(const Render *r)
{
    return r->held->buf[0] != NULL;
}

/* Emit the held picture for every output slot before @p until. */
static int emit_until(Render *r, int until)
{
    int ret = 0;
    until = MIN(until, r->job->n_frames);
    while (holding(r) && r->next_slot < until && ret == 0)
        ret = emit_slot(r, r->next_slot++);
    return ret;
}

static int write_master_frame(Render *r, AVFrame *f, double t)
{
    if (!r->menc || t < r->job->start - 0.5 / r->job->fps || t >= last_time(r))
        return 0;
    int64_t pts = f->pts;
    int ret;
    f->pts = pts - r->first_pts -
             (int64_t)llround(r->job->start / av_q2d(r->in->streams[r->vi]->time_base));
    f->pict_type = AV_PICTURE_TYPE_NONE;
    ret = avcodec_send_frame(r->menc, f);
    f->pts = pts;
    if (ret == AVERROR_INVALIDDATA)
        return 0; /* a timestamp that went backwards: that frame is not kept */
    if (ret < 0)
        return igp_av_error(ret, r->job->master_output, _("cannot encode master"));
    r->result.master_frames++;
    return write_packets(r, r->menc, &r->master, r->master.video, NULL, NULL);
}

/* A normalised source picture arrived: hide faces, keep it for the master,
 * then it becomes the held picture for the slots from its time on. */
static int take_picture(Render *r, AVFrame *f)
{
    double t = source_time(r, f->pts);
    int slot = (int)lround((t - r->job->start) * r->job->fps), ret;

    if ((ret = av_frame_make_writable(f)) < 0)
        return igp_av_error(ret, r->job->source, _("frame buffer"));
    if ((ret = hide_faces(r, f, t)) < 0 || (ret = take_cover(r, f, t)) < 0 ||
        (ret = write_master_frame(r, f, t)) < 0)
        return ret;
    if (slot > r->next_slot && (ret = emit_until(r, slot)) < 0)
        return ret;
    av_frame_unref(r->held);
    av_frame_move_ref(r->held, f);
    return 0;
}

static int drain_video_graph(Render *r)
{
    int ret;
    while ((ret = av_buffersink_get_frame(r->vsink, r->normal)) >= 0)
        if ((ret = take_picture(r, r->normal)) < 0)
            return ret;
    return ret == AVERROR(EAGAIN) || ret == AVERROR_EOF ? 0
                                                        : igp_av_error(ret, "video", _("filters"));
}

static int decode_video(Render *r, const AVPacket *pkt)
{
    int ret = avcodec_send_packet(r->vdec, pkt);
    if (ret < 0 && ret != AVERROR_EOF)
        return igp_av_error(ret, r->job->source, _("cannot decode video"));
    while ((ret = avcodec_receive_frame(r->vdec, r->decoded)) >= 0) {
        r->decoded->pts = r->decoded->best_effort_timestamp;
        if ((ret = av_buffersrc_add_frame(r->vsrc, r->decoded)) < 0)
            return igp_av_error(ret, r->job->source, _("video filters"));
        if ((ret = drain_video_graph(r)) < 0)
            return ret;
    }
    return ret == AVERROR(EAGAIN) || ret == AVERROR_EOF
               ? 0
               : igp_av_error(ret, r->job->source, _("cannot decode video"));
}

static int drain_audio(Render *r)
{
    int ret;
    while ((ret = av_buffersink_get_frame(r->asink, r->audio)) >= 0) {
        ret = avcodec_send_frame(r->aenc, r->audio);
        av_frame_unref(r->audio);
        if (ret < 0)
            return igp_av_error(ret, r->job->output, _("cannot encode audio"));
        if ((ret = write_packets(r, r->aenc, &r->reel, r->reel.audio, &r->master,
                                 r->master.audio)) < 0)
            return ret;
    }
    return ret == AVERROR(EAGAIN) || ret == AVERROR_EOF ? 0
                                                        : igp_av_error(ret, "audio", _("filters"));
}

static int decode_audio(Render *r, const AVPacket *pkt)
{
    int ret = avcodec_send_packet(r->adec, pkt);
    if (ret < 0 && ret != AVERROR_EOF && ret != AVERROR_INVALIDDATA)
        return igp_av_error(ret, r->job->source, _("cannot decode audio"));
    while ((ret = avcodec_receive_frame(r->adec, r->decoded)) >= 0) {
        r->decoded->pts = r->decoded->best_effort_timestamp;
        if ((ret = av_buffersrc_add_frame(r->asrc, r->decoded)) < 0)
            return igp_av_error(ret, r->job->source, _("audio filters"));
        if ((ret = drain_audio(r)) < 0)
            return ret;
    }
    return 0;
}

/* No sound in the source: digital silence of the output's length, so the
 * file still has the audio track Instagram expects (docs/video.md). */
static int write_silence(Render *r)
{
    int64_t total = (int64_t)llround((last_time(r) - r->job->start) * AUDIO_RATE);
    int ret = 0;

    while (r->silence < total && ret == 0) {
        AVFrame *f = r->audio;
        f->nb_samples = (int)MIN(r->aenc->frame_size, total - r->silence);
        f->format = r->aenc->sample_fmt;
        f->sample_rate = AUDIO_RATE;
        av_channel_layout_copy(&f->ch_layout, &r->aenc->ch_layout);
        if ((ret = av_frame_get_buffer(f, 0)) < 0)
            return IGP_ERR(ENOMEM);
        for (int c = 0; c < 2; c++)
            memset(f->data[c], 0, sizeof(float) * f->nb_samples);
        f->pts = r->silence;
        r->silence += f->nb_samples;
        ret = avcodec_send_frame(r->aenc, f);
        av_frame_unref(f);
        if (ret < 0)
            return igp_av_error(ret, r->job->output, _("cannot encode audio"));
        ret = write_packets(r, r->aenc, &r->reel, r->reel.audio, &r->master, r->master.audio);
    }
    return ret;
}

static int read_all(Render *r)
{
    const double stop = last_time(r) + 1.0; /* a little past the end, for B-frame reordering */
    int ret;

    if (r->job->start > 0)
        av_seek_frame(r->in, -1,
                      (int64_t)(r->job->start * AV_TIME_BASE) +
                          (r->in->start_time != AV_NOPTS_VALUE ? r->in->start_time : 0),
                      AVSEEK_FLAG_BACKWARD);
    while ((ret = av_read_frame(r->in, r->pkt)) >= 0) {
        int index = r->pkt->stream_index;
        double t = r->pkt->pts == AV_NOPTS_VALUE
                       ? 0
                       : r->pkt->pts * av_q2d(r->in->streams[index]->time_base);
        int past = t > stop;
        if (index == r->vi && !past)
            ret = decode_video(r, r->pkt);
        else if (index == r->ai && !past)
            ret = decode_audio(r, r->pkt);
        av_packet_unref(r->pkt);
        if (ret < 0)
            return ret;
        if (past && index == r->vi)
            break;
    }
    if (ret < 0 && ret != AVERROR_EOF)
        return igp_av_error(ret, r->job->source, _("cannot read video (truncated?)"));
    return 0;
}

static int finish(Render *r)
{
    int ret;

    if ((ret = decode_video(r, NULL)) < 0)
        return ret;
    if ((ret = av_buffersrc_add_frame(r->vsrc, NULL)) < 0)
        return igp_av_error(ret, r->job->source, _("video filters"));
    if ((ret = drain_video_graph(r)) < 0)
        return ret;
    if (!holding(r))
        return igp_error(IGP_ERR_INVALIDDATA, r->job->source, _("no picture in the trimmed range"));
    if ((ret = emit_until(r, r->job->n_frames)) < 0)
        return ret;
    avcodec_send_frame(r->venc, NULL);
    if ((ret = write_packets(r, r->venc, &r->reel, r->reel.video, NULL, NULL)) < 0)
        return ret;
    if (r->menc) {
        avcodec_send_frame(r->menc, NULL);
        if ((ret = write_packets(r, r->menc, &r->master, r->master.video, NULL, NULL)) < 0)
            return ret;
    }
    if (r->adec) {
        decode_audio(r, NULL);
        if ((ret = av_buffersrc_add_frame(r->asrc, NULL)) < 0)
            return igp_av_error(ret, r->job->source, _("audio filters"));
        if ((ret = drain_audio(r)) < 0)
            return ret;
    } else if ((ret = write_silence(r)) < 0) {
        return ret;
    }
    avcodec_send_frame(r->aenc, NULL);
    if ((ret = write_packets(r, r->aenc, &r->reel, r->reel.audio, &r->master, r->master.audio)) < 0)
        return ret;
    if ((ret = av_write_trailer(r->reel.fmt)) < 0)
        return igp_av_error(ret, r->job->output, _("cannot finish MP4"));
    if (r->master.fmt && (ret = av_write_trailer(r->master.fmt)) < 0)
        return igp_av_error(ret, r->job->master_output, _("cannot finish MP4"));
    return 0;
}

static int setup(Render *r)
{
    const IgpReelJob *job = r->job;
    int ret;

    if ((ret = igp_reel_open_input(job->source, &r->in)) < 0)
        return ret;
    r->vi = av_find_best_stream(r->in, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (r->vi < 0)
        return igp_error(IGP_ERR_UNSUPPORTED, job->source, _("no video stream"));
    r->ai = av_find_best_stream(r->in, AVMEDIA_TYPE_AUDIO, -1, r->vi, NULL, 0);
    r->first_pts =
        r->in->streams[r->vi]->start_time != AV_NOPTS_VALUE ? r->in->streams[r->vi]->start_time : 0;
    r->result.silent = r->ai < 0;
    if ((ret = igp_reel_open_decoder(job->source, r->in->streams[r->vi], &r->vdec)) < 0 ||
        (ret = open_video_graph(r)) < 0)
        return ret;
    r->sws = sws_getContext(job->crop_w, job->crop_h, AV_PIX_FMT_YUV420P, job->width, job->height,
                            AV_PIX_FMT_YUV420P, SWS_BICUBIC, NULL, NULL, NULL);
    r->decoded = av_frame_alloc();
    r->normal = av_frame_alloc();
    r->held = av_frame_alloc();
    r->scaled = av_frame_alloc();
    r->audio = av_frame_alloc();
    r->pkt = av_packet_alloc();
    if (!r->sws || !r->scaled || !r->pkt || !r->audio || !r->held)
        return IGP_ERR(ENOMEM);
    r->scaled->width = job->width;
    r->scaled->height = job->height;
    r->scaled->format = AV_PIX_FMT_YUV420P;
    if ((ret = av_frame_get_buffer(r->scaled, 0)) < 0)
        return IGP_ERR(ENOMEM);
    if ((ret = open_muxer(r, &r->reel, job->output)) < 0 ||
        (job->master_output && (ret = open_muxer(r, &r->master, job->master_output)) < 0) ||
        (ret = open_video_encoders(r)) < 0 || (ret = open_audio(r)) < 0 ||
        (ret = start_muxer(&r->reel, job->output)) < 0 ||
        (r->master.fmt && (ret = start_muxer(&r->master, job->master_output)) < 0))
        return ret;
    return 0;
}

static void close_muxer(Muxer *m)
{
    if (m->fmt) {
        avio_closep(&m->fmt->pb);
        avformat_free_context(m->fmt);
        m->fmt = NULL;
    }
}

static void release(Render *r)
{
    avcodec_free_context(&r->vdec);
    avcodec_free_context(&r->adec);
    avcodec_free_context(&r->venc);
    avcodec_free_context(&r->menc);
    avcodec_free_context(&r->aenc);
    avfilter_graph_free(&r->vgraph);
    avfilter_graph_free(&r->agraph);
    sws_freeContext(r->sws);
    close_muxer(&r->reel);
    close_muxer(&r->master);
    avformat_close_input(&r->in);
    av_frame_free(&r->decoded);
    av_frame_free(&r->normal);
    av_frame_free(&r->held);
    av_frame_free(&r->scaled);
    av_frame_free(&r->audio);
    av_packet_free(&r->pkt);
    igp_reel_overlay_release(&r->overlay);
}

/* Sync and rename a finished file, or remove its temporary. */
static int publish(Muxer *m, const char *path, int ok)
{
    int ret = ok ? igp_fsync_path(m->tmp) : -1;
    if (ret == 0)
        ret = igp_publish(m->tmp, path);
    if (ret != 0)
        unlink(m->tmp);
    g_free(m->tmp);
    m->tmp = NULL;
    return ok ? ret : 0;
}

int igp_reel_render(const IgpReelJob *job, IgpReelResult *result)
{
    Render r = {.job = job, .vi = -1, .ai = -1};
    int ret = setup(&r);

    if (ret == 0)
        ret = read_all(&r);
    if (ret == 0)
        ret = finish(&r);
    if (ret == 0 && job->progress)
        job->progress(job->progress_opaque, 1.0);
    if (result)
        *result = r.result;
    release(&r); /* closes the files before they are synced and renamed */
    if (r.master.tmp) {
        int m = publish(&r.master, job->master_output, ret == 0);
        ret = ret ? ret : m;
    }
    if (r.reel.tmp) {
        int m = publish(&r.reel, job->output, ret == 0);
        ret = ret ? ret : m;
    }
    return ret;
}

/* ---- stills ---- */

int igp_is_video_file(const char *path)
{
    return path && g_str_has_suffix(path, ".mp4");
}

/* Decode pictures until @p at seconds; the last one decoded is in @p f. */
static int decode_until(AVFormatContext *in, int vi, AVCodecContext *dec, double at, AVFrame *f)
{
    AVPacket *pkt = av_packet_alloc();
    AVFrame *next = av_frame_alloc();
    double tb = av_q2d(in->streams[vi]->time_base);
    int ret = 0, have = 0, eof = 0;

    while (ret >= 0) {
        ret = avcodec_receive_frame(dec, next);
        if (ret >= 0) {
            av_frame_unref(f);
            av_frame_move_ref(f, next);
            have = 1;
            if (f->best_effort_timestamp * tb >= at)
                break;
            continue;
        }
        if (ret != AVERROR(EAGAIN) || eof)
            break;
        while ((ret = av_read_frame(in, pkt)) >= 0 && pkt->stream_index != vi)
            av_packet_unref(pkt);
        eof = ret < 0;
        ret = avcodec_send_packet(dec, eof ? NULL : pkt);
        av_packet_unref(pkt);
    }
    av_packet_free(&pkt);
    av_frame_free(&next);
    return have ? 0 : AVERROR_INVALIDDATA;
}

int igp_reel_poster(const char *path, double fraction, VipsImage **out)
{
    AVFormatContext *in = NULL;
    AVCodecContext *dec = NULL;
    AVFrame *f = av_frame_alloc();
    struct SwsContext *sws = NULL;
    int vi, ret = igp_reel_open_input(path, &in);

    *out = NULL;
    if (ret == 0 && (vi = av_find_best_stream(in, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0)) < 0)
        ret = igp_error(IGP_ERR_INVALIDDATA, path, _("no video stream"));
    if (ret == 0)
        ret = igp_reel_open_decoder(path, in->streams[vi], &dec);
    if (ret == 0 &&
        decode_until(in, vi, dec, in->duration / (double)AV_TIME_BASE * fraction, f) < 0)
        ret = igp_error(IGP_ERR_INVALIDDATA, path, _("no picture could be decoded"));
    if (ret == 0 && !(sws = sws_getContext(f->width, f->height, f->format, f->width, f->height,
                                           AV_PIX_FMT_RGB24, SWS_BICUBIC, NULL, NULL, NULL)))
        ret = igp_error(IGP_ERR_UNSUPPORTED, path, _("cannot convert its pictures"));
    if (ret == 0) {
        VipsImage *img = vips_image_new_memory();
        vips_image_init_fields(img, f->width, f->height, 3, VIPS_FORMAT_UCHAR, VIPS_CODING_NONE,
                               VIPS_INTERPRETATION_sRGB, 1, 1);
        if (vips_image_write_prepare(img)) {
            g_object_unref(img);
            ret = igp_error(IGP_ERR_LIBRARY, path, _("cannot hold a picture"));
        } else {
            /* swscale writes whole SIMD blocks: give it padded rows of its
             * own, then copy the pictures' rows. */
            uint8_t *dst[4];
            int stride[4];
            sws_setColorspaceDetails(sws, sws_getCoefficients(SWS_CS_ITU709),
                                     f->color_range == AVCOL_RANGE_JPEG,
                                     sws_getCoefficients(SWS_CS_ITU709), 1, 0, 1 << 16, 1 << 16);
            if (av_image_alloc(dst, stride, f->width, f->height, AV_PIX_FMT_RGB24, 64) < 0) {
                g_object_unref(img);
                ret = IGP_ERR(ENOMEM);
            } else {
                sws_scale(sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height, dst,
                          stride);
                for (int y = 0; y < f->height; y++)
                    memcpy(VIPS_IMAGE_ADDR(img, 0, y), dst[0] + (size_t)y * stride[0],
                           VIPS_IMAGE_SIZEOF_LINE(img));
                av_freep(&dst[0]);
                *out = img;
            }
        }
    }
    sws_freeContext(sws);
    av_frame_free(&f);
    avcodec_free_context(&dec);
    avformat_close_input(&in);
    return ret;
}
