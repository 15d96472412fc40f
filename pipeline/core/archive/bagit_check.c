/* The check of any bag: complete and valid per RFC 8493 (bagit.txt, every
 * manifest entry present with a matching checksum, every payload file in
 * every payload manifest, the tag manifests, Payload-Oxum). */
#include "bagit.h"
#include "bagit_internal.h"
#include "log.h"

#include "error.h"
#include "i18n.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <archive.h>
#include <archive_entry.h>

/* One file found in a bag being checked. */
typedef struct Found {
    int64_t size;
    char *hex[N_ALGS];
    GBytes *content; ///< tag files (outside data/) only, for parsing
} Found;

static void found_free(gpointer p)
{
    Found *f = p;
    for (int i = 0; i < N_ALGS; i++)
        g_free(f->hex[i]);
    if (f->content)
        g_bytes_unref(f->content);
    g_free(f);
}

/* Record a problem once: the same file may be wrong in several manifests.
 * @p key names it (English; callers look for its prefix), @p fmt words the
 * whole problem for people. */
static void problem(Check *c, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void problem(Check *c, const char *key, const char *fmt, ...)
{
    va_list ap;
    char *detail;

    if (g_hash_table_contains(c->problems, key))
        return;
    va_start(ap, fmt);
    detail = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_hash_table_insert(c->problems, g_strdup(key), detail);
}

static int is_payload_path(const char *path)
{
    return g_str_has_prefix(path, "data/");
}

/* Whether to keep a file's bytes: tag files at the top of the bag are parsed. */
static int is_tag_path(const char *path)
{
    return !strchr(path, '/');
}

static void record_file(Check *c, const char *path, Hasher *h, GByteArray *content)
{
    Found *f = g_new0(Found, 1);
    char *key;

    f->size = h->size;
    igp_bag_hasher_finish(h, f->hex);
    if (content && h->size > MAX_TAG_FILE)
        g_byte_array_free(content, TRUE); /* not a tag file igprep can parse */
    else if (content)
        f->content = g_byte_array_free_to_bytes(content);
    if (g_hash_table_contains(c->files, path)) {
        key = g_strdup_printf("duplicate: %s", path);
        problem(c, key, _("duplicate: %s (stored twice)"), path);
        g_free(key);
        found_free(f);
        return;
    }
    if (is_payload_path(path))
        c->has_data_dir = 1;
    g_hash_table_insert(c->files, g_strdup(path), f);
}

static int load_dir(Check *c, const char *root, const char *rel);

static int load_dir_entry(Check *c, const char *root, const char *rel, const char *name)
{
    char *child = rel[0] ? g_strdup_printf("%s/%s", rel, name) : g_strdup(name);
    char *full = g_build_filename(root, child, NULL);
    struct stat st;
    int ret = 0;

    if (lstat(full, &st) != 0) {
        ret = igp_error(IGP_ERR(errno), full, "%s", strerror(errno));
    } else if (S_ISDIR(st.st_mode)) {
        c->has_data_dir |= !strcmp(child, "data");
        ret = load_dir(c, root, child);
    } else if (S_ISREG(st.st_mode)) {
        Hasher h;
        GByteArray *content = is_tag_path(child) ? g_byte_array_new() : NULL;
        igp_bag_hasher_init(&h, ~0u);
        ret = igp_bag_hash_path(full, &h, content);
        record_file(c, child, &h, content);
    } else {
        char *key = g_strdup_printf("not a file: %s", child);
        problem(c, key, _("not a file: %s (links and devices have no place in a bag)"), child);
        g_free(key);
    }
    g_free(child);
    g_free(full);
    return ret;
}

static int load_dir(Check *c, const char *root, const char *rel)
{
    char *path = rel[0] ? g_build_filename(root, rel, NULL) : g_strdup(root);
    DIR *dir = opendir(path);
    struct dirent *ent;
    int ret = 0;

    if (!dir) {
        ret = igp_error(IGP_ERR(errno), path, _("cannot open folder: %s"), strerror(errno));
        g_free(path);
        return ret;
    }
    while (ret == 0 && (ent = readdir(dir)) != NULL)
        if (strcmp(ent->d_name, ".") && strcmp(ent->d_name, ".."))
            ret = load_dir_entry(c, root, rel, ent->d_name);
    closedir(dir);
    g_free(path);
    return ret;
}

static int archive_fail(struct archive *a, const char *path, const char *what)
{
    return igp_error(IGP_ERR_INVALIDDATA, path, "%s: %s", what,
                     archive_error_string(a) ? archive_error_string(a) : _("unknown error"));
}

static int load_archive_data(Check *c, struct archive *a, const char *bag, const char *path)
{
    unsigned char *buf = g_malloc(CHUNK);
    GByteArray *content = is_tag_path(path) ? g_byte_array_new() : NULL;
    Hasher h;
    la_ssize_t n;

    igp_bag_hasher_init(&h, ~0u);
    while ((n = archive_read_data(a, buf, CHUNK)) > 0) {
        igp_bag_hasher_update(&h, buf, (size_t)n);
        if (content && content->len + (size_t)n <= MAX_TAG_FILE)
            g_byte_array_append(content, buf, (guint)n);
    }
    g_free(buf);
    record_file(c, path, &h, content);
    return n < 0 ? archive_fail(a, bag, _("cannot read")) : 0;
}

/* A serialized bag (RFC 8493 §4.2) is one top-level folder; paths inside it
 * are the bag's paths. */
static int load_archive_entry(Check *c, struct archive *a, struct archive_entry *e, const char *bag,
                              char **top)
{
    const char *name = archive_entry_pathname_utf8(e);
    char *path, *slash;
    int ret = 0;

    if (!name)
        name = archive_entry_pathname(e);
    while (g_str_has_prefix(name, "./"))
        name += 2;
    slash = strchr(name, '/');
    if (!*top)
        *top = slash ? g_strndup(name, slash - name) : g_strdup(name);
    if (!slash || strncmp(name, *top, slash - name) || (*top)[slash - name]) {
        if (strcmp(name, *top))
            problem(c, "archive: more than one top-level entry",
                    _("archive: more than one top-level entry ('%s' beside '%s'): a serialized "
                      "bag is one folder"),
                    name, *top);
        return 0;
    }
    path = g_strdup(slash + 1);
    if (*path && path[strlen(path) - 1] == '/')
        path[strlen(path) - 1] = '\0';
    if (archive_entry_filetype(e) == AE_IFDIR) {
        c->has_data_dir |= !strcmp(path, "data");
    } else if (archive_entry_filetype(e) == AE_IFREG) {
        ret = load_archive_data(c, a, bag, path);
    } else {
        char *key = g_strdup_printf("not a file: %s", path);
        problem(c, key, _("not a file: %s (links and devices have no place in a bag)"), path);
        g_free(key);
    }
    g_free(path);
    return ret;
}

static int load_archive(Check *c, const char *bag)
{
    struct archive *a = archive_read_new();
    struct archive_entry *e;
    char *top = NULL;
    int r, ret = 0;

    archive_read_support_format_zip(a);
    archive_read_support_format_tar(a);
    archive_read_support_filter_all(a);
    if (archive_read_open_filename(a, bag, CHUNK) != ARCHIVE_OK)
        ret = archive_fail(a, bag, _("not a bag folder, zip or tar"));
    while (ret == 0 && (r = archive_read_next_header(a, &e)) != ARCHIVE_EOF) {
        if (r < ARCHIVE_WARN)
            ret = archive_fail(a, bag, _("cannot read"));
        else
            ret = load_archive_entry(c, a, e, bag, &top);
    }
    archive_read_free(a);
    g_free(top);
    return ret;
}

/* RFC 8493 §2.1.3: undo the percent-encoding of CR, LF and '%'. */
static char *decode_manifest_path(const char *s)
{
    GString *out = g_string_new(NULL);
    for (const char *p = s; *p; p++) {
        if (!g_ascii_strncasecmp(p, "%0A", 3))
            g_string_append_c(out, '\n'), p += 2;
        else if (!g_ascii_strncasecmp(p, "%0D", 3))
            g_string_append_c(out, '\r'), p += 2;
        else if (!strncmp(p, "%25", 3))
            g_string_append_c(out, '%'), p += 2;
        else
            g_string_append_c(out, *p);
    }
    return g_string_free(out, FALSE);
}

/* No absolute paths and no "." or ".." steps: a manifest must not point
 * outside the bag (RFC 8493 §5 security). */
static int path_is_safe(const char *path)
{
    char **parts = g_strsplit(path, "/", -1);
    int ok = path[0] != '\0' && path[0] != '/';
    for (char **p = parts; *p && ok; p++)
        ok = **p && strcmp(*p, ".") && strcmp(*p, "..");
    g_strfreev(parts);
    return ok;
}

/* The text of a tag file, NUL-terminated, or NULL when absent or not UTF-8. */
char *igp_bag_tag_text(Check *c, const char *name)
{
    Found *f = g_hash_table_lookup(c->files, name);
    gsize len;
    const char *data;

    if (!f || !f->content)
        return NULL;
    data = g_bytes_get_data(f->content, &len);
    if (!g_utf8_validate(data, (gssize)len, NULL)) {
        problem(c, name, _("%s: not UTF-8 (RFC 8493 §2.1.1: tag files are UTF-8)"), name);
        return NULL;
    }
    return g_strndup(data, len);
}

/* Lines of a tag file, without their CR LF, CR or LF endings. */
char **igp_bag_tag_lines(const char *text)
{
    char *unix_text = g_strdup(text);
    char **lines;
    for (char *p = unix_text; *p; p++)
        if (*p == '\r')
            *p = p[1] == '\n' ? ' ' : '\n';
    lines = g_strsplit(unix_text, "\n", -1);
    for (char **l = lines; *l; l++)
        g_strchomp(*l); /* the blank left where a CR LF's CR was */
    g_free(unix_text);
    return lines;
}

static void check_bagit_txt(Check *c)
{
    char *text = igp_bag_tag_text(c, "bagit.txt");
    char **lines;

    if (!text) {
        if (!g_hash_table_contains(c->files, "bagit.txt"))
            problem(c, "missing: bagit.txt", "%s",
                    _("missing: bagit.txt (the bag declaration, RFC 8493 §2.1.1)"));
        return;
    }
    lines = igp_bag_tag_lines(text);
    if (!lines[0] || strcmp(lines[0], "BagIt-Version: 1.0") || !lines[1] ||
        g_ascii_strcasecmp(lines[1], "Tag-File-Character-Encoding: UTF-8"))
        problem(c, "bagit.txt", "%s",
                _("bagit.txt: must be 'BagIt-Version: 1.0' then 'Tag-File-Character-Encoding: "
                  "UTF-8'"));
    g_strfreev(lines);
    g_free(text);
}

/* Check one manifest line against the files found; @p listed collects its paths. */
static void check_manifest_entry(Check *c, const char *name, int alg, int tag, const char *hex,
                                 const char *path, GHashTable *listed)
{
    Found *f = g_hash_table_lookup(c->files, path);
    char *key;

    if (!path_is_safe(path) || is_payload_path(path) == tag) {
        key = g_strdup_printf("%s: %s", name, path);
        problem(c, key,
                tag ? _("%s: %s (a tag manifest lists a payload or unsafe path)")
                    : _("%s: %s (a payload manifest lists a path outside data/)"),
                name, path);
    } else if (g_hash_table_contains(listed, path)) {
        key = g_strdup_printf("%s: %s", name, path);
        problem(c, key, _("%s: %s (listed twice)"), name, path);
    } else if (!f) {
        key = g_strdup_printf("missing: %s", path);
        problem(c, key, _("missing: %s (listed in %s)"), path, name);
    } else if (g_ascii_strcasecmp(f->hex[alg], hex)) {
        key = g_strdup_printf("changed: %s", path);
        problem(c, key, _("changed: %s (%s does not match %s)"), path, igp_bag_algs[alg].name,
                name);
    } else {
        key = NULL;
    }
    g_hash_table_add(listed, g_strdup(path));
    g_free(key);
}

/* Every payload file must be in every payload manifest (RFC 8493 §3). */
static void check_unlisted(Check *c, const char *name, GHashTable *listed)
{
    GHashTableIter it;
    gpointer path;

    g_hash_table_iter_init(&it, c->files);
    while (g_hash_table_iter_next(&it, &path, NULL)) {
        if (is_payload_path(path) && !g_hash_table_contains(listed, path)) {
            char *key = g_strdup_printf("extra: %s", (char *)path);
            problem(c, key, _("extra: %s (not listed in %s)"), (char *)path, name);
            g_free(key);
        }
    }
}

static void check_manifest(Check *c, const char *name, int tag)
{
    const char *alg_name = name + strlen(tag ? "tagmanifest-" : "manifest-");
    char *alg_copy = g_strndup(alg_name, strlen(alg_name) - strlen(".txt"));
    int alg = igp_bag_alg_by_name(alg_copy);
    char *text = igp_bag_tag_text(c, name), **lines = NULL;
    GHashTable *listed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

    if (alg < 0)
        problem(c, name,
                _("%s: algorithm '%s' cannot be checked (md5, sha1, sha256, sha384, sha512)"), name,
                alg_copy);
    else if (!text)
        problem(c, name, _("%s: cannot be read (not UTF-8 text, or over 64 MB)"), name);
    else
        lines = igp_bag_tag_lines(text);
    for (int i = 0; lines && lines[i]; i++) {
        char *line = lines[i], *sep = line + strcspn(line, " \t"), *path;
        if (!*line)
            continue;
        if (!*sep || !*(sep + strspn(sep, " \t"))) {
            char *key = g_strdup_printf("%s:%d", name, i + 1);
            problem(c, key, _("%s:%d: not 'checksum path'"), name, i + 1);
            g_free(key);
            continue;
        }
        *sep = '\0';
        path = decode_manifest_path(sep + 1 + strspn(sep + 1, " \t"));
        check_manifest_entry(c, name, alg, tag, line, path, listed);
        g_free(path);
    }
    if (!tag && lines)
        check_unlisted(c, name, listed);
    g_hash_table_destroy(listed);
    g_strfreev(lines);
    g_free(text);
    g_free(alg_copy);
}

static void payload_totals(Check *c, int64_t *octets, unsigned *count)
{
    GHashTableIter it;
    gpointer path, value;

    *octets = 0, *count = 0;
    g_hash_table_iter_init(&it, c->files);
    while (g_hash_table_iter_next(&it, &path, &value))
        if (is_payload_path(path))
            *octets += ((Found *)value)->size, (*count)++;
}

/* Payload-Oxum is optional (RFC 8493 §2.2.2), but must be right when present. */
static void check_oxum(Check *c)
{
    char *text = igp_bag_tag_text(c, "bag-info.txt"), **lines;
    long long octets, count;
    int64_t real_octets;
    unsigned real_count;

    if (!text)
        return;
    lines = igp_bag_tag_lines(text);
    payload_totals(c, &real_octets, &real_count);
    for (char **l = lines; *l; l++) {
        if (!g_str_has_prefix(*l, "Payload-Oxum:"))
            continue;
        if (sscanf(*l + strlen("Payload-Oxum:"), " %lld.%lld", &octets, &count) != 2)
            problem(c, "bag-info.txt", "%s", _("bag-info.txt: Payload-Oxum is not OCTETS.COUNT"));
        else if (octets != real_octets || count != (long long)real_count)
            problem(c, "Payload-Oxum",
                    _("Payload-Oxum: bag-info.txt says %lld.%lld, the payload is %lld.%u"), octets,
                    count, (long long)real_octets, real_count);
    }
    g_strfreev(lines);
    g_free(text);
}

/* The manifests at the top of the bag whose names start with @p prefix. */
static GPtrArray *manifests(Check *c, const char *prefix)
{
    GPtrArray *names = g_ptr_array_new();
    GHashTableIter it;
    gpointer path;

    g_hash_table_iter_init(&it, c->files);
    while (g_hash_table_iter_next(&it, &path, NULL))
        if (is_tag_path(path) && g_str_has_prefix(path, prefix) && g_str_has_suffix(path, ".txt"))
            g_ptr_array_add(names, path);
    g_ptr_array_sort(names, igp_bag_compare_strings);
    return names;
}

static void validate(Check *c)
{
    GPtrArray *payload = manifests(c, "manifest-"), *tag = manifests(c, "tagmanifest-");

    check_bagit_txt(c);
    if (!c->has_data_dir)
        problem(c, "missing: data/", "%s", _("missing: data/ (the payload folder)"));
    if (payload->len == 0)
        problem(c, "missing: manifest-<algorithm>.txt", "%s",
                _("missing: manifest-<algorithm>.txt (a bag needs a payload manifest)"));
    for (guint i = 0; i < payload->len; i++)
        check_manifest(c, payload->pdata[i], 0);
    for (guint i = 0; i < tag->len; i++)
        check_manifest(c, tag->pdata[i], 1);
    check_oxum(c);
    g_ptr_array_free(payload, TRUE);
    g_ptr_array_free(tag, TRUE);
}

static void check_init(Check *c)
{
    c->files = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, found_free);
    c->problems = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    c->has_data_dir = 0;
}

void igp_bag_check_clear(Check *c)
{
    g_hash_table_destroy(c->files);
    g_hash_table_destroy(c->problems);
}

/* Read and validate a bag; problems go to c->problems. Returns an IGP_ERR only
 * when the bag cannot be read at all. */
int igp_bag_check(Check *c, const char *bag)
{
    struct stat st;

    check_init(c);
    if (stat(bag, &st) != 0)
        return igp_error(IGP_ERR(errno), bag, "%s", strerror(errno));
    if (S_ISDIR(st.st_mode)) {
        int ret = load_dir(c, bag, "");
        if (ret)
            return ret;
    } else {
        int ret = load_archive(c, bag);
        if (ret)
            return ret;
    }
    validate(c);
    return 0;
}

/* The problems, sorted by file name, as a NULL-terminated list (g_free() it). */
char **igp_bag_sorted_problems(Check *c)
{
    guint n;
    char **keys = (char **)g_hash_table_get_keys_as_array(c->problems, &n);
    char **out = g_new0(char *, n + 1);

    qsort(keys, n, sizeof(*keys), (int (*)(const void *, const void *))igp_bag_compare_strings);
    for (guint i = 0; i < n; i++)
        out[i] = g_hash_table_lookup(c->problems, keys[i]);
    g_free(keys);
    return out;
}

int igp_archive_check(const char *bag)
{
    Check c;
    int64_t octets;
    unsigned count;
    int ret = igp_bag_check(&c, bag);

    if (ret) {
        igp_log_error("%s", igp_error_buffer());
    } else if (g_hash_table_size(c.problems) > 0) {
        char **list = igp_bag_sorted_problems(&c);
        for (char **p = list; *p; p++)
            igp_log_error("%s: %s", bag, *p);
        guint n = g_hash_table_size(c.problems);
        igp_log_error(ngettext("%s: not a complete and valid bag (%u problem)",
                               "%s: not a complete and valid bag (%u problems)", n),
                      bag, n);
        g_free(list);
        ret = IGP_ERR_INVALIDDATA;
    } else {
        payload_totals(&c, &octets, &count);
        igp_log_note(_("%s: complete and valid bag: %u payload files, %lld octets"), bag, count,
                     (long long)octets);
    }
    igp_bag_check_clear(&c);
    return ret;
}
