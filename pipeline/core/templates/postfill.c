/* postfill: filling a template from a post, shared by compose and the reel render. */
#include "postfill.h"

#include "error.h"
#include "i18n.h"

#include <string.h>

#include <glib.h>

json_t *igp_post_fill_text(const IgpShoot *shoot, const IgpPost *post, int slide)
{
    json_t *text = json_deep_copy(json_object_get(post->json, "text"));
    const char *title = json_string_value(json_object_get(shoot->manifest->root, "title"));

    if (!text)
        text = json_object();
    json_object_set_new(text, "page", json_sprintf("%d", slide + 1));
    json_object_set_new(text, "pages", json_sprintf("%d", post->n_media));
    if (title)
        json_object_set_new(text, "shoot_title", json_string(title));
    return text;
}

int igp_post_template_load(const char *templates_dir, IgpFonts *fonts, const IgpPost *post,
                           const char *name, const char *canvas, IgpTemplate **out)
{
    int ret = igp_template_load(templates_dir, name, fonts, out);

    /* A photo template may name its twin for videos ("video"): a story takes
     * either, with one template name. */
    if (ret == 0 && canvas && strcmp((*out)->canvas, canvas) && igp_canvas_is_overlay(canvas) &&
        (*out)->video) {
        char *video = g_strdup((*out)->video);
        igp_template_free(out);
        ret = igp_template_load(templates_dir, video, fonts, out);
        name = ret == 0 ? (*out)->name : name;
        g_free(video);
    }
    if (ret == 0 && canvas && strcmp((*out)->canvas, canvas)) {
        ret = igp_error(IGP_ERR_INVALIDDATA, (*out)->path,
                        _("post '%s': template '%s' is for the %s canvas, the post needs %s"),
                        post->id, name, (*out)->canvas, canvas);
        igp_template_free(out);
    }
    return ret;
}

char *igp_next_day(const char *schedule)
{
    GDateTime *t = schedule ? g_date_time_new_from_iso8601(schedule, NULL) : NULL;
    GDateTime *next = t ? g_date_time_add_days(t, 1) : NULL;
    char *s = next ? g_date_time_format(next, "%Y-%m-%dT%H:%M:%S%:z") : NULL;

    if (t)
        g_date_time_unref(t);
    if (next)
        g_date_time_unref(next);
    return s;
}
