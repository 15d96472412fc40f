/* preflight: what the stages will need from each post, checked before any
 * stage runs (see preflight.h). */
#include "preflight.h"
#include "postfill.h"
#include "reel_cover.h"
#include "reel_overlay.h"
#include "template.h"

#include "error.h"
#include "i18n.h"
#include "probe.h"

#include <string.h>

#include <glib.h>

typedef struct Preflight {
    const IgpShoot *shoot;
    char *templates_dir;
    IgpFonts *fonts;
    int fonts_tried;
    GHashTable *templates; ///< name -> IgpTemplate, each loaded once
} Preflight;

/* The fonts templates are checked with, opened on first use. NULL when they
 * cannot be: compose reports that itself, for the posts that need them. */
static IgpFonts *fonts(Preflight *pf)
{
    if (!pf->fonts_tried) {
        char *dir = igp_fonts_dir();
        pf->fonts_tried = 1;
        if (igp_fonts_open(dir, &pf->fonts))
            igp_error_clear();
        g_free(dir);
    }
    return pf->fonts;
}

/* A type that takes photos or videos (a story) is one or the other by its
 * media's content, as ingest will find. */
static int post_is_video(const Preflight *pf, const IgpPost *post)
{
    IgpMediaInfo info;
    char *path;
    json_t *media;
    int video;

    if (post->n_media == 0 ||
        igp_post_type_info(post->type)->takes != (IGP_TAKES_PHOTO | IGP_TAKES_VIDEO))
        return igp_post_is_video(post, NULL);
    path = g_build_filename(pf->shoot->manifest->dir, post->media[0].file, NULL);
    video = igp_identify(path, &info) == 0 && info.kind == IGP_MEDIA_VIDEO;
    igp_error_clear(); /* an unreadable file is ingest's to report */
    g_free(path);
    media = json_pack("{s:{s:s}}", post->media[0].file, "kind", video ? "video" : "image");
    video = igp_post_is_video(post, media);
    json_decref(media);
    return video;
}

static int template_exists(const Preflight *pf, const char *name)
{
    char *file = g_build_filename(pf->templates_dir, name, IGP_TEMPLATE_FILE, NULL);
    int ok = *name && name[0] != '.' && name[0] != '_' && !strchr(name, '/') &&
             g_file_test(file, G_FILE_TEST_IS_REGULAR);
    g_free(file);
    return ok;
}

static int unknown_template(const Preflight *pf, const IgpPost *post, const char *pointer,
                            const char *name)
{
    GPtrArray *names = igp_template_names(pf->templates_dir);
    GString *list = g_string_new(NULL);
    int ret;

    for (guint i = 0; i < names->len; i++)
        g_string_append_printf(list, "%s%s", i ? ", " : "", (char *)g_ptr_array_index(names, i));
    ret = igp_manifest_error_at(pf->shoot->manifest, pointer,
                                _("post '%s': unknown template '%s' (templates: %s)"), post->id,
                                name, list->str);
    g_string_free(list, TRUE);
    g_ptr_array_free(names, TRUE);
    return ret;
}

/* Template @p name for @p post, made for @p canvas. @p pointer is where
 * shoot.json names it, or NULL when the name is a default or comes from
 * another template. *out is NULL (and 0 returned) when the fonts are unusable. */
static int get_template(Preflight *pf, const IgpPost *post, const char *pointer, const char *name,
                        const char *canvas, const IgpTemplate **out)
{
    IgpTemplate *t = g_hash_table_lookup(pf->templates, name);

    *out = NULL;
    if (!t && pointer && !template_exists(pf, name))
        return unknown_template(pf, post, pointer, name);
    if (!t && !fonts(pf))
        return 0;
    if (!t) {
        if (igp_template_load(pf->templates_dir, name, pf->fonts, &t))
            return IGP_ERR_INVALIDDATA;
        g_hash_table_insert(pf->templates, g_strdup(name), t);
    }
    /* A photo template's twin for videos (postfill.c does the same). */
    if (strcmp(t->canvas, canvas) && igp_canvas_is_overlay(canvas) && t->video)
        return get_template(pf, post, NULL, t->video, canvas, out);
    if (strcmp(t->canvas, canvas)) {
        const char *fmt = _("post '%s': template '%s' is for the %s canvas, the post needs %s");
        if (pointer)
            return igp_manifest_error_at(pf->shoot->manifest, pointer, fmt, post->id, name,
                                         t->canvas, canvas);
        return igp_error(IGP_ERR_INVALIDDATA, t->path, fmt, post->id, name, t->canvas, canvas);
    }
    *out = t;
    return 0;
}

/* The first {placeholder} of @p text that @p values gives no text, as
 * compose.c's substitute() sees it; NULL when there is none. */
static char *missing_value(const char *text, json_t *values)
{
    for (const char *p = text; *p; p++) {
        const char *end = *p == '{' ? strchr(p, '}') : NULL;
        if (!end)
            continue;
        char *key = g_strndup(p + 1, end - p - 1);
        const char *v = json_string_value(json_object_get(values, key));
        if (!v || !*v)
            return key;
        g_free(key);
        p = end;
    }
    return NULL;
}

/* Every text box of @p t that is not optional gets a text from @p values. */
static int check_texts(const Preflight *pf, const IgpPost *post, int index, const IgpTemplate *t,
                       json_t *values, int title_from_shoot)
{
    for (int i = 0; t && i < t->n_layers; i++) {
        const IgpLayer *l = &t->layers[i];
        char *key =
            l->type == IGP_LAYER_TEXT && !l->optional ? missing_value(l->text, values) : NULL;
        if (!key)
            continue;
        char *ptr = g_strdup_printf("/posts/%d%s", index,
                                    json_object_get(post->json, "text") ? "/text" : "");
        int ret = igp_manifest_error_at(
            pf->shoot->manifest, ptr,
            _("post '%s': template '%s', box '%s': no text '%s' (set \"text\": {\"%s\": \"...\"} "
              "in the post%s)"),
            post->id, t->name, l->name, key, key,
            title_from_shoot && !strcmp(key, "title") ? _(", or the shoot's \"title\"") : "");
        g_free(ptr);
        g_free(key);
        return ret;
    }
    return 0;
}

/* The canvas a photo post's slides are drawn on (as compose.c's post_canvas). */
static char *photo_canvas(const IgpPost *post)
{
    return igp_post_photo_canvas(post);
}

/* A reel or story video: its overlays, and a reel's cover and next-day story. */
static int check_video(Preflight *pf, const IgpPost *post, int index, json_t *values)
{
    const char *name = json_string_value(json_object_get(post->json, "template"));
    json_t *cover = json_object_get(post->json, "cover");
    const char *cover_name = json_string_value(json_object_get(cover, "template"));
    char *ptr = g_strdup_printf("/posts/%d/template", index);
    char *cover_ptr = g_strdup_printf("/posts/%d/cover/template", index);
    const IgpTemplate *overlay = NULL, *t = NULL;
    int ret = get_template(pf, post, name ? ptr : NULL, name ? name : IGP_REEL_TEMPLATE, "reel",
                           &overlay);

    if (ret == 0)
        ret = check_texts(pf, post, index, overlay, values, 1);
    if (ret == 0 && overlay && igp_post_type_info(post->type)->cover_canvas) {
        ret = get_template(pf, post, cover_name ? cover_ptr : NULL,
                           cover_name ? cover_name : IGP_REEL_COVER_TEMPLATE,
                           igp_post_type_info(post->type)->cover_canvas, &t);
        if (ret == 0)
            ret = check_texts(pf, post, index, t, values, 1);
        if (ret == 0)
            ret = get_template(pf, post, NULL, overlay->story ? overlay->story : IGP_STORY_TEMPLATE,
                               "story", &t);
        if (ret == 0)
            ret = check_texts(pf, post, index, t, values, 1);
    }
    g_free(cover_ptr);
    g_free(ptr);
    return ret;
}

/* A photo post: its template's slides and pages (when it has one), and its
 * next-day story. */
static int check_photo(Preflight *pf, const IgpPost *post, int index, json_t *values)
{
    const char *name = igp_post_template_name(post);
    char *canvas = photo_canvas(post), *ptr = g_strdup_printf("/posts/%d/template", index);
    const IgpTemplate *t = NULL, *other = NULL;
    /* A type's own template (a highlight's cover) is not in shoot.json: no position. */
    int named = json_object_get(post->json, "template") != NULL;
    int ret = name ? get_template(pf, post, named ? ptr : NULL, name, canvas, &t) : 0;

    if (ret == 0)
        ret = check_texts(pf, post, index, t, values, 0);
    if (ret == 0 && t && t->pages && post->n_media > 1 &&
        (ret = get_template(pf, post, NULL, t->pages, canvas, &other)) == 0)
        ret = check_texts(pf, post, index, other, values, 0);
    if (ret == 0 && igp_post_has_story(post) &&
        (ret = get_template(pf, post, NULL, t && t->story ? t->story : IGP_STORY_TEMPLATE, "story",
                            &other)) == 0)
        ret = check_texts(pf, post, index, other, values, 0);
    g_free(ptr);
    g_free(canvas);
    return ret;
}

static int check_post(Preflight *pf, int index)
{
    const IgpPost *post = &pf->shoot->manifest->posts[index];
    const char *shoot_title =
        json_string_value(json_object_get(pf->shoot->manifest->root, "title"));
    int video = post_is_video(pf, post), ret;
    json_t *values;

    if (!video && !igp_post_template_name(post) && !igp_post_has_story(post))
        return 0; /* cropped, no template */
    values = igp_post_fill_text(pf->shoot, post, 0);
    /* Reel overlays and covers, and the next-day story of a post without a
     * template, show the shoot's title when the post has none. */
    if ((video || !igp_post_template_name(post)) &&
        !json_string_value(json_object_get(values, "title")) && shoot_title)
        json_object_set_new(values, "title", json_string(shoot_title));
    ret = video ? check_video(pf, post, index, values) : check_photo(pf, post, index, values);
    json_decref(values);
    return ret;
}

static void template_free(gpointer t)
{
    IgpTemplate *tt = t;
    igp_template_free(&tt);
}

int igp_preflight(const IgpShoot *shoot)
{
    Preflight pf = {.shoot = shoot,
                    .templates_dir = igp_templates_dir(),
                    .templates =
                        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, template_free)};
    int ret = 0;

    for (int i = 0; i < shoot->manifest->n_posts && ret == 0; i++) {
        const IgpPost *post = &shoot->manifest->posts[i];
        if (igp_shoot_selects(shoot, post) && !post->problem)
            ret = check_post(&pf, i);
    }
    g_hash_table_destroy(pf.templates);
    igp_fonts_free(&pf.fonts);
    g_free(pf.templates_dir);
    return ret;
}
