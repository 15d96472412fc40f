/* igprep-template: list, check and preview post templates (docs/templates.md). */
#include "cli.h"
#include "faces.h"
#include "log.h"
#include "image.h"
#include "reel_cover.h"
#include "reel_overlay.h"
#include "jsonpos.h"
#include "template.h"
#include "template_export.h"

#include "error.h"
#include "fsutil.h"
#include "redact.h"

#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static const char usage[] =
    N_("usage: igprep template list\n"
       "       igprep template check [NAME...]\n"
       "       igprep template new NAME --from TEMPLATE [--templates DIR]\n"
       "       igprep template export --to DIR [--format dir|zip] [--templates DIR] [NAME...]\n"
       "       igprep template preview NAME [--shoot SHOOT --post ID] [--guides] [--out FILE]\n"
       "       igprep template preview REEL-NAME [--shoot SHOOT --post ID] --at T[,T...]\n"
       "                               [--duration D] [--transparent] [--out FILE]\n"
       "       igprep template preview REEL-NAME [--shoot SHOOT --post ID] --frames FPS\n"
       "                               [--duration D]\n"
       "       igprep template cover --shoot SHOOT --post ID --frame PICTURE [--face X,Y,W,H]...\n"
       "                             [--out FILE.jpg] [--story FILE.png]\n"
       "\n"
       "  list     the templates in templates/ with their canvas and description\n"
       "  check    load every template (or the named ones) and report each problem as\n"
       "           FILE:LINE:COLUMN; exit status 1 when one is broken\n"
       "  new      start the template NAME as a copy of TEMPLATE (its folder, artwork\n"
       "           included); NAME must not exist: letters, digits, '-' and '_'\n"
       "  export   write the template set for the city to DIR (a folder, or with\n"
       "           --format zip a zip file): every template (or NAME... and the templates\n"
       "           they name), the fonts and their licences, a preview sheet per template\n"
       "           and a Japanese guide (使い方.md, with the logo slots); DIR must not exist.\n"
       "           Check it with: igprep template check --templates DIR/templates\n"
       "  preview  draw NAME to FILE (default NAME-preview.png) and a sheet FILE-sheet.png\n"
       "           with short, long and too-long Japanese sample text; with --shoot and\n"
       "           --post, draw it with that post's text and pictures (and faces.json);\n"
       "           --guides draws the safe zone (cyan) and every layer's box (magenta)\n"
       "  --at     reel templates: the overlays at T seconds of the post (title card,\n"
       "           end card, subtitles of the post's SRT at T + the trim start, logo) over\n"
       "           the template's background, or alone with --transparent; one JSON line\n"
       "           per time on stdout (file, serial, bounding box). D: the post's length\n"
       "           (default: its trim, else 30 s). Several times write FILE-T.png.\n"
       "  --frames every frame at FPS: prints how many pictures were drawn\n"
       "  cover    the reel post's cover JPEG (reel-cover template; default ID-cover.jpg) and,\n"
       "           with --story, its next-day story, from PICTURE (the frame at cover.at,\n"
       "           faces already hidden); --face marks a face the crop must not cut\n"
       "\n"
       "Options: --templates DIR (default: $IGPREP_TEMPLATES or the templates/ igprep was\n"
       "built with). Fonts come from the template set's fonts/ (DIR/fonts or DIR/../fonts)\n"
       "when it has one, else from igprep's fonts/ (fonts/fonts.conf).\n");

typedef struct Options {
    const char *templates;
    const char *shoot, *post, *out;
    const char *at, *duration, *frames, *frame, *story;
    const char *from, *to, *format;
    double (*faces)[4];
    int n_faces;
    int guides, transparent;
    char **names;
    int n_names;
} Options;

static int parse(int argc, char **argv, Options *o)
{
    o->names = g_new0(char *, argc + 1);
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char **value = !strcmp(a, "--templates")  ? &o->templates
                             : !strcmp(a, "--shoot")    ? &o->shoot
                             : !strcmp(a, "--post")     ? &o->post
                             : !strcmp(a, "--out")      ? &o->out
                             : !strcmp(a, "--at")       ? &o->at
                             : !strcmp(a, "--duration") ? &o->duration
                             : !strcmp(a, "--frames")   ? &o->frames
                             : !strcmp(a, "--frame")    ? &o->frame
                             : !strcmp(a, "--story")    ? &o->story
                             : !strcmp(a, "--from")     ? &o->from
                             : !strcmp(a, "--to")       ? &o->to
                             : !strcmp(a, "--format")   ? &o->format
                                                        : NULL;
        if (value) {
            if (i + 1 >= argc) {
                fprintf(stderr, _("igprep template: %s needs a value (try --help)\n"), a);
                return IGP_EXIT_USAGE;
            }
            *value = argv[++i];
        } else if (!strcmp(a, "--guides")) {
            o->guides = 1;
        } else if (!strcmp(a, "--face") && i + 1 < argc) {
            double b[4];
            if (sscanf(argv[++i], "%lf,%lf,%lf,%lf", &b[0], &b[1], &b[2], &b[3]) != 4) {
                fprintf(stderr, _("igprep template: --face takes X,Y,W,H in pixels\n"));
                return IGP_EXIT_USAGE;
            }
            o->faces = g_realloc(o->faces, sizeof(double[4]) * (o->n_faces + 1));
            memcpy(o->faces[o->n_faces++], b, sizeof(b));
        } else if (!strcmp(a, "--transparent")) {
            o->transparent = 1;
        } else if (a[0] == '-') {
            fprintf(stderr, _("igprep template: unknown option %s (try --help)\n"), a);
            return IGP_EXIT_USAGE;
        } else {
            o->names[o->n_names++] = argv[i];
        }
    }
    return 0;
}

static int cmd_list(const char *dir, IgpFonts *fonts)
{
    GPtrArray *names = igp_template_names(dir);

    for (guint i = 0; i < names->len; i++) {
        IgpTemplate *t = NULL;
        const char *name = g_ptr_array_index(names, i);
        if (igp_template_load(dir, name, fonts, &t) == 0)
            printf("%-18s %-16s %4dx%-5d %s\n", name, t->canvas, t->width, t->height,
                   t->description);
        else
            printf(_("%-18s (broken: igprep template check %s)\n"), name, name);
        igp_error_clear();
        igp_template_free(&t);
    }
    g_ptr_array_free(names, TRUE);
    return 0;
}

static int cmd_check(const char *dir, IgpFonts *fonts, char **names, int n)
{
    GPtrArray *all = n ? NULL : igp_template_names(dir);
    int failed = 0, count = n ? n : (int)all->len;

    if (count == 0) { /* a wrong --templates must not pass as "nothing wrong" */
        igp_log_error(_("%s: no templates in this folder (each is a folder holding a "
                        "template.json)"),
                      dir);
        g_ptr_array_free(all, TRUE);
        return IGP_ERR_INVALIDDATA;
    }
    for (int i = 0; i < count; i++) {
        const char *name = n ? names[i] : g_ptr_array_index(all, i);
        IgpTemplate *t = NULL;
        if (igp_template_load(dir, name, fonts, &t)) {
            igp_log_error("%s", igp_error_buffer());
            igp_error_clear();
            failed++;
        } else {
            printf(_("ok %s (%s, %d layers)\n"), name, t->canvas, t->n_layers);
        }
        igp_template_free(&t);
    }
    if (all)
        g_ptr_array_free(all, TRUE);
    return failed ? IGP_ERR_INVALIDDATA : 0;
}

/* ---- preview ---- */

/* Sample text per placeholder: short and long (too long is the long one
 * four times), sized for the boxes such placeholders usually get. */
static const char *sample(const char *key, int variant)
{
    static const struct {
        const char *prefix, *text[2];
    } samples[] = {
        {"title",
         {"秋のおはなし会", "のびすく仙台 秋のおはなし会と親子で楽しむハロウィン工作教室"}},
        {"date", {"11月20日（金）", "2026年11月20日（金）10:00〜12:00"}},
        {"place", {"のびすく仙台", "のびすく仙台 2階 子育てひろば"}},
        {"body",
         {"宇宙がテーマの一日でした",
          "宇宙をテーマにした一日を、写真でふりかえります。約60組の親子が参加しました。"}},
        {"point",
         {"予約はいりません", "0歳から3歳までのお子さんと保護者の方ならどなたでも参加できます"}},
        {"label", {"イベント", "イベントのおしらせ"}},
        {"", {"のびすく仙台", "毎月第3金曜日の午前10時から、のびすく仙台の2階ひろばで"}},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(samples); i++)
        if (g_str_has_prefix(key, samples[i].prefix))
            return samples[i].text[variant > 0];
    return "";
}

static json_t *sample_text(const IgpTemplate *t, int variant)
{
    json_t *text = json_pack("{s:s, s:s, s:s}", "page", "2", "pages", "4", "shoot_title",
                             "のびすく ハロウィン 2026");

    for (int i = 0; i < t->n_layers; i++) {
        const char *p = t->layers[i].text, *end;
        while (p && (p = strchr(p, '{')) && (end = strchr(p, '}'))) {
            char *key = g_strndup(p + 1, end - p - 1);
            if (!json_object_get(text, key)) {
                const char *s = sample(key, variant);
                /* Too long: the long sample four times. */
                char *v = variant == 2 ? g_strjoin("", s, s, s, s, NULL) : g_strdup(s);
                json_object_set_new(text, key, json_string(v));
                g_free(v);
            }
            g_free(key);
            p = end + 1;
        }
    }
    return text;
}

/* A fixed picture for previews: a colour gradient with a grid, the same on
 * every machine (reference images depend on it). */
static int sample_picture(VipsImage **out)
{
    VipsImage *xyz = NULL, *x = NULL, *y = NULL, *r = NULL, *g = NULL, *grid = NULL, *b = NULL;
    VipsImage *rgb = NULL;
    int ret = vips_xyz(&xyz, 1600, 1200, NULL) || vips_extract_band(xyz, &x, 0, NULL) ||
              vips_extract_band(xyz, &y, 1, NULL) ||
              vips_linear1(x, &r, 200.0 / 1600, 40, "uchar", TRUE, NULL) ||
              vips_linear1(y, &g, 180.0 / 1200, 50, "uchar", TRUE, NULL) ||
              vips_remainder_const1(x, &grid, 200, NULL) ||
              vips_linear1(grid, &b, 0.4, 90, "uchar", TRUE, NULL);
    VipsImage *bands[3] = {r, g, b};

    if (ret == 0)
        ret = vips_bandjoin(bands, &rgb, 3, NULL);
    VipsImage *all[] = {xyz, x, y, r, g, grid, b};
    for (size_t i = 0; i < G_N_ELEMENTS(all); i++)
        if (all[i])
            g_object_unref(all[i]);
    if (ret)
        return igp_vips_error(IGP_ERR_LIBRARY, "preview", _("cannot make the sample picture"));
    rgb->Type = VIPS_INTERPRETATION_sRGB;
    *out = rgb;
    return 0;
}

typedef struct Preview {
    IgpSlotPicture pics[10];
    int n;
    json_t *text;
    json_t *faces_doc;
} Preview;

/* Hide every face of @p faces not marked cleared, as redact does: a preview
 * of a real post must not show a face the account may not show. */
static int hide_faces(VipsImage **image, json_t *faces)
{
    IgpRgbImage rgb = {0};
    size_t len, i;
    json_t *f;
    int ret = 0;

    if (json_array_size(faces) == 0)
        return 0;
    if (!(rgb.data = vips_image_write_to_memory(*image, &len)))
        return igp_vips_error(IGP_ERR_LIBRARY, "preview", _("cannot read pixels"));
    rgb.width = (*image)->Xsize, rgb.height = (*image)->Ysize, rgb.stride = (size_t)rgb.width * 3;
    json_array_foreach(faces, i, f)
    {
        json_t *box = json_object_get(f, "box");
        IgpRedactFace face = {.style = IGP_REDACT_BLUR};
        /* As redact: cleared faces stay, ignored boxes are not faces. */
        if (igp_face_is_cleared(f) || igp_face_is_ignored(f) || json_array_size(box) != 4 || ret)
            continue;
        face.x = json_number_value(json_array_get(box, 0));
        face.y = json_number_value(json_array_get(box, 1));
        face.w = json_number_value(json_array_get(box, 2));
        face.h = json_number_value(json_array_get(box, 3));
        ret = igp_redact_face(&rgb, &face, IGP_REDACT_PADDING);
    }
    if (ret == 0) {
        VipsImage *hidden = vips_image_new_from_memory_copy(rgb.data, len, rgb.width, rgb.height, 3,
                                                            VIPS_FORMAT_UCHAR);
        if (!hidden)
            ret = igp_vips_error(IGP_ERR_LIBRARY, "preview", _("cannot wrap pixels"));
        else {
            hidden->Type = VIPS_INTERPRETATION_sRGB;
            g_object_unref(*image);
            *image = hidden;
        }
    }
    g_free(rgb.data);
    return ret;
}

/* The post's pictures (displayed sources, faces not cleared hidden) and
 * text, from the shoot folder. */
static int load_post(const Options *o, Preview *pv)
{
    IgpManifest *m = NULL;
    const IgpPost *post;
    char *faces_path;
    int ret = igp_manifest_load(o->shoot, &m);

    if (ret)
        return ret;
    if (!(post = igp_manifest_find_post(m, o->post)) || post->problem) {
        /* A post whose media is missing or leaves the shoot folder is not drawn. */
        ret = post ? igp_error(IGP_ERR_INVALIDDATA, "preview", "%s", post->problem)
                   : igp_error(IGP_ERR_INVALIDDATA, m->path, _("no post '%s'"), o->post);
        igp_manifest_free(&m);
        return ret;
    }
    faces_path = g_build_filename(o->shoot, "faces.json", NULL);
    pv->faces_doc = igp_path_exists(faces_path) ? igp_json_read_file(faces_path) : NULL;
    g_free(faces_path);
    pv->text = json_deep_copy(json_object_get(post->json, "text"));
    if (!pv->text)
        pv->text = json_object();
    json_object_set_new(pv->text, "page", json_string("1"));
    json_object_set_new(pv->text, "pages", json_sprintf("%d", post->n_media));
    for (int i = 0; i < post->n_media && i < 10 && ret == 0; i++) {
        IgpSlotPicture *p = &pv->pics[i];
        char *path = g_build_filename(o->shoot, post->media[i].file, NULL);
        json_t *faces = json_object_get(
            json_object_get(json_object_get(pv->faces_doc, "media"), post->media[i].file), "faces");
        ret = igp_image_open_display(path, NULL, &p->image);
        if (ret == 0)
            ret = hide_faces(&p->image, faces);
        g_free(path);
        p->name = g_strdup(post->media[i].file);
        p->focus[0] = post->media[i].focus[0], p->focus[1] = post->media[i].focus[1];
        p->n_faces = igp_faces_crop_boxes(faces, &p->faces);
        pv->n++;
    }
    igp_manifest_free(&m);
    return ret;
}

static void preview_free(Preview *pv)
{
    for (int i = 0; i < pv->n; i++) {
        if (pv->pics[i].image)
            g_object_unref(pv->pics[i].image);
        g_free(pv->pics[i].faces);
        g_free((char *)pv->pics[i].name);
    }
    json_decref(pv->text);
    json_decref(pv->faces_doc);
}

/* Reel templates: a preview shows the logo bug, the title card and a
 * subtitle (short, long, too long). */
static void reel_sample(const IgpTemplate *t, IgpTemplateFill *fill, int variant)
{
    static const char *const subs[] = {
        "こんにちは。のびすく仙台です",
        "今日は、のびすく仙台で開かれたハロウィンパーティーの様子をご紹介します",
        "今日は、のびすく仙台で開かれたハロウィンパーティーの様子をご紹介します。宇宙がテーマの"
        "仮装をした親子が約60組も集まり、ロケットの打ち上げ映像を大きなスクリーンで見ました"};
    if (!igp_canvas_is_overlay(t->canvas))
        return;
    fill->when = IGP_WHEN_BIT(IGP_WHEN_ALWAYS) | IGP_WHEN_BIT(IGP_WHEN_TITLE);
    fill->subtitle = subs[MIN(variant, 2)];
}

/* One panel of the sheet: the render, or the error on a red panel. */
static void sheet_panel(cairo_t *cr, PangoContext *ctx, const IgpTemplate *t, cairo_surface_t *s,
                        const char *caption, const char *error, double x, double scale)
{
    PangoLayout *layout;
    PangoFontDescription *desc = pango_font_description_from_string("BIZ UDPGothic Bold 26px");

    pango_cairo_update_context(cr, ctx);
    layout = pango_layout_new(ctx);
    pango_layout_set_font_description(layout, desc);
    pango_layout_set_width(layout, (int)(t->width * scale * PANGO_SCALE));
    pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_text(layout, caption, -1);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_move_to(cr, x, 20);
    pango_cairo_show_layout(cr, layout);
    cairo_save(cr);
    cairo_translate(cr, x, 80);
    cairo_scale(cr, scale, scale);
    if (s) {
        cairo_set_source_surface(cr, s, 0, 0);
        cairo_paint(cr);
    } else {
        cairo_set_source_rgb(cr, 0.85, 0.1, 0.1);
        cairo_rectangle(cr, 0, 0, t->width, t->height);
        cairo_fill(cr);
        pango_layout_set_width(layout, (t->width - 80) * PANGO_SCALE);
        pango_font_description_set_absolute_size(desc, 40 * PANGO_SCALE);
        pango_layout_set_font_description(layout, desc);
        pango_layout_set_text(layout, error, -1);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_move_to(cr, 40, 40);
        pango_cairo_show_layout(cr, layout);
    }
    cairo_restore(cr);
    pango_font_description_free(desc);
    g_object_unref(layout);
}

static int write_sheet(const IgpTemplate *t, IgpFonts *fonts, PangoContext *ctx, Preview *pv,
                       const Options *o, const char *path)
{
    static const char *const captions[] = {N_("short text"), N_("long text (made smaller to fit)"),
                                           N_("too long (an error)")};
    const double scale = 0.5;
    int panel_w = (int)(t->width * scale) + 40;
    cairo_surface_t *sheet = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, panel_w * 3 + 40,
                                                        (int)(t->height * scale) + 120);
    cairo_t *cr = cairo_create(sheet);
    int ret;

    cairo_set_source_rgb(cr, 0.95, 0.95, 0.95);
    cairo_paint(cr);
    for (int v = 0; v < 3; v++) {
        json_t *text = sample_text(t, v);
        IgpTemplateFill fill = {.text = text,
                                .pictures = pv->pics,
                                .n_pictures = pv->n,
                                .guides = o->guides,
                                .what = _("preview")};
        cairo_surface_t *s = NULL;
        reel_sample(t, &fill, v);
        char *error = NULL;
        if (igp_template_render(t, fonts, ctx, &fill, &s)) {
            error = g_strdup(igp_error_buffer());
            igp_error_clear();
        }
        sheet_panel(cr, ctx, t, s, _(captions[v]), error, 40 + v * panel_w, scale);
        if (s)
            cairo_surface_destroy(s);
        g_free(error);
        json_decref(text);
    }
    cairo_destroy(cr);
    ret = igp_surface_save_png(sheet, path);
    cairo_surface_destroy(sheet);
    return ret;
}

/* ---- reel overlays at chosen times ---- */

/* A stand-in shoot for previews without --shoot: sample text and subtitles. */
static int sample_reel(const char *tmpdir, json_t **root, json_t **post)
{
    static const char srt[] =
        "1\n00:00:00,500 --> 00:00:04,000\nこんにちは。のびすく仙台です\n\n"
        "2\n00:00:04,000 --> 00:00:09,000\n今日は、ハロウィンパーティーの様子を"
        "ご紹介します\n";
    char *path = g_build_filename(tmpdir, "sample.srt", NULL);
    int ret = igp_write_file_atomic(path, srt, sizeof(srt) - 1);

    g_free(path);
    *root = json_pack("{s:s}", "title", "のびすく ハロウィン 2026");
    *post = json_pack("{s:s, s:{s:s, s:s}, s:s}", "id", "preview", "text", "title",
                      "秋のおはなし会", "account", "@sendai_kosodate", "subtitles", "sample.srt");
    return ret;
}

/* Write the overlay (over the background unless --transparent) to @p path. */
static int save_overlay(const IgpTemplate *t, const IgpOverlayImage *img, int transparent,
                        const char *path)
{
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, t->width, t->height);
    cairo_t *cr = cairo_create(s);
    int ret;

    if (!transparent) {
        cairo_set_source_rgb(cr, t->background.r, t->background.g, t->background.b);
        cairo_paint(cr);
    }
    if (img) {
        cairo_surface_t *o = cairo_image_surface_create_for_data(
            (unsigned char *)img->argb, CAIRO_FORMAT_ARGB32, img->width, img->height, img->stride);
        cairo_set_source_surface(cr, o, 0, 0);
        cairo_paint(cr);
        cairo_surface_destroy(o);
    }
    cairo_destroy(cr);
    ret = igp_surface_save_png(s, path);
    cairo_surface_destroy(s);
    return ret;
}

static int cmd_overlay(const char *dir, const Options *o)
{
    IgpManifest *m = NULL, fake = {0};
    IgpPost fake_post = {0};
    const IgpPost *found = NULL;
    IgpPost post;
    IgpShoot shoot = {0};
    IgpReelOverlays *ov = NULL;
    IgpTemplate *t = NULL;
    IgpFonts *fonts = NULL;
    json_t *root = NULL, *pj = NULL;
    char *tmpdir = NULL, *fonts_dir = igp_template_fonts_dir(dir);
    double duration = 30, trim0 = 0;
    int ret = 0;

    if (o->shoot) {
        ret = igp_manifest_load(o->shoot, &m);
        if (ret == 0 && !(found = igp_manifest_find_post(m, o->post)))
            ret = igp_error(IGP_ERR_INVALIDDATA, m->path, _("no post '%s'"), o->post);
        if (ret == 0) {
            post = *found;
            pj = json_deep_copy(found->json);
            shoot.manifest = m;
            if (post.n_media > 0 && post.media[0].has_trim) {
                trim0 = post.media[0].trim[0];
                duration = post.media[0].trim[1] - trim0;
            }
        }
    } else {
        tmpdir = g_dir_make_tmp("igprep-preview-XXXXXX", NULL);
        ret = tmpdir ? sample_reel(tmpdir, &root, &pj)
                     : igp_error(IGP_ERR_LIBRARY, "preview", _("cannot make a temporary folder"));
        fake.root = root, fake.dir = tmpdir, fake.shoot = "preview";
        fake_post.id = "preview";
        post = fake_post;
        shoot.manifest = &fake;
    }
    if (ret == 0) {
        /* The template being previewed, whatever the post names. */
        json_object_set_new(pj, "template", json_string(o->names[0]));
        post.json = pj;
        if (o->duration)
            duration = g_ascii_strtod(o->duration, NULL);
        ret = igp_fonts_open(fonts_dir, &fonts);
    }
    if (ret == 0)
        ret = igp_template_load(dir, o->names[0], fonts, &t);
    if (ret == 0 && !igp_canvas_is_overlay(t->canvas))
        ret = igp_error(IGP_ERR_INVALIDDATA, "preview",
                        _("--at and --frames are for reel templates; '%s' is for %s"), t->name,
                        t->canvas);
    if (ret == 0)
        ret = igp_reel_overlays_open(&shoot, &post, duration, &ov);
    if (ret == 0 && o->frames) {
        double fps = g_ascii_strtod(o->frames, NULL);
        long n = (long)floor(duration * fps + 0.5), changes = 0;
        unsigned last = 0;
        gint64 start = g_get_monotonic_time();
        for (long i = 0; i < n && ret == 0; i++) {
            const IgpOverlayImage *img = igp_reel_overlays_at(ov, i / fps, trim0 + i / fps);
            unsigned serial = img ? img->serial : 0;
            changes += i == 0 || serial != last;
            last = serial;
            ret = igp_reel_overlays_error(ov);
        }
        if (ret == 0)
            printf("{\"frames\": %ld, \"renders\": %d, \"changes\": %ld, \"ms\": %.1f}\n", n,
                   igp_reel_overlays_renders(ov), changes,
                   (g_get_monotonic_time() - start) / 1000.0);
    }
    if (ret == 0 && o->at) {
        char **times = g_strsplit(o->at, ",", -1);
        int many = g_strv_length(times) > 1;
        const char *out = o->out ? o->out : NULL;
        char *base =
            out ? (g_str_has_suffix(out, ".png") ? g_strndup(out, strlen(out) - 4) : g_strdup(out))
                : g_strdup_printf("%s-at", o->names[0]);
        for (int i = 0; times[i] && ret == 0; i++) {
            double tp = g_ascii_strtod(times[i], NULL);
            const IgpOverlayImage *img = igp_reel_overlays_at(ov, tp, trim0 + tp);
            char *path =
                many || !out ? g_strdup_printf("%s-%s.png", base, times[i]) : g_strdup(out);
            if ((ret = igp_reel_overlays_error(ov)) == 0)
                ret = save_overlay(t, img, o->transparent, path);
            if (ret == 0 && img)
                printf("{\"t\": %g, \"source_t\": %g, \"file\": \"%s\", \"serial\": %u, "
                       "\"box\": [%d, %d, %d, %d]}\n",
                       tp, trim0 + tp, path, img->serial, img->x, img->y, img->w, img->h);
            else if (ret == 0)
                printf("{\"t\": %g, \"source_t\": %g, \"file\": \"%s\", \"serial\": null, "
                       "\"box\": null}\n",
                       tp, trim0 + tp, path);
            g_free(path);
        }
        if (ret == 0)
            printf("{\"renders\": %d}\n", igp_reel_overlays_renders(ov));
        g_strfreev(times);
        g_free(base);
    }
    if (ret)
        igp_log_error("%s", igp_error_buffer());
    igp_reel_overlays_close(&ov);
    igp_template_free(&t);
    igp_fonts_free(&fonts);
    igp_manifest_free(&m);
    json_decref(root);
    json_decref(pj);
    if (tmpdir) {
        igp_remove_tree(tmpdir);
        g_free(tmpdir);
    }
    g_free(fonts_dir);
    return ret;
}

static int cmd_cover(const Options *o)
{
    IgpManifest *m = NULL;
    const IgpPost *post = NULL;
    IgpShoot shoot = {0};
    VipsImage *frame = NULL;
    char *out = NULL;
    int ret = igp_manifest_load(o->shoot, &m);

    if (ret == 0 && !(post = igp_manifest_find_post(m, o->post)))
        ret = igp_error(IGP_ERR_INVALIDDATA, m->path, _("no post '%s'"), o->post);
    if (ret == 0)
        ret = igp_image_open_display(o->frame, NULL, &frame);
    if (ret == 0) {
        shoot.manifest = m;
        out = o->out ? g_strdup(o->out) : g_strdup_printf("%s-cover.jpg", post->id);
        ret = igp_reel_cover_write(&shoot, post, frame, (const double(*)[4])o->faces, o->n_faces,
                                   out, o->story);
    }
    if (ret == 0)
        printf("%s\n", out);
    if (ret == 0 && o->story)
        printf("%s\n", o->story);
    if (ret)
        igp_log_error("%s", igp_error_buffer());
    if (frame)
        g_object_unref(frame);
    igp_manifest_free(&m);
    g_free(out);
    return ret;
}

/* Draw template @p name to @p out and its sheet to @p sheet. */
static int draw_preview(const char *dir, IgpFonts *fonts, const Options *o, const char *name,
                        const char *out, const char *sheet)
{
    IgpTemplate *t = NULL;
    Preview pv = {0};
    PangoContext *ctx = NULL;
    cairo_surface_t *s = NULL;
    int ret = igp_template_load(dir, name, fonts, &t);

    if (ret == 0 && o->shoot) {
        ret = load_post(o, &pv);
    } else if (ret == 0) {
        pv.text = sample_text(t, 0);
        for (pv.n = 0; pv.n < MAX(1, t->n_slots) && ret == 0; pv.n++) {
            ret = sample_picture(&pv.pics[pv.n].image);
            pv.pics[pv.n].name = g_strdup(_("sample picture"));
            pv.pics[pv.n].focus[0] = pv.pics[pv.n].focus[1] = 0.5;
        }
    }
    if (ret == 0) {
        IgpTemplateFill fill = {.text = pv.text,
                                .pictures = pv.pics,
                                .n_pictures = pv.n,
                                .guides = o->guides,
                                .what = o->post ? o->post : _("preview")};
        reel_sample(t, &fill, 0);
        ctx = igp_fonts_context(fonts);
        ret = igp_template_render(t, fonts, ctx, &fill, &s);
    }
    if (ret == 0)
        ret = igp_surface_save_png(s, out);
    if (ret == 0)
        ret = write_sheet(t, fonts, ctx, &pv, o, sheet);
    if (s)
        cairo_surface_destroy(s);
    if (ctx)
        g_object_unref(ctx);
    preview_free(&pv);
    igp_template_free(&t);
    return ret;
}

static int cmd_preview(const char *dir, IgpFonts *fonts, const Options *o)
{
    char *out = o->out ? g_strdup(o->out) : g_strdup_printf("%s-preview.png", o->names[0]);
    char *sheet = g_str_has_suffix(out, ".png")
                      ? g_strdup_printf("%.*s-sheet.png", (int)strlen(out) - 4, out)
                      : g_strdup_printf("%s-sheet.png", out);
    int ret = draw_preview(dir, fonts, o, o->names[0], out, sheet);

    if (ret == 0)
        printf("%s\n%s\n", out, sheet);
    else
        igp_log_error("%s", igp_error_buffer());
    g_free(out);
    g_free(sheet);
    return ret;
}

static int cmd_new(const char *dir, IgpFonts *fonts, const Options *o)
{
    int ret = igp_template_new(dir, o->names[0], o->from, fonts);

    if (ret == 0)
        printf(_("new template %s/%s (from %s): edit its template.json, then run igprep "
                 "template check --templates %s %s\n"),
               dir, o->names[0], o->from, dir, o->names[0]);
    else
        igp_log_error("%s", igp_error_buffer());
    return ret;
}

/* The export's previews: drawn from the set being written, with its fonts. */
static int export_preview(void *user, const char *templates_dir, const char *name, const char *png,
                          const char *sheet)
{
    Options plain = {.guides = 0};
    IgpFonts *fonts = NULL;
    char *fonts_dir = igp_template_fonts_dir(templates_dir);
    int ret = igp_fonts_open(fonts_dir, &fonts);

    (void)user;
    if (ret == 0)
        ret = draw_preview(templates_dir, fonts, &plain, name, png, sheet);
    igp_fonts_free(&fonts);
    g_free(fonts_dir);
    return ret;
}

static int cmd_export(const char *dir, const char *fonts_dir, IgpFonts *fonts, const Options *o)
{
    char *guide =
        g_build_filename(igp_data_dir(), "share", "template-set", IGP_TEMPLATE_GUIDE, NULL);

    /* Without igprep's sources, a set is exported again with its own guide. */
    if (!g_file_test(guide, G_FILE_TEST_IS_REGULAR)) {
        g_free(guide);
        guide = g_build_filename(dir, "..", IGP_TEMPLATE_GUIDE, NULL);
    }
    IgpTemplateExport e = {.templates_dir = dir,
                           .fonts_dir = fonts_dir,
                           .guide = guide,
                           .names = o->names,
                           .n_names = o->n_names,
                           .to = o->to,
                           .zip = o->format && !strcmp(o->format, "zip"),
                           .fonts = fonts,
                           .preview = export_preview};
    int ret = igp_template_export(&e);

    if (ret == 0)
        printf(_("template set written to %s\n"), o->to);
    else
        igp_log_error("%s", igp_error_buffer());
    g_free(guide);
    return ret;
}

/* What the command line asks for is possible; else prints why and returns IGP_EXIT_USAGE. */
static int check_usage(const char *cmd, const Options *o)
{
    static const char *const commands[] = {"list", "check", "new", "export", "preview", "cover"};
    const char *why = NULL;
    int known = 0;

    for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
        known |= !strcmp(cmd, commands[i]);
    if (!known) {
        fprintf(stderr, _("igprep template: unknown command '%s' (try --help)\n"), cmd);
        return IGP_EXIT_USAGE;
    }
    if (!strcmp(cmd, "preview") && (o->n_names != 1 || !o->shoot != !o->post))
        why = _("preview takes one NAME, and --shoot with --post");
    else if (!strcmp(cmd, "cover") && (!o->shoot || !o->post || !o->frame))
        why = _("cover needs --shoot, --post and --frame");
    else if (!strcmp(cmd, "new") && (o->n_names != 1 || !o->from))
        why = _("new takes one NAME and --from TEMPLATE");
    else if (!strcmp(cmd, "export") && !o->to)
        why = _("export needs --to DIR");
    else if (!strcmp(cmd, "export") && o->format && strcmp(o->format, "dir") &&
             strcmp(o->format, "zip"))
        why = _("--format is dir or zip");
    if (why) {
        fprintf(stderr, _("igprep template: %s (try --help)\n"), why);
        return IGP_EXIT_USAGE;
    }
    return 0;
}

int main(int argc, char **argv)
{
    Options o = {0};
    IgpFonts *fonts = NULL;
    char *dir, *fonts_dir;
    int ret;

    igp_i18n_init();
    if (argc < 2) {
        fputs(_(usage), stderr);
        return IGP_EXIT_USAGE;
    }
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(_(usage), stdout); /* 'template check --help' too */
            return IGP_EXIT_OK;
        }
    if ((ret = parse(argc - 2, argv + 2, &o)) || (ret = check_usage(argv[1], &o)) ||
        (ret = igp_cli_start(argv[0]))) {
        g_free(o.names);
        g_free(o.faces);
        return ret;
    }
    dir = o.templates ? g_strdup(o.templates) : igp_templates_dir();
    fonts_dir = igp_template_fonts_dir(dir);
    ret = igp_fonts_open(fonts_dir, &fonts);
    if (ret)
        igp_log_error("%s", igp_error_buffer());
    else if (!strcmp(argv[1], "list"))
        ret = cmd_list(dir, fonts);
    else if (!strcmp(argv[1], "check"))
        ret = cmd_check(dir, fonts, o.names, o.n_names);
    else if (!strcmp(argv[1], "new"))
        ret = cmd_new(dir, fonts, &o);
    else if (!strcmp(argv[1], "export"))
        ret = cmd_export(dir, fonts_dir, fonts, &o);
    else if (!strcmp(argv[1], "cover"))
        ret = cmd_cover(&o);
    else if (o.at || o.frames)
        ret = cmd_overlay(dir, &o);
    else
        ret = cmd_preview(dir, fonts, &o);
    igp_fonts_free(&fonts);
    g_free(fonts_dir);
    g_free(dir);
    g_free(o.names);
    g_free(o.faces);
    return igp_cli_finish(ret);
}
