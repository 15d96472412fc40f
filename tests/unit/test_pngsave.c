/* pngsave: the PNG libpng writes decodes (libvips' own reader) to exactly
 * the pixels given, carries no metadata chunk, and anything but 8-bit RGB
 * is refused with a message. */
#include "check.h"
#include "error.h"
#include "pngsave.h"
#include "pngwalk.h"

#include <stdio.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <vips/vips.h>

/* A w × h RGB picture of gradients and noise, in memory. */
static VipsImage *test_picture(int w, int h)
{
    guint8 *px = g_malloc((size_t)w * h * 3);
    VipsImage *img;

    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            guint8 *p = px + ((size_t)y * w + x) * 3;
            p[0] = (guint8)x, p[1] = (guint8)(y * 3), p[2] = (guint8)g_random_int_range(0, 256);
        }
    img = vips_image_new_from_memory_copy(px, (size_t)w * h * 3, w, h, 3, VIPS_FORMAT_UCHAR);
    g_free(px);
    return img;
}

static void test_round_trip(void)
{
    VipsImage *img = test_picture(301, 97), *back = NULL;
    void *png = NULL;
    size_t len = 0, a_len = 0, b_len = 0;
    guint8 *a, *b;
    char *path = NULL; /* a new file in $TMPDIR (or /tmp), removed at the end */
    GError *error = NULL;
    /* g_file_open_tmp() puts a unique name in place of the six X's. */
    int fd = g_file_open_tmp("igp-pngsave-XXXXXX.png", &path, &error);
    IgpPngWalk walk;

    if (fd < 0) { /* the walk below cannot run: say why, and fail */
        fprintf(stderr, "cannot make a temporary file: %s\n", error->message);
        g_error_free(error);
    }

    CHECK_INT(igp_png_encode(img, "test", &png, &len), 0);
    CHECK(png && len > 8 && !memcmp(png, "\x89PNG", 4));
    CHECK(!vips_pngload_buffer(png, len, &back, NULL));
    CHECK(back && back->Xsize == 301 && back->Ysize == 97 && back->Bands == 3);
    a = vips_image_write_to_memory(img, &a_len);
    b = back ? vips_image_write_to_memory(back, &b_len) : NULL;
    CHECK(a && b && a_len == b_len && !memcmp(a, b, a_len));
    /* no chunk that could carry metadata */
    CHECK(fd >= 0);
    if (fd >= 0) {
        CHECK(write(fd, png, len) == (ssize_t)len);
        close(fd);
        memset(&walk, 0, sizeof(walk));
        CHECK(igp_png_walk(path, &walk) == 0);
        CHECK_INT(walk.found.n, 0);
        CHECK_INT(walk.trailing_bytes, 0);
        g_unlink(path);
    }
    g_free(path);
    g_free(a);
    g_free(b);
    g_free(png);
    if (back)
        g_object_unref(back);
    g_object_unref(img);
}

static void test_refuses_other_formats(void)
{
    VipsImage *img = test_picture(16, 16), *rgba = NULL;
    void *png = NULL;
    size_t len = 0;

    CHECK(!vips_bandjoin_const1(img, &rgba, 255, NULL));
    igp_error_clear();
    CHECK(igp_png_encode(rgba, "sheet.png", &png, &len) < 0);
    CHECK(png == NULL && len == 0);
    CHECK(strstr(igp_error_buffer(), "sheet.png: cannot write PNG") != NULL);
    g_object_unref(rgba);
    g_object_unref(img);
}

int main(int argc, char **argv)
{
    (void)argc;
    if (VIPS_INIT(argv[0]))
        return 1;
    test_round_trip();
    test_refuses_other_formats();
    return check_done();
}
