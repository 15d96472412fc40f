/* audit: what a source carried besides its pixels, for OUT/reports/scrub.json.
 *
 * Three independent readings are combined: igprep's own structure walkers
 * (every JPEG segment, PNG chunk or ISO-BMFF box that can hold metadata),
 * libexif for the meaning of EXIF tags, and libavformat for container tags
 * and extra streams of videos. */
#include "audit.h"

#include "bmffwalk.h"
#include "jpegwalk.h"
#include "pngwalk.h"

#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <libavformat/avformat.h>
#include <libexif/exif-data.h>
#include <vips/vips.h>

/* The categories an editor reads in the audit, in a fixed order. */
static const char *const categories[] = {
    "gps position", "make/model", "serial number", "owner",          "software",     "dates",
    "xmp",          "iptc",       "maker notes",   "quicktime keys", "extra tracks", "trailer",
    "thumbnail",    "comments",   "icc profile",   "structure",
};

typedef struct Audit {
    json_t *details; ///< category → array of what was found
} Audit;

static void found(Audit *a, const char *category, const char *what)
{
    json_t *list = json_object_get(a->details, category);
    size_t i;
    json_t *v;

    if (!list) {
        list = json_array();
        json_object_set_new(a->details, category, list);
    }
    json_array_foreach(list, i, v)
    {
        if (!strcmp(json_string_value(v), what))
            return;
    }
    json_array_append_new(list, json_string(what));
}

/* ---- EXIF, through libexif ---- */

static const char *exif_category(ExifIfd ifd, ExifTag tag)
{
    if (ifd == EXIF_IFD_GPS)
        return "gps position";
    if (ifd == EXIF_IFD_1)
        return "thumbnail";
    switch ((int)tag) {
    case EXIF_TAG_MAKE:
    case EXIF_TAG_MODEL:
    case 0xa433: /* LensMake */
    case 0xa434: /* LensModel */
        return "make/model";
    case 0xa431: /* BodySerialNumber */
    case 0xa435: /* LensSerialNumber */
    case EXIF_TAG_IMAGE_UNIQUE_ID:
        return "serial number";
    case 0xa430: /* CameraOwnerName */
    case EXIF_TAG_ARTIST:
    case EXIF_TAG_COPYRIGHT:
        return "owner";
    case EXIF_TAG_SOFTWARE:
    case 0x013c: /* HostComputer */
        return "software";
    case EXIF_TAG_DATE_TIME:
    case EXIF_TAG_DATE_TIME_ORIGINAL:
    case EXIF_TAG_DATE_TIME_DIGITIZED:
    case 0x9010: /* OffsetTime */
    case 0x9011: /* OffsetTimeOriginal */
    case 0x9012: /* OffsetTimeDigitized */
    case EXIF_TAG_SUB_SEC_TIME:
    case EXIF_TAG_SUB_SEC_TIME_ORIGINAL:
    case EXIF_TAG_SUB_SEC_TIME_DIGITIZED:
        return "dates";
    case EXIF_TAG_MAKER_NOTE:
        return "maker notes";
    case EXIF_TAG_USER_COMMENT:
    case EXIF_TAG_IMAGE_DESCRIPTION:
        return "comments";
    default:
        return NULL;
    }
}

typedef struct ExifVisit {
    Audit *audit;
    ExifIfd ifd;
} ExifVisit;

static void visit_exif_entry(ExifEntry *e, void *data)
{
    ExifVisit *v = data;
    const char *category = exif_category(v->ifd, e->tag);
    const char *name = exif_tag_get_name_in_ifd(e->tag, v->ifd);

    if (category)
        found(v->audit, category, name ? name : "unknown tag");
}

static void audit_exif(Audit *a, const void *blob, size_t len)
{
    ExifData *ed = exif_data_new_from_data(blob, (unsigned int)len);

    if (!ed)
        return;
    for (int ifd = 0; ifd < EXIF_IFD_COUNT; ifd++) {
        ExifVisit v = {a, (ExifIfd)ifd};
        exif_content_foreach_entry(ed->ifd[ifd], visit_exif_entry, &v);
    }
    if (ed->data && ed->size > 0)
        found(a, "thumbnail", "EXIF thumbnail");
    exif_data_unref(ed);
}

/* ---- XMP, IPTC, PNG text and the rest, from libvips' fields ---- */

static void audit_xmp(Audit *a, const char *xmp, size_t len)
{
    static const struct {
        const char *needle, *category;
    } signs[] = {{"GPS", "gps position"},
                 {"CreatorTool", "software"},
                 {"creator", "owner"},
                 {"Rights", "owner"},
                 {"SerialNumber", "serial number"},
                 {"Date", "dates"},
                 {"Make", "make/model"},
                 {"Model", "make/model"}};
    char *text = g_strndup(xmp, len);

    found(a, "xmp", "XMP packet");
    for (size_t i = 0; i < G_N_ELEMENTS(signs); i++)
        if (strstr(text, signs[i].needle))
            found(a, signs[i].category, "in XMP");
    g_free(text);
}

static void audit_png_text(Audit *a, const char *field)
{
    /* "png-comment-N-KEY" */
    const char *key = strchr(field + strlen("png-comment-"), '-');
    key = key ? key + 1 : field;
    if (!g_ascii_strcasecmp(key, "Author") || !g_ascii_strcasecmp(key, "Copyright"))
        found(a, "owner", key);
    else if (g_str_has_prefix(key, "date") || strstr(key, "Time"))
        found(a, "dates", key);
    else if (!g_ascii_strcasecmp(key, "Software"))
        found(a, "software", key);
    else if (!strcmp(key, "XML:com.adobe.xmp"))
        found(a, "xmp", key);
    else
        found(a, "comments", key);
}

static void audit_image_fields(Audit *a, const char *path)
{
    VipsImage *image = vips_image_new_from_file(path, NULL);
    char **fields;
    const void *blob;
    size_t len;

    if (!image) {
        vips_error_clear();
        return;
    }
    fields = vips_image_get_fields(image);
    for (char **f = fields; *f; f++) {
        if (!strcmp(*f, VIPS_META_EXIF_NAME) && !vips_image_get_blob(image, *f, &blob, &len))
            audit_exif(a, blob, len);
        else if ((!strcmp(*f, VIPS_META_XMP_NAME) || g_str_has_prefix(*f, "heif-mime")) &&
                 !vips_image_get_blob(image, *f, &blob, &len))
            audit_xmp(a, blob, len);
        else if (!strcmp(*f, VIPS_META_IPTC_NAME))
            found(a, "iptc", "IPTC block");
        else if (!strcmp(*f, VIPS_META_ICC_NAME))
            found(a, "icc profile", "ICC profile (converted to sRGB)");
        else if (g_str_has_prefix(*f, "png-comment-"))
            audit_png_text(a, *f);
        else if (strstr(*f, "thumbnail"))
            found(a, "thumbnail", *f);
    }
    g_strfreev(fields);
    g_object_unref(image);
}

/* ---- structure, from igprep's own walkers ---- */

/* Walker findings whose meaning is plain from their name. */
static const struct {
    const char *prefix, *category, *what;
} finding_meanings[] = {
    {"APP2 MPF", "thumbnail", "multi-picture (MPF) images"},
    {"COM", "comments", "JPEG comment"},
    {"tIME", "dates", "PNG modification time"},
    {"tEXt", "comments", "PNG text"},
    {"zTXt", "comments", "PNG compressed text"},
    {"udta \xc2\xa9xyz", "gps position", "QuickTime \xc2\xa9xyz"},
};

static void add_findings(Audit *a, const IgpFindings *f)
{
    for (int i = 0; i < f->n; i++) {
        const char *item = f->items[i];
        int trailer = strstr(item, "after end of image") || strstr(item, "after IEND");
        found(a, trailer ? "trailer" : "structure", item);
        for (size_t m = 0; m < G_N_ELEMENTS(finding_meanings); m++)
            if (g_str_has_prefix(item, finding_meanings[m].prefix))
                found(a, finding_meanings[m].category, finding_meanings[m].what);
    }
}

/* libvips does not always expose a PNG's eXIf chunk: read it directly. */
static void audit_png_exif(Audit *a, const char *path, const IgpPngWalk *w)
{
    FILE *f;
    guint8 *data;

    if (!w->exif_offset || w->exif_len == 0 || !(f = fopen(path, "rb")))
        return;
    /* eXIf holds a bare TIFF structure; libexif wants JPEG's "Exif\0\0" in front. */
    data = g_malloc(w->exif_len + 6);
    memcpy(data, "Exif\0\0", 6);
    if (fseeko(f, w->exif_offset, SEEK_SET) == 0 &&
        fread(data + 6, 1, w->exif_len, f) == w->exif_len)
        audit_exif(a, data, w->exif_len + 6);
    g_free(data);
    fclose(f);
}

static void audit_structure(Audit *a, const char *path, const char *format)
{
    if (!strcmp(format, "jpeg")) {
        IgpJpegWalk w;
        if (igp_jpeg_walk(path, &w) == 0)
            add_findings(a, &w.found);
    } else if (!strcmp(format, "png")) {
        IgpPngWalk w;
        if (igp_png_walk(path, &w) == 0) {
            add_findings(a, &w.found);
            audit_png_exif(a, path, &w);
        }
    } else if (!strcmp(format, "heif") || !strcmp(format, "avif") || !strcmp(format, "mp4") ||
               !strcmp(format, "mov")) {
        IgpBmffWalk w;
        if (igp_bmff_walk(path, &w) == 0)
            add_findings(a, &w.found);
    }
}

/* ---- video containers, through libavformat ---- */

static const char *container_tag_category(const char *key)
{
    gchar *k = g_ascii_strdown(key, -1);
    const char *category = "quicktime keys";

    if (strstr(k, "location") || strstr(k, "xyz") || strstr(k, "gps") || strstr(k, "iso6709"))
        category = "gps position";
    else if (strstr(k, "make") || strstr(k, "model"))
        category = "make/model";
    else if (strstr(k, "date") || strstr(k, "creation_time"))
        category = "dates";
    else if (strstr(k, "software") || strstr(k, "encoder"))
        category = "software";
    else if (strstr(k, "author") || strstr(k, "artist") || strstr(k, "copyright"))
        category = "owner";
    else if (!strcmp(k, "major_brand") || !strcmp(k, "minor_version") ||
             !strcmp(k, "compatible_brands") || !strcmp(k, "handler_name") ||
             !strcmp(k, "vendor_id") || !strcmp(k, "language"))
        category = NULL; /* describes the file format, not the person or place */
    g_free(k);
    return category;
}

static void audit_tags(Audit *a, const AVDictionary *tags, const char *where)
{
    const AVDictionaryEntry *e = NULL;
    while ((e = av_dict_get(tags, "", e, AV_DICT_IGNORE_SUFFIX))) {
        const char *category = container_tag_category(e->key);
        char *what;
        if (!category)
            continue;
        what = g_strdup_printf("%s%s", where, e->key);
        found(a, category, what);
        if (strcmp(category, "quicktime keys") != 0)
            found(a, "quicktime keys", what);
        g_free(what);
    }
}

static void audit_video(Audit *a, const char *path)
{
    AVFormatContext *fmt = NULL;
    int video = 0, audio = 0;

    if (avformat_open_input(&fmt, path, NULL, NULL) < 0)
        return;
    avformat_find_stream_info(fmt, NULL);
    audit_tags(a, fmt->metadata, "");
    for (unsigned i = 0; i < fmt->nb_streams; i++) {
        const AVStream *st = fmt->streams[i];
        enum AVMediaType type = st->codecpar->codec_type;
        char where[32];
        snprintf(where, sizeof(where), "stream %u: ", i);
        audit_tags(a, st->metadata, where);
        if ((type == AVMEDIA_TYPE_VIDEO && video++ == 0) ||
            (type == AVMEDIA_TYPE_AUDIO && audio++ == 0))
            continue;
        char *what = g_strdup_printf("stream %u: %s %s", i,
                                     av_get_media_type_string(type) ? av_get_media_type_string(type)
                                                                    : "unknown",
                                     avcodec_get_name(st->codecpar->codec_id));
        found(a, "extra tracks", what);
        g_free(what);
    }
    if (fmt->nb_chapters)
        found(a, "extra tracks", "chapters");
    avformat_close_input(&fmt);
}

json_t *igp_audit_source(const char *path, const char *kind, const char *format)
{
    Audit a = {json_object()};
    json_t *list = json_array(), *result;

    if (!strcmp(kind, "image"))
        audit_image_fields(&a, path);
    else
        audit_video(&a, path);
    audit_structure(&a, path, format);
    for (size_t i = 0; i < G_N_ELEMENTS(categories); i++)
        if (json_object_get(a.details, categories[i]))
            json_array_append_new(list, json_string(categories[i]));
    result = json_pack("{s:o, s:o}", "found", list, "details", a.details);
    return result;
}
