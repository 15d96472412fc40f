/**
 * @file
 * Hiding faces in a photo, in place on its 8-bit RGB pixels.
 *
 * Every style replaces an elliptical area around the face box: fully
 * covered over the whole box padded by @c padding per side, then a feathered
 * edge so the result does not look cut out. Every style is irreversible:
 *  - blur:    the area is shrunk to about a dozen pixels across the face,
 *             blurred, given noise and enlarged again;
 *  - mosaic:  averaged square cells of at least 1/8 of the face;
 *  - fill:    one flat colour;
 *  - sticker: blur underneath (so a sticker's transparent parts never show
 *             the face), then an SVG or PNG from templates/stickers/ on top.
 */
#ifndef IGP_REDACT_H
#define IGP_REDACT_H

#include <stddef.h>
#include <stdint.h>

#include <vips/vips.h>

#include "image.h"

typedef enum IgpRedactStyle {
    IGP_REDACT_BLUR,
    IGP_REDACT_MOSAIC,
    IGP_REDACT_FILL,
    IGP_REDACT_STICKER,
} IgpRedactStyle;

/** Default padding of a face box, per side, as a fraction of its size. */
#define IGP_REDACT_PADDING 0.20

/** One face to hide. */
typedef struct IgpRedactFace {
    double x, y, w, h;    ///< the face box in image pixels
    IgpRedactStyle style; ///< how to hide it
    const char *sticker;  ///< sticker file (SVG or PNG) for IGP_REDACT_STICKER
} IgpRedactFace;

/** An RGB image in memory, 3 bytes per pixel. */
typedef struct IgpRgbImage {
    uint8_t *data;
    int width, height;
    size_t stride;
    /** Where pixel (0, 0) lies in the whole picture when this is a cut-out
     *  of a larger frame (0, 0 otherwise): the mosaic's cells lie on a grid
     *  of the picture. */
    int origin_x, origin_y;
} IgpRgbImage;

/**
 * The file of sticker @p name (a face's "sticker" in faces.json, or the
 * default) in @p stickers_dir: it must stay inside that folder (no "..", no
 * absolute path, no symbolic link leading out).
 * @param path set on success; free with g_free()
 * @return 0 or IGP_ERR_INVALIDDATA naming the sticker and what is wrong
 */
int igp_redact_sticker_path(const char *stickers_dir, const char *name, char **path);

/** "blur", "mosaic", "fill", "sticker" → style; returns 0 or IGP_ERR_INVALIDDATA. */
int igp_redact_style_parse(const char *name, IgpRedactStyle *style);

const char *igp_redact_style_name(IgpRedactStyle style);

/**
 * The rectangle a face's redaction may touch (padded box plus feather),
 * clipped to the image. Everything outside it is left exactly as it was.
 */
void igp_redact_extent(const IgpRedactFace *face, double padding, int width, int height, int *x,
                       int *y, int *w, int *h);

/**
 * Hide @p face in @p image, in place.
 * @param padding  per side, as a fraction of the box (IGP_REDACT_PADDING)
 * @return 0 or an IGP_ERR (message in the error buffer)
 */
int igp_redact_face(IgpRgbImage *image, const IgpRedactFace *face, double padding);

/**
 * Hide @p faces (in this order) in the 8-bit RGB picture of file @p path
 * without holding more than 40 MB of it: a picture up to that size (12 MP)
 * is decoded once into memory; a larger one is read top to bottom, keeping
 * only the pixels around the faces, and @p out is then the file, read again
 * top to bottom. Either way the faces are hidden on their patches
 * (igp_redact_face() on each group of overlapping faces), inserted in @p out:
 * a libvips image to write with a sink (jpegsave). Same pixels as
 * igp_redact_face() on the whole picture.
 * @param out  set on success; unref with g_object_unref()
 * @return 0 or an IGP_ERR (message in the error buffer)
 */
int igp_redact_file(const char *path, const IgpRedactFace *faces, int n, double padding,
                    VipsImage **out);

/**
 * igp_redact_file() of @p path, then igp_image_save_jpeg() of the result to
 * @p out_path (its folder made first), with the same file and messages; but
 * a picture decoded into memory is encoded while it is being decoded (once,
 * in this thread, in order): each face is hidden as soon as its last row is
 * decoded, and the encoder sees a row only after every face on it is hidden.
 * @return 0 or an IGP_ERR (message in the error buffer); on error no file
 * is left at @p out_path or beside it
 */
int igp_redact_file_to_jpeg(const char *path, const IgpRedactFace *faces, int n, double padding,
                            const char *out_path, const IgpJpegSettings *settings);

#endif
