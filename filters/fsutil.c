#include "fsutil.h"
#include "error.h"
#include "i18n.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

enum { HASH_CHUNK = 1 << 16 };

/* @p digest (32 bytes) as 64 lowercase hex digits, as GLib's GChecksum
 * wrote them before (state files keep these). */
static void digest_hex(const unsigned char *digest, IgpDigest *out)
{
    static const char hex[] = "0123456789abcdef";

    for (int i = 0; i < 32; i++) {
        out->hex[2 * i] = hex[digest[i] >> 4];
        out->hex[2 * i + 1] = hex[digest[i] & 15];
    }
    out->hex[64] = '\0';
}

int igp_hash_file(const char *path, IgpDigest *out)
{
    EVP_MD_CTX *ctx = NULL;
    unsigned char *buf = NULL, digest[EVP_MAX_MD_SIZE];
    ssize_t n = 0;
    int fd, ret = 0;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return igp_error(IGP_ERR(errno), path, _("cannot open: %s"), igp_strerror(errno));
    ctx = EVP_MD_CTX_new();
    if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
        ret = igp_error(IGP_ERR_LIBRARY, path, _("cannot compute the SHA-256 digest"));
    buf = g_malloc(HASH_CHUNK);
    while (ret == 0 && (n = read(fd, buf, HASH_CHUNK)) > 0)
        EVP_DigestUpdate(ctx, buf, (size_t)n);
    if (ret == 0 && n < 0)
        ret = igp_error(IGP_ERR(errno), path, _("cannot read: %s"), igp_strerror(errno));
    else if (ret == 0 && EVP_DigestFinal_ex(ctx, digest, NULL))
        digest_hex(digest, out);
    else if (ret == 0)
        ret = igp_error(IGP_ERR_LIBRARY, path, _("cannot compute the SHA-256 digest"));
    EVP_MD_CTX_free(ctx);
    g_free(buf);
    close(fd);
    return ret;
}

void igp_hash_bytes(const void *data, size_t len, IgpDigest *out)
{
    unsigned char digest[SHA256_DIGEST_LENGTH];

    SHA256(data, len, digest);
    digest_hex(digest, out);
}

int igp_mkdir_p(const char *path)
{
    if (g_mkdir_with_parents(path, 0777) != 0)
        return igp_error(IGP_ERR(errno), path, _("cannot create folder: %s"), igp_strerror(errno));
    return 0;
}

char *igp_temp_sibling(const char *final_path)
{
    static int counter; /* only needs to differ between calls of one process */
    char *dir = g_path_get_dirname(final_path);
    char *base = g_path_get_basename(final_path);
    char *tmp = g_strdup_printf("%s/.%s.tmp-%ld-%d", dir, base, (long)getpid(),
                                g_atomic_int_add(&counter, 1));
    g_free(dir);
    g_free(base);
    return tmp;
}

int igp_fsync_path(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int ret = 0;

    if (fd < 0)
        return igp_error(IGP_ERR(errno), path, _("cannot open to sync: %s"), igp_strerror(errno));
    if (fsync(fd) != 0 && errno != EINVAL)
        ret = igp_error(IGP_ERR(errno), path, _("cannot sync: %s"), igp_strerror(errno));
    close(fd);
    return ret;
}

static int fsync_parent(const char *path)
{
    char *dir = g_path_get_dirname(path);
    int ret = igp_fsync_path(dir);
    g_free(dir);
    return ret;
}

int igp_write_file_atomic(const char *path, const void *data, size_t len)
{
    char *tmp = igp_temp_sibling(path);
    const char *p = data;
    int fd, ret = 0;

    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) {
        ret = igp_error(IGP_ERR(errno), path, _("cannot create: %s"), igp_strerror(errno));
        g_free(tmp);
        return ret;
    }
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            ret = igp_error(IGP_ERR(errno), path, _("cannot write: %s"), igp_strerror(errno));
            break;
        }
        p += n;
        len -= (size_t)n;
    }
    if (ret == 0 && fsync(fd) != 0)
        ret = igp_error(IGP_ERR(errno), path, _("cannot sync: %s"), igp_strerror(errno));
    if (close(fd) != 0 && ret == 0)
        ret = igp_error(IGP_ERR(errno), path, _("cannot write: %s"), igp_strerror(errno));
    if (ret == 0 && rename(tmp, path) != 0)
        ret =
            igp_error(IGP_ERR(errno), path, _("cannot rename into place: %s"), igp_strerror(errno));
    if (ret != 0)
        unlink(tmp);
    else
        ret = fsync_parent(path);
    g_free(tmp);
    return ret;
}

int igp_publish(const char *tmp_path, const char *final_path)
{
    struct stat st;
    char *aside = NULL;
    int ret = 0;

    /* rename() replaces a file atomically but refuses a non-empty folder:
     * move the old folder aside first, so the final name is briefly absent
     * but never half-written. */
    if (lstat(final_path, &st) == 0 && S_ISDIR(st.st_mode)) {
        aside = igp_temp_sibling(final_path);
        if (rename(final_path, aside) != 0) {
            ret = igp_error(IGP_ERR(errno), final_path, _("cannot move old version aside: %s"),
                            igp_strerror(errno));
            g_free(aside);
            return ret;
        }
    }
    if (rename(tmp_path, final_path) != 0) {
        ret = igp_error(IGP_ERR(errno), final_path, _("cannot rename into place: %s"),
                        igp_strerror(errno));
        if (aside && rename(aside, final_path) == 0) /* put the old version back */
            g_clear_pointer(&aside, g_free);
    }
    if (ret == 0)
        ret = fsync_parent(final_path);
    if (aside) {
        igp_remove_tree(aside);
        g_free(aside);
    }
    return ret;
}

int igp_remove_tree(const char *path)
{
    struct stat st;
    DIR *dir;
    struct dirent *ent;

    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : igp_error(IGP_ERR(errno), path, "%s", igp_strerror(errno));
    if (!S_ISDIR(st.st_mode)) {
        if (unlink(path) != 0)
            return igp_error(IGP_ERR(errno), path, _("cannot delete: %s"), igp_strerror(errno));
        return 0;
    }
    dir = opendir(path);
    if (!dir)
        return igp_error(IGP_ERR(errno), path, _("cannot open folder: %s"), igp_strerror(errno));
    while ((ent = readdir(dir)) != NULL) {
        char *child;
        if (!strcmp(ent->d_name, ".") || !strcmp(ent->d_name, ".."))
            continue;
        child = g_build_filename(path, ent->d_name, NULL);
        igp_remove_tree(child);
        g_free(child);
    }
    closedir(dir);
    if (rmdir(path) != 0)
        return igp_error(IGP_ERR(errno), path, _("cannot delete folder: %s"), igp_strerror(errno));
    return 0;
}

int64_t igp_file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (int64_t)st.st_size : -1;
}

int igp_path_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

int igp_lock_folder(const char *dir)
{
    char *lock_path = g_build_filename(dir, ".igprep.lock", NULL);
    int fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0666), ret = 0;

    if (fd < 0)
        ret = igp_error(IGP_ERR(errno), dir, _("cannot write here: %s"), igp_strerror(errno));
    else if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);
        ret = igp_error(IGP_ERR(EBUSY), dir, _("another igprep run is using this folder"));
    }
    g_free(lock_path);
    return ret ? ret : fd;
}

void igp_sweep_temporaries(const char *dir_path)
{
    GDir *dir = g_dir_open(dir_path, 0, NULL);
    const char *name;

    while (dir && (name = g_dir_read_name(dir))) {
        if (name[0] == '.' && strstr(name, ".tmp-")) {
            char *path = g_build_filename(dir_path, name, NULL);
            igp_remove_tree(path);
            g_free(path);
        }
    }
    if (dir)
        g_dir_close(dir);
}

/* ---- reading the files users write ---- */

enum { MIB = 1024 * 1024, MAX_CAP_MIB = 4096 };

static const struct {
    const char *env;
    const char *what;
    size_t default_mib;
} read_kinds[] = {
    [IGP_READ_JSON] = {"IGPREP_MAX_JSON_MB", N_("JSON files"), 16},
    [IGP_READ_SRT] = {"IGPREP_MAX_SRT_MB", N_("subtitle files"), 4},
    [IGP_READ_ARTWORK] = {"IGPREP_MAX_ARTWORK_MB", N_("artwork files"), 16},
};

int igp_read_cap(IgpReadKind kind, size_t *cap)
{
    const char *env = g_getenv(read_kinds[kind].env);
    char *end = NULL;
    guint64 mib;

    *cap = read_kinds[kind].default_mib * MIB;
    if (!env || !*env)
        return 0;
    mib = g_ascii_strtoull(env, &end, 10);
    if (*end || mib < 1 || mib > MAX_CAP_MIB || !g_ascii_isdigit(env[0]))
        return igp_error(IGP_ERR_INVALIDDATA, read_kinds[kind].env,
                         _("'%s' is not a size in MiB from 1 to %d"), env, MAX_CAP_MIB);
    *cap = (size_t)mib * MIB;
    return 0;
}

const char *igp_file_kind(mode_t mode)
{
    if (S_ISREG(mode))
        return _("a regular file");
    if (S_ISDIR(mode))
        return _("a folder");
    if (S_ISFIFO(mode))
        return _("a FIFO");
    if (S_ISCHR(mode))
        return _("a character device");
    if (S_ISBLK(mode))
        return _("a block device");
    if (S_ISSOCK(mode))
        return _("a socket");
    if (S_ISLNK(mode))
        return _("a symbolic link");
    return _("a special file");
}

static int not_regular(const char *path, mode_t mode)
{
    return igp_error(IGP_ERR_INVALIDDATA, path, _("is %s, not a regular file"),
                     igp_file_kind(mode));
}

static int over_cap(const char *path, uint64_t size, size_t cap, const char *what)
{
    if (cap % MIB == 0)
        return igp_error(IGP_ERR_INVALIDDATA, path, _("is %.1f MiB, over the %zu MiB limit for %s"),
                         (double)size / MIB, cap / MIB, what);
    return igp_error(IGP_ERR_INVALIDDATA, path, _("is %llu bytes, over the %zu-byte limit for %s"),
                     (unsigned long long)size, cap, what);
}

/* Read at most @p cap + 1 bytes of @p fd; *got tells how many came. */
static int read_capped(int fd, const char *path, size_t hint, size_t cap, char **data, size_t *got)
{
    size_t room = MIN(hint, cap) + 1, n = 0;
    char *buf = g_malloc(room + 1);

    for (;;) {
        ssize_t r;
        if (n == room) {
            if (room > cap) /* cap + 1 bytes read: over the cap */
                break;
            room = MIN(room * 2, cap + 1);
            buf = g_realloc(buf, room + 1);
        }
        r = read(fd, buf + n, room - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int ret = igp_error(IGP_ERR(errno), path, _("cannot read: %s"), igp_strerror(errno));
            g_free(buf);
            return ret;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    buf[n] = '\0';
    *data = buf;
    *got = n;
    return 0;
}

int igp_read_regular_file(const char *path, size_t cap, const char *what, char **data, size_t *len)
{
    struct stat st;
    char *buf = NULL;
    size_t n = 0;
    int fd, ret;

    *data = NULL;
    *len = 0;
    /* Look before opening: opening some devices has effects of its own. */
    if (stat(path, &st) != 0)
        return igp_error(IGP_ERR(errno), path, _("cannot read: %s"), igp_strerror(errno));
    if (!S_ISREG(st.st_mode))
        return not_regular(path, st.st_mode);
    /* O_NONBLOCK: should it have become a FIFO since, open does not wait. */
    fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return igp_error(IGP_ERR(errno), path, _("cannot read: %s"), igp_strerror(errno));
    if (fstat(fd, &st) != 0)
        ret = igp_error(IGP_ERR(errno), path, _("cannot read: %s"), igp_strerror(errno));
    else if (!S_ISREG(st.st_mode))
        ret = not_regular(path, st.st_mode);
    else if ((uint64_t)st.st_size > cap)
        ret = over_cap(path, (uint64_t)st.st_size, cap, what);
    else
        ret = read_capped(fd, path, (size_t)st.st_size, cap, &buf, &n);
    close(fd);
    if (ret == 0 && n > cap) /* it grew while being read */
        ret = over_cap(path, n, cap, what);
    if (ret) {
        g_free(buf);
        return ret;
    }
    *data = buf;
    *len = n;
    return 0;
}

int igp_read_user_file(const char *path, IgpReadKind kind, char **data, size_t *len)
{
    size_t cap;
    char *what;
    int ret = igp_read_cap(kind, &cap);

    *data = NULL;
    *len = 0;
    if (ret)
        return ret;
    what = g_strdup_printf(_("%s (set %s to change it)"), _(read_kinds[kind].what),
                           read_kinds[kind].env);
    ret = igp_read_regular_file(path, cap, what, data, len);
    g_free(what);
    return ret;
}

static int has_dot_dot(const char *relative)
{
    char **parts = g_strsplit(relative, "/", -1);
    int found = 0;

    for (int i = 0; parts[i] && !found; i++)
        found = !strcmp(parts[i], "..");
    g_strfreev(parts);
    return found;
}

/* Is @p path @p root itself or below it? Both are real paths. */
static int is_below(const char *root, const char *path)
{
    size_t n = strlen(root);

    if (!strcmp(root, "/"))
        return 1;
    return !strncmp(root, path, n) && (path[n] == '/' || path[n] == '\0');
}

int igp_relative_name_check(const char *relative, const char **why)
{
    *why = !*relative                     ? _("is empty")
           : g_path_is_absolute(relative) ? _("is an absolute path")
           : has_dot_dot(relative)        ? _("uses '..'")
                                          : NULL;
    return *why ? IGP_ERR_INVALIDDATA : 0;
}

int igp_path_inside(const char *folder, const char *relative, char **resolved, const char **why)
{
    char *root = NULL, *joined = NULL, *real = NULL;
    int ret;

    *resolved = NULL;
    if ((ret = igp_relative_name_check(relative, why)))
        return ret;
    if (!(root = realpath(folder, NULL))) {
        *why = _("is in a folder that cannot be read");
        return IGP_ERR(errno);
    }
    joined = g_build_filename(root, relative, NULL);
    if (!(real = realpath(joined, NULL))) {
        ret = errno == ENOTDIR ? IGP_ERR(ENOENT) : IGP_ERR(errno);
        *why = ret == IGP_ERR(ENOENT) ? _("does not exist")
               : errno == ELOOP       ? _("is a loop of symbolic links")
                                      : _("cannot be resolved");
    } else if (!is_below(root, real)) {
        *why = _("is a symbolic link to a file outside it");
        ret = IGP_ERR_POLICY;
    } else {
        *resolved = g_strdup(real);
    }
    free(root);
    free(real);
    g_free(joined);
    return ret;
}
