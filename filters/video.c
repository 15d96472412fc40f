#include "video.h"
#include "error.h"
#include "i18n.h"
#include "fsutil.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <libavcodec/avcodec.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavformat/avformat.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/cpu.h>
#include <libavutil/display.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswresample/swresample.h>

enum {
    MASTER_CRF = 16,
    AUDIO_BITRATE = 192000,
    DEFAULT_MAX_STREAMS = 32,
    DEFAULT_MAX_SIDE = 8192,
};

void igp_video_default_limits(IgpVideoLimits *limits)
{
    limits->max_duration = 3600;
    limits->max_streams = DEFAULT_MAX_STREAMS;
    limits->max_pixels = (int64_t)DEFAULT_MAX_SIDE * DEFAULT_MAX_SIDE;
}

/* Everything one scrub holds; released by transcoder_release(). */
typedef struct Transcoder {
    const char *source;
    AVFormatContext *in, *out;
    int video_index, audio_index;
    AVCodecContext *vdec, *venc, *adec, *aenc;
    AVFilterGraph *graph;
    AVFilterContext *buffer_src, *buffer_sink;
    SwrContext *swr;
    AVAudioFifo *fifo;
    AVStream *vout, *aout;
    int64_t audio_pts; ///< next audio frame's pts, in samples
    AVFrame *frame, *filtered;
    AVPacket *packet;
    IgpVideoInfo info;
} Transcoder;

int igp_av_error(int averr, const char *domain, const char *what)
{
    char msg[AV_ERROR_MAX_STRING_SIZE];
    const char *why = msg;

    /* FFmpeg's words are English: the common ones in the user's language. */
    if (averr == AVERROR_INVALIDDATA)
        why = _("invalid or corrupt data");
    else if (averr == AVERROR_EOF)
        why = _("the file ends too soon");
    else if (averr < 0 && averr > -4096) /* AVERROR(errno) */
        why = igp_strerror(-averr);
    else
        av_strerror(averr, msg, sizeof(msg));
    return igp_error(averr == AVERROR_INVALIDDATA || averr == AVERROR_EOF ? IGP_ERR_INVALIDDATA
                                                                          : IGP_ERR_LIBRARY,
                     domain, "%s: %s", what, why);
}

static int rotation_of(const AVStream *st)
{
    const uint8_t *matrix = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, NULL);
    int deg;

    if (!matrix)
        return 0;
    deg = (int)lround(-av_display_rotation_get((const int32_t *)matrix)) % 360;
    deg = deg < 0 ? deg + 360 : deg;
    return (deg + 45) / 90 * 90 % 360; /* phones only rotate in quarter turns */
}

/* Frame sizes as the container declares them: checked before any frame is
 * decoded (avformat_find_stream_info decodes a few). */
static int check_declared_sizes(const Transcoder *t, const IgpVideoLimits *limits)
{
    for (unsigned i = 0; i < t->in->nb_streams; i++) {
        const AVCodecParameters *par = t->in->streams[i]->codecpar;
        if (par->codec_type == AVMEDIA_TYPE_VIDEO &&
            (int64_t)par->width * par->height > limits->max_pixels)
            return igp_error(IGP_ERR_POLICY, t->source, _("frame size %dx%d is over the limit"),
                             par->width, par->height);
    }
    return 0;
}

static int open_input(Transcoder *t, const IgpVideoLimits *limits)
{
    int ret = avformat_open_input(&t->in, t->source, NULL, NULL);

    if (ret < 0)
        return igp_av_error(ret, t->source, _("cannot open video"));
    if ((int)t->in->nb_streams > limits->max_streams)
        return igp_error(IGP_ERR_POLICY, t->source, _("%u streams, over the limit of %d"),
                         t->in->nb_streams, limits->max_streams);
    if ((ret = check_declared_sizes(t, limits)) < 0)
        return ret;
    if ((ret = avformat_find_stream_info(t->in, NULL)) < 0)
        return igp_av_error(ret, t->source, _("cannot read video streams"));
    if ((int)t->in->nb_streams > limits->max_streams)
        return igp_error(IGP_ERR_POLICY, t->source, _("%u streams, over the limit of %d"),
                         t->in->nb_streams, limits->max_streams);
    if (t->in->duration > 0 && t->in->duration / (double)AV_TIME_BASE > limits->max_duration)
        return igp_error(IGP_ERR_POLICY, t->source, _("lasts %.0f s, over the limit of %.0f s"),
                         t->in->duration / (double)AV_TIME_BASE, limits->max_duration);
    t->video_index = av_find_best_stream(t->in, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (t->video_index < 0)
        return igp_error(IGP_ERR_UNSUPPORTED, t->source, _("no video stream"));
    const AVCodecParameters *par = t->in->streams[t->video_index]->codecpar;
    if (par->width <= 0 || par->height <= 0 ||
        (int64_t)par->width * par->height > limits->max_pixels)
        return igp_error(IGP_ERR_POLICY, t->source, _("frame size %dx%d is outside the limits"),
                         par->width, par->height);
    t->audio_index = av_find_best_stream(t->in, AVMEDIA_TYPE_AUDIO, -1, t->video_index, NULL, 0);
    t->info.dropped_streams = (int)t->in->nb_streams - 1 - (t->audio_index >= 0);
    t->info.rotation = rotation_of(t->in->streams[t->video_index]);
    t->info.has_audio = t->audio_index >= 0;
    return 0;
}

static int open_decoder(Transcoder *t, int index, AVCodecContext **out)
{
    AVStream *st = t->in->streams[index];
    const AVCodec *codec = avcodec_find_decoder(st->codecpar->codec_id);
    int ret;

    if (!codec)
        return igp_error(IGP_ERR_UNSUPPORTED, t->source, _("no decoder for codec '%s'"),
                         avcodec_get_name(st->codecpar->codec_id));
    *out = avcodec_alloc_context3(codec);
    if (!*out)
        return IGP_ERR(ENOMEM);
    if ((ret = avcodec_parameters_to_context(*out, st->codecpar)) < 0)
        return igp_av_error(ret, t->source, _("cannot set up decoder"));
    (*out)->pkt_timebase = st->time_base;
    (*out)->thread_count = 0; /* one per processor */
    if ((ret = avcodec_open2(*out, codec, NULL)) < 0)
        return igp_av_error(ret, t->source, _("cannot open decoder"));
    return 0;
}

/* The filters that turn the stored picture upright, then the master's format. */
static const char *rotation_filters(int rotation)
{
    switch (rotation) {
    case 90:
        return "transpose=clock,";
    case 180:
        return "hflip,vflip,";
    case 270:
        return "transpose=cclock,";
    default:
        return "";
    }
}

static int build_video_graph(Transcoder *t)
{
    AVStream *st = t->in->streams[t->video_index];
    const AVPixFmtDescriptor *desc = av_pix_fmt_desc_get(t->vdec->pix_fmt);
    AVFilterInOut *inputs = NULL, *outputs = NULL;
    char args[256], *chain;
    int ret;

    t->info.bit_depth = desc && desc->comp[0].depth > 8 ? 10 : 8;
    t->graph = avfilter_graph_alloc();
    snprintf(args, sizeof(args), "video_size=%dx%d:pix_fmt=%d:time_base=%d/%d:pixel_aspect=%d/%d",
             t->vdec->width, t->vdec->height, t->vdec->pix_fmt, st->time_base.num,
             st->time_base.den, t->vdec->sample_aspect_ratio.num,
             FFMAX(t->vdec->sample_aspect_ratio.den, 1));
    if ((ret = avfilter_graph_create_filter(&t->buffer_src, avfilter_get_by_name("buffer"), "in",
                                            args, NULL, t->graph)) < 0 ||
        (ret = avfilter_graph_create_filter(&t->buffer_sink, avfilter_get_by_name("buffersink"),
                                            "out", NULL, NULL, t->graph)) < 0)
        return igp_av_error(ret, t->source, _("cannot create video filters"));
    chain = g_strdup_printf("%sformat=%s", rotation_filters(t->info.rotation),
                            t->info.bit_depth > 8 ? "yuv420p10le" : "yuv420p");
    outputs = avfilter_inout_alloc();
    inputs = avfilter_inout_alloc();
    outputs->name = av_strdup("in");
    outputs->filter_ctx = t->buffer_src;
    inputs->name = av_strdup("out");
    inputs->filter_ctx = t->buffer_sink;
    ret = avfilter_graph_parse_ptr(t->graph, chain, &inputs, &outputs, NULL);
    if (ret >= 0)
        ret = avfilter_graph_config(t->graph, NULL);
    avfilter_inout_free(&inputs);
    avfilter_inout_free(&outputs);
    g_free(chain);
    return ret < 0 ? igp_av_error(ret, t->source, _("cannot configure video filters")) : 0;
}

static AVStream *new_output_stream(Transcoder *t, AVCodecContext *enc)
{
    AVStream *st = avformat_new_stream(t->out, NULL);
    if (!st || avcodec_parameters_from_context(st->codecpar, enc) < 0)
        return NULL;
    st->time_base = enc->time_base;
    return st;
}

void igp_x264_deterministic(AVCodecContext *enc, int threads)
{
    /* Every processor with AVX-512 has AVX2, FMA3, BMI1, BMI2 and LZCNT,
     * which x264's "AVX2" stands for; its AVX2 code matches its C code. */
    const int avx512 = AV_CPU_FLAG_AVX512 | AV_CPU_FLAG_AVX2 | AV_CPU_FLAG_FMA3 | AV_CPU_FLAG_BMI2;

    enc->thread_count = threads;
    if ((av_get_cpu_flags() & avx512) == avx512)
        av_opt_set(enc->priv_data, "x264-params", "asm=AVX2", 0);
}

static int open_video_encoder(Transcoder *t)
{
    const AVCodec *codec = avcodec_find_encoder_by_name("libx264");
    AVStream *st = t->in->streams[t->video_index];
    AVCodecContext *enc;
    int ret;

    if (!codec)
        return igp_error(IGP_ERR_UNSUPPORTED, "video", _("libx264 is not available"));
    enc = t->venc = avcodec_alloc_context3(codec);
    enc->width = t->info.width = av_buffersink_get_w(t->buffer_sink);
    enc->height = t->info.height = av_buffersink_get_h(t->buffer_sink);
    enc->pix_fmt = av_buffersink_get_format(t->buffer_sink);
    enc->sample_aspect_ratio = av_buffersink_get_sample_aspect_ratio(t->buffer_sink);
    enc->time_base = av_buffersink_get_time_base(t->buffer_sink);
    enc->framerate = st->avg_frame_rate;
    /* Colour description is not personal: keep it so later stages can
     * tone-map HDR correctly. */
    enc->color_primaries = t->vdec->color_primaries;
    enc->color_trc = t->vdec->color_trc;
    enc->colorspace = t->vdec->colorspace;
    enc->color_range = t->vdec->color_range;
    enc->flags |= AV_CODEC_FLAG_BITEXACT;
    if (t->out->oformat->flags & AVFMT_GLOBALHEADER)
        enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    av_opt_set_int(enc->priv_data, "crf", MASTER_CRF, 0);
    av_opt_set(enc->priv_data, "preset", "veryfast", 0);
    igp_x264_deterministic(enc, IGP_X264_THREADS);
    if ((ret = avcodec_open2(enc, codec, NULL)) < 0)
        return igp_av_error(ret, t->source, _("cannot open H.264 encoder"));
    t->vout = new_output_stream(t, enc);
    return t->vout ? 0 : IGP_ERR(ENOMEM);
}

static int open_audio_encoder(Transcoder *t)
{
    const AVCodec *codec = avcodec_find_encoder(AV_CODEC_ID_AAC);
    AVCodecContext *enc = t->aenc = avcodec_alloc_context3(codec);
    int in_rate = t->adec->sample_rate, ret;

    if (t->adec->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC) /* e.g. old QuickTime */
        av_channel_layout_default(&t->adec->ch_layout, t->adec->ch_layout.nb_channels);
    enc->sample_rate = in_rate == 44100 || in_rate == 48000 ? in_rate : 48000;
    av_channel_layout_default(&enc->ch_layout, t->adec->ch_layout.nb_channels >= 2 ? 2 : 1);
    enc->sample_fmt = AV_SAMPLE_FMT_FLTP;
    enc->bit_rate = AUDIO_BITRATE;
    enc->time_base = (AVRational){1, enc->sample_rate};
    enc->flags |= AV_CODEC_FLAG_BITEXACT;
    if (t->out->oformat->flags & AVFMT_GLOBALHEADER)
        enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if ((ret = avcodec_open2(enc, codec, NULL)) < 0)
        return igp_av_error(ret, t->source, _("cannot open AAC encoder"));
    ret = swr_alloc_set_opts2(&t->swr, &enc->ch_layout, enc->sample_fmt, enc->sample_rate,
                              &t->adec->ch_layout, t->adec->sample_fmt, t->adec->sample_rate, 0,
                              NULL);
    if (ret < 0 || (ret = swr_init(t->swr)) < 0)
        return igp_av_error(ret, t->source, _("cannot set up audio resampling"));
    t->fifo = av_audio_fifo_alloc(enc->sample_fmt, enc->ch_layout.nb_channels, enc->frame_size);
    t->aout = new_output_stream(t, enc);
    return t->fifo && t->aout ? 0 : IGP_ERR(ENOMEM);
}

static int open_output(Transcoder *t, const char *tmp)
{
    AVDictionary *opts = NULL;
    int ret = avformat_alloc_output_context2(&t->out, NULL, "mp4", tmp);

    if (ret < 0)
        return igp_av_error(ret, tmp, _("cannot create MP4"));
    /* Bit-exact: no "encoder" tag and zero creation times in mvhd/tkhd/mdhd. */
    t->out->flags |= AVFMT_FLAG_BITEXACT;
    if ((ret = open_video_encoder(t)) < 0 || (t->adec && (ret = open_audio_encoder(t)) < 0))
        return ret;
    if ((ret = avio_open(&t->out->pb, tmp, AVIO_FLAG_WRITE)) < 0)
        return igp_av_error(ret, tmp, _("cannot create file"));
    av_dict_set(&opts, "movflags", "+faststart", 0);
    ret = avformat_write_header(t->out, &opts);
    av_dict_free(&opts);
    return ret < 0 ? igp_av_error(ret, tmp, _("cannot write MP4 header")) : 0;
}

/* Drain an encoder into the output file. */
static int write_encoded(Transcoder *t, AVCodecContext *enc, AVStream *st)
{
    int ret;
    while ((ret = avcodec_receive_packet(enc, t->packet)) >= 0) {
        av_packet_rescale_ts(t->packet, enc->time_base, st->time_base);
        t->packet->stream_index = st->index;
        if ((ret = av_interleaved_write_frame(t->out, t->packet)) < 0)
            return igp_av_error(ret, "video", _("cannot write packet"));
    }
    return ret == AVERROR(EAGAIN) || ret == AVERROR_EOF ? 0
                                                        : igp_av_error(ret, "video", _("encoder"));
}

/* Pull every frame the filter graph has ready and encode it. */
static int encode_filtered_video(Transcoder *t)
{
    int ret;
    while ((ret = av_buffersink_get_frame(t->buffer_sink, t->filtered)) >= 0) {
        t->filtered->pict_type = AV_PICTURE_TYPE_NONE;
        ret = avcodec_send_frame(t->venc, t->filtered);
        av_frame_unref(t->filtered);
        if (ret < 0)
            return igp_av_error(ret, t->source, _("cannot encode video"));
        if ((ret = write_encoded(t, t->venc, t->vout)) < 0)
            return ret;
    }
    return ret == AVERROR(EAGAIN) || ret == AVERROR_EOF
               ? 0
               : igp_av_error(ret, t->source, _("filters"));
}

/* Decode what the decoder has (frame NULL-packet flushes) and push it on. */
static int decode_video(Transcoder *t, const AVPacket *pkt)
{
    int ret = avcodec_send_packet(t->vdec, pkt);
    if (ret < 0 && ret != AVERROR_EOF)
        return igp_av_error(ret, t->source, _("cannot decode video"));
    while ((ret = avcodec_receive_frame(t->vdec, t->frame)) >= 0) {
        t->frame->pts = t->frame->best_effort_timestamp;
        ret = av_buffersrc_add_frame_flags(t->buffer_src, t->frame, AV_BUFFERSRC_FLAG_KEEP_REF);
        av_frame_unref(t->frame);
        if (ret < 0)
            return igp_av_error(ret, t->source, _("video filters"));
        if ((ret = encode_filtered_video(t)) < 0)
            return ret;
    }
    if (ret != AVERROR(EAGAIN) && ret != AVERROR_EOF)
        return igp_av_error(ret, t->source, _("cannot decode video"));
    return 0;
}

/* Encode whole AAC frames from the FIFO (all that is left when flushing). */
static int encode_audio_fifo(Transcoder *t, int flush)
{
    int frame_size = t->aenc->frame_size, ret;

    while (av_audio_fifo_size(t->fifo) >= frame_size ||
           (flush && av_audio_fifo_size(t->fifo) > 0)) {
        AVFrame *f = av_frame_alloc();
        f->nb_samples = FFMIN(frame_size, av_audio_fifo_size(t->fifo));
        f->format = t->aenc->sample_fmt;
        f->sample_rate = t->aenc->sample_rate;
        av_channel_layout_copy(&f->ch_layout, &t->aenc->ch_layout);
        if ((ret = av_frame_get_buffer(f, 0)) < 0 ||
            (ret = av_audio_fifo_read(t->fifo, (void **)f->data, f->nb_samples)) < 0) {
            av_frame_free(&f);
            return igp_av_error(ret, t->source, _("audio buffer"));
        }
        f->pts = t->audio_pts;
        t->audio_pts += f->nb_samples;
        ret = avcodec_send_frame(t->aenc, f);
        av_frame_free(&f);
        if (ret < 0)
            return igp_av_error(ret, t->source, _("cannot encode audio"));
        if ((ret = write_encoded(t, t->aenc, t->aout)) < 0)
            return ret;
    }
    return 0;
}

/* Resample @p in (NULL: drain the resampler) into the FIFO. */
static int resample_into_fifo(Transcoder *t, const AVFrame *in)
{
    int max_out = swr_get_out_samples(t->swr, in ? in->nb_samples : 0);
    uint8_t **buf = NULL;
    int n, ret;

    if (max_out <= 0)
        return 0;
    if (av_samples_alloc_array_and_samples(&buf, NULL, t->aenc->ch_layout.nb_channels, max_out,
                                           t->aenc->sample_fmt, 0) < 0)
        return IGP_ERR(ENOMEM);
    n = swr_convert(t->swr, buf, max_out, in ? (const uint8_t **)in->extended_data : NULL,
                    in ? in->nb_samples : 0);
    ret = n < 0 ? igp_av_error(n, t->source, _("cannot resample audio"))
          : av_audio_fifo_write(t->fifo, (void **)buf, n) < n ? IGP_ERR(ENOMEM)
                                                              : 0;
    av_freep(&buf[0]);
    av_freep(&buf);
    return ret;
}

static int decode_audio(Transcoder *t, const AVPacket *pkt)
{
    int ret = avcodec_send_packet(t->adec, pkt);
    if (ret < 0 && ret != AVERROR_EOF)
        return igp_av_error(ret, t->source, _("cannot decode audio"));
    while ((ret = avcodec_receive_frame(t->adec, t->frame)) >= 0) {
        ret = resample_into_fifo(t, t->frame);
        av_frame_unref(t->frame);
        if (ret < 0 || (ret = encode_audio_fifo(t, 0)) < 0)
            return ret;
    }
    if (ret != AVERROR(EAGAIN) && ret != AVERROR_EOF)
        return igp_av_error(ret, t->source, _("cannot decode audio"));
    return 0;
}

/* Read every packet; streams other than the chosen two are never touched. */
static int transcode_packets(Transcoder *t)
{
    int ret;
    while ((ret = av_read_frame(t->in, t->packet)) >= 0) {
        int index = t->packet->stream_index;
        if (index == t->video_index)
            ret = decode_video(t, t->packet);
        else if (index == t->audio_index)
            ret = decode_audio(t, t->packet);
        av_packet_unref(t->packet);
        if (ret < 0)
            return ret;
    }
    if (ret != AVERROR_EOF)
        return igp_av_error(ret, t->source, _("cannot read video (truncated?)"));
    return 0;
}

static int flush_all(Transcoder *t)
{
    int ret;
    if ((ret = decode_video(t, NULL)) < 0)
        return ret;
    if ((ret = av_buffersrc_add_frame(t->buffer_src, NULL)) < 0)
        return igp_av_error(ret, t->source, _("video filters"));
    if ((ret = encode_filtered_video(t)) < 0)
        return ret;
    avcodec_send_frame(t->venc, NULL);
    if ((ret = write_encoded(t, t->venc, t->vout)) < 0)
        return ret;
    if (t->adec) {
        if ((ret = decode_audio(t, NULL)) < 0 || (ret = resample_into_fifo(t, NULL)) < 0 ||
            (ret = encode_audio_fifo(t, 1)) < 0)
            return ret;
        avcodec_send_frame(t->aenc, NULL);
        if ((ret = write_encoded(t, t->aenc, t->aout)) < 0)
            return ret;
    }
    return 0;
}

static void transcoder_release(Transcoder *t)
{
    avcodec_free_context(&t->vdec);
    avcodec_free_context(&t->venc);
    avcodec_free_context(&t->adec);
    avcodec_free_context(&t->aenc);
    avfilter_graph_free(&t->graph);
    swr_free(&t->swr);
    if (t->fifo)
        av_audio_fifo_free(t->fifo);
    if (t->out) {
        avio_closep(&t->out->pb);
        avformat_free_context(t->out);
    }
    avformat_close_input(&t->in);
    av_frame_free(&t->frame);
    av_frame_free(&t->filtered);
    av_packet_free(&t->packet);
}

int igp_video_check_limits(const char *source, const IgpVideoLimits *limits)
{
    Transcoder t = {.source = source, .video_index = -1, .audio_index = -1};
    int ret = open_input(&t, limits);
    transcoder_release(&t);
    return ret;
}

static int transcode(Transcoder *t, const char *tmp, const IgpVideoLimits *limits)
{
    int ret;

    if ((ret = open_input(t, limits)) < 0 || (ret = open_decoder(t, t->video_index, &t->vdec)) < 0)
        return ret;
    /* A broken audio track must not stop the pictures: go on without it. */
    if (t->audio_index >= 0 && open_decoder(t, t->audio_index, &t->adec) < 0) {
        avcodec_free_context(&t->adec);
        igp_error_clear();
        t->audio_index = -1;
        t->info.has_audio = 0;
    }
    t->frame = av_frame_alloc();
    t->filtered = av_frame_alloc();
    t->packet = av_packet_alloc();
    if (!t->frame || !t->filtered || !t->packet)
        return IGP_ERR(ENOMEM);
    if ((ret = build_video_graph(t)) < 0 || (ret = open_output(t, tmp)) < 0 ||
        (ret = transcode_packets(t)) < 0 || (ret = flush_all(t)) < 0)
        return ret;
    if ((ret = av_write_trailer(t->out)) < 0)
        return igp_av_error(ret, tmp, _("cannot finish MP4"));
    if (t->vout->nb_frames == 0)
        return igp_error(IGP_ERR_INVALIDDATA, t->source, _("no video frame could be decoded"));
    t->info.duration = t->in->duration > 0 ? t->in->duration / (double)AV_TIME_BASE : 0;
    return 0;
}

int igp_video_scrub(const char *source, const char *path, const IgpVideoLimits *limits,
                    IgpVideoInfo *info)
{
    Transcoder t = {.source = source, .video_index = -1, .audio_index = -1};
    IgpVideoLimits defaults;
    char *tmp = igp_temp_sibling(path);
    int ret;

    if (!limits) {
        igp_video_default_limits(&defaults);
        limits = &defaults;
    }
    ret = transcode(&t, tmp, limits);
    if (ret == 0 && info)
        *info = t.info;
    transcoder_release(&t); /* closes the output before it is synced and renamed */
    if (ret == 0 && (ret = igp_fsync_path(tmp)) == 0)
        ret = igp_publish(tmp, path);
    if (ret != 0)
        unlink(tmp);
    g_free(tmp);
    return ret;
}
