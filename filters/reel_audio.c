/* Reel audio: loudnorm's first pass over a range of a clip (measuring), and
 * the filter chain of the second pass (applying the measured values). */
#include "reel_internal.h"

#include "error.h"
#include "i18n.h"
#include "video.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>
#include <libavcodec/avcodec.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavformat/avformat.h>

/* loudnorm reports its measurements only as log text when it is freed, so
 * the text is caught from av_log: per thread, only from loudnorm. */
static _Thread_local GString *loudnorm_text;

static void capture_loudnorm(void *avcl, int level, const char *fmt, va_list vl)
{
    const AVClass *cls = avcl ? *(const AVClass **)avcl : NULL;

    if (loudnorm_text && cls && !strcmp(cls->class_name, "AVFilter") &&
        !strcmp(((const AVFilterContext *)avcl)->filter->name, "loudnorm")) {
        va_list copy;
        va_copy(copy, vl);
        g_string_append_vprintf(loudnorm_text, fmt, copy);
        va_end(copy);
        return;
    }
    av_log_default_callback(avcl, level, fmt, vl);
}

static gpointer set_log_callback(gpointer unused)
{
    (void)unused;
    av_log_set_callback(capture_loudnorm);
    return NULL;
}

static void install_capture(void)
{
    static GOnce once = G_ONCE_INIT;
    g_once(&once, set_log_callback, NULL);
}

/* "-23.51" as loudnorm writes it; "-inf" for silence. */
static double measured(json_t *doc, const char *key)
{
    const char *text = json_string_value(json_object_get(doc, key));
    return text ? g_ascii_strtod(text, NULL) : NAN;
}

static int parse_measurements(const char *source, const char *text, IgpLoudness *out)
{
    const char *open = strchr(text, '{'), *close = strrchr(text, '}');
    json_t *doc = open && close > open ? json_loadb(open, close - open + 1, 0, NULL) : NULL;

    if (!doc)
        return igp_error(IGP_ERR_LIBRARY, source, _("loudnorm gave no measurements"));
    out->input_i = measured(doc, "input_i");
    out->input_tp = measured(doc, "input_tp");
    out->input_lra = measured(doc, "input_lra");
    out->input_thresh = measured(doc, "input_thresh");
    out->target_offset = measured(doc, "target_offset");
    json_decref(doc);
    return 0;
}

int igp_reel_audio_graph(AVFilterGraph **graph, AVFilterContext **src, AVFilterContext **sink,
                         const AVCodecContext *dec, AVRational time_base, double start, double end,
                         const char *chain)
{
    AVFilterInOut *inputs = avfilter_inout_alloc(), *outputs = avfilter_inout_alloc();
    char layout[64], args[256];
    char *full;
    int ret;

    av_channel_layout_describe(&dec->ch_layout, layout, sizeof(layout));
    snprintf(args, sizeof(args), "time_base=%d/%d:sample_rate=%d:sample_fmt=%s:channel_layout=%s",
             time_base.num, time_base.den, dec->sample_rate,
             av_get_sample_fmt_name(dec->sample_fmt), layout);
    *graph = avfilter_graph_alloc();
    if ((ret = avfilter_graph_create_filter(src, avfilter_get_by_name("abuffer"), "in", args, NULL,
                                            *graph)) < 0 ||
        (ret = avfilter_graph_create_filter(sink, avfilter_get_by_name("abuffersink"), "out", NULL,
                                            NULL, *graph)) < 0) {
        avfilter_inout_free(&inputs);
        avfilter_inout_free(&outputs);
        return igp_av_error(ret, "audio", _("cannot create audio filters"));
    }
    /* The mixdown first: loudness is measured on what will be heard. */
    full = g_strdup_printf("atrim=start=%.6f:end=%.6f,asetpts=PTS-STARTPTS,"
                           "aformat=channel_layouts=stereo,%s",
                           start, end, chain);
    outputs->name = av_strdup("in");
    outputs->filter_ctx = *src;
    inputs->name = av_strdup("out");
    inputs->filter_ctx = *sink;
    ret = avfilter_graph_parse_ptr(*graph, full, &inputs, &outputs, NULL);
    if (ret >= 0)
        ret = avfilter_graph_config(*graph, NULL);
    avfilter_inout_free(&inputs);
    avfilter_inout_free(&outputs);
    g_free(full);
    return ret < 0 ? igp_av_error(ret, "audio", _("cannot configure audio filters")) : 0;
}

char *igp_reel_loudnorm_chain(const IgpLoudness *l)
{
    char i[G_ASCII_DTOSTR_BUF_SIZE], tp[G_ASCII_DTOSTR_BUF_SIZE], lra[G_ASCII_DTOSTR_BUF_SIZE],
        th[G_ASCII_DTOSTR_BUF_SIZE], off[G_ASCII_DTOSTR_BUF_SIZE];

    /* Silence (or near it) cannot be brought to -14 LUFS: leave it as it is. */
    if (!isfinite(l->input_i) || l->input_i < -70 || !isfinite(l->input_tp) ||
        !isfinite(l->input_thresh))
        return g_strdup("anull");
    return g_strdup_printf(
        "loudnorm=I=%g:TP=%g:LRA=%g:measured_I=%s:measured_TP=%s:measured_LRA=%s:"
        "measured_thresh=%s:offset=%s:linear=true:print_format=none",
        IGP_REEL_LOUDNESS_I, IGP_REEL_LOUDNESS_TP, IGP_REEL_LOUDNESS_LRA,
        g_ascii_formatd(i, sizeof(i), "%.2f", l->input_i),
        g_ascii_formatd(tp, sizeof(tp), "%.2f", l->input_tp),
        g_ascii_formatd(lra, sizeof(lra), "%.2f", l->input_lra),
        g_ascii_formatd(th, sizeof(th), "%.2f", l->input_thresh),
        g_ascii_formatd(off, sizeof(off), "%.2f", l->target_offset));
}

/* Decode the audio of [start, end] into the measuring graph. */
static int feed_audio(AVFormatContext *in, int index, AVCodecContext *dec, AVFilterContext *src,
                      AVFilterContext *sink, double end)
{
    AVPacket *pkt = av_packet_alloc();
    AVFrame *frame = av_frame_alloc();
    AVRational tb = in->streams[index]->time_base;
    int ret = 0, done = 0;

    while (!done && ret >= 0) {
        ret = av_read_frame(in, pkt);
        if (ret == AVERROR_EOF) {
            ret = avcodec_send_packet(dec, NULL);
            done = 1;
        } else if (ret >= 0) {
            if (pkt->stream_index == index)
                ret = avcodec_send_packet(dec, pkt);
            /* Past the end: the rest of the file is not needed. */
            done = pkt->stream_index == index && pkt->pts != AV_NOPTS_VALUE &&
                   pkt->pts * av_q2d(tb) > end + 1;
            av_packet_unref(pkt);
            if (ret == AVERROR_INVALIDDATA)
                ret = 0; /* one damaged packet: the measure of the rest stands */
        }
        while (ret >= 0 && (ret = avcodec_receive_frame(dec, frame)) >= 0) {
            frame->pts = frame->best_effort_timestamp;
            ret = av_buffersrc_add_frame(src, frame);
            while (ret >= 0 && (ret = av_buffersink_get_frame(sink, frame)) >= 0)
                av_frame_unref(frame);
            ret = ret == AVERROR(EAGAIN) || ret == AVERROR_EOF ? 0 : ret;
        }
        ret = ret == AVERROR(EAGAIN) || ret == AVERROR_EOF ? 0 : ret;
    }
    if (ret >= 0 && (ret = av_buffersrc_add_frame(src, NULL)) >= 0)
        while ((ret = av_buffersink_get_frame(sink, frame)) >= 0)
            av_frame_unref(frame);
    av_packet_free(&pkt);
    av_frame_free(&frame);
    return ret == AVERROR_EOF || ret == AVERROR(EAGAIN) ? 0 : ret;
}

int igp_reel_measure_loudness(const char *source, double start, double end, IgpLoudness *out)
{
    AVFormatContext *in = NULL;
    AVCodecContext *dec = NULL;
    AVFilterGraph *graph = NULL;
    AVFilterContext *src, *sink;
    int index, ret;

    memset(out, 0, sizeof(*out));
    if ((ret = igp_reel_open_input(source, &in)) < 0)
        return ret;
    index = av_find_best_stream(in, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0);
    if (index < 0) {
        avformat_close_input(&in);
        return 0;
    }
    out->has_audio = 1;
    install_capture();
    if ((ret = igp_reel_open_decoder(source, in->streams[index], &dec)) == 0 &&
        (ret = igp_reel_audio_graph(&graph, &src, &sink, dec, in->streams[index]->time_base, start,
                                    end, "loudnorm=I=-14:TP=-1:LRA=11:print_format=json")) == 0) {
        if (start > 0)
            av_seek_frame(in, -1, (int64_t)(start * AV_TIME_BASE), AVSEEK_FLAG_BACKWARD);
        if ((ret = feed_audio(in, index, dec, src, sink, end)) < 0)
            ret = igp_av_error(ret, source, _("cannot decode audio"));
    }
    /* Freeing the graph is when loudnorm prints what it measured. */
    loudnorm_text = g_string_new(NULL);
    avfilter_graph_free(&graph);
    if (ret == 0)
        ret = parse_measurements(source, loudnorm_text->str, out);
    g_string_free(loudnorm_text, TRUE);
    loudnorm_text = NULL;
    avcodec_free_context(&dec);
    avformat_close_input(&in);
    return ret;
}
