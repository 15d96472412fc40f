/* verify: re-open every output with igprep's own readers and check it
 * against Instagram's limits and the privacy rules. */
#include "stage.h"
#include "checks.h"
#include "i18n.h"
#include "log.h"

#include "error.h"
#include "fsutil.h"
#include "jpegwalk.h"
#include "pngwalk.h"
#include "bmffwalk.h"
#include "probe.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <libexif/exif-data.h>

/* Limits from instagram-specs §1, §3 and §10 (API, the tightest surface). */
#define MAX_IMAGE_BYTES  8000000
#define MIN_IMAGE_WIDTH  320
#define MAX_IMAGE_WIDTH  1440
#define MIN_FEED_ASPECT  0.8
#define MAX_FEED_ASPECT  1.91
#define STORY_ASPECT     (9.0 / 16.0)
#define ASPECT_TOLERANCE 0.01

/* Privacy and structure: what every JPEG igprep hands on must pass. */
static void collect_exif_tag(ExifEntry *e, void *data)
{
    json_t *list = data;
    ExifIfd ifd = exif_entry_get_ifd(e);
    const char *name = exif_tag_get_name_in_ifd(e->tag, ifd);

    json_array_append_new(
        list, json_sprintf("%s %s", exif_ifd_get_name(ifd), name ? name : "unknown tag"));
}

/* Every EXIF tag libexif finds in a JPEG, named: a second reader beside the
 * segment walk, so a report says which tags survived, not only that APP1 did. */
static json_t *exif_tags_json(const char *path)
{
    json_t *list = json_array();
    ExifData *ed = exif_data_new_from_file(path);

    if (ed) {
        for (int ifd = 0; ifd < EXIF_IFD_COUNT; ifd++)
            exif_content_foreach_entry(ed->ifd[ifd], collect_exif_tag, list);
        exif_data_unref(ed);
    }
    return list;
}

static int check_jpeg_privacy(IgpFileReport *r, const char *path, IgpJpegWalk *w)
{
    if (igp_jpeg_walk(path, w) != 0) {
        igp_check(r, "structure", 0, json_string(igp_error_buffer()), N_("complete JPEG to EOI"));
        igp_error_clear();
        return -1;
    }
    igp_check(r, "structure", w->frames == 1, json_integer(w->frames), N_("1 frame, ends at EOI"));
    igp_check_findings(
        r, w->found.n == 0, &w->found,
        N_("only JFIF and an sRGB ICC profile; no EXIF, XMP, IPTC, comments, trailers"));
    json_t *tags = exif_tags_json(path);
    igp_check(r, "exif_tags", json_array_size(tags) == 0, tags, N_("none (read with libexif)"));
    igp_check(r, "trailing_bytes", w->trailing_bytes == 0, json_integer(w->trailing_bytes), "0");
    igp_check(r, "colour", !w->has_icc || igp_icc_is_srgb(w->icc_description),
              json_string(w->has_icc ? w->icc_description : N_("untagged (sRGB)")), "sRGB");
    igp_check(r, "components", w->components == 3 && w->precision == 8,
              json_sprintf("%d x %d-bit", w->components, w->precision), N_("3 x 8-bit (YCbCr)"));
    return 0;
}

/* Spec limits for an image that goes to Instagram. expected_w/h 0: any legal size. */
static void check_image_limits(IgpFileReport *r, const char *path, const IgpJpegWalk *w, int story,
                               int expected_w, int expected_h)
{
    int64_t bytes = igp_file_size(path);
    double aspect = w->height ? (double)w->width / w->height : 0;
    char limit[64];

    igp_check(r, "bytes", bytes >= 0 && bytes <= MAX_IMAGE_BYTES, json_integer(bytes),
              "<= 8000000");
    if (expected_w) {
        snprintf(limit, sizeof(limit), "%dx%d", expected_w, expected_h);
        igp_check(r, "dimensions", w->width == expected_w && w->height == expected_h,
                  json_sprintf("%dx%d", w->width, w->height), limit);
    }
    igp_check(r, "width", w->width >= MIN_IMAGE_WIDTH && w->width <= MAX_IMAGE_WIDTH,
              json_integer(w->width), "320..1440");
    if (story)
        igp_check(r, "aspect", fabs(aspect - STORY_ASPECT) <= ASPECT_TOLERANCE, json_real(aspect),
                  "9:16 (0.5625)");
    else
        igp_check(r, "aspect", aspect >= MIN_FEED_ASPECT - 1e-9 && aspect <= MAX_FEED_ASPECT + 1e-9,
                  json_real(aspect), N_("0.8..1.91 (4:5 to 1.91:1)"));
}

/* A file that is not a JPEG cannot go to Instagram as an image; still say
 * what it carries, from its own walker. */
static void check_other_image(IgpFileReport *r, const char *path, const char *format)
{
    IgpPngWalk png;
    IgpBmffWalk bmff;

    if (!strcmp(format, "png") && igp_png_walk(path, &png) == 0)
        igp_check_findings(r, png.found.n == 0, &png.found,
                           N_("no text, EXIF, time or unknown chunks, nothing after IEND"));
    else if ((!strcmp(format, "heif") || !strcmp(format, "avif")) &&
             igp_bmff_walk(path, &bmff) == 0)
        igp_check_findings(r, bmff.found.n == 0, &bmff.found,
                           N_("no EXIF or XMP items, udta or uuid boxes"));
    igp_error_clear();
}

static void check_image(IgpFileReport *r, const char *path, const char *format, const char *kind,
                        int expected_w, int expected_h)
{
    IgpJpegWalk w;
    int is_master = !strcmp(kind, "master");

    igp_check(r, "format", !strcmp(format, "jpeg"), json_string(format), "jpeg");
    if (strcmp(format, "jpeg") != 0) {
        check_other_image(r, path, format);
        return;
    }
    if (check_jpeg_privacy(r, path, &w) != 0 || is_master)
        return;
    /* A file from outside igprep is judged as a story when it is 9:16. */
    int story = igp_output_kind_is_story(kind) ||
                (!strcmp(kind, "image") && w.height &&
                 fabs((double)w.width / w.height - STORY_ASPECT) <= ASPECT_TOLERANCE);
    check_image_limits(r, path, &w, story, expected_w, expected_h);
}

/* Check one file as @p kind; "image" and "video" mean a file from outside
 * igprep, judged by what its content is. */
static json_t *verify_file(const char *path, const char *shown_name, const char *kind,
                           int expected_w, int expected_h, int *ok)
{
    IgpFileReport r;
    IgpMediaInfo info;
    const char *format = igp_identify(path, &info) == 0 ? info.format : N_("unrecognised");
    int video = info.kind == IGP_MEDIA_VIDEO;

    igp_error_clear();
    if (!strcmp(kind, "image") && video)
        kind = "video";
    if (!strcmp(kind, "master") && video)
        kind = "master-video";
    igp_report_init(&r, shown_name, kind);
    if (igp_output_kind_is_video(kind)) {
        igp_check(&r, "format", video, json_string(format), N_("mp4 or mov"));
        if (video)
            igp_check_video(&r, path, kind);
    } else {
        check_image(&r, path, format, kind, expected_w, expected_h);
    }
    *ok = r.ok;
    return igp_report_finish(&r);
}

/* One line per failed check (and per warning): the file, then one plain
 * sentence saying what is wrong and what to do. */
static void say_failures(json_t *file_report)
{
    json_t *c;
    size_t i;

    json_array_foreach(json_object_get(file_report, "checks"), i, c)
    {
        const char *warning = json_string_value(json_object_get(c, "warning"));
        if (json_object_get(c, "derived"))
            continue; /* said once, for the file it comes from */
        if (json_is_true(json_object_get(c, "ok"))) {
            if (warning)
                /* TRANSLATORS: a file, then one sentence about it. */
                igp_log_warning(_("%s: %s."), igp_check_subject(file_report, c), warning);
            continue;
        }
        char *sentence = igp_check_sentence(c);
        igp_log_error(_("%s: %s."), igp_check_subject(file_report, c), sentence);
        g_free(sentence);
    }
}

typedef struct VerifyRun {
    json_t *files;
    int checked, failed;
} VerifyRun;

static void add_result(VerifyRun *run, json_t *file_report, int ok)
{
    run->checked++;
    run->failed += !ok;
    say_failures(file_report);
    json_array_append_new(run->files, file_report);
}

static json_t *report_of(VerifyRun *run, const char *file)
{
    json_t *e;
    size_t i;

    json_array_foreach(run->files, i, e)
    {
        if (!g_strcmp0(json_string_value(json_object_get(e, "file")), file))
            return e;
    }
    return NULL;
}

/* Add to post file @p file's report the master's check @p c (failed, or
 * passed with a warning): the post shows what its master shows. */
static void pass_on(VerifyRun *run, const char *file, const char *master, json_t *c)
{
    json_t *target = report_of(run, file), *copy;
    int ok = json_is_true(json_object_get(c, "ok"));

    if (!target)
        return;
    copy =
        json_pack("{s:s, s:b, s:{s:s, s:s}, s:s, s:b}", "check", "faces_hidden", "ok", ok, "value",
                  "master", master, "check", json_string_value(json_object_get(c, "check")),
                  "limit", N_("its master's faces hidden"), "derived", 1);
    if (json_object_get(c, "warning"))
        json_object_set(copy, "warning", json_object_get(c, "warning"));
    if (!ok) {
        char *sentence = igp_check_sentence(c);
        /* A check about this very file reads as it is; one about the master says so. */
        int about_file = json_object_get(json_object_get(c, "value"), "file") != NULL;
        json_object_set_new(copy, "message",
                            about_file ? json_string(sentence)
                                       : json_sprintf(_("its redacted master %s is refused: %s"),
                                                      master, sentence));
        g_free(sentence);
    }
    json_array_append_new(json_object_get(target, "checks"), copy);
    if (!ok && json_is_true(json_object_get(target, "ok"))) {
        json_object_set_new(target, "ok", json_false());
        run->failed++;
    }
}

/* A refusal is a refusal everywhere: what verify found in a redacted
 * master (a face showing in it, or in one slide cut from it) is recorded in
 * the report of every post file concerned, which is what proof, approve and
 * publish read. A check about one slide (its value names the file) goes to
 * that slide only; one about the master to every slide made from it. */
static void pass_master_findings_on(VerifyRun *run)
{
    json_t *e, *c, *slide;
    size_t i, k, j;

    json_array_foreach(run->files, i, e)
    {
        const char *master = json_string_value(json_object_get(e, "file"));
        if (g_strcmp0(json_string_value(json_object_get(e, "kind")), "redacted-master"))
            continue;
        json_array_foreach(json_object_get(e, "checks"), k, c)
        {
            const char *about =
                json_string_value(json_object_get(json_object_get(c, "value"), "file"));
            if (json_is_true(json_object_get(c, "ok")) && !json_object_get(c, "warning"))
                continue;
            if (about) {
                pass_on(run, about, master, c);
                continue;
            }
            json_array_foreach(json_object_get(e, "slides"), j, slide)
                pass_on(run, json_string_value(slide), master, c);
        }
    }
}

static void add_stray(VerifyRun *run, const char *rel)
{
    IgpFileReport r;
    igp_report_init(&r, rel, "unknown");
    igp_check(&r, "expected", 0, json_string(N_("not made by this run")),
              N_("only files recorded by igprep"));
    igp_check_says(&r, _("igprep did not make this file; take it out of the folder, or run igprep "
                         "run again if it should be there"));
    add_result(run, igp_report_finish(&r), 0);
}

/* Files in masters/ that scrub did not record are not igprep's: flag them. */
static void find_stray_masters(VerifyRun *run, const char *out_dir, json_t *media)
{
    char *masters_dir = g_build_filename(out_dir, "masters", NULL);
    GDir *dir = g_dir_open(masters_dir, 0, NULL);
    const char *name, *key;
    json_t *m;

    while (dir && (name = g_dir_read_name(dir))) {
        char *rel = g_build_filename("masters", name, NULL);
        int known = !strcmp(name, "redacted"); /* redact's, checked in verify_faces.c */
        json_object_foreach(media, key, m)
        {
            const char *master = json_string_value(json_object_get(m, "master"));
            known |= master && !strcmp(master, rel);
        }
        if (!known)
            add_stray(run, rel);
        g_free(rel);
    }
    if (dir)
        g_dir_close(dir);
    g_free(masters_dir);
}

/* Files in posts/ that encode did not record are not igprep's: flag them. */
static void find_strays(VerifyRun *run, const char *out_dir, json_t *posts)
{
    char *posts_dir = g_build_filename(out_dir, "posts", NULL);
    GDir *dir = g_dir_open(posts_dir, 0, NULL);
    const char *post_id;

    while (dir && (post_id = g_dir_read_name(dir))) {
        char *sub = g_build_filename(posts_dir, post_id, NULL);
        GDir *d = g_dir_open(sub, 0, NULL);
        const char *name;

        if (!d) {
            char *rel = g_build_filename("posts", post_id, NULL);
            add_stray(run, rel); /* a plain file directly in posts/ */
            g_free(rel);
        }
        while (d && (name = g_dir_read_name(d))) {
            char *rel = g_build_filename("posts", post_id, name, NULL);
            json_t *f;
            size_t i;
            int known = 0;
            json_array_foreach(json_object_get(json_object_get(posts, post_id), "files"), i, f)
                known |= !strcmp(json_string_value(json_object_get(f, "path")), rel);
            if (!known)
                add_stray(run, rel);
            g_free(rel);
        }
        if (d)
            g_dir_close(d);
        g_free(sub);
    }
    if (dir)
        g_dir_close(dir);
    g_free(posts_dir);
}

/* verify_video_faces.c */
void igp_check_video_faces(IgpFileReport *r, const char *out_dir, json_t *post, const char *rel);

/* The full-size redacted masters the reel render wrote beside its posts
 * (the scrubbed ones are checked with the other masters). */
static void verify_video_masters(VerifyRun *run, const char *out_dir, json_t *posts)
{
    json_t *post;
    const char *id;

    json_object_foreach(posts, id, post)
    {
        const char *rel = json_string_value(json_object_get(post, "master"));
        if (!rel || !g_str_has_prefix(rel, "masters/redacted/"))
            continue;
        char *path = g_build_filename(out_dir, rel, NULL);
        int ok;
        json_t *rep = verify_file(path, rel, "master", 0, 0, &ok);
        json_object_set_new(rep, "post", json_string(id));
        add_result(run, rep, ok);
        g_free(path);
    }
}

/* The bytes judged: approve trusts a verdict only for these same bytes. */
static void record_hash(json_t *rep, const char *path)
{
    IgpDigest d;

    if (igp_hash_file(path, &d) == 0)
        json_object_set_new(rep, "sha256", json_string(d.hex));
    igp_error_clear(); /* an unreadable file has failed its checks already */
}

static void verify_posts(VerifyRun *run, const char *out_dir)
{
    json_t *state = igp_state_load(out_dir, "encode");
    json_t *posts = json_object_get(state, "posts"), *post, *f;
    const char *id;
    size_t i;

    json_object_foreach(posts, id, post)
    {
        json_array_foreach(json_object_get(post, "files"), i, f)
        {
            const char *rel = json_string_value(json_object_get(f, "path"));
            char *path = g_build_filename(out_dir, rel, NULL);
            int ok;
            const char *kind = json_string_value(json_object_get(f, "kind"));
            json_t *rep = verify_file(path, rel, kind ? kind : "unknown",
                                      (int)json_integer_value(json_object_get(f, "width")),
                                      (int)json_integer_value(json_object_get(f, "height")), &ok);
            if (igp_output_kind_is_post_video(kind)) {
                /* The faces, frame by frame, in the same report. */
                IgpFileReport r = {rep, json_object_get(rep, "checks"), ok};
                igp_check_video_faces(&r, out_dir, post, rel);
                rep = igp_report_finish(&r);
                ok = r.ok;
            }
            json_object_set_new(rep, "post", json_string(id));
            record_hash(rep, path);
            add_result(run, rep, ok);
            g_free(path);
        }
    }
    verify_video_masters(run, out_dir, posts);
    find_strays(run, out_dir, posts);
    json_decref(state);
}

static void verify_masters(VerifyRun *run, const char *out_dir)
{
    json_t *state = igp_state_load(out_dir, "scrub");
    json_t *m;
    const char *name;

    json_object_foreach(json_object_get(state, "media"), name, m)
    {
        const char *rel = json_string_value(json_object_get(m, "master"));
        char *path;
        int ok;
        if (!rel)
            continue;
        path = g_build_filename(out_dir, rel, NULL);
        json_t *rep = verify_file(path, rel, "master", 0, 0, &ok);
        add_result(run, rep, ok);
        g_free(path);
    }
    find_stray_masters(run, out_dir, json_object_get(state, "media"));
    json_decref(state);
}

/* ---- faces (verify_faces.c) ---- */
void igp_verify_faces(const char *out_dir, void (*add)(void *ctx, json_t *report, int ok),
                      void *ctx);

static void add_face_result(void *run, json_t *report, int ok)
{
    add_result(run, report, ok);
}

/* A folder with no state/ is not a run's folder: refuse rather than pass it. */
static int is_run_folder(const char *out_dir)
{
    char *state = g_build_filename(out_dir, "state", "encode.json", NULL);
    int ok = g_file_test(state, G_FILE_TEST_IS_REGULAR);
    g_free(state);
    return ok;
}

int igp_verify(const IgpVerifySettings *s)
{
    VerifyRun run = {json_array(), 0, 0};
    json_t *report;
    int ret = 0;

    if (s->out_dir && !is_run_folder(s->out_dir)) {
        json_decref(run.files);
        ret = igp_error(IGP_ERR_INVALIDDATA, s->out_dir,
                        _("not an igprep output folder (no state/encode.json); nothing verified"));
        igp_log_error("%s", igp_error_buffer());
        return ret;
    }
    for (char **f = s->files; f && *f; f++) {
        if (!g_file_test(*f, G_FILE_TEST_IS_REGULAR)) {
            json_decref(run.files);
            ret = igp_error(IGP_ERR(ENOENT), *f, _("no such file"));
            igp_log_error("%s", igp_error_buffer());
            return ret;
        }
    }
    if (s->out_dir) {
        verify_posts(&run, s->out_dir);
        verify_masters(&run, s->out_dir);
        igp_verify_faces(s->out_dir, add_face_result, &run); /* faces really hidden */
        pass_master_findings_on(&run);
    }
    for (char **f = s->files; f && *f; f++) {
        int ok;
        json_t *rep = verify_file(*f, *f, s->as_kind ? s->as_kind : "image", 0, 0, &ok);
        add_result(&run, rep, ok);
    }
    report = json_pack("{s:i, s:b, s:i, s:i, s:o}", "version", 1, "ok", run.failed == 0, "checked",
                       run.checked, "failed", run.failed, "files", run.files);
    igp_error_clear();
    if (s->out_dir) {
        /* For people too: 0.03, not 0.029999999999999999 (measurements, never read back). */
        char *path = g_build_filename(s->out_dir, "reports", "verify.json", NULL);
        if ((ret = igp_json_save_flags(path, report, JSON_REAL_PRECISION(10))) != 0)
            igp_log_error("%s", igp_error_buffer());
        g_free(path);
    }
    if (s->json)
        json_dumpf(report, stdout, JSON_INDENT(2)), fputc('\n', stdout);
    if (!s->quiet)
        igp_log_note(ngettext("verify: %d file checked, %d failed",
                              "verify: %d files checked, %d failed", run.checked),
                     run.checked, run.failed);
    json_decref(report);
    return ret ? ret : run.failed ? IGP_ERR_POLICY : 0;
}
