/* shoot.json: every kind of mistake gives file:line:column and what is wrong. */
#include "check.h"
#include "error.h"
#include "manifest.h"
#include "postrules.h"

#include <glib.h>
#include <glib/gstdio.h>

static char *shoot_dir;

static void write_file(const char *name, const char *content)
{
    char *path = g_build_filename(shoot_dir, name, NULL);
    g_file_set_contents(path, content, -1, NULL);
    g_free(path);
}

/* Load a manifest text; return the error buffer (empty on success). */
static const char *load(const char *json, IgpManifest **out)
{
    IgpManifest *m = NULL;
    igp_error_clear();
    write_file("shoot.json", json);
    if (igp_manifest_load(shoot_dir, &m) == 0) {
        if (out)
            *out = m;
        else
            igp_manifest_free(&m);
        return "";
    }
    CHECK(m == NULL);
    return igp_error_buffer();
}

#define POST(body)  "{\"version\": 1, \"shoot\": \"s\", \"posts\": [\n" body "\n]}", NULL
#define POSTM(body) "{\"version\": 1, \"shoot\": \"s\", \"posts\": [\n" body "\n]}"

static void test_valid(void)
{
    IgpManifest *m = NULL;
    const char *err = load(POSTM("{\"id\": \"f\", \"type\": \"feed\", \"aspect\": \"1:1\",\n"
                                 " \"media\": [{\"file\": \"a.jpg\", \"focus\": [0.2, 0.8]}]},\n"
                                 "{\"id\": \"c\", \"type\": \"carousel\", \"media\": "
                                 "[{\"file\": \"a.jpg\"}, {\"file\": \"b.jpg\"}]}"),
                           &m);
    CHECK_INT(strlen(err), 0);
    if (!m)
        return;
    CHECK_INT(m->n_posts, 2);
    CHECK(m->posts[0].aspect == IGP_ASPECT_1_1);
    CHECK(m->posts[0].media[0].focus[0] == 0.2 && m->posts[0].media[0].focus[1] == 0.8);
    CHECK(m->posts[1].type == IGP_POST_CAROUSEL && m->posts[1].n_media == 2);
    CHECK(m->posts[1].media[1].focus[0] == 0.5); /* default focus: the centre */
    CHECK(m->posts[0].problem == NULL);
    igp_manifest_free(&m);
    CHECK(m == NULL);
}

static void test_errors(void)
{
    /* syntax: jansson's own position */
    CHECK_CONTAINS(load("{\"version\": 1,\n \"shoot\": }", NULL), "shoot.json:2:11:");
    /* missing key: the enclosing object */
    CHECK_CONTAINS(load("{\"version\": 1, \"posts\": []}", NULL),
                   "shoot.json:1:1: missing key 'shoot'");
    /* wrong type */
    CHECK_CONTAINS(load("{\"version\": \"1\"}", NULL),
                   "shoot.json:1:13: 'version' must be an integer, not a string");
    /* unknown version */
    CHECK_CONTAINS(load("{\"version\": 2, \"shoot\": \"s\", \"posts\": []}", NULL),
                   "shoot.json:1:13: unknown version 2");
    /* unknown post type */
    CHECK_CONTAINS(load(POST("{\"id\": \"x\", \"type\": \"video\", \"media\": []}")),
                   "shoot.json:2:21: post 'x': unknown type 'video'");
    /* duplicate post id */
    CHECK_CONTAINS(
        load(POST("{\"id\": \"x\", \"type\": \"feed\", \"media\": [{\"file\": \"a.jpg\"}]},\n"
                  "{\"id\": \"x\", \"type\": \"feed\", \"media\": [{\"file\": \"a.jpg\"}]}")),
        "shoot.json:3:8: duplicate post id 'x'");
    /* carousels take 2 to 10 items */
    CHECK_CONTAINS(
        load(POST("{\"id\": \"c\", \"type\": \"carousel\", \"media\": [{\"file\": \"a.jpg\"}]}")),
        "shoot.json:2:42: a carousel post takes 2 to 10 media, not 1");
    CHECK_CONTAINS(load(POST("{\"id\": \"c\", \"type\": \"carousel\", \"media\": ["
                             "{\"file\": \"a.jpg\"}, {\"file\": \"a.jpg\"}, {\"file\": \"a.jpg\"},"
                             "{\"file\": \"a.jpg\"}, {\"file\": \"a.jpg\"}, {\"file\": \"a.jpg\"},"
                             "{\"file\": \"a.jpg\"}, {\"file\": \"a.jpg\"}, {\"file\": \"a.jpg\"},"
                             "{\"file\": \"a.jpg\"}, {\"file\": \"a.jpg\"}]}")),
                   "a carousel post takes 2 to 10 media, not 11");
    /* unknown key (a typo) */
    CHECK_CONTAINS(
        load(POST("{\"id\": \"f\", \"type\": \"feed\", \"captoin\": \"hi\", \"media\": []}")),
        "shoot.json:2:40: unknown key 'captoin' in a post");
    /* focus outside the picture */
    CHECK_CONTAINS(load(POST("{\"id\": \"f\", \"type\": \"feed\", \"media\": [{\"file\": "
                             "\"a.jpg\", \"focus\": [1.5, 0]}]}")),
                   "'focus' values must be between 0 and 1");
    /* a path instead of a file name */
    CHECK_CONTAINS(
        load(POST(
            "{\"id\": \"f\", \"type\": \"feed\", \"media\": [{\"file\": \"../etc/passwd\"}]}")),
        "'file' must be a file name inside the shoot folder");
}

/* A missing media file disables only its post: the manifest still loads. */
static void test_missing_media(void)
{
    IgpManifest *m = NULL;
    const char *err =
        load(POSTM("{\"id\": \"ok\", \"type\": \"feed\", \"media\": [{\"file\": \"a.jpg\"}]},\n"
                   "{\"id\": \"bad\", \"type\": \"feed\", \"media\": [{\"file\": \"GONE.JPG\"}]}"),
             &m);
    CHECK_INT(strlen(err), 0);
    if (!m)
        return;
    CHECK(m->posts[0].problem == NULL);
    CHECK_CONTAINS(m->posts[1].problem,
                   "shoot.json:3:50: post 'bad': media file 'GONE.JPG' is not in the shoot folder");
    igp_manifest_free(&m);
}

/* A schedule is kept with its offset; a local time takes the account's
 * zone (Asia/Tokyo without igprep.json). */
static void test_schedule(void)
{
    IgpManifest *m = NULL;
    const char *err =
        load(POSTM("{\"id\": \"f\", \"type\": \"feed\", \"schedule\": \"2026-12-12T19:00\",\n"
                   " \"media\": [{\"file\": \"a.jpg\"}]},\n"
                   "{\"id\": \"g\", \"type\": \"feed\", \"schedule\": \"2026-12-12T10:00:30Z\",\n"
                   " \"media\": [{\"file\": \"a.jpg\"}]}"),
             &m);
    CHECK_INT(strlen(err), 0);
    if (!m)
        return;
    CHECK_CONTAINS(json_string_value(json_object_get(m->posts[0].json, "schedule")),
                   "2026-12-12T19:00:00+09:00");
    CHECK_CONTAINS(json_string_value(json_object_get(m->posts[1].json, "schedule")),
                   "2026-12-12T10:00:30+00:00");
    CHECK_CONTAINS(m->timezone, "Asia/Tokyo");
    igp_manifest_free(&m);
    CHECK_CONTAINS(
        load(POST("{\"id\": \"x\", \"type\": \"feed\", \"schedule\": \"2026/12/12 19:00\", "
                  "\"media\": [{\"file\": \"a.jpg\"}]}")),
        "shoot.json:2:41: post 'x': schedule '2026/12/12 19:00' writes the date with '/'");
}

static void test_post_rules(void)
{
    CHECK_INT(igp_count_mentions("@a @b.c info@example.jp @@x ＠全角 @"), 2);
    CHECK(igp_username_problem("sendai_city.official") == NULL);
    CHECK(igp_username_problem("@sendai_city") != NULL);
    CHECK(igp_username_problem(".a") != NULL);
    CHECK(igp_username_problem("a.") != NULL);
    CHECK(igp_username_problem("a..b") != NULL);
    CHECK(igp_username_problem("仙台") != NULL);
    CHECK(igp_username_problem("abcdefghij0123456789abcdefghij") == NULL); /* 30 */
    CHECK(igp_username_problem("abcdefghij0123456789abcdefghijk") != NULL);
}

int main(void)
{
    shoot_dir = g_dir_make_tmp("igp-manifest-XXXXXX", NULL);
    write_file("a.jpg", "x");
    write_file("b.jpg", "x");
    test_valid();
    test_errors();
    test_missing_media();
    test_schedule();
    test_post_rules();
    char *cmd = g_strdup_printf("rm -rf '%s'", shoot_dir);
    CHECK_INT(system(cmd), 0);
    g_free(cmd);
    g_free(shoot_dir);
    return check_done();
}
