/* encode: cut each post's slides out of the masters at Instagram's sizes. */
#include "stage.h"
#include "log.h"
#include "reel_post.h"
#include "template.h"

#include "crop.h"
#include "error.h"
#include "i18n.h"
#include "fsutil.h"
#include "jpegrows.h"

#include <string.h>
#include <unistd.h>

#include <glib.h>

/* Bump when the output of the same inputs and settings changes. */
#define ENCODE_RECIPE "encode-v1"

/* Enlarging a picture more than this makes it visibly soft: say so. */
#define MAX_QUIET_ENLARGEMENT 1.5

typedef struct EncodeJob {
    IgpShoot *shoot;
    json_t *masters;  ///< state/redact.json "media": the masters with faces hidden
    json_t *previous; ///< last run's state/encode.json "posts"
    IgpProgress *progress;
    const IgpPost **posts;
    json_t **entries;          ///< per post: the new state entry
    struct StoryJob **stories; ///< per post: its next-day story drawn by compose, or NULL
} EncodeJob;

/* Where a slide was cut from its master: the master decoded at 1/shrink,
 * the rectangle of that picture scaled to the slide. Recorded in
 * state/encode.json ("cut") for verify, which cuts the scrubbed master the
 * same way to compare the faces (and checks that the slide matches it). */
typedef struct SlideCut {
    int shrink;
    IgpRect crop;
} SlideCut;

/* Cut the focus crop out of a master and scale it to exactly out_w × out_h. */
static int render_slide(const char *master, const IgpMediaRef *ref, int out_w, int out_h,
                        VipsImage **out, double *enlargement, SlideCut *cut)
{
    VipsImage *header = vips_image_new_from_file(master, NULL);
    VipsImage *image = NULL, *cropped = NULL, *rows;
    IgpRect r;
    int shrink;

    if (!header)
        return igp_vips_error(IGP_ERR_INVALIDDATA, master, _("cannot read master"));
    shrink = igp_load_shrink(header->Xsize, header->Ysize, out_w, out_h);
    g_object_unref(header);
    if (vips_jpegload(master, &image, "shrink", shrink, "access", VIPS_ACCESS_SEQUENTIAL, NULL))
        return igp_vips_error(IGP_ERR_INVALIDDATA, master, _("cannot read master"));
    r = igp_focus_crop(image->Xsize, image->Ysize, out_w, out_h, ref->focus[0], ref->focus[1]);
    *enlargement = (double)out_w / r.w; /* > 1 only when loaded at full size */
    *cut = (SlideCut){shrink, r};
    /* The crop's rows, in two bands at once when the master has restart
     * rows (jpegrows.h); else the master is read as it decodes. */
    if ((rows = igp_jpeg_rows_load(master, shrink, r.y, r.h))) {
        g_object_unref(image);
        image = rows;
        r.y = 0;
    }
    if (vips_extract_area(image, &cropped, r.x, r.y, r.w, r.h, NULL)) {
        g_object_unref(image);
        return igp_vips_error(IGP_ERR_LIBRARY, master, _("cannot crop"));
    }
    g_object_unref(image);
    /* Separate horizontal and vertical scales land on the exact size; they
     * differ by less than one pixel's worth. */
    if (vips_resize(cropped, out, (double)out_w / r.w, "vscale", (double)out_h / r.h, "kernel",
                    VIPS_KERNEL_LANCZOS3, NULL)) {
        g_object_unref(cropped);
        return igp_vips_error(IGP_ERR_LIBRARY, master, _("cannot resize"));
    }
    g_object_unref(cropped);
    igp_image_drop_metadata(*out);
    if ((*out)->Xsize != out_w || (*out)->Ysize != out_h)
        return igp_error(IGP_ERR_LIBRARY, master, _("resized to %dx%d instead of %dx%d"),
                         (*out)->Xsize, (*out)->Ysize, out_w, out_h);
    return 0;
}

static const char *slide_kind(const IgpPost *post)
{
    return igp_post_type_info(post->type)->image_kind;
}

/* posts/<id>/<id>.jpg, or <id>-01.jpg ... for carousels. */
static char *slide_name(const IgpPost *post, int index)
{
    if (post->n_media <= 1)
        return g_strdup_printf("%s.jpg", post->id);
    return g_strdup_printf("%s-%02d.jpg", post->id, index + 1);
}

/* ---- templates (compose.c): begin ----
 * A post with a "template" was drawn by compose into OUT/composed/<id>/; its
 * slides are taken from there instead of cropped from the masters, and its
 * next-day story (compose's <story id>.png) is written as the derived post
 * of the plan, a story whose "post" facts name its parent ("story_of"). */

/* The post's entry in state/compose.json (a new reference), or NULL. */
static json_t *composed_entry(const EncodeJob *job, const IgpPost *post)
{
    json_t *state = igp_state_load(job->shoot->out_dir, "compose");
    json_t *entry = json_incref(json_object_get(json_object_get(state, "posts"), post->id));
    json_decref(state);
    return entry;
}

/* The composed slide @p index: 0 and *out set, 1 when the slide is a plain
 * crop (no template, or no page template), or an IGP_ERR. */
static int composed_slide(const EncodeJob *job, const IgpPost *post, int index, VipsImage **out)
{
    json_t *entry, *file;
    char *path;

    if (!igp_post_template_name(post))
        return 1;
    entry = composed_entry(job, post);
    file = json_array_get(json_object_get(entry, "files"), index);
    if (!entry || json_object_get(entry, "error") || !json_object_get(entry, "files")) {
        json_decref(entry);
        return igp_error(IGP_ERR_INVALIDDATA, "encode",
                         _("post '%s' not made: its template could not be drawn (see above)"),
                         post->id);
    }
    if (!json_is_string(file)) {
        json_decref(entry);
        return 1;
    }
    path = g_build_filename(job->shoot->out_dir, json_string_value(file), NULL);
    *out = vips_image_new_from_file(path, "access", VIPS_ACCESS_SEQUENTIAL, NULL);
    g_free(path);
    json_decref(entry);
    if (!*out)
        return igp_vips_error(IGP_ERR_INVALIDDATA, "encode", _("cannot read the composed slide"));
    return 0;
}

/* compose's key joins the post's key: new words or artwork, new files. */
static void composed_key(const EncodeJob *job, const IgpPost *post, GString *s)
{
    json_t *entry = composed_entry(job, post);
    g_string_append_printf(s, "|compose %s", json_string_value(json_object_get(entry, "key")));
    json_decref(entry);
}

/* A next-day story's JPEG, made beside the posts (prepare_story) and put in
 * place after them, once its post is known to be made (finish_story). */
typedef struct StoryJob {
    const IgpPlanItem *item;
    json_t *story;       ///< compose's "story" of the post (a new reference)
    json_t *previous;    ///< last run's entry for the story (borrowed)
    IgpDigest key, made; ///< the story's key; the JPEG's digest
    char *final_dir, *tmp_dir, *name;
    int current; ///< last run's story is still right
    int ret;     ///< 0, or the IGP_ERR of the preparation
    char *error; ///< its message
} StoryJob;

static StoryJob *story_job_new(const EncodeJob *job, const IgpPlanItem *item, json_t *story,
                               const char *compose_key, json_t *previous)
{
    StoryJob *sj = g_new0(StoryJob, 1);
    char *key_text = g_strdup_printf("%s|story|%s|q%d", ENCODE_RECIPE, compose_key,
                                     job->shoot->settings->post.quality);

    sj->item = item, sj->story = json_incref(story), sj->previous = previous;
    sj->name = g_strdup_printf("%s.jpg", item->id);
    sj->final_dir = g_build_filename(job->shoot->out_dir, "posts", item->id, NULL);
    sj->tmp_dir = igp_temp_sibling(sj->final_dir);
    igp_hash_bytes(key_text, strlen(key_text), &sj->key);
    g_free(key_text);
    return sj;
}

static void story_job_free(StoryJob *sj)
{
    if (!sj)
        return;
    json_decref(sj->story);
    g_free(sj->name);
    g_free(sj->final_dir);
    g_free(sj->tmp_dir);
    g_free(sj->error);
    g_free(sj);
}

/* Write the story's JPEG from compose's story picture into its hidden
 * folder (nothing to do when last run's is still right). Thread-safe: only
 * @p sj changes; an error is kept in it for finish_story to report. */
static void prepare_story(const EncodeJob *job, StoryJob *sj)
{
    const char *out_dir = job->shoot->out_dir;
    char *src =
        g_build_filename(out_dir, json_string_value(json_object_get(sj->story, "file")), NULL);
    char *path = g_build_filename(sj->tmp_dir, sj->name, NULL);
    VipsImage *image = NULL;
    int ret;

    igp_error_clear();
    if (!g_strcmp0(json_string_value(json_object_get(sj->previous, "key")), sj->key.hex) &&
        igp_path_exists(sj->final_dir)) {
        sj->current = 1;
        goto done;
    }
    ret = igp_mkdir_p(sj->tmp_dir);
    if (ret == 0 && !(image = vips_image_new_from_file(src, NULL)))
        ret = igp_vips_error(IGP_ERR_INVALIDDATA, "encode", _("cannot read the composed story"));
    if (ret == 0)
        ret = igp_image_save_jpeg(image, src, path, &job->shoot->settings->post);
    if (ret == 0)
        ret = igp_hash_file(path, &sj->made);
    if (ret == 0)
        ret = igp_fsync_path(sj->tmp_dir);
    if (ret) {
        sj->ret = ret;
        sj->error = g_strdup(igp_error_buffer());
        igp_error_clear();
    }
done:
    if (image)
        g_object_unref(image);
    g_free(src);
    g_free(path);
}

/* Put a prepared story in place as posts/<story id>/<story id>.jpg and
 * return its state entry; or report why it could not be made. */
static json_t *finish_story(StoryJob *sj)
{
    const IgpPlanItem *item = sj->item;
    const IgpPost *post = item->post;
    const char *when = json_string_value(json_object_get(sj->story, "schedule"));
    json_t *facts;
    int width = 0, height = 0, ret = sj->ret;

    if (sj->current)
        return json_deep_copy(sj->previous);
    if (ret == 0 && (ret = igp_publish(sj->tmp_dir, sj->final_dir)))
        sj->error = g_strdup(igp_error_buffer());
    if (ret) {
        igp_remove_tree(sj->tmp_dir);
        igp_log_error("%s", sj->error);
        igp_error_clear();
        return json_pack("{s:s}", "error", sj->error);
    }
    facts = json_pack("{s:s, s:[s]}", "story_of", item->parent, "sources", post->media[0].file);
    if (when)
        json_object_set_new(facts, "schedule", json_string(when));
    igp_aspect_size(item->type->aspect, &width, &height);
    return json_pack("{s:s, s:s, s:s, s:[{s:s+++, s:s, s:s, s:i, s:i}], s:o}", "key", sj->key.hex,
                     "type", item->type->name, "aspect", igp_aspect_name(item->type->aspect),
                     "files", "path", "posts/", item->id, "/", sj->name, "sha256", sj->made.hex,
                     "kind", item->type->image_kind, "width", width, "height", height, "post",
                     facts);
}

/* A story drawn by compose for post @p post (a new job), or NULL: none, or
 * a reel's story, which its post's own encode draws (reel_post.c). */
static StoryJob *composed_story(const EncodeJob *job, const IgpPost *post)
{
    const IgpPlan *plan = job->shoot->manifest->plan;
    const IgpPlanItem *item = igp_plan_find(plan, igp_plan_story_id(plan, post));
    json_t *entry, *story;
    StoryJob *sj = NULL;

    if (!item)
        return NULL;
    entry = composed_entry(job, post);
    story = json_object_get(entry, "story");
    if (story)
        sj = story_job_new(job, item, story, json_string_value(json_object_get(entry, "key")),
                           json_object_get(job->previous, item->id));
    json_decref(entry);
    return sj;
}

/* The next-day stories of the posts made in this run; a post that no longer
 * wants one (or failed) loses it. */
static void encode_stories(const EncodeJob *job, int n, json_t *posts)
{
    const IgpPlan *plan = job->shoot->manifest->plan;

    for (int i = 0; i < n; i++) {
        const IgpPost *post = job->posts[i];
        const IgpPlanItem *item = igp_plan_find(plan, igp_plan_story_id(plan, post));
        StoryJob *sj = job->stories[i];
        json_t *entry = NULL, *story, *made = NULL;

        if (!item)
            continue; /* a post that never gets a story has none to withdraw */
        if (!sj) {    /* a reel's story: drawn from its cover picture by reel_post.c */
            entry = json_incref(json_object_get(posts, post->id));
            story = json_object_get(entry, "story");
            if (story)
                sj = job->stories[i] = story_job_new(
                    job, item, story, json_string_value(json_object_get(entry, "key")),
                    json_object_get(job->previous, item->id));
            if (sj && !json_object_get(entry, "error"))
                prepare_story(job, sj);
        }
        if (sj && !json_object_get(json_object_get(posts, post->id), "error"))
            made = finish_story(sj);
        else if (sj)
            igp_remove_tree(sj->tmp_dir); /* made beside a post that failed */
        if (made) {
            json_object_set_new(posts, item->id, made);
        } else {
            char *dir = g_build_filename(job->shoot->out_dir, "posts", item->id, NULL);
            igp_remove_tree(dir);
            g_free(dir);
        }
        json_decref(entry);
    }
}

/* Is @p id a post the plan derives from a manifest post (its story)? Keeps
 * an unselected post's story (--post); the selected ones are redone by
 * encode_stories(). */
static int derived_from_manifest_post(const EncodeJob *job, const char *id, json_t *entry,
                                      json_t *posts)
{
    const IgpPlanItem *item = igp_plan_find(job->shoot->manifest->plan, id);

    if (!item || !item->parent)
        return 0;
    if (!igp_shoot_selects(job->shoot, item->post))
        json_object_set(posts, id, entry);
    return 1;
}
/* ---- templates (compose.c): end ---- */

/* Everything the post's files depend on, hashed: same key, same files. */
static void post_key(const EncodeJob *job, const IgpPost *post, IgpDigest *key)
{
    const IgpJpegSettings *q = &job->shoot->settings->post;
    GString *s = g_string_new(ENCODE_RECIPE);

    g_string_append_printf(s, "|%s|%s|q%d|s%d|max%lld|libvips %s", igp_post_type_name(post->type),
                           igp_aspect_name(post->aspect), q->quality, q->subsample,
                           (long long)q->max_bytes, vips_version_string());
    for (int i = 0; i < post->n_media; i++) {
        json_t *m = json_object_get(job->masters, post->media[i].file);
        g_string_append_printf(s, "|%s|%.6f,%.6f",
                               json_string_value(json_object_get(m, "master_sha256")),
                               post->media[i].focus[0], post->media[i].focus[1]);
    }
    composed_key(job, post, s); /* templates */
    igp_hash_bytes(s->str, s->len, key);
    g_string_free(s, TRUE);
}

static int post_is_current(const EncodeJob *job, const IgpPost *post, const IgpDigest *key)
{
    json_t *prev = json_object_get(job->previous, post->id);
    json_t *files = json_object_get(prev, "files"), *f;
    const char *prev_key = json_string_value(json_object_get(prev, "key"));
    size_t i;

    if (!prev_key || strcmp(prev_key, key->hex) || json_array_size(files) == 0)
        return 0;
    json_array_foreach(files, i, f)
    {
        char *path = g_build_filename(job->shoot->out_dir,
                                      json_string_value(json_object_get(f, "path")), NULL);
        IgpDigest d;
        int same = igp_hash_file(path, &d) == 0 &&
                   !strcmp(d.hex, json_string_value(json_object_get(f, "sha256")));
        igp_error_clear();
        g_free(path);
        if (!same)
            return 0;
    }
    return 1;
}

/* Check that every source of the post has a master; say which does not. */
static int masters_ready(const EncodeJob *job, const IgpPost *post)
{
    for (int i = 0; i < post->n_media; i++) {
        json_t *m = json_object_get(job->masters, post->media[i].file);
        if (!json_object_get(m, "master"))
            return igp_error(IGP_ERR_INVALIDDATA, "encode",
                             _("post '%s' not made: its source '%s' has no redacted master (see "
                               "above, or run 'igprep redact' first)"),
                             post->id, post->media[i].file);
    }
    return 0;
}

/* Render every slide into a hidden folder, then rename it to posts/<id>. */
static int write_post(const EncodeJob *job, const IgpPost *post, json_t *files)
{
    const char *out_dir = job->shoot->out_dir;
    char *final_dir = g_build_filename(out_dir, "posts", post->id, NULL);
    char *tmp_dir = igp_temp_sibling(final_dir);
    int out_w = 0, out_h = 0, ret = igp_mkdir_p(tmp_dir);

    igp_aspect_size(post->aspect, &out_w, &out_h);
    /* One slide per picture; a type without pictures (a highlight) has its cover. */
    for (int i = 0; i < MAX(post->n_media, 1) && ret == 0; i++) {
        const char *media = i < post->n_media ? post->media[i].file : NULL;
        json_t *m = json_object_get(job->masters, media ? media : "");
        char *master =
            g_build_filename(out_dir, json_string_value(json_object_get(m, "master")), NULL);
        char *name = slide_name(post, i);
        char *path = g_build_filename(tmp_dir, name, NULL);
        VipsImage *slide = NULL;
        IgpDigest d;
        SlideCut cut = {0};
        double enlargement = 1;

        ret = composed_slide(job, post, i, &slide); /* templates: compose drew it */
        if (ret == 1 && !media)
            ret = igp_error(IGP_ERR_INVALIDDATA, "encode", _("post '%s': nothing to make it from"),
                            post->id);
        if (ret == 1)
            ret = render_slide(master, &post->media[i], out_w, out_h, &slide, &enlargement, &cut);
        if (ret == 0 && enlargement > MAX_QUIET_ENLARGEMENT)
            igp_log_warning(_("post '%s': '%s' is enlarged %.1f times to %dx%d and will look soft"),
                            post->id, post->media[i].file, enlargement, out_w, out_h);
        if (ret == 0)
            ret = igp_image_save_jpeg(slide, media ? master : name, path,
                                      &job->shoot->settings->post);
        if (ret == 0)
            ret = igp_hash_file(path, &d);
        if (ret == 0) {
            json_t *file = json_pack("{s:s+++, s:s, s:s, s:i, s:i}", "path", "posts/", post->id,
                                     "/", name, "sha256", d.hex, "kind", slide_kind(post), "width",
                                     out_w, "height", out_h);
            if (cut.shrink) /* a plain crop of its master, not a composed slide */
                json_object_set_new(file, "cut",
                                    json_pack("{s:i, s:[i,i,i,i]}", "shrink", cut.shrink, "crop",
                                              cut.crop.x, cut.crop.y, cut.crop.w, cut.crop.h));
            json_array_append_new(files, file);
        }
        if (slide)
            g_object_unref(slide);
        g_free(master);
        g_free(name);
        g_free(path);
    }
    if (ret == 0)
        ret = igp_fsync_path(tmp_dir);
    if (ret == 0)
        ret = igp_publish(tmp_dir, final_dir);
    if (ret != 0)
        igp_remove_tree(tmp_dir);
    g_free(tmp_dir);
    g_free(final_dir);
    return ret;
}

/* ---- videos (reel_post.c): begin ---- */

/* The first post of the manifest that uses @p media writes its redacted
 * master, so two posts of one clip never write the same file. */
static int writes_master(const EncodeJob *job, const IgpPost *post, const char *media)
{
    const IgpManifest *m = job->shoot->manifest;
    for (int i = 0; i < m->n_posts; i++)
        for (int k = 0; k < m->posts[i].n_media; k++)
            if (!strcmp(m->posts[i].media[k].file, media))
                return &m->posts[i] == post;
    return 0;
}

/* A file's SHA-256 into @p s, or "-" when it is absent. */
static void hash_into(GString *s, const char *path)
{
    IgpDigest d;
    g_string_append_printf(s, "|%s", path && igp_hash_file(path, &d) == 0 ? d.hex : "-");
    igp_error_clear();
}

/* Everything a video post's files depend on. */
static void video_key(const EncodeJob *job, const IgpPost *post, IgpDigest *key)
{
    json_t *m = json_object_get(job->masters, post->media[0].file);
    char *post_text = json_dumps(post->json, JSON_SORT_KEYS | JSON_COMPACT);
    char *faces = json_dumps(json_object_get(m, "faces"), JSON_SORT_KEYS | JSON_COMPACT);
    json_t *subtitles = json_object_get(post->json, "subtitles");
    json_t *template = json_object_get(post->json, "template");
    char *srt = json_is_string(subtitles) ? g_build_filename(job->shoot->settings->shoot_dir,
                                                             json_string_value(subtitles), NULL)
                                          : NULL;
    char *templates = igp_templates_dir();
    char *tpl = g_build_filename(
        templates, json_is_string(template) ? json_string_value(template) : "reel-basic",
        "template.json", NULL);
    GString *s = g_string_new(ENCODE_RECIPE "|video-v1");

    g_string_append_printf(s, "|%s|%s|%s|%s|style %s|master %d",
                           json_string_value(json_object_get(m, "source_master_sha256")), post_text,
                           faces ? faces : "-",
                           job->shoot->settings->face_style ? job->shoot->settings->face_style
                                                            : "-",
                           json_string_value(json_object_get(m, "style")),
                           writes_master(job, post, post->media[0].file));
    hash_into(s, srt);
    hash_into(s, tpl);
    igp_hash_bytes(s->str, s->len, key);
    g_string_free(s, TRUE);
    free(post_text);
    free(faces);
    g_free(srt);
    g_free(templates);
    g_free(tpl);
}

static json_t *encode_video_post(EncodeJob *job, const IgpPost *post, const IgpDigest *key)
{
    const char *media = post->media[0].file;
    char *rel = g_strdup_printf("masters/redacted/%s.mp4", media);
    char *master = g_build_filename(job->shoot->out_dir, rel, NULL);
    char *dir = g_path_get_dirname(master);
    char *templates = igp_templates_dir();
    char *stickers = g_build_filename(templates, "stickers", NULL);
    IgpReelContext ctx = {
        .shoot = job->shoot, .style = job->shoot->settings->face_style, .stickers_dir = stickers};
    int writer = writes_master(job, post, media);
    json_t *entry =
        json_pack("{s:s, s:s, s:s}", "key", key->hex, "type", igp_post_type_name(post->type),
                  "aspect", igp_aspect_name(igp_post_type_info(post->type)->aspect));
    int ret = writer ? igp_mkdir_p(dir) : 0;

    if (ret == 0)
        ret = igp_reel_post_encode(&ctx, post, job->masters, writer ? master : NULL, entry);
    if (ret == 0 && writer) {
        /* The master to archive: the redacted one, or with no face to hide
         * the scrubbed one (a redacted one left from before goes). */
        json_t *m = json_object_get(job->masters, media);
        IgpDigest d;
        if (json_is_true(json_object_get(entry, "master_written")) &&
            (ret = igp_hash_file(master, &d)) == 0) {
            json_object_set_new(entry, "master", json_string(rel));
            json_object_set_new(entry, "master_sha256", json_string(d.hex));
        } else {
            unlink(master);
            json_object_set(entry, "master", json_object_get(m, "source_master"));
            json_object_set(entry, "master_sha256", json_object_get(m, "source_master_sha256"));
        }
        json_object_del(entry, "master_written");
    }
    if (ret) {
        json_decref(entry);
        entry = NULL;
    }
    g_free(rel);
    g_free(master);
    g_free(dir);
    g_free(stickers);
    g_free(templates);
    return entry;
}
/* ---- videos: end ---- */

static json_t *encode_post(EncodeJob *job, const IgpPost *post)
{
    IgpDigest key;
    json_t *files;
    int ret;

    if (igp_post_is_video(post, job->masters)) {
        video_key(job, post, &key);
        if (post_is_current(job, post, &key))
            return json_deep_copy(json_object_get(job->previous, post->id));
        return encode_video_post(job, post, &key);
    }
    if (masters_ready(job, post))
        return NULL;
    post_key(job, post, &key);
    if (post_is_current(job, post, &key))
        return json_deep_copy(json_object_get(job->previous, post->id));
    files = json_array();
    ret = write_post(job, post, files);
    if (ret) {
        json_decref(files);
        return NULL;
    }
    return json_pack("{s:s, s:s, s:s, s:o}", "key", key.hex, "type", igp_post_type_name(post->type),
                     "aspect", igp_aspect_name(post->aspect), "files", files);
}

/* What later stages (proof, publish, archive) need to know of the post, taken
 * fresh from the manifest on every run: its words may change without its
 * pictures changing. */
static json_t *post_facts(const IgpPost *post)
{
    /* What the city approves (digest.h) besides the files, and what the
     * post types and the work plan read (posttype.h). */
    static const char *const keys[] = {"caption", "alt",   "schedule", "collaborators", "location",
                                       "cover",   "text",  "stories",  "tieup",         "theme",
                                       "subject", "basis", "interview"};
    json_t *facts = json_object(), *sources = json_array();

    for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
        json_t *v = json_object_get(post->json, keys[i]);
        if (v)
            json_object_set_new(facts, keys[i], json_deep_copy(v));
    }
    for (int i = 0; i < post->n_media; i++)
        json_array_append_new(sources, json_string(post->media[i].file));
    json_object_set_new(facts, "sources", sources);
    return facts;
}

/* A post that cannot be made now must not leave an older version on show. */
static void withdraw_post(const EncodeJob *job, const IgpPost *post)
{
    char *dir = g_build_filename(job->shoot->out_dir, "posts", post->id, NULL);
    igp_remove_tree(dir);
    g_free(dir);
}

static void encode_one(int index, void *data)
{
    EncodeJob *job = data;
    const IgpPost *post = job->posts[index];

    igp_error_clear();
    if (post->problem) {
        job->entries[index] = json_pack("{s:s}", "error", post->problem);
        withdraw_post(job, post);
    } else {
        job->entries[index] = encode_post(job, post);
        if (!job->entries[index]) {
            igp_log_error_kind("post-failed", json_pack("{s:s}", "post", post->id), "%s",
                               igp_error_buffer());
            job->entries[index] = json_pack("{s:s}", "error", igp_error_buffer());
            withdraw_post(job, post);
        } else {
            json_object_set_new(job->entries[index], "post", post_facts(post));
        }
    }
    igp_progress_step(job->progress);
}

/* The job's posts, then the stories compose drew: task i < @c n_posts is
 * post @c posts[i], a later one the story of post @c posts[i]. */
typedef struct PostSubset {
    EncodeJob *job;
    const int *posts;
    int n_posts;
} PostSubset;

static void encode_subset(int index, void *data)
{
    const PostSubset *subset = data;

    if (index < subset->n_posts) {
        encode_one(subset->posts[index], subset->job);
        return;
    }
    prepare_story(subset->job, subset->job->stories[subset->posts[index]]);
    vips_error_clear();
}

/* Every post side by side, the video posts first: a render takes longest,
 * and its encoders' thread counts are fixed (filters/video.c), so its bytes
 * do not depend on what runs beside it or on --jobs. The stories compose
 * drew are made beside them too, and put in place after them
 * (encode_stories), only for posts that were made. */
static void encode_all(EncodeJob *job, int n)
{
    int *order = g_new(int, MAX(2 * n, 1)), n_ordered = 0;
    PostSubset all = {job, order, 0};

    for (int video = 1; video >= 0; video--)
        for (int i = 0; i < n; i++)
            if (igp_post_is_video(job->posts[i], job->masters) == video)
                order[n_ordered++] = i;
    all.n_posts = n_ordered;
    for (int i = 0; i < n; i++)
        if ((job->stories[i] = composed_story(job, job->posts[i])))
            order[n_ordered++] = i;
    igp_parallel_for(n_ordered, job->shoot->settings->jobs, encode_subset, &all);
    g_free(order);
}

/* Keep the entries of posts this run did not select (--post); withdraw the
 * posts that are no longer in the manifest at all. */
static void carry_over_unselected(const EncodeJob *job, json_t *posts)
{
    const IgpManifest *m = job->shoot->manifest;
    const char *id;
    json_t *entry;

    json_object_foreach(job->previous, id, entry)
    {
        const IgpPost *post = igp_manifest_find_post(m, id);
        if (post && !igp_shoot_selects(job->shoot, post)) {
            json_object_set(posts, id, entry);
        } else if (!post && id[0] != '.' && !strchr(id, '/') &&
                   !derived_from_manifest_post(job, id, entry, posts)) {
            char *dir = g_build_filename(job->shoot->out_dir, "posts", id, NULL);
            igp_remove_tree(dir);
            g_free(dir);
        }
    }
}

int igp_encode(IgpShoot *shoot)
{
    /* Only redacted masters: a source whose faces were not hidden has no
     * entry here, and no post is made from it (fail closed). */
    json_t *scrub = igp_state_load(shoot->out_dir, "redact");
    json_t *previous = igp_state_load(shoot->out_dir, "encode");
    EncodeJob job = {.shoot = shoot,
                     .masters = json_object_get(scrub, "media"),
                     .previous = json_object_get(previous, "posts")};
    json_t *state = json_pack("{s:i, s:s, s:o}", "version", 1, "shoot", shoot->manifest->shoot,
                              "posts", json_object());
    int n = 0, failed = 0, ret;

    job.posts = g_new0(const IgpPost *, shoot->manifest->n_posts);
    for (int i = 0; i < shoot->manifest->n_posts; i++)
        if (igp_shoot_selects(shoot, &shoot->manifest->posts[i]))
            job.posts[n++] = &shoot->manifest->posts[i];
    job.entries = g_new0(json_t *, n);
    job.stories = g_new0(StoryJob *, n);
    job.progress = igp_progress_new("encode", n);
    encode_all(&job, n);
    igp_progress_free(&job.progress);

    carry_over_unselected(&job, json_object_get(state, "posts"));
    for (int i = 0; i < n; i++) {
        failed += json_object_get(job.entries[i], "error") != NULL;
        json_object_set_new(json_object_get(state, "posts"), job.posts[i]->id, job.entries[i]);
    }
    encode_stories(&job, n, json_object_get(state, "posts")); /* templates */
    igp_error_clear();
    ret = igp_state_save(shoot->out_dir, "encode", state);
    if (ret)
        igp_log_error("%s", igp_error_buffer());
    igp_log_note(
        ngettext("encode: %d post made, %d failed", "encode: %d posts made, %d failed", n - failed),
        n - failed, failed);
    json_decref(state);
    json_decref(scrub);
    json_decref(previous);
    g_free(job.posts);
    g_free(job.entries);
    for (int i = 0; i < n; i++)
        story_job_free(job.stories[i]);
    g_free(job.stories);
    return ret ? ret : failed ? IGP_ERR_INVALIDDATA : 0;
}
