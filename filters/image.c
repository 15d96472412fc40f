#include "image.h"
#include "error.h"
#include "i18n.h"
#include "fsutil.h"
#include "rowfeed.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum { MIN_JPEG_QUALITY = 50, QUALITY_STEP = 4 };

void igp_image_default_limits(IgpImageLimits *limits)
{
    limits->max_pixels = INT64_C(210000000);
}

void igp_jpeg_default_settings(IgpJpegSettings *s)
{
    s->quality = 90;
    s->subsample = 1;
    s->max_bytes = 0;
    s->optimize = 1;
    s->restart_rows = 0;
}

void igp_image_free_on_close(VipsImage *image, gpointer pixels)
{
    (void)image;
    g_free(pixels);
}

IgpJpegSettings igp_jpeg_settings_like(const IgpJpegSettings *s, VipsImage *source)
{
    IgpJpegSettings like;
    const char *chroma = NULL;

    if (s)
        like = *s;
    else
        igp_jpeg_default_settings(&like);
    if (like.subsample == IGP_SUBSAMPLE_LIKE_SOURCE) {
        if (source && vips_image_get_typeof(source, "jpeg-chroma-subsample"))
            vips_image_get_string(source, "jpeg-chroma-subsample", &chroma);
        like.subsample = chroma && g_str_has_prefix(chroma, "4:2:0") ? 1 : 0;
    }
    return like;
}

int igp_vips_error(int err, const char *domain, const char *what)
{
    /* libvips has one error buffer for the whole process: with --jobs, other
     * workers write to it and clear it at any moment, so what it holds when
     * this worker looks is a matter of timing. The message is igprep's own
     * words about the operation that failed, the same on every run. */
    vips_error_clear();
    return igp_error(err, domain, "%s", what);
}

void igp_image_drop_metadata(VipsImage *image)
{
    char **fields = vips_image_get_fields(image);

    /* Header fields such as "width" are not metadata items and cannot be
     * removed: vips_image_remove() ignores them. Everything else goes. */
    for (char **f = fields; *f; f++)
        vips_image_remove(image, *f);
    g_strfreev(fields);
}

/* Take ownership of *in and replace it with out, for chains of operations. */
static void replace(VipsImage **in, VipsImage *out)
{
    g_object_unref(*in);
    *in = out;
}

/* Sets no message: display_chain() says what failed. */
static int to_srgb(VipsImage **image)
{
    VipsImage *t = NULL;
    int ret;

    if (vips_image_get_typeof(*image, VIPS_META_ICC_NAME)) {
        /* Convert through the embedded profile (Display P3 on iPhones, Adobe
         * RGB on cameras, CMYK...). A broken profile is not fatal: the
         * picture is then taken as what its pixels' interpretation says. */
        ret = vips_icc_transform(*image, &t, "srgb", "embedded", TRUE, "intent",
                                 VIPS_INTENT_RELATIVE, "depth", 8, NULL);
        if (ret == 0) {
            replace(image, t);
            return 0;
        }
        vips_error_clear();
    }
    if (vips_image_guess_interpretation(*image) == VIPS_INTERPRETATION_CMYK) {
        if (vips_icc_transform(*image, &t, "srgb", "input_profile", "cmyk", "depth", 8, NULL))
            return -1;
    } else if (vips_colourspace(*image, &t, VIPS_INTERPRETATION_sRGB, NULL)) {
        return -1;
    }
    replace(image, t);
    return 0;
}

/* Build the display conversion on *image (which it replaces, as far as it
 * got): orientation, sRGB, no alpha, 8 bits, no metadata. Sets no message:
 * returns NULL, or what could not be done (N_() text). Only the header is
 * read here; the pixels are converted when they are computed. */
static const char *display_chain(VipsImage **image)
{
    VipsImage *t = NULL;

    if (vips_autorot(*image, &t, NULL))
        return N_("cannot apply orientation");
    replace(image, t);
    if (to_srgb(image))
        return vips_image_guess_interpretation(*image) == VIPS_INTERPRETATION_CMYK
                   ? N_("cannot convert CMYK to sRGB")
                   : N_("cannot convert to sRGB");
    if (vips_image_hasalpha(*image)) {
        VipsArrayDouble *white = vips_array_double_newv(1, 255.0);
        int ret = vips_flatten(*image, &t, "background", white, NULL);
        vips_area_unref(VIPS_AREA(white));
        if (ret)
            return N_("cannot flatten transparency");
        replace(image, t);
    }
    if (vips_cast_uchar(*image, &t, NULL))
        return N_("cannot convert to 8 bits");
    replace(image, t);
    /* A private copy, so removing fields cannot touch libvips' cached images. */
    if (vips_copy(*image, &t, NULL))
        return N_("cannot copy image");
    replace(image, t);
    igp_image_drop_metadata(*image);
    return NULL;
}

static int to_display_srgb8(VipsImage **image, const char *path)
{
    const char *failed = display_chain(image);

    return failed ? igp_vips_error(IGP_ERR_LIBRARY, path, _(failed)) : 0;
}

/* Decoded pixels above this size go to a temporary file, not to memory:
 * a 12 MP camera photo (36 MB of RGB) stays in memory, anything larger
 * costs no more memory than it (libvips' own threshold, 100 MB, let a
 * 24 MP photo add 72 MB to the peak; docs/faces.md, "Measured"). */
enum { DECODE_IN_MEMORY_MAX = 40 * 1024 * 1024, DECODE_STRIP = 16 };

/* Open @p path for a top-to-bottom decode that fails on any decoder warning
 * (truncated or corrupt data), reading the file once, in order. */
static VipsImage *open_checked(const char *path)
{
    return vips_image_new_from_file(path, "access", VIPS_ACCESS_SEQUENTIAL, "fail_on",
                                    VIPS_FAIL_ON_WARNING, NULL);
}

/* Compute every pixel of @p in, strip after strip, in the calling thread, and
 * write them to @p out if it is not NULL. Not vips_image_write(),
 * vips_image_copy_memory() or vips_avg(): they hand the strips to libvips'
 * worker threads, and libvips 8.14 then reports a damaged JPEG as an error,
 * a stop or a success depending on which thread reaches the loader first.
 * Here the loader sees the same requests in the same order on every run. */
static int decode_in_this_thread(VipsImage *in, VipsImage *out)
{
    VipsRegion *region = vips_region_new(in);
    int ret = 0;

    if (out)
        ret = vips_image_pipelinev(out, VIPS_DEMAND_STYLE_THINSTRIP, in, NULL) ||
              vips_image_write_prepare(out);
    for (int top = 0; ret == 0 && top < in->Ysize; top += DECODE_STRIP) {
        VipsRect strip = {0, top, in->Xsize, MIN(DECODE_STRIP, in->Ysize - top)};

        ret = vips_region_prepare(region, &strip);
        for (int y = top; out && ret == 0 && y < VIPS_RECT_BOTTOM(&strip); y++)
            ret = vips_image_write_line(out, y, VIPS_REGION_ADDR(region, 0, y));
    }
    if (out && ret == 0)
        ret = vips_image_pio_input(out);
    g_object_unref(region);
    return ret ? -1 : 0;
}

/* Decode every pixel of *image now and replace it by the decoded copy: no
 * later step (rotation, colour conversion, the write of a master) can meet
 * a decoding error, and a failure here can only be the source's. */
static int decode_now(VipsImage **image, const char *path)
{
    VipsImage *decoded = VIPS_IMAGE_SIZEOF_IMAGE(*image) <= DECODE_IN_MEMORY_MAX
                             ? vips_image_new_memory()
                             : vips_image_new_temp_file("%s.v");

    if (!decoded || decode_in_this_thread(*image, decoded)) {
        if (decoded)
            g_object_unref(decoded);
        return igp_vips_error(IGP_ERR_INVALIDDATA, path,
                              _("cannot decode (truncated or corrupt image data)"));
    }
    replace(image, decoded);
    return 0;
}

/* Look at the header first: refuse bombs before a single pixel is decoded. */
static int check_header(const char *path, const IgpImageLimits *limits)
{
    IgpImageLimits defaults;
    VipsImage *image = vips_image_new_from_file(path, NULL);
    int64_t pixels;

    if (!limits) {
        igp_image_default_limits(&defaults);
        limits = &defaults;
    }
    if (!image)
        return igp_vips_error(IGP_ERR_INVALIDDATA, path, _("cannot read image"));
    pixels = (int64_t)vips_image_get_width(image) * vips_image_get_height(image);
    g_object_unref(image);
    if (pixels > limits->max_pixels)
        return igp_error(
            IGP_ERR_POLICY, path,
            _("image has %.1f megapixels, over the limit of %.1f (decompression bomb?)"),
            pixels / 1e6, limits->max_pixels / 1e6);
    return 0;
}

/* Check the source's header, then open it for decode_now() or
 * igp_row_feed_fill(). */
static int open_source(const char *path, const IgpImageLimits *limits, VipsImage **out)
{
    int ret = check_header(path, limits);

    if (ret)
        return ret;
    if (!(*out = open_checked(path)))
        return igp_vips_error(IGP_ERR_INVALIDDATA, path, _("cannot read image"));
    return 0;
}

/* igp_image_open_display() of a source already open (the reference is taken). */
static int open_display_of(VipsImage *image, const char *path, VipsImage **out)
{
    if (decode_now(&image, path) || to_display_srgb8(&image, path)) {
        g_object_unref(image);
        return IGP_ERR_INVALIDDATA;
    }
    *out = image;
    return 0;
}

int igp_image_open_display(const char *path, const IgpImageLimits *limits, VipsImage **out)
{
    VipsImage *image = NULL;
    int ret = open_source(path, limits, &image);

    return ret ? ret : open_display_of(image, path, out);
}

/* libjpeg's restart interval, in MCUs, for a marker after each row of MCUs
 * of @p image: 16 pixels wide with 4:2:0 chroma, else 8. 0: no markers. */
static int restart_interval(VipsImage *image, const IgpJpegSettings *s)
{
    int mcu_width = s->subsample == 1 && image->Bands >= 3 ? 16 : 8;

    return s->restart_rows ? (image->Xsize + mcu_width - 1) / mcu_width : 0;
}

/* The JPEGs of this file's writers (masters, redacted masters, posts), to a
 * file or to memory, are set up here. */
static int save_to(VipsImage *image, VipsTarget *target, int quality, const IgpJpegSettings *s)
{
    return vips_jpegsave_target(image, target, "Q", quality, "strip", TRUE, "optimize_coding",
                                s->optimize, "subsample_mode",
                                s->subsample == 1 ? VIPS_FOREIGN_SUBSAMPLE_ON
                                                  : VIPS_FOREIGN_SUBSAMPLE_OFF,
                                "restart_interval", restart_interval(image, s), NULL);
}

static int save_once(VipsImage *image, const char *tmp, int quality, const IgpJpegSettings *s)
{
    VipsTarget *target = vips_target_new_to_file(tmp);
    int ret = target ? save_to(image, target, quality, s) : -1;

    if (target)
        g_object_unref(target);
    return ret;
}

int igp_jpeg_save_buffer(VipsImage *image, const IgpJpegSettings *s, void **data, size_t *len)
{
    VipsTarget *target = vips_target_new_to_memory();
    VipsBlob *blob = NULL;
    int ret = save_to(image, target, s->quality, s);

    *data = NULL, *len = 0;
    if (ret == 0)
        g_object_get(target, "blob", &blob, NULL);
    if (blob) {
        const void *bytes = vips_blob_get(blob, len);
        *data = g_memdup2(bytes, *len);
        vips_area_unref(VIPS_AREA(blob));
    }
    g_object_unref(target);
    return *data ? 0 : -1;
}

/* Decode every pixel of @p source, writing nothing: does the source itself
 * decode cleanly? */
static int decodes_cleanly(const char *source)
{
    VipsImage *image = open_checked(source);
    int ok = image && decode_in_this_thread(image, NULL) == 0;

    if (image)
        g_object_unref(image);
    return ok;
}

/* libvips decodes lazily, so a failed save is either a damaged source or a
 * failed write (disk full, no permission): tell which, naming the right file. */
static int explain_save_failure(const char *source, const char *path)
{
    if (!decodes_cleanly(source))
        return igp_vips_error(IGP_ERR_INVALIDDATA, source,
                              _("cannot decode (truncated or corrupt image data)"));
    return igp_vips_error(IGP_ERR_LIBRARY, path, _("cannot write (disk full or not writable?)"));
}

/* How an encode to the temporary file ended. */
typedef enum { ENCODED, ENCODE_FAILED, ENCODE_TOO_BIG } Encoded;

/* Write @p image to @p tmp, lowering the quality until the file fits
 * max_bytes; *quality is the last one tried. Sets no message: it may run in
 * a thread of its own (IgpJpegWriter). strip=TRUE keeps libvips from writing
 * EXIF, XMP, IPTC or ICC; the fields were also removed from the image by
 * igp_image_drop_metadata(). */
static Encoded encode(VipsImage *image, const char *tmp, const IgpJpegSettings *s, int *quality)
{
    for (*quality = s->quality;; *quality -= QUALITY_STEP) {
        if (save_once(image, tmp, *quality, s))
            return ENCODE_FAILED;
        if (s->max_bytes <= 0 || igp_file_size(tmp) <= s->max_bytes)
            return ENCODED;
        if (*quality - QUALITY_STEP < MIN_JPEG_QUALITY)
            return ENCODE_TOO_BIG;
    }
}

/* Rename an encoded @p tmp into place at @p path, or say why it failed and
 * remove it. */
static int publish_encoded(Encoded result, int quality, const char *source, const char *path,
                           const char *tmp, const IgpJpegSettings *s)
{
    int ret = 0;

    if (result == ENCODE_FAILED)
        ret = explain_save_failure(source, path);
    else if (result == ENCODE_TOO_BIG)
        ret = igp_error(IGP_ERR_POLICY, path, _("JPEG stays over %lld bytes even at quality %d"),
                        (long long)s->max_bytes, quality);
    if (ret == 0)
        ret = igp_fsync_path(tmp);
    if (ret == 0)
        ret = igp_publish(tmp, path);
    if (ret != 0)
        unlink(tmp);
    return ret;
}

int igp_image_save_jpeg(VipsImage *image, const char *source, const char *path,
                        const IgpJpegSettings *settings)
{
    IgpJpegSettings defaults;
    char *tmp = igp_temp_sibling(path);
    Encoded result;
    int quality, ret;

    if (!settings) {
        igp_jpeg_default_settings(&defaults);
        settings = &defaults;
    }
    result = encode(image, tmp, settings, &quality);
    ret = publish_encoded(result, quality, source, path, tmp, settings);
    g_free(tmp);
    return ret;
}

struct IgpJpegWriter {
    VipsImage *image;
    char *path, *tmp;
    IgpJpegSettings settings;
    int quality;
    Encoded result;
    GThread *thread;
};

static gpointer run_writer(gpointer data)
{
    IgpJpegWriter *w = data;

    w->result = encode(w->image, w->tmp, &w->settings, &w->quality);
    vips_thread_shutdown();
    return NULL;
}

IgpJpegWriter *igp_jpeg_writer_start(VipsImage *image, const char *path,
                                     const IgpJpegSettings *settings)
{
    IgpJpegWriter *w = g_new0(IgpJpegWriter, 1);

    if (settings)
        w->settings = *settings;
    else
        igp_jpeg_default_settings(&w->settings);
    w->image = g_object_ref(image);
    w->path = g_strdup(path);
    w->tmp = igp_temp_sibling(path);
    if (!(w->thread = g_thread_try_new("igp-jpeg", run_writer, w, NULL))) {
        g_object_unref(w->image);
        g_free(w->path);
        g_free(w->tmp);
        g_free(w);
        return NULL;
    }
    return w;
}

int igp_jpeg_writer_finish(IgpJpegWriter *w, const char *source, int source_error)
{
    int ret;

    g_thread_join(w->thread);
    if (source_error) {
        /* The encode failed waiting for pixels that never came: the
         * source's own message is already in the buffer. */
        vips_error_clear();
        unlink(w->tmp);
        ret = source_error;
    } else {
        ret = publish_encoded(w->result, w->quality, source, w->path, w->tmp, &w->settings);
    }
    g_object_unref(w->image);
    g_free(w->path);
    g_free(w->tmp);
    g_free(w);
    return ret;
}

/* The encode can run while the source is decoded only when the display
 * conversion is row by row (no rotation: a rotated row needs every source
 * row) and the decoded pixels are held in memory (larger ones go to a
 * temporary file, decode_now()). */
static int can_overlap(VipsImage *image)
{
    int orientation = vips_image_get_orientation(image);

    return VIPS_IMAGE_SIZEOF_IMAGE(image) <= DECODE_IN_MEMORY_MAX &&
           (orientation < 2 || orientation > 8);
}

/* igp_image_save_display_jpeg() with the encode overlapping the decode;
 * 1 (nothing done, no message) if the display conversion cannot be set up
 * on the feed: the caller then takes the usual path, which says why in the
 * usual order (a decode error first). */
static int save_overlapped(VipsImage *source_image, const char *source, const char *path,
                           const IgpJpegSettings *settings, int *width, int *height)
{
    IgpRowFeed *feed = NULL;
    VipsImage *display = igp_row_feed_new(source_image, &feed);
    IgpJpegWriter *writer;
    int ret;

    if (!display)
        return 1;
    if (display_chain(&display)) {
        g_object_unref(display);
        return 1;
    }
    if (!(writer = igp_jpeg_writer_start(display, path, settings))) {
        g_object_unref(display);
        return 1;
    }
    ret = igp_row_feed_fill(feed, source_image, NULL, NULL, source,
                            _("cannot decode (truncated or corrupt image data)"));
    ret = igp_jpeg_writer_finish(writer, source, ret);
    *width = display->Xsize;
    *height = display->Ysize;
    g_object_unref(display);
    return ret;
}

int igp_image_save_display_jpeg(const char *source, const IgpImageLimits *limits, const char *path,
                                const IgpJpegSettings *settings, int *width, int *height)
{
    VipsImage *image = NULL, *display = NULL;
    int ret = open_source(source, limits, &image);
    IgpJpegSettings like;

    if (ret)
        return ret;
    like = igp_jpeg_settings_like(settings, image);
    ret = 1;
    if (can_overlap(image))
        ret = save_overlapped(image, source, path, &like, width, height);
    if (ret != 1) {
        g_object_unref(image);
        return ret;
    }
    if ((ret = open_display_of(image, source, &display)) == 0) {
        ret = igp_image_save_jpeg(display, source, path, &like);
        *width = display->Xsize;
        *height = display->Ysize;
        g_object_unref(display);
    }
    return ret;
}

/* Rows decoded at a time by igp_image_read_areas(). */
#define AREA_READ_STRIP 64

/* One area being read: sums of shrink × shrink blocks. */
typedef struct AreaSums {
    VipsRect area;
    int shrink, w, h, bands;
    guint32 *sums;
} AreaSums;

static void add_strip(AreaSums *a, VipsRegion *region, const VipsRect *strip)
{
    VipsRect rows;

    vips_rect_intersectrect(&a->area, strip, &rows);
    for (int y = rows.top; !vips_rect_isempty(&rows) && y < VIPS_RECT_BOTTOM(&rows); y++) {
        int oy = (y - a->area.top) / a->shrink;
        const guint8 *p = VIPS_REGION_ADDR(region, a->area.left, y);
        guint32 *o = a->sums + (size_t)oy * a->w * a->bands;
        if (oy >= a->h)
            break;
        /* Each output pixel adds its shrink pixels of the row. */
        for (int ox = 0; ox < a->w; ox++, o += a->bands)
            for (int k = 0; k < a->shrink; k++, p += a->bands)
                for (int c = 0; c < a->bands; c++)
                    o[c] += p[c];
    }
}

static VipsImage *area_image(const AreaSums *a)
{
    size_t n = (size_t)a->w * a->h * a->bands;
    guint8 *px = g_malloc(n);
    guint32 div = (guint32)(a->shrink * a->shrink);
    VipsImage *img;

    for (size_t i = 0; i < n; i++)
        px[i] = (guint8)((a->sums[i] + div / 2) / div);
    img = vips_image_new_from_memory_copy(px, n, a->w, a->h, a->bands, VIPS_FORMAT_UCHAR);
    g_free(px);
    if (img)
        img->Type = a->bands >= 3 ? VIPS_INTERPRETATION_sRGB : VIPS_INTERPRETATION_B_W;
    return img;
}

int igp_image_read_areas(const char *path, const VipsRect *areas, const int *shrink, int n,
                         VipsImage **out)
{
    VipsImage *image = vips_image_new_from_file(path, "access", VIPS_ACCESS_SEQUENTIAL, NULL);
    int ret = igp_image_read_areas_of(image, path, areas, shrink, n, out);

    if (image)
        g_object_unref(image);
    return ret;
}

int igp_image_read_areas_of(VipsImage *image, const char *path, const VipsRect *areas,
                            const int *shrink, int n, VipsImage **out)
{
    VipsRegion *region = image ? vips_region_new(image) : NULL;
    AreaSums *sums = g_new0(AreaSums, MAX(n, 1));
    int bottom = 0, ret = 0;

    for (int i = 0; i < n; i++)
        out[i] = NULL;
    if (!image)
        ret = igp_vips_error(IGP_ERR_INVALIDDATA, path, _("cannot read image"));
    else if (image->BandFmt != VIPS_FORMAT_UCHAR)
        ret = igp_error(IGP_ERR_INVALIDDATA, path, _("not an 8-bit image"));
    for (int i = 0; ret == 0 && i < n; i++) {
        VipsRect whole = {0, 0, image->Xsize, image->Ysize};
        AreaSums *a = &sums[i];
        vips_rect_intersectrect(&areas[i], &whole, &a->area);
        a->shrink = MAX(1, shrink[i]), a->bands = image->Bands;
        a->w = a->area.width / a->shrink, a->h = a->area.height / a->shrink;
        if (a->w > 0 && a->h > 0) {
            a->sums = g_new0(guint32, (size_t)a->w * a->h * a->bands);
            bottom = MAX(bottom, a->area.top + a->h * a->shrink);
        }
    }
    for (int top = 0; ret == 0 && top < bottom; top += AREA_READ_STRIP) {
        VipsRect strip = {0, top, image->Xsize, MIN(AREA_READ_STRIP, image->Ysize - top)};
        if (vips_region_prepare(region, &strip))
            ret = igp_vips_error(IGP_ERR_INVALIDDATA, path, _("cannot decode image"));
        for (int i = 0; ret == 0 && i < n; i++)
            if (sums[i].sums)
                add_strip(&sums[i], region, &strip);
    }
    for (int i = 0; ret == 0 && i < n; i++)
        if (sums[i].sums && !(out[i] = area_image(&sums[i])))
            ret = igp_vips_error(IGP_ERR_LIBRARY, path, _("cannot keep an area in memory"));
    for (int i = 0; i < n; i++) {
        g_free(sums[i].sums);
        if (ret && out[i])
            g_clear_object(&out[i]);
    }
    g_free(sums);
    if (region)
        g_object_unref(region);
    return ret;
}
