/* Reel overlays and covers, checked on the pixels: subtitles only while a
 * cue is active (source time), inside the safe zone and outlined; the title
 * card only at the start, the end card only at the end; one render per
 * change; the cover 1080x1920 with the face whole inside the centre square. */
#include "check.h"
#include "error.h"
#include "fsutil.h"
#include "reel_cover.h"
#include "reel_overlay.h"
#include "template.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

/* reel-basic's boxes (templates/reel-basic/template.json). */
static const int SUB_BOX[4] = {120, 1330, 840, 250};
static const int TITLE_BOX[4] = {120, 740, 840, 400};
static const int END_BOX[4] = {120, 640, 840, 560};
static const int SAFE[4] = {60, 250, 960, 1420};

static char *dir;

static void put_file(const char *name, const char *text)
{
    char *path = g_build_filename(dir, name, NULL);
    CHECK_INT(igp_write_file_atomic(path, text, strlen(text)), 0);
    g_free(path);
}

static IgpManifest *manifest;
static IgpShoot shoot;

static const IgpPost *load(const char *shoot_json, const char *id)
{
    igp_manifest_free(&manifest);
    put_file("shoot.json", shoot_json);
    if (igp_manifest_load(dir, &manifest)) {
        fprintf(stderr, "%s\n", igp_error_buffer());
        return NULL;
    }
    shoot.manifest = manifest;
    return igp_manifest_find_post(manifest, id);
}

static uint32_t px(const IgpOverlayImage *img, int x, int y)
{
    return ((const uint32_t *)(const void *)(img->argb + (size_t)y * img->stride))[x];
}

/* Non-transparent pixels inside a box. */
static long alpha_in(const IgpOverlayImage *img, const int b[4])
{
    long n = 0;
    for (int y = b[1]; img && y < b[1] + b[3]; y++)
        for (int x = b[0]; x < b[0] + b[2]; x++)
            n += (px(img, x, y) >> 24) != 0;
    return n;
}

/* The true bounding box must match the reported one, and lie in the safe zone. */
static void check_bbox(const IgpOverlayImage *img)
{
    int x0 = img->width, y0 = img->height, x1 = -1, y1 = -1;
    for (int y = 0; y < img->height; y++)
        for (int x = 0; x < img->width; x++)
            if (px(img, x, y))
                x0 = MIN(x0, x), y0 = MIN(y0, y), x1 = MAX(x1, x), y1 = MAX(y1, y);
    CHECK_INT(img->x, x0);
    CHECK_INT(img->y, y0);
    CHECK_INT(img->w, x1 - x0 + 1);
    CHECK_INT(img->h, y1 - y0 + 1);
    CHECK(x0 >= SAFE[0] && y0 >= SAFE[1] && x1 < SAFE[0] + SAFE[2] && y1 < SAFE[1] + SAFE[3]);
}

/* Subtitle glyphs are white and ringed by a dark outline: every opaque white
 * pixel has no transparent pixel within 3 px, and there are dark pixels. */
static void check_outline(const IgpOverlayImage *img)
{
    long white = 0, dark = 0, bare = 0;
    for (int y = SUB_BOX[1]; y < SUB_BOX[1] + SUB_BOX[3]; y++) {
        for (int x = SUB_BOX[0]; x < SUB_BOX[0] + SUB_BOX[2]; x++) {
            uint32_t p = px(img, x, y);
            int a = p >> 24, r = (p >> 16) & 255, g = (p >> 8) & 255, b = p & 255;
            if (a == 255 && r < 40 && g < 40 && b < 40)
                dark++;
            if (!(a == 255 && r > 240 && g > 240 && b > 240))
                continue;
            white++;
            for (int dy = -3; dy <= 3; dy++)
                for (int dx = -3; dx <= 3; dx++)
                    bare += (px(img, x + dx, y + dy) >> 24) == 0;
        }
    }
    CHECK(white > 2000);
    CHECK(dark > white / 2);
    CHECK_INT(bare, 0);
}

static const char SRT[] =
    "\xEF\xBB\xBF"
    "1\r\n00:00:01,000 --> 00:00:03,000\r\nこんにちは。のびすく仙台です\r\n\r\n"
    "2\r\n00:00:05,000 --> 00:00:08,500\r\n二つ目の字幕は\r\n改行されています\r\n\r\n"
    "3\r\n00:00:20,000 --> 00:00:22,000\r\n"
    "今日は、のびすく仙台で開かれたハロウィンパーティーの様子をご紹介します\r\n";

static const char SHOOT[] =
    "{\"version\": 1, \"shoot\": \"t\", \"title\": \"のびすく ハロウィン 2026\", \"posts\": ["
    " {\"id\": \"reel-01\", \"type\": \"reel\", \"template\": \"reel-basic\","
    "  \"media\": [{\"file\": \"CLIP.MOV\", \"trim\": [2.0, 27.0]}],"
    "  \"text\": {\"title\": \"秋のおはなし会\", \"account\": \"@sendai_kosodate\"},"
    "  \"subtitles\": \"clip.srt\", \"cover\": {\"at\": 3.0},"
    "  \"schedule\": \"2026-11-28T19:00:00+09:00\"},"
    " {\"id\": \"reel-02\", \"type\": \"reel\", \"media\": [{\"file\": \"CLIP.MOV\"}],"
    "  \"subtitles\": \"%s\"},"
    " {\"id\": \"reel-03\", \"type\": \"reel\", \"media\": [{\"file\": \"CLIP.MOV\"}],"
    "  \"cover\": {\"at\": 1.0, \"focus\": [0.85, 0.37]}}]}";

static const IgpPost *load_with_subs(const char *subs, const char *id)
{
    char *json = g_strdup_printf(SHOOT, subs);
    const IgpPost *post = load(json, id);
    g_free(json);
    return post;
}

static void test_overlays(void)
{
    const IgpPost *post = load_with_subs("clip.srt", "reel-01");
    IgpReelOverlays *o = NULL;
    const IgpOverlayImage *img;
    unsigned serial;
    int renders;
    double trim = 2.0;

    CHECK(post != NULL);
    igp_error_clear();
    CHECK_INT(igp_reel_overlays_open(&shoot, post, 25.0, &o), 0);
    if (!o) {
        fprintf(stderr, "%s\n", igp_error_buffer());
        return;
    }
    /* Post 0 s = source 2 s: title card and cue 1. */
    img = igp_reel_overlays_at(o, 0, trim);
    CHECK(img && img->width == 1080 && img->height == 1920 && img->stride >= 1080 * 4);
    CHECK(alpha_in(img, TITLE_BOX) > 100000);
    CHECK(alpha_in(img, SUB_BOX) > 2000);
    check_bbox(img);
    check_outline(img);
    /* 1.5 s = source 3.5 s: title, no cue. */
    img = igp_reel_overlays_at(o, 1.5, 1.5 + trim);
    CHECK(alpha_in(img, TITLE_BOX) > 100000);
    CHECK_INT(alpha_in(img, SUB_BOX), 0);
    /* 2.6 s: the title card is gone. */
    img = igp_reel_overlays_at(o, 2.6, 2.6 + trim);
    CHECK_INT(alpha_in(img, TITLE_BOX), 0);
    CHECK_INT(alpha_in(img, END_BOX), 0);
    CHECK(alpha_in(img, (const int[4]){72, 266, 172, 98}) > 10000); /* the logo bug stays */
    check_bbox(img);
    /* 3 s to 6.4 s = source 5 to 8.4 s: cue 2, the same picture throughout. */
    img = igp_reel_overlays_at(o, 3.0, 3.0 + trim);
    CHECK(alpha_in(img, SUB_BOX) > 2000);
    check_outline(img);
    check_bbox(img);
    serial = img->serial, renders = igp_reel_overlays_renders(o);
    for (double t = 3.0; t < 6.5; t += 1 / 30.0) {
        img = igp_reel_overlays_at(o, t, t + trim);
        CHECK_INT(img->serial, serial);
    }
    CHECK_INT(igp_reel_overlays_renders(o), renders);
    /* The subtitle is two lines (the SRT's line break). */
    {
        int rows = 0, prev = 0;
        for (int y = SUB_BOX[1]; y < SUB_BOX[1] + SUB_BOX[3]; y++) {
            int any = alpha_in(img, (const int[4]){SUB_BOX[0], y, SUB_BOX[2], 1}) > 0;
            rows += any && !prev;
            prev = any;
        }
        CHECK(rows >= 2);
    }
    /* 6.6 s = source 8.6 s: cue 2 has ended; a new serial. */
    img = igp_reel_overlays_at(o, 6.6, 6.6 + trim);
    CHECK(img->serial != serial);
    CHECK_INT(alpha_in(img, SUB_BOX), 0);
    /* 18.5 s = source 20.5 s: the long cue 3, wrapped to two lines inside the box. */
    img = igp_reel_overlays_at(o, 18.5, 18.5 + trim);
    CHECK(alpha_in(img, SUB_BOX) > 2000);
    check_outline(img);
    check_bbox(img);
    /* The end card: from 22.5 s, not before. */
    img = igp_reel_overlays_at(o, 22.4, 22.4 + trim);
    CHECK_INT(alpha_in(img, END_BOX), 0);
    img = igp_reel_overlays_at(o, 22.5, 22.5 + trim);
    CHECK(alpha_in(img, END_BOX) > 100000);
    check_bbox(img);
    img = igp_reel_overlays_at(o, 24.99, 24.99 + trim);
    CHECK(alpha_in(img, END_BOX) > 100000);
    igp_reel_overlays_close(&o);
    CHECK(o == NULL);

    /* Every frame at 30 fps: a handful of renders, not 750. */
    CHECK_INT(igp_reel_overlays_open(&shoot, post, 25.0, &o), 0);
    for (int i = 0; i < 750; i++)
        CHECK(igp_reel_overlays_at(o, i / 30.0, i / 30.0 + trim) != NULL);
    /* title+cue1, title, none, cue2, none, cue3, none, end */
    CHECK_INT(igp_reel_overlays_renders(o), 8);
    igp_reel_overlays_close(&o);
}

static void test_long_reel(void)
{
    GString *srt = g_string_new(NULL);
    IgpReelOverlays *o = NULL;
    const IgpPost *post;
    gint64 start;
    long changes = 0;
    unsigned last = 0;

    /* 15 minutes, a 2-s cue every 3 s: 300 cues. */
    for (int i = 0; i < 300; i++)
        g_string_append_printf(srt, "%d\n00:%02d:%02d,000 --> 00:%02d:%02d,000\n字幕その%d\n\n",
                               i + 1, i * 3 / 60, i * 3 % 60, (i * 3 + 2) / 60, (i * 3 + 2) % 60,
                               i + 1);
    put_file("long.srt", srt->str);
    g_string_free(srt, TRUE);
    post = load_with_subs("long.srt", "reel-02");
    CHECK_INT(igp_reel_overlays_open(&shoot, post, 900.0, &o), 0);
    if (!o)
        return;
    start = g_get_monotonic_time();
    for (int i = 0; i < 27000; i++) {
        const IgpOverlayImage *img = igp_reel_overlays_at(o, i / 30.0, i / 30.0);
        changes += img->serial != last;
        last = img->serial;
    }
    printf("15-min reel, 300 cues: 27000 frames, %d renders, %ld changes, %.0f ms\n",
           igp_reel_overlays_renders(o), changes, (g_get_monotonic_time() - start) / 1000.0);
    CHECK(igp_reel_overlays_renders(o) <= 2 * 300 + 4);
    CHECK(changes <= 2 * 300 + 4);
    igp_reel_overlays_close(&o);
}

static void test_errors(void)
{
    IgpReelOverlays *o = NULL;
    const IgpPost *post;

    post = load_with_subs("missing.srt", "reel-02");
    igp_error_clear();
    CHECK(igp_reel_overlays_open(&shoot, post, 10, &o) != 0 && o == NULL);
    CHECK_CONTAINS(igp_error_buffer(), "missing.srt");

    put_file("bad.srt",
             "1\n00:00:01,000 --> 00:00:03,000\na\n\n2\n00:00:02,000 --> 00:00:04,000\nb\n");
    post = load_with_subs("bad.srt", "reel-02");
    igp_error_clear();
    CHECK(igp_reel_overlays_open(&shoot, post, 10, &o) != 0);
    CHECK_CONTAINS(igp_error_buffer(), "bad.srt:6:");
    CHECK_CONTAINS(igp_error_buffer(), "overlap");

    put_file("long-cue.srt",
             "1\n00:00:01,000 --> 00:00:03,000\nあ\n\n"
             "2\n00:00:04,000 --> 00:00:06,000\n"
             "今日は、のびすく仙台で開かれたハロウィンパーティーの様子をご紹介します。"
             "宇宙がテーマの仮装をした親子が約60組も集まり、ロケットの打ち上げ映像を"
             "大きなスクリーンで見ました\n");
    post = load_with_subs("long-cue.srt", "reel-02");
    igp_error_clear();
    CHECK(igp_reel_overlays_open(&shoot, post, 10, &o) != 0);
    CHECK_CONTAINS(igp_error_buffer(), "long-cue.srt:6:");
    CHECK_CONTAINS(igp_error_buffer(), "does not fit");

    /* An emoji is drawn from the bundled emoji font (issue 15); a character
     * no bundled font has is an error at its line. */
    put_file("emoji.srt", "1\n00:00:01,000 --> 00:00:03,000\nハロウィン🎃\n");
    post = load_with_subs("emoji.srt", "reel-02");
    igp_error_clear();
    o = NULL;
    CHECK_INT(igp_reel_overlays_open(&shoot, post, 10, &o), 0);
    if (o)
        CHECK(igp_reel_overlays_at(o, 2.0, 2.0) != NULL);
    igp_reel_overlays_close(&o);
    put_file("glyph.srt", "1\n00:00:01,000 --> 00:00:03,000\nハロウィン𓀀\n");
    post = load_with_subs("glyph.srt", "reel-02");
    igp_error_clear();
    CHECK(igp_reel_overlays_open(&shoot, post, 10, &o) != 0);
    CHECK_CONTAINS(igp_error_buffer(), "glyph.srt:2:");
    CHECK_CONTAINS(igp_error_buffer(), "U+13000");
    igp_error_clear();
}

/* A grey 1920x1080 frame with a red 200x200 "face" at (fx, 300). */
static VipsImage *frame_with_face(int fx)
{
    VipsImage *img;
    size_t n = (size_t)1920 * 1080 * 3;
    uint8_t *rgb = g_malloc(n);
    for (int y = 0; y < 1080; y++)
        for (int x = 0; x < 1920; x++) {
            uint8_t *p = rgb + ((size_t)y * 1920 + x) * 3;
            int face = x >= fx && x < fx + 200 && y >= 300 && y < 500;
            p[0] = face ? 230 : 128, p[1] = face ? 20 : 128, p[2] = face ? 20 : 128;
        }
    img = vips_image_new_from_memory_copy(rgb, n, 1920, 1080, 3, VIPS_FORMAT_UCHAR);
    img->Type = VIPS_INTERPRETATION_sRGB;
    g_free(rgb);
    return img;
}

/* Red pixels of a picture, and how many lie outside the rows y0..y1. */
static long count_red(VipsImage *img, int y0, int y1, long *outside)
{
    size_t len;
    uint8_t *data = vips_image_write_to_memory(img, &len);
    long red = 0;

    *outside = 0;
    for (int y = 0; data && y < img->Ysize; y++)
        for (int x = 0; x < img->Xsize; x++) {
            const uint8_t *p = data + ((size_t)y * img->Xsize + x) * img->Bands;
            int is_red = p[0] > 180 && p[1] < 80 && p[2] < 80;
            red += is_red;
            *outside += is_red && (y < y0 || y >= y1);
        }
    g_free(data);
    return red;
}

/* Write the cover of a frame with a face at (fx, 300); returns its red pixels. */
static long cover_of(const char *id, int fx, long *outside)
{
    const IgpPost *post = load_with_subs("clip.srt", id);
    VipsImage *frame = frame_with_face(fx), *cover = NULL, *story = NULL;
    const double faces[1][4] = {{fx, 300, 200, 200}};
    char *jpg = g_build_filename(dir, "cover.jpg", NULL);
    char *png = g_build_filename(dir, "story.png", NULL);
    long red = -1, story_outside;

    unlink(jpg), unlink(png);
    igp_error_clear();
    CHECK_INT(igp_reel_cover_write(&shoot, post, frame, faces, 1, jpg, png), 0);
    if (igp_error_buffer()[0])
        fprintf(stderr, "%s\n", igp_error_buffer());
    CHECK(igp_file_size(jpg) > 0 && igp_file_size(jpg) <= 8000000);
    cover = vips_image_new_from_file(jpg, NULL);
    story = vips_image_new_from_file(png, NULL);
    CHECK(cover && cover->Xsize == 1080 && cover->Ysize == 1920 && cover->Bands == 3);
    CHECK(story && story->Xsize == 1080 && story->Ysize == 1920);
    if (cover)
        red = count_red(cover, 420, 1500, outside);
    if (story)
        count_red(story, 0, 1920, &story_outside);
    printf("cover of %s: %ld bytes, %ld red pixels\n", id, (long)igp_file_size(jpg), red);
    if (cover)
        g_object_unref(cover);
    if (story)
        g_object_unref(story);
    g_object_unref(frame);
    g_free(jpg);
    g_free(png);
    return red;
}

static void test_cover(void)
{
    /* 200 px scaled by 1920/1080: about 356x356 px on the cover. */
    double whole = pow(200 * 1920 / 1080.0, 2);
    long outside = 0, red;

    /* A face right of the centre: the crop moves to keep it whole, inside
     * the centre square y 420..1500. */
    red = cover_of("reel-01", 1100, &outside);
    CHECK(fabs(red - whole) < 0.05 * whole);
    CHECK_INT(outside, 0);
    /* Too far from the focus for one crop: left out whole, never cut. */
    red = cover_of("reel-01", 1650, &outside);
    CHECK_INT(red, 0);
    /* ... unless the cover's own focus points at it. */
    red = cover_of("reel-03", 1650, &outside);
    CHECK(fabs(red - whole) < 0.05 * whole);
    CHECK_INT(outside, 0);
}

int main(int argc, char **argv)
{
    (void)argc;
    if (VIPS_INIT(argv[0]))
        return 1;
    vips_cache_set_max(0); /* the same file name is read again after each write */
    dir = g_dir_make_tmp("igp-reel-XXXXXX", NULL);
    put_file("clip.srt", SRT);
    put_file("CLIP.MOV", "not really a video");
    test_overlays();
    test_long_reel();
    test_errors();
    test_cover();
    igp_manifest_free(&manifest);
    igp_remove_tree(dir);
    g_free(dir);
    return check_done();
}
