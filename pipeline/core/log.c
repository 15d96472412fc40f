#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include <glib.h>

static GMutex log_lock;
static int log_quiet;
static int progress_shown; /* a progress line is on screen and must be cleared first */

static void emit(const char *prefix, const char *fmt, va_list ap)
{
    g_mutex_lock(&log_lock);
    if (progress_shown) {
        fputs("\r\033[K", stderr);
        progress_shown = 0;
    }
    fprintf(stderr, "igprep: %s", prefix);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    g_mutex_unlock(&log_lock);
}

void igp_log_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit("error: ", fmt, ap);
    va_end(ap);
}

void igp_log_warning(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit("warning: ", fmt, ap);
    va_end(ap);
}

void igp_log_note(const char *fmt, ...)
{
    va_list ap;
    if (log_quiet)
        return;
    va_start(ap, fmt);
    emit("", fmt, ap);
    va_end(ap);
}

void igp_log_set_quiet(int quiet)
{
    log_quiet = quiet;
}

struct IgpProgress {
    char *stage;
    int total, done;
    gint64 started;
    int visible;
};

IgpProgress *igp_progress_new(const char *stage, int total)
{
    IgpProgress *p = g_new0(IgpProgress, 1);
    p->stage = g_strdup(stage);
    p->total = total;
    p->started = g_get_monotonic_time();
    p->visible = !log_quiet && isatty(STDERR_FILENO);
    return p;
}

void igp_progress_step(IgpProgress *p)
{
    double elapsed, eta;

    g_mutex_lock(&log_lock);
    p->done++;
    if (p->visible) {
        elapsed = (g_get_monotonic_time() - p->started) / 1e6;
        eta = p->done ? elapsed * (p->total - p->done) / p->done : 0;
        fprintf(stderr, "\r\033[K%-8s %d/%d  %3d%%  ETA %d:%02d", p->stage, p->done, p->total,
                p->total ? 100 * p->done / p->total : 100, (int)eta / 60, (int)eta % 60);
        fflush(stderr);
        progress_shown = 1;
    }
    g_mutex_unlock(&log_lock);
}

void igp_progress_free(IgpProgress **pp)
{
    IgpProgress *p = *pp;
    if (!p)
        return;
    g_mutex_lock(&log_lock);
    if (progress_shown) {
        fputs("\r\033[K", stderr);
        progress_shown = 0;
    }
    g_mutex_unlock(&log_lock);
    g_free(p->stage);
    g_free(p);
    *pp = NULL;
}
