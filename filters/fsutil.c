#include "fsutil.h"
#include "error.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

enum { HASH_CHUNK = 1 << 16 };

int igp_hash_file(const char *path, IgpDigest *out)
{
    GChecksum *sum = NULL;
    unsigned char *buf = NULL;
    ssize_t n;
    int fd, ret = 0;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return igp_error(IGP_ERR(errno), path, "cannot open: %s", strerror(errno));
    sum = g_checksum_new(G_CHECKSUM_SHA256);
    buf = g_malloc(HASH_CHUNK);
    while ((n = read(fd, buf, HASH_CHUNK)) > 0)
        g_checksum_update(sum, buf, n);
    if (n < 0)
        ret = igp_error(IGP_ERR(errno), path, "cannot read: %s", strerror(errno));
    else
        g_strlcpy(out->hex, g_checksum_get_string(sum), sizeof(out->hex));
    g_checksum_free(sum);
    g_free(buf);
    close(fd);
    return ret;
}

void igp_hash_bytes(const void *data, size_t len, IgpDigest *out)
{
    char *hex = g_compute_checksum_for_data(G_CHECKSUM_SHA256, data, len);
    g_strlcpy(out->hex, hex, sizeof(out->hex));
    g_free(hex);
}

int igp_mkdir_p(const char *path)
{
    if (g_mkdir_with_parents(path, 0777) != 0)
        return igp_error(IGP_ERR(errno), path, "cannot create folder: %s", strerror(errno));
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
        return igp_error(IGP_ERR(errno), path, "cannot open to sync: %s", strerror(errno));
    if (fsync(fd) != 0 && errno != EINVAL)
        ret = igp_error(IGP_ERR(errno), path, "cannot sync: %s", strerror(errno));
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
        ret = igp_error(IGP_ERR(errno), path, "cannot create: %s", strerror(errno));
        g_free(tmp);
        return ret;
    }
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            ret = igp_error(IGP_ERR(errno), path, "cannot write: %s", strerror(errno));
            break;
        }
        p += n;
        len -= (size_t)n;
    }
    if (ret == 0 && fsync(fd) != 0)
        ret = igp_error(IGP_ERR(errno), path, "cannot sync: %s", strerror(errno));
    if (close(fd) != 0 && ret == 0)
        ret = igp_error(IGP_ERR(errno), path, "cannot write: %s", strerror(errno));
    if (ret == 0 && rename(tmp, path) != 0)
        ret = igp_error(IGP_ERR(errno), path, "cannot rename into place: %s", strerror(errno));
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
            ret = igp_error(IGP_ERR(errno), final_path, "cannot move old version aside: %s",
                            strerror(errno));
            g_free(aside);
            return ret;
        }
    }
    if (rename(tmp_path, final_path) != 0) {
        ret =
            igp_error(IGP_ERR(errno), final_path, "cannot rename into place: %s", strerror(errno));
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
        return errno == ENOENT ? 0 : igp_error(IGP_ERR(errno), path, "%s", strerror(errno));
    if (!S_ISDIR(st.st_mode)) {
        if (unlink(path) != 0)
            return igp_error(IGP_ERR(errno), path, "cannot delete: %s", strerror(errno));
        return 0;
    }
    dir = opendir(path);
    if (!dir)
        return igp_error(IGP_ERR(errno), path, "cannot open folder: %s", strerror(errno));
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
        return igp_error(IGP_ERR(errno), path, "cannot delete folder: %s", strerror(errno));
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
        ret = igp_error(IGP_ERR(errno), dir, "cannot write here: %s", strerror(errno));
    else if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);
        ret = igp_error(IGP_ERR(EBUSY), dir, "another igprep run is using this folder");
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
