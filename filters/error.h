/**
 * @file
 * Error values and the per-thread error message buffer.
 *
 * Every fallible igprep function returns 0 on success or a negative IGP_ERR
 * value, and leaves a human-readable explanation in the calling thread's
 * message buffer with igp_error(). Messages append, so a failure deep in a
 * call chain leaves a trail ("scrub: ... : vips: ..."). The library never
 * prints and never exits: only a program's main decides what the user sees.
 */
#ifndef IGP_ERROR_H
#define IGP_ERROR_H

#include <errno.h>

#define IGP_ERR(e)          (-(e))  ///< a POSIX errno as an igprep error
#define IGP_ERR_INVALIDDATA (-1001) ///< input exists but is not what it claims
#define IGP_ERR_UNSUPPORTED (-1002) ///< valid input igprep cannot handle
#define IGP_ERR_POLICY      (-1003) ///< a privacy or spec check refused the file
#define IGP_ERR_LIBRARY     (-1004) ///< a library (libvips, FFmpeg...) failed
#define IGP_ERR_USAGE       (-1005) ///< the command line asks for what cannot be done

/**
 * Append a message to this thread's buffer, as "domain: message".
 * Always returns @p err, so `return igp_error(IGP_ERR_INVALIDDATA, ...)` works.
 */
int igp_error(int err, const char *domain, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/**
 * strerror() in the user's language: the common reasons a file cannot be
 * read or written come from igprep's catalogue (the C library's own
 * translations need the locale installed), the rest from strerror().
 */
const char *igp_strerror(int errnum);

/** The messages collected since the last igp_error_clear(), "; "-joined. */
const char *igp_error_buffer(void);

/** Forget this thread's messages. */
void igp_error_clear(void);

#endif
