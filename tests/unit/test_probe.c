/* Content sniffing: the format comes from the bytes, never from the name. */
#include "check.h"
#include "probe.h"

#include <string.h>

static const char *sniff(const void *bytes, size_t len, IgpMediaKind *kind)
{
    return igp_sniff(bytes, len, kind);
}

int main(void)
{
    IgpMediaKind kind;
    const char *f;

    f = sniff("\xff\xd8\xff\xe0\0\x10JFIF", 10, &kind);
    CHECK(f && !strcmp(f, "jpeg") && kind == IGP_MEDIA_IMAGE);
    f = sniff("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16, &kind);
    CHECK(f && !strcmp(f, "png"));
    f = sniff("RIFF\x10\0\0\0WEBPVP8 ", 16, &kind);
    CHECK(f && !strcmp(f, "webp"));
    f = sniff("GIF89a\x01\0\x01\0", 10, &kind);
    CHECK(f && !strcmp(f, "gif"));
    f = sniff("II*\0\x08\0\0\0", 8, &kind);
    CHECK(f && !strcmp(f, "tiff"));
    /* ISO-BMFF: the brands decide between HEIF, AVIF, QuickTime and MP4. */
    f = sniff("\0\0\0\x18"
              "ftypheic\0\0\0\0mif1heic",
              24, &kind);
    CHECK(f && !strcmp(f, "heif") && kind == IGP_MEDIA_IMAGE);
    f = sniff("\0\0\0\x1c"
              "ftypmif1\0\0\0\0mif1avifmiaf",
              28, &kind);
    CHECK(f && !strcmp(f, "avif"));
    f = sniff("\0\0\0\x14"
              "ftypqt  \0\0\0\0qt  ",
              20, &kind);
    CHECK(f && !strcmp(f, "mov") && kind == IGP_MEDIA_VIDEO);
    f = sniff("\0\0\0\x20"
              "ftypisom\0\0\x02\0isomiso2avc1mp41",
              32, &kind);
    CHECK(f && !strcmp(f, "mp4") && kind == IGP_MEDIA_VIDEO);
    f = sniff("\0\0\0\x08wide\0\0\0\0mdat", 16, &kind);
    CHECK(f && !strcmp(f, "mov"));
    /* Text and junk are recognised as neither. */
    f = sniff("hello, this is a note\n", 22, &kind);
    CHECK(f == NULL && kind == IGP_MEDIA_UNKNOWN);
    f = sniff("\x00\x01\x02\x03", 4, &kind);
    CHECK(f == NULL);
    return check_done();
}
