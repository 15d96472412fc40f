/**
 * @file
 * Face tracks in a video: per-frame detections linked into tracks, stored
 * as keyframes (time and unpadded box), and the box of a track at any time.
 *
 * Linking (docs/faces.md, ../shared/face-detection.md §5): detections are
 * made every k-th frame; each new detection is linked greedily (closest
 * first) to a live track whose constant-velocity prediction it meets:
 * IoU ≥ 0.1 with the predicted box, or a centre distance under 0.75 face
 * widths (0.75 + 0.35 · gap widths for a track seen once, whose velocity is
 * not known yet; gap in detection intervals). A track that has had no
 * detection for IGP_TRACK_MAX_GAP intervals ends. No track is dropped, not
 * even one seen once: a false box costs a little blur, a dropped true one a
 * visible face.
 *
 * Between keys the box is interpolated linearly. Beyond the first and the
 * last key the track lasts IGP_TRACK_MARGIN_INTERVALS detection intervals
 * more ((k+4) intervals for k = 2), and there its box is the union of the
 * held end box and the end box moved on with the end velocity: it covers a
 * face that goes on moving as well as one that stopped.
 */
#ifndef IGP_TRACK_H
#define IGP_TRACK_H

#include "facedet.h"

/** Detection intervals a track lasts beyond its first and last key: k+4 for k = 2. */
#define IGP_TRACK_MARGIN_INTERVALS 6
/** Margin when a track's detection interval is unknown (one key), seconds. */
#define IGP_TRACK_DEFAULT_MARGIN 0.4
/** Bounds of the margin, seconds. */
#define IGP_TRACK_MIN_MARGIN 0.2
#define IGP_TRACK_MAX_MARGIN 2.0
/** Detection intervals without a hit after which a track ends. */
#define IGP_TRACK_MAX_GAP 6

/** One keyframe: source time and the unpadded face box in source pixels. */
typedef struct IgpTrackKey {
    double t;      ///< seconds from the first frame
    double box[4]; ///< x, y, width, height
} IgpTrackKey;

/** A face over time. */
typedef struct IgpTrack {
    char *id;          ///< faces.json id (g_malloc'ed), or NULL
    int index;         ///< its position in the faces array, or -1
    IgpTrackKey *keys; ///< sorted by t, at least one (g_malloc'ed)
    int n_keys;
    double margin; ///< seconds present before the first and after the last key;
                   ///< HUGE_VAL: the whole clip (a still box)
} IgpTrack;

/**
 * The box of @p track at source time @p t (seconds), unpadded.
 * @return 1 with @p box set, or 0 when the track is absent at @p t
 */
int igp_track_box_at(const IgpTrack *track, double t, double box[4]);

/** The margin a track of these keys gets: IGP_TRACK_MARGIN_INTERVALS times
 *  the median spacing of its keys, within the bounds above. */
double igp_track_default_margin(const IgpTrackKey *keys, int n_keys);

/** Free @p n tracks and the array. */
void igp_tracks_free(IgpTrack *tracks, int n);

/** Links detections into tracks, one detection frame at a time. */
typedef struct IgpTracker IgpTracker;

/** @param interval seconds between detection frames (k frames) */
IgpTracker *igp_tracker_new(double interval);

/**
 * The detections of one frame at source time @p t (increasing from call to
 * call), in source pixels.
 */
void igp_tracker_add(IgpTracker *tracker, double t, const IgpFaceBox *boxes, int n);

/**
 * Every track made, in order of first appearance (id NULL, index -1,
 * margin from igp_track_default_margin()). The tracker is freed.
 */
void igp_tracker_finish(IgpTracker **tracker, IgpTrack **tracks, int *n_tracks);

#endif
