/* approve: record who approved which post, when, and the exact bytes
 * approved; and the checks proof and publish share with it. */
#include "publish.h"
#include "checks.h"
#include "stage.h"
#include "log.h"

#include "error.h"
#include "fsutil.h"
#include "jsonpos.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

int igp_out_lock(const char *out_dir)
{
    char *state = g_build_filename(out_dir, "state", "encode.json", NULL);
    int is_run = g_file_test(state, G_FILE_TEST_IS_REGULAR);

    g_free(state);
    /* Leave no lock file behind in a folder that is not a run's. */
    if (!is_run)
        return igp_error(
            IGP_ERR_INVALIDDATA, out_dir,
            "not an igprep output folder (no state/encode.json): run igprep run first");
    return igp_lock_folder(out_dir);
}

json_t *igp_json_load_optional(const char *path, int *missing)
{
    json_error_t jerr;
    json_t *doc;

    *missing = !g_file_test(path, G_FILE_TEST_EXISTS);
    if (*missing)
        return NULL;
    doc = json_load_file(path, 0, &jerr);
    if (!doc)
        igp_error(IGP_ERR_INVALIDDATA, path, "%d:%d: %s", jerr.line, jerr.column, jerr.text);
    return doc;
}

json_t *igp_encode_state_load(const char *out_dir)
{
    char *path = g_build_filename(out_dir, "state", "encode.json", NULL);
    int missing;
    json_t *state = igp_json_load_optional(path, &missing);

    if (missing)
        igp_error(IGP_ERR_INVALIDDATA, out_dir,
                  "not an igprep output folder (no state/encode.json): run igprep run first");
    else if (state && (!json_is_object(json_object_get(state, "posts")) ||
                       !json_is_string(json_object_get(state, "shoot")))) {
        igp_error(IGP_ERR_INVALIDDATA, path, "not an encode state (no \"shoot\" or \"posts\")");
        json_decref(state);
        state = NULL;
    }
    g_free(path);
    return state;
}

/* The failed checks of one verify.json file entry, each in verify's words
 * (what is wrong, what to do), separated by " / ". */
static void append_failed_checks(GString *why, json_t *entry)
{
    json_t *c;
    size_t i, n = 0;

    json_array_foreach(json_object_get(entry, "checks"), i, c)
    {
        if (json_is_true(json_object_get(c, "ok")))
            continue;
        char *sentence = igp_check_sentence(c);
        g_string_append_printf(why, "%s%s", n++ ? " / " : "", sentence);
        g_free(sentence);
    }
}

static void add_reason(GString *why, const char *file, const char *reason, json_t *entry)
{
    if (!why)
        return;
    g_string_append_printf(why, "%s%s: ", why->len ? "; " : "", file);
    if (entry)
        append_failed_checks(why, entry);
    else
        g_string_append(why, reason);
}

int igp_post_passes_verify(json_t *verify, const char *post_id, json_t *files, GString *why)
{
    json_t *f, *entry;
    size_t i, j;
    char *prefix = g_strdup_printf("posts/%s/", post_id);
    int ok = 1;

    json_array_foreach(files, i, f)
    {
        const char *path = json_string_value(json_object_get(f, "path"));
        json_t *found = NULL;
        json_array_foreach(json_object_get(verify, "files"), j, entry)
        {
            const char *file = json_string_value(json_object_get(entry, "file"));
            if (file && path && !strcmp(file, path))
                found = entry;
        }
        if (!found || !json_is_true(json_object_get(found, "ok"))) {
            ok = 0;
            add_reason(why, path ? path : "?", verify ? "not verified" : "no verify report", found);
        }
    }
    /* A file verify found in the post's folder that igprep did not make
     * means someone has been at the folder: do not vouch for it. */
    json_array_foreach(json_object_get(verify, "files"), j, entry)
    {
        const char *file = json_string_value(json_object_get(entry, "file"));
        if (file && g_str_has_prefix(file, prefix) && !json_object_get(entry, "post") &&
            !json_is_true(json_object_get(entry, "ok"))) {
            ok = 0;
            add_reason(why, file, "not made by igprep", NULL);
        }
    }
    g_free(prefix);
    return ok;
}

/* Modification time in nanoseconds, or -1. */
static int64_t mtime_ns(const char *path)
{
    struct stat st;

    if (stat(path, &st) != 0)
        return -1;
    return (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
}

int igp_verify_report_is_current(const char *out_dir)
{
    char *report = g_build_filename(out_dir, "reports", "verify.json", NULL);
    char *state = g_build_filename(out_dir, "state", "encode.json", NULL);
    int64_t verified = mtime_ns(report), encoded = mtime_ns(state);

    g_free(state);
    g_free(report);
    return verified >= 0 && verified >= encoded;
}

int igp_post_files_match(const char *out_dir, json_t *files, GString *changed)
{
    json_t *f;
    size_t i;
    int ok = 1;

    json_array_foreach(files, i, f)
    {
        const char *rel = json_string_value(json_object_get(f, "path"));
        const char *want = json_string_value(json_object_get(f, "sha256"));
        char *path = g_build_filename(out_dir, rel ? rel : "", NULL);
        IgpDigest d;
        int same = rel && want && igp_hash_file(path, &d) == 0 && !strcmp(d.hex, want);

        igp_error_clear(); /* a missing file is reported as changed, below */
        if (!same) {
            ok = 0;
            if (changed)
                g_string_append_printf(changed, "%s%s", changed->len ? ", " : "", rel ? rel : "?");
        }
        g_free(path);
    }
    return ok;
}

int igp_now_iso8601(char *out, size_t len)
{
    const char *fixed = getenv("IGP_NOW");
    GDateTime *t, *utc;
    char *s;

    if (fixed && *fixed) {
        GTimeZone *z = g_time_zone_new_utc();
        t = g_date_time_new_from_iso8601(fixed, z); /* zone-less times are UTC */
        g_time_zone_unref(z);
        if (!t)
            return igp_error(IGP_ERR_INVALIDDATA, "IGP_NOW",
                             "'%s' is not an ISO 8601 date and time", fixed);
    } else {
        t = g_date_time_new_now_utc();
    }
    utc = g_date_time_to_utc(t);
    s = g_date_time_format(utc, "%Y-%m-%dT%H:%M:%SZ");
    g_strlcpy(out, s, len);
    g_free(s);
    g_date_time_unref(utc);
    g_date_time_unref(t);
    return 0;
}

/* Characters that may continue a hashtag: letters (any script), digits, '_'. */
static int is_tag_char(gunichar c)
{
    return g_unichar_isalnum(c) || c == '_' || g_unichar_type(c) == G_UNICODE_OTHER_LETTER;
}

int igp_count_hashtags(const char *caption)
{
    gunichar prev = ' ';
    int n = 0;

    for (const char *p = caption; p && *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        const char *next = g_utf8_next_char(p);
        if ((c == '#' || c == 0xFF03) && !is_tag_char(prev) && prev != '#' && *next &&
            is_tag_char(g_utf8_get_char(next)))
            n++;
        prev = c;
    }
    return n;
}

/* ---- approvals.json ---- */

/* What an approval entry lacks, or NULL: its post, who and when as strings,
 * and the files as [{"path", "sha256"}]. */
static const char *approval_lacks(json_t *a, const char **key)
{
    static const char *const strings[] = {"post", "by", "at"};
    json_t *files = json_object_get(a, "files"), *f;
    size_t i;

    if (!json_is_object(a))
        return *key = NULL, "is not an object";
    for (size_t k = 0; k < G_N_ELEMENTS(strings); k++)
        if (!json_is_string(json_object_get(a, strings[k])))
            return *key = strings[k], "string";
    *key = "files";
    if (!json_is_array(files))
        return "list";
    json_array_foreach(files, i, f)
    {
        if (!json_is_string(json_object_get(f, "path")) ||
            !json_is_string(json_object_get(f, "sha256")))
            return "list of {\"path\", \"sha256\"}";
    }
    return NULL;
}

int igp_approvals_check(const char *path, json_t *doc)
{
    json_t *a;
    size_t i;

    if (json_integer_value(json_object_get(doc, "version")) != IGP_APPROVALS_VERSION ||
        !json_is_array(json_object_get(doc, "approvals")))
        return igp_error(IGP_ERR_INVALIDDATA, path,
                         "not an approvals file of version %d (\"version\", \"approvals\")",
                         IGP_APPROVALS_VERSION);
    json_array_foreach(json_object_get(doc, "approvals"), i, a)
    {
        const char *key, *lacks = approval_lacks(a, &key);
        const char *post = json_string_value(json_object_get(a, "post"));
        char *text = NULL, *pointer = g_strdup_printf("/approvals/%zu", i), *what;
        gsize len = 0;
        int ret;

        if (!lacks) {
            g_free(pointer);
            continue;
        }
        what = key ? g_strdup_printf("has no \"%s\" %s", key, lacks) : g_strdup(lacks);
        /* Read again for the line and column: only when there is a mistake. */
        g_file_get_contents(path, &text, &len, NULL);
        ret = igp_json_error_at(path, text ? text : "", len, pointer,
                                "malformed approvals file: entry %zu%s%s%s %s; fix or remove it",
                                i + 1, post ? " (post '" : "", post ? post : "", post ? "')" : "",
                                what);
        g_free(what);
        g_free(text);
        g_free(pointer);
        return ret;
    }
    return 0;
}

static json_t *approvals_load(const char *path)
{
    int missing;
    json_t *doc = igp_json_load_optional(path, &missing);

    if (missing)
        return json_pack("{s:i, s:[]}", "version", IGP_APPROVALS_VERSION, "approvals");
    if (!doc)
        return NULL;
    if (igp_approvals_check(path, doc)) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

static char *known_post_ids(json_t *posts)
{
    GString *ids = g_string_new(NULL);
    const char *id;
    json_t *entry;

    int n = 0;

    json_object_foreach(posts, id, entry)
    {
        if (n++ < 10) /* one line, however many posts */
            g_string_append_printf(ids, "%s%s", ids->len ? ", " : "", id);
    }
    if (n > 10)
        g_string_append_printf(ids, " and %d more", n - 10);
    return g_string_free(ids, FALSE);
}

/* Why this post cannot be approved now, or 0 when it can. */
static int check_approvable(const IgpApproveSettings *s, json_t *posts, json_t *verify)
{
    json_t *entry = json_object_get(posts, s->post_id);
    json_t *files = json_object_get(entry, "files");
    GString *why = g_string_new(NULL);
    int ret = 0;

    if (!entry) {
        char *ids = known_post_ids(posts);
        ret = igp_error(IGP_ERR_INVALIDDATA, "approve", "no post '%s' in %s (its posts: %s)",
                        s->post_id, s->out_dir, ids);
        g_free(ids);
    } else if (json_object_get(entry, "error")) {
        ret = igp_error(IGP_ERR_INVALIDDATA, "approve", "post '%s' was not made: %s", s->post_id,
                        json_string_value(json_object_get(entry, "error")));
    } else if (json_array_size(files) == 0) {
        ret = igp_error(IGP_ERR_INVALIDDATA, "approve", "post '%s' has no files", s->post_id);
    } else if (!igp_post_files_match(s->out_dir, files, why)) {
        ret = igp_error(IGP_ERR_INVALIDDATA, "approve",
                        "post '%s' not approved: %s changed since igprep made it; "
                        "run igprep run again",
                        s->post_id, why->str);
    } else if (!igp_verify_report_is_current(s->out_dir)) {
        ret = igp_error(IGP_ERR_INVALIDDATA, "approve",
                        "post '%s' not approved: reports/verify.json is missing or older than "
                        "the posts; run igprep verify %s first",
                        s->post_id, s->out_dir);
    } else if (!igp_post_passes_verify(verify, s->post_id, files, why)) {
        ret = igp_error(IGP_ERR_INVALIDDATA, "approve",
                        "post '%s' not approved: it fails verify (%s)", s->post_id, why->str);
    }
    g_string_free(why, TRUE);
    return ret;
}

/* Did @p verify judge these very bytes? verify records the SHA-256 of each
 * post file it read; a report made before a file was changed (and changed
 * back), or without hashes, speaks of other bytes. */
static int verify_judged(json_t *verify, json_t *files)
{
    json_t *f, *entry;
    size_t i, j;

    json_array_foreach(files, i, f)
    {
        const char *path = json_string_value(json_object_get(f, "path"));
        const char *sha = NULL;
        json_array_foreach(json_object_get(verify, "files"), j, entry)
        {
            if (path && !g_strcmp0(json_string_value(json_object_get(entry, "file")), path))
                sha = json_string_value(json_object_get(entry, "sha256"));
        }
        if (!sha || g_strcmp0(sha, json_string_value(json_object_get(f, "sha256"))))
            return 0;
    }
    return 1;
}

/* When the report speaks of other bytes than the post's files now, verify
 * OUT again (as publish does), rather than judge a file by its past. */
static json_t *fresh_verify(const IgpApproveSettings *s, json_t *posts, json_t *verify,
                            const char *verify_path)
{
    json_t *entry = json_object_get(posts, s->post_id), *files = json_object_get(entry, "files");
    IgpVerifySettings v = {.out_dir = s->out_dir, .quiet = 1};
    int missing;

    if (!verify || !igp_verify_report_is_current(s->out_dir) || json_array_size(files) == 0 ||
        verify_judged(verify, files) || !igp_post_files_match(s->out_dir, files, NULL))
        return verify; /* refused (or approved) below on its own terms */
    json_decref(verify);
    igp_verify(&v); /* a file that fails is named by verify, and refused below */
    igp_error_clear();
    return igp_json_load_optional(verify_path, &missing);
}

static json_t *approval_files(json_t *files)
{
    json_t *out = json_array(), *f;
    size_t i;

    json_array_foreach(files, i, f)
        json_array_append_new(out, json_pack("{s:O, s:O}", "path", json_object_get(f, "path"),
                                             "sha256", json_object_get(f, "sha256")));
    return out;
}

static int approve_locked(const IgpApproveSettings *s)
{
    char *verify_path = g_build_filename(s->out_dir, "reports", "verify.json", NULL);
    char *approvals_path = g_build_filename(s->out_dir, IGP_APPROVALS_NAME, NULL);
    json_t *state = igp_encode_state_load(s->out_dir), *verify = NULL, *approvals = NULL;
    char at[64];
    int missing, ret = state ? 0 : IGP_ERR_INVALIDDATA;

    if (ret == 0) {
        verify = igp_json_load_optional(verify_path, &missing);
        if (!verify && !missing)
            ret = IGP_ERR_INVALIDDATA;
    }
    if (ret == 0) {
        verify = fresh_verify(s, json_object_get(state, "posts"), verify, verify_path);
        ret = check_approvable(s, json_object_get(state, "posts"), verify);
    }
    if (ret == 0)
        ret = igp_now_iso8601(at, sizeof(at));
    if (ret == 0 && !(approvals = approvals_load(approvals_path)))
        ret = IGP_ERR_INVALIDDATA;
    if (ret == 0) {
        json_t *files =
            json_object_get(json_object_get(json_object_get(state, "posts"), s->post_id), "files");
        json_t *a = json_pack("{s:s, s:s, s:s, s:o}", "post", s->post_id, "by", s->by, "at", at,
                              "files", approval_files(files));
        if (s->note)
            json_object_set_new(a, "note", json_string(s->note));
        json_array_append_new(json_object_get(approvals, "approvals"), a);
        ret = igp_json_save(approvals_path, approvals);
    }
    if (ret == 0)
        igp_log_note("approve: post '%s' approved by %s at %s", s->post_id, s->by, at);
    json_decref(approvals);
    json_decref(verify);
    json_decref(state);
    g_free(approvals_path);
    g_free(verify_path);
    return ret;
}

int igp_approve(const IgpApproveSettings *s)
{
    int lock, ret;

    if (!s->by || !*s->by)
        return igp_error(IGP_ERR_INVALIDDATA, "approve", "say who approves with --by NAME");
    if (!g_utf8_validate(s->by, -1, NULL) || (s->note && !g_utf8_validate(s->note, -1, NULL)))
        return igp_error(IGP_ERR_INVALIDDATA, "approve", "--by and --note must be UTF-8 text");
    if (!g_file_test(s->out_dir, G_FILE_TEST_IS_DIR))
        return igp_error(IGP_ERR(ENOENT), s->out_dir, "no such folder");
    lock = igp_out_lock(s->out_dir);
    if (lock < 0)
        return lock;
    ret = approve_locked(s);
    close(lock);
    return ret;
}
