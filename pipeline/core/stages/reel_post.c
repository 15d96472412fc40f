/* encode, videos: a reel or a story video from a scrubbed master, in one
 * pass per output file (filters/reel.h). This file decides what the pass
 * does: the trim, the parts, the window that follows the faces, the faces to
 * hide, the overlays, the bit-rate budget, the cover; and records it all. */
#include "reel_post.h"

#include "faces.h"
#include "log.h"
#include "postfill.h"
#include "reel.h"
#include "reel_cover.h"
#include "reel_overlay.h"
#include "track.h"

#include "error.h"
#include "i18n.h"
#include "fsutil.h"

#include <math.h>
#include <string.h>

#include <glib.h>

/* instagram-specs §3, §10 */
#define OUT_W             1080
#define OUT_H             1920
#define DEFAULT_FPS       30
#define MIN_SECONDS       3.0
#define REEL_MAX_RATE     20000000
#define STORY_MAX_RATE    10000000
#define REEL_BUDGET_BITS  (0.9 * 2400e6) /* 300 MB less 10 % for the container and luck */
#define STORY_BUDGET_BITS (0.9 * 800e6)  /* 100 MB */
#define AUDIO_BITS        128000
#define CRF               19
#define PRESET            "slow"

typedef double FaceBox[4];
typedef double Point[2];
typedef int Corner[2];

/* Everything one post's outputs share. */
typedef struct ReelPost {
    const IgpReelContext *ctx;
    const IgpPost *post;
    const IgpPostTypeInfo *type; ///< the post's row of the post-type table
    const char *story_id;        ///< its next-day story's id, or NULL
    const char *name;            ///< the media file
    char *master;                ///< the scrubbed master's path
    IgpReelSource src;
    double start, end;
    int fps;
    int crop_w, crop_h;
    IgpTrack *hidden, *faces;
    int n_hidden, n_faces;
    IgpRedactStyle *styles; ///< per hidden track
    char **stickers;        ///< per hidden track: its sticker artwork (sticker style)
    IgpRedactFace *now;     ///< the faces being hidden on the current frame
    IgpReelOverlays *overlays;
    IgpReelOverlayImage overlay;
    IgpLoudness loudness; ///< measured over the whole post (all parts alike)
    IgpProgress *progress;
    int part;       ///< the output being rendered
    json_t *frames; ///< reports/reels/<id>.json "frames"
    char *tmp_dir;
} ReelPost;

static void reel_post_free(ReelPost *p)
{
    g_free(p->master);
    igp_tracks_free(p->hidden, p->n_hidden);
    igp_tracks_free(p->faces, p->n_faces);
    g_free(p->now);
    g_free(p->styles);
    for (int i = 0; p->stickers && i < p->n_hidden; i++)
        g_free(p->stickers[i]);
    g_free(p->stickers);
    igp_reel_overlays_close(&p->overlays);
    json_decref(p->frames);
    g_free(p->tmp_dir);
    igp_progress_free(&p->progress);
}

/* The post's "fps": 24, 25, 30, 50 or 60 (manifest.c checked it). */
static int post_fps(const IgpPost *post)
{
    json_t *v = json_object_get(post->json, "fps");
    return json_is_integer(v) ? (int)json_integer_value(v) : DEFAULT_FPS;
}

/* Trim, check the length against the post type's limits. */
static int plan_range(ReelPost *p)
{
    const IgpMediaRef *ref = &p->post->media[0];
    double length;

    p->start = ref->has_trim ? ref->trim[0] : 0;
    p->end = ref->has_trim ? MIN(ref->trim[1], p->src.duration) : p->src.duration;
    length = p->end - p->start;
    if (ref->has_trim && (ref->trim[0] >= ref->trim[1] || ref->trim[0] >= p->src.duration))
        return igp_error(IGP_ERR_INVALIDDATA, p->name,
                         _("post '%s': trim [%.2f, %.2f] is outside the clip (%.2f s)"),
                         p->post->id, ref->trim[0], ref->trim[1], p->src.duration);
    if (length < MIN_SECONDS)
        return igp_error(IGP_ERR_INVALIDDATA, p->name,
                         _("post '%s': %.2f s is too short for a %s (at least 3 s)"), p->post->id,
                         length, igp_post_type_name(p->post->type));
    if (!p->type->splits_video && length > p->type->max_seconds)
        return igp_error(IGP_ERR_INVALIDDATA, p->name,
                         _("post '%s': %.0f s is too long for a %s (at most %.0f min); trim it"),
                         p->post->id, length, p->type->name, p->type->max_seconds / 60);
    return 0;
}

/* Story videos longer than 60 s become equal parts of at most 60 s. */
static int parts_of(const ReelPost *p)
{
    if (!p->type->splits_video)
        return 1;
    return (int)ceil((p->end - p->start) / p->type->max_seconds - 1e-9);
}

/* The video bit-rate cap that keeps the file inside its size budget. */
static int64_t max_rate(const ReelPost *p, double seconds)
{
    int story = igp_output_kind_is_story(p->type->video_kind);
    double budget = (story ? STORY_BUDGET_BITS : REEL_BUDGET_BITS) / seconds - AUDIO_BITS;
    return (int64_t)MIN(story ? STORY_MAX_RATE : REEL_MAX_RATE, budget);
}

/* ---- faces ---- */

static int faces_at(void *opaque, double t, const IgpRedactFace **faces, int *n)
{
    ReelPost *p = opaque;
    *n = 0;
    for (int i = 0; i < p->n_hidden; i++) {
        double box[4];
        if (!igp_track_box_at(&p->hidden[i], t, box))
            continue;
        p->now[*n] = (IgpRedactFace){box[0], box[1], box[2], box[3], p->styles[i], p->stickers[i]};
        (*n)++;
    }
    *faces = p->now;
    return 0;
}

/* Per face "style", then --style, then faces.json's "style", then blur (as
 * for photos, redact_stage.c). */
static IgpRedactStyle style_of(const ReelPost *p, const json_t *face, const char *shoot_style)
{
    return igp_face_style(face, p->ctx->style, shoot_style);
}

static int load_faces(ReelPost *p, json_t *entry)
{
    json_t *faces = json_object_get(entry, "faces");
    const char *shoot_style = json_string_value(json_object_get(entry, "style"));
    int ret;

    if ((ret = igp_faces_video_tracks(faces, IGP_TRACKS_HIDDEN, &p->hidden, &p->n_hidden)) < 0 ||
        (ret = igp_faces_video_tracks(faces, IGP_TRACKS_FACES, &p->faces, &p->n_faces)) < 0)
        return ret;
    p->now = g_new0(IgpRedactFace, MAX(p->n_hidden, 1));
    p->styles = g_new0(IgpRedactStyle, MAX(p->n_hidden, 1));
    p->stickers = g_new0(char *, MAX(p->n_hidden, 1));
    for (int i = 0; i < p->n_hidden; i++) {
        json_t *face = json_array_get(faces, (size_t)MAX(p->hidden[i].index, 0));
        const char *sticker = json_string_value(json_object_get(face, "sticker"));
        p->styles[i] = style_of(p, face, shoot_style);
        if (p->styles[i] == IGP_REDACT_STICKER &&
            (ret = igp_redact_sticker_path(p->ctx->stickers_dir, sticker ? sticker : "smile.svg",
                                           &p->stickers[i])))
            return ret;
    }
    return 0;
}

/* Where the window should look at time @p t: the faces, larger ones
 * weighing more; NaN when no face is there. */
static void subject_at(const ReelPost *p, double t, double c[2])
{
    double sum = 0, x = 0, y = 0;
    for (int i = 0; i < p->n_faces; i++) {
        double b[4];
        if (!igp_track_box_at(&p->faces[i], t, b))
            continue;
        double weight = b[2] * b[3];
        x += weight * (b[0] + b[2] / 2);
        y += weight * (b[1] + b[3] / 2);
        sum += weight;
    }
    c[0] = sum > 0 ? x / sum : NAN;
    c[1] = sum > 0 ? y / sum : NAN;
}

/* ---- overlays, cover, progress ---- */

static const IgpReelOverlayImage *overlay_at(void *opaque, double t_post, double t_source)
{
    ReelPost *p = opaque;
    const IgpOverlayImage *img = igp_reel_overlays_at(p->overlays, t_post, t_source);
    if (!img)
        return NULL;
    p->overlay = (IgpReelOverlayImage){img->argb, img->width, img->height, img->stride, img->x,
                                       img->y,    img->w,     img->h,      img->serial};
    return &p->overlay;
}

static int cover_from(void *opaque, const uint8_t *rgb, int width, int height, int stride)
{
    ReelPost *p = opaque;
    VipsImage *frame = vips_image_new_from_memory(rgb, (size_t)stride * height, width, height, 3,
                                                  VIPS_FORMAT_UCHAR);
    FaceBox *boxes = g_new0(FaceBox, MAX(p->n_faces, 1));
    int n = 0, ret;
    double at = json_real_value(json_object_get(json_object_get(p->post->json, "cover"), "at"));
    char *cover = g_strdup_printf("%s/%s-cover.jpg", p->tmp_dir, p->post->id);
    char *story = p->story_id ? g_strdup_printf("%s/%s.png", p->tmp_dir, p->story_id) : NULL;

    if (!frame) {
        g_free(boxes);
        return igp_vips_error(IGP_ERR_LIBRARY, p->name, _("cannot wrap the cover picture"));
    }
    frame->Type = VIPS_INTERPRETATION_sRGB;
    for (int i = 0; i < p->n_faces; i++)
        n += igp_track_box_at(&p->faces[i], at, boxes[n]);
    ret = igp_reel_cover_write(p->ctx->shoot, p->post, frame, (const double(*)[4])boxes, n, cover,
                               story);
    g_object_unref(frame);
    g_free(boxes);
    g_free(cover);
    g_free(story);
    return ret;
}

static void progress_at(void *opaque, double fraction)
{
    ReelPost *p = opaque;
    igp_progress_set(p->progress, p->part + fraction);
}

/* ---- the outputs ---- */

static char *output_name(const ReelPost *p, int part, int parts)
{
    return parts == 1 ? g_strdup_printf("%s.mp4", p->post->id)
                      : g_strdup_printf("%s-%02d.mp4", p->post->id, part + 1);
}

static double cover_time(const ReelPost *p)
{
    json_t *cover = json_object_get(p->post->json, "cover");
    json_t *at = json_object_get(cover, "at");
    return json_is_number(at) ? json_number_value(at) : p->start;
}

/* Render part @p part of @p parts: the window path, then the one pass. */
static int render_part(ReelPost *p, int part, int parts, const char *master_out, json_t *files,
                       json_t *outputs)
{
    double length = (p->end - p->start) / parts;
    double start = p->start + part * length, end = start + length;
    int n = (int)llround(length * p->fps);
    Point *centres = g_new(Point, n);
    Corner *window = g_new(Corner, n);
    double fallback[2] = {p->post->media[0].focus[0] * p->src.width,
                          p->post->media[0].focus[1] * p->src.height};
    char *name = output_name(p, part, parts);
    char *path = g_build_filename(p->tmp_dir, name, NULL);
    IgpReelResult result;
    IgpDigest d;
    int cover = p->type->cover_canvas != NULL, ret;

    p->part = part;
    for (int i = 0; i < n; i++)
        subject_at(p, start + (double)i / p->fps, centres[i]);
    igp_reel_window_path((const double(*)[2])centres, n, p->fps, fallback, p->src.width,
                         p->src.height, p->crop_w, p->crop_h, window);
    IgpReelJob job = {
        .source = p->master,
        .start = start,
        .end = end,
        .post_time = part * length,
        .fps = p->fps,
        .width = OUT_W,
        .height = OUT_H,
        .crop_w = p->crop_w,
        .crop_h = p->crop_h,
        .window = (const int(*)[2])window,
        .n_frames = n,
        .maxrate = max_rate(p, length),
        .crf = CRF,
        .preset = PRESET,
        .loudness = p->loudness,
        .faces = faces_at,
        .faces_opaque = p,
        .overlay = overlay_at,
        .overlay_opaque = p,
        .cover_at = cover && part == 0 ? cover_time(p) : -1,
        .cover = cover ? cover_from : NULL,
        .cover_opaque = p,
        .progress = progress_at,
        .progress_opaque = p,
        .output = path,
        .master_output = part == 0 ? master_out : NULL,
        .master_end = p->end, /* the first part's pass writes the whole post's master */
    };
    ret = igp_reel_render(&job, &result);
    if (ret == 0 && result.silent && part == 0)
        igp_log_warning(_("post '%s': '%s' has no sound: a silent track was added (Instagram shows "
                          "silent reels less; add music in the app)"),
                        p->post->id, p->name);
    if (ret == 0)
        ret = igp_hash_file(path, &d);
    if (ret == 0) {
        json_array_append_new(files, json_pack("{s:s+++, s:s, s:s, s:i, s:i, s:f}", "path",
                                               "posts/", p->post->id, "/", name, "sha256", d.hex,
                                               "kind", p->type->video_kind, "width", OUT_W,
                                               "height", OUT_H, "duration", length));
        json_array_append_new(outputs, json_pack("{s:s+++, s:f, s:i, s:i}", "file", "posts/",
                                                 p->post->id, "/", name, "start", start, "frames",
                                                 n, "faces_hidden", result.faces_hidden));
        for (int i = 0; i < n; i++)
            json_array_append_new(p->frames, json_pack("[f, i, i]", start + (double)i / p->fps,
                                                       window[i][0], window[i][1]));
    }
    g_free(centres);
    g_free(window);
    g_free(name);
    g_free(path);
    return ret;
}

static int add_cover(ReelPost *p, json_t *files)
{
    char *name = g_strdup_printf("%s-cover.jpg", p->post->id);
    char *path = g_build_filename(p->tmp_dir, name, NULL);
    IgpDigest d;
    int ret = igp_hash_file(path, &d);

    if (ret == 0)
        json_array_append_new(files,
                              json_pack("{s:s+++, s:s, s:s, s:i, s:i}", "path", "posts/",
                                        p->post->id, "/", name, "sha256", d.hex, "kind",
                                        p->type->image_kind, "width", OUT_W, "height", OUT_H));
    else
        ret = igp_error(IGP_ERR_INVALIDDATA, p->name,
                        _("post '%s': no cover: cover.at %.2f s is outside the trimmed clip"),
                        p->post->id, cover_time(p));
    g_free(name);
    g_free(path);
    return ret;
}

/* The next-day story picture leaves the post folder for OUT/composed/,
 * where encode's story step takes it from, as it does for photo posts. */
static int keep_story(ReelPost *p, json_t *entry)
{
    char *from, *rel, *to, *dir;
    int ret = 0;

    if (!p->story_id)
        return 0;
    from = g_strdup_printf("%s/%s.png", p->tmp_dir, p->story_id);
    rel = g_strdup_printf("composed/%s.png", p->story_id);
    to = g_build_filename(p->ctx->shoot->out_dir, rel, NULL);
    dir = g_path_get_dirname(to);
    if (igp_path_exists(from)) {
        ret = igp_mkdir_p(dir);
        if (ret == 0)
            ret = igp_publish(from, to);
        if (ret == 0) {
            char *when =
                igp_next_day(json_string_value(json_object_get(p->post->json, "schedule")));
            json_object_set_new(entry, "story",
                                json_pack("{s:s, s:s?}", "file", rel, "schedule", when));
            g_free(when);
        }
    }
    g_free(from);
    g_free(rel);
    g_free(to);
    g_free(dir);
    return ret;
}

static int render_post(ReelPost *p, const char *master_out, json_t *entry)
{
    char *final_dir = g_build_filename(p->ctx->shoot->out_dir, "posts", p->post->id, NULL);
    json_t *files = json_array(), *outputs = json_array();
    int parts = parts_of(p), ret;

    p->tmp_dir = igp_temp_sibling(final_dir);
    p->frames = json_array();
    ret = igp_mkdir_p(p->tmp_dir);
    if (ret == 0)
        ret = igp_reel_overlays_open(p->ctx->shoot, p->post, p->end - p->start, &p->overlays);
    p->progress = igp_progress_new(p->post->id, parts);
    for (int part = 0; part < parts && ret == 0; part++)
        ret = render_part(p, part, parts, master_out, files, outputs);
    if (ret == 0 && (ret = igp_reel_overlays_error(p->overlays)) == 0 && p->type->cover_canvas)
        ret = add_cover(p, files);
    if (ret == 0)
        ret = keep_story(p, entry);
    if (ret == 0 && (ret = igp_fsync_path(p->tmp_dir)) == 0)
        ret = igp_publish(p->tmp_dir, final_dir);
    if (ret != 0)
        igp_remove_tree(p->tmp_dir);
    json_object_set_new(entry, "files", files);
    json_object_set_new(entry, "outputs", outputs);
    g_free(final_dir);
    return ret;
}

/* reports/reels/<id>.json: which source moment and window each frame shows. */
static int write_frames_report(const ReelPost *p, json_t *entry)
{
    char *rel = g_strdup_printf("reels/%s", p->post->id);
    json_t *report = json_pack("{s:s, s:i, s:[f, f], s:O, s:[i, i], s:[i, i], s:O}", "source",
                               p->name, "fps", p->fps, "trim", p->start, p->end, "outputs",
                               json_object_get(entry, "outputs"), "crop", p->crop_w, p->crop_h,
                               "size", p->src.width, p->src.height, "frames", p->frames);
    char *dir = g_build_filename(p->ctx->shoot->out_dir, "reports", "reels", NULL);
    int ret = igp_mkdir_p(dir);

    if (ret == 0)
        ret = igp_report_save(p->ctx->shoot->out_dir, rel, report);
    json_object_set_new(entry, "frames_report", json_sprintf("reports/%s.json", rel));
    json_decref(report);
    g_free(rel);
    g_free(dir);
    return ret;
}

int igp_reel_post_encode(const IgpReelContext *ctx, const IgpPost *post, json_t *media,
                         const char *master_out, json_t *entry)
{
    ReelPost p = {.ctx = ctx,
                  .post = post,
                  .type = igp_post_type_info(post->type),
                  .story_id = igp_plan_story_id(ctx->shoot->manifest->plan, post),
                  .name = post->media[0].file};
    json_t *m = json_object_get(media, p.name);
    int ret;

    if (!m || json_object_get(m, "error"))
        return igp_error(IGP_ERR_INVALIDDATA, "encode",
                         _("post '%s' not made: its source '%s' has no master with its faces "
                           "checked (see above, or run 'igprep detect' and 'igprep redact')"),
                         post->id, p.name);
    if (g_strcmp0(json_string_value(json_object_get(m, "kind")), "video"))
        return igp_error(IGP_ERR_INVALIDDATA, "encode",
                         _("post '%s' not made: '%s' is not a video, and a %s needs one"), post->id,
                         p.name, igp_post_type_name(post->type));
    p.master = g_build_filename(ctx->shoot->out_dir,
                                json_string_value(json_object_get(m, "source_master")), NULL);
    p.fps = post_fps(post);
    ret = igp_reel_probe(p.master, &p.src);
    if (ret == 0)
        ret = plan_range(&p);
    if (ret == 0)
        ret = igp_reel_measure_loudness(p.master, p.start, p.end, &p.loudness);
    if (ret == 0)
        ret = load_faces(&p, m);
    if (ret == 0) {
        /* With nothing to hide, the scrubbed master is already the one to
         * archive: no second encoder in the pass. */
        if (p.n_hidden == 0)
            master_out = NULL;
        igp_reel_window_size(p.src.width, p.src.height, OUT_W, OUT_H, &p.crop_w, &p.crop_h);
        ret = render_post(&p, master_out, entry);
        if (ret == 0 && master_out)
            json_object_set_new(entry, "master_written", json_true());
    }
    if (ret == 0)
        ret = write_frames_report(&p, entry);
    reel_post_free(&p);
    return ret;
}
