/**
 * @file
 * faces.json: the face marks of a shoot (format in docs/faces.md).
 *
 * Two copies exist, because the shoot folder is read-only for igprep:
 *  - SHOOT/faces.json, written by the editor (or `igprep review`): the only
 *    source of decisions;
 *  - OUT/faces.json, written by `igprep detect`: the editor's marks merged
 *    with the detector's proposals, what this run obeys. The next run takes
 *    only detected faces from it, hidden: never a decision (docs/faces.md,
 *    "Where decisions live"), so removing a clearance hides the face.
 *
 * Every check reports file:line:column and the entry (media, face id).
 */
#ifndef IGP_FACES_H
#define IGP_FACES_H

#include "facedet.h"
#include "redact.h"
#include "track.h"

#include <glib.h>
#include <jansson.h>

#define IGP_FACES_NAME "faces.json"

/** A parsed faces.json and the text it came from (for positions). */
typedef struct IgpFacesDoc {
    char *path;
    char *text;
    size_t len;
    json_t *root; ///< {"version": 1, "style"?: ..., "media": {...}}
} IgpFacesDoc;

/**
 * Read and check a faces.json: syntax, version, known keys only, value
 * types, box shapes, styles, duplicate ids within a media.
 * A missing file gives an empty document (when @p missing_ok).
 * @return 0 or IGP_ERR_INVALIDDATA (message names file:line:column)
 */
int igp_faces_load(const char *path, int missing_ok, IgpFacesDoc **out);

void igp_faces_free(IgpFacesDoc **doc);

/** The "faces" array of one media, or NULL when it has no entry. */
json_t *igp_faces_of(const IgpFacesDoc *doc, const char *media);

/**
 * Check that every box of @p media (a video's track keys too) lies inside a @p width × @p height
 * picture (as displayed).
 * @return 0 or IGP_ERR_INVALIDDATA naming file:line:column, media and face
 */
int igp_faces_check_bounds(const IgpFacesDoc *doc, const char *media, int width, int height);

/**
 * Refuse tracks on a photo (a photo's faces have boxes).
 * @return 0 or IGP_ERR_INVALIDDATA naming file:line:column, media and face
 */
int igp_faces_check_photo(const IgpFacesDoc *doc, const char *media);

/**
 * Refuse a media key that names none of @p known (the shoot's file names):
 * a misspelt key ("IMG_0013.jpg" for "IMG_0013.JPG") would otherwise mark
 * nothing, silently.
 * @return 0 or IGP_ERR_INVALIDDATA naming file:line:column and the name
 *         most likely meant ("did you mean 'IMG_0013.JPG'?")
 */
int igp_faces_check_media_names(const IgpFacesDoc *doc, GPtrArray *known);

/** The shoot-wide style (top-level "style"), or NULL. */
const char *igp_faces_style(const IgpFacesDoc *doc);

/**
 * Merge for one media: every face the editor wrote (kept exactly: their
 * decisions and manual boxes rule), then the previous run's detected faces
 * the editor did not mention, hidden, their decisions dropped (so ids stay
 * stable and a face missed this time stays hidden), then new detections that
 * overlap no face already there (IoU ≥ 0.3), numbered on from the highest id.
 * @return a new "faces" array
 */
json_t *igp_faces_merge(json_t *editor, json_t *previous, const IgpFaceBox *found, int n_found);

/** Does this face stay visible? Only "cleared": true. */
int igp_face_is_cleared(const json_t *face);

/** Did the editor mark this box as not a face? */
int igp_face_is_ignored(const json_t *face);

/** "hidden", "cleared" or "ignored". */
const char *igp_face_decision(const json_t *face);

/** The face's box as numbers; returns 0, or -1 when it has none. */
int igp_face_box(const json_t *face, double box[4]);

/**
 * The boxes of a photo's faces that steer its crops: every face but the
 * ones marked "ignore" (hidden and cleared alike: a hidden face is a blurred
 * patch nobody should see cut in half either). A box the editor says is not
 * a face moves no crop. Faces without a box (video tracks) are skipped.
 * @param out set to a g_malloc'd array of [x, y, w, h] (never NULL)
 * @return the number of boxes in *out
 */
int igp_faces_crop_boxes(const json_t *faces, double (**out)[4]);

/* ---- videos (docs/faces.md, "Videos") ----
 * A video's face is either a track, {"id": "t1", "source": "detected",
 * "cleared": false, "track": [{"t": 0.0, "box": [x, y, w, h]}, ...]} (boxes
 * in pixels of the upright master, t in seconds from its first frame), or a
 * still "box", present for the whole clip. */

/** Tracks to hide: not cleared, not ignored. */
#define IGP_TRACKS_HIDDEN 0
/** Every face but the ignored ones (for the crop window). */
#define IGP_TRACKS_FACES 1

/**
 * The faces of a video's "faces" array as tracks (id and index set; a still
 * box becomes one key present for the whole clip).
 * @param which IGP_TRACKS_HIDDEN or IGP_TRACKS_FACES
 * @return 0, or IGP_ERR_INVALIDDATA when a face has neither a valid box nor
 *         a valid track (nothing returned then)
 */
int igp_faces_video_tracks(json_t *faces, int which, IgpTrack **tracks, int *n_tracks);

/* void igp_tracks_free(IgpTrack *tracks, int n); is declared in track.h. */

/** A track's keys as faces.json "track" JSON (t to the millisecond, whole pixels). */
json_t *igp_track_keys_json(const IgpTrack *track);

/**
 * Merge for one video: every face the editor wrote (kept exactly), then the
 * previous run's detected faces the editor did not mention (their ids kept,
 * hidden, no decision carried over), then
 * each found track unless every one of its keys is the same face (IoU ≥ 0.3
 * at that time) as a face already there; new ones are numbered t1, t2, ...
 * on from the highest, hidden.
 * @return a new "faces" array
 */
json_t *igp_faces_merge_tracks(json_t *editor, json_t *previous, const IgpTrack *found,
                               int n_found);

#endif
