/* verify, faces in videos: every frame of a reel or story video is checked
 * against the scrubbed master, independently of the render that hid them.
 * For each face track not cleared, the part of its box inside the frame's
 * window (reports/reels/<id>.json says which source moment and window each
 * frame shows) must have lost its fine detail: the band-passed luma of the
 * output and of the master there hardly correlate. A face left as it was
 * scores about 0.9; hidden, below 0.2. */
#include "checks.h"
#include "faces.h"
#include "stage.h"
#include "track.h"

#include "error.h"
#include "i18n.h"

#include <math.h>
#include <string.h>

#include <glib.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/pixdesc.h>

/* The same bound as for photos (verify_faces.c). */
#define MAX_DETAIL_CORRELATION 0.35
/* Boxes are compared on a grid of this many samples across. */
#define GRID 48
/* Smaller visible parts of a face (output pixels) are not measured. */
#define MIN_VISIBLE 16
/* How many failing face-frames the report lists. */
#define MAX_LISTED 20

/* Sequential decoding of one video's pictures. */
typedef struct Reader {
    AVFormatContext *in;
    AVCodecContext *dec;
    AVPacket *pkt;
    int vi, eof;
    double tb;
    int64_t first;
} Reader;

static void reader_close(Reader *r)
{
    avcodec_free_context(&r->dec);
    avformat_close_input(&r->in);
    av_packet_free(&r->pkt);
}

static int reader_open(Reader *r, const char *path)
{
    const AVCodec *codec;

    memset(r, 0, sizeof(*r));
    if (avformat_open_input(&r->in, path, NULL, NULL) < 0 ||
        avformat_find_stream_info(r->in, NULL) < 0 ||
        (r->vi = av_find_best_stream(r->in, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0)) < 0 ||
        !(r->dec = avcodec_alloc_context3(codec)) ||
        avcodec_parameters_to_context(r->dec, r->in->streams[r->vi]->codecpar) < 0 ||
        (r->dec->thread_count = 0) != 0 || avcodec_open2(r->dec, codec, NULL) < 0 ||
        !(r->pkt = av_packet_alloc()))
        return igp_error(IGP_ERR_INVALIDDATA, path, _("cannot decode"));
    r->tb = av_q2d(r->in->streams[r->vi]->time_base);
    r->first =
        r->in->streams[r->vi]->start_time != AV_NOPTS_VALUE ? r->in->streams[r->vi]->start_time : 0;
    return 0;
}

/* The next picture, or 0 at the end; its time in seconds from the start. */
static int reader_next(Reader *r, AVFrame *f, double *t)
{
    for (;;) {
        int ret = avcodec_receive_frame(r->dec, f);
        if (ret >= 0) {
            *t = (f->best_effort_timestamp - r->first) * r->tb;
            return 1;
        }
        if (ret == AVERROR_EOF || (ret != AVERROR(EAGAIN)))
            return 0;
        if (r->eof)
            return 0;
        while ((ret = av_read_frame(r->in, r->pkt)) >= 0 && r->pkt->stream_index != r->vi)
            av_packet_unref(r->pkt);
        if (ret < 0) {
            r->eof = 1;
            avcodec_send_packet(r->dec, NULL);
        } else {
            avcodec_send_packet(r->dec, r->pkt);
            av_packet_unref(r->pkt);
        }
    }
}

/* Luma of @p f at (x, y), bilinear, 0..1 whatever the bit depth. */
static double luma_at(const AVFrame *f, double x, double y, int high)
{
    int x0 = (int)CLAMP(floor(x), 0, f->width - 2), y0 = (int)CLAMP(floor(y), 0, f->height - 2);
    double fx = CLAMP(x - x0, 0, 1), fy = CLAMP(y - y0, 0, 1), v[4];

    for (int k = 0; k < 4; k++) {
        const uint8_t *row = f->data[0] + (size_t)(y0 + k / 2) * f->linesize[0];
        v[k] = high ? ((const uint16_t *)row)[x0 + k % 2] / 1023.0 : row[x0 + k % 2] / 255.0;
    }
    return (v[0] * (1 - fx) + v[1] * fx) * (1 - fy) + (v[2] * (1 - fx) + v[3] * fx) * fy;
}

/* The box sampled on a GRID × GRID lattice, minus its own [1 2 1]² blur:
 * the detail of eyes, nose and mouth. */
static void fine_detail(const AVFrame *f, const double b[4], double *out)
{
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(f->format);
    int high = d && d->comp[0].depth > 8;
    double s[GRID][GRID];

    for (int j = 0; j < GRID; j++)
        for (int i = 0; i < GRID; i++)
            s[j][i] =
                luma_at(f, b[0] + (i + 0.5) * b[2] / GRID, b[1] + (j + 0.5) * b[3] / GRID, high);
    for (int j = 0; j < GRID; j++)
        for (int i = 0; i < GRID; i++) {
            double blur = 0;
            for (int dj = -1; dj <= 1; dj++)
                for (int di = -1; di <= 1; di++)
                    blur += s[CLAMP(j + dj, 0, GRID - 1)][CLAMP(i + di, 0, GRID - 1)] *
                            (2 - abs(di)) * (2 - abs(dj)) / 16.0;
            out[j * GRID + i] = s[j][i] - blur;
        }
}

/* What one output file's check needs. */
typedef struct Check {
    IgpTrack *tracks;
    int n_tracks;
    json_t *frames; ///< [[t, x, y], ...] of this output's frames
    double start;   ///< source time of its first frame
    int fps, crop_w, crop_h;
    double max_detail;
    int measured;
    json_t *visible;
} Check;

/* Compare every hidden face of output frame @p n with the master picture. */
static void check_frame(Check *c, const AVFrame *out, const AVFrame *master, int n)
{
    json_t *row = json_array_get(c->frames, n);
    double t = json_number_value(json_array_get(row, 0));
    double wx = json_number_value(json_array_get(row, 1)),
           wy = json_number_value(json_array_get(row, 2));
    double scale = (double)out->width / c->crop_w, a[GRID * GRID], b[GRID * GRID];

    for (int k = 0; k < c->n_tracks; k++) {
        double box[4];
        if (!igp_track_box_at(&c->tracks[k], t, box))
            continue;
        /* Only the part of the face inside the window is on screen. */
        double x0 = MAX(box[0], wx), y0 = MAX(box[1], wy);
        double x1 = MIN(box[0] + box[2], wx + c->crop_w), y1 = MIN(box[1] + box[3], wy + c->crop_h);
        x1 = MIN(x1, master->width), y1 = MIN(y1, master->height);
        if ((x1 - x0) * scale < MIN_VISIBLE || (y1 - y0) * scale < MIN_VISIBLE)
            continue;
        double src[4] = {x0, y0, x1 - x0, y1 - y0};
        double dst[4] = {(x0 - wx) * scale, (y0 - wy) * scale, src[2] * scale, src[3] * scale};
        fine_detail(master, src, a);
        fine_detail(out, dst, b);
        double d = igp_correlation(a, b, GRID * GRID, 1e-9);
        c->max_detail = MAX(c->max_detail, d);
        c->measured++;
        if (d > MAX_DETAIL_CORRELATION && json_array_size(c->visible) < MAX_LISTED)
            json_array_append_new(c->visible,
                                  json_pack("{s:i, s:s?, s:f}", "frame", n, "id", c->tracks[k].id,
                                            "detail", round(d * 1000) / 1000));
        else if (d > MAX_DETAIL_CORRELATION)
            c->measured = -abs(c->measured); /* more than listed: still a failure */
    }
}

/* Decode the output and the master side by side; the master picture shown in
 * output frame n is the last one whose frame slot is at most n (the render's
 * rule). */
static int run_check(Check *c, const char *output, const char *master)
{
    Reader ro, rm;
    AVFrame *out = av_frame_alloc(), *cur = av_frame_alloc(), *next = av_frame_alloc();
    double t_out, t_next = 0;
    int ret = reader_open(&ro, output), have_next = 0, n = 0;

    if (ret == 0)
        ret = reader_open(&rm, master);
    if (ret == 0) {
        have_next = reader_next(&rm, next, &t_next);
        while (reader_next(&ro, out, &t_out) && n < (int)json_array_size(c->frames)) {
            while (have_next && lround((t_next - c->start) * c->fps) <= n) {
                av_frame_unref(cur);
                av_frame_move_ref(cur, next);
                have_next = reader_next(&rm, next, &t_next);
            }
            if (cur->buf[0])
                check_frame(c, out, cur, n);
            av_frame_unref(out);
            n++;
        }
        reader_close(&rm);
    }
    reader_close(&ro);
    av_frame_free(&out);
    av_frame_free(&cur);
    av_frame_free(&next);
    return ret;
}

/* The rows of reports/reels/<id>.json's "frames" that belong to @p rel. */
static json_t *frames_of(json_t *report, const char *rel, double *start)
{
    json_t *o, *all = json_object_get(report, "frames");
    size_t i, offset = 0;

    json_array_foreach(json_object_get(report, "outputs"), i, o)
    {
        size_t n = (size_t)json_integer_value(json_object_get(o, "frames"));
        if (!g_strcmp0(json_string_value(json_object_get(o, "file")), rel)) {
            json_t *rows = json_array();
            for (size_t k = offset; k < offset + n && k < json_array_size(all); k++)
                json_array_append(rows, json_array_get(all, k));
            *start = json_number_value(json_object_get(o, "start"));
            return rows;
        }
        offset += n;
    }
    return NULL;
}

void igp_check_video_faces(IgpFileReport *r, const char *out_dir, json_t *post, const char *rel);

void igp_check_video_faces(IgpFileReport *r, const char *out_dir, json_t *post, const char *rel)
{
    const char *report_rel = json_string_value(json_object_get(post, "frames_report"));
    char *report_path = report_rel ? g_build_filename(out_dir, report_rel, NULL) : NULL;
    json_t *report = report_path ? json_load_file(report_path, 0, NULL) : NULL;
    json_t *redact = igp_state_load(out_dir, "redact");
    json_t *media = json_object_get(json_object_get(redact, "media"),
                                    json_string_value(json_object_get(report, "source")));
    const char *master_rel = json_string_value(json_object_get(media, "source_master"));
    Check c = {.visible = json_array()};
    int ret = -1;

    c.frames = report ? frames_of(report, rel, &c.start) : NULL;
    c.fps = (int)json_integer_value(json_object_get(report, "fps"));
    c.crop_w = (int)json_integer_value(json_array_get(json_object_get(report, "crop"), 0));
    c.crop_h = (int)json_integer_value(json_array_get(json_object_get(report, "crop"), 1));
    if (c.frames && master_rel && c.fps > 0 && c.crop_w > 0 &&
        igp_faces_video_tracks(json_object_get(media, "faces"), IGP_TRACKS_HIDDEN, &c.tracks,
                               &c.n_tracks) == 0) {
        char *output = g_build_filename(out_dir, rel, NULL);
        char *master = g_build_filename(out_dir, master_rel, NULL);
        ret = c.n_tracks == 0 ? 0 : run_check(&c, output, master);
        g_free(output);
        g_free(master);
    }
    igp_error_clear();
    if (ret != 0) {
        igp_check(r, "faces_hidden", 0,
                  json_string(N_("cannot compare with the master (frames report, faces or master "
                                 "missing)")),
                  N_("every uncleared face hidden in every frame"));
        igp_check_says(r, _("its faces cannot be checked: the frames report, the faces or the "
                            "master is missing; run igprep run again"));
    } else {
        int ok = json_array_size(c.visible) == 0 && c.measured >= 0;
        igp_check(r, "faces_hidden", ok,
                  json_pack("{s:i, s:i, s:f, s:O}", "tracks", c.n_tracks, "face_frames",
                            abs(c.measured), "max_detail", round(c.max_detail * 1000) / 1000,
                            "visible", c.visible),
                  N_("every uncleared face, every frame: detail correlation with the master at "
                     "most 0.35"));
        if (!ok) {
            json_t *first = json_array_get(c.visible, 0);
            char *m = g_strdup_printf(
                _("a face (%s, first in frame %lld) is still recognisable: its fine detail "
                  "matches the master's by up to %.2f, at most 0.35 is allowed; make the video "
                  "again with igprep run and do not edit it"),
                first ? json_string_value(json_object_get(first, "id")) : "?",
                first ? (long long)json_integer_value(json_object_get(first, "frame")) : -1LL,
                c.max_detail);
            igp_check_says(r, m);
            g_free(m);
        }
    }
    igp_tracks_free(c.tracks, c.n_tracks);
    json_decref(c.frames);
    json_decref(c.visible);
    json_decref(report);
    json_decref(redact);
    g_free(report_path);
}
