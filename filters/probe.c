#include "probe.h"
#include "error.h"
#include "i18n.h"
#include "fsutil.h"
#include "image.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <lcms2.h>
#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <libavutil/pixdesc.h>
#include <vips/vips.h>

enum { SNIFF_BYTES = 512 };

/* ISO-BMFF major/compatible brands and what they mean for us. */
static const struct {
    const char brand[5];
    const char *format;
    IgpMediaKind kind;
} bmff_brands[] = {
    {"heic", "heif", IGP_MEDIA_IMAGE}, {"heix", "heif", IGP_MEDIA_IMAGE},
    {"heim", "heif", IGP_MEDIA_IMAGE}, {"heis", "heif", IGP_MEDIA_IMAGE},
    {"mif1", "heif", IGP_MEDIA_IMAGE}, {"msf1", "heif", IGP_MEDIA_IMAGE},
    {"avif", "avif", IGP_MEDIA_IMAGE}, {"avis", "avif", IGP_MEDIA_IMAGE},
    {"qt  ", "mov", IGP_MEDIA_VIDEO},  {"isom", "mp4", IGP_MEDIA_VIDEO},
    {"iso2", "mp4", IGP_MEDIA_VIDEO},  {"iso4", "mp4", IGP_MEDIA_VIDEO},
    {"iso5", "mp4", IGP_MEDIA_VIDEO},  {"iso6", "mp4", IGP_MEDIA_VIDEO},
    {"mp41", "mp4", IGP_MEDIA_VIDEO},  {"mp42", "mp4", IGP_MEDIA_VIDEO},
    {"M4V ", "mp4", IGP_MEDIA_VIDEO},  {"avc1", "mp4", IGP_MEDIA_VIDEO},
    {"dash", "mp4", IGP_MEDIA_VIDEO},  {"3gp4", "mp4", IGP_MEDIA_VIDEO},
    {"3gp5", "mp4", IGP_MEDIA_VIDEO},
};

static int bmff_brand(const uint8_t *brand, IgpMediaKind *kind, const char **format)
{
    for (size_t i = 0; i < G_N_ELEMENTS(bmff_brands); i++) {
        if (!memcmp(brand, bmff_brands[i].brand, 4)) {
            *kind = bmff_brands[i].kind;
            *format = bmff_brands[i].format;
            return 1;
        }
    }
    return 0;
}

/* An ISO-BMFF 'ftyp' box: the major brand decides, unless it is a generic
 * one (mif1) and a compatible brand is more specific (heic, avif). */
static const char *sniff_ftyp(const uint8_t *buf, size_t len, IgpMediaKind *kind)
{
    uint32_t box_size = (uint32_t)buf[0] << 24 | buf[1] << 16 | buf[2] << 8 | buf[3];
    const char *format = NULL;
    size_t end = box_size < len ? box_size : len;

    if (!bmff_brand(buf + 8, kind, &format))
        format = NULL;
    if (format && strcmp(format, "heif") != 0)
        return format;
    for (size_t off = 16; off + 4 <= end; off += 4) {
        IgpMediaKind k;
        const char *f;
        if (bmff_brand(buf + off, &k, &f) && k == IGP_MEDIA_IMAGE && strcmp(f, "heif") != 0) {
            *kind = k;
            return f;
        }
        if (!format && bmff_brand(buf + off, &k, &f)) {
            *kind = k;
            format = f;
        }
    }
    return format;
}

const char *igp_sniff(const uint8_t *buf, size_t len, IgpMediaKind *kind)
{
    static const uint8_t png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    *kind = IGP_MEDIA_IMAGE;
    if (len >= 3 && buf[0] == 0xff && buf[1] == 0xd8 && buf[2] == 0xff)
        return "jpeg";
    if (len >= 8 && !memcmp(buf, png_sig, 8))
        return "png";
    if (len >= 6 && (!memcmp(buf, "GIF87a", 6) || !memcmp(buf, "GIF89a", 6)))
        return "gif";
    if (len >= 12 && !memcmp(buf, "RIFF", 4) && !memcmp(buf + 8, "WEBP", 4))
        return "webp";
    if (len >= 4 && (!memcmp(buf, "II*\0", 4) || !memcmp(buf, "MM\0*", 4)))
        return "tiff";
    if (len >= 12 && !memcmp(buf + 4, "ftyp", 4))
        return sniff_ftyp(buf, len, kind);
    /* QuickTime files from old cameras may start without 'ftyp'. */
    if (len >= 8 && (!memcmp(buf + 4, "moov", 4) || !memcmp(buf + 4, "mdat", 4) ||
                     !memcmp(buf + 4, "wide", 4))) {
        *kind = IGP_MEDIA_VIDEO;
        return "mov";
    }
    *kind = IGP_MEDIA_UNKNOWN;
    return NULL;
}

static int looks_like_text(const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (buf[i] < 0x20 && buf[i] != '\n' && buf[i] != '\r' && buf[i] != '\t')
            return 0;
        if (buf[i] == 0x7f)
            return 0;
    }
    return g_utf8_validate((const char *)buf, (gssize)len, NULL) || len == SNIFF_BYTES;
}

int igp_identify(const char *path, IgpMediaInfo *info)
{
    uint8_t buf[SNIFF_BYTES];
    ssize_t n;
    const char *format;
    struct stat st = {0};
    int fd;

    memset(info, 0, sizeof(*info));
    /* O_NONBLOCK: a FIFO is refused below instead of waited on. */
    fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return igp_error(IGP_ERR(errno), path, _("cannot open: %s"), igp_strerror(errno));
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        int ret = igp_error(IGP_ERR_INVALIDDATA, path, _("is %s, not a regular file"),
                            igp_file_kind(st.st_mode));
        close(fd);
        return ret;
    }
    n = read(fd, buf, sizeof(buf));
    close(fd);
    if (n < 0)
        return igp_error(IGP_ERR(errno), path, _("cannot read: %s"), igp_strerror(errno));
    info->bytes = igp_file_size(path);
    if (n == 0)
        return igp_error(IGP_ERR_INVALIDDATA, path,
                         _("empty file (0 bytes), not a photo or video"));

    format = igp_sniff(buf, (size_t)n, &info->kind);
    if (!format) {
        if (looks_like_text(buf, (size_t)n))
            return igp_error(IGP_ERR_INVALIDDATA, path,
                             _("content is text, not a photo or video (whatever its name says)"));
        return igp_error(IGP_ERR_INVALIDDATA, path,
                         _("unrecognised content (starts %02x %02x %02x %02x), not a supported "
                           "photo or video"),
                         buf[0], n > 1 ? buf[1] : 0, n > 2 ? buf[2] : 0, n > 3 ? buf[3] : 0);
    }
    g_strlcpy(info->format, format, sizeof(info->format));
    return 0;
}

int igp_icc_description(const void *icc, size_t len, char *out, size_t outlen)
{
    cmsHPROFILE profile = cmsOpenProfileFromMem(icc, (cmsUInt32Number)len);
    if (!profile)
        return IGP_ERR_INVALIDDATA;
    if (cmsGetProfileInfoASCII(profile, cmsInfoDescription, "en", "US", out,
                               (cmsUInt32Number)outlen) == 0)
        g_strlcpy(out, "(profile without description)", outlen);
    cmsCloseProfile(profile);
    return 0;
}

int igp_icc_is_srgb(const char *description)
{
    /* The descriptions of the standard sRGB profiles (HP/Microsoft's, ICC's
     * v4, lcms' and libvips' built-in ones); anything else is reported. */
    static const char *const known[] = {"sRGB IEC61966-2.1", "sRGB IEC61966-2-1 black scaled",
                                        "sRGB IEC61966-2-1 no black scaling", "sRGB built-in",
                                        "sRGB"};
    for (size_t i = 0; i < G_N_ELEMENTS(known); i++)
        if (!strcmp(description, known[i]))
            return 1;
    return 0;
}

static void describe_colour(VipsImage *image, IgpMediaInfo *info)
{
    const void *icc;
    size_t icc_len;

    if (vips_image_get_typeof(image, VIPS_META_ICC_NAME) &&
        !vips_image_get_blob(image, VIPS_META_ICC_NAME, &icc, &icc_len)) {
        info->has_icc = 1;
        if (igp_icc_description(icc, icc_len, info->colour, sizeof(info->colour)) != 0)
            g_strlcpy(info->colour, "(unreadable ICC profile)", sizeof(info->colour));
        return;
    }
    switch (vips_image_guess_interpretation(image)) {
    case VIPS_INTERPRETATION_CMYK:
        g_strlcpy(info->colour, "untagged CMYK", sizeof(info->colour));
        break;
    case VIPS_INTERPRETATION_B_W:
    case VIPS_INTERPRETATION_GREY16:
        g_strlcpy(info->colour, "untagged greyscale", sizeof(info->colour));
        break;
    default:
        g_strlcpy(info->colour, "untagged sRGB", sizeof(info->colour));
    }
}

static int probe_image(const char *path, IgpMediaInfo *info)
{
    VipsImage *image = vips_image_new_from_file(path, "access", VIPS_ACCESS_SEQUENTIAL, NULL);

    if (!image) {
        return igp_vips_error(IGP_ERR_INVALIDDATA, path, _("cannot read image header"));
    }
    info->width = vips_image_get_width(image);
    info->height = vips_image_get_height(image);
    info->orientation = vips_image_get_orientation(image);
    if (info->orientation < 1 || info->orientation > 8)
        info->orientation = 1;
    /* Orientations 5..8 swap width and height on display. */
    info->display_width = info->orientation >= 5 ? info->height : info->width;
    info->display_height = info->orientation >= 5 ? info->width : info->height;
    describe_colour(image, info);
    g_object_unref(image);
    return 0;
}

static int display_rotation(const AVStream *st)
{
    const uint8_t *matrix = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, NULL);
    double theta;
    int deg;

    if (!matrix)
        return 0;
    theta = -av_display_rotation_get((const int32_t *)matrix);
    deg = (int)lround(theta) % 360;
    return deg < 0 ? deg + 360 : deg;
}

static int probe_video(const char *path, IgpMediaInfo *info)
{
    AVFormatContext *fmt = NULL;
    int ret = avformat_open_input(&fmt, path, NULL, NULL);
    int best;

    if (ret < 0 || (ret = avformat_find_stream_info(fmt, NULL)) < 0) {
        char msg[128];
        av_strerror(ret, msg, sizeof(msg));
        avformat_close_input(&fmt);
        return igp_error(IGP_ERR_INVALIDDATA, path, _("cannot read video: %s"), msg);
    }
    best = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (best < 0) {
        avformat_close_input(&fmt);
        return igp_error(IGP_ERR_INVALIDDATA, path, _("no video stream"));
    }
    for (unsigned i = 0; i < fmt->nb_streams; i++) {
        enum AVMediaType type = fmt->streams[i]->codecpar->codec_type;
        if (type == AVMEDIA_TYPE_AUDIO)
            info->audio_streams++;
        else if ((int)i != best)
            info->other_streams++;
    }
    const AVStream *st = fmt->streams[best];
    const AVCodecParameters *par = st->codecpar;
    info->width = par->width;
    info->height = par->height;
    info->rotation = display_rotation(st);
    info->display_width = info->rotation % 180 ? par->height : par->width;
    info->display_height = info->rotation % 180 ? par->width : par->height;
    info->duration = fmt->duration > 0 ? fmt->duration / (double)AV_TIME_BASE : 0;
    g_strlcpy(info->video_codec, avcodec_get_name(par->codec_id), sizeof(info->video_codec));
    g_strlcpy(info->transfer,
              av_color_transfer_name(par->color_trc) ? av_color_transfer_name(par->color_trc)
                                                     : "unknown",
              sizeof(info->transfer));
    avformat_close_input(&fmt);
    return 0;
}

int igp_probe(const char *path, IgpMediaInfo *info)
{
    int ret = igp_identify(path, info);
    if (ret < 0)
        return ret;
    info->orientation = 1;
    return info->kind == IGP_MEDIA_IMAGE ? probe_image(path, info) : probe_video(path, info);
}
