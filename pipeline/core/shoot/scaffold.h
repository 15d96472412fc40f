/**
 * @file
 * igprep init: a starting shoot.json written from a shoot folder's media.
 *
 * Every photo and video of the folder (recognised by content, as ingest
 * does; hidden files and anything else left out), in name order, becomes a
 * post: a feed post per photo, a reel per video. The times ("schedule") are
 * left empty for the editor, so a run makes no post before its time is
 * filled in and names each one that waits. Keys beginning with "_" are
 * comments (manifest.c ignores them), written in the user's language.
 *
 * The file is written under a temporary name, read back with igprep's own
 * manifest reader, then renamed into place only if no shoot.json exists:
 * an existing one is never replaced.
 */
#ifndef IGP_SCAFFOLD_H
#define IGP_SCAFFOLD_H

#include <glib.h>

/** What igp_scaffold_write() wrote; free with igp_scaffold_clear(). */
typedef struct IgpScaffold {
    char *path;          ///< SHOOT/shoot.json
    int feed_posts;      ///< one per photo
    int reels;           ///< one per video
    GPtrArray *left_out; ///< one message per medium that could be no post (a video under 3 s)
} IgpScaffold;

/**
 * Write @p shoot_dir/shoot.json from the folder's media.
 * @return 0; IGP_ERR(EEXIST) when shoot.json exists (nothing written);
 *         IGP_ERR_INVALIDDATA when the folder has no photo or video; another
 *         IGP_ERR when it cannot be read or written. The message is set.
 */
int igp_scaffold_write(const char *shoot_dir, IgpScaffold *out);

void igp_scaffold_clear(IgpScaffold *s);

#endif
