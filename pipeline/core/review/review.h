/**
 * @file
 * `igprep review`: the face review page (docs/review.md).
 *
 * A local web server (libmicrohttpd, 127.0.0.1 only) serves a static page
 * (DATA/share/review) that shows the shoot's photos and video tracks with
 * their faces, and saves the editor's decisions to SHOOT/faces.json, the only
 * file in the shoot folder igprep writes.
 *
 *  - marks.c:   the page's view of the faces (OUT/faces.json's boxes and
 *               tracks, SHOOT/faces.json's decisions) and the locked,
 *               atomic read-modify-write of SHOOT/faces.json;
 *  - preview.c: each photo's redacted preview, as the next run will hide it;
 *  - server.c:  the HTTP server, its routes and its safety checks.
 */
#ifndef IGP_REVIEW_H
#define IGP_REVIEW_H

#include "faces.h"

#include <glib.h>
#include <jansson.h>

/** What the review server works on; igp_review_open() fills it. */
typedef struct IgpReview {
    char *shoot_dir;   ///< the shoot folder (real path)
    char *out_dir;     ///< OUT (real path)
    char *marks_path;  ///< SHOOT/faces.json
    char *www_dir;     ///< the page's files: DATA/share/review
    char *shoot_name;  ///< shoot.json's "shoot"
    char *shoot_style; ///< shoot.json's "style", or NULL
    GMutex marks_lock; ///< one save at a time in this process (flock for others)
    GMutex preview_lock;
    GHashTable *preview_keys; ///< media → key of the preview file written last
} IgpReview;

/**
 * Check SHOOT (shoot.json) and OUT (a run's results: state/scrub.json must be
 * there), and find the page's files.
 * @param out_dir OUT, or NULL for out/<shoot>
 * @return 0 or an IGP_ERR with the message set
 */
int igp_review_open(const char *shoot_dir, const char *out_dir, IgpReview **out);

void igp_review_close(IgpReview **review);

/**
 * The page's view of the shoot: every photo and video of the last run with
 * its faces (geometry from OUT/faces.json or the editor's entry; decision
 * from SHOOT/faces.json only: a face the editor has not decided is hidden),
 * and the counts.
 * @return a new object, or NULL with the message set (a faces.json that
 *         does not load)
 */
json_t *igp_review_state(IgpReview *review);

/**
 * Apply the page's changes to SHOOT/faces.json, under the lock (this
 * process's mutex and an flock on the shoot folder, so that two tabs or two
 * servers never lose a decision), checked by igprep's own faces.json reader
 * before it replaces the file (temporary sibling, fsync, rename).
 *
 * @p changes is an array of:
 *  - {"op": "set", "media": M, "id": I, "decision"?: "hidden"|"cleared"|"ignored",
 *     "consent"?: S|null, "person"?: S|null}
 *  - {"op": "add", "media": M, "box": [x, y, w, h]} (a manual box, hidden)
 *  - {"op": "remove", "media": M, "id": I} (a manual box only)
 * @return 0, IGP_ERR_INVALIDDATA for a change that cannot be made (nothing
 *         written), or another IGP_ERR; the message is set
 */
int igp_review_apply(IgpReview *review, json_t *changes);

/**
 * The redacted preview of photo @p media as the next run will hide its faces
 * (OUT/review/preview/<media>.jpg, at most 1200 px), made again when its
 * faces or their styles changed.
 * @param path set to the file; free with g_free()
 * @return 0, IGP_ERR(ENOENT) for a media that is not a photo of the shoot,
 *         or another IGP_ERR
 */
int igp_review_preview(IgpReview *review, const char *media, char **path);

/** The key of a photo's preview as things stand (for the page's URLs). */
char *igp_review_preview_key(IgpReview *review, const char *media, json_t *faces);

/** Serve until SIGINT or SIGTERM. @p port 0: any free port. */
int igp_review_serve(IgpReview *review, unsigned port);

#endif
