/* Reading users' files (fsutil.h): only regular files, under a cap, never
 * waiting on a FIFO; paths that stay inside their folder. */
#include "check.h"
#include "error.h"
#include "fsutil.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

static char *dir;

static char *in_dir(const char *name)
{
    return g_build_filename(dir, name, NULL);
}

static void put(const char *name, const char *content)
{
    char *path = in_dir(name);
    g_file_set_contents(path, content, -1, NULL);
    g_free(path);
}

/* Read @p name with @p cap; return the error buffer ("" on success). */
static const char *read_named(const char *name, size_t cap, int want)
{
    char *path = in_dir(name), *data = (char *)"x";
    size_t len = 99;
    int ret;

    igp_error_clear();
    ret = igp_read_regular_file(path, cap, "test files", &data, &len);
    CHECK_INT(ret, want);
    if (ret) {
        CHECK(data == NULL && len == 0);
        CHECK_CONTAINS(igp_error_buffer(), path);
    }
    g_free(data);
    g_free(path);
    return igp_error_buffer();
}

static void test_read(void)
{
    char *path = in_dir("five.txt"), *data = NULL;
    size_t len = 0;

    put("five.txt", "12345");
    CHECK_INT(igp_read_regular_file(path, 5, "test files", &data, &len), 0);
    CHECK_INT(len, 5);
    CHECK(data && !strcmp(data, "12345")); /* NUL-terminated */
    g_free(data);
    g_free(path);
    CHECK_CONTAINS(read_named("five.txt", 4, IGP_ERR_INVALIDDATA),
                   "over the 4-byte limit for test files");
    CHECK_CONTAINS(read_named("none.txt", 4, IGP_ERR(ENOENT)), "cannot read");

    path = in_dir("fifo");
    CHECK_INT(mkfifo(path, 0600), 0);
    g_free(path);
    /* No writer: reading would wait forever; it must be refused at once. */
    CHECK_CONTAINS(read_named("fifo", 100, IGP_ERR_INVALIDDATA), "is a FIFO, not a regular file");
    CHECK_INT(mkdir(path = in_dir("folder"), 0700), 0);
    g_free(path);
    CHECK_CONTAINS(read_named("folder", 100, IGP_ERR_INVALIDDATA),
                   "is a folder, not a regular file");
    CHECK_INT(symlink("/dev/zero", path = in_dir("zero")), 0);
    g_free(path);
    CHECK_CONTAINS(read_named("zero", 100, IGP_ERR_INVALIDDATA), "is a character device");
    CHECK_INT(symlink("five.txt", path = in_dir("link")), 0);
    g_free(path);
    CHECK_CONTAINS(read_named("link", 100, 0), ""); /* a link to a regular file is read */
}

static void test_caps(void)
{
    size_t cap = 0;
    char *path = in_dir("big.json"), *data = NULL;
    size_t len = 0;
    GString *big = g_string_new(NULL);

    g_unsetenv("IGPREP_MAX_JSON_MB");
    CHECK_INT(igp_read_cap(IGP_READ_JSON, &cap), 0);
    CHECK_INT(cap, 16 << 20);
    CHECK_INT(igp_read_cap(IGP_READ_SRT, &cap), 0);
    CHECK_INT(cap, 4 << 20);
    CHECK_INT(igp_read_cap(IGP_READ_ARTWORK, &cap), 0);
    CHECK_INT(cap, 16 << 20);
    g_setenv("IGPREP_MAX_JSON_MB", "1", TRUE);
    CHECK_INT(igp_read_cap(IGP_READ_JSON, &cap), 0);
    CHECK_INT(cap, 1 << 20);
    g_string_set_size(big, (1 << 20) + 1);
    memset(big->str, ' ', big->len);
    put("big.json", big->str);
    igp_error_clear();
    CHECK_INT(igp_read_user_file(path, IGP_READ_JSON, &data, &len), IGP_ERR_INVALIDDATA);
    CHECK_CONTAINS(igp_error_buffer(),
                   "over the 1 MiB limit for JSON files (set IGPREP_MAX_JSON_MB");
    g_setenv("IGPREP_MAX_JSON_MB", "2", TRUE);
    CHECK_INT(igp_read_user_file(path, IGP_READ_JSON, &data, &len), 0);
    CHECK_INT(len, (1 << 20) + 1);
    g_free(data);
    for (const char *bad = "0\0-1\0x\0 5\0"
                           "5000\0";
         *bad; bad += strlen(bad) + 1) {
        g_setenv("IGPREP_MAX_JSON_MB", bad, TRUE);
        igp_error_clear();
        CHECK_INT(igp_read_cap(IGP_READ_JSON, &cap), IGP_ERR_INVALIDDATA);
        CHECK_CONTAINS(igp_error_buffer(), "IGPREP_MAX_JSON_MB");
    }
    g_unsetenv("IGPREP_MAX_JSON_MB");
    g_string_free(big, TRUE);
    g_free(path);
}

/* igp_path_inside(): its result and, on failure, the reason. */
static void inside(const char *relative, int want, const char *want_why)
{
    char *resolved = NULL;
    const char *why = NULL;
    char *shoot = in_dir("shoot");
    int ret = igp_path_inside(shoot, relative, &resolved, &why);

    CHECK_INT(ret, want);
    if (want == 0) {
        CHECK(resolved != NULL && g_str_has_prefix(resolved, "/") && why == NULL);
    } else {
        CHECK(resolved == NULL);
        CHECK_CONTAINS(why, want_why);
    }
    g_free(resolved);
    g_free(shoot);
}

static void test_inside(void)
{
    char *path;

    CHECK_INT(mkdir(path = in_dir("shoot"), 0700), 0);
    g_free(path);
    CHECK_INT(mkdir(path = in_dir("shoot/sub"), 0700), 0);
    g_free(path);
    put("shoot/a.srt", "x");
    put("secret.srt", "x");
    CHECK_INT(symlink("a.srt", path = in_dir("shoot/inner.srt")), 0);
    g_free(path);
    CHECK_INT(symlink("../secret.srt", path = in_dir("shoot/out.srt")), 0);
    g_free(path);
    CHECK_INT(symlink("..", path = in_dir("shoot/up")), 0);
    g_free(path);
    CHECK_INT(symlink("loop", path = in_dir("shoot/loop")), 0);
    g_free(path);

    inside("a.srt", 0, NULL);
    inside("sub/../a.srt", IGP_ERR_INVALIDDATA, "uses '..'");
    inside("../secret.srt", IGP_ERR_INVALIDDATA, "uses '..'");
    inside("/etc/passwd", IGP_ERR_INVALIDDATA, "is an absolute path");
    inside("", IGP_ERR_INVALIDDATA, "is empty");
    inside("inner.srt", 0, NULL); /* a link to a file inside: fine */
    inside("out.srt", IGP_ERR_POLICY, "is a symbolic link to a file outside it");
    inside("up/secret.srt", IGP_ERR_POLICY, "is a symbolic link to a file outside it");
    inside("missing.srt", IGP_ERR(ENOENT), "does not exist");
    inside("a.srt/x", IGP_ERR(ENOENT), "does not exist");
    inside("loop", IGP_ERR(ELOOP), "loop");
    inside("./sub", 0, NULL);
}

int main(void)
{
    dir = g_dir_make_tmp("igp-fsutil-XXXXXX", NULL);
    test_read();
    test_caps();
    test_inside();
    igp_remove_tree(dir);
    g_free(dir);
    return check_done();
}
