/* The ISO-BMFF box walker: a box's 64-bit size is checked against what is
 * left of its container, whatever its value (found by fuzz/fuzz_bmffwalk.c). */
#include "bmffwalk.h"
#include "check.h"
#include "error.h"

#include <glib.h>
#include <glib/gstdio.h>

static char *dir;

static int walk_bytes(const char *name, const guint8 *data, gsize len, IgpBmffWalk *w)
{
    char *path = g_build_filename(dir, name, NULL);
    int ret;

    g_file_set_contents(path, (const char *)data, (gssize)len, NULL);
    igp_error_clear();
    ret = igp_bmff_walk(path, w);
    g_unlink(path);
    g_free(path);
    return ret;
}

/* ftyp, then a 'free' box of 64-bit size @p size (header only), then a box
 * of size 0 ("to the end"). */
static int walk_largesize(guint64 size, IgpBmffWalk *w)
{
    guint8 file[20 + 16 + 8] = {0, 0, 0,   20,  'f', 't', 'y', 'p', 'i', 's', 'o', 'm', 0,   0,
                                2, 0, 'i', 's', 'o', 'm', 0,   0,   0,   1,   'f', 'r', 'e', 'e'};
    for (int i = 0; i < 8; i++)
        file[28 + i] = (guint8)(size >> (56 - 8 * i));
    memcpy(file + 36, "\0\0\0\0skip", 8);
    return walk_bytes("largesize.mp4", file, sizeof(file), w);
}

static void test_largesize(void)
{
    IgpBmffWalk w;

    /* The exact size: a well-formed file. */
    CHECK_INT(walk_largesize(16, &w), 0);
    /* One byte more than the file holds. */
    CHECK_INT(walk_largesize(16 + 8 + 1, &w), IGP_ERR_INVALIDDATA);
    CHECK_CONTAINS(igp_error_buffer(), "box 'free' at byte 20 overruns its container");
    /* Sizes that are negative as an off_t: the walk went backwards, read
     * boxes where there are none and called the file well-formed. */
    CHECK_INT(walk_largesize(G_GUINT64_CONSTANT(0xfffffffffffffff0), &w), IGP_ERR_INVALIDDATA);
    CHECK_CONTAINS(igp_error_buffer(), "box 'free' at byte 20 overruns its container");
    CHECK_INT(walk_largesize(G_GUINT64_CONSTANT(0x8000000000000000), &w), IGP_ERR_INVALIDDATA);
    CHECK_INT(walk_largesize(G_MAXUINT64, &w), IGP_ERR_INVALIDDATA);
}

int main(void)
{
    dir = g_dir_make_tmp("igp-bmffwalk-XXXXXX", NULL);
    test_largesize();
    g_rmdir(dir);
    g_free(dir);
    return check_done();
}
