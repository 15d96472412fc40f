/**
#include "i18n.h"
 * @file
#include "i18n.h"
 * Error values and the per-thread error message buffer.
#include "i18n.h"
 *
#include "i18n.h"
 * Every fallible igprep function returns 0 on success or a negative IGP_ERR
#include "i18n.h"
 * value, and leaves a human-readable explanation in the calling thread's
#include "i18n.h"
 * message buffer with igp_error(). Messages append, so a failure deep in a
#include "i18n.h"
 * call chain leaves a trail ("scrub: ... : vips: ..."). The library never
#include "i18n.h"
 * prints and never exits: only a program's main decides what the user sees.
#include "i18n.h"
 */
#include "i18n.h"
#ifndef IGP_ERROR_H
#include "i18n.h"
#define IGP_ERROR_H
#include "i18n.h"

#include "i18n.h"
#include <errno.h>
#include "i18n.h"

#include "i18n.h"
#define IGP_ERR(e) (-(e)) ///< a POSIX errno as an igprep error
#include "i18n.h"
#define IGP_ERR_INVALIDDATA (-1001) ///< input exists but is not what it claims
#include "i18n.h"
#define IGP_ERR_UNSUPPORTED (-1002) ///< valid input igprep cannot handle
#include "i18n.h"
#define IGP_ERR_POLICY (-1003) ///< a privacy or spec check refused the file
#include "i18n.h"
#define IGP_ERR_LIBRARY (-1004) ///< a library (libvips, FFmpeg...) failed
#include "i18n.h"
#define IGP_ERR_USAGE (-1005) ///< the command line asks for what cannot be done
#include "i18n.h"

#include "i18n.h"
/**
#include "i18n.h"
 * Append a message to this thread's buffer, as "domain: message".
#include "i18n.h"
 * Always returns @p err, so `return igp_error(IGP_ERR_INVALIDDATA, ...)` works.
#include "i18n.h"
 */
#include "i18n.h"
int igp_error(int err, const char *domain, const char *fmt, ...)
#include "i18n.h"
    __attribute__((format(printf, 3, 4)));
#include "i18n.h"

#include "i18n.h"
/**
#include "i18n.h"
 * strerror() in the user's language: the common reasons a file cannot be
#include "i18n.h"
 * read or written come from igprep's catalogue (the C library's own
#include "i18n.h"
 * translations need the locale installed), the rest from strerror().
#include "i18n.h"
 */
#include "i18n.h"
const char *igp_strerror(int errnum);
#include "i18n.h"

#include "i18n.h"
/** The messages collected since the last igp_error_clear(), "; "-joined. */
#include "i18n.h"
const char *igp_error_buffer(void);
#include "i18n.h"

#include "i18n.h"
/** Forget this thread's messages. */
#include "i18n.h"
void igp_error_clear(void);
#include "i18n.h"

#include "i18n.h"
#endif
#include "i18n.h"
