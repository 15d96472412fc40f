/* reel_cover: a reel's cover JPEG and its next-day story from one frame. */
#include "reel_cover.h"
#include "postfill.h"
#include "reel_overlay.h"
#include "template.h"

#include "error.h"
#include "i18n.h"
#include "fsutil.h"
#include "image.h"

#include <string.h>
#include <unistd.h>

#include <glib.h>

static int draw(const IgpTemplate *t, IgpFonts *fonts, json_t *text, IgpSlotPicture *pic,
                const char *what, cairo_surface_t **out)
{
    PangoContext *ctx = igp_fonts_context(fonts);
    IgpTemplateFill fill = {.text = text, .pictures = pic, .n_pictures = 1, .what = what};
    int ret = igp_template_render(t, fonts, ctx, &fill, out);

    g_object_unref(ctx);
    return ret;
}

int igp_reel_cover_write(const IgpShoot *shoot, const IgpPost *post, VipsImage *frame,
                         const double (*faces)[4], int n_faces, const char *cover_jpeg,
                         const char *story_png)
{
    json_t *cover = json_object_get(post->json, "cover");
    const char *cover_name = json_string_value(json_object_get(cover, "template"));
    const char *post_name = json_string_value(json_object_get(post->json, "template"));
    const char *shoot_title = json_string_value(json_object_get(shoot->manifest->root, "title"));
    char *fonts_dir = igp_fonts_dir(), *templates_dir = igp_templates_dir();
    char *what = g_strdup_printf(_("post '%s'"), post->id);
    IgpFonts *fonts = NULL;
    IgpTemplate *t = NULL, *reel = NULL, *story = NULL;
    /* Drawn twice (cover and story): decode it once, whatever its access. */
    VipsImage *pixels = vips_image_copy_memory(frame);
    IgpSlotPicture pic = {.image = pixels, .name = _("the cover frame"), .n_faces = n_faces};
    cairo_surface_t *surface = NULL;
    VipsImage *image = NULL;
    json_t *text = igp_post_fill_text(shoot, post, 0);
    int ret = pixels ? igp_fonts_open(fonts_dir, &fonts)
                     : igp_vips_error(IGP_ERR_INVALIDDATA, what, _("cannot read the cover frame"));

    /* The crop's centre: "cover": {"focus": [x, y]}, else the clip's focus. */
    pic.focus[0] = post->n_media ? post->media[0].focus[0] : 0.5;
    pic.focus[1] = post->n_media ? post->media[0].focus[1] : 0.5;
    if (json_array_size(json_object_get(cover, "focus")) == 2) {
        json_t *f = json_object_get(cover, "focus");
        pic.focus[0] = CLAMP(json_number_value(json_array_get(f, 0)), 0, 1);
        pic.focus[1] = CLAMP(json_number_value(json_array_get(f, 1)), 0, 1);
    }
    pic.faces = g_malloc0(sizeof(double[4]) * (n_faces + 1));
    if (n_faces > 0)
        memcpy(pic.faces, faces, sizeof(double[4]) * n_faces);
    /* The cover's title: the post's, else the shoot's (as the title card). */
    if (!json_string_value(json_object_get(text, "title")) && shoot_title)
        json_object_set_new(text, "title", json_string(shoot_title));
    if (ret == 0)
        ret = igp_post_template_load(templates_dir, fonts, post,
                                     cover_name ? cover_name : IGP_REEL_COVER_TEMPLATE,
                                     "reel-cover", &t);
    if (ret == 0)
        ret = draw(t, fonts, text, &pic, what, &surface);
    if (ret == 0)
        ret = igp_vips_from_surface(surface, &image);
    if (ret == 0) {
        IgpJpegSettings js;
        igp_jpeg_default_settings(&js);
        js.max_bytes = IGP_REEL_COVER_MAX_BYTES;
        ret = igp_image_save_jpeg(image, what, cover_jpeg, &js);
    }
    if (surface)
        cairo_surface_destroy(surface);
    surface = NULL;
    /* The next-day story: the post template's "story", as compose does for photos. */
    if (ret == 0 && story_png) {
        ret = igp_post_template_load(templates_dir, fonts, post,
                                     post_name ? post_name : IGP_REEL_TEMPLATE, NULL, &reel);
        if (ret == 0)
            ret = igp_post_template_load(templates_dir, fonts, post,
                                         reel->story ? reel->story : IGP_STORY_TEMPLATE, "story",
                                         &story);
        if (ret == 0)
            ret = draw(story, fonts, text, &pic, what, &surface);
        if (ret == 0)
            ret = igp_surface_save_png(surface, story_png);
        if (ret) /* all or nothing */
            unlink(cover_jpeg);
    }
    if (surface)
        cairo_surface_destroy(surface);
    if (image)
        g_object_unref(image);
    if (pixels)
        g_object_unref(pixels);
    igp_template_free(&t);
    igp_template_free(&reel);
    igp_template_free(&story);
    igp_fonts_free(&fonts);
    json_decref(text);
    g_free(pic.faces);
    g_free(what);
    g_free(fonts_dir);
    g_free(templates_dir);
    return ret;
}
