/**
 * @file
 * Identify media by content (never by name) and read their headers.
 *
 * Formats are recognised from their first bytes through a table of
 * signatures; the file name's extension plays no part. Headers are read with
 * libvips (images) and libavformat (video), without decoding pixels.
 */
#ifndef IGP_PROBE_H
#define IGP_PROBE_H

#include <stddef.h>
#include <stdint.h>

typedef enum IgpMediaKind {
    IGP_MEDIA_UNKNOWN = 0,
    IGP_MEDIA_IMAGE,
    IGP_MEDIA_VIDEO,
} IgpMediaKind;

typedef struct IgpMediaInfo {
    IgpMediaKind kind;
    char format[16];   ///< "jpeg", "png", "heif", "avif", "webp", "tiff", "gif", "mov", "mp4"
    int64_t bytes;     ///< file size
    int width, height; ///< as stored (images) or coded (video)
    int orientation;   ///< EXIF orientation 1..8 (images; 1 when absent)
    int display_width; ///< after orientation / display-matrix rotation
    int display_height;
    char colour[96];      ///< ICC profile description, or "untagged sRGB", "CMYK", ...
    int has_icc;          ///< an ICC profile is embedded
    double duration;      ///< seconds (video)
    int rotation;         ///< display-matrix rotation in degrees (video), 0, 90, 180, 270
    char video_codec[24]; ///< e.g. "h264", "hevc" (video)
    char transfer[24];    ///< colour transfer, e.g. "bt709", "arib-std-b67" (video)
    int audio_streams;    ///< number of audio streams (video)
    int other_streams;    ///< data, subtitle, attachment... streams (video)
} IgpMediaInfo;

/**
 * Recognise a file's format from its content. Fills kind and format (and
 * bytes). Returns 0, or IGP_ERR_INVALIDDATA with a message saying what the
 * content is instead (empty, text, unrecognised).
 */
int igp_identify(const char *path, IgpMediaInfo *info);

/** Identify, then read the header: dimensions, orientation, colour, duration. */
int igp_probe(const char *path, IgpMediaInfo *info);

/** Identify a memory block; returns the format name or NULL. */
const char *igp_sniff(const uint8_t *buf, size_t len, IgpMediaKind *kind);

/**
 * Description of an ICC profile (its 'desc' tag, read with lcms2) into @p out.
 * Returns 0, or IGP_ERR_INVALIDDATA when the profile cannot be parsed.
 */
int igp_icc_description(const void *icc, size_t len, char *out, size_t outlen);

/** Is this ICC profile description one of the standard sRGB profiles? */
int igp_icc_is_srgb(const char *description);

#endif
