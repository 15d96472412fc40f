#include "jpegwalk.h"
#include "error.h"
#include "i18n.h"
#include "probe.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

enum {
    M_SOF0 = 0xc0,
    M_SOF15 = 0xcf,
    M_DHT = 0xc4,
    M_JPG = 0xc8,
    M_DAC = 0xcc,
    M_RST0 = 0xd0,
    M_RST7 = 0xd7,
    M_SOI = 0xd8,
    M_EOI = 0xd9,
    M_SOS = 0xda,
    M_DQT = 0xdb,
    M_DNL = 0xdc,
    M_DRI = 0xdd,
    M_APP0 = 0xe0,
    M_APP2 = 0xe2,
    M_APP15 = 0xef,
    M_COM = 0xfe,
    M_TEM = 0x01,
};

static int read_u16(FILE *f)
{
    int hi = getc_unlocked(f), lo = getc_unlocked(f);
    return hi == EOF || lo == EOF ? -1 : hi << 8 | lo;
}

/* The identifier string at the start of an APPn payload, printable part only. */
static void app_identifier(const uint8_t *p, size_t len, char *out, size_t outlen)
{
    size_t i;
    for (i = 0; i < len && i + 1 < outlen && p[i] >= 0x20 && p[i] < 0x7f; i++)
        out[i] = (char)p[i];
    out[i] = '\0';
}

static void read_sof(IgpJpegWalk *w, int marker, const uint8_t *p, size_t len)
{
    w->frames++;
    if (w->frames > 1 || len < 6)
        return;
    w->precision = p[0];
    w->height = p[1] << 8 | p[2];
    w->width = p[3] << 8 | p[4];
    w->components = p[5];
    w->progressive = marker == 0xc2 || marker == 0xc6 || marker == 0xca || marker == 0xce;
}

static void read_app(IgpJpegWalk *w, int marker, const uint8_t *p, size_t len, GByteArray *icc)
{
    char id[40];

    app_identifier(p, len, id, sizeof(id));
    if (marker == M_APP0 && !strcmp(id, "JFIF")) {
        w->has_jfif = 1;
        /* A JFIF thumbnail (width and height bytes at offsets 12, 13) is a
         * second, unscrubbed picture. */
        if (len >= 14 && (p[12] || p[13]))
            igp_findings_add(&w->found, "APP0 JFIF thumbnail %dx%d", p[12], p[13]);
        return;
    }
    if (marker == M_APP2 && !strcmp(id, "ICC_PROFILE") && len > 14) {
        w->has_icc = 1;
        g_byte_array_append(icc, p + 14, (guint)(len - 14));
        return;
    }
    igp_findings_add(&w->found, "APP%d %s (%zu bytes)", marker - M_APP0, *id ? id : "(unnamed)",
                     len);
}

/* Skip entropy-coded data after SOS; returns the marker that ends it. */
static int skip_scan(FILE *f)
{
    int c;
    while ((c = getc_unlocked(f)) != EOF) {
        if (c != 0xff)
            continue;
        do
            c = getc_unlocked(f);
        while (c == 0xff);
        if (c == EOF)
            return -1;
        if (c == 0x00 || (c >= M_RST0 && c <= M_RST7))
            continue;
        return c;
    }
    return -1;
}

static int next_marker(FILE *f)
{
    int c = getc_unlocked(f);
    if (c != 0xff)
        return -1;
    do
        c = getc_unlocked(f);
    while (c == 0xff);
    return c == EOF ? -1 : c;
}

static void finish_icc(IgpJpegWalk *w, GByteArray *icc)
{
    if (!w->has_icc)
        return;
    if (igp_icc_description(icc->data, icc->len, w->icc_description, sizeof(w->icc_description)) !=
        0)
        g_strlcpy(w->icc_description, "(unreadable profile)", sizeof(w->icc_description));
    if (!igp_icc_is_srgb(w->icc_description))
        igp_findings_add(&w->found, "APP2 ICC profile '%.40s' (not sRGB)", w->icc_description);
}

static int walk_segments(FILE *f, IgpJpegWalk *w, GByteArray *icc, const char *path)
{
    int marker = next_marker(f);
    uint8_t *payload = g_malloc(65536);
    int ret = 0;

    while (marker >= 0 && marker != M_EOI) {
        int seglen;
        if (marker == M_TEM || (marker >= M_RST0 && marker <= M_RST7)) {
            marker = next_marker(f);
            continue;
        }
        seglen = read_u16(f);
        if (seglen < 2 || fread(payload, 1, seglen - 2, f) != (size_t)(seglen - 2)) {
            ret = igp_error(IGP_ERR_INVALIDDATA, path, _("truncated segment 0x%02x"), marker);
            break;
        }
        size_t len = (size_t)seglen - 2;
        if (marker >= M_SOF0 && marker <= M_SOF15 && marker != M_DHT && marker != M_JPG &&
            marker != M_DAC)
            read_sof(w, marker, payload, len);
        else if (marker >= M_APP0 && marker <= M_APP15)
            read_app(w, marker, payload, len, icc);
        else if (marker == M_COM)
            igp_findings_add(&w->found, "COM comment (%zu bytes)", len);
        else if (marker != M_DHT && marker != M_DQT && marker != M_DRI && marker != M_DAC &&
                 marker != M_SOS && marker != M_DNL)
            igp_findings_add(&w->found, "unknown segment 0x%02x (%zu bytes)", marker, len);
        marker = marker == M_SOS ? skip_scan(f) : next_marker(f);
    }
    g_free(payload);
    if (ret == 0 && marker != M_EOI)
        ret = igp_error(IGP_ERR_INVALIDDATA, path, _("no end-of-image marker (truncated JPEG)"));
    return ret;
}

int igp_jpeg_walk(const char *path, IgpJpegWalk *w)
{
    GByteArray *icc = g_byte_array_new();
    FILE *f;
    int ret;

    memset(w, 0, sizeof(*w));
    f = fopen(path, "rb");
    if (!f) {
        g_byte_array_free(icc, TRUE);
        return igp_error(IGP_ERR(errno), path, _("cannot open: %s"), igp_strerror(errno));
    }
    if (getc_unlocked(f) != 0xff || getc_unlocked(f) != M_SOI) {
        ret = igp_error(IGP_ERR_INVALIDDATA, path, _("not a JPEG (no start-of-image marker)"));
    } else {
        ret = walk_segments(f, w, icc, path);
        if (ret == 0) {
            long end = ftell(f);
            fseek(f, 0, SEEK_END);
            w->complete = 1;
            w->trailing_bytes = ftell(f) - end;
            if (w->trailing_bytes > 0)
                igp_findings_add(&w->found, "%lld bytes after end of image",
                                 (long long)w->trailing_bytes);
            if (w->frames != 1)
                igp_findings_add(&w->found, "%d frames (expected 1)", w->frames);
        }
        finish_icc(w, icc);
    }
    fclose(f);
    g_byte_array_free(icc, TRUE);
    return ret;
}
