#include "fuzz_common.h"
#include "error.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

static char *fuzz_dir;

void igp_fuzz_die(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz: set-up failed: %s: %s\n", what, detail);
    exit(2);
}

int igp_fuzz_report(int ret)
{
    static int verbose = -1;

    if (verbose < 0)
        verbose = getenv("IGP_FUZZ_VERBOSE") != NULL;
    if (verbose)
        fprintf(stderr, "fuzz: %s\n", ret ? igp_error_buffer() : "ok");
    return ret;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static void remove_fuzz_dir(void)
{
    if (fuzz_dir)
        nftw(fuzz_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

const char *igp_fuzz_dir(void)
{
    GError *err = NULL;

    if (fuzz_dir)
        return fuzz_dir;
    fuzz_dir = g_dir_make_tmp("igp-fuzz-XXXXXX", &err);
    if (!fuzz_dir)
        igp_fuzz_die("cannot make a folder in $TMPDIR", err->message);
    atexit(remove_fuzz_dir);
    return fuzz_dir;
}

const char *igp_fuzz_path(const char *name)
{
    static GHashTable *paths;
    char *path;

    if (!paths)
        paths = g_hash_table_new(g_str_hash, g_str_equal);
    path = g_hash_table_lookup(paths, name);
    if (!path) {
        path = g_build_filename(igp_fuzz_dir(), name, NULL);
        g_hash_table_insert(paths, g_strdup(name), path);
    }
    return path;
}

void igp_fuzz_write(const char *path, const uint8_t *data, size_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    size_t done = 0;

    if (fd < 0)
        igp_fuzz_die(path, strerror(errno));
    while (done < size) {
        ssize_t n = write(fd, data + done, size - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            igp_fuzz_die(path, n < 0 ? strerror(errno) : "short write");
        done += (size_t)n;
    }
    if (close(fd) != 0)
        igp_fuzz_die(path, strerror(errno));
}

void igp_fuzz_copy(const char *from, const char *to)
{
    GError *err = NULL;
    gchar *text = NULL;
    gsize len = 0;

    if (!g_file_get_contents(from, &text, &len, &err))
        igp_fuzz_die(from, err->message);
    igp_fuzz_write(to, (const uint8_t *)text, len);
    g_free(text);
}

void igp_fuzz_mkdir(const char *path)
{
    if (g_mkdir_with_parents(path, 0700) != 0)
        igp_fuzz_die(path, strerror(errno));
}
