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
#include <sys/types.h>

/** Hex SHA-256 of a file's content: 64 characters plus NUL. */
typedef struct IgpDigest {
    char hex[65];
} IgpDigest;

/** Hash a file with SHA-256 (OpenSSL), streaming. Returns 0 or IGP_ERR. */
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

/*
 * Reading the files users write (shoot.json, faces.json, template.json,
 * subtitles, artwork): only regular files, each kind with a size cap, and
 * only paths that stay inside their folder. A FIFO, a device, a folder or an
 * endless file gets one clear line instead of a hang or an exhausted memory.
 */

/** The kinds of user files and their size caps. */
typedef enum IgpReadKind {
    IGP_READ_JSON,    ///< shoot.json, faces.json, template.json: 16 MiB ($IGPREP_MAX_JSON_MB)
    IGP_READ_SRT,     ///< subtitles: 4 MiB ($IGPREP_MAX_SRT_MB)
    IGP_READ_ARTWORK, ///< SVG or PNG artwork and stickers: 16 MiB ($IGPREP_MAX_ARTWORK_MB)
} IgpReadKind;

/**
 * The size cap of @p kind in bytes: the environment variable's value in MiB
 * (a whole number from 1 to 4096), else the default.
 * @return 0, or IGP_ERR_INVALIDDATA when the variable is set to anything else
 */
int igp_read_cap(IgpReadKind kind, size_t *cap);

/** "a FIFO", "a folder", "a character device"...: what a file of @p mode is. */
const char *igp_file_kind(mode_t mode);

/**
 * Read all of @p path, which must be a regular file (a symlink to one is
 * followed) of at most @p cap bytes. Opened without blocking, so a FIFO is
 * refused, not waited on; at most cap + 1 bytes are ever read.
 * @param what  the kind of file, for the message ("JSON files")
 * @param data  set to the content plus a terminating NUL; free with g_free()
 * @return 0, IGP_ERR(errno) when it cannot be opened (IGP_ERR(ENOENT): it does
 *         not exist), or IGP_ERR_INVALIDDATA when it is not a regular file or
 *         is over the cap; the message names @p path
 */
int igp_read_regular_file(const char *path, size_t cap, const char *what, char **data, size_t *len);

/** igp_read_regular_file() with the configured cap of @p kind. */
int igp_read_user_file(const char *path, IgpReadKind kind, char **data, size_t *len);

/**
 * The part of igp_path_inside() that looks only at the name: not empty, not
 * absolute, no ".." component.
 * @return 0, or IGP_ERR_INVALIDDATA with @p why set ("uses '..'")
 */
int igp_relative_name_check(const char *relative, const char **why);

/**
 * Resolve @p relative, a path a user wrote, inside @p folder: not absolute,
 * no ".." component, and no symbolic link on the way that leads out of the
 * folder (a link to another file inside it is fine). The file's type is not
 * checked: igp_read_regular_file() or a stat() of the result does that.
 * @param resolved set on success to the real path; free with g_free()
 * @param why      set on failure to what is wrong, to end a message such as
 *                 "'x' must stay inside the shoot folder: it uses '..'"
 * @return 0; IGP_ERR_INVALIDDATA when the name itself is wrong (empty,
 *         absolute, ".."); IGP_ERR_POLICY when a symbolic link leads out;
 *         IGP_ERR(ENOENT) when it does not exist; another IGP_ERR(errno)
 *         when it cannot be resolved. No message is recorded: the caller
 *         words it, naming its file and key.
 */
int igp_path_inside(const char *folder, const char *relative, char **resolved, const char **why);

#endif
