/**
 * @file
 * Pause LeakSanitizer (make test-sanitize) around one library call that is
 * known to lose memory of its own, where a suppression cannot reach it.
 *
 * LeakSanitizer records where each block was allocated by following frame
 * pointers, and Debian's libraries are built without them: the walk stops at
 * the first library frame, so a suppression that names a caller further up
 * (tests/lsan.supp) never matches. Full unwinding (fast_unwind_on_malloc=0)
 * would make every allocation of the whole suite about three times slower,
 * and a suppression naming the whole library would hide igprep's own leaks of
 * that library's objects. So the one call runs with leak checking paused for
 * the calling thread: blocks allocated during it are never reported. In a
 * build without the sanitizer both functions do nothing.
 */
#ifndef IGP_LEAKCHECK_H
#define IGP_LEAKCHECK_H

#if defined(__SANITIZE_ADDRESS__)
#define IGP_HAVE_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define IGP_HAVE_LSAN 1
#endif
#endif

#ifdef IGP_HAVE_LSAN
#include <sanitizer/lsan_interface.h>
#endif

/** From now until igp_leakcheck_resume(), this thread's allocations are not leak-checked. */
static inline void igp_leakcheck_pause(void)
{
#ifdef IGP_HAVE_LSAN
    __lsan_disable();
#endif
}

/** End igp_leakcheck_pause(). */
static inline void igp_leakcheck_resume(void)
{
#ifdef IGP_HAVE_LSAN
    __lsan_enable();
#endif
}

#endif
