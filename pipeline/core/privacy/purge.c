/* purge: overwrite once and unlink the working copies that carry unhidden
 * faces, fsync their folders, and report it. The plan is written before the
 * first file goes, so a killed purge, run again, finishes the same plan and
 * reports every file of it. docs/privacy.md. */
#include "privacy.h"
#include "log.h"
#include "publish.h"

#include "error.h"
#include "i18n.h"
#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define JOURNAL_NAME    "purge.json"
#define JOURNAL_VERSION 1
#define ZERO_CHUNK      (1 << 20)

/* ---- refusing while a post is approved but not published ---- */

static gint compare_strings(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The ids whose latest approval is not matched by a folder in the outbox. */
static GPtrArray *approved_unpublished(const char *out_dir, const char *shoot,
                                       const IgpDelivered *d, int *bad)
{
    char *path = g_build_filename(out_dir, IGP_APPROVALS_NAME, NULL);
    int missing;
    json_t *doc = igp_json_load_optional(path, &missing), *a;
    GHashTable *latest = g_hash_table_new(g_str_hash, g_str_equal);
    GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
    GHashTableIter it;
    gpointer id, approval;
    size_t i;

    *bad = !doc && !missing;
    json_array_foreach(json_object_get(doc, "approvals"), i, a)
    {
        const char *post = json_string_value(json_object_get(a, "post"));
        if (post)
            g_hash_table_insert(latest, (char *)post, a); /* a later one supersedes */
    }
    g_hash_table_iter_init(&it, latest);
    while (g_hash_table_iter_next(&it, &id, &approval))
        if (!igp_delivered_has_post(d, shoot, id, json_object_get(approval, "files")))
            g_ptr_array_add(ids, g_strdup(id));
    g_ptr_array_sort(ids, compare_strings);
    g_hash_table_destroy(latest);
    json_decref(doc);
    g_free(path);
    return ids;
}

static int check_publication(const IgpPurgeSettings *s, const char *shoot, const IgpDelivered *d)
{
    int bad, ret = 0;
    GPtrArray *ids = approved_unpublished(s->out_dir, shoot, d, &bad);

    if (bad)
        ret = IGP_ERR_INVALIDDATA; /* approvals.json unreadable: its reason is in the buffer */
    else if (ids->len && !s->force) {
        guint n = ids->len;
        g_ptr_array_add(ids, NULL);
        char *list = g_strjoinv("', '", (char **)ids->pdata);
        const char *fmt =
            s->outbox
                ? ngettext("refusing to purge: post '%s' approved but not published to the "
                           "outbox; publish first, or purge with --force",
                           "refusing to purge: posts '%s' approved but not published to the "
                           "outbox; publish first, or purge with --force",
                           n)
                : ngettext("refusing to purge: post '%s' approved but not published (no --outbox "
                           "given to check); publish first, or purge with --force",
                           "refusing to purge: posts '%s' approved but not published (no "
                           "--outbox given to check); publish first, or purge with --force",
                           n);
        ret = igp_error(IGP_ERR_POLICY, s->out_dir, fmt, list);
        g_free(list);
    }
    g_ptr_array_free(ids, TRUE);
    return ret;
}

/* ---- the plan ---- */

/* A RESTRICTED originals bag holding this shoot's originals and nothing of
 * another shoot (the bag's own catalogue and contact sheet sit in data/). */
static int bag_is_only_this_shoot(const IgpInvBag *b, const char *shoot)
{
    char *prefix = g_strdup_printf("data/%s/", shoot);
    GHashTableIter it;
    gpointer path;
    int mine = 0, others = 0;

    g_hash_table_iter_init(&it, b->sha);
    while (g_hash_table_iter_next(&it, NULL, &path)) {
        if (g_str_has_prefix(path, prefix))
            mine++;
        else if (!g_str_has_prefix(path, "data/") || strchr((char *)path + 5, '/'))
            others++;
    }
    g_free(prefix);
    return mine > 0 && others == 0;
}

static void plan_add(json_t *files, const char *path, const char *abs, const char *kind,
                     IgpPdCategory c, int64_t size, const char *sha256)
{
    json_array_append_new(files,
                          json_pack("{s:s, s:s, s:s, s:s, s:I, s:s?}", "path", path, "abs", abs,
                                    "kind", kind, "category", igp_pd_category_name(c), "size",
                                    (json_int_t)size, "sha256", sha256 && *sha256 ? sha256 : NULL));
}

/* Every file of a folder bag (deepest folders last in @p folders). */
static void plan_bag_folder(json_t *files, json_t *folders, const char *dir, const char *shown)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *name;

    while (d && (name = g_dir_read_name(d))) {
        char *abs = g_build_filename(dir, name, NULL);
        char *rel = g_build_filename(shown, name, NULL);
        struct stat st;
        IgpDigest dg = {{0}};
        if (lstat(abs, &st) == 0 && S_ISDIR(st.st_mode))
            plan_bag_folder(files, folders, abs, rel);
        else {
            if (S_ISREG(st.st_mode))
                igp_hash_file(abs, &dg);
            igp_error_clear();
            plan_add(files, rel, abs, N_("restricted originals bag"), IGP_PD_FACES_UNHIDDEN,
                     st.st_size, dg.hex);
        }
        g_free(rel);
        g_free(abs);
    }
    if (d)
        g_dir_close(d);
    json_array_append_new(folders, json_string(dir));
}

static void plan_bags(json_t *files, json_t *folders, const IgpInventory *inv,
                      const IgpDelivered *d)
{
    for (guint i = 0; i < d->bags->len; i++) {
        IgpInvBag *b = d->bags->pdata[i];
        if (!b->restricted)
            continue;
        if (!bag_is_only_this_shoot(b, inv->shoot)) {
            igp_log_warning(_("purge: %s holds originals of other shoots too; it is left as it is"),
                            b->path);
            continue;
        }
        /* The report names the bag by its full path. */
        char *full = realpath(b->path, NULL);
        const char *shown = full ? full : b->path;
        if (g_file_test(b->path, G_FILE_TEST_IS_DIR))
            plan_bag_folder(files, folders, b->path, shown);
        else {
            IgpDigest dg = {{0}};
            igp_hash_file(b->path, &dg);
            igp_error_clear();
            plan_add(files, shown, b->path, N_("restricted originals bag"), IGP_PD_FACES_UNHIDDEN,
                     igp_file_size(b->path), dg.hex);
        }
        free(full);
    }
}

static json_t *make_plan(const IgpPurgeSettings *s, const IgpInventory *inv, const IgpDelivered *d)
{
    json_t *files = json_array(), *folders = json_array();

    for (guint i = 0; i < inv->files->len; i++) {
        IgpInvFile *f = inv->files->pdata[i];
        if (f->purge)
            plan_add(files, f->path, f->abs, f->kind, f->category, f->size, f->sha256);
    }
    if (!s->keep_delivered && d->archive)
        plan_bags(files, folders, inv, d);
    return json_pack("{s:i, s:s, s:b, s:o, s:o, s:s?}", "version", JOURNAL_VERSION, "shoot",
                     inv->shoot, "keep_delivered", s->keep_delivered, "files", files, "folders",
                     folders, "archive", d->archive);
}

static char *journal_path(const char *out_dir)
{
    return g_build_filename(out_dir, "state", JOURNAL_NAME, NULL);
}

static int write_journal(const char *path, json_t *plan)
{
    char *text = json_dumps(plan, JSON_INDENT(2));
    int ret = text ? igp_write_file_atomic(path, text, strlen(text))
                   : igp_error(IGP_ERR(ENOMEM), path, _("cannot serialise the purge plan"));
    free(text);
    return ret;
}

/* ---- erasing ---- */

static int zero_fill(int fd, off_t size, const char *path)
{
    char *zeros = g_malloc0(ZERO_CHUNK);
    off_t done = 0;
    int ret = 0;

    while (ret == 0 && done < size) {
        size_t n = size - done < ZERO_CHUNK ? (size_t)(size - done) : ZERO_CHUNK;
        ssize_t w = pwrite(fd, zeros, n, done);
        if (w < 0 && errno != EINTR)
            ret = igp_error(IGP_ERR(errno), path, _("cannot overwrite: %s"), strerror(errno));
        else if (w > 0)
            done += w;
    }
    if (ret == 0 && fsync(fd) != 0)
        ret = igp_error(IGP_ERR(errno), path, _("cannot fsync: %s"), strerror(errno));
    g_free(zeros);
    return ret;
}

/* Overwrite a regular file once with zeros through the file system, fsync,
 * unlink. Gone already (a killed purge's work) is fine. A file with other
 * names is only unlinked: zeroing it would change those. */
static int erase_file(const char *path)
{
    struct stat st;
    int ret = 0;

    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : igp_error(IGP_ERR(errno), path, "%s", strerror(errno));
    if (S_ISREG(st.st_mode) && st.st_nlink > 1)
        igp_log_warning(_("purge: %s has %lu other names; only this one is removed"), path,
                        (unsigned long)st.st_nlink - 1);
    else if (S_ISREG(st.st_mode)) {
        int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
            return igp_error(IGP_ERR(errno), path, _("cannot open to overwrite: %s"),
                             strerror(errno));
        ret = zero_fill(fd, st.st_size, path);
        close(fd);
    }
    if (ret == 0 && unlink(path) != 0 && errno != ENOENT)
        ret = igp_error(IGP_ERR(errno), path, _("cannot remove: %s"), strerror(errno));
    return ret;
}

static gint deeper_first(gconstpointer a, gconstpointer b)
{
    const char *x = *(char *const *)a, *y = *(char *const *)b;
    size_t lx = strlen(x), ly = strlen(y);
    return lx != ly ? (lx < ly) - (lx > ly) : strcmp(x, y);
}

/* Are these the same folder name, trailing slashes aside? */
static int same_folder(const char *a, const char *b)
{
    size_t la = strlen(a), lb = b ? strlen(b) : 0;
    while (la > 1 && a[la - 1] == '/')
        la--;
    while (lb > 1 && b[lb - 1] == '/')
        lb--;
    return b && la == lb && !strncmp(a, b, la);
}

/* Remove @p dir when empty and fsync the folder that held it, then its
 * parent in turn; fsync it when it is not empty. Never OUT or the archive
 * folder themselves, nor above them. */
static int settle_folder(const char *dir, const char *out_dir, const char *archive)
{
    char *parent;
    int ret;

    if (!g_file_test(dir, G_FILE_TEST_IS_DIR))
        return 0;
    if (same_folder(dir, out_dir) || same_folder(dir, archive) || rmdir(dir) != 0)
        return igp_fsync_path(dir);
    parent = g_path_get_dirname(dir);
    ret = settle_folder(parent, out_dir, archive);
    g_free(parent);
    return ret;
}

/* Every folder a file left, deepest first. */
static int settle_folders(GHashTable *dirs, const char *out_dir, const char *archive)
{
    GPtrArray *list = g_ptr_array_new();
    GHashTableIter it;
    gpointer dir;
    int ret = 0;

    g_hash_table_iter_init(&it, dirs);
    while (g_hash_table_iter_next(&it, &dir, NULL))
        g_ptr_array_add(list, dir);
    g_ptr_array_sort(list, deeper_first);
    for (guint i = 0; i < list->len && ret == 0; i++)
        ret = settle_folder(list->pdata[i], out_dir, archive);
    g_ptr_array_free(list, TRUE);
    return ret;
}

static int execute_plan(json_t *plan, const char *out_dir)
{
    GHashTable *dirs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    const char *delay = getenv("IGP_PURGE_DELAY_MS");
    json_t *f;
    size_t i;
    int ret = 0;

    json_array_foreach(json_object_get(plan, "files"), i, f)
    {
        const char *abs = json_string_value(json_object_get(f, "abs"));
        if (ret == 0 && abs)
            ret = erase_file(abs);
        if (abs)
            g_hash_table_add(dirs, g_path_get_dirname(abs));
        if (delay) /* tests only: time to kill a purge half-way */
            g_usleep((gulong)atoi(delay) * 1000);
    }
    json_array_foreach(json_object_get(plan, "folders"), i, f)
        g_hash_table_add(dirs, g_strdup(json_string_value(f)));
    if (ret == 0)
        ret = settle_folders(dirs, out_dir, json_string_value(json_object_get(plan, "archive")));
    g_hash_table_destroy(dirs);
    return ret;
}

/* ---- the report ---- */

static IgpPdCategory category_of(const char *name)
{
    for (int c = 0; c < IGP_PD_N_CATEGORIES; c++)
        if (!g_strcmp0(name, igp_pd_category_name(c)))
            return c;
    return IGP_PD_UNKNOWN;
}

static int report(const IgpPurgeSettings *s, json_t *plan, const char *shoot, char **pdf)
{
    json_t *files = json_object_get(plan, "files"), *f;
    IgpRemoved *removed = g_new0(IgpRemoved, json_array_size(files) + 1);
    char *abs_out = realpath(s->out_dir, NULL); /* the report names the folder in full */
    IgpDeletionReport r = {.out_dir = abs_out ? abs_out : s->out_dir, .shoot = shoot};
    IgpInventory *after = NULL;
    char *report_dir = s->report_to ? g_strdup(s->report_to) : g_path_get_dirname(s->out_dir);
    size_t i;
    int ret;

    json_array_foreach(files, i, f)
    {
        removed[i].path = json_string_value(json_object_get(f, "path"));
        removed[i].kind = json_string_value(json_object_get(f, "kind"));
        removed[i].category = category_of(json_string_value(json_object_get(f, "category")));
        removed[i].size = json_integer_value(json_object_get(f, "size"));
        removed[i].sha256 = json_string_value(json_object_get(f, "sha256"));
    }
    r.removed = removed;
    r.n_removed = json_array_size(files);
    r.keep_delivered = json_is_true(json_object_get(plan, "keep_delivered"));
    r.when = igp_privacy_now();
    /* What stays under OUT, counted as it is now (the plan itself aside). */
    ret = igp_inventory_take(s->out_dir, NULL, &after);
    for (guint j = 0; ret == 0 && j < after->files->len; j++) {
        IgpInvFile *k = after->files->pdata[j];
        if (g_str_has_suffix(k->path, "state/" JOURNAL_NAME))
            continue;
        r.kept[k->category]++;
        r.kept_bytes[k->category] += k->size;
    }
    igp_inventory_free(&after);
    if (ret == 0)
        ret = igp_mkdir_p(report_dir);
    if (ret == 0)
        ret = igp_deletion_report_write(&r, report_dir, pdf);
    g_free(report_dir);
    g_free(removed);
    free(abs_out);
    return ret;
}

/* ---- the command ---- */

static void print_plan(json_t *plan)
{
    json_t *f;
    size_t i;
    int64_t total = 0;

    json_array_foreach(json_object_get(plan, "files"), i, f)
    {
        char *shown = igp_log_escape(json_string_value(json_object_get(f, "abs")));
        printf(_("would remove  %-24s %10lld  %s\n"),
               _(json_string_value(json_object_get(f, "kind"))),
               (long long)json_integer_value(json_object_get(f, "size")), shown);
        total += json_integer_value(json_object_get(f, "size"));
        g_free(shown);
    }
    printf(_("dry run: %zu files, %lld bytes would be overwritten and removed; nothing was "
             "changed\n"),
           json_array_size(json_object_get(plan, "files")), (long long)total);
}

/* A new plan, after the refusal checks; NULL with the reason in the buffer. */
static json_t *plan_anew(const IgpPurgeSettings *s, int *ret)
{
    IgpDelivered *d = NULL;
    IgpInventory *inv = NULL;
    json_t *plan = NULL;

    if ((*ret = igp_delivered_load(s->outbox, s->archive, &d)) ||
        (*ret = igp_inventory_take(s->out_dir, d, &inv)) ||
        (*ret = check_publication(s, inv->shoot, d)))
        goto out;
    plan = make_plan(s, inv, d);
out:
    igp_inventory_free(&inv);
    igp_delivered_free(&d);
    return plan;
}

static int purge_locked(const IgpPurgeSettings *s)
{
    char *journal = journal_path(s->out_dir), *pdf = NULL;
    int missing, ret = 0;
    json_t *plan = igp_json_load_optional(journal, &missing);

    if (!plan && !missing)
        ret = IGP_ERR_INVALIDDATA;
    else if (plan)
        igp_log_warning(_("purge: %s: finishing the purge a killed run began"), s->out_dir);
    else
        plan = plan_anew(s, &ret);
    if (ret == 0 && s->dry_run) {
        print_plan(plan);
        goto out;
    }
    if (ret == 0 && missing)
        ret = write_journal(journal, plan);
    if (ret == 0)
        ret = execute_plan(plan, s->out_dir);
    if (ret == 0)
        ret = report(s, plan, json_string_value(json_object_get(plan, "shoot")), &pdf);
    if (ret == 0 && unlink(journal) != 0)
        ret = igp_error(IGP_ERR(errno), journal, _("cannot remove: %s"), strerror(errno));
    if (ret == 0) {
        char *state = g_path_get_dirname(journal);
        ret = igp_fsync_path(state);
        g_free(state);
    }
    if (ret == 0)
        igp_log_note(_("purge: %zu files overwritten and removed; report %s"),
                     json_array_size(json_object_get(plan, "files")), pdf);
out:
    json_decref(plan);
    g_free(pdf);
    g_free(journal);
    return ret;
}

int igp_purge(const IgpPurgeSettings *s)
{
    int lock, ret;

    if (!g_file_test(s->out_dir, G_FILE_TEST_IS_DIR))
        return igp_error(IGP_ERR(ENOENT), s->out_dir, _("no such folder"));
    if (s->dry_run) /* not even a lock file: a dry run writes nothing */
        return purge_locked(s);
    lock = igp_out_lock(s->out_dir);
    if (lock < 0)
        return lock;
    ret = purge_locked(s);
    close(lock);
    return ret;
}
