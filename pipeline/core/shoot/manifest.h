/**
 * @file
 * shoot.json: the shoot and the posts to make from it (version 1).
 *
 * Loading checks the whole document: JSON syntax, keys, types, values, post
 * types and their media counts, duplicate ids, and that every file a post
 * names (media, subtitles) stays inside the shoot folder. Structural
 * problems (a "..", an absolute path) make the manifest unusable; a post that
 * names a file missing from the shoot folder, not a regular file, or a
 * symbolic link out of the folder, or an empty "schedule" (a time still to
 * be filled in) only disables that post, so the other posts go on. Keys
 * beginning with "_" are comments and ignored. Every message names the
 * file, line and column.
 */
#ifndef IGP_MANIFEST_H
#define IGP_MANIFEST_H

#include "posttype.h"

#include <jansson.h>

#define IGP_MANIFEST_NAME    "shoot.json"
#define IGP_MANIFEST_VERSION 1

typedef struct IgpMediaRef {
    char *file;      ///< name inside the shoot folder
    double focus[2]; ///< x, y as fractions of the displayed picture; default 0.5, 0.5
    int has_trim;
    double trim[2]; ///< seconds (video)
} IgpMediaRef;

typedef struct IgpPost {
    char *id;
    IgpPostType type;
    IgpAspect aspect;
    IgpMediaRef *media;
    int n_media;
    char *problem; ///< why this post cannot be made (missing media), or NULL
    json_t *json;  ///< the post's object, for later stages (borrowed from the manifest)
} IgpPost;

typedef struct IgpManifest {
    char *path;     ///< .../shoot.json
    char *dir;      ///< the shoot folder
    char *shoot;    ///< the shoot's name, e.g. "2026-11-20-nobisuku-halloween"
    char *timezone; ///< the account's zone (igprep.json), in which schedules without an offset were
                    ///< read
    IgpPost *posts;
    int n_posts;
    json_t *root;
    char *text; ///< shoot.json as read, for messages that name a line and column
    size_t len;
    /* The shoot's face settings (docs/faces.md); the command line's win. */
    int face_thorough;      ///< "thorough": 1 true, 0 false, -1 absent
    int face_min_size;      ///< "min_face" in pixels, or 0 when absent
    const char *face_style; ///< "style" (blur, mosaic, fill, sticker), or NULL; in root
    int retention_days;     ///< "retention_days" (docs/privacy.md), or 0 when absent
    IgpPlan *plan;          ///< the posts to make, next-day stories included (posttype.h)
} IgpManifest;

/**
 * Read and check SHOOT_DIR/shoot.json.
 * @param out set on success; free with igp_manifest_free()
 * @return 0, or IGP_ERR_INVALIDDATA with "shoot.json:LINE:COL: what" in the
 *         error buffer (the first problem found)
 */
int igp_manifest_load(const char *shoot_dir, IgpManifest **out);

/**
 * igp_manifest_load() for a run into @p out_dir (NULL: the default
 * out/<shoot>), whose igprep.json counts when the shoot folder has none.
 * Every post's "schedule" is checked and rewritten in the manifest's JSON
 * with its offset, a local time taking the account's zone:
 * "2026-11-28T19:00" becomes "2026-11-28T19:00:00+09:00".
 */
int igp_manifest_load_for(const char *shoot_dir, const char *out_dir, IgpManifest **out);

/**
 * igp_manifest_load_for() reading @p path instead of SHOOT_DIR/shoot.json, as
 * the shoot folder's manifest (igprep init checks its file before renaming it
 * into place).
 */
int igp_manifest_load_file(const char *shoot_dir, const char *path, const char *out_dir,
                           IgpManifest **out);

void igp_manifest_free(IgpManifest **m);

/**
 * Record "shoot.json:LINE:COLUMN: message" with igp_error(), the position
 * being where the JSON Pointer @p pointer (e.g. "/posts/2/template") sits.
 * Returns IGP_ERR_INVALIDDATA.
 */
int igp_manifest_error_at(const IgpManifest *m, const char *pointer, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** The post with this id, or NULL. */
const IgpPost *igp_manifest_find_post(const IgpManifest *m, const char *id);

#endif
