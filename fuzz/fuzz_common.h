/**
 * @file
 * What the harnesses share: a private folder per process, and one input
 * written there as a regular file, for the APIs that take a path.
 *
 * The folder is made once under $TMPDIR (scripts/fuzz.sh points it at
 * /dev/shm) and reused by every input; it is removed at a normal exit. A
 * crash leaves it behind, inside the run's own TMPDIR.
 */
#ifndef IGP_FUZZ_COMMON_H
#define IGP_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

/** The process's private folder (made on first use). */
const char *igp_fuzz_dir(void);

/** NAME inside igp_fuzz_dir(), made once and kept for the life of the process. */
const char *igp_fuzz_path(const char *name);

/** Replace @p path's content with @p data (a regular file). Exits on failure. */
void igp_fuzz_write(const char *path, const uint8_t *data, size_t size);

/** Copy the regular file @p from to @p to. Exits on failure. */
void igp_fuzz_copy(const char *from, const char *to);

/** Make the folder @p path (and its parents). Exits on failure. */
void igp_fuzz_mkdir(const char *path);

/**
 * With IGP_FUZZ_VERBOSE set, print what the call under test said: "ok" or
 * its error message (to see why a seed does not get far). Returns @p ret.
 */
int igp_fuzz_report(int ret);

/** Exit the harness with a message: its set-up failed, no input is to blame. */
void igp_fuzz_die(const char *what, const char *detail) __attribute__((noreturn));

#endif
