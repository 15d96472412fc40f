/**
 * @file
 * A picture decoded once, into memory, top to bottom, by the thread that
 * calls igp_row_feed_fill(), while other threads (a JPEG encoder and
 * libvips' workers) already read the rows that are done: the encode
 * overlaps the decode instead of following it.
 */
#ifndef IGP_ROWFEED_H
#define IGP_ROWFEED_H

#include <vips/vips.h>

typedef struct IgpRowFeed IgpRowFeed;

/**
 * Called by igp_row_feed_fill() after each strip of rows is decoded and
 * copied into the feed. @p decoded holds @p strip, as decoded. The hook may
 * change the feed's rows that are not yet published (igp_row_feed_row()).
 * @return how many rows from the top readers may now see (at most the
 * strip's bottom; all of them once the last strip is done), or a negative
 * IGP_ERR with the reason in the error buffer
 */
typedef int (*IgpRowFeedHook)(IgpRowFeed *feed, VipsRegion *decoded, const VipsRect *strip,
                              void *data);

/**
 * A feed for the pixels of @p in (its size, format and header fields).
 * @return the image readers use (the caller unrefs it; the feed lives as
 * long as it does), or NULL; @p feed is set to its filler's handle
 */
VipsImage *igp_row_feed_new(VipsImage *in, IgpRowFeed **feed);

/**
 * Decode every pixel of @p in, strip after strip, in the calling thread
 * (the loader sees the same requests in the same order on every run), into
 * the feed, publishing rows as @p hook (NULL: every decoded row) allows.
 * On any failure readers waiting for rows fail too.
 * @return 0; IGP_ERR_INVALIDDATA with "@p path: @p decode_error" if @p in
 * does not decode; or the hook's error
 */
int igp_row_feed_fill(IgpRowFeed *feed, VipsImage *in, IgpRowFeedHook hook, void *data,
                      const char *path, const char *decode_error);

/** Row @p y of the feed's pixels, for its filler. */
VipsPel *igp_row_feed_row(IgpRowFeed *feed, int y);

#endif
