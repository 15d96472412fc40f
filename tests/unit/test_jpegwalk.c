/* The independent JPEG walker finds every segment that may carry metadata. */
#include "check.h"
#include "error.h"
#include "jpegwalk.h"

#include <glib.h>
#include <lcms2.h>
#include <vips/vips.h>

static char *dir;
static GByteArray *clean; /* a metadata-free JPEG made by libvips */

static char *write_variant(const char *name, const guint8 *data, gsize len)
{
    char *path = g_build_filename(dir, name, NULL);
    g_file_set_contents(path, (const char *)data, (gssize)len, NULL);
    return path;
}

/* The clean JPEG with one segment (marker + payload) inserted after SOI. */
static char *with_segment(const char *name, int marker, const void *payload, size_t len)
{
    GByteArray *b = g_byte_array_new();
    guint8 head[4] = {0xff, (guint8)marker, (guint8)((len + 2) >> 8), (guint8)((len + 2) & 0xff)};
    char *path;

    g_byte_array_append(b, clean->data, 2);
    g_byte_array_append(b, head, 4);
    g_byte_array_append(b, payload, (guint)len);
    g_byte_array_append(b, clean->data + 2, clean->len - 2);
    path = write_variant(name, b->data, b->len);
    g_byte_array_free(b, TRUE);
    return path;
}

static void make_clean(void)
{
    VipsImage *img = NULL;
    void *buf = NULL;
    size_t len = 0;
    CHECK(vips_black(&img, 64, 48, "bands", 3, NULL) == 0);
    CHECK(vips_jpegsave_buffer(img, &buf, &len, "strip", TRUE, NULL) == 0);
    clean = g_byte_array_new();
    g_byte_array_append(clean, buf, (guint)len);
    g_free(buf);
    g_object_unref(img);
}

static void icc_segment(cmsHPROFILE profile, GByteArray *seg)
{
    cmsUInt32Number n = 0;
    static const guint8 id[14] = "ICC_PROFILE\0\1\1";
    cmsSaveProfileToMem(profile, NULL, &n);
    guint8 *data = g_malloc(n);
    cmsSaveProfileToMem(profile, data, &n);
    g_byte_array_append(seg, id, 14);
    g_byte_array_append(seg, data, n);
    g_free(data);
    cmsCloseProfile(profile);
}

int main(int argc, char **argv)
{
    IgpJpegWalk w;
    char *path;
    (void)argc;

    if (VIPS_INIT(argv[0]))
        return 1;
    dir = g_dir_make_tmp("igp-jpegwalk-XXXXXX", NULL);
    make_clean();

    path = write_variant("clean.jpg", clean->data, clean->len);
    CHECK_INT(igp_jpeg_walk(path, &w), 0);
    CHECK_INT(w.width, 64);
    CHECK_INT(w.height, 48);
    CHECK_INT(w.components, 3);
    CHECK_INT(w.frames, 1);
    CHECK_INT(w.found.n, 0);
    CHECK_INT(w.trailing_bytes, 0);
    g_free(path);

    path = with_segment("exif.jpg", 0xe1, "Exif\0\0MM\0*\0\0\0\x08", 14);
    CHECK_INT(igp_jpeg_walk(path, &w), 0);
    CHECK_INT(w.found.n, 1);
    CHECK_CONTAINS(w.found.items[0], "APP1 Exif");
    g_free(path);

    path = with_segment("xmp.jpg", 0xe1, "http://ns.adobe.com/xap/1.0/\0<x/>", 33);
    CHECK_INT(igp_jpeg_walk(path, &w), 0);
    CHECK_CONTAINS(w.found.items[0], "APP1 http://ns.adobe.com/xap/1.0/");
    g_free(path);

    path = with_segment("iptc.jpg", 0xed, "Photoshop 3.0\08BIM", 18);
    CHECK_INT(igp_jpeg_walk(path, &w), 0);
    CHECK_CONTAINS(w.found.items[0], "APP13 Photoshop 3.0");
    g_free(path);

    path = with_segment("comment.jpg", 0xfe, "shot by Taro", 12);
    CHECK_INT(igp_jpeg_walk(path, &w), 0);
    CHECK_CONTAINS(w.found.items[0], "COM comment (12 bytes)");
    g_free(path);

    /* An sRGB ICC profile is allowed; any other profile is a finding. */
    GByteArray *seg = g_byte_array_new();
    icc_segment(cmsCreate_sRGBProfile(), seg);
    path = with_segment("srgb.jpg", 0xe2, seg->data, seg->len);
    CHECK_INT(igp_jpeg_walk(path, &w), 0);
    CHECK(w.has_icc);
    CHECK_INT(w.found.n, 0);
    g_free(path);
    g_byte_array_set_size(seg, 0);
    icc_segment(cmsCreateLab4Profile(NULL), seg);
    path = with_segment("lab.jpg", 0xe2, seg->data, seg->len);
    CHECK_INT(igp_jpeg_walk(path, &w), 0);
    CHECK_INT(w.found.n, 1);
    CHECK_CONTAINS(w.found.items[0], "not sRGB");
    g_free(path);
    g_byte_array_free(seg, TRUE);

    /* A motion photo: a video appended after EOI. */
    GByteArray *b = g_byte_array_new();
    g_byte_array_append(b, clean->data, clean->len);
    g_byte_array_append(b,
                        (const guint8 *)"\0\0\0\x18"
                                        "ftypmp42",
                        12);
    path = write_variant("motion.jpg", b->data, b->len);
    CHECK_INT(igp_jpeg_walk(path, &w), 0);
    CHECK_INT(w.trailing_bytes, 12);
    CHECK_CONTAINS(w.found.items[0], "12 bytes after end of image");
    g_free(path);
    g_byte_array_free(b, TRUE);

    /* Truncated and foreign files are not well-formed JPEGs. */
    path = write_variant("truncated.jpg", clean->data, clean->len / 2);
    igp_error_clear();
    CHECK_INT(igp_jpeg_walk(path, &w), IGP_ERR_INVALIDDATA);
    CHECK_CONTAINS(igp_error_buffer(), "truncated");
    g_free(path);
    path = write_variant("text.jpg", (const guint8 *)"hello", 5);
    CHECK_INT(igp_jpeg_walk(path, &w), IGP_ERR_INVALIDDATA);
    g_free(path);

    g_byte_array_free(clean, TRUE);
    char *cmd = g_strdup_printf("rm -rf '%s'", dir);
    CHECK_INT(system(cmd), 0);
    g_free(cmd);
    g_free(dir);
    vips_shutdown();
    return check_done();
}
