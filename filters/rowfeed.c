#include "rowfeed.h"
#include "image.h"
#include "error.h"

#include <string.h>

/* Rows decoded at a time: as decode_in_this_thread() in image.c. */
enum { FEED_STRIP = 16 };

struct IgpRowFeed {
    GMutex lock;
    GCond more; ///< signalled when ready grows or the fill fails
    int ready;  ///< rows [0, ready) are final: readers may read them
    gboolean failed;
    VipsPel *pixels; ///< the whole picture, Ysize rows of line bytes
    size_t line;
    VipsImage *memory; ///< pixels as an image: readers' regions point into it
};

static void feed_free(VipsImage *image, gpointer data)
{
    IgpRowFeed *feed = data;

    (void)image;
    if (feed->memory)
        g_object_unref(feed->memory);
    g_mutex_clear(&feed->lock);
    g_cond_clear(&feed->more);
    g_free(feed->pixels);
    g_free(feed);
}

/* A reader's request: wait until its rows are final, then point the region
 * at them (no copy). @p seq is the reader's region on feed->memory. */
static int feed_generate(VipsRegion *out, void *seq, void *a, void *b, gboolean *stop)
{
    IgpRowFeed *feed = b;
    VipsRegion *memory = seq;
    const VipsRect *r = &out->valid;
    gboolean failed;

    (void)a, (void)stop;
    g_mutex_lock(&feed->lock);
    while (!feed->failed && feed->ready < VIPS_RECT_BOTTOM(r))
        g_cond_wait(&feed->more, &feed->lock);
    failed = feed->failed;
    g_mutex_unlock(&feed->lock);
    if (failed)
        return -1; /* the filler says why, in its own thread */
    return vips_region_prepare(memory, r) || vips_region_region(out, memory, r, r->left, r->top)
               ? -1
               : 0;
}

VipsImage *igp_row_feed_new(VipsImage *in, IgpRowFeed **feed)
{
    VipsImage *image = vips_image_new();
    IgpRowFeed *f = g_new0(IgpRowFeed, 1);

    g_mutex_init(&f->lock);
    g_cond_init(&f->more);
    f->line = VIPS_IMAGE_SIZEOF_LINE(in);
    f->pixels = g_try_malloc(f->line * in->Ysize);
    g_signal_connect(image, "postclose", G_CALLBACK(feed_free), f);
    if (f->pixels)
        f->memory = vips_image_new_from_memory(f->pixels, f->line * in->Ysize, in->Xsize, in->Ysize,
                                               in->Bands, in->BandFmt);
    if (!f->memory || vips_image_pipelinev(image, VIPS_DEMAND_STYLE_THINSTRIP, in, NULL) ||
        vips_image_generate(image, vips_start_one, feed_generate, vips_stop_one, f->memory, f)) {
        g_object_unref(image);
        return NULL;
    }
    *feed = f;
    return image;
}

VipsPel *igp_row_feed_row(IgpRowFeed *feed, int y)
{
    return feed->pixels + (size_t)y * feed->line;
}

static void publish(IgpRowFeed *feed, int ready, gboolean failed)
{
    g_mutex_lock(&feed->lock);
    feed->ready = MAX(feed->ready, ready);
    feed->failed = failed;
    g_cond_broadcast(&feed->more);
    g_mutex_unlock(&feed->lock);
}

int igp_row_feed_fill(IgpRowFeed *feed, VipsImage *in, IgpRowFeedHook hook, void *data,
                      const char *path, const char *decode_error)
{
    VipsRegion *region = vips_region_new(in);
    int ready = 0, ret = 0;

    for (int top = 0; ret == 0 && top < in->Ysize; top += FEED_STRIP) {
        VipsRect strip = {0, top, in->Xsize, MIN(FEED_STRIP, in->Ysize - top)};

        if (vips_region_prepare(region, &strip)) {
            ret = igp_vips_error(IGP_ERR_INVALIDDATA, path, decode_error);
            break;
        }
        for (int y = top; y < VIPS_RECT_BOTTOM(&strip); y++)
            memcpy(igp_row_feed_row(feed, y), VIPS_REGION_ADDR(region, 0, y), feed->line);
        ready = hook ? hook(feed, region, &strip, data) : VIPS_RECT_BOTTOM(&strip);
        ready = MIN(ready, VIPS_RECT_BOTTOM(&strip)); /* never rows not decoded yet */
        if (ready < 0)
            ret = ready;
        else
            publish(feed, ready, FALSE);
    }
    /* Fail closed (and wake the readers): a hook must release every row
     * once the last strip is done; rows it held back are never read. */
    if (ret == 0 && ready < in->Ysize)
        ret = igp_error(IGP_ERR_INVALIDDATA, path, "%s", decode_error);
    if (ret)
        publish(feed, 0, TRUE);
    g_object_unref(region);
    return ret;
}
