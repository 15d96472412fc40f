/* verify, videos: igprep's own box walk for privacy and structure, and
 * libavformat for the stream parameters Instagram limits. */
#include "checks.h"
#include "posttype.h"

#include "bmffwalk.h"
#include "error.h"
#include "i18n.h"
#include "fsutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <libavcodec/avcodec.h>
#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/common.h>
#include <libavutil/pixdesc.h>

/* instagram-specs §2, §3 and §10 */
#define MAX_VIDEO_WIDTH   1920
#define MIN_FPS           23.0
#define MAX_FPS           60.0
#define MAX_AUDIO_RATE    48000
#define MAX_BITRATE       25000000
#define MIN_DURATION      3.0
#define MAX_REEL_DURATION 900.0
#define MAX_STORY_SECONDS 60.0
#define MAX_REEL_BYTES    300000000LL
#define MAX_STORY_BYTES   100000000LL
/* igprep's own reel and story outputs (instagram-specs §10, the targets) */
#define REEL_WIDTH        1080
#define REEL_HEIGHT       1920
#define MAX_KEY_GAP       2.0
#define TARGET_AUDIO_RATE 48000
#define MIN_AUDIO_BITRATE 96000
#define MAX_AUDIO_BITRATE 160000
#define TARGET_LUFS       -14.0
#define LUFS_TOLERANCE    1.0
#define MAX_TRUE_PEAK     -1.0

/* Container and stream tags that describe the format, not a person or place. */
static int benign_tag(const char *key)
{
    static const char *const benign[] = {"major_brand",
                                         "minor_version",
                                         "compatible_brands",
                                         "handler_name",
                                         "vendor_id",
                                         "language",
                                         NULL};
    for (const char *const *b = benign; *b; b++)
        if (!strcmp(key, *b))
            return 1;
    return 0;
}

static void collect_tags(json_t *list, const AVDictionary *tags, const char *where)
{
    const AVDictionaryEntry *e = NULL;
    while ((e = av_dict_get(tags, "", e, AV_DICT_IGNORE_SUFFIX)))
        if (!benign_tag(e->key))
            json_array_append_new(list, json_sprintf("%s%s=%s", where, e->key, e->value));
}

static void check_privacy(IgpFileReport *r, AVFormatContext *fmt, const IgpBmffWalk *w)
{
    json_t *tags = json_array();

    igp_check_findings(r, w->found.n == 0, &w->found,
                       N_("no udta, meta, keys, uuid boxes, metadata items or creation times"));
    collect_tags(tags, fmt->metadata, "");
    for (unsigned i = 0; i < fmt->nb_streams; i++) {
        char where[24];
        snprintf(where, sizeof(where), "stream %u: ", i);
        collect_tags(tags, fmt->streams[i]->metadata, where);
    }
    igp_check(r, "tags", json_array_size(tags) == 0, tags, N_("no container or stream tags"));
    igp_check(r, "streams",
              w->video_tracks == 1 && w->audio_tracks <= 1 && w->other_tracks == 0 &&
                  fmt->nb_chapters == 0,
              json_sprintf("%d video, %d audio, %d other, %u chapters", w->video_tracks,
                           w->audio_tracks, w->other_tracks, fmt->nb_chapters),
              N_("1 video, at most 1 audio, nothing else"));
}

static double frame_rate(const AVStream *st)
{
    AVRational r = st->avg_frame_rate.num ? st->avg_frame_rate : st->r_frame_rate;
    return r.den ? av_q2d(r) : 0;
}

/* ---- what the packets say (read back, nothing decoded) ---- */

/* The video stream's packets as the demuxer hands them over: timestamps,
 * durations and key flags, in decode order. */
typedef struct VideoPackets {
    int n;
    int64_t min_delta, max_delta;       ///< of consecutive DTS, in the stream's time base
    int64_t min_duration, max_duration; ///< of the packets' own durations
    int missing_duration;               ///< packets without a duration
    int first_key;                      ///< the first packet is a keyframe
    int keys;
    double max_key_gap;  ///< seconds between keyframes, and from the last one to the end
    int open_gop_frames; ///< packets after a keyframe (decode order) shown before it
    int64_t end;         ///< largest pts + duration
    int64_t first_pts;
} VideoPackets;

static void read_video_packets(AVFormatContext *fmt, int v, VideoPackets *vp)
{
    AVPacket *pkt = av_packet_alloc();
    AVStream *st = fmt->streams[v];
    int64_t prev_dts = AV_NOPTS_VALUE, last_key_pts = AV_NOPTS_VALUE;
    double tb = av_q2d(st->time_base);

    memset(vp, 0, sizeof(*vp));
    vp->min_delta = vp->min_duration = INT64_MAX;
    vp->end = vp->first_pts = AV_NOPTS_VALUE;
    if (!pkt)
        return;
    for (unsigned i = 0; i < fmt->nb_streams; i++)
        fmt->streams[i]->discard = (int)i == v ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
    avformat_seek_file(fmt, v, INT64_MIN, 0, INT64_MAX, AVSEEK_FLAG_BACKWARD);
    while (av_read_frame(fmt, pkt) >= 0) {
        if (pkt->stream_index != v) {
            av_packet_unref(pkt);
            continue;
        }
        int key = !!(pkt->flags & AV_PKT_FLAG_KEY);
        int64_t pts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
        if (vp->n == 0)
            vp->first_key = key;
        if (prev_dts != AV_NOPTS_VALUE && pkt->dts != AV_NOPTS_VALUE) {
            int64_t d = pkt->dts - prev_dts;
            vp->min_delta = FFMIN(vp->min_delta, d);
            vp->max_delta = FFMAX(vp->max_delta, d);
        }
        if (pkt->duration > 0) {
            vp->min_duration = FFMIN(vp->min_duration, pkt->duration);
            vp->max_duration = FFMAX(vp->max_duration, pkt->duration);
        } else {
            vp->missing_duration++;
        }
        if (pts != AV_NOPTS_VALUE) {
            if (vp->first_pts == AV_NOPTS_VALUE || pts < vp->first_pts)
                vp->first_pts = pts;
            if (vp->end == AV_NOPTS_VALUE || pts + pkt->duration > vp->end)
                vp->end = pts + pkt->duration;
            /* A picture decoded after a keyframe but shown before it refers
             * to the previous GOP: an open GOP (x264 --open-gop, HEVC CRA). */
            if (!key && last_key_pts != AV_NOPTS_VALUE && vp->keys > 1 && pts < last_key_pts)
                vp->open_gop_frames++;
            if (key) {
                if (last_key_pts != AV_NOPTS_VALUE)
                    vp->max_key_gap = FFMAX(vp->max_key_gap, (pts - last_key_pts) * tb);
                last_key_pts = pts;
                vp->keys++;
            }
        }
        prev_dts = pkt->dts;
        vp->n++;
        av_packet_unref(pkt);
    }
    if (last_key_pts != AV_NOPTS_VALUE && vp->end != AV_NOPTS_VALUE)
        vp->max_key_gap = FFMAX(vp->max_key_gap, (vp->end - last_key_pts) * tb);
    for (unsigned i = 0; i < fmt->nb_streams; i++)
        fmt->streams[i]->discard = AVDISCARD_DEFAULT;
    av_packet_free(&pkt);
}

/* ---- loudness: the one thing read by decoding (libavcodec + ebur128) ---- */

typedef struct Loudness {
    int measured;      ///< the filter gave an integrated value
    double integrated; ///< LUFS
    double true_peak;  ///< dBTP, the largest of the channels
    int silent;        ///< every decoded sample was zero
} Loudness;

static int meta_double(const AVDictionary *m, const char *key, double *v)
{
    const AVDictionaryEntry *e = av_dict_get(m, key, NULL, 0);
    if (!e)
        return 0;
    *v = strtod(e->value, NULL);
    return 1;
}

static void read_r128(const AVFrame *f, int channels, Loudness *l)
{
    double v;
    if (meta_double(f->metadata, "lavfi.r128.I", &v)) {
        l->integrated = v;
        l->measured = 1;
    }
    for (int ch = 0; ch < channels; ch++) {
        char key[40];
        snprintf(key, sizeof(key), "lavfi.r128.true_peaks_ch%d", ch);
        if (meta_double(f->metadata, key, &v) && v > 0)
            l->true_peak = FFMAX(l->true_peak, 20 * log10(v));
    }
}

static int drain_r128(AVFilterContext *sink, AVFrame *f, int channels, Loudness *l)
{
    int ret;
    while ((ret = av_buffersink_get_frame(sink, f)) >= 0) {
        read_r128(f, channels, l);
        av_frame_unref(f);
    }
    return ret == AVERROR(EAGAIN) || ret == AVERROR_EOF ? 0 : ret;
}

/* Any sample at or above 16-bit's smallest step: a decoded silent AAC track
 * holds zeros (some negative zeros), never that much. */
static int has_sound(const AVFrame *f)
{
    enum AVSampleFormat packed = av_get_packed_sample_fmt(f->format);
    int planar = av_sample_fmt_is_planar(f->format);
    int planes = planar ? f->ch_layout.nb_channels : 1;
    int n = f->nb_samples * (planar ? 1 : f->ch_layout.nb_channels);
    const double step = 1.0 / 32768;

    for (int p = 0; p < planes; p++)
        for (int i = 0; i < n; i++) {
            const uint8_t *d = f->extended_data[p];
            double x = packed == AV_SAMPLE_FMT_FLT   ? ((const float *)d)[i]
                       : packed == AV_SAMPLE_FMT_DBL ? ((const double *)d)[i]
                       : packed == AV_SAMPLE_FMT_S16 ? ((const int16_t *)d)[i] / 32768.0
                       : packed == AV_SAMPLE_FMT_S32 ? ((const int32_t *)d)[i] / 2147483648.0
                                                     : (d[i] - 128) / 128.0;
            if (fabs(x) >= step)
                return 1;
        }
    return 0;
}

/* Decode the audio stream and run it through libavfilter's ebur128
 * (peak=true, metadata=1): integrated loudness and true peak as the last
 * frame's lavfi.r128.* metadata give them. */
static int measure_loudness(AVFormatContext *fmt, int a, Loudness *l)
{
    AVStream *st = fmt->streams[a];
    const AVCodec *codec = avcodec_find_decoder(st->codecpar->codec_id);
    AVCodecContext *dec = NULL;
    AVFilterGraph *graph = avfilter_graph_alloc();
    AVFilterContext *src = NULL, *sink = NULL;
    AVFilterInOut *in = NULL, *out = NULL;
    AVPacket *pkt = av_packet_alloc();
    AVFrame *frame = av_frame_alloc(), *filtered = av_frame_alloc();
    char args[256], layout[64];
    int ret = AVERROR(ENOMEM), channels = 0;

    memset(l, 0, sizeof(*l));
    l->true_peak = -HUGE_VAL;
    l->silent = 1;
    if (!graph || !pkt || !frame || !filtered)
        goto done;
    ret = AVERROR_DECODER_NOT_FOUND;
    if (!codec || !(dec = avcodec_alloc_context3(codec)))
        goto done;
    if ((ret = avcodec_parameters_to_context(dec, st->codecpar)) < 0 ||
        (ret = avcodec_open2(dec, codec, NULL)) < 0)
        goto done;
    channels = dec->ch_layout.nb_channels;
    av_channel_layout_describe(&dec->ch_layout, layout, sizeof(layout));
    snprintf(args, sizeof(args), "time_base=1/%d:sample_rate=%d:sample_fmt=%s:channel_layout=%s",
             dec->sample_rate, dec->sample_rate, av_get_sample_fmt_name(dec->sample_fmt), layout);
    if ((ret = avfilter_graph_create_filter(&src, avfilter_get_by_name("abuffer"), "in", args, NULL,
                                            graph)) < 0 ||
        (ret = avfilter_graph_create_filter(&sink, avfilter_get_by_name("abuffersink"), "out", NULL,
                                            NULL, graph)) < 0)
        goto done;
    ret = AVERROR(ENOMEM);
    if (!(in = avfilter_inout_alloc()) || !(out = avfilter_inout_alloc()))
        goto done;
    out->name = av_strdup("in");
    out->filter_ctx = src;
    in->name = av_strdup("out");
    in->filter_ctx = sink;
    if ((ret = avfilter_graph_parse_ptr(graph, "ebur128=peak=true:metadata=1", &in, &out, NULL)) <
            0 ||
        (ret = avfilter_graph_config(graph, NULL)) < 0)
        goto done;

    for (unsigned i = 0; i < fmt->nb_streams; i++)
        fmt->streams[i]->discard = (int)i == a ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
    avformat_seek_file(fmt, a, INT64_MIN, 0, INT64_MAX, AVSEEK_FLAG_BACKWARD);
    int eof = 0;
    while (!eof) {
        if ((ret = av_read_frame(fmt, pkt)) < 0) {
            eof = 1;
            ret = avcodec_send_packet(dec, NULL);
        } else if (pkt->stream_index != a) {
            av_packet_unref(pkt);
            continue;
        } else {
            ret = avcodec_send_packet(dec, pkt);
            av_packet_unref(pkt);
        }
        if (ret < 0 && ret != AVERROR_EOF)
            goto done;
        while ((ret = avcodec_receive_frame(dec, frame)) >= 0) {
            if (l->silent && has_sound(frame))
                l->silent = 0;
            ret = av_buffersrc_add_frame(src, frame);
            av_frame_unref(frame);
            if (ret < 0 || (ret = drain_r128(sink, filtered, channels, l)) < 0)
                goto done;
        }
        if (ret != AVERROR(EAGAIN) && ret != AVERROR_EOF)
            goto done;
    }
    if ((ret = av_buffersrc_add_frame(src, NULL)) >= 0)
        ret = drain_r128(sink, filtered, channels, l);
done:
    for (unsigned i = 0; i < fmt->nb_streams; i++)
        fmt->streams[i]->discard = AVDISCARD_DEFAULT;
    avfilter_inout_free(&in);
    avfilter_inout_free(&out);
    avfilter_graph_free(&graph);
    avcodec_free_context(&dec);
    av_frame_free(&frame);
    av_frame_free(&filtered);
    av_packet_free(&pkt);
    return ret < 0 ? ret : 0;
}

/* ---- the checks ---- */

static void check_video_stream(IgpFileReport *r, const AVStream *st, int target)
{
    const AVCodecParameters *p = st->codecpar;
    const char *pix = av_get_pix_fmt_name(p->format);
    double fps = frame_rate(st);

    if (target)
        igp_check(r, "video_codec", p->codec_id == AV_CODEC_ID_H264,
                  json_string(avcodec_get_name(p->codec_id)), "h264");
    else
        igp_check(r, "video_codec",
                  p->codec_id == AV_CODEC_ID_H264 || p->codec_id == AV_CODEC_ID_HEVC,
                  json_string(avcodec_get_name(p->codec_id)), N_("h264 or hevc"));
    igp_check(r, "pix_fmt", pix && !strcmp(pix, "yuv420p"), json_string(pix ? pix : N_("unknown")),
              "yuv420p");
    igp_check(r, "progressive",
              p->field_order == AV_FIELD_PROGRESSIVE || p->field_order == AV_FIELD_UNKNOWN,
              json_integer(p->field_order), N_("progressive"));
    if (target)
        igp_check(r, "dimensions", p->width == REEL_WIDTH && p->height == REEL_HEIGHT,
                  json_sprintf("%dx%d", p->width, p->height), "1080x1920");
    else
        igp_check(r, "width", p->width > 0 && p->width <= MAX_VIDEO_WIDTH, json_integer(p->width),
                  "<= 1920");
    if (!target)
        igp_check(r, "fps", fps >= MIN_FPS && fps <= MAX_FPS, json_real(fps), "23..60");
    if (p->bit_rate > 0)
        igp_check(r, "video_bitrate", p->bit_rate <= MAX_BITRATE, json_integer(p->bit_rate),
                  "<= 25000000");
}

/* H.264 profile and level as the sample entry's avcC record states them
 * (AVCProfileIndication, AVCLevelIndication), which is what a reader of the
 * file sees before any decoding. */
static void check_h264_profile(IgpFileReport *r, const AVStream *st, double fps)
{
    const AVCodecParameters *p = st->codecpar;
    int have_avcc =
        p->codec_id == AV_CODEC_ID_H264 && p->extradata_size >= 7 && p->extradata[0] == 1;
    int profile = have_avcc ? p->extradata[1] : p->profile;
    int level = have_avcc ? p->extradata[3] : p->level;
    int max_level = fps > 30.5 ? 42 : 41;

    igp_check(r, "profile", profile == 100,
              json_string(profile == 100   ? "High"
                          : profile == 77  ? "Main"
                          : profile == 66  ? "Baseline"
                          : profile == 110 ? "High 10"
                          : profile == 122 ? "High 4:2:2"
                          : profile == 244 ? "High 4:4:4"
                          : profile > 0    ? N_("other")
                                           : N_("unknown")),
              "High");
    igp_check(r, "level", level > 0 && level <= max_level, json_real(level / 10.0),
              max_level == 42 ? N_("<= 4.2 (above 30 fps)") : "<= 4.1");
}

static void check_packets(IgpFileReport *r, const AVStream *st, const VideoPackets *vp,
                          double *fps_out)
{
    double tb = av_q2d(st->time_base);
    int constant = vp->n > 1 && vp->min_delta == vp->max_delta && vp->min_delta > 0 &&
                   vp->missing_duration == 0 && vp->min_duration == vp->max_duration &&
                   vp->min_duration == vp->min_delta;
    double fps = constant ? 1.0 / (vp->min_delta * tb) : 0;
    static const double allowed[] = {24, 25, 30, 50, 60};
    int allowed_fps = 0;

    for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
        allowed_fps |= fabs(fps - allowed[i]) < 1e-6;
    if (constant)
        igp_check(r, "frame_rate", allowed_fps, json_real(fps),
                  N_("constant 24, 25, 30, 50 or 60 fps (every packet as long)"));
    else
        igp_check(r, "frame_rate", 0,
                  vp->n > 1 ? json_sprintf(
                                  "variable: DTS steps %.1f..%.1f ms, durations %.1f..%.1f ms",
                                  vp->min_delta * tb * 1e3, vp->max_delta * tb * 1e3,
                                  vp->min_duration == INT64_MAX ? 0.0 : vp->min_duration * tb * 1e3,
                                  vp->max_duration * tb * 1e3)
                            : json_sprintf("%d packets", vp->n),
                  N_("constant 24, 25, 30, 50 or 60 fps (every packet as long)"));
    *fps_out = constant ? fps : frame_rate(st);
    igp_check(r, "keyframe_interval", vp->first_key && vp->max_key_gap <= MAX_KEY_GAP + 1e-6,
              vp->first_key ? json_real(vp->max_key_gap)
                            : json_string(N_("first frame not a keyframe")),
              N_("<= 2 s, first frame a keyframe"));
    igp_check(r, "closed_gop", vp->open_gop_frames == 0, json_integer(vp->open_gop_frames),
              N_("0 frames referring across a keyframe"));
}

static void check_colour(IgpFileReport *r, const AVCodecParameters *p)
{
    const char *pri = av_color_primaries_name(p->color_primaries);
    const char *trc = av_color_transfer_name(p->color_trc);
    const char *mat = av_color_space_name(p->color_space);
    const char *range = av_color_range_name(p->color_range);

    igp_check(r, "colour",
              p->color_primaries == AVCOL_PRI_BT709 && p->color_trc == AVCOL_TRC_BT709 &&
                  p->color_space == AVCOL_SPC_BT709 && p->color_range == AVCOL_RANGE_MPEG,
              json_sprintf("%s/%s/%s/%s", pri ? pri : "?", trc ? trc : "?", mat ? mat : "?",
                           range ? range : "?"),
              N_("bt709/bt709/bt709/tv (primaries/transfer/matrix/range)"));
}

static void check_audio_stream(IgpFileReport *r, const AVStream *st, int target)
{
    const AVCodecParameters *p = st->codecpar;

    igp_check(r, "audio_codec", p->codec_id == AV_CODEC_ID_AAC,
              json_string(avcodec_get_name(p->codec_id)), "aac");
    if (!target) {
        igp_check(r, "audio_rate", p->sample_rate > 0 && p->sample_rate <= MAX_AUDIO_RATE,
                  json_integer(p->sample_rate), "<= 48000");
        igp_check(r, "audio_channels",
                  p->ch_layout.nb_channels >= 1 && p->ch_layout.nb_channels <= 2,
                  json_integer(p->ch_layout.nb_channels), "1 or 2");
        return;
    }
    const char *profile = avcodec_profile_name(p->codec_id, p->profile);
    igp_check(r, "audio_profile",
              p->codec_id == AV_CODEC_ID_AAC && p->profile == FF_PROFILE_AAC_LOW,
              json_string(profile ? profile : N_("unknown")), "LC");
    igp_check(r, "audio_rate", p->sample_rate == TARGET_AUDIO_RATE, json_integer(p->sample_rate),
              "48000");
    igp_check(r, "audio_channels", p->ch_layout.nb_channels == 2,
              json_integer(p->ch_layout.nb_channels), "2");
}

static void check_audio_target(IgpFileReport *r, AVFormatContext *fmt, int a)
{
    const AVCodecParameters *p = fmt->streams[a]->codecpar;
    Loudness l;
    int ret = measure_loudness(fmt, a, &l);
    char msg[AV_ERROR_MAX_STRING_SIZE];

    if (ret < 0) {
        av_strerror(ret, msg, sizeof(msg));
        igp_check(r, "loudness", 0, json_sprintf("not measured: %s", msg), "-14 +-1 LUFS");
        return;
    }
    /* A source without sound gets a silent track (the render's documented
     * choice): no loudness to measure, and AAC spends almost no bits on it. */
    if (l.silent) {
        igp_check(r, "loudness", 1, json_string(N_("digital silence")),
                  N_("-14 +-1 LUFS, or digital silence (a source without audio)"));
        igp_check(r, "true_peak", 1, json_string(N_("digital silence")), "<= -1 dBTP");
        igp_check(r, "audio_bitrate", p->bit_rate <= MAX_AUDIO_BITRATE, json_integer(p->bit_rate),
                  N_("<= 160000 (silent track)"));
        return;
    }
    igp_check(r, "loudness", l.measured && fabs(l.integrated - TARGET_LUFS) <= LUFS_TOLERANCE,
              l.measured ? json_real(round(l.integrated * 10) / 10)
                         : json_string(N_("not measured")),
              N_("-14 +-1 LUFS integrated"));
    igp_check(r, "true_peak", isfinite(l.true_peak) && l.true_peak <= MAX_TRUE_PEAK + 1e-9,
              isfinite(l.true_peak) ? json_real(round(l.true_peak * 10) / 10)
                                    : json_string(N_("not measured")),
              "<= -1 dBTP");
    igp_check(r, "audio_bitrate",
              p->bit_rate >= MIN_AUDIO_BITRATE && p->bit_rate <= MAX_AUDIO_BITRATE,
              json_integer(p->bit_rate), N_("96000..160000 (128k target)"));
}

static void check_limits(IgpFileReport *r, const char *path, AVFormatContext *fmt,
                         const IgpBmffWalk *w, const char *kind)
{
    const IgpOutputKind *k = igp_output_kind_find(kind);
    int story = k && k->story_spec;
    int target = k && k->ours; /* igprep's own outputs: its targets */
    int v = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    int a = av_find_best_stream(fmt, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0);
    double duration = fmt->duration > 0 ? fmt->duration / (double)AV_TIME_BASE : 0;
    int64_t bytes = igp_file_size(path);

    igp_check(r, "faststart", w->moov_before_mdat, json_boolean(w->moov_before_mdat),
              N_("moov before mdat"));
    igp_check(r, "edit_lists", w->edit_lists == 0, json_integer(w->edit_lists), "0");
    if (v >= 0)
        check_video_stream(r, fmt->streams[v], target);
    else if (target)
        igp_check(r, "video_track", 0, json_string(N_("none")), N_("one H.264 video track"));
    if (v >= 0 && target) {
        VideoPackets vp;
        double fps;
        read_video_packets(fmt, v, &vp);
        check_packets(r, fmt->streams[v], &vp, &fps);
        check_h264_profile(r, fmt->streams[v], fps);
        check_colour(r, fmt->streams[v]->codecpar);
    }
    if (a >= 0) {
        check_audio_stream(r, fmt->streams[a], target);
        if (target)
            check_audio_target(r, fmt, a);
    } else if (target) {
        igp_check(r, "audio_track", 0, json_string(N_("none")),
                  N_("one AAC track (silent when the source has no sound)"));
    }
    igp_check(r, "duration",
              duration >= MIN_DURATION &&
                  duration <= (story ? MAX_STORY_SECONDS : MAX_REEL_DURATION),
              json_real(duration), story ? "3..60 s" : "3..900 s");
    igp_check(r, "bytes", bytes >= 0 && bytes <= (story ? MAX_STORY_BYTES : MAX_REEL_BYTES),
              json_integer(bytes), story ? "<= 100000000" : "<= 300000000");
}

void igp_check_video(IgpFileReport *r, const char *path, const char *kind)
{
    AVFormatContext *fmt = NULL;
    IgpBmffWalk w;
    char msg[AV_ERROR_MAX_STRING_SIZE];
    int ret;

    if (igp_bmff_walk(path, &w) != 0) {
        igp_check(r, "structure", 0, json_string(igp_error_buffer()), N_("well-formed MP4/MOV"));
        igp_error_clear();
        return;
    }
    if ((ret = avformat_open_input(&fmt, path, NULL, NULL)) < 0 ||
        (ret = avformat_find_stream_info(fmt, NULL)) < 0) {
        av_strerror(ret, msg, sizeof(msg));
        igp_check(r, "structure", 0, json_string(msg), N_("readable by libavformat"));
        avformat_close_input(&fmt);
        return;
    }
    igp_check(r, "structure", 1, json_string(N_("readable")), N_("well-formed MP4/MOV"));
    check_privacy(r, fmt, &w);
    if (strcmp(kind, "master-video") != 0)
        check_limits(r, path, fmt, &w, kind);
    avformat_close_input(&fmt);
}
