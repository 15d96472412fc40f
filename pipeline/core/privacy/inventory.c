/* inventory: every file a run's folder holds, what it holds of people, and
 * whether its bytes left igprep (outbox, bags). docs/privacy.md. */
#include "privacy.h"
#include "log.h"
#include "manifest.h"
#include "publish.h"

#include "error.h"
#include "fsutil.h"
#include "i18n.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MANIFEST_SHA256       "manifest-sha256.txt"
#define RESTRICTED_BAG_SUFFIX "-RESTRICTED-originals"
#define PURGE_JOURNAL         "state/purge.json"

const char *igp_pd_category_name(IgpPdCategory c)
{
    /* Keys of --json and of the purge plan: translated where printed (_()). */
    static const char *const names[] = {N_("faces unhidden"), N_("faces hidden"),
                                        N_("no personal data"), N_("unknown")};
    return names[c];
}

/* ---- the clock ---- */

/* The real clock, always: a deletion report or a retention warning that a
 * variable could backdate would prove nothing (issue 15's rule for approvals). */
gint64 igp_privacy_now(void)
{
    return g_get_real_time() / G_USEC_PER_SEC;
}

int igp_days_since(gint64 t)
{
    gint64 d = (igp_privacy_now() - t) / (24 * 3600);
    return d < 0 ? 0 : (int)d;
}

/* ---- what a path under OUT holds ---- */

typedef struct Rule {
    const char *prefix; ///< "dir/": what is in that folder; "name*": what starts so; else one name
    const char *kind;
    IgpPdCategory category;
    int purge;
} Rule;

/* First match wins: the redacted masters before the masters. The face
 * records (the editor's marks with their "person" labels, and every face
 * detect found) say where each face is and who it is; the redaction records
 * say what was hidden and stay, as the evidence of it. */
static const Rule rules[] = {
    {"masters/redacted/", N_("redacted master"), IGP_PD_FACES_HIDDEN, 0},
    {"masters/", N_("master"), IGP_PD_FACES_UNHIDDEN, 1},
    {"review/", N_("review sheet"), IGP_PD_FACES_UNHIDDEN, 1},
    {"composed/", N_("composed intermediate"), IGP_PD_FACES_UNHIDDEN, 1},
    {"faces.json", N_("face records"), IGP_PD_FACES_UNHIDDEN, 1},
    {"state/detect.json", N_("face records"), IGP_PD_FACES_UNHIDDEN, 1},
    {"posts/", N_("post"), IGP_PD_FACES_HIDDEN, 0},
    {"reports/proof*", N_("proof"), IGP_PD_FACES_HIDDEN, 0}, /* proof.pdf, proof-NN.png */
    {"reports/redaction.json", N_("redaction record"), IGP_PD_FACES_HIDDEN, 0},
    {"state/redact.json", N_("redaction record"), IGP_PD_FACES_HIDDEN, 0},
    {PURGE_JOURNAL, N_("purge plan"), IGP_PD_NONE, 0},
    {"reports/", N_("report"), IGP_PD_NONE, 0},
    {"state/", N_("state"), IGP_PD_NONE, 0},
    {IGP_APPROVALS_NAME, N_("approvals"), IGP_PD_NONE, 0},
    {"audit.log", N_("audit log"), IGP_PD_NONE, 0},
    {".igprep.lock", N_("lock"), IGP_PD_NONE, 0},
};

/* The name a temporary a killed process left (".<name>.tmp-<pid>-<n>",
 * igp_temp_sibling) was to get: it holds what that file holds. */
static char *final_name(const char *path)
{
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    const char *tmp = base[0] == '.' ? g_strrstr(base, ".tmp-") : NULL;

    if (!tmp || tmp == base)
        return g_strdup(path);
    return g_strdup_printf("%.*s%.*s", (int)(base - path), path, (int)(tmp - base - 1), base + 1);
}

static void classify(IgpInvFile *f)
{
    char *path = final_name(f->path);

    for (size_t i = 0; i < G_N_ELEMENTS(rules); i++) {
        /* "dir/" matches what is in the folder, "name*" what starts so, else the name */
        size_t n = strlen(rules[i].prefix);
        int folder = rules[i].prefix[n - 1] == '/', starts = rules[i].prefix[n - 1] == '*';
        if (folder || starts ? !strncmp(path, rules[i].prefix, n - starts)
                             : !strcmp(path, rules[i].prefix)) {
            f->kind = rules[i].kind;
            f->category = rules[i].category;
            f->purge = rules[i].purge;
            g_free(path);
            return;
        }
    }
    f->kind = N_("not made by igprep");
    f->category = IGP_PD_UNKNOWN;
    f->purge = 0;
    g_free(path);
}

static void inv_file_free(gpointer p)
{
    IgpInvFile *f = p;
    g_free(f->path);
    g_free(f->abs);
    if (f->left)
        g_ptr_array_free(f->left, TRUE);
    g_free(f);
}

/* Stat and hash one file; an unreadable file is listed without a hash. */
static IgpInvFile *inv_file_new(const char *root, const char *rel)
{
    IgpInvFile *f = g_new0(IgpInvFile, 1);
    struct stat st;
    IgpDigest d;

    f->path = g_strdup(rel);
    f->abs = g_build_filename(root, rel, NULL);
    f->left = g_ptr_array_new_with_free_func(g_free);
    f->size = -1;
    if (lstat(f->abs, &st) == 0) {
        f->regular = S_ISREG(st.st_mode);
        f->size = st.st_size;
        f->mtime = st.st_mtime;
    }
    if (f->regular && igp_hash_file(f->abs, &d) == 0)
        memcpy(f->sha256, d.hex, sizeof(f->sha256));
    igp_error_clear();
    return f;
}

static gint compare_files(gconstpointer a, gconstpointer b)
{
    return strcmp((*(IgpInvFile *const *)a)->path, (*(IgpInvFile *const *)b)->path);
}

/* Every non-folder entry under dir, never following a link. */
static void walk(const char *root, const char *rel, GPtrArray *files)
{
    char *dir_path = rel ? g_build_filename(root, rel, NULL) : g_strdup(root);
    GDir *dir = g_dir_open(dir_path, 0, NULL);
    const char *name;

    while (dir && (name = g_dir_read_name(dir))) {
        char *child = rel ? g_build_filename(rel, name, NULL) : g_strdup(name);
        char *abs = g_build_filename(root, child, NULL);
        struct stat st;
        if (lstat(abs, &st) == 0 && S_ISDIR(st.st_mode))
            walk(root, child, files);
        else
            g_ptr_array_add(files, inv_file_new(root, child));
        g_free(abs);
        g_free(child);
    }
    if (dir)
        g_dir_close(dir);
    g_free(dir_path);
}

/* ---- what left igprep ---- */

static void add_where(IgpDelivered *d, const char *sha, const char *where)
{
    GPtrArray *list = g_hash_table_lookup(d->where, sha);
    if (!list) {
        list = g_ptr_array_new_with_free_func(g_free);
        g_hash_table_insert(d->where, g_strdup(sha), list);
    }
    for (guint i = 0; i < list->len; i++)
        if (!strcmp(list->pdata[i], where))
            return;
    g_ptr_array_add(list, g_strdup(where));
}

/* Each outbox folder's regular files, hashed. */
static int load_outbox(IgpDelivered *d)
{
    GError *gerr = NULL;
    GDir *dir = g_dir_open(d->outbox, 0, &gerr);
    const char *name;

    if (!dir) {
        int ret = igp_error(IGP_ERR_INVALIDDATA, d->outbox, _("cannot read the outbox: %s"),
                            gerr->message);
        g_error_free(gerr);
        return ret;
    }
    while ((name = g_dir_read_name(dir))) {
        char *folder = g_build_filename(d->outbox, name, NULL);
        GDir *post = name[0] == '.' ? NULL : g_dir_open(folder, 0, NULL);
        GHashTable *files = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        char *where = g_strdup_printf("outbox %s", name);
        const char *file;
        while (post && (file = g_dir_read_name(post))) {
            char *path = g_build_filename(folder, file, NULL);
            IgpDigest dg;
            if (g_file_test(path, G_FILE_TEST_IS_REGULAR) && igp_hash_file(path, &dg) == 0) {
                g_hash_table_insert(files, g_strdup(file), g_strdup(dg.hex));
                add_where(d, dg.hex, where);
            }
            igp_error_clear();
            g_free(path);
        }
        if (post) {
            g_dir_close(post);
            g_hash_table_insert(d->folders, g_strdup(name), files);
        } else
            g_hash_table_destroy(files);
        g_free(where);
        g_free(folder);
    }
    g_dir_close(dir);
    return 0;
}

/* "HEX  data/path" lines of a manifest-sha256.txt. */
static void parse_manifest(IgpInvBag *bag, const char *text)
{
    char **lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
        char *sp = strchr(*l, ' ');
        if (!sp || sp - *l != 64)
            continue;
        g_hash_table_insert(bag->sha, g_ascii_strdown(*l, 64), g_strdup(sp + 2));
    }
    g_strfreev(lines);
}

/* A .zip or .tar bag: its one top-level folder's manifest-sha256.txt. */
static char *archived_manifest(const char *path)
{
    struct archive *a = archive_read_new();
    struct archive_entry *e;
    char *text = NULL;

    archive_read_support_format_zip(a);
    archive_read_support_format_tar(a);
    if (archive_read_open_filename(a, path, 65536) == ARCHIVE_OK) {
        while (!text && archive_read_next_header(a, &e) == ARCHIVE_OK) {
            const char *name = archive_entry_pathname(e);
            const char *slash = name ? strchr(name, '/') : NULL;
            la_int64_t size = archive_entry_size(e);
            if (!slash || strcmp(slash + 1, MANIFEST_SHA256) || size < 0 || size > (64 << 20))
                continue;
            text = g_malloc((size_t)size + 1);
            if (archive_read_data(a, text, (size_t)size) != size) {
                g_free(text);
                text = NULL;
                break;
            }
            text[size] = '\0';
        }
    }
    archive_read_free(a);
    return text;
}

static void load_bag(IgpDelivered *d, const char *name)
{
    char *path = g_build_filename(d->archive, name, NULL);
    char *manifest = g_build_filename(path, MANIFEST_SHA256, NULL);
    char *text = NULL;
    IgpInvBag *bag;

    if (g_file_test(path, G_FILE_TEST_IS_DIR))
        g_file_get_contents(manifest, &text, NULL, NULL);
    else if (g_str_has_suffix(name, ".zip") || g_str_has_suffix(name, ".tar"))
        text = archived_manifest(path);
    g_free(manifest);
    if (!text || name[0] == '.') {
        g_free(text);
        g_free(path);
        return;
    }
    bag = g_new0(IgpInvBag, 1);
    bag->name = g_strdup(name);
    bag->path = path;
    bag->restricted = strstr(name, RESTRICTED_BAG_SUFFIX) != NULL;
    bag->sha = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    parse_manifest(bag, text);
    g_free(text);
    GHashTableIter it;
    gpointer sha;
    char *where = g_strdup_printf("bag %s", name);
    g_hash_table_iter_init(&it, bag->sha);
    while (g_hash_table_iter_next(&it, &sha, NULL))
        add_where(d, sha, where);
    g_free(where);
    g_ptr_array_add(d->bags, bag);
}

static void bag_free(gpointer p)
{
    IgpInvBag *b = p;
    g_free(b->name);
    g_free(b->path);
    g_hash_table_destroy(b->sha);
    g_free(b);
}

static int load_archive(IgpDelivered *d)
{
    GError *gerr = NULL;
    GDir *dir = g_dir_open(d->archive, 0, &gerr);
    const char *name;

    if (!dir) {
        int ret = igp_error(IGP_ERR_INVALIDDATA, d->archive,
                            _("cannot read the archive folder: %s"), gerr->message);
        g_error_free(gerr);
        return ret;
    }
    while ((name = g_dir_read_name(dir)))
        load_bag(d, name);
    g_dir_close(dir);
    return 0;
}

int igp_delivered_load(const char *outbox, const char *archive, IgpDelivered **out)
{
    IgpDelivered *d = g_new0(IgpDelivered, 1);
    int ret = 0;

    d->outbox = g_strdup(outbox);
    d->archive = g_strdup(archive);
    d->where =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
    d->folders = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify)g_hash_table_destroy);
    d->bags = g_ptr_array_new_with_free_func(bag_free);
    if (outbox)
        ret = load_outbox(d);
    if (ret == 0 && archive)
        ret = load_archive(d);
    if (ret)
        igp_delivered_free(&d);
    *out = d;
    return ret;
}

void igp_delivered_free(IgpDelivered **pd)
{
    IgpDelivered *d = *pd;
    if (!d)
        return;
    g_hash_table_destroy(d->where);
    g_hash_table_destroy(d->folders);
    g_ptr_array_free(d->bags, TRUE);
    g_free(d->outbox);
    g_free(d->archive);
    g_free(d);
    *pd = NULL;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

int igp_delivered_has_post(const IgpDelivered *d, const char *shoot, const char *id, json_t *files)
{
    char *name = g_strdup_printf("%s-%s", shoot, id);
    GHashTable *folder = d ? g_hash_table_lookup(d->folders, name) : NULL;
    json_t *f;
    size_t i;
    int ok = folder != NULL && json_array_size(files) > 0;

    json_array_foreach(files, i, f)
    {
        const char *path = json_string_value(json_object_get(f, "path"));
        const char *sha = json_string_value(json_object_get(f, "sha256"));
        const char *have = folder && path ? g_hash_table_lookup(folder, base_name(path)) : NULL;
        ok = ok && have && sha && !g_ascii_strcasecmp(have, sha);
    }
    g_free(name);
    return ok;
}

/* Is this SHA-256 in a deliverable (not restricted) bag? */
static int in_deliverable_bag(const IgpDelivered *d, const char *sha)
{
    for (guint i = 0; d && i < d->bags->len; i++) {
        IgpInvBag *b = d->bags->pdata[i];
        if (!b->restricted && g_hash_table_contains(b->sha, sha))
            return 1;
    }
    return 0;
}

/* ---- one run's folder ---- */

static void mark_left(IgpInvFile *f, const IgpDelivered *d)
{
    GPtrArray *where = d && *f->sha256 ? g_hash_table_lookup(d->where, f->sha256) : NULL;
    for (guint i = 0; where && i < where->len; i++)
        g_ptr_array_add(f->left, g_strdup(where->pdata[i]));
}

/* The sources ingest read, as the shoot folder holds them now. */
static void take_originals(IgpInventory *inv, json_t *ingest, const IgpDelivered *d)
{
    const char *name;
    json_t *m;

    if (!inv->shoot_dir)
        return;
    json_object_foreach(json_object_get(ingest, "media"), name, m)
    {
        char *abs = g_build_filename(inv->shoot_dir, name, NULL);
        if (g_file_test(abs, G_FILE_TEST_EXISTS)) {
            IgpInvFile *f = inv_file_new(inv->shoot_dir, name);
            f->kind = N_("original");
            f->category = IGP_PD_FACES_UNHIDDEN;
            mark_left(f, d);
            g_ptr_array_add(inv->originals, f);
        }
        g_free(abs);
    }
}

static gint compare_strings(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The outbox folders and bags that hold something of this run. */
static void take_places(IgpInventory *inv)
{
    GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
    GPtrArray *lists[] = {inv->files, inv->originals};

    for (size_t l = 0; l < G_N_ELEMENTS(lists); l++)
        for (guint i = 0; i < lists[l]->len; i++) {
            IgpInvFile *f = lists[l]->pdata[i];
            for (guint j = 0; j < f->left->len; j++)
                if (g_hash_table_add(seen, f->left->pdata[j]))
                    g_ptr_array_add(inv->delivered_places, g_strdup(f->left->pdata[j]));
        }
    g_ptr_array_sort(inv->delivered_places, compare_strings);
    g_hash_table_destroy(seen);
}

/* One reason more, "; "-separated, in English (--json) and in the user's
 * language (the listing): @p fmt is marked N_() by the caller. */
static void add_reason(GString *en, GString *shown, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void add_reason(GString *en, GString *shown, const char *fmt, ...)
{
    va_list ap;

    if (en->len)
        g_string_append(en, "; ");
    if (shown->len)
        g_string_append(shown, _("; "));
    va_start(ap, fmt);
    g_string_append_vprintf(en, fmt, ap);
    va_end(ap);
    va_start(ap, fmt);
    g_string_append_vprintf(shown, _(fmt), ap);
    va_end(ap);
}

/* Ready for purge: every post that was made is in the outbox and in a bag. */
static void judge_ready(IgpInventory *inv, json_t *encode, const IgpDelivered *d)
{
    GPtrArray *unpublished = g_ptr_array_new(), *unarchived = g_ptr_array_new();
    GString *why = g_string_new(NULL), *shown = g_string_new(NULL);
    const char *id;
    json_t *entry, *f;
    size_t i;

    json_object_foreach(json_object_get(encode, "posts"), id, entry)
    {
        json_t *files = json_object_get(entry, "files");
        int archived = json_array_size(files) > 0;
        if (json_object_get(entry, "error"))
            continue;
        if (!igp_delivered_has_post(d, inv->shoot, id, files))
            g_ptr_array_add(unpublished, (char *)id);
        json_array_foreach(files, i, f)
        {
            const char *sha = json_string_value(json_object_get(f, "sha256"));
            archived = archived && sha && in_deliverable_bag(d, sha);
        }
        if (!archived)
            g_ptr_array_add(unarchived, (char *)id);
    }
    g_ptr_array_sort(unpublished, compare_strings);
    g_ptr_array_sort(unarchived, compare_strings);
    if (!d || !d->outbox)
        add_reason(why, shown, N_("no --outbox given to check publication"));
    else if (unpublished->len)
        add_reason(why, shown,
                   unpublished->len == 1 ? N_("%u post not in the outbox (first: %s)")
                                         : N_("%u posts not in the outbox (first: %s)"),
                   unpublished->len, (char *)unpublished->pdata[0]);
    if (!d || !d->archive)
        add_reason(why, shown, N_("no --archive given to check the bags"));
    else if (unarchived->len)
        add_reason(why, shown,
                   unarchived->len == 1 ? N_("%u post in no bag (first: %s)")
                                        : N_("%u posts in no bag (first: %s)"),
                   unarchived->len, (char *)unarchived->pdata[0]);
    inv->ready_for_purge = why->len == 0;
    inv->not_ready = why->len ? g_string_free(why, FALSE) : (g_string_free(why, TRUE), NULL);
    inv->not_ready_shown =
        shown->len ? g_string_free(shown, FALSE) : (g_string_free(shown, TRUE), NULL);
    g_ptr_array_free(unpublished, TRUE);
    g_ptr_array_free(unarchived, TRUE);
}

/* shoot.json's retention_days, when the shoot folder is still readable. */
static void take_retention(IgpInventory *inv)
{
    IgpManifest *m = NULL;
    gint64 oldest = 0;

    if (inv->shoot_dir && igp_manifest_load(inv->shoot_dir, &m) == 0) {
        inv->retention_days = m->retention_days;
        igp_manifest_free(&m);
    }
    igp_error_clear();
    inv->oldest_days = -1;
    for (guint i = 0; i < inv->files->len; i++) {
        IgpInvFile *f = inv->files->pdata[i];
        if (f->purge && (oldest == 0 || f->mtime < oldest))
            oldest = f->mtime;
    }
    if (oldest)
        inv->oldest_days = igp_days_since(oldest);
}

int igp_inventory_take(const char *out_dir, IgpDelivered *delivered, IgpInventory **out)
{
    IgpInventory *inv;
    json_t *encode = igp_encode_state_load(out_dir), *ingest;
    char *ingest_path;
    int missing;

    *out = NULL;
    if (!encode)
        return IGP_ERR_INVALIDDATA;
    ingest_path = g_build_filename(out_dir, "state", "ingest.json", NULL);
    ingest = igp_json_load_optional(ingest_path, &missing);
    g_free(ingest_path);
    igp_error_clear();
    inv = g_new0(IgpInventory, 1);
    inv->out_dir = g_strdup(out_dir);
    inv->shoot = g_strdup(json_string_value(json_object_get(encode, "shoot")));
    inv->shoot_dir = g_strdup(json_string_value(json_object_get(ingest, "shoot_dir")));
    inv->files = g_ptr_array_new_with_free_func(inv_file_free);
    inv->originals = g_ptr_array_new_with_free_func(inv_file_free);
    inv->delivered_places = g_ptr_array_new_with_free_func(g_free);
    walk(out_dir, NULL, inv->files);
    g_ptr_array_sort(inv->files, compare_files);
    for (guint i = 0; i < inv->files->len; i++) {
        classify(inv->files->pdata[i]);
        mark_left(inv->files->pdata[i], delivered);
    }
    take_originals(inv, ingest, delivered);
    take_places(inv);
    judge_ready(inv, encode, delivered);
    take_retention(inv);
    json_decref(ingest);
    json_decref(encode);
    *out = inv;
    return 0;
}

void igp_inventory_free(IgpInventory **pinv)
{
    IgpInventory *inv = *pinv;
    if (!inv)
        return;
    g_ptr_array_free(inv->files, TRUE);
    g_ptr_array_free(inv->originals, TRUE);
    g_ptr_array_free(inv->delivered_places, TRUE);
    g_free(inv->out_dir);
    g_free(inv->shoot);
    g_free(inv->shoot_dir);
    g_free(inv->not_ready);
    g_free(inv->not_ready_shown);
    g_free(inv);
    *pinv = NULL;
}

/* ---- output ---- */

static json_t *file_json(const IgpInvFile *f)
{
    json_t *left = json_array();
    for (guint i = 0; i < f->left->len; i++)
        json_array_append_new(left, json_string(f->left->pdata[i]));
    return json_pack("{s:s, s:s, s:s, s:b, s:I, s:s?, s:o}", "path", f->path, "category",
                     igp_pd_category_name(f->category), "kind", f->kind, "purge", f->purge, "size",
                     (json_int_t)f->size, "sha256", *f->sha256 ? f->sha256 : NULL, "left", left);
}

json_t *igp_inventory_json(const IgpInventory *inv)
{
    json_t *files = json_array(), *originals = json_array(), *places = json_array();
    json_t *doc;

    for (guint i = 0; i < inv->files->len; i++)
        json_array_append_new(files, file_json(inv->files->pdata[i]));
    for (guint i = 0; i < inv->originals->len; i++)
        json_array_append_new(originals, file_json(inv->originals->pdata[i]));
    for (guint i = 0; i < inv->delivered_places->len; i++)
        json_array_append_new(places, json_string(inv->delivered_places->pdata[i]));
    doc = json_pack("{s:s, s:s, s:s?, s:b, s:s?, s:o, s:o, s:o}", "out", inv->out_dir, "shoot",
                    inv->shoot, "shoot_dir", inv->shoot_dir, "ready_for_purge",
                    inv->ready_for_purge, "not_ready", inv->not_ready, "files", files, "originals",
                    originals, "delivered", places);
    json_object_set_new(doc, "retention_days",
                        inv->retention_days ? json_integer(inv->retention_days) : json_null());
    json_object_set_new(doc, "oldest_working_copy_days",
                        inv->oldest_days >= 0 ? json_integer(inv->oldest_days) : json_null());
    return doc;
}

/* @p text, then spaces up to @p width terminal columns (a Japanese
 * character takes two): printf's widths count bytes. */
static void print_padded(const char *text, int width)
{
    int used = 0;

    for (const char *p = text; *p; p = g_utf8_next_char(p))
        used += g_unichar_iswide(g_utf8_get_char(p)) ? 2 : 1;
    fputs(text, stdout);
    printf("%*s", width > used ? width - used : 0, "");
}

/* Where a copy was left ("outbox NAME", "bag NAME", English in --json), as
 * the listing says it. */
static char *place_shown(const char *place)
{
    if (g_str_has_prefix(place, "outbox "))
        return g_strdup_printf(_("outbox %s"), place + strlen("outbox "));
    if (g_str_has_prefix(place, "bag "))
        return g_strdup_printf(_("bag %s"), place + strlen("bag "));
    return g_strdup(place);
}

static void print_file(const char *root, const IgpInvFile *f)
{
    char *path = g_build_filename(root, f->path, NULL);
    char *shown = igp_log_escape(path);
    char *left = NULL;

    if (f->left->len) {
        GString *places = g_string_new(NULL);
        for (guint i = 0; i < f->left->len; i++) {
            char *place = place_shown(f->left->pdata[i]);
            g_string_append_printf(places, "%s%s", i ? _(", ") : "", place);
            g_free(place);
        }
        left = g_string_free(places, FALSE);
    }
    fputs("    ", stdout);
    print_padded(_(f->kind), 22);
    printf(" %10lld  %-64s  %s", (long long)f->size, *f->sha256 ? f->sha256 : "-", shown);
    if (left)
        printf(_("  left: %s"), left);
    putchar('\n');
    g_free(left);
    g_free(shown);
    g_free(path);
}

/* One category: a heading with its count and size, then its files. */
static void print_category(const IgpInventory *inv, IgpPdCategory c)
{
    GPtrArray *lists[] = {inv->files, inv->originals};
    const char *roots[] = {inv->out_dir, inv->shoot_dir};
    size_t n = 0;
    int64_t bytes = 0;

    for (size_t l = 0; l < G_N_ELEMENTS(lists); l++)
        for (guint i = 0; i < lists[l]->len; i++) {
            IgpInvFile *f = lists[l]->pdata[i];
            if (f->category == c)
                n++, bytes += f->size > 0 ? f->size : 0;
        }
    if (n == 0 && c == IGP_PD_UNKNOWN)
        return;
    printf(ngettext("  %s: %zu file, %lld bytes\n", "  %s: %zu files, %lld bytes\n", n),
           _(igp_pd_category_name(c)), n, (long long)bytes);
    for (size_t l = 0; l < G_N_ELEMENTS(lists); l++)
        for (guint i = 0; i < lists[l]->len; i++) {
            IgpInvFile *f = lists[l]->pdata[i];
            if (f->category == c)
                print_file(roots[l], f);
        }
}

static void print_text(const IgpInventory *inv)
{
    char *out = igp_log_escape(inv->out_dir);

    printf(inv->ready_for_purge ? _("%s (shoot %s): ready for purge\n")
                                : _("%s (shoot %s): not ready for purge\n"),
           out, inv->shoot);
    if (inv->not_ready_shown)
        printf(_("  not ready: %s\n"), inv->not_ready_shown);
    for (int c = 0; c < IGP_PD_N_CATEGORIES; c++)
        print_category(inv, c);
    for (guint i = 0; i < inv->delivered_places->len; i++) {
        char *place = place_shown(inv->delivered_places->pdata[i]);
        printf(_("  delivered: %s\n"), place);
        g_free(place);
    }
    g_free(out);
}

static void warn_retention(const IgpInventory *inv)
{
    if (inv->retention_days > 0 && inv->oldest_days > inv->retention_days)
        igp_log_warning(_("inventory: %s: working copies with unhidden faces kept %d days, longer "
                          "than the shoot's retention_days (%d): igprep purge %s"),
                        inv->out_dir, inv->oldest_days, inv->retention_days, inv->out_dir);
}

int igp_inventory(const IgpInventorySettings *s)
{
    IgpDelivered *d = NULL;
    json_t *all = json_array();
    int ret = igp_delivered_load(s->outbox, s->archive, &d), failed = 0;

    for (char **o = s->out_dirs; ret == 0 && *o; o++) {
        IgpInventory *inv = NULL;
        if (igp_inventory_take(*o, d, &inv)) {
            igp_log_error("%s", igp_error_buffer());
            igp_error_clear();
            failed = IGP_ERR_INVALIDDATA;
            continue;
        }
        warn_retention(inv);
        if (s->json)
            json_array_append_new(all, igp_inventory_json(inv));
        else
            print_text(inv);
        igp_inventory_free(&inv);
    }
    if (ret == 0 && s->json) {
        json_t *doc = json_pack("{s:i, s:s?, s:s?, s:O}", "version", 1, "outbox", s->outbox,
                                "archive", s->archive, "runs", all);
        json_dumpf(doc, stdout, JSON_INDENT(2));
        json_decref(doc);
        fputc('\n', stdout);
    }
    json_decref(all);
    igp_delivered_free(&d);
    return ret ? ret : failed;
}
