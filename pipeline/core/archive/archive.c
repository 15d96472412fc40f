/* archive: a run's delivered media as a BagIt 1.0 bag (RFC 8493): collect
 * the posts, write the catalogue, contact sheet, manifests and tag files, and
 * publish the bag as a folder, zip or tar. See bagit.h and docs/archive.md. */
#include "bagit.h"
#include "bagit_internal.h"
#include "contact_sheet.h"
#include "faces.h"
#include "reel.h"
#include "log.h"
#include "stage.h"
#include "publish.h"

#include "csv.h"
#include "error.h"
#include "fsutil.h"
#include "i18n.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <cairo-pdf.h>
#include <cairo.h>
#include <glib.h>
#include <vips/vips.h>

/* bag-info.txt's "Bag-Software-Agent" (the label bagit-python and BagIt
 * profiles use; RFC 8493 §2.2.2 allows labels of one's own): how an export
 * recognises a bag it may replace. Without a version, so that a new release
 * does not rewrite every bag. */
#define BAG_SOFTWARE_AGENT "igprep"

/* ---- the bag being built ---- */

/* One file of the new bag: copied from a file of the run, or made in memory. */
typedef struct BagFile {
    char *path;   ///< inside the bag, e.g. "data/<shoot>/<post>/<post>.jpg" or "bagit.txt"
    char *source; ///< the file to copy, or NULL
    GBytes *bytes;
    int64_t size;
    char *hex[N_ALGS]; ///< only sha256 and sha512 are computed
} BagFile;

static void bag_file_free(gpointer p)
{
    BagFile *f = p;
    g_free(f->path);
    g_free(f->source);
    if (f->bytes)
        g_bytes_unref(f->bytes);
    for (int i = 0; i < N_ALGS; i++)
        g_free(f->hex[i]);
    g_free(f);
}

static const unsigned export_algs = 1u << ALG_SHA256 | 1u << ALG_SHA512;

static int bag_file_from_source(const char *path, const char *source, BagFile **out)
{
    BagFile *f = g_new0(BagFile, 1);
    Hasher h;
    int ret;

    igp_bag_hasher_init(&h, export_algs);
    ret = igp_bag_hash_path(source, &h, NULL);
    f->size = h.size;
    igp_bag_hasher_finish(&h, f->hex);
    f->path = g_strdup(path);
    f->source = g_strdup(source);
    if (ret) {
        bag_file_free(f);
        return ret;
    }
    *out = f;
    return 0;
}

/* Takes @p bytes. */
static BagFile *bag_file_from_bytes(const char *path, GBytes *bytes)
{
    BagFile *f = g_new0(BagFile, 1);
    gsize len;
    const void *data = g_bytes_get_data(bytes, &len);
    Hasher h;

    igp_bag_hasher_init(&h, export_algs);
    igp_bag_hasher_update(&h, data, len);
    f->size = h.size;
    igp_bag_hasher_finish(&h, f->hex);
    f->path = g_strdup(path);
    f->bytes = bytes;
    return f;
}

static BagFile *bag_file_from_string(const char *path, GString *s)
{
    return bag_file_from_bytes(path, g_string_free_to_bytes(s));
}

/* Feed a bag file's bytes to @p sink in chunks. */
typedef int (*Sink)(void *ctx, const void *data, size_t len);

static int bag_file_stream(const BagFile *f, Sink sink, void *ctx)
{
    unsigned char *buf;
    ssize_t n;
    int fd, ret = 0;

    if (f->bytes) {
        gsize len;
        const void *data = g_bytes_get_data(f->bytes, &len);
        return sink(ctx, data, len);
    }
    fd = open(f->source, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return igp_error(IGP_ERR(errno), f->source, _("cannot open: %s"), strerror(errno));
    buf = g_malloc(CHUNK);
    while (ret == 0 && (n = read(fd, buf, CHUNK)) != 0) {
        if (n < 0)
            ret = igp_error(IGP_ERR(errno), f->source, _("cannot read: %s"), strerror(errno));
        else
            ret = sink(ctx, buf, (size_t)n);
    }
    g_free(buf);
    close(fd);
    return ret;
}

typedef struct Bag {
    const IgpArchiveSettings *settings;
    int originals;       ///< the restricted bag: raw originals instead of posts and masters
    GPtrArray *payload;  ///< BagFile*, files under data/
    GPtrArray *tags;     ///< BagFile*, bagit.txt, bag-info.txt and the manifests
    GHashTable *paths;   ///< bag path → BagFile*, to refuse two files for one path
    GPtrArray *rows;     ///< json_t* catalogue rows
    GPtrArray *sheet;    ///< SheetItem*
    GPtrArray *shoots;   ///< names of the shoots that gave posts
    char today[11];      ///< the delivery's date in the account's zone, "YYYY-MM-DD"
    char first_month[8]; ///< earliest and latest schedule months, "YYYY-MM"
    char last_month[8];
    char *period; ///< the Period: line
    char *name;   ///< the bag's name, "igprep-<period or shoot>"
    char *date;   ///< Bagging-Date
} Bag;

static void bag_init(Bag *bag, const IgpArchiveSettings *settings)
{
    memset(bag, 0, sizeof(*bag));
    bag->settings = settings;
    bag->payload = g_ptr_array_new_with_free_func(bag_file_free);
    bag->tags = g_ptr_array_new_with_free_func(bag_file_free);
    bag->paths = g_hash_table_new(g_str_hash, g_str_equal);
    bag->rows = g_ptr_array_new_with_free_func((GDestroyNotify)json_decref);
    bag->sheet = g_ptr_array_new_with_free_func(igp_sheet_item_free);
    bag->shoots = g_ptr_array_new_with_free_func(g_free);
}

static void bag_clear(Bag *bag)
{
    g_hash_table_destroy(bag->paths);
    g_ptr_array_free(bag->payload, TRUE);
    g_ptr_array_free(bag->tags, TRUE);
    g_ptr_array_free(bag->rows, TRUE);
    g_ptr_array_free(bag->sheet, TRUE);
    g_ptr_array_free(bag->shoots, TRUE);
    g_free(bag->period);
    g_free(bag->name);
    g_free(bag->date);
}

/* Add a file to the payload (takes @p f); two files for one path is an error,
 * e.g. a post called "masters" or the same shoot exported twice. */
static int bag_add(Bag *bag, BagFile *f)
{
    if (g_hash_table_contains(bag->paths, f->path)) {
        int ret = igp_error(IGP_ERR_INVALIDDATA, "archive",
                            _("two files for '%s' (same shoot twice, or a post named 'masters'?)"),
                            f->path);
        bag_file_free(f);
        return ret;
    }
    g_hash_table_insert(bag->paths, f->path, f);
    g_ptr_array_add(bag->payload, f);
    return 0;
}

/* ---- reading a run's folder ---- */

typedef struct Run {
    const char *out_dir;
    json_t *encode, *scrub, *verify;
    json_t *ingest;         ///< state/ingest.json, for the originals' folder and hashes
    json_t *redact;         ///< state/redact.json: the masters that leave igprep are redacted
    json_t *published;      ///< state/published.json "posts": what the outbox holds
    json_t *approvals;      ///< approvals.json "approvals"
    const char *shoot;      ///< the shoot's name, from state/encode.json
    char *folder;           ///< its folder in the bag: the name made safe for a path
    GHashTable *passed;     ///< OUT-relative paths of the files verify passed
    GHashTable *master_use; ///< master path (in OUT) → GPtrArray of post ids
} Run;

static int load_json(const char *out_dir, const char *name, json_t **out)
{
    char *path = g_build_filename(out_dir, name, NULL);
    json_error_t jerr;
    int ret = 0;

    *out = json_load_file(path, 0, &jerr);
    if (!*out)
        ret = igp_error(IGP_ERR_INVALIDDATA, path,
                        _("cannot read (run igprep on the shoot first?): %s"), jerr.text);
    else if (!json_is_object(*out))
        ret = igp_error(IGP_ERR_INVALIDDATA, path, _("not a JSON object"));
    g_free(path);
    return ret;
}

/* A shoot name as one path component: no '/', no leading '.', not empty. */
static char *safe_component(const char *name)
{
    char *s = g_strdup(name && *name ? name : "unnamed");
    for (char *p = s; *p; p++)
        if (*p == '/' || *p == '\\' || *p == '\r' || *p == '\n')
            *p = '-';
    if (s[0] == '.')
        s[0] = '_';
    return s;
}

static void run_clear(Run *run)
{
    json_decref(run->encode);
    json_decref(run->scrub);
    json_decref(run->redact);
    json_decref(run->verify);
    json_decref(run->ingest);
    json_decref(run->published);
    json_decref(run->approvals);
    g_free(run->folder);
    if (run->passed)
        g_hash_table_destroy(run->passed);
    if (run->master_use)
        g_hash_table_destroy(run->master_use);
}

/* A member of a JSON file that may be absent (nothing published or
 * approved yet): the member, or NULL. */
static json_t *load_optional_member(const char *out_dir, const char *name, const char *member)
{
    char *path = g_build_filename(out_dir, name, NULL);
    json_t *doc = json_load_file(path, 0, NULL);
    json_t *v = json_incref(json_object_get(doc, member));

    json_decref(doc);
    g_free(path);
    return v;
}

static int run_open(const char *out_dir, Run *run)
{
    json_t *files, *f;
    size_t i;
    int ret;

    memset(run, 0, sizeof(*run));
    run->out_dir = out_dir;
    if ((ret = load_json(out_dir, "state/encode.json", &run->encode)) ||
        (ret = load_json(out_dir, "state/scrub.json", &run->scrub)) ||
        (ret = load_json(out_dir, "state/redact.json", &run->redact)) ||
        (ret = load_json(out_dir, "reports/verify.json", &run->verify)) ||
        (ret = load_json(out_dir, "state/ingest.json", &run->ingest)))
        return ret;
    if (json_integer_value(json_object_get(run->encode, "version")) != 1 ||
        !json_is_object(json_object_get(run->encode, "posts")))
        return igp_error(IGP_ERR_INVALIDDATA, out_dir,
                         _("state/encode.json: not version 1 with \"posts\""));
    run->published = load_optional_member(out_dir, "state/published.json", "posts");
    run->approvals = load_optional_member(out_dir, IGP_APPROVALS_NAME, "approvals");
    run->shoot = json_string_value(json_object_get(run->encode, "shoot"));
    if (!run->shoot)
        return igp_error(IGP_ERR_INVALIDDATA, out_dir, _("state/encode.json: no \"shoot\" name"));
    run->folder = safe_component(run->shoot);
    run->passed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    run->master_use =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
    files = json_object_get(run->verify, "files");
    json_array_foreach(files, i, f)
    {
        const char *name = json_string_value(json_object_get(f, "file"));
        if (name && json_is_true(json_object_get(f, "ok")))
            g_hash_table_add(run->passed, g_strdup(name));
    }
    return 0;
}

static const char *post_string(json_t *entry, const char *key)
{
    const char *s = json_string_value(json_object_get(json_object_get(entry, "post"), key));
    return s ? s : "";
}

/* A schedule such as "2026-11-28T19:00:00+09:00" starts with its local date. */
static int schedule_date(const char *schedule, char date[11])
{
    int y, m, d;
    if (strlen(schedule) < 10 || sscanf(schedule, "%4d-%2d-%2d", &y, &m, &d) != 3 ||
        !g_date_valid_dmy(d, m, y))
        return -1;
    memcpy(date, schedule, 10);
    date[10] = '\0';
    return 0;
}

/* A video's master is written by encode's render pass (the redacted one, or
 * the scrubbed one when it had no face to hide): the first post of the clip
 * records it. */
static json_t *video_master_entry(const Run *run, const char *source)
{
    json_t *entry, *s;
    const char *id;
    size_t i;

    json_object_foreach(json_object_get(run->encode, "posts"), id, entry)
    {
        if (!json_object_get(entry, "master"))
            continue;
        json_array_foreach(json_object_get(json_object_get(entry, "post"), "sources"), i,
                           s) if (!g_strcmp0(json_string_value(s), source)) return entry;
    }
    return NULL;
}

static const char *master_of(const Run *run, const char *source)
{
    json_t *m = json_object_get(json_object_get(run->redact, "media"), source);
    if (!g_strcmp0(json_string_value(json_object_get(m, "kind")), "video"))
        return json_string_value(json_object_get(video_master_entry(run, source), "master"));
    return json_string_value(json_object_get(m, "master"));
}

/* Does the outbox folder publish recorded still hold this approval? */
static int outbox_holds(json_t *published, const char *digest)
{
    const char *folder = json_string_value(json_object_get(published, "folder"));
    char *pj = folder ? g_build_filename(folder, "post.json", NULL) : NULL;
    json_t *doc = pj ? json_load_file(pj, 0, NULL) : NULL;
    int holds = !g_strcmp0(
        json_string_value(json_object_get(json_object_get(doc, "approval"), "digest")), digest);

    json_decref(doc);
    g_free(pj);
    return holds;
}

/* The bag holds the posts as published: approved, in the outbox, unchanged
 * since. Why this one is not, or NULL; *approved gets the approved content. */
static const char *publication_refusal(const Run *run, const char *id, json_t **approved)
{
    json_t *published = json_object_get(run->published, id);
    json_t *approval = igp_latest_approval(run->approvals, id);
    const char *digest = json_string_value(json_object_get(published, "digest"));
    json_t *content = igp_post_content(json_object_get(run->encode, "posts"), id);
    char now[65] = "";

    if (content)
        igp_content_digest(content, now);
    json_decref(content);
    *approved = json_object_get(approval, "content");
    if (!digest)
        return _("it was not published (igprep approve, then igprep publish)");
    if (g_strcmp0(digest, json_string_value(json_object_get(approval, "digest"))) ||
        strcmp(digest, now))
        return _("it changed since it was published; publish it again");
    if (!outbox_holds(published, digest))
        return _("its folder is no longer in the outbox it was published to");
    return NULL;
}

/* Why this post stays out of the bag, or NULL when it goes in. Posts outside
 * the period are left out silently (*quiet set); the others are worth a
 * warning. */
static const char *post_refusal(const Bag *bag, const Run *run, const char *id, json_t *entry,
                                json_t **approved, int *quiet)
{
    const char *period = bag->settings->period;
    json_t *files = json_object_get(entry, "files"), *f, *sources, *s;
    const char *why;
    size_t i;

    *quiet = 0;
    if (json_object_get(entry, "error"))
        return _("it was not made (see state/encode.json)");
    if (period && strncmp(post_string(entry, "schedule"), period, 7) != 0) {
        *quiet = 1;
        return _("not scheduled in the period");
    }
    if ((why = publication_refusal(run, id, approved)))
        return why;
    if (json_array_size(files) == 0)
        return _("it has no files");
    json_array_foreach(files, i, f)
    {
        const char *path = json_string_value(json_object_get(f, "path"));
        if (!path || !g_hash_table_contains(run->passed, path))
            return _("a file of it did not pass reports/verify.json");
    }
    sources = json_object_get(json_object_get(entry, "post"), "sources");
    json_array_foreach(sources, i, s)
    {
        const char *master = master_of(run, json_string_value(s));
        if (!master || !g_hash_table_contains(run->passed, master))
            return _("a master it uses is missing or did not pass reports/verify.json");
    }
    return NULL;
}

/* The catalogue row of one payload file; its consent references are filled
 * in once the run's rows are all in (fill_consent_refs). A post's files carry
 * the digest the city approved (digest.h); masters and originals "". */
static json_t *catalogue_row(const Bag *bag, const char *path, const char *shoot,
                             const char *post_ids, const char *kind, const char *schedule,
                             const char *caption, const char *alt, const BagFile *f, int width,
                             int height, const char *approval_digest)
{
    const char *holder = bag->settings->rights_holder ? bag->settings->rights_holder
                                                      : IGP_ARCHIVE_DEFAULT_RIGHTS_HOLDER;
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:s, s:s, s:s}", "path",
                     path, "shoot", shoot, "post_id", post_ids, "kind", kind, "schedule", schedule,
                     "caption", caption, "alt_text", alt, "sha256", f->hex[ALG_SHA256], "width",
                     width, "height", height, "copyright_holder", holder, "consent_refs", "",
                     "approval_digest", approval_digest);
}

/* Hash the post's files into @p out; *stale is set when one is missing or
 * differs from what encode wrote and verify checked: the verify report would
 * not be about it. */
static void hash_post_files(const Run *run, const char *id, json_t *files, GPtrArray *out,
                            int *stale)
{
    json_t *f;
    size_t i;

    *stale = 0;
    json_array_foreach(files, i, f)
    {
        const char *rel = json_string_value(json_object_get(f, "path"));
        char *src = g_build_filename(run->out_dir, rel, NULL);
        char *base = g_path_get_basename(rel);
        char *path = g_strdup_printf("data/%s/%s/%s", run->folder, id, base);
        BagFile *bf = NULL;
        int ret = bag_file_from_source(path, src, &bf);

        g_free(src);
        g_free(base);
        g_free(path);
        if (ret == 0)
            g_ptr_array_add(out, bf);
        if (ret || g_strcmp0(bf->hex[ALG_SHA256], json_string_value(json_object_get(f, "sha256"))))
            *stale = 1;
        igp_error_clear();
    }
}

static void note_schedule(Bag *bag, const char *schedule)
{
    char date[11];

    if (schedule_date(schedule, date))
        return;
    if (!bag->first_month[0] || strncmp(date, bag->first_month, 7) < 0)
        g_strlcpy(bag->first_month, date, 8);
    if (strncmp(date, bag->last_month, 7) > 0)
        g_strlcpy(bag->last_month, date, 8);
}

static void add_sheet_item(Bag *bag, const Run *run, const char *id, json_t *entry)
{
    SheetItem *s = g_new0(SheetItem, 1);
    json_t *files = json_object_get(entry, "files");
    const char *schedule = post_string(entry, "schedule");
    char date[11] = "undated";
    size_t n = json_array_size(files);

    schedule_date(schedule, date);
    s->post_id = g_strdup(id);
    s->image = g_build_filename(
        run->out_dir, json_string_value(json_object_get(json_array_get(files, 0), "path")), NULL);
    if (!strcmp(date, "undated"))
        g_strlcpy(date, _("undated"), sizeof(date));
    if (igp_is_video_file(s->image))
        s->caption = g_strdup_printf(_("%s · %s · video"), run->shoot, date);
    else
        s->caption = g_strdup_printf(ngettext("%s · %s · %zu image", "%s · %s · %zu images", n),
                                     run->shoot, date, n);
    s->order = g_strdup_printf("%s\n%s\n%s", schedule, run->shoot, id);
    g_ptr_array_add(bag->sheet, s);
}

/* Remember which posts use each master: the masters go in after the posts. */
static void note_masters(Run *run, const char *id, json_t *entry)
{
    json_t *sources = json_object_get(json_object_get(entry, "post"), "sources"), *s;
    size_t i;

    json_array_foreach(sources, i, s)
    {
        const char *master = master_of(run, json_string_value(s));
        GPtrArray *users = g_hash_table_lookup(run->master_use, master);
        if (!users) {
            users = g_ptr_array_new_with_free_func(g_free);
            g_hash_table_insert(run->master_use, g_strdup(master), users);
        }
        if (!g_ptr_array_find_with_equal_func(users, id, g_str_equal, NULL))
            g_ptr_array_add(users, g_strdup(id));
    }
}

static const char *alt_text(json_t *alt, size_t index)
{
    const char *s = json_string_value(json_array_get(alt, index));
    return s ? s : "";
}

static int add_post(Bag *bag, Run *run, const char *id, json_t *entry)
{
    json_t *files = json_object_get(entry, "files");
    json_t *approved = NULL, *alt;
    GPtrArray *made = g_ptr_array_new();
    int quiet, stale = 0, ret = 0;
    const char *why = post_refusal(bag, run, id, entry, &approved, &quiet);
    const char *caption;
    char digest[65];

    if (!why)
        hash_post_files(run, id, files, made, &stale);
    if (stale)
        why = _("a file of it is missing or changed since it was encoded and verified");
    if (why) {
        if (!quiet)
            igp_log_warning(_("archive: %s: post '%s' left out: %s"), run->out_dir, id, why);
        g_ptr_array_set_free_func(made, bag_file_free);
        g_ptr_array_free(made, TRUE);
        return 0;
    }
    /* The words as the city approved them (equal to the post's now: a post
     * changed since is left out above). */
    alt = json_object_get(approved, "alt");
    caption = json_string_value(json_object_get(approved, "caption"));
    caption = caption ? caption : "";
    igp_content_digest(approved, digest);
    /* The restricted bag holds only originals: the post files stay out. */
    for (guint i = 0; i < made->len && ret == 0 && !bag->originals; i++) {
        BagFile *f = made->pdata[i];
        json_t *meta = json_array_get(files, i);
        made->pdata[i] = NULL;
        g_ptr_array_add(bag->rows,
                        catalogue_row(bag, f->path, run->shoot, id,
                                      json_string_value(json_object_get(meta, "kind")),
                                      post_string(entry, "schedule"), caption, alt_text(alt, i), f,
                                      (int)json_integer_value(json_object_get(meta, "width")),
                                      (int)json_integer_value(json_object_get(meta, "height")),
                                      digest));
        ret = bag_add(bag, f);
    }
    for (guint i = 0; i < made->len; i++)
        if (made->pdata[i])
            bag_file_free(made->pdata[i]);
    g_ptr_array_free(made, TRUE);
    if (ret == 0) {
        note_schedule(bag, post_string(entry, "schedule"));
        note_masters(run, id, entry);
        add_sheet_item(bag, run, id, entry);
    }
    return ret;
}

/* The pixel size of a master, from its header (no pixels decoded). */
static int image_size(const char *path, int *width, int *height)
{
    if (igp_is_video_file(path)) {
        IgpReelSource src;
        int ret = igp_reel_probe(path, &src);
        *width = src.width;
        *height = src.height;
        return ret;
    }
    VipsImage *image = vips_image_new_from_file(path, NULL);
    if (!image)
        return igp_vips_error(IGP_ERR_INVALIDDATA, path, _("cannot read header"));
    *width = image->Xsize;
    *height = image->Ysize;
    g_object_unref(image);
    return 0;
}

/* The source a master was made from, and the SHA-256 recorded for the
 * master when it was made (by redact, or for videos by encode). */
static const char *master_source(const Run *run, const char *master, const char **sha256)
{
    json_t *media = json_object_get(run->redact, "media"), *m;
    const char *source;

    json_object_foreach(media, source, m)
    {
        json_t *video = video_master_entry(run, source);
        if (!g_strcmp0(json_string_value(json_object_get(m, "master")), master)) {
            *sha256 = json_string_value(json_object_get(m, "master_sha256"));
            return source;
        }
        if (video && !g_strcmp0(json_string_value(json_object_get(video, "master")), master)) {
            *sha256 = json_string_value(json_object_get(video, "master_sha256"));
            return source;
        }
    }
    *sha256 = NULL;
    return NULL;
}

static const char *master_sha256(const Run *run, const char *master)
{
    const char *sha256;
    master_source(run, master, &sha256);
    return sha256;
}

/* The raw original a master was made from, as the shoot folder holds it:
 * only in the restricted bag, and only if it is the very file scrub read. */
static int add_original(Bag *bag, const Run *run, const char *master)
{
    json_t *media = json_object_get(run->scrub, "media");
    const char *shoot_dir = json_string_value(json_object_get(run->ingest, "shoot_dir"));
    const char *want = NULL, *unused;
    const char *name = master_source(run, master, &unused);
    char *src, *path;
    BagFile *f = NULL;
    int ret;

    if (name)
        want = json_string_value(json_object_get(json_object_get(media, name), "source_sha256"));
    if (!name || !want || !shoot_dir)
        return igp_error(IGP_ERR_INVALIDDATA, run->out_dir,
                         _("no record of the original of '%s' (run igprep on the shoot again)"),
                         master);
    src = g_build_filename(shoot_dir, name, NULL);
    path = g_strdup_printf("data/%s/originals/%s", run->folder, name);
    ret = bag_file_from_source(path, src, &f);
    if (ret == 0 && g_strcmp0(f->hex[ALG_SHA256], want)) {
        ret = igp_error(IGP_ERR_INVALIDDATA, src, _("changed since igprep scrubbed it"));
        bag_file_free(f);
    }
    if (ret == 0) {
        g_ptr_array_add(bag->rows, catalogue_row(bag, path, run->shoot, "", "original (restricted)",
                                                 "", "", "", f, 0, 0, ""));
        ret = bag_add(bag, f);
    }
    g_free(src);
    g_free(path);
    return ret;
}

static int add_master(Bag *bag, const Run *run, const char *master)
{
    GPtrArray *users = g_hash_table_lookup(run->master_use, master);
    char *src = g_build_filename(run->out_dir, master, NULL);
    char *base = g_path_get_basename(master);
    char *path = g_strdup_printf("data/%s/masters/%s", run->folder, base);
    char *ids;
    BagFile *f = NULL;
    int width = 0, height = 0, ret;

    g_ptr_array_sort(users, igp_bag_compare_strings);
    g_ptr_array_add(users, NULL);
    ids = g_strjoinv("; ", (char **)users->pdata);
    g_ptr_array_remove_index(users, users->len - 1);
    ret = image_size(src, &width, &height);
    if (ret == 0)
        ret = bag_file_from_source(path, src, &f);
    /* Posts using it are already in: a changed master is an error, not a skip. */
    if (ret == 0 && g_strcmp0(f->hex[ALG_SHA256], master_sha256(run, master))) {
        ret = igp_error(IGP_ERR_INVALIDDATA, src,
                        _("changed since redact made it (run igprep on the shoot again)"));
        bag_file_free(f);
    }
    if (ret == 0) {
        g_ptr_array_add(bag->rows, catalogue_row(bag, path, run->shoot, ids, "master", "", "", "",
                                                 f, width, height, ""));
        ret = bag_add(bag, f);
    }
    g_free(ids);
    g_free(src);
    g_free(base);
    g_free(path);
    return ret;
}

/* ---- consent references ---- */

/* The faces of one source as redact recorded them: a photo's report, a
 * video's faces (faces.json's own entries). */
static json_t *source_faces(const Run *run, const char *source)
{
    json_t *m = json_object_get(json_object_get(run->redact, "media"), source);
    return json_object_get(m, "report") ? json_object_get(m, "report")
                                        : json_object_get(m, "faces");
}

/* Add the consent references of @p source's cleared faces to @p refs. */
static void add_consent_refs(const Run *run, const char *source, GPtrArray *refs)
{
    json_t *face;
    size_t i;

    json_array_foreach(source_faces(run, source), i, face)
    {
        const char *consent = json_string_value(json_object_get(face, "consent"));
        const char *decision = json_string_value(json_object_get(face, "decision"));
        int cleared = decision ? !strcmp(decision, "cleared") : igp_face_is_cleared(face);
        if (cleared && consent && *consent &&
            !g_ptr_array_find_with_equal_func(refs, consent, g_str_equal, NULL))
            g_ptr_array_add(refs, (gpointer)consent);
    }
}

/* The source whose master (or, in the restricted bag, original) has these
 * bytes, or NULL. */
static const char *source_of_sha256(const Run *run, const char *sha256)
{
    json_t *media = json_object_get(run->redact, "media"), *m;
    const char *source;

    json_object_foreach(media, source, m)
    {
        json_t *video = video_master_entry(run, source);
        json_t *scrubbed = json_object_get(json_object_get(run->scrub, "media"), source);
        if (!g_strcmp0(json_string_value(json_object_get(m, "master_sha256")), sha256) ||
            !g_strcmp0(json_string_value(json_object_get(video, "master_sha256")), sha256) ||
            !g_strcmp0(json_string_value(json_object_get(scrubbed, "source_sha256")), sha256))
            return source;
    }
    return NULL;
}

/* Every catalogue row from @p first on (this run's) gets the consent
 * references of the cleared faces it shows, "; "-joined: a post file those
 * of all the post's sources, a master or original those of its own. */
static void fill_consent_refs(Bag *bag, const Run *run, guint first)
{
    for (guint r = first; r < bag->rows->len; r++) {
        json_t *row = bag->rows->pdata[r], *s;
        const char *kind = json_string_value(json_object_get(row, "kind"));
        GPtrArray *refs = g_ptr_array_new();
        size_t i;

        if (!g_strcmp0(kind, "master") || g_str_has_prefix(kind ? kind : "", "original")) {
            const char *source =
                source_of_sha256(run, json_string_value(json_object_get(row, "sha256")));
            if (source)
                add_consent_refs(run, source, refs);
        } else {
            json_t *post = json_object_get(json_object_get(run->encode, "posts"),
                                           json_string_value(json_object_get(row, "post_id")));
            json_array_foreach(json_object_get(json_object_get(post, "post"), "sources"), i, s)
                add_consent_refs(run, json_string_value(s), refs);
        }
        g_ptr_array_sort(refs, igp_bag_compare_strings);
        g_ptr_array_add(refs, NULL);
        char *joined = g_strjoinv("; ", (char **)refs->pdata);
        json_object_set_new(row, "consent_refs", json_string(joined));
        g_free(joined);
        g_ptr_array_free(refs, TRUE);
    }
}

/* Add the posts of one run that go in, then the masters they use. */
static int collect_run(Bag *bag, const char *out_dir)
{
    Run run;
    json_t *posts, *entry;
    const char *id;
    GList *masters = NULL;
    guint before = bag->sheet->len, first_row = bag->rows->len;
    int ret = run_open(out_dir, &run);

    posts = json_object_get(run.encode, "posts");
    json_object_foreach(posts, id, entry)
    {
        if (ret == 0)
            ret = add_post(bag, &run, id, entry);
    }
    if (ret == 0)
        masters = g_list_sort(g_hash_table_get_keys(run.master_use), (GCompareFunc)strcmp);
    for (GList *m = masters; m && ret == 0; m = m->next)
        ret = bag->originals ? add_original(bag, &run, m->data) : add_master(bag, &run, m->data);
    g_list_free(masters);
    if (ret == 0)
        fill_consent_refs(bag, &run, first_row);
    if (ret == 0 && bag->sheet->len > before)
        g_ptr_array_add(bag->shoots, g_strdup(run.shoot));
    run_clear(&run);
    return ret;
}

/* ---- catalogue ---- */

static const char *const catalogue_columns[] = {
    "path",
    "shoot",
    "post_id",
    "kind",
    "schedule",
    "caption",
    "alt_text",
    "sha256",
    "width",
    "height",
    "copyright_holder",
    "consent_refs",
    "approval_digest",
};

/* catalogue.csv's headings, for the people who open it in a spreadsheet:
 * in the user's language when there is a translation, else the column's key
 * (catalogue.json keeps the keys; docs/archive.md). Same order as above. */
static const char *const catalogue_headings[] = {
    /* TRANSLATORS: catalogue.csv headings; each row is one file of the bag. */
    N_("catalogue.csv: path"),
    N_("catalogue.csv: shoot"),
    N_("catalogue.csv: post_id"),
    N_("catalogue.csv: kind"),
    N_("catalogue.csv: schedule"),
    N_("catalogue.csv: caption"),
    N_("catalogue.csv: alt_text"),
    N_("catalogue.csv: sha256"),
    N_("catalogue.csv: width"),
    N_("catalogue.csv: height"),
    N_("catalogue.csv: copyright_holder"),
    N_("catalogue.csv: consent_refs"),
    N_("catalogue.csv: approval_digest"),
};

static const char *catalogue_heading(size_t c)
{
    const char *msgid = catalogue_headings[c], *text = _(msgid);
    return text != msgid && strcmp(text, msgid) ? text : catalogue_columns[c];
}

static GString *catalogue_csv(const Bag *bag)
{
    /* A UTF-8 byte-order mark first: without it Excel (in Japanese, Shift_JIS
     * by default) shows the captions as mojibake. */
    GString *s = g_string_new("\xEF\xBB\xBF");
    const size_t n = G_N_ELEMENTS(catalogue_columns);

    G_STATIC_ASSERT(G_N_ELEMENTS(catalogue_headings) == G_N_ELEMENTS(catalogue_columns));

    for (size_t c = 0; c < n; c++)
        igp_csv_field(s, catalogue_heading(c), c + 1 == n);
    for (guint r = 0; r < bag->rows->len; r++) {
        json_t *row = bag->rows->pdata[r];
        for (size_t c = 0; c < n; c++) {
            json_t *v = json_object_get(row, catalogue_columns[c]);
            char *text = json_is_integer(v)
                             ? g_strdup_printf("%lld", (long long)json_integer_value(v))
                             : g_strdup(json_string_value(v));
            igp_csv_field(s, text, c + 1 == n);
            g_free(text);
        }
    }
    return s;
}

static GString *catalogue_json(const Bag *bag)
{
    json_t *rows = json_array();
    json_t *doc = json_pack("{s:i, s:s, s:s, s:o}", "version", 1, "bag", bag->name, "period",
                            bag->period, "files", rows);
    char *text;
    GString *s;

    for (guint r = 0; r < bag->rows->len; r++)
        json_array_append(rows, bag->rows->pdata[r]);
    text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
    s = g_string_new(text);
    g_string_append_c(s, '\n');
    free(text);
    json_decref(doc);
    return s;
}

static gint compare_rows(gconstpointer a, gconstpointer b)
{
    return strcmp(json_string_value(json_object_get(*(json_t *const *)a, "path")),
                  json_string_value(json_object_get(*(json_t *const *)b, "path")));
}

/* ---- tag files ---- */

/* RFC 8493 §2.1.3: in manifests only CR, LF and '%' are percent-encoded. */
static void append_manifest_path(GString *s, const char *path)
{
    for (const char *p = path; *p; p++) {
        if (*p == '%')
            g_string_append(s, "%25");
        else if (*p == '\n')
            g_string_append(s, "%0A");
        else if (*p == '\r')
            g_string_append(s, "%0D");
        else
            g_string_append_c(s, *p);
    }
}

static gint compare_bag_files(gconstpointer a, gconstpointer b)
{
    return strcmp((*(BagFile *const *)a)->path, (*(BagFile *const *)b)->path);
}

/* "HASH  path" lines (the layout sha256sum -c reads), sorted by path. */
static GString *manifest(GPtrArray *files, Alg alg)
{
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < files->len; i++) {
        const BagFile *f = files->pdata[i];
        g_string_append_printf(s, "%s  ", f->hex[alg]);
        append_manifest_path(s, f->path);
        g_string_append_c(s, '\n');
    }
    return s;
}

static char *human_size(int64_t bytes)
{
    static const char *const units[] = {"kB", "MB", "GB", "TB"};
    double v = (double)bytes;
    int u = -1;

    if (bytes < 1000)
        return g_strdup_printf(_("%lld bytes"), (long long)bytes);
    while (v >= 1000 && u < 3)
        v /= 1000, u++;
    return g_strdup_printf("%.1f %s", v, units[u]);
}

/* bag-info.txt values are one line each: fold any line break into a space. */
static void append_info(GString *s, const char *label, const char *value)
{
    g_string_append_printf(s, "%s: ", label);
    for (const char *p = value; *p; p++)
        g_string_append_c(s, *p == '\n' || *p == '\r' ? ' ' : *p);
    g_string_append_c(s, '\n');
}

static GString *bag_info(const Bag *bag)
{
    const IgpArchiveSettings *st = bag->settings;
    GString *s = g_string_new(NULL);
    int64_t octets = 0;
    char *oxum, *size;

    for (guint i = 0; i < bag->payload->len; i++)
        octets += ((BagFile *)bag->payload->pdata[i])->size;
    oxum = g_strdup_printf("%lld.%u", (long long)octets, bag->payload->len);
    size = human_size(octets);
    append_info(s, "Source-Organization",
                st->organization ? st->organization : IGP_ARCHIVE_DEFAULT_ORGANIZATION);
    append_info(s, "Contact-Name", st->contact ? st->contact : IGP_ARCHIVE_DEFAULT_CONTACT);
    append_info(s, "External-Description",
                bag->originals
                    ? _("RESTRICTED: the raw originals of the posts' pictures as they were shot, "
                        "with all their personal metadata (GPS positions, devices, times) and no "
                        "face hidden. Keep apart from the delivered media; open only as the "
                        "contract allows. Catalogue: data/catalogue.csv, data/catalogue.json.")
                    : _("Instagram posts as delivered by igprep: each post's images, the scrubbed "
                        "masters they were cut from, a catalogue (data/catalogue.csv, "
                        "data/catalogue.json) and a contact sheet (data/index.pdf)."));
    append_info(s, "Bagging-Date", bag->date);
    append_info(s, "Period", bag->period);
    for (guint i = 0; i < bag->shoots->len; i++)
        append_info(s, "Internal-Sender-Identifier", bag->shoots->pdata[i]);
    append_info(s, "Payload-Oxum", oxum);
    append_info(s, "Bag-Size", size);
    append_info(s, "Bag-Software-Agent", BAG_SOFTWARE_AGENT);
    g_free(oxum);
    g_free(size);
    return s;
}

static void make_tag_files(Bag *bag)
{
    GPtrArray *t = bag->tags;

    g_ptr_array_sort(bag->payload, compare_bag_files);
    g_ptr_array_add(
        t, bag_file_from_string("bagit.txt", g_string_new("BagIt-Version: 1.0\n"
                                                          "Tag-File-Character-Encoding: UTF-8\n")));
    g_ptr_array_add(t, bag_file_from_string("bag-info.txt", bag_info(bag)));
    g_ptr_array_add(
        t, bag_file_from_string("manifest-sha256.txt", manifest(bag->payload, ALG_SHA256)));
    g_ptr_array_add(
        t, bag_file_from_string("manifest-sha512.txt", manifest(bag->payload, ALG_SHA512)));
    g_ptr_array_sort(t, compare_bag_files);
    /* Made last: it covers the four above. */
    g_ptr_array_add(t, bag_file_from_string("tagmanifest-sha512.txt", manifest(t, ALG_SHA512)));
}

/* Period, Bagging-Date and name, once the posts are known. */
static int name_bag(Bag *bag)
{
    const IgpArchiveSettings *st = bag->settings;
    char *label, *raw;

    if (st->period)
        bag->period = g_strdup(st->period);
    else if (!bag->first_month[0])
        bag->period = g_strdup("undated");
    else if (!strcmp(bag->first_month, bag->last_month))
        bag->period = g_strdup(bag->first_month);
    else
        bag->period = g_strdup_printf("%s/%s", bag->first_month, bag->last_month);
    /* Dated by the delivery, not by what it holds. */
    bag->date = g_strdup(st->date ? st->date : bag->today);
    if (st->period) {
        label = g_strdup(st->period);
    } else {
        g_ptr_array_add(bag->shoots, NULL);
        label = g_strjoinv("+", (char **)bag->shoots->pdata);
        g_ptr_array_remove_index(bag->shoots, bag->shoots->len - 1);
    }
    raw = g_strdup_printf("igprep-%s%s", label, bag->originals ? "-RESTRICTED-originals" : "");
    bag->name = safe_component(raw);
    g_free(raw);
    g_free(label);
    return 0;
}

/* ---- writing the bag ---- */

static int write_fd(void *ctx, const void *data, size_t len)
{
    const int fd = *(const int *)ctx;
    const char *p = data;

    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return igp_error(IGP_ERR(errno), "archive", _("cannot write: %s"), strerror(errno));
        p += n, len -= (size_t)n;
    }
    return 0;
}

/* $IGP_ARCHIVE_DELAY_MS (tests only): pause that long after each file of a
 * bag is written, so that a test's SIGKILL lands mid-bag. Unset: no pause. */
static void test_delay(void)
{
    const char *delay = getenv("IGP_ARCHIVE_DELAY_MS");
    int ms = delay ? atoi(delay) : 0;

    if (ms > 0)
        g_usleep((gulong)ms * 1000);
}

static int write_bag_file(const BagFile *f, const char *root)
{
    char *path = g_build_filename(root, f->path, NULL);
    char *dir = g_path_get_dirname(path);
    int fd = -1, ret = igp_mkdir_p(dir);

    if (ret == 0 && (fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0)
        ret = igp_error(IGP_ERR(errno), path, _("cannot create: %s"), strerror(errno));
    if (ret == 0)
        ret = bag_file_stream(f, write_fd, &fd);
    if (ret == 0 && fsync(fd) != 0)
        ret = igp_error(IGP_ERR(errno), path, _("cannot sync: %s"), strerror(errno));
    if (fd >= 0)
        close(fd);
    test_delay();
    g_free(dir);
    g_free(path);
    return ret;
}

static int write_bag_dir(const Bag *bag, const char *root)
{
    int ret = igp_mkdir_p(root);
    for (guint i = 0; i < bag->payload->len && ret == 0; i++)
        ret = write_bag_file(bag->payload->pdata[i], root);
    for (guint i = 0; i < bag->tags->len && ret == 0; i++)
        ret = write_bag_file(bag->tags->pdata[i], root);
    return ret;
}

/* An archive member: a file of the bag, or (file NULL) a folder. */
typedef struct Member {
    char *path; ///< "<bag name>/..."
    const BagFile *file;
} Member;

static void member_free(gpointer p)
{
    g_free(((Member *)p)->path);
    g_free(p);
}

static gint compare_members(gconstpointer a, gconstpointer b)
{
    return strcmp((*(Member *const *)a)->path, (*(Member *const *)b)->path);
}

static void add_members(GPtrArray *members, GHashTable *dirs, const Bag *bag, const BagFile *f)
{
    Member *m = g_new0(Member, 1);

    m->path = g_strdup_printf("%s/%s", bag->name, f->path);
    m->file = f;
    g_ptr_array_add(members, m);
    /* Every folder above it, once; a name sorts before everything under it. */
    for (char *slash = strchr(m->path, '/'); slash; slash = strchr(slash + 1, '/')) {
        char *dir = g_strndup(m->path, slash - m->path);
        if (g_hash_table_contains(dirs, dir)) {
            g_free(dir);
            continue;
        }
        g_hash_table_add(dirs, dir);
        Member *d = g_new0(Member, 1);
        d->path = g_strdup(dir);
        g_ptr_array_add(members, d);
    }
}

/* Every member in byte order of its path: the same bag gives the same archive. */
static GPtrArray *archive_members(const Bag *bag)
{
    GPtrArray *members = g_ptr_array_new_with_free_func(member_free);
    GHashTable *dirs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

    for (guint i = 0; i < bag->payload->len; i++)
        add_members(members, dirs, bag, bag->payload->pdata[i]);
    for (guint i = 0; i < bag->tags->len; i++)
        add_members(members, dirs, bag, bag->tags->pdata[i]);
    g_ptr_array_sort(members, compare_members);
    g_hash_table_destroy(dirs);
    return members;
}

static int write_archive_data(void *ctx, const void *data, size_t len)
{
    struct archive *a = ctx;
    if (archive_write_data(a, data, len) < 0)
        return igp_error(IGP_ERR_LIBRARY, "archive", _("libarchive: %s"), archive_error_string(a));
    return 0;
}

/* Fixed owner, permissions and time (the Bagging-Date, 00:00 UTC) for every
 * member, so nothing of the machine or the moment reaches the archive. */
static int write_member(struct archive *a, const Member *m, time_t mtime)
{
    struct archive_entry *e = archive_entry_new();
    int ret = 0;

    archive_entry_set_pathname_utf8(e, m->path);
    archive_entry_set_filetype(e, m->file ? AE_IFREG : AE_IFDIR);
    archive_entry_set_perm(e, m->file ? 0644 : 0755);
    archive_entry_set_size(e, m->file ? m->file->size : 0);
    archive_entry_set_mtime(e, mtime, 0);
    archive_entry_set_uid(e, 0);
    archive_entry_set_gid(e, 0);
    if (archive_write_header(a, e) < ARCHIVE_WARN)
        ret = igp_error(IGP_ERR_LIBRARY, m->path, _("libarchive: %s"), archive_error_string(a));
    if (ret == 0 && m->file)
        ret = bag_file_stream(m->file, write_archive_data, a);
    archive_entry_free(e);
    test_delay();
    return ret;
}

static time_t bagging_time(const Bag *bag)
{
    int y = 1970, m = 1, d = 1;
    GDateTime *dt;
    time_t t;

    sscanf(bag->date, "%d-%d-%d", &y, &m, &d);
    dt = g_date_time_new_utc(y, m, d, 0, 0, 0);
    t = dt ? (time_t)g_date_time_to_unix(dt) : 0;
    if (dt)
        g_date_time_unref(dt);
    return t;
}

static int write_bag_archive(const Bag *bag, const char *path)
{
    struct archive *a = archive_write_new();
    GPtrArray *members = archive_members(bag);
    time_t mtime = bagging_time(bag);
    int ret = 0;

    if (bag->settings->format == IGP_BAG_ZIP)
        archive_write_set_format_zip(a);
    else
        archive_write_set_format_pax_restricted(a);
    if (archive_write_open_filename(a, path) != ARCHIVE_OK)
        ret = igp_error(IGP_ERR_LIBRARY, path, _("libarchive: %s"), archive_error_string(a));
    for (guint i = 0; i < members->len && ret == 0; i++)
        ret = write_member(a, members->pdata[i], mtime);
    if (archive_write_close(a) != ARCHIVE_OK && ret == 0)
        ret = igp_error(IGP_ERR_LIBRARY, path, _("libarchive: %s"), archive_error_string(a));
    archive_write_free(a);
    g_ptr_array_free(members, TRUE);
    return ret;
}

/* The bag just written must pass the same check a reader will make: this
 * catches a run file that changed while it was copied. */
static int self_check(const char *path)
{
    Check c;
    int ret = igp_bag_check(&c, path);

    if (ret == 0 && g_hash_table_size(c.problems) > 0) {
        char **list = igp_bag_sorted_problems(&c);
        ret = igp_error(IGP_ERR_INVALIDDATA, path, _("the new bag does not validate: %s"), list[0]);
        g_free(list);
    }
    igp_bag_check_clear(&c);
    return ret;
}

/* ---- what is already at the bag's name ---- */

/* The tag files an export writes: a file outside data/ with another name is
 * not igprep's. */
static int is_own_tag_file(const char *path)
{
    static const char *const names[] = {"bagit.txt", "bag-info.txt", "manifest-sha256.txt",
                                        "manifest-sha512.txt", "tagmanifest-sha512.txt"};
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
        if (!strcmp(path, names[i]))
            return 1;
    return 0;
}

static int has_own_marker(Check *c)
{
    char *text = igp_bag_tag_text(c, "bag-info.txt");
    char **lines = text ? igp_bag_tag_lines(text) : NULL;
    int found = 0;

    for (char **l = lines; l && *l && !found; l++)
        found = !strcmp(*l, "Bag-Software-Agent: " BAG_SOFTWARE_AGENT);
    g_strfreev(lines);
    g_free(text);
    return found;
}

/* The keys of a hash table in byte order, so that the first offender named
 * is the same every time (g_free() the array, not the keys). */
static char **sorted_keys(GHashTable *table)
{
    guint n;
    char **keys = (char **)g_hash_table_get_keys_as_array(table, &n);
    qsort(keys, n, sizeof(*keys), (int (*)(const void *, const void *))igp_bag_compare_strings);
    return keys;
}

/* A file the checked bag holds that igprep did not put there: a payload file
 * its manifests do not list, a link or device, or a file outside data/ that
 * is not one of the tag files. Returns why (g_free()), or NULL. */
static char *foreign_file(Check *c)
{
    static const struct {
        const char *prefix, *what;
    } kinds[] = {
        {"not a file: ", N_("which is not a regular file")},
        {"extra: ", N_("which its manifests do not list")},
        {"duplicate: ", N_("twice")},
    };
    char **keys = sorted_keys(c->problems), *why = NULL;

    for (char **k = keys; *k && !why; k++)
        for (size_t i = 0; i < G_N_ELEMENTS(kinds) && !why; i++)
            if (g_str_has_prefix(*k, kinds[i].prefix))
                why = g_strdup_printf(_("it holds '%s', %s"), *k + strlen(kinds[i].prefix),
                                      _(kinds[i].what));
    g_free(keys);
    if (why)
        return why;
    keys = sorted_keys(c->files);
    for (char **k = keys; *k && !why; k++)
        if (!g_str_has_prefix(*k, "data/") && !is_own_tag_file(*k))
            why = g_strdup_printf(_("it holds '%s', which igprep does not write"), *k);
    g_free(keys);
    return why;
}

/* Why the folder or archive at @p final is not a bag igprep wrote, holding
 * nothing but its own files (g_free()), or NULL when it is one. A bag of
 * ours with a file changed or missing is just damaged: it may be replaced. */
static char *not_own_bag(Check *c, const char *final)
{
    char *why;

    if (igp_bag_check(c, final) != 0) {
        why = g_strdup_printf(_("it cannot be read as a bag: %s"), igp_error_buffer());
        igp_error_clear();
        return why;
    }
    if (!g_hash_table_contains(c->files, "bagit.txt"))
        return g_strdup(_("it has no bagit.txt"));
    if (!has_own_marker(c))
        return g_strdup_printf(_("its bag-info.txt has no 'Bag-Software-Agent: %s'"),
                               BAG_SOFTWARE_AGENT);
    if (g_hash_table_contains(c->problems, "missing: manifest-<algorithm>.txt"))
        return g_strdup(_("it has no payload manifest to tell its files from others"));
    return foreign_file(c);
}

/* Does the checked folder bag already hold exactly @p bag? Its tag files
 * (which cover every payload checksum) are the ones we would write, and it
 * validates. */
static int same_dir_bag(const Bag *bag, Check *c)
{
    int same = g_hash_table_size(c->problems) == 0;

    for (guint i = 0; i < bag->tags->len && same; i++) {
        const BagFile *f = bag->tags->pdata[i];
        char *old = igp_bag_tag_text(c, f->path);
        gsize len;
        const void *data = g_bytes_get_data(f->bytes, &len);
        same = old && strlen(old) == len && !memcmp(old, data, len);
        g_free(old);
    }
    return same;
}

/* May the bag be written at @p final? Yes (0) when nothing is there, or a
 * bag igprep wrote; *same is then set when it is a folder bag that already
 * holds exactly @p bag. Anything else, a user's folder or file above all, is
 * never replaced: an error naming it. */
static int check_existing(const Bag *bag, const char *final, int *same)
{
    const int dir = bag->settings->format == IGP_BAG_DIR;
    struct stat st;
    char *why;
    int ret = 0;

    *same = 0;
    if (lstat(final, &st) != 0)
        return errno == ENOENT ? 0 : igp_error(IGP_ERR(errno), final, "%s", strerror(errno));
    if (S_ISLNK(st.st_mode)) {
        why = g_strdup(_("it is a symbolic link"));
    } else if (dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) {
        why = g_strdup(dir ? _("it is not a folder") : _("it is not a regular file"));
    } else {
        Check c;
        why = not_own_bag(&c, final);
        *same = !why && dir && same_dir_bag(bag, &c);
        igp_bag_check_clear(&c);
    }
    if (why)
        ret = igp_error(IGP_ERR_INVALIDDATA, final,
                        _("already exists and is not a bag igprep wrote (%s); left as it is: move "
                          "it away or choose another --to"),
                        why);
    g_free(why);
    return ret;
}

/* Same bytes? Read in chunks: archives can be large. */
static int files_equal(const char *a, const char *b)
{
    int fa = open(a, O_RDONLY | O_CLOEXEC), fb = open(b, O_RDONLY | O_CLOEXEC);
    unsigned char *ba = g_malloc(CHUNK), *bb = g_malloc(CHUNK);
    int same = fa >= 0 && fb >= 0 && igp_file_size(a) == igp_file_size(b);

    while (same) {
        ssize_t na = read(fa, ba, CHUNK), nb = na > 0 ? read(fb, bb, (size_t)na) : 0;
        if (na <= 0) {
            same = na == 0;
            break;
        }
        same = nb == na && !memcmp(ba, bb, (size_t)na);
    }
    if (fa >= 0)
        close(fa);
    if (fb >= 0)
        close(fb);
    g_free(ba);
    g_free(bb);
    return same;
}

static int publish_dir(const Bag *bag, const char *final, int *unchanged)
{
    char *tmp;
    int ret = check_existing(bag, final, unchanged);

    if (ret || *unchanged)
        return ret;
    tmp = igp_temp_sibling(final);
    ret = write_bag_dir(bag, tmp);
    if (ret == 0)
        ret = igp_fsync_path(tmp);
    if (ret == 0)
        ret = self_check(tmp);
    if (ret == 0)
        ret = igp_publish(tmp, final);
    if (ret)
        igp_remove_tree(tmp);
    g_free(tmp);
    return ret;
}

static int publish_archive(const Bag *bag, const char *final, int *unchanged)
{
    char *tmp;
    int ret = check_existing(bag, final, unchanged);

    if (ret)
        return ret;
    tmp = igp_temp_sibling(final);
    ret = write_bag_archive(bag, tmp);
    if (ret == 0)
        ret = igp_fsync_path(tmp);
    if (ret == 0)
        ret = self_check(tmp);
    if (ret == 0 && files_equal(tmp, final)) {
        *unchanged = 1;
        unlink(tmp);
    } else if (ret == 0) {
        ret = igp_publish(tmp, final);
    }
    if (ret)
        unlink(tmp);
    g_free(tmp);
    return ret;
}

/* One export at a time writes in DIR: flock() on the folder itself, which
 * leaves no file of igprep's in the user's folder. Returns the lock's file
 * descriptor (close() releases it) or an IGP_ERR. */
static int lock_to_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), err;

    if (fd < 0)
        return igp_error(IGP_ERR(errno), dir, _("cannot open folder: %s"), strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) == 0)
        return fd;
    err = errno;
    close(fd);
    if (err == EWOULDBLOCK)
        return igp_error(IGP_ERR(EBUSY), dir,
                         _("another igprep archive is writing in this folder"));
    return igp_error(IGP_ERR(err), dir, _("cannot lock: %s"), strerror(err));
}

/* Remove what a killed export left in DIR: the hidden temporaries of its bags
 * (".igprep-<name>.tmp-PID-N", never visible under a final name). Only
 * those: DIR is the user's folder. Call under lock_to_dir(). */
static void sweep_bag_temporaries(const char *dir_path)
{
    GDir *dir = g_dir_open(dir_path, 0, NULL);
    const char *name;

    while (dir && (name = g_dir_read_name(dir))) {
        if (g_str_has_prefix(name, ".igprep-") && strstr(name, ".tmp-")) {
            char *path = g_build_filename(dir_path, name, NULL);
            igp_remove_tree(path);
            g_free(path);
        }
    }
    if (dir)
        g_dir_close(dir);
    igp_error_clear();
}

/* ---- export ---- */

/* The catalogue and the contact sheet join the payload last: they describe it. */
static int add_generated(Bag *bag)
{
    GBytes *pdf = NULL;
    int ret;

    g_ptr_array_sort(bag->rows, compare_rows);
    ret = bag_add(bag, bag_file_from_string("data/catalogue.csv", catalogue_csv(bag)));
    if (ret == 0)
        ret = bag_add(bag, bag_file_from_string("data/catalogue.json", catalogue_json(bag)));
    if (ret == 0) {
        IgpSheetInfo info = {bag->name, bag->period, bag->date};
        ret = igp_contact_sheet(bag->sheet, &info, &pdf);
    }
    if (ret == 0)
        ret = bag_add(bag, bag_file_from_bytes("data/index.pdf", pdf));
    return ret;
}

/* Today in the account's zone (igprep.json of the first run). */
static int delivery_date(const char *out_dir, char today[11])
{
    IgpConfig cfg;
    GDateTime *now;
    char *s;
    int ret = igp_out_config_load(out_dir, &cfg);

    if (ret)
        return ret;
    now = g_date_time_new_now(cfg.zone);
    s = g_date_time_format(now, "%Y-%m-%d");
    g_strlcpy(today, s, 11);
    g_free(s);
    g_date_time_unref(now);
    igp_config_clear(&cfg);
    return 0;
}

static int collect(Bag *bag)
{
    const IgpArchiveSettings *st = bag->settings;
    int ret = 0;

    if (st->out_dirs && st->out_dirs[0])
        ret = delivery_date(st->out_dirs[0], bag->today);
    for (char **out = st->out_dirs; out && *out && ret == 0; out++)
        ret = collect_run(bag, *out);
    if (ret == 0 && bag->sheet->len == 0)
        ret = st->period
                  ? igp_error(IGP_ERR_INVALIDDATA, "archive",
                              _("nothing to archive: no post scheduled in %s is published and "
                                "unchanged since its approval (igprep approve, then igprep "
                                "publish)"),
                              st->period)
                  : igp_error(IGP_ERR_INVALIDDATA, "archive", "%s",
                              _("nothing to archive: no post is published and unchanged since its "
                                "approval (igprep approve, then igprep publish)"));
    return ret;
}

/* Build and publish one bag: the deliverable, or the restricted bag of originals. */
static int export_bag(const IgpArchiveSettings *settings, int originals, char **path_out)
{
    const char *ext = settings->format == IGP_BAG_ZIP   ? ".zip"
                      : settings->format == IGP_BAG_TAR ? ".tar"
                                                        : "";
    char *final = NULL, *file = NULL;
    int unchanged = 0, lock = -1, ret;
    Bag bag;

    bag_init(&bag, settings);
    bag.originals = originals;
    if ((ret = collect(&bag)) == 0 && (ret = name_bag(&bag)) == 0 &&
        (ret = add_generated(&bag)) == 0) {
        make_tag_files(&bag);
        file = g_strconcat(bag.name, ext, NULL);
        final = g_build_filename(settings->to_dir, file, NULL);
        ret = igp_mkdir_p(settings->to_dir);
    }
    if (ret == 0 && (lock = lock_to_dir(settings->to_dir)) < 0)
        ret = lock;
    if (ret == 0) {
        sweep_bag_temporaries(settings->to_dir);
        ret = settings->format == IGP_BAG_DIR ? publish_dir(&bag, final, &unchanged)
                                              : publish_archive(&bag, final, &unchanged);
    }
    if (lock >= 0)
        close(lock);
    if (ret)
        igp_log_error("%s", igp_error_buffer());
    else
        igp_log_note(unchanged ? _("archive: %s unchanged: %u payload files, period %s, "
                                   "Bagging-Date %s")
                               : _("archive: %s written: %u payload files, period %s, "
                                   "Bagging-Date %s"),
                     final, bag.payload->len, bag.period, bag.date);
    if (ret == 0 && path_out)
        *path_out = g_strdup(final);
    g_free(final);
    g_free(file);
    bag_clear(&bag);
    return ret;
}

int igp_archive_export(const IgpArchiveSettings *settings, char **path_out)
{
    char *restricted = NULL;
    int ret = export_bag(settings, 0, path_out);

    if (ret == 0 && settings->include_originals) {
        ret = export_bag(settings, 1, &restricted);
        if (ret == 0)
            igp_log_warning(_("archive: %s holds the RAW ORIGINALS, with GPS positions, device "
                              "data and unhidden faces: keep it apart from the delivered media"),
                            restricted);
        g_free(restricted);
    }
    return ret;
}
