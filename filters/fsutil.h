/**
 * @file
 * File-system helpers: content hashes, atomic publication of files and
 * folders, and the temporary names used while writing.
 *
 * Nothing igprep writes is ever visible under its final name before it is
 * complete: outputs are written to a temporary sibling and renamed.
 */
#ifndef IGP_FSUTIL_H
#define IGP_FSUTIL_H

#include <stddef.h>
#include <stdint.h>

/** Hex SHA-256 of a file's content: 64 characters plus NUL. */
typedef struct IgpDigest {
    char hex[65];
} IgpDigest;

/** Hash a file with SHA-256 (GLib GChecksum), streaming. Returns 0 or IGP_ERR. */
int igp_hash_file(const char *path, IgpDigest *out);

/** SHA-256 of a memory block. */
void igp_hash_bytes(const void *data, size_t len, IgpDigest *out);

/** mkdir -p. Returns 0 or IGP_ERR. */
int igp_mkdir_p(const char *path);

/**
 * A temporary sibling name for @p final_path: ".<name>.tmp-<pid>-<n>" in the
 * same folder, so that rename() is atomic. Caller frees with g_free().
 */
char *igp_temp_sibling(const char *final_path);

/** At most this many bytes more than its final name in a temporary sibling's name. */
#define IGP_TEMP_NAME_EXTRA 32

/**
 * Write @p len bytes to @p path atomically: temporary sibling, fsync, rename.
 * Returns 0 or IGP_ERR.
 */
int igp_write_file_atomic(const char *path, const void *data, size_t len);

/** fsync a file or folder by name. Returns 0 or IGP_ERR. */
int igp_fsync_path(const char *path);

/**
 * Rename the complete file or folder @p tmp_path to @p final_path, replacing
 * an existing folder of that name (moved aside first, then deleted), and
 * fsync the parent folder. Returns 0 or IGP_ERR.
 */
int igp_publish(const char *tmp_path, const char *final_path);

/** rm -rf; missing paths are fine. Returns 0 or IGP_ERR. */
int igp_remove_tree(const char *path);

/**
 * Take the lock that lets one igprep process at a time write in @p dir
 * (flock on DIR/.igprep.lock, not waiting).
 * @return the lock's file descriptor (close it to release), or a negative
 *         IGP_ERR: IGP_ERR(EBUSY) when another process holds it
 */
int igp_lock_folder(const char *dir);

/**
 * Remove the hidden temporaries (".name.tmp-PID-N") a killed process left in
 * @p dir. They were never visible under a final name, so nothing is lost.
 */
void igp_sweep_temporaries(const char *dir);

/** Does @p path exist (any type)? */
int igp_path_exists(const char *path);

/** Size of a file in bytes, or -1 when it cannot be read. */
int64_t igp_file_size(const char *path);

#endif
