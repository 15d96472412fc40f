/**
 * @file
 * Overlays of a reel (or story video): the logo bug, the opening title card,
 * the end card and burned-in subtitles, drawn from the post's reel template
 * (canvas "reel", default "reel-basic") and its "subtitles" SRT file.
 *
 * The render asks for the overlay of every output frame; a new picture is
 * drawn only when what shows changes (a card starts or ends, a cue starts or
 * ends), so a 15-minute reel costs a few hundred renders, not 27000.
 */
#ifndef IGP_REEL_OVERLAY_H
#define IGP_REEL_OVERLAY_H

#include "manifest.h"
#include "stage.h"

#include <stdint.h>

/** The default template of reels and story videos. */
#define IGP_REEL_TEMPLATE "reel-basic"

/**
 * One overlay picture. Pixels are premultiplied, so over an opaque frame
 * pixel d (8-bit channels) the result is  s + d * (255 - a) / 255  per
 * channel, for the pixels of the box x, y, w, h only (elsewhere a == 0).
 * On YUV frames, convert the picture once per serial, not once per frame.
 */
typedef struct IgpOverlayImage {
    const uint8_t *argb; ///< cairo ARGB32: premultiplied native-endian 32-bit pixels (bytes B, G,
                         ///< R, A on little-endian machines, i.e. AV_PIX_FMT_BGRA)
    int width, height;   ///< 1080×1920
    int stride;          ///< bytes per row
    int x, y, w, h;      ///< bounding box of the non-transparent pixels (blend only there)
    unsigned serial;     ///< changes whenever the pixels change
} IgpOverlayImage;

typedef struct IgpReelOverlays IgpReelOverlays;

/**
 * Load the post's template and subtitles and check them: every cue is drawn
 * by the bundled font and fits the subtitle box (else an error naming the SRT
 * file and line of the cue).
 * @param duration the post's trimmed length, seconds (the end card's clock)
 * @return 0, or IGP_ERR_INVALIDDATA / IGP_ERR(ENOENT) naming the template or
 *         the subtitles file
 */
int igp_reel_overlays_open(const IgpShoot *shoot, const IgpPost *post, double duration,
                           IgpReelOverlays **out);

/**
 * The overlay at @p t_post seconds of the post (title and end cards) and
 * @p t_source seconds of the source clip (subtitles: the SRT belongs to the
 * source, the post may be trimmed).
 * @return the picture, valid until the next call or close; NULL when
 *         nothing is drawn at that time (or on an error: see
 *         igp_reel_overlays_error())
 */
const IgpOverlayImage *igp_reel_overlays_at(IgpReelOverlays *o, double t_post, double t_source);

/** 0, or the error of a failed igp_reel_overlays_at() (its message is in the error buffer). */
int igp_reel_overlays_error(const IgpReelOverlays *o);

/** How many pictures were drawn so far (for tests and the benchmark). */
int igp_reel_overlays_renders(const IgpReelOverlays *o);

void igp_reel_overlays_close(IgpReelOverlays **o);

#endif
