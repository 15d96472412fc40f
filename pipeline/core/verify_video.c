/* verify, videos: igprep's own box walk for privacy and structure, and
 * libavformat for the stream parameters Instagram limits. */
#include "checks.h"

#include "bmffwalk.h"
#include "error.h"
#include "fsutil.h"

#include <string.h>

#include <glib.h>
#include <libavformat/avformat.h>
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

    igp_check(r, "metadata", w->found.n == 0, igp_findings_json(&w->found),
              "no udta, meta, keys, uuid boxes, metadata items or creation times");
    collect_tags(tags, fmt->metadata, "");
    for (unsigned i = 0; i < fmt->nb_streams; i++) {
        char where[24];
        snprintf(where, sizeof(where), "stream %u: ", i);
        collect_tags(tags, fmt->streams[i]->metadata, where);
    }
    igp_check(r, "tags", json_array_size(tags) == 0, tags, "no container or stream tags");
    igp_check(r, "streams",
              w->video_tracks == 1 && w->audio_tracks <= 1 && w->other_tracks == 0 &&
                  fmt->nb_chapters == 0,
              json_sprintf("%d video, %d audio, %d other, %u chapters", w->video_tracks,
                           w->audio_tracks, w->other_tracks, fmt->nb_chapters),
              "1 video, at most 1 audio, nothing else");
}

static double frame_rate(const AVStream *st)
{
    AVRational r = st->avg_frame_rate.num ? st->avg_frame_rate : st->r_frame_rate;
    return r.den ? av_q2d(r) : 0;
}

static void check_video_stream(IgpFileReport *r, const AVStream *st)
{
    const AVCodecParameters *p = st->codecpar;
    const char *pix = av_get_pix_fmt_name(p->format);
    double fps = frame_rate(st);

    igp_check(r, "video_codec", p->codec_id == AV_CODEC_ID_H264 || p->codec_id == AV_CODEC_ID_HEVC,
              json_string(avcodec_get_name(p->codec_id)), "h264 or hevc");
    igp_check(r, "pix_fmt", pix && !strcmp(pix, "yuv420p"), json_string(pix ? pix : "unknown"),
              "yuv420p");
    igp_check(r, "progressive",
              p->field_order == AV_FIELD_PROGRESSIVE || p->field_order == AV_FIELD_UNKNOWN,
              json_integer(p->field_order), "progressive");
    igp_check(r, "width", p->width > 0 && p->width <= MAX_VIDEO_WIDTH, json_integer(p->width),
              "<= 1920");
    igp_check(r, "fps", fps >= MIN_FPS && fps <= MAX_FPS, json_real(fps), "23..60");
    if (p->bit_rate > 0)
        igp_check(r, "video_bitrate", p->bit_rate <= MAX_BITRATE, json_integer(p->bit_rate),
                  "<= 25000000");
}

static void check_audio_stream(IgpFileReport *r, const AVStream *st)
{
    const AVCodecParameters *p = st->codecpar;

    igp_check(r, "audio_codec", p->codec_id == AV_CODEC_ID_AAC,
              json_string(avcodec_get_name(p->codec_id)), "aac");
    igp_check(r, "audio_rate", p->sample_rate > 0 && p->sample_rate <= MAX_AUDIO_RATE,
              json_integer(p->sample_rate), "<= 48000");
    igp_check(r, "audio_channels", p->ch_layout.nb_channels >= 1 && p->ch_layout.nb_channels <= 2,
              json_integer(p->ch_layout.nb_channels), "1 or 2");
}

static void check_limits(IgpFileReport *r, const char *path, AVFormatContext *fmt,
                         const IgpBmffWalk *w, int story)
{
    int v = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    int a = av_find_best_stream(fmt, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0);
    double duration = fmt->duration > 0 ? fmt->duration / (double)AV_TIME_BASE : 0;
    int64_t bytes = igp_file_size(path);

    igp_check(r, "faststart", w->moov_before_mdat, json_boolean(w->moov_before_mdat),
              "moov before mdat");
    igp_check(r, "edit_lists", w->edit_lists == 0, json_integer(w->edit_lists), "0");
    if (v >= 0)
        check_video_stream(r, fmt->streams[v]);
    if (a >= 0)
        check_audio_stream(r, fmt->streams[a]);
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
        igp_check(r, "structure", 0, json_string(igp_error_buffer()), "well-formed MP4/MOV");
        igp_error_clear();
        return;
    }
    if ((ret = avformat_open_input(&fmt, path, NULL, NULL)) < 0 ||
        (ret = avformat_find_stream_info(fmt, NULL)) < 0) {
        av_strerror(ret, msg, sizeof(msg));
        igp_check(r, "structure", 0, json_string(msg), "readable by libavformat");
        avformat_close_input(&fmt);
        return;
    }
    igp_check(r, "structure", 1, json_string("readable"), "well-formed MP4/MOV");
    check_privacy(r, fmt, &w);
    if (strcmp(kind, "master-video") != 0)
        check_limits(r, path, fmt, &w, !strcmp(kind, "story-video"));
    avformat_close_input(&fmt);
}
