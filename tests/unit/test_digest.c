/* digest.h and auditlog.h: a post's content and digest, what changed between
 * two contents field by field, the proof digest, and the audit log's chain. */
#include "auditlog.h"
#include "check.h"
#include "digest.h"
#include "error.h"
#include "fsutil.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

/* encode.json "posts" of a feed post with its next-day story, and one not made. */
static json_t *posts(void)
{
    json_error_t e;
    return json_loads(
        "{\"feed-01\": {\"type\": \"feed\", \"aspect\": \"4:5\","
        "  \"files\": [{\"path\": \"posts/feed-01/feed-01.jpg\", \"kind\": \"feed-image\","
        "              \"sha256\": \"aa\"}],"
        "  \"post\": {\"caption\": \"ハロウィンパーティーを開催しました。ご参加いただいた皆さま、"
        "ありがとうございました！次回のイベント情報はプロフィールのリンクからご覧ください。 "
        "#のびすく\","
        "            \"alt\": [\"女性の写真。\"], \"schedule\": \"2026-11-28T19:00:00+09:00\","
        "            \"collaborators\": [], \"text\": {\"title\": \"のびすく\"}}},"
        " \"feed-01-story\": {\"type\": \"story\", \"aspect\": \"9:16\","
        "  \"files\": [{\"path\": \"posts/feed-01-story/feed-01-story.jpg\","
        "              \"kind\": \"story-image\", \"sha256\": \"bb\"}],"
        "  \"post\": {\"schedule\": \"2026-11-29T19:00:00+09:00\", \"story_of\": \"feed-01\"}},"
        " \"broken\": {\"error\": \"no such file\"}}",
        0, &e);
}

static char *diff_of(json_t *before, json_t *after, int *n)
{
    GString *out = g_string_new(NULL);
    *n = igp_content_diff(before, after, out);
    return g_string_free(out, FALSE);
}

static void test_content(void)
{
    json_t *p = posts(), *c = igp_post_content(p, "feed-01");
    char d1[65], d2[65];

    CHECK(c != NULL);
    CHECK(igp_post_content(p, "broken") == NULL);
    CHECK(igp_post_content(p, "nope") == NULL);
    CHECK(!g_strcmp0(json_string_value(json_object_get(json_object_get(c, "story"), "id")),
                     "feed-01-story"));
    CHECK(json_is_null(json_object_get(c, "location")));
    igp_content_digest(c, d1);
    CHECK_INT((int)strlen(d1), 64);
    /* The same content gives the same digest; the story's schedule is part of it. */
    json_t *again = igp_post_content(p, "feed-01");
    igp_content_digest(again, d2);
    CHECK(!strcmp(d1, d2));
    json_object_set_new(json_object_get(json_object_get(p, "feed-01-story"), "post"), "schedule",
                        json_string("2026-11-30T19:00:00+09:00"));
    json_t *moved = igp_post_content(p, "feed-01");
    igp_content_digest(moved, d2);
    CHECK(strcmp(d1, d2) != 0);
    int n;
    char *why = diff_of(c, moved, &n);
    CHECK_INT(n, 1);
    CHECK_CONTAINS(why,
                   "story.schedule: '2026-11-29T19:00:00+09:00' -> '2026-11-30T19:00:00+09:00'");
    g_free(why);
    char *parent = igp_story_parent(p, "feed-01-story");
    CHECK(!g_strcmp0(parent, "feed-01"));
    g_free(parent);
    json_decref(moved);
    json_decref(again);
    json_decref(c);
    json_decref(p);
}

static void test_diff(void)
{
    json_t *p = posts(), *before = igp_post_content(p, "feed-01"), *after = json_deep_copy(before);
    json_t *caption = json_object_get(before, "caption");
    char *text = g_strconcat("【未承認の文面】", json_string_value(caption), NULL);
    int n;

    json_object_set_new(after, "caption", json_string(text));
    json_array_set_new(json_object_get(after, "alt"), 0, json_string("別の説明。"));
    json_array_append_new(json_object_get(after, "collaborators"), json_string("sendai_city"));
    json_object_set_new(json_array_get(json_object_get(after, "files"), 0), "sha256",
                        json_string("cc"));
    char *why = diff_of(before, after, &n);
    CHECK_INT(n, 4);
    /* A long caption shows where it changed, cut at a character boundary. */
    CHECK_CONTAINS(
        why, "caption: 'ハロウィンパーティーを開…' -> '【未承認の文面】ハロウィンパーティーを開…'");
    CHECK_CONTAINS(why, "alt 1: '女性の写真。' -> '別の説明。'");
    CHECK_CONTAINS(why, "collaborators: [] -> [\"sendai_city\"]");
    CHECK_CONTAINS(why, "files: feed-01.jpg");
    CHECK(g_utf8_validate(why, -1, NULL));
    g_free(why);
    why = diff_of(before, before, &n);
    CHECK_INT(n, 0);
    CHECK_INT((int)strlen(why), 0);
    g_free(why);
    g_free(text);
    json_decref(after);
    json_decref(before);
    json_decref(p);
}

static void test_proof_digest(void)
{
    json_t *a = json_loads("[{\"id\": \"a\", \"digest\": \"11\"}, {\"id\": \"b\", \"digest\": "
                           "\"22\"}]",
                           0, NULL);
    json_t *b = json_loads("[{\"id\": \"b\", \"digest\": \"22\"}, {\"id\": \"a\", \"digest\": "
                           "\"11\"}]",
                           0, NULL);
    char da[IGP_SHORT_DIGEST + 1], db[IGP_SHORT_DIGEST + 1];

    igp_proof_digest(a, da);
    igp_proof_digest(b, db);
    CHECK_INT((int)strlen(da), IGP_SHORT_DIGEST);
    CHECK(strcmp(da, db) != 0); /* the pages, in their order */
    json_decref(a);
    json_decref(b);
}

static void append(const char *dir, const char *post)
{
    json_t *e = json_pack("{s:s, s:s, s:s}", "event", "approve", "by", "山田 花子", "post", post);
    CHECK_INT(igp_audit_append(dir, e), 0);
    json_decref(e);
}

/* Rewrite the log with line @p n (1-based) replaced by @p with (NULL: removed). */
static void rewrite_line(const char *log, int n, const char *with)
{
    char *text = NULL;
    g_file_get_contents(log, &text, NULL, NULL);
    char **lines = g_strsplit(text, "\n", -1);
    GString *out = g_string_new(NULL);
    for (int i = 0; lines[i] && lines[i][0]; i++) {
        if (i + 1 == n && !with)
            continue;
        g_string_append_printf(out, "%s\n", i + 1 == n ? with : lines[i]);
    }
    g_file_set_contents(log, out->str, (gssize)out->len, NULL);
    g_string_free(out, TRUE);
    g_strfreev(lines);
    g_free(text);
}

static void test_audit_chain(void)
{
    char *dir = g_dir_make_tmp("igp-audit-XXXXXX", NULL);
    char *log = g_build_filename(dir, IGP_AUDIT_LOG_NAME, NULL), *saved = NULL;
    size_t lines;
    gsize len;

    CHECK_INT(igp_audit_verify(dir, &lines), 0); /* no log yet: fine */
    append(dir, "a");
    append(dir, "b");
    append(dir, "c");
    CHECK_INT(igp_audit_verify(dir, &lines), 0);
    CHECK_INT((int)lines, 3);
    g_file_get_contents(log, &saved, &len, NULL);

    rewrite_line(log, 2, "{\"event\":\"approve\",\"by\":\"someone else\",\"prev\":\"0\"}");
    CHECK_INT(igp_audit_verify(dir, NULL), IGP_ERR_POLICY);
    CHECK_CONTAINS(igp_error_buffer(), "audit.log:2:"); /* its own prev is wrong too */
    g_file_set_contents(log, saved, (gssize)len, NULL);

    rewrite_line(log, 2, NULL); /* a line removed */
    CHECK_INT(igp_audit_verify(dir, NULL), IGP_ERR_POLICY);
    CHECK_CONTAINS(igp_error_buffer(), "audit.log:2: the hash of line 1 recorded here");
    g_file_set_contents(log, saved, (gssize)len, NULL);

    g_file_set_contents(log, saved, (gssize)len - 1, NULL); /* its newline lost */
    CHECK_INT(igp_audit_verify(dir, NULL), IGP_ERR_POLICY);
    CHECK_CONTAINS(igp_error_buffer(), "audit.log:3: the last line is incomplete");
    append(dir, "d"); /* the line is closed first: it was whole, the chain holds */
    CHECK_INT(igp_audit_verify(dir, &lines), 0);
    CHECK_INT((int)lines, 4);

    g_file_set_contents(log, saved, (gssize)len - 10, NULL); /* torn in the middle */
    append(dir, "d");
    CHECK_INT(igp_audit_verify(dir, NULL), IGP_ERR_POLICY);
    CHECK_CONTAINS(igp_error_buffer(), "audit.log:3: not a JSON object");
    igp_error_clear();

    g_free(saved);
    g_unlink(log);
    g_rmdir(dir);
    g_free(log);
    g_free(dir);
}

static void test_clock(void)
{
    GTimeZone *tokyo = g_time_zone_new_identifier("Asia/Tokyo");
    char now[64];
    igp_now_in_zone(tokyo, now, sizeof(now));
    CHECK(g_str_has_suffix(now, "+09:00"));
    CHECK_INT((int)strlen(now), 25);
    g_time_zone_unref(tokyo);
}

int main(void)
{
    test_content();
    test_diff();
    test_proof_digest();
    test_audit_chain();
    test_clock();
    return check_done();
}
