/* igprep init: a starting shoot.json from a folder's media (see scaffold.h). */
#include "scaffold.h"
#include "manifest.h"

#include "error.h"
#include "fsutil.h"
#include "i18n.h"
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

/* The shortest video a reel or story takes (reel_post.c). */
#define MIN_VIDEO_SECONDS 3.0
/* The longest shoot name and file name the manifest takes (manifest.c). */
enum { SHOOT_NAME_MAX = 199 };

/* One medium of the folder and the post it becomes. */
typedef struct Medium {
    char *name;
    IgpMediaKind kind;
} Medium;

static int compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A name shoot.json can hold as a "file" (manifest.c) and that is not hidden. */
static int name_fits(const char *name)
{
    return name[0] != '.' && !strchr(name, '\\') && strlen(name) <= SHOOT_NAME_MAX &&
           g_utf8_validate(name, -1, NULL);
}

/* The regular files of @p dir, by name; hidden ones (and temporaries) left out. */
static int list_files(const char *dir, GPtrArray **out)
{
    GError *err = NULL;
    GDir *d = g_dir_open(dir, 0, &err);
    const char *name;
    GPtrArray *names;

    if (!d) {
        int ret = igp_error(IGP_ERR(ENOENT), dir, _("cannot read the folder: %s"), err->message);
        g_error_free(err);
        return ret;
    }
    names = g_ptr_array_new_with_free_func(g_free);
    while ((name = g_dir_read_name(d))) {
        char *path = g_build_filename(dir, name, NULL);
        struct stat st;
        if (name_fits(name) && lstat(path, &st) == 0 && S_ISREG(st.st_mode))
            g_ptr_array_add(names, g_strdup(name));
        g_free(path);
    }
    g_dir_close(d);
    g_ptr_array_sort(names, compare_names);
    *out = names;
    return 0;
}

/* Is @p name a photo or a video (by content, as ingest recognises it), and
 * can it be a post? A video too short for any post goes to @p left_out. */
static IgpMediaKind medium_kind(const char *dir, const char *name, GPtrArray *left_out)
{
    char *path = g_build_filename(dir, name, NULL);
    IgpMediaInfo info;
    IgpMediaKind kind = IGP_MEDIA_UNKNOWN;

    if (igp_identify(path, &info) == 0)
        kind = info.kind;
    igp_error_clear(); /* not a medium: shoot.json, subtitles, notes... */
    /* A video whose length cannot be read still gets its reel: the run
     * names what is wrong with it. */
    if (kind == IGP_MEDIA_VIDEO && igp_probe(path, &info) == 0 && info.duration > 0 &&
        info.duration < MIN_VIDEO_SECONDS) {
        g_ptr_array_add(left_out,
                        g_strdup_printf(_("%s: %.1f s long, too short for a reel (at least 3 s): "
                                          "no post made for it"),
                                        name, info.duration));
        kind = IGP_MEDIA_UNKNOWN;
    }
    igp_error_clear();
    g_free(path);
    return kind;
}

static json_t *comment_lines(GPtrArray *left_out)
{
    json_t *lines = json_array();

    json_array_append_new(
        lines, json_string(_("Written by igprep init from this folder's photos and videos: one "
                             "feed post per photo, one reel per video. Keys beginning with \"_\" "
                             "are comments; igprep ignores them.")));
    json_array_append_new(
        lines, json_string(_("Fill in each post's \"schedule\", the date and time it goes out "
                             "(e.g. 2026-12-12T19:00, in the account's zone): a post whose "
                             "schedule is empty is not made.")));
    json_array_append_new(
        lines, json_string(_("Then write each \"caption\", and the \"alt\" text of feed posts "
                             "(one per image). \"title\" is the folder's name for now: reels "
                             "show it on their title card. Several photos in one post: "
                             "\"type\": \"carousel\". A template: \"template\" and \"text\" "
                             "(docs/templates.md).")));
    json_array_append_new(lines,
                          json_string(_("Every key: README.md, \"shoot.json (version 1)\".")));
    for (guint i = 0; i < left_out->len; i++)
        json_array_append_new(lines, json_string(g_ptr_array_index(left_out, i)));
    return lines;
}

/* One post for @p medium, numbered within its kind. */
static json_t *post_for(const Medium *medium, int number)
{
    int photo = medium->kind == IGP_MEDIA_IMAGE;
    char *id = g_strdup_printf(photo ? "feed-%02d" : "reel-%02d", number);
    json_t *post = json_object();

    json_object_set_new(
        post, "_comment",
        json_string(photo ? _("A feed post of one photo, cut to 4:5 (\"aspect\": \"1:1\" or "
                              "\"1.91:1\" for another shape; \"focus\": [x, y] on the media keeps "
                              "that point in the crop).")
                          : _("A reel, 3 s to 15 min (\"trim\": [start, end] in seconds on the "
                              "media shortens it; \"cover\": {\"at\": seconds} picks its cover "
                              "frame).")));
    json_object_set_new(post, "id", json_string(id));
    json_object_set_new(post, "type", json_string(photo ? "feed" : "reel"));
    json_object_set_new(post, "media", json_pack("[{s:s}]", "file", medium->name));
    json_object_set_new(post, "caption", json_string(""));
    json_object_set_new(post, "schedule", json_string(""));
    g_free(id);
    return post;
}

/* The shoot's name: its folder's, when the manifest can take it as one. */
static char *shoot_name(const char *dir)
{
    char *real = realpath(dir, NULL);
    char *name = g_path_get_basename(real ? real : dir);

    free(real);
    if (!*name || name[0] == '.' || strchr(name, '/') || strlen(name) > SHOOT_NAME_MAX ||
        !g_utf8_validate(name, -1, NULL)) {
        g_free(name);
        name = g_strdup("shoot");
    }
    return name;
}

static json_t *build_manifest(const char *dir, const Medium *media, int n, IgpScaffold *s)
{
    json_t *root = json_object(), *posts = json_array();
    char *name = shoot_name(dir);

    json_object_set_new(root, "_comment", comment_lines(s->left_out));
    json_object_set_new(root, "version", json_integer(IGP_MANIFEST_VERSION));
    json_object_set_new(root, "shoot", json_string(name));
    /* Templates take it when a post has no title of its own (a reel's title card). */
    json_object_set_new(root, "title", json_string(name));
    for (int i = 0; i < n; i++) {
        int *count = media[i].kind == IGP_MEDIA_IMAGE ? &s->feed_posts : &s->reels;
        json_array_append_new(posts, post_for(&media[i], ++*count));
    }
    json_object_set_new(root, "posts", posts);
    g_free(name);
    return root;
}

/* Write @p text to the new file @p tmp and sync it. */
static int write_new_file(const char *tmp, const char *text)
{
    size_t len = strlen(text), done = 0;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666), ret = 0;

    if (fd < 0)
        return igp_error(IGP_ERR(errno), tmp, _("cannot create: %s"), strerror(errno));
    while (done < len && ret == 0) {
        ssize_t n = write(fd, text + done, len - done);
        if (n < 0 && errno != EINTR)
            ret = igp_error(IGP_ERR(errno), tmp, _("cannot write: %s"), strerror(errno));
        else if (n > 0)
            done += (size_t)n;
    }
    if (ret == 0 && fsync(fd) != 0)
        ret = igp_error(IGP_ERR(errno), tmp, _("cannot write: %s"), strerror(errno));
    if (close(fd) != 0 && ret == 0)
        ret = igp_error(IGP_ERR(errno), tmp, _("cannot write: %s"), strerror(errno));
    return ret;
}

/* Read the written file back as igprep run will: it must load, with every post. */
static int check_written(const char *dir, const char *tmp, int posts)
{
    IgpManifest *m = NULL;
    int ret = igp_manifest_load_file(dir, tmp, NULL, &m);

    if (ret == 0 && m->n_posts != posts)
        ret = igp_error(IGP_ERR_INVALIDDATA, tmp, _("read back %d posts, wrote %d"), m->n_posts,
                        posts);
    igp_manifest_free(&m);
    return ret;
}

static int refuse_existing(const char *path)
{
    return igp_error(IGP_ERR(EEXIST), path,
                     _("already exists: igprep init never replaces it (rename or remove it to "
                       "start again)"));
}

/* Rename @p tmp to @p path unless @p path exists, atomically. */
static int place_new(const char *tmp, const char *path)
{
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno == EEXIST)
        return refuse_existing(path);
    if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
        return igp_error(IGP_ERR(errno), path, _("cannot rename into place: %s"), strerror(errno));
    /* A file system without RENAME_NOREPLACE: a hard link refuses an
     * existing name too. */
    if (link(tmp, path) == 0)
        return unlink(tmp), 0;
    if (errno == EEXIST)
        return refuse_existing(path);
    return igp_error(IGP_ERR(errno), path, _("cannot rename into place: %s"), strerror(errno));
}

/* The folder's media, in name order: the posts to write. */
static int find_media(const char *dir, IgpScaffold *s, Medium **media, int *n)
{
    GPtrArray *names = NULL;
    int ret = list_files(dir, &names);

    *media = NULL;
    *n = 0;
    if (ret)
        return ret;
    *media = g_new0(Medium, names->len ? names->len : 1);
    for (guint i = 0; i < names->len; i++) {
        const char *name = g_ptr_array_index(names, i);
        IgpMediaKind kind = medium_kind(dir, name, s->left_out);
        if (kind == IGP_MEDIA_IMAGE || kind == IGP_MEDIA_VIDEO)
            (*media)[(*n)++] = (Medium){g_strdup(name), kind};
    }
    g_ptr_array_free(names, TRUE);
    if (*n == 0)
        return igp_error(IGP_ERR_INVALIDDATA, dir,
                         _("no photo or video in this folder: nothing to write"));
    return 0;
}

int igp_scaffold_write(const char *shoot_dir, IgpScaffold *s)
{
    Medium *media = NULL;
    json_t *root = NULL;
    char *text = NULL, *tmp = NULL;
    int n = 0, ret;

    memset(s, 0, sizeof(*s));
    s->path = g_build_filename(shoot_dir, IGP_MANIFEST_NAME, NULL);
    s->left_out = g_ptr_array_new_with_free_func(g_free);
    /* Refused before any work; place_new() refuses again, atomically. */
    if (igp_path_exists(s->path))
        return refuse_existing(s->path);
    if ((ret = find_media(shoot_dir, s, &media, &n)) == 0) {
        root = build_manifest(shoot_dir, media, n, s);
        text = json_dumps(root, JSON_INDENT(2));
        if (text) { /* a text file ends with a newline */
            char *line = g_strconcat(text, "\n", NULL);
            free(text);
            text = line;
        }
        tmp = igp_temp_sibling(s->path);
        ret = text ? write_new_file(tmp, text)
                   : igp_error(IGP_ERR_LIBRARY, s->path, _("cannot format the manifest"));
        if (ret == 0 && text)
            ret = check_written(shoot_dir, tmp, n);
        if (ret == 0)
            ret = place_new(tmp, s->path);
        if (ret == 0)
            ret = igp_fsync_path(shoot_dir);
        else
            unlink(tmp); /* (fails harmlessly when it was never made) */
    }
    for (int i = 0; i < n; i++)
        g_free(media[i].name);
    g_free(media);
    json_decref(root);
    g_free(text);
    g_free(tmp);
    return ret;
}

void igp_scaffold_clear(IgpScaffold *s)
{
    g_free(s->path);
    if (s->left_out)
        g_ptr_array_free(s->left_out, TRUE);
    memset(s, 0, sizeof(*s));
}
