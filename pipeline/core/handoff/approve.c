/* approve: record who approved which post, when, and the exact bytes
 * approved; and the checks proof and publish share with it. */
#include "publish.h"
#include "checks.h"
#include "stage.h"
#include "log.h"

#include "error.h"
#include "i18n.h"
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
            _("not an igprep output folder (no state/encode.json): run igprep run first"));
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
                  _("not an igprep output folder (no state/encode.json): run igprep run first"));
    else if (state && (!json_is_object(json_object_get(state, "posts")) ||
                       !json_is_string(json_object_get(state, "shoot")))) {
        igp_error(IGP_ERR_INVALIDDATA, path, _("not an encode state (no \"shoot\" or \"posts\")"));
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
            add_reason(why, path ? path : "?", verify ? _("not verified") : _("no verify report"),
                       found);
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
            add_reason(why, file, _("not made by igprep"), NULL);
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
        return *key = NULL, _("is not an object");
    for (size_t k = 0; k < G_N_ELEMENTS(strings); k++)
        if (!json_is_string(json_object_get(a, strings[k])))
            return *key = strings[k], _("string");
    *key = "files";
    if (!json_is_array(files))
        return _("list");
    json_array_foreach(files, i, f)
    {
        if (!json_is_string(json_object_get(f, "path")) ||
            !json_is_string(json_object_get(f, "sha256")))
            return _("list of {\"path\", \"sha256\"}");
    }
    return NULL;
}

int igp_approvals_check(const char *path, json_t *doc)
{
    json_int_t version = json_integer_value(json_object_get(doc, "version"));
    json_t *a;
    size_t i;

    /* Version 1 approvals recorded the files only: they are read, and
     * publish asks for them to be given again (approval_is_current). */
    if ((version != 1 && version != IGP_APPROVALS_VERSION) ||
        !json_is_array(json_object_get(doc, "approvals")))
        return igp_error(IGP_ERR_INVALIDDATA, path,
                         _("not an approvals file of version %d (\"version\", \"approvals\")"),
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
        what = key ? g_strdup_printf(_("has no \"%s\" %s"), key, lacks) : g_strdup(lacks);
        /* Read again for the line and column: only when there is a mistake. */
        g_file_get_contents(path, &text, &len, NULL);
        ret = igp_json_error_at(path, text ? text : "", len, pointer,
                                post ? _("malformed approvals file: entry %zu (post '%s') %s; fix "
                                         "or remove it")
                                     : _("malformed approvals file: entry %zu%s %s; fix or remove "
                                         "it"),
                                i + 1, post ? post : "", what);
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
    json_object_set_new(doc, "version", json_integer(IGP_APPROVALS_VERSION));
    return doc;
}

json_t *igp_latest_approval(json_t *approvals, const char *post_id)
{
    json_t *a, *latest = NULL;
    size_t i;

    json_array_foreach(approvals, i, a)
    {
        const char *p = json_string_value(json_object_get(a, "post"));
        if (p && !strcmp(p, post_id))
            latest = a;
    }
    return latest;
}

int igp_out_config_load(const char *out_dir, IgpConfig *cfg)
{
    char *path = g_build_filename(out_dir, "state", "ingest.json", NULL);
    json_t *ingest = json_load_file(path, 0, NULL);
    const char *shoot_dir = json_string_value(json_object_get(ingest, "shoot_dir"));
    int ret = igp_config_load(shoot_dir, out_dir, cfg);

    json_decref(ingest);
    g_free(path);
    return ret;
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
        g_string_append_printf(ids, _(" and %d more"), n - 10);
    return g_string_free(ids, FALSE);
}

/* ---- approve ---- */

/* What one approve command shares between its posts. */
typedef struct ApproveRun {
    const IgpApproveSettings *settings;
    IgpConfig config;
    const IgpApprover *approver;
    json_t *state, *posts, *verify, *approvals;
    json_t *proof;   ///< the proof record approved (--proof), or NULL
    char at[64];     ///< the real clock, in the account's zone
    char *stated_at; ///< --at, normalised, or NULL
    int approved, refused;
    json_t *outcome; ///< [{"id", "status", ...}]: what --json's result lists
} ApproveRun;

static json_t *file_names(json_t *files)
{
    json_t *names = json_array(), *f;
    size_t i;

    json_array_foreach(files, i, f) json_array_append(names, json_object_get(f, "path"));
    return names;
}

/* An event of the audit log: who, when, what. */
static json_t *audit_event(const ApproveRun *run, const char *event, const char *post)
{
    const IgpApproveSettings *s = run->settings;
    json_t *e = json_pack("{s:s, s:s, s:s, s:s?}", "event", event, "at", run->at, "by", s->by,
                          "role", run->approver ? run->approver->role : NULL);

    if (post)
        json_object_set_new(e, "post", json_string(post));
    if (run->stated_at)
        json_object_set_new(e, "stated_at", json_string(run->stated_at));
    if (run->proof)
        json_object_set(e, "proof", json_object_get(run->proof, "digest"));
    return e;
}

/* Record a refusal: one line on stderr, one in the audit log. */
static void refuse(ApproveRun *run, const char *post, const char *why)
{
    json_t *e = audit_event(run, "approve-refused", post);

    igp_log_error_kind("approve-refused", json_pack("{s:s?}", "post", post), "%s", why);
    json_array_append_new(
        run->outcome, json_pack("{s:s?, s:s, s:s}", "id", post, "status", "refused", "why", why));
    json_object_set_new(e, "why", json_string(why));
    if (igp_audit_append(run->settings->out_dir, e))
        igp_log_error("%s", igp_error_buffer());
    json_decref(e);
    run->refused++;
}

/* Why this post cannot be approved now, or 0 when it can. */
static int check_approvable(const ApproveRun *run, const char *id)
{
    const char *out_dir = run->settings->out_dir;
    json_t *entry = json_object_get(run->posts, id);
    json_t *files = json_object_get(entry, "files");
    GString *why = g_string_new(NULL);
    int ret = 0;

    if (!entry) {
        char *ids = known_post_ids(run->posts);
        ret = igp_error(IGP_ERR_INVALIDDATA, "approve", _("no post '%s' in %s (its posts: %s)"), id,
                        out_dir, ids);
        g_free(ids);
    } else if (json_object_get(entry, "error")) {
        ret = igp_error(IGP_ERR_INVALIDDATA, "approve", _("post '%s' was not made: %s"), id,
                        json_string_value(json_object_get(entry, "error")));
    } else if (json_array_size(files) == 0) {
        ret = igp_error(IGP_ERR_INVALIDDATA, "approve", _("post '%s' has no files"), id);
    } else if (!igp_post_files_match(out_dir, files, why)) {
        ret = igp_error(IGP_ERR_INVALIDDATA, "approve",
                        _("post '%s' not approved: %s changed since igprep made it; "
                          "run igprep run again"),
                        id, why->str);
    } else if (!igp_verify_report_is_current(out_dir)) {
        ret = igp_error(IGP_ERR_INVALIDDATA, "approve",
                        _("post '%s' not approved: reports/verify.json is missing or older than "
                          "the posts; run igprep verify %s first"),
                        id, out_dir);
    } else if (!igp_post_passes_verify(run->verify, id, files, why)) {
        ret = igp_error(IGP_ERR_INVALIDDATA, "approve",
                        _("post '%s' not approved: it fails verify (%s)"), id, why->str);
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

/* When the report speaks of other bytes than a post's files now, verify
 * OUT again (as publish does), rather than judge a file by its past. */
static void fresh_verify(ApproveRun *run, GPtrArray *ids, const char *verify_path)
{
    IgpVerifySettings v = {.out_dir = run->settings->out_dir, .quiet = 1};
    int missing, stale = 0;

    if (!run->verify || !igp_verify_report_is_current(run->settings->out_dir))
        return; /* refused below on its own terms */
    for (guint i = 0; i < ids->len; i++) {
        json_t *files = json_object_get(json_object_get(run->posts, ids->pdata[i]), "files");
        stale |= json_array_size(files) > 0 && !verify_judged(run->verify, files) &&
                 igp_post_files_match(run->settings->out_dir, files, NULL);
    }
    if (!stale)
        return;
    json_decref(run->verify);
    igp_verify(&v); /* a file that fails is named by verify, and refused below */
    igp_error_clear();
    run->verify = igp_json_load_optional(verify_path, &missing);
    igp_error_clear();
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

/* The page of @p id in the approved proof, or NULL. */
static json_t *proof_page(const ApproveRun *run, const char *id)
{
    json_t *p;
    size_t i;

    json_array_foreach(json_object_get(run->proof, "posts"), i, p)
    {
        if (!g_strcmp0(json_string_value(json_object_get(p, "id")), id))
            return p;
    }
    return NULL;
}

/* Returns 1 when the post was approved, 0 when it was refused. */
static int approve_post(ApproveRun *run, const char *id)
{
    const IgpApproveSettings *s = run->settings;
    json_t *content, *page = proof_page(run, id), *files, *a, *e;
    char digest[65], *why;

    if (check_approvable(run, id)) {
        why = g_strdup(igp_error_buffer());
        igp_error_clear();
        refuse(run, id, why);
        g_free(why);
        return 0;
    }
    content = igp_post_content(run->posts, id);
    igp_content_digest(content, digest);
    if (page && g_strcmp0(json_string_value(json_object_get(page, "digest")), digest)) {
        GString *diff = g_string_new(NULL);
        igp_content_diff(json_object_get(page, "content"), content, diff);
        why = g_strdup_printf(_("approve: post '%s' not approved: it changed since proof %s (%s); "
                                "make a new proof"),
                              id, s->proof, diff->str);
        g_string_free(diff, TRUE);
        refuse(run, id, why);
        g_free(why);
        json_decref(content);
        return 0;
    }
    files = json_object_get(json_object_get(run->posts, id), "files");
    a = json_pack("{s:s, s:s, s:s?, s:s, s:s?, s:s?, s:s, s:O?, s:o, s:o}", "post", id, "by", s->by,
                  "role", run->approver->role, "at", run->at, "stated_at", run->stated_at, "note",
                  s->note, "digest", digest, "proof", json_object_get(run->proof, "digest"),
                  "files", approval_files(files), "content", content);
    e = audit_event(run, "approve", id);
    json_object_set_new(e, "digest", json_string(digest));
    json_object_set_new(e, "files", file_names(files));
    if (s->note)
        json_object_set_new(e, "note", json_string(s->note));
    /* No approval that the audit log does not record. */
    if (igp_audit_append(s->out_dir, e)) {
        why = g_strdup_printf(_("approve: post '%s' not approved: %s"), id, igp_error_buffer());
        igp_error_clear();
        igp_log_error_kind("approve-refused", json_pack("{s:s}", "post", id), "%s", why);
        json_array_append_new(
            run->outcome, json_pack("{s:s, s:s, s:s}", "id", id, "status", "refused", "why", why));
        g_free(why);
        run->refused++;
        json_decref(e);
        json_decref(a);
        return 0;
    }
    json_decref(e);
    json_array_append_new(json_object_get(run->approvals, "approvals"), a);
    igp_log_note(_("approve: post '%s' approved by %s at %s (digest %.*s)"), id, s->by, run->at,
                 IGP_SHORT_DIGEST, digest);
    json_array_append_new(run->outcome, json_pack("{s:s, s:s, s:s}", "id", id, "status", "approved",
                                                  "digest", digest));
    run->approved++;
    return 1;
}

static void add_unique(GPtrArray *ids, const char *id)
{
    if (!g_ptr_array_find_with_equal_func(ids, id, g_str_equal, NULL))
        g_ptr_array_add(ids, g_strdup(id));
}

static int named(const IgpApproveSettings *s, const char *id)
{
    for (int i = 0; s->post_ids && s->post_ids[i]; i++)
        if (!strcmp(s->post_ids[i], id))
            return 1;
    return 0;
}

/* A next-day story that comes with its named parent is approved only when
 * the parent is (@p approved holds this command's approved ids): the city
 * sees the story on its parent's page. */
static void approve_with_parent(ApproveRun *run, const char *id, GHashTable *approved)
{
    char *parent = igp_story_parent(run->posts, id);
    int with_parent = parent && !named(run->settings, id) && named(run->settings, parent);

    if (with_parent && !g_hash_table_contains(approved, parent)) {
        char *why = g_strdup_printf(
            _("approve: post '%s' not approved: it follows '%s', which was not"), id, parent);
        refuse(run, id, why);
        g_free(why);
    } else if (approve_post(run, id)) {
        g_hash_table_add(approved, (gpointer)id);
    }
    g_free(parent);
}

/* The posts this command approves, in order: those of the proof, every
 * post (--all), or those named, each with its next-day story unless the
 * story is named on its own. */
static GPtrArray *selected_posts(const ApproveRun *run)
{
    const IgpApproveSettings *s = run->settings;
    GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
    const char *id;
    json_t *entry, *p;
    size_t i;

    if (run->proof) {
        json_array_foreach(json_object_get(run->proof, "posts"), i, p)
            add_unique(ids, json_string_value(json_object_get(p, "id")));
    } else if (s->all) {
        json_object_foreach(run->posts, id, entry) add_unique(ids, id);
    }
    for (int k = 0; s->post_ids && s->post_ids[k]; k++) {
        char *story = igp_story_id(run->posts, s->post_ids[k]);
        add_unique(ids, s->post_ids[k]);
        if (story && !named(s, story))
            add_unique(ids, story);
        g_free(story);
    }
    return ids;
}

/* The proof record whose digest is @p digest, from OUT/state/proofs.json. */
static int find_proof(ApproveRun *run)
{
    const char *want = run->settings->proof;
    json_t *record = igp_proof_record_find(run->settings->out_dir, want);

    if (!record)
        return igp_error(IGP_ERR_INVALIDDATA, "approve",
                         _("no proof %s of %s (state/proofs.json lists the proofs made; run "
                           "igprep proof %s and give the digest it shows)"),
                         want, run->settings->out_dir, run->settings->out_dir);
    run->proof = record;
    return 0;
}

static int check_approver(ApproveRun *run)
{
    const IgpApproveSettings *s = run->settings;
    char *why;

    run->approver = igp_config_find_approver(&run->config, s->by);
    if (run->approver)
        return 0;
    if (run->config.n_approvers == 0)
        why = g_strdup_printf(_("approve: '%s' is not an approver: no approvers are named in "
                                "igprep.json (%s); add {\"approvers\": [{\"name\": ..., \"role\": "
                                "\"city\"}]} to the shoot folder's igprep.json"),
                              s->by, run->config.path ? run->config.path : _("none found"));
    else {
        GString *names = g_string_new(NULL);
        for (size_t i = 0; i < run->config.n_approvers; i++)
            g_string_append_printf(names, "%s%s", i ? ", " : "", run->config.approvers[i].name);
        why = g_strdup_printf(_("approve: '%s' is not an approver named in %s (approvers: %s)"),
                              s->by, run->config.path, names->str);
        g_string_free(names, TRUE);
    }
    refuse(run, NULL, why);
    g_free(why);
    return IGP_ERR_INVALIDDATA;
}

static int read_stated_time(ApproveRun *run)
{
    GDateTime *t;

    if (!run->settings->at)
        return 0;
    /* A time without an offset is the account's local time. */
    t = g_date_time_new_from_iso8601(run->settings->at, run->config.zone);
    if (!t) { /* "2026-12-05T09:30": GLib wants the seconds */
        char *with_seconds = g_strconcat(run->settings->at, ":00", NULL);
        if (strlen(run->settings->at) == 16)
            t = g_date_time_new_from_iso8601(with_seconds, run->config.zone);
        g_free(with_seconds);
    }
    if (!t)
        return igp_error(IGP_ERR_USAGE, "approve",
                         _("--at '%s' is not an ISO 8601 date and time (e.g. 2026-12-05T09:30:00)"),
                         run->settings->at);
    run->stated_at = g_date_time_format(t, "%Y-%m-%dT%H:%M:%S%:z");
    g_date_time_unref(t);
    return 0;
}

static int approve_locked(ApproveRun *run)
{
    const IgpApproveSettings *s = run->settings;
    char *verify_path = g_build_filename(s->out_dir, "reports", "verify.json", NULL);
    char *approvals_path = g_build_filename(s->out_dir, IGP_APPROVALS_NAME, NULL);
    GPtrArray *ids = NULL;
    GHashTable *approved = NULL;
    int missing, ret;

    if ((ret = igp_out_config_load(s->out_dir, &run->config)))
        goto out;
    igp_now_in_zone(run->config.zone, run->at, sizeof(run->at));
    if ((ret = read_stated_time(run)) || (ret = check_approver(run)))
        goto out;
    if (!(run->state = igp_encode_state_load(s->out_dir)) ||
        !(run->approvals = approvals_load(approvals_path))) {
        ret = IGP_ERR_INVALIDDATA;
        goto out;
    }
    run->posts = json_object_get(run->state, "posts");
    if (s->proof && (ret = find_proof(run)))
        goto out;
    run->verify = igp_json_load_optional(verify_path, &missing);
    if (!run->verify && !missing) {
        ret = IGP_ERR_INVALIDDATA;
        goto out;
    }
    ids = selected_posts(run);
    approved = g_hash_table_new(g_str_hash, g_str_equal);
    fresh_verify(run, ids, verify_path);
    for (guint i = 0; i < ids->len; i++)
        approve_with_parent(run, ids->pdata[i], approved);
    if (run->approved > 0 && (ret = igp_json_save(approvals_path, run->approvals)))
        goto out;
    if (run->refused)
        ret = IGP_ERR_INVALIDDATA; /* each refusal has had its line */
out:
    if (approved)
        g_hash_table_destroy(approved);
    if (ids)
        g_ptr_array_free(ids, TRUE);
    g_free(approvals_path);
    g_free(verify_path);
    return ret;
}

int igp_approve(const IgpApproveSettings *s)
{
    ApproveRun run = {.settings = s};
    int lock, ret;

    if (!s->by || !*s->by)
        return igp_error(IGP_ERR_INVALIDDATA, "approve", _("say who approves with --by NAME"));
    if (!g_utf8_validate(s->by, -1, NULL) || (s->note && !g_utf8_validate(s->note, -1, NULL)))
        return igp_error(IGP_ERR_INVALIDDATA, "approve", _("--by and --note must be UTF-8 text"));
    if (!s->proof && !s->all && !(s->post_ids && s->post_ids[0]))
        return igp_error(IGP_ERR_USAGE, "approve",
                         _("say which posts: --proof DIGEST, --all, or post ids"));
    if (!g_file_test(s->out_dir, G_FILE_TEST_IS_DIR))
        return igp_error(IGP_ERR(ENOENT), s->out_dir, _("no such folder"));
    lock = igp_out_lock(s->out_dir);
    if (lock < 0)
        return lock;
    run.outcome = json_array();
    ret = approve_locked(&run);
    close(lock);
    if (s->result)
        *s->result = json_pack("{s:s, s:O?, s:i, s:i, s:O}", "by", s->by, "proof",
                               json_object_get(run.proof, "digest"), "approved", run.approved,
                               "refused", run.refused, "posts", run.outcome);
    json_decref(run.outcome);
    json_decref(run.proof);
    json_decref(run.approvals);
    json_decref(run.verify);
    json_decref(run.state);
    g_free(run.stated_at);
    igp_config_clear(&run.config);
    if (ret && (run.refused || run.approved))
        igp_error_clear(); /* the refusals are printed: main must not repeat one */
    return ret;
}
