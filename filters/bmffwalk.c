#include "bmffwalk.h"
#include "error.h"
#include "i18n.h"

#include <stdio.h>
#include <string.h>

#include <glib.h>

enum { MAX_DEPTH = 12 };

/* Boxes that only contain other boxes. */
static const char *const containers[] = {"moov", "trak", "mdia", "minf", "stbl", "edts", "dinf",
                                         "mvex", "moof", "traf", "iprp", "sinf", "schi", NULL};

/* Boxes whose every child is metadata: each child is a finding (but for
 * the 'meta' frame inside 'udta', whose 'hdlr' is structure). */
static const char *const metadata_parents[] = {"udta", "ilst", "keys", NULL};

typedef struct Walker {
    FILE *f;
    const char *path;
    IgpBmffWalk *w;
    char handler[5]; ///< of the track being read
} Walker;

static int in_list(const char *type, const char *const *list)
{
    for (const char *const *c = list; *c; c++)
        if (!memcmp(type, *c, 4))
            return 1;
    return 0;
}

static uint64_t read_be(FILE *f, int bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++) {
        int c = getc_unlocked(f);
        v = v << 8 | (uint64_t)(c == EOF ? 0 : c);
    }
    return v;
}

/* A printable rendering of a four-character code (©xyz has a 0xA9 byte);
 * the numbered items of a 'keys'-indexed 'ilst' show as "#N". */
static void fourcc_text(const char *type, char out[12])
{
    char *o = out;
    const unsigned char *u = (const unsigned char *)type;

    if (u[0] == 0 && u[1] == 0) {
        snprintf(out, 12, "#%u", (unsigned)(u[2] << 8 | u[3]));
        return;
    }
    for (int i = 0; i < 4; i++) {
        unsigned char c = (unsigned char)type[i];
        if (c == 0xa9)
            o += sprintf(o, "\xc2\xa9"); /* © in UTF-8 */
        else
            *o++ = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    *o = '\0';
}

static int walk_range(Walker *k, off_t start, off_t end, int depth, const char *parent);

/* version(1) + flags(3), then creation_time (4 or 8 bytes). */
static void check_creation_time(Walker *k, const char *type)
{
    int version = getc_unlocked(k->f);
    read_be(k->f, 3);
    if (read_be(k->f, version == 1 ? 8 : 4) != 0)
        igp_findings_add(&k->w->found, "%s creation time set", type);
}

/* hdlr: version/flags(4), pre_defined(4), handler_type(4). */
static void read_handler(Walker *k, const char *parent)
{
    read_be(k->f, 8);
    if (fread(k->handler, 1, 4, k->f) != 4 || strcmp(parent, "mdia") != 0)
        return;
    if (!memcmp(k->handler, "vide", 4))
        k->w->video_tracks++;
    else if (!memcmp(k->handler, "soun", 4))
        k->w->audio_tracks++;
    else {
        k->w->other_tracks++;
        igp_findings_add(&k->w->found, "track with handler '%.4s' (not audio or video)",
                         k->handler);
    }
}

/* HEIF item list: Exif and XMP ('mime') items are metadata. */
static void read_item_info(Walker *k)
{
    /* infe (version >= 2): version/flags(4), item_ID(2 or 4), protection(2), item_type(4) */
    int version = getc_unlocked(k->f);
    char type[5] = "";
    read_be(k->f, 3);
    read_be(k->f, version >= 3 ? 4 : 2);
    read_be(k->f, 2);
    if (version >= 2 && fread(type, 1, 4, k->f) == 4 &&
        (!memcmp(type, "Exif", 4) || !memcmp(type, "mime", 4)))
        igp_findings_add(&k->w->found, "HEIF item '%.4s' (%s)", type,
                         type[0] == 'E' ? "EXIF" : "XMP or other metadata");
}

/* QuickTime's 'meta' has no version/flags; ISO's has. Tell by the 'hdlr' that follows. */
static off_t meta_children_start(Walker *k, off_t payload)
{
    char probe[4];
    fseeko(k->f, payload + 4, SEEK_SET);
    return fread(probe, 1, 4, k->f) == 4 && !memcmp(probe, "hdlr", 4) ? payload : payload + 4;
}

static int visit(Walker *k, const char *type, off_t payload, off_t end, int depth,
                 const char *parent)
{
    char name[12];

    fseeko(k->f, payload, SEEK_SET);
    if (depth == 0) {
        if (!memcmp(type, "moov", 4) && !k->w->has_mdat)
            k->w->moov_before_mdat = 1;
        k->w->has_moov |= !memcmp(type, "moov", 4);
        k->w->has_mdat |= !memcmp(type, "mdat", 4);
    }
    /* udta/meta is only the frame of an item list: its items are the findings. */
    if (in_list(parent, metadata_parents) &&
        !(!strcmp(parent, "udta") && !memcmp(type, "meta", 4))) {
        fourcc_text(type, name);
        igp_findings_add(&k->w->found, "%s %s", parent, name);
        return 0;
    }
    if (!memcmp(type, "elst", 4))
        k->w->edit_lists++;
    else if (!memcmp(type, "uuid", 4))
        igp_findings_add(&k->w->found, "uuid box (XMP or vendor data)");
    else if (!memcmp(type, "mvhd", 4) || !memcmp(type, "tkhd", 4) || !memcmp(type, "mdhd", 4))
        check_creation_time(k, type);
    else if (!memcmp(type, "hdlr", 4))
        read_handler(k, parent);
    else if (!memcmp(type, "infe", 4))
        read_item_info(k);
    else if (!memcmp(type, "meta", 4))
        return walk_range(k, meta_children_start(k, payload), end, depth + 1, "meta");
    else if (!memcmp(type, "iinf", 4)) {
        int version = getc_unlocked(k->f);
        return walk_range(k, payload + 4 + (version == 0 ? 2 : 4), end, depth + 1, "iinf");
    } else if (in_list(type, containers) || in_list(type, metadata_parents)) {
        /* 'keys' is a full box with an entry count before its children */
        off_t first = !memcmp(type, "keys", 4) ? payload + 8 : payload;
        char box[5];
        memcpy(box, type, 4);
        box[4] = '\0';
        return walk_range(k, first, end, depth + 1, box);
    }
    return 0;
}

static int walk_range(Walker *k, off_t start, off_t end, int depth, const char *parent)
{
    off_t pos = start;

    if (depth > MAX_DEPTH)
        return igp_error(IGP_ERR_INVALIDDATA, k->path, _("boxes nested too deeply"));
    while (pos + 8 <= end) {
        char type[5] = "";
        uint64_t size;
        off_t header = 8;

        fseeko(k->f, pos, SEEK_SET);
        size = read_be(k->f, 4);
        if (fread(type, 1, 4, k->f) != 4)
            return igp_error(IGP_ERR_INVALIDDATA, k->path, _("truncated box header"));
        if (size == 1) {
            size = read_be(k->f, 8);
            header = 16;
        } else if (size == 0) {
            size = (uint64_t)(end - pos); /* to the end of the enclosing box */
        }
        /* Compared unsigned: a 64-bit size can be beyond what off_t holds. */
        if (size < (uint64_t)header || size > (uint64_t)(end - pos))
            return igp_error(
                IGP_ERR_INVALIDDATA, k->path,
                _("truncated or damaged: box '%.4s' at byte %lld overruns its container"), type,
                (long long)pos);
        if (visit(k, type, pos + header, pos + (off_t)size, depth, parent) != 0)
            return IGP_ERR_INVALIDDATA;
        pos += (off_t)size;
    }
    return 0;
}

int igp_bmff_walk(const char *path, IgpBmffWalk *w)
{
    Walker k = {.path = path, .w = w};
    off_t size;
    int ret;

    memset(w, 0, sizeof(*w));
    k.f = fopen(path, "rb");
    if (!k.f)
        return igp_error(IGP_ERR(errno), path, _("cannot open: %s"), igp_strerror(errno));
    fseeko(k.f, 0, SEEK_END);
    size = ftello(k.f);
    /* Types are compared as 4 bytes: the file's top level has a parent of
     * four NULs, not a shorter string. */
    static const char top_level[5] = {0};
    ret = walk_range(&k, 0, size, 0, top_level);
    fclose(k.f);
    return ret;
}
