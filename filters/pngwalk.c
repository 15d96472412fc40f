#include "pngwalk.h"
#include "error.h"
#include "i18n.h"

#include <stdio.h>
#include <string.h>

#include <glib.h>

/* Chunks that only describe pixels. Everything else is reported. */
static const char *const plain_chunks[] = {"IHDR", "PLTE", "IDAT", "IEND", "tRNS", "gAMA",
                                           "cHRM", "sRGB", "sBIT", "bKGD", "pHYs", "hIST",
                                           "iCCP", "acTL", "fcTL", "fdAT", NULL};

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int is_plain(const char *type)
{
    for (const char *const *c = plain_chunks; *c; c++)
        if (!memcmp(type, *c, 4))
            return 1;
    return 0;
}

/* Text chunks start with a keyword: name it in the finding ("tEXt Author"). */
static void report_chunk(IgpPngWalk *w, FILE *f, const char *type, uint32_t len)
{
    char keyword[40] = "";
    if (!strcmp(type, "tEXt") || !strcmp(type, "zTXt") || !strcmp(type, "iTXt")) {
        size_t n = fread(keyword, 1, MIN(len, sizeof(keyword) - 1), f);
        keyword[n] = '\0';
        fseeko(f, -(off_t)n, SEEK_CUR);
    }
    igp_findings_add(&w->found, "%s%s%s (%u bytes)", type, *keyword ? " " : "", keyword, len);
}

int igp_png_walk(const char *path, IgpPngWalk *w)
{
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    uint8_t head[8], buf[13];
    FILE *f = fopen(path, "rb");
    int ret = IGP_ERR_INVALIDDATA, seen_end = 0;

    memset(w, 0, sizeof(*w));
    if (!f)
        return igp_error(IGP_ERR(errno), path, _("cannot open: %s"), igp_strerror(errno));
    if (fread(head, 1, 8, f) != 8 || memcmp(head, sig, 8)) {
        fclose(f);
        return igp_error(IGP_ERR_INVALIDDATA, path, _("not a PNG"));
    }
    while (!seen_end && fread(head, 1, 8, f) == 8) {
        uint32_t len = be32(head);
        char type[5] = {(char)head[4], (char)head[5], (char)head[6], (char)head[7], 0};
        off_t data = ftello(f);

        if (!strcmp(type, "IHDR") && len >= 13 && fread(buf, 1, 13, f) == 13) {
            w->width = (int)be32(buf);
            w->height = (int)be32(buf + 4);
            w->bit_depth = buf[8];
            w->colour_type = buf[9];
        } else if (!is_plain(type)) {
            report_chunk(w, f, type, len);
            if (!strcmp(type, "eXIf") && !w->exif_offset) {
                w->exif_offset = data;
                w->exif_len = len;
            }
        }
        seen_end = !strcmp(type, "IEND");
        if (fseeko(f, data + (off_t)len + 4, SEEK_SET) != 0) /* data and CRC */
            break;
    }
    if (seen_end) {
        off_t end = ftello(f);
        fseeko(f, 0, SEEK_END);
        w->trailing_bytes = ftello(f) - end;
        if (w->trailing_bytes > 0)
            igp_findings_add(&w->found, "%lld bytes after IEND", (long long)w->trailing_bytes);
        ret = 0;
    } else {
        igp_error(IGP_ERR_INVALIDDATA, path, _("no IEND chunk (truncated PNG)"));
    }
    fclose(f);
    return ret;
}
