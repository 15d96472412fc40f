/* compose: draw each templated post's slides (and its next-day story) from
 * its template and the redacted masters; the drawing itself is draw.c's. */
#include "stage.h"
#include "faces.h"
#include "log.h"
#include "postfill.h"
#include "jsonpos.h"
#include "template.h"

#include "error.h"
#include "i18n.h"
#include "fsutil.h"

#include <math.h>
#include <string.h>

#include <glib.h>

/* Bump when the same inputs would now be drawn differently. */
#define COMPOSE_RECIPE "compose-v2"

/* ---- the stage ---- */

typedef struct ComposeJob {
    IgpShoot *shoot;
    IgpFonts *fonts;
    char *templates_dir;
    json_t *masters;  ///< state/redact.json "media": masters with faces hidden
    json_t *faces;    ///< faces.json "media", or NULL
    json_t *previous; ///< last run's state/compose.json "posts"
    char *fonts_hash; ///< the fonts folder's part of every key (hash_folder)
    const IgpPost **posts;
    json_t **entries;
    IgpProgress *progress;
} ComposeJob;

/* Face boxes of a source from faces.json that steer its crops: hidden and
 * cleared faces, not the boxes the editor marked "ignore" (not a face). */
static int load_faces(const ComposeJob *job, const char *file, double (**out)[4])
{
    return igp_faces_crop_boxes(json_object_get(json_object_get(job->faces, file), "faces"), out);
}

typedef struct Pictures {
    IgpSlotPicture pics[10];
    int n;
} Pictures;

static void pictures_free(Pictures *p)
{
    for (int i = 0; i < p->n; i++) {
        if (p->pics[i].image)
            g_object_unref(p->pics[i].image);
        g_free((char *)p->pics[i].reread);
        g_free(p->pics[i].faces);
    }
    p->n = 0;
}

/* Open the masters of media first..first+count-1 of a post. */
static int open_pictures(const ComposeJob *job, const IgpPost *post, int first, int count,
                         Pictures *p)
{
    p->n = 0;
    for (int i = first; i < MIN(post->n_media, first + count) && p->n < 10; i++) {
        const IgpMediaRef *ref = &post->media[i];
        json_t *m = json_object_get(job->masters, ref->file);
        const char *rel = json_string_value(json_object_get(m, "master"));
        IgpSlotPicture *pic = &p->pics[p->n];
        char *path;

        if (!rel)
            return igp_error(
                IGP_ERR_INVALIDDATA, "compose",
                _("post '%s' not made: its source '%s' has no redacted master (see above)"),
                post->id, ref->file);
        path = g_build_filename(job->shoot->out_dir, rel, NULL);
        /* The header only: draw.c reads the pixels from pic->reread. */
        pic->image = vips_image_new_from_file(path, NULL);
        pic->reread = path;
        if (!pic->image) {
            g_free(path);
            pic->reread = NULL;
            return igp_vips_error(IGP_ERR_INVALIDDATA, ref->file, _("cannot read master"));
        }
        pic->name = ref->file;
        pic->focus[0] = ref->focus[0], pic->focus[1] = ref->focus[1];
        pic->n_faces = load_faces(job, ref->file, &pic->faces);
        p->n++;
    }
    return 0;
}

/* Render one template for slide @p slide (pictures from that slide on) to
 * @p path. With @p title_from_shoot a post without a "title" shows the
 * shoot's (the next-day story of a post drawn without a template). */
static int render_to(const ComposeJob *job, PangoContext *ctx, const IgpPost *post,
                     const IgpTemplate *t, int slide, int first_media, const char *path,
                     json_t *placements, int title_from_shoot)
{
    Pictures pics = {0};
    json_t *text = igp_post_fill_text(job->shoot, post, slide);
    const char *shoot_title = json_string_value(json_object_get(text, "shoot_title"));

    if (title_from_shoot && shoot_title && !json_string_value(json_object_get(text, "title")))
        json_object_set_new(text, "title", json_string(shoot_title));
    char *what = g_strdup_printf(_("post '%s'"), post->id);
    IgpTemplateFill fill = {.text = text, .what = what, .placements = placements};
    cairo_surface_t *surface = NULL;
    int ret = open_pictures(job, post, first_media, MAX(1, t->n_slots), &pics);

    fill.pictures = pics.pics, fill.n_pictures = pics.n;
    if (ret == 0)
        ret = igp_template_render(t, job->fonts, ctx, &fill, &surface);
    if (ret == 0)
        ret = igp_surface_save_png(surface, path);
    if (surface)
        cairo_surface_destroy(surface);
    pictures_free(&pics);
    json_decref(text);
    g_free(what);
    return ret;
}

/* The canvas a post's slides are made at. */
static char *post_canvas(const IgpPost *post)
{
    return igp_post_photo_canvas(post);
}

static int load_template(const ComposeJob *job, const IgpPost *post, const char *name,
                         const char *canvas, IgpTemplate **out)
{
    return igp_post_template_load(job->templates_dir, job->fonts, post, name, canvas, out);
}

/* The post's next-day story in the plan, when compose draws it. */
static const IgpPlanItem *story_item(const ComposeJob *job, const IgpPost *post)
{
    const IgpPlan *plan = job->shoot->manifest->plan;
    return igp_plan_find(plan, igp_plan_story_id(plan, post));
}

static gint compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The hash of every file of a template folder (and _shared), for the key. */
static void hash_folder(GString *s, const char *dir_path)
{
    GDir *dir = g_dir_open(dir_path, 0, NULL);
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    const char *name;

    while (dir && (name = g_dir_read_name(dir)))
        g_ptr_array_add(names, g_strdup(name));
    if (dir)
        g_dir_close(dir);
    g_ptr_array_sort(names, compare_names);
    for (guint i = 0; i < names->len; i++) {
        char *path = g_build_filename(dir_path, g_ptr_array_index(names, i), NULL);
        IgpDigest d = {{0}};
        if (igp_hash_file(path, &d))
            igp_error_clear();
        g_string_append_printf(s, "|%s=%s", (char *)g_ptr_array_index(names, i), d.hex);
        g_free(path);
    }
    g_ptr_array_free(names, TRUE);
}

/* Everything the drawn files depend on: same key, same pictures. */
static void compose_key(const ComposeJob *job, const IgpPost *post, const IgpTemplate *t,
                        IgpDigest *key)
{
    GString *s = g_string_new(COMPOSE_RECIPE);
    char *post_json = json_dumps(post->json, JSON_SORT_KEYS | JSON_COMPACT);
    /* Without a post template, only its story is drawn, from the default. */
    const char *story = !story_item(job, post) ? NULL : t ? t->story : IGP_STORY_TEMPLATE;
    const char *names[] = {t ? t->name : NULL, t ? t->pages : NULL, story, IGP_TEMPLATE_SHARED};

    g_string_append_printf(s, "|%s|%s", post_json, vips_version_string());
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        char *dir = names[i] ? g_build_filename(job->templates_dir, names[i], NULL) : NULL;
        if (dir)
            hash_folder(s, dir);
        g_free(dir);
    }
    g_string_append(s, job->fonts_hash);
    for (int i = 0; i < post->n_media; i++) {
        json_t *m = json_object_get(job->masters, post->media[i].file);
        double(*faces)[4] = NULL;
        /* Only the boxes count: scores and notes in faces.json change no pixel. */
        int n = load_faces(job, post->media[i].file, &faces);
        g_string_append_printf(s, "|%s", json_string_value(json_object_get(m, "master_sha256")));
        for (int k = 0; k < n; k++)
            g_string_append_printf(s, "|%g,%g,%g,%g", faces[k][0], faces[k][1], faces[k][2],
                                   faces[k][3]);
        g_free(faces);
    }
    igp_hash_bytes(s->str, s->len, key);
    g_string_free(s, TRUE);
    free(post_json);
}

/* The fonts' part of the keys, hashed once for all posts: the fonts folder
 * holds some 20 MB. */
static char *hash_fonts(const char *fonts_dir)
{
    GString *s = g_string_new(NULL);

    hash_folder(s, fonts_dir);
    return g_string_free(s, FALSE);
}

static int entry_is_current(const ComposeJob *job, const IgpPost *post, const IgpDigest *key)
{
    json_t *prev = json_object_get(job->previous, post->id), *f;
    const char *prev_key = json_string_value(json_object_get(prev, "key"));
    size_t i;

    if (!prev_key || strcmp(prev_key, key->hex))
        return 0;
    json_array_foreach(json_object_get(prev, "files"), i, f)
    {
        char *path = g_build_filename(job->shoot->out_dir, json_string_value(f), NULL);
        int ok = json_is_null(f) || igp_path_exists(path);
        g_free(path);
        if (!ok)
            return 0;
    }
    return 1;
}

/* Draw the slides and the story into a hidden folder, then rename it to
 * OUT/composed/<id>. Fills @p entry's "files" and "story". */
static int compose_files(const ComposeJob *job, PangoContext *ctx, const IgpPost *post,
                         const IgpTemplate *t, json_t *entry)
{
    char *final_dir = g_build_filename(job->shoot->out_dir, "composed", post->id, NULL);
    char *tmp_dir = igp_temp_sibling(final_dir), *canvas = post_canvas(post);
    IgpTemplate *pages = NULL, *story = NULL;
    const IgpPlanItem *story_of = story_item(job, post);
    json_t *files = json_array(), *placements = json_array();
    int ret = igp_mkdir_p(tmp_dir);

    if (ret == 0 && t && t->pages && post->n_media > 1)
        ret = load_template(job, post, t->pages, canvas, &pages);
    /* One slide per picture; a type without pictures (a highlight) has one. */
    for (int i = 0; i < MAX(post->n_media, 1) && ret == 0; i++) {
        const IgpTemplate *slide_t = i == 0 ? t : pages;
        char *name = g_strdup_printf("%s-%02d.png", post->id, i + 1);
        char *path = g_build_filename(tmp_dir, name, NULL);
        json_t *placed = json_array();
        if (!slide_t) /* no page template: encode crops this slide as usual */
            json_array_append_new(files, json_null());
        else if (!(ret = render_to(job, ctx, post, slide_t, i, i, path, placed, 0)))
            json_array_append_new(files, json_sprintf("composed/%s/%s", post->id, name));
        json_array_append_new(placements, placed);
        g_free(name);
        g_free(path);
    }
    if (ret == 0 && story_of) {
        char *path = g_strdup_printf("%s/%s.png", tmp_dir, story_of->id);
        char *when = igp_next_day(json_string_value(json_object_get(post->json, "schedule")));
        ret = load_template(job, post, t && t->story ? t->story : IGP_STORY_TEMPLATE,
                            story_of->type->photo_canvas, &story);
        json_t *placed = json_array();
        if (ret == 0)
            ret = render_to(job, ctx, post, story, 0, 0, path, placed, !t);
        if (ret == 0)
            json_object_set_new(entry, "story",
                                json_pack("{s:s++, s:s?, s:O}", "file", "composed/", post->id,
                                          g_strrstr(path, "/"), "schedule", when, "placements",
                                          placed));
        json_decref(placed);
        g_free(when);
        g_free(path);
    }
    json_object_set_new(entry, "files", files);
    json_object_set_new(entry, "placements", placements);
    if (ret == 0)
        ret = igp_fsync_path(tmp_dir);
    if (ret == 0)
        ret = igp_publish(tmp_dir, final_dir);
    if (ret)
        igp_remove_tree(tmp_dir);
    igp_template_free(&pages);
    igp_template_free(&story);
    g_free(canvas);
    g_free(tmp_dir);
    g_free(final_dir);
    return ret;
}

static json_t *compose_post(ComposeJob *job, const IgpPost *post)
{
    const char *name = igp_post_template_name(post); /* NULL: only its next-day story */
    char *canvas = post_canvas(post);
    IgpTemplate *t = NULL;
    json_t *entry = NULL;
    IgpDigest key;
    int ret;

    if (!job->fonts) {
        igp_error(IGP_ERR_INVALIDDATA, "compose",
                  _("post '%s' not made: the bundled fonts are "
                    "unusable (see above)"),
                  post->id);
        g_free(canvas);
        return NULL;
    }
    ret = name ? load_template(job, post, name, canvas, &t) : 0;
    g_free(canvas);
    if (ret)
        return NULL;
    compose_key(job, post, t, &key);
    if (entry_is_current(job, post, &key)) {
        igp_template_free(&t);
        return json_deep_copy(json_object_get(job->previous, post->id));
    }
    entry = json_pack("{s:s, s:s?}", "key", key.hex, "template", name);
    {
        PangoContext *ctx = igp_fonts_context(job->fonts);
        ret = compose_files(job, ctx, post, t, entry);
        g_object_unref(ctx);
    }
    igp_template_free(&t);
    if (ret) {
        json_decref(entry);
        return NULL;
    }
    return entry;
}

static void compose_one(int index, void *data)
{
    ComposeJob *job = data;
    const IgpPost *post = job->posts[index];

    igp_error_clear();
    if (!post->problem) {
        job->entries[index] = compose_post(job, post);
        if (!job->entries[index]) {
            igp_log_error("%s", igp_error_buffer());
            job->entries[index] = json_pack("{s:s}", "error", igp_error_buffer());
        }
    }
    igp_progress_step(job->progress);
}

/* faces.json of the run (OUT), else the shoot folder's. */
static json_t *load_faces_file(const IgpShoot *shoot)
{
    const char *dirs[] = {shoot->out_dir, shoot->settings->shoot_dir};
    for (size_t i = 0; i < G_N_ELEMENTS(dirs); i++) {
        char *path = g_build_filename(dirs[i], "faces.json", NULL);
        json_t *doc = igp_path_exists(path) ? igp_json_read_file(path) : NULL;
        g_free(path);
        if (doc)
            return doc;
    }
    return NULL;
}

int igp_compose(IgpShoot *shoot)
{
    /* Only redacted masters, as encode: a source whose faces were not hidden
     * has no entry there and no post is drawn from it (fail closed). */
    json_t *scrub = igp_state_load(shoot->out_dir, "redact");
    json_t *previous = igp_state_load(shoot->out_dir, "compose");
    json_t *faces = load_faces_file(shoot);
    char *fonts_dir = igp_fonts_dir();
    ComposeJob job = {.shoot = shoot,
                      .templates_dir = igp_templates_dir(),
                      .masters = json_object_get(scrub, "media"),
                      .faces = json_object_get(faces, "media"),
                      .previous = json_object_get(previous, "posts")};
    json_t *state = json_pack("{s:i, s:o}", "version", 1, "posts", json_object()), *posts;
    int n = 0, failed = 0, ret;

    posts = json_object_get(state, "posts");
    job.posts = g_new0(const IgpPost *, shoot->manifest->n_posts);
    for (int i = 0; i < shoot->manifest->n_posts; i++) {
        const IgpPost *post = &shoot->manifest->posts[i];
        /* Reels and story videos take their template as overlays, in encode. */
        if (igp_shoot_selects(shoot, post) &&
            (igp_post_template_name(post) || igp_post_has_story(post)) &&
            !igp_post_is_video(post, job.masters))
            job.posts[n++] = post;
        else if (json_object_get(job.previous, post->id)) /* --post: keep the others */
            json_object_set(posts, post->id, json_object_get(job.previous, post->id));
    }
    if (n > 0 && igp_fonts_open(fonts_dir, &job.fonts)) {
        igp_log_error("%s", igp_error_buffer());
        igp_error_clear();
    }
    job.fonts_hash = n > 0 ? hash_fonts(fonts_dir) : NULL;
    job.entries = g_new0(json_t *, n);
    job.progress = igp_progress_new("compose", n);
    igp_parallel_for(n, shoot->settings->jobs, compose_one, &job);
    igp_progress_free(&job.progress);
    for (int i = 0; i < n; i++) {
        if (!job.entries[i])
            continue; /* a post with missing media: reported when the shoot was opened */
        failed += json_object_get(job.entries[i], "error") != NULL;
        json_object_set_new(posts, job.posts[i]->id, job.entries[i]);
    }
    igp_error_clear();
    ret = igp_state_save(shoot->out_dir, "compose", state);
    if (ret)
        igp_log_error("%s", igp_error_buffer());
    if (n > 0)
        igp_log_note(ngettext("compose: %d post drawn from templates, %d failed",
                              "compose: %d posts drawn from templates, %d failed", n - failed),
                     n - failed, failed);
    igp_fonts_free(&job.fonts);
    json_decref(state);
    json_decref(scrub);
    json_decref(previous);
    json_decref(faces);
    g_free(fonts_dir);
    g_free(job.templates_dir);
    g_free(job.fonts_hash);
    g_free(job.posts);
    g_free(job.entries);
    return ret ? ret : failed ? IGP_ERR_INVALIDDATA : 0;
}
