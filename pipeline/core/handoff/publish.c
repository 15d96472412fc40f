/* publish: hand approved, unchanged, verified posts to the outbox, one
 * folder per post, never partially visible. */
#include "publish.h"
#include "stage.h"
#include "log.h"

#include "error.h"
#include "i18n.h"
#include "fsutil.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* What one publish run shares between posts. */
typedef struct PublishRun {
    const IgpPublishSettings *settings;
    const char *shoot;
    IgpConfig config;
    char at[64];           ///< now, in the account's zone
    json_t *posts;         ///< encode.json "posts"
    json_t *verify;        ///< reports/verify.json, or NULL
    json_t *approvals;     ///< approvals.json "approvals", or NULL
    json_t *published;     ///< state/published.json "posts": what is in the outbox
    GPtrArray *unapproved; ///< ids of posts not approved, for the summary line
    int delay_ms;          ///< $IGP_PUBLISH_DELAY_MS: test-only pause between file writes
    int published_n, unchanged, refused, withdrawn;
    json_t *outcome; ///< post id → {"id", "status", ...}: what --json's result lists
} PublishRun;

/* Note what became of a post (docs/json.md): its status, and @p key with
 * @p value (taken) when not NULL. A later status overrides an earlier one. */
static void outcome(PublishRun *run, const char *id, const char *status, const char *key,
                    json_t *value)
{
    json_t *o = json_object_get(run->outcome, id);

    if (!o) {
        o = json_pack("{s:s}", "id", id);
        json_object_set_new(run->outcome, id, o);
    }
    if (status)
        json_object_set_new(o, "status", json_string(status));
    if (key)
        json_object_set_new(o, key, value);
    else
        json_decref(value);
}

static void audit(const PublishRun *run, json_t *event)
{
    json_object_set_new(event, "at", json_string(run->at));
    if (igp_audit_append(run->settings->out_dir, event)) {
        igp_log_error("%s", igp_error_buffer());
        igp_error_clear();
    }
    json_decref(event);
}

static char *outbox_folder(const PublishRun *run, const char *id)
{
    char *name = g_strdup_printf("%s-%s", run->shoot, id);
    char *dir = g_build_filename(run->settings->outbox, name, NULL);
    g_free(name);
    return dir;
}

/* OUTBOX/.withdrawn/<id>-<time>[-N]: a name not taken yet. */
static char *withdrawn_name(const PublishRun *run, const char *id)
{
    GDateTime *now = g_date_time_new_now(run->config.zone);
    char *stamp = g_date_time_format(now, "%Y%m%dT%H%M%S%z");
    char *base =
        g_strdup_printf("%s/%s/%s-%s", run->settings->outbox, IGP_WITHDRAWN_NAME, id, stamp);
    char *path = g_strdup(base);

    for (int n = 2; igp_path_exists(path); n++) {
        g_free(path);
        path = g_strdup_printf("%s-%d", base, n);
    }
    g_free(base);
    g_free(stamp);
    g_date_time_unref(now);
    return path;
}

/* A post that may not go out must not stay sendable: its outbox folder (a
 * folder igprep wrote, never a file or link in its place) moves out of the
 * outbox's view, in one rename, into .withdrawn/ with a note saying why. */
static void withdraw(PublishRun *run, const char *id, const char *final_dir, const char *why)
{
    struct stat st;
    char *wdir, *dest, *note_path, *note;
    int ret;

    if (lstat(final_dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return;
    wdir = g_build_filename(run->settings->outbox, IGP_WITHDRAWN_NAME, NULL);
    dest = withdrawn_name(run, id);
    note_path = g_build_filename(dest, "WITHDRAWN.txt", NULL);
    note =
        g_strdup_printf(_("Post '%s' was withdrawn from the outbox at %s, not to be posted:\n%s\n"),
                        id, run->at, why);
    ret = igp_mkdir_p(wdir);
    if (ret == 0 && rename(final_dir, dest) != 0)
        ret = igp_error(IGP_ERR(errno), final_dir, _("cannot move to %s: %s"), dest,
                        g_strerror(errno));
    if (ret == 0)
        ret = igp_write_file_atomic(note_path, note, strlen(note));
    if (ret == 0)
        ret = igp_fsync_path(wdir);
    if (ret != 0) {
        igp_log_error(_("publish: post '%s' could not be withdrawn: %s"), id, igp_error_buffer());
        igp_error_clear();
    } else {
        igp_log_warning(
            _("publish: post '%s' withdrawn from the outbox to %s (see WITHDRAWN.txt there)"), id,
            dest);
        audit(run, json_pack("{s:s, s:s, s:s, s:s}", "event", "withdraw", "post", id, "folder",
                             dest, "why", why));
        if (!json_object_get(run->outcome, id)) /* no longer in the shoot */
            outcome(run, id, "withdrawn", NULL, NULL);
        outcome(run, id, NULL, "withdrawn_to", json_string(dest));
        run->withdrawn++;
    }
    json_object_del(run->published, id);
    g_free(note);
    g_free(note_path);
    g_free(dest);
    g_free(wdir);
}

/* Refuse an approved post on one line, and withdraw what the outbox holds
 * of it; the others go on. */
static void refuse(PublishRun *run, const char *post_id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void refuse(PublishRun *run, const char *post_id, const char *fmt, ...)
{
    va_list ap;
    char *why, *dir = outbox_folder(run, post_id);

    va_start(ap, fmt);
    why = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    igp_log_error_kind("publish-refused", json_pack("{s:s}", "post", post_id),
                       _("publish: post '%s' not published: %s"), post_id, why);
    outcome(run, post_id, "refused", "why", json_string(why));
    audit(run,
          json_pack("{s:s, s:s, s:s}", "event", "publish-refused", "post", post_id, "why", why));
    withdraw(run, post_id, dir, why);
    g_free(dir);
    g_free(why);
    run->refused++;
}

/* A post nobody approved is no error: it is named on the summary line, and
 * whatever the outbox held of it is withdrawn. */
static void not_approved(PublishRun *run, const char *id, const char *why)
{
    char *dir = outbox_folder(run, id);
    g_ptr_array_add(run->unapproved, g_strdup(id));
    outcome(run, id, "not-approved", "why", json_string(why));
    withdraw(run, id, dir, why);
    g_free(dir);
}

/* Is this post fit to go out? Reports the reason and returns 0 when not. */
static int check_post(PublishRun *run, const char *id, json_t *entry, json_t *approval,
                      json_t *content, const char *digest)
{
    json_t *files = json_object_get(entry, "files");
    json_t *collaborators = json_object_get(content, "collaborators");
    const char *by = json_string_value(json_object_get(approval, "by"));
    const char *at = json_string_value(json_object_get(approval, "at"));
    GString *why = g_string_new(NULL);
    int ok = 0;

    if (!approval && json_object_get(entry, "error"))
        not_approved(run, id, _("it was not made"));
    else if (!approval)
        not_approved(run, id, _("it is not approved"));
    else if (json_object_get(entry, "error"))
        refuse(run, id, _("it was not made (%s)"),
               json_string_value(json_object_get(entry, "error")));
    else if (!json_is_string(json_object_get(approval, "digest")))
        refuse(run, id,
               _("its approval by %s at %s predates approvals of the whole post (words, schedule, "
                 "collaborators); approve it again"),
               by, at);
    else if (strcmp(digest, json_string_value(json_object_get(approval, "digest"))) &&
             igp_content_diff(json_object_get(approval, "content"), content, why) >= 0)
        refuse(run, id, _("changed after its approval by %s at %s: %s; approve it again"), by, at,
               why->len ? why->str : _("its digest differs"));
    else if (!igp_post_files_match(run->settings->out_dir, files, why))
        refuse(run, id, _("%s changed after its approval by %s at %s; approve it again"), why->str,
               by, at);
    else if (!igp_post_passes_verify(run->verify, id, files, why))
        refuse(run, id, _("it fails verify (%s)"), why->str);
    else if (json_array_size(collaborators) > IGP_MAX_COLLABORATORS)
        refuse(run, id, _("%zu collaborators, at most %d"), json_array_size(collaborators),
               IGP_MAX_COLLABORATORS);
    else
        ok = 1;
    g_string_free(why, TRUE);
    return ok;
}

/* ---- post.json ---- */

static const char *base_name(const char *path)
{
    const char *slash = path ? strrchr(path, '/') : NULL;

    if (!path)
        return "";
    return slash ? slash + 1 : path;
}

static json_t *post_json_files(json_t *files, json_t *alt)
{
    json_t *out = json_array(), *f;
    size_t i;

    json_array_foreach(files, i, f)
    {
        json_t *o =
            json_pack("{s:s, s:O, s:O, s:O, s:O}", "name",
                      base_name(json_string_value(json_object_get(f, "path"))), "kind",
                      json_object_get(f, "kind"), "sha256", json_object_get(f, "sha256"), "width",
                      json_object_get(f, "width"), "height", json_object_get(f, "height"));
        json_t *a = json_array_get(alt, i);
        json_object_set_new(o, "alt", json_is_string(a) ? json_copy(a) : json_null());
        json_array_append_new(out, o);
    }
    return out;
}

/* The cover, when the post names one of its own files (reels, later). */
static json_t *cover_of(json_t *facts, json_t *files)
{
    const char *cover = json_string_value(json_object_get(facts, "cover"));
    json_t *f;
    size_t i;

    json_array_foreach(files, i, f)
    {
        const char *path = json_string_value(json_object_get(f, "path"));
        if (cover && path && (!strcmp(cover, path) || !strcmp(cover, base_name(path))))
            return json_string(base_name(path));
    }
    return json_null();
}

/* A derived post names its parent (encode's "story_of"), when it is made. */
static json_t *story_of(const PublishRun *run, json_t *entry)
{
    const char *parent = igp_post_parent(entry);
    return parent && json_object_get(run->posts, parent) ? json_string(parent) : json_null();
}

/* post.json: the contract with the publish stage (docs/post-json.md), from
 * the approved content (digest.h), which is the post's content now. It
 * holds nothing that changes from one publish to the next, so an unchanged
 * post gives the same bytes. */
static char *post_json(const PublishRun *run, const char *id, json_t *entry, json_t *approval,
                       json_t *content)
{
    json_t *facts = json_object_get(entry, "post");
    json_t *files = json_object_get(entry, "files");
    json_t *doc = json_object();
    const IgpPostTypeInfo *type =
        igp_post_type_find(json_string_value(json_object_get(entry, "type")));
    unsigned fields = type ? type->publish_fields : 0;
    char *text;

    json_object_set_new(doc, "version", json_integer(IGP_POST_JSON_VERSION));
    json_object_set_new(doc, "shoot", json_string(run->shoot));
    json_object_set_new(doc, "id", json_string(id));
    json_object_set(doc, "type", json_object_get(entry, "type"));
    json_object_set(doc, "aspect", json_object_get(entry, "aspect"));
    json_object_set(doc, "schedule", json_object_get(content, "schedule"));
    json_object_set(doc, "caption", json_object_get(content, "caption"));
    json_object_set(doc, "collaborators", json_object_get(content, "collaborators"));
    json_object_set(doc, "location", json_object_get(content, "location"));
    /* The fields that mean something for this type (its row in posttype.c). */
    json_object_set_new(doc, "cover",
                        fields & IGP_FIELD_COVER ? cover_of(facts, files) : json_null());
    json_object_set_new(doc, "story_of",
                        fields & IGP_FIELD_STORY_OF ? story_of(run, entry) : json_null());
    if (fields & IGP_FIELD_STORIES) /* a highlight: its stories, in order */
        json_object_set(doc, "stories", json_object_get(facts, "stories"));
    json_object_set_new(doc, "files", post_json_files(files, json_object_get(content, "alt")));
    json_object_set_new(
        doc, "approval",
        json_pack("{s:O, s:O?, s:O, s:O?, s:O?, s:O, s:O?}", "by", json_object_get(approval, "by"),
                  "role", json_object_get(approval, "role"), "at", json_object_get(approval, "at"),
                  "stated_at", json_object_get(approval, "stated_at"), "note",
                  json_object_get(approval, "note"), "digest", json_object_get(approval, "digest"),
                  "proof", json_object_get(approval, "proof")));
    text = json_dumps(doc, JSON_INDENT(2));
    json_decref(doc);
    if (!text)
        return NULL;
    char *with_newline = g_strconcat(text, "\n", NULL);
    free(text);
    return with_newline;
}

/* ---- writing the folder ---- */

static gint compare_strings(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* What the outbox folder holds besides the post: entries other than
 * post.json and the post's files, and those that are not regular files (a
 * link to the same bytes is not the post's file). Returns them in order,
 * e.g. "'a.jpg' is not a regular file; 'notes.txt' is not part of the post"
 * (g_free()), or NULL when there is none (or no folder). */
static char *outbox_intruders(const char *final_dir, json_t *entry)
{
    GHashTable *expected = g_hash_table_new(g_str_hash, g_str_equal);
    GPtrArray *found = g_ptr_array_new_with_free_func(g_free);
    GDir *dir = g_dir_open(final_dir, 0, NULL);
    const char *name;
    char *list = NULL;
    json_t *f;
    size_t i;

    g_hash_table_add(expected, "post.json");
    json_array_foreach(json_object_get(entry, "files"), i, f)
    {
        const char *rel = json_string_value(json_object_get(f, "path"));
        g_hash_table_add(expected, (char *)base_name(rel));
    }
    while (dir && (name = g_dir_read_name(dir))) {
        char *path = g_build_filename(final_dir, name, NULL);
        struct stat st;
        if (!g_hash_table_contains(expected, name))
            g_ptr_array_add(found, g_strdup_printf(_("'%s' is not part of the post"), name));
        else if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
            g_ptr_array_add(found, g_strdup_printf(_("'%s' is not a regular file"), name));
        g_free(path);
    }
    if (found->len > 0) {
        g_ptr_array_sort(found, compare_strings);
        g_ptr_array_add(found, NULL);
        list = g_strjoinv("; ", (char **)found->pdata);
    }
    if (dir)
        g_dir_close(dir);
    g_ptr_array_free(found, TRUE);
    g_hash_table_destroy(expected);
    return list;
}

/* Is the published folder already exactly this post? Same post.json bytes,
 * and every file it lists present with its hash (the caller has checked
 * that it holds nothing else). */
static int outbox_is_current(const char *final_dir, const char *text, json_t *entry)
{
    char *pj = g_build_filename(final_dir, "post.json", NULL);
    char *old = NULL;
    gsize len = 0;
    json_t *f;
    size_t i;
    int same =
        g_file_get_contents(pj, &old, &len, NULL) && len == strlen(text) && !memcmp(old, text, len);

    json_array_foreach(json_object_get(entry, "files"), i, f)
    {
        char *path = g_build_filename(
            final_dir, base_name(json_string_value(json_object_get(f, "path"))), NULL);
        IgpDigest d;
        same = same && igp_hash_file(path, &d) == 0 &&
               !strcmp(d.hex, json_string_value(json_object_get(f, "sha256")));
        g_free(path);
    }
    igp_error_clear();
    g_free(old);
    g_free(pj);
    return same;
}

static void test_delay(const PublishRun *run)
{
    if (run->delay_ms > 0)
        g_usleep((gulong)run->delay_ms * 1000);
}

/* Copy one file into the temporary folder (written and fsynced) and check
 * that the copy is the approved bytes: a file rewritten between the checks
 * and the copy must not go out. */
static int copy_approved(const PublishRun *run, const char *tmp_dir, json_t *f)
{
    const char *rel = json_string_value(json_object_get(f, "path"));
    const char *want = json_string_value(json_object_get(f, "sha256"));
    char *src = g_build_filename(run->settings->out_dir, rel, NULL);
    char *dst = g_build_filename(tmp_dir, base_name(rel), NULL);
    char *data = NULL;
    gsize len = 0;
    GError *gerr = NULL;
    IgpDigest d;
    int ret = 0;

    if (!g_file_get_contents(src, &data, &len, &gerr)) {
        ret = igp_error(IGP_ERR_INVALIDDATA, src, _("cannot read: %s"), gerr->message);
        g_error_free(gerr);
    }
    if (ret == 0)
        igp_hash_bytes(data, len, &d);
    if (ret == 0 && strcmp(d.hex, want))
        ret = igp_error(IGP_ERR_INVALIDDATA, rel, _("changed while being published"));
    if (ret == 0)
        ret = igp_write_file_atomic(dst, data, len);
    test_delay(run);
    g_free(data);
    g_free(dst);
    g_free(src);
    return ret;
}

/* Build the post in a hidden sibling folder, fsync it, rename it into place. */
static int write_outbox_post(const PublishRun *run, const char *final_dir, const char *text,
                             json_t *entry)
{
    char *tmp_dir = igp_temp_sibling(final_dir);
    char *pj = g_build_filename(tmp_dir, "post.json", NULL);
    json_t *f;
    size_t i;
    int ret = igp_mkdir_p(tmp_dir);

    json_array_foreach(json_object_get(entry, "files"), i, f)
    {
        if (ret == 0)
            ret = copy_approved(run, tmp_dir, f);
    }
    if (ret == 0)
        ret = igp_write_file_atomic(pj, text, strlen(text));
    test_delay(run);
    if (ret == 0)
        ret = igp_fsync_path(tmp_dir);
    if (ret == 0)
        ret = igp_publish(tmp_dir, final_dir);
    if (ret != 0)
        igp_remove_tree(tmp_dir);
    g_free(pj);
    g_free(tmp_dir);
    return ret;
}

static json_t *file_paths(json_t *files)
{
    json_t *out = json_array(), *f;
    size_t i;

    json_array_foreach(files, i, f) json_array_append(out, json_object_get(f, "path"));
    return out;
}

/* state/published.json: which content of each post the outbox holds, and
 * since when (the archive bags exactly these). */
static void note_published(PublishRun *run, const char *id, const char *folder, const char *digest,
                           int written)
{
    json_t *old = json_object_get(run->published, id);
    const char *since = json_string_value(json_object_get(old, "at"));
    char *absolute = g_canonicalize_filename(folder, NULL); /* archive reads it from anywhere */

    if (written || !since || g_strcmp0(json_string_value(json_object_get(old, "digest")), digest))
        since = run->at;
    json_object_set_new(
        run->published, id,
        json_pack("{s:s, s:s, s:s}", "digest", digest, "folder", absolute, "at", since));
    g_free(absolute);
}

/* The outbox folder holds exactly the approved post afterwards: it is left
 * alone when it already does, and otherwise built anew and swapped in whole,
 * with a warning naming what it held besides the post (a planted file, a
 * link in place of a file), which goes with the old folder. */
static void publish_folder(PublishRun *run, const char *id, const char *final_dir, const char *text,
                           json_t *entry, const char *digest)
{
    char *intruders = outbox_intruders(final_dir, entry);

    if (!intruders && outbox_is_current(final_dir, text, entry)) {
        run->unchanged++;
        outcome(run, id, "unchanged", "folder", json_string(final_dir));
        note_published(run, id, final_dir, digest, 0);
    } else if (write_outbox_post(run, final_dir, text, entry) != 0) {
        char *why = g_strdup(igp_error_buffer());
        igp_error_clear();
        refuse(run, id, "%s", why);
        g_free(why);
    } else {
        if (intruders)
            igp_log_warning(
                _("publish: %s: %s; replaced by a folder holding exactly the approved post"),
                final_dir, intruders);
        igp_log_note(_("publish: %s"), final_dir);
        note_published(run, id, final_dir, digest, 1);
        outcome(run, id, "published", "folder", json_string(final_dir));
        audit(run, json_pack("{s:s, s:s, s:s, s:s, s:o}", "event", "publish", "post", id, "digest",
                             digest, "folder", final_dir, "files",
                             file_paths(json_object_get(entry, "files"))));
        run->published_n++;
    }
    g_free(intruders);
}

/* A post's outbox name is free, or an igprep folder: not a link, not a file. */
static int is_folder_or_absent(const char *path)
{
    struct stat st;
    return lstat(path, &st) != 0 ? errno == ENOENT : S_ISDIR(st.st_mode);
}

static void publish_post(PublishRun *run, const char *id, json_t *entry)
{
    json_t *approval = igp_latest_approval(run->approvals, id);
    json_t *content = igp_post_content(run->posts, id);
    char digest[65] = "", *final_dir, *text = NULL;

    if (content)
        igp_content_digest(content, digest);
    if (!check_post(run, id, entry, approval, content, digest)) {
        json_decref(content);
        return;
    }
    final_dir = outbox_folder(run, id);
    text = post_json(run, id, entry, approval, content);
    igp_error_clear();
    if (!text)
        refuse(run, id, _("cannot serialise post.json"));
    else if (!is_folder_or_absent(final_dir))
        refuse(run, id, _("%s exists and is not a folder igprep wrote; it is left as it is"),
               final_dir);
    else
        publish_folder(run, id, final_dir, text, entry, digest);
    json_decref(content);
    g_free(text);
    g_free(final_dir);
}

/* Outbox folders of this shoot whose post is no longer in it at all. */
static void withdraw_removed_posts(PublishRun *run)
{
    GDir *dir = g_dir_open(run->settings->outbox, 0, NULL);
    size_t prefix = strlen(run->shoot) + 1;
    const char *name;

    while (dir && (name = g_dir_read_name(dir))) {
        char *path = g_build_filename(run->settings->outbox, name, NULL);
        char *pj = g_build_filename(path, "post.json", NULL);
        json_t *doc = NULL;
        const char *id = name + prefix;

        if (strlen(name) > prefix && !strncmp(name, run->shoot, prefix - 1) &&
            name[prefix - 1] == '-' && !json_object_get(run->posts, id) &&
            (doc = json_load_file(pj, 0, NULL)) &&
            !g_strcmp0(json_string_value(json_object_get(doc, "shoot")), run->shoot) &&
            !g_strcmp0(json_string_value(json_object_get(doc, "id")), id))
            withdraw(run, id, path, _("the post is no longer in the shoot"));
        json_decref(doc);
        g_free(pj);
        g_free(path);
    }
    if (dir)
        g_dir_close(dir);
}

/* One line for every post nobody approved: the normal case, not an error. */
static void report_unapproved(const PublishRun *run)
{
    GString *ids = g_string_new(NULL);

    if (run->unapproved->len == 0)
        return;
    for (guint i = 0; i < run->unapproved->len; i++)
        if (i < 10)
            g_string_append_printf(ids, "%s%s", i ? ", " : "", (char *)run->unapproved->pdata[i]);
    if (run->unapproved->len > 10)
        g_string_append_printf(ids, _(" and %u more"), run->unapproved->len - 10);
    igp_log_note(ngettext("publish: %u post not approved, not sent: %s",
                          "publish: %u posts not approved, not sent: %s", run->unapproved->len),
                 run->unapproved->len, ids->str);
    g_string_free(ids, TRUE);
}

static json_t *published_load(const char *path)
{
    json_t *doc = json_load_file(path, 0, NULL);
    json_t *posts = json_object_get(doc, "posts");

    posts = json_is_object(posts) ? json_incref(posts) : json_object();
    json_decref(doc);
    return posts;
}

/* A shoot or post name that would escape the outbox cannot be a folder name. */
static int safe_name(const char *s)
{
    return s && *s && s[0] != '.' && !strchr(s, '/');
}

/* --json's result (docs/json.md): the counts and each post's outcome. */
static json_t *publish_result(const PublishRun *run)
{
    json_t *posts = json_array(), *o;
    const char *id;

    json_object_foreach(run->outcome, id, o)
    {
        json_array_append(posts, o);
    }
    return json_pack("{s:s, s:i, s:i, s:i, s:i, s:i, s:o}", "outbox", run->settings->outbox,
                     "published", run->published_n, "unchanged", run->unchanged, "refused",
                     run->refused, "not_approved", (int)run->unapproved->len, "withdrawn",
                     run->withdrawn, "posts", posts);
}

static int publish_locked(const IgpPublishSettings *s)
{
    IgpVerifySettings v = {.out_dir = s->out_dir, .quiet = 1};
    PublishRun run = {.settings = s};
    char *verify_path = g_build_filename(s->out_dir, "reports", "verify.json", NULL);
    char *approvals_path = g_build_filename(s->out_dir, IGP_APPROVALS_NAME, NULL);
    char *published_path = g_build_filename(s->out_dir, "state", "published.json", NULL);
    json_t *state = NULL, *approvals = NULL, *entry;
    const char *id, *delay = getenv("IGP_PUBLISH_DELAY_MS");
    int missing, ret = igp_mkdir_p(s->outbox);

    run.unapproved = g_ptr_array_new_with_free_func(g_free);
    run.outcome = json_object();
    if (ret == 0)
        ret = igp_out_config_load(s->out_dir, &run.config);
    if (ret == 0 && !(state = igp_encode_state_load(s->out_dir)))
        ret = IGP_ERR_INVALIDDATA;
    if (ret)
        goto out;
    igp_now_in_zone(run.config.zone, run.at, sizeof(run.at));
    igp_sweep_temporaries(s->outbox); /* what a killed publish left */
    igp_error_clear();
    /* Judge the files as they are now, not as an older report saw them. A
     * failing file is reported by verify and refused per post below. */
    igp_verify(&v);
    igp_error_clear();
    run.verify = igp_json_load_optional(verify_path, &missing);
    approvals = igp_json_load_optional(approvals_path, &missing);
    if (!approvals && !missing) {
        ret = IGP_ERR_INVALIDDATA;
        goto out;
    }
    if (approvals && (ret = igp_approvals_check(approvals_path, approvals)))
        goto out;
    run.approvals = json_object_get(approvals, "approvals");
    run.posts = json_object_get(state, "posts");
    run.published = published_load(published_path);
    run.shoot = json_string_value(json_object_get(state, "shoot"));
    run.delay_ms = delay ? atoi(delay) : 0;
    if (!safe_name(run.shoot)) {
        ret = igp_error(IGP_ERR_INVALIDDATA, s->out_dir, _("shoot name '%s' is not a folder name"),
                        run.shoot);
        goto out;
    }
    json_object_foreach(run.posts, id, entry)
    {
        if (!safe_name(id)) {
            igp_log_error_kind("publish-refused", json_pack("{s:s}", "post", id),
                               _("publish: post '%s' not published: its id is not a folder name"),
                               id);
            outcome(&run, id, "refused", NULL, NULL);
            run.refused++;
        } else {
            publish_post(&run, id, entry);
        }
    }
    withdraw_removed_posts(&run);
    report_unapproved(&run);
    igp_log_note(ngettext("publish: %d post published, %d unchanged, %d refused, %d withdrawn "
                          "(outbox %s)",
                          "publish: %d posts published, %d unchanged, %d refused, %d withdrawn "
                          "(outbox %s)",
                          (unsigned long)run.published_n),
                 run.published_n, run.unchanged, run.refused, run.withdrawn, s->outbox);
    igp_error_clear(); /* each refusal has had its line: main must not repeat one */
    {
        json_t *doc = json_pack("{s:i, s:O}", "version", 1, "posts", run.published);
        ret = igp_json_save(published_path, doc);
        json_decref(doc);
    }
    if (ret == 0)
        ret = run.refused ? IGP_ERR_INVALIDDATA : 0;
    if (s->result)
        *s->result = publish_result(&run);
out:
    json_decref(run.outcome);
    json_decref(run.published);
    json_decref(run.verify);
    json_decref(approvals);
    json_decref(state);
    g_ptr_array_free(run.unapproved, TRUE);
    igp_config_clear(&run.config);
    g_free(published_path);
    g_free(approvals_path);
    g_free(verify_path);
    return ret;
}

int igp_publish_outbox(const IgpPublishSettings *s)
{
    int lock, ret;

    if (!s->outbox || !*s->outbox)
        return igp_error(IGP_ERR_INVALIDDATA, "publish", _("say where posts go with --outbox DIR"));
    if (!g_file_test(s->out_dir, G_FILE_TEST_IS_DIR))
        return igp_error(IGP_ERR(ENOENT), s->out_dir, _("no such folder"));
    lock = igp_out_lock(s->out_dir);
    if (lock < 0)
        return lock;
    ret = publish_locked(s);
    close(lock);
    return ret;
}
