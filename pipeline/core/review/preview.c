/* review preview: a photo's redacted preview, hidden by the library's own
 * redaction (filters/redact.c) with the decisions as the next run will read
 * them, on a copy of the master shrunk to at most PREVIEW_SIDE pixels. */
#include "review.h"

#include "template.h"

#include "error.h"
#include "i18n.h"
#include "fsutil.h"
#include "redact.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <vips/vips.h>

#define PREVIEW_RECIPE "review-preview-v1"
#define PREVIEW_SIDE   1200
#define PREVIEW_Q      85

/* The style a hidden face gets: its own, else the shoot's, else blur. */
static const char *face_style(IgpReview *r, const json_t *face)
{
    const char *style = json_string_value(json_object_get(face, "style"));
    return style ? style : r->shoot_style ? r->shoot_style : "blur";
}

static int is_hidden(const json_t *face)
{
    return !g_strcmp0(json_string_value(json_object_get(face, "decision")), "hidden") &&
           json_object_get(face, "box");
}

static char *master_path(IgpReview *r, const char *media)
{
    char *name = g_strdup_printf("%s.jpg", media);
    char *path = g_build_filename(r->out_dir, "masters", name, NULL);
    g_free(name);
    return path;
}

char *igp_review_preview_key(IgpReview *r, const char *media, json_t *faces)
{
    char *master = master_path(r, media);
    GString *s = g_string_new(PREVIEW_RECIPE);
    struct stat st = {0};
    json_t *face;
    IgpDigest d;
    size_t i;

    stat(master, &st);
    g_string_append_printf(s, "|%s|%lld|%lld.%09ld", media, (long long)st.st_size,
                           (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    json_array_foreach(faces, i, face)
    {
        if (!is_hidden(face))
            continue;
        char *box = json_dumps(json_object_get(face, "box"), JSON_COMPACT);
        g_string_append_printf(s, "|%s|%s", box, face_style(r, face));
        free(box);
    }
    igp_hash_bytes(s->str, s->len, &d);
    g_string_free(s, TRUE);
    g_free(master);
    return g_strndup(d.hex, 16);
}

/* Hide @p faces (scaled by @p scale) on the RGB pixels of @p img. */
static int hide_faces(IgpReview *r, IgpRgbImage *img, json_t *faces, double scale)
{
    char *templates = igp_templates_dir();
    char *stickers = g_build_filename(templates, "stickers", NULL);
    json_t *face;
    size_t i;
    int ret = 0;

    json_array_foreach(faces, i, face)
    {
        IgpRedactFace f = {0};
        json_t *box = json_object_get(face, "box");
        const char *sticker = json_string_value(json_object_get(face, "sticker"));
        char *sticker_file = NULL;

        if (!is_hidden(face))
            continue;
        if ((ret = igp_redact_style_parse(face_style(r, face), &f.style)))
            break;
        if (f.style == IGP_REDACT_STICKER &&
            (ret =
                 igp_redact_sticker_path(stickers, sticker ? sticker : "smile.svg", &sticker_file)))
            break;
        f.x = json_number_value(json_array_get(box, 0)) * scale;
        f.y = json_number_value(json_array_get(box, 1)) * scale;
        f.w = json_number_value(json_array_get(box, 2)) * scale;
        f.h = json_number_value(json_array_get(box, 3)) * scale;
        f.sticker = sticker_file;
        ret = igp_redact_face(img, &f, IGP_REDACT_PADDING);
        g_free(sticker_file);
        if (ret)
            break;
    }
    g_free(stickers);
    g_free(templates);
    return ret;
}

/* Shrink the master, hide its faces, write @p path (temporary, renamed). */
static int make_preview(IgpReview *r, const char *media, json_t *view, const char *path)
{
    char *master = master_path(r, media), *dir = g_path_get_dirname(path);
    double width = json_number_value(json_array_get(json_object_get(view, "size"), 0));
    VipsImage *small = NULL, *out = NULL;
    IgpRgbImage img = {0};
    void *jpeg = NULL;
    size_t len = 0;
    int ret = 0;

    if (vips_thumbnail(master, &small, PREVIEW_SIDE, "height", PREVIEW_SIDE, "size", VIPS_SIZE_DOWN,
                       NULL) ||
        small->Bands != 3 || small->BandFmt != VIPS_FORMAT_UCHAR) {
        vips_error_clear();
        ret = igp_error(IGP_ERR_INVALIDDATA, master, _("cannot read the master for a preview"));
    }
    if (ret == 0) {
        img.width = small->Xsize, img.height = small->Ysize;
        img.stride = (size_t)img.width * 3;
        img.data = vips_image_write_to_memory(small, &len);
        if (!img.data)
            ret = igp_error(IGP_ERR_LIBRARY, master, _("cannot decode the master"));
    }
    if (ret == 0)
        ret = hide_faces(r, &img, json_object_get(view, "faces"),
                         width > 0 ? img.width / width : 1.0);
    if (ret == 0 && (!(out = vips_image_new_from_memory(img.data, len, img.width, img.height, 3,
                                                        VIPS_FORMAT_UCHAR)) ||
                     vips_jpegsave_buffer(out, &jpeg, &len, "Q", PREVIEW_Q, "strip", TRUE, NULL))) {
        vips_error_clear();
        ret = igp_error(IGP_ERR_LIBRARY, path, _("cannot encode the preview"));
    }
    if (ret == 0 && (ret = igp_mkdir_p(dir)) == 0)
        ret = igp_write_file_atomic(path, jpeg, len);
    g_free(jpeg);
    if (out)
        g_object_unref(out);
    if (small)
        g_object_unref(small);
    g_free(img.data);
    g_free(master);
    g_free(dir);
    return ret;
}

static json_t *find_media(json_t *state, const char *media)
{
    json_t *view;
    size_t i;

    json_array_foreach(json_object_get(state, "media"), i, view)
    {
        if (!g_strcmp0(json_string_value(json_object_get(view, "name")), media))
            return view;
    }
    return NULL;
}

int igp_review_preview(IgpReview *r, const char *media, char **path)
{
    json_t *state = igp_review_state(r), *view;
    const char *key;
    int ret = 0;

    *path = NULL;
    if (!state)
        return IGP_ERR_INVALIDDATA;
    view = find_media(state, media);
    if (!view || !(key = json_string_value(json_object_get(view, "preview_key")))) {
        json_decref(state);
        return igp_error(IGP_ERR(ENOENT), media, _("not a photo of the shoot"));
    }
    char *name = g_strdup_printf("%s.jpg", media);
    *path = g_build_filename(r->out_dir, "review", "preview", name, NULL);
    g_free(name);
    g_mutex_lock(&r->preview_lock);
    if (g_strcmp0(g_hash_table_lookup(r->preview_keys, media), key) || !igp_path_exists(*path)) {
        ret = make_preview(r, media, view, *path);
        if (ret == 0)
            g_hash_table_replace(r->preview_keys, g_strdup(media), g_strdup(key));
    }
    g_mutex_unlock(&r->preview_lock);
    json_decref(state);
    if (ret) {
        g_free(*path);
        *path = NULL;
    }
    return ret;
}
