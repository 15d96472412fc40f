#include "log.h"
#include "i18n.h"

#include <math.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <jansson.h>

static GMutex log_lock;
static int log_quiet;
static int json_progress;  /* --json: progress events on stdout */
static int progress_shown; /* a progress line is on screen and must be cleared first */

char *igp_log_escape(const char *s)
{
    GString *out = g_string_sized_new(strlen(s));

    for (const char *p = s; *p;) {
        gunichar c = g_utf8_get_char_validated(p, -1);
        if (c == (gunichar)-1 || c == (gunichar)-2) { /* not UTF-8: show the byte */
            g_string_append_printf(out, "\\x%02x", (unsigned char)*p++);
        } else if (c == '\n') {
            g_string_append(out, "\\n"), p++;
        } else if (c == '\r') {
            g_string_append(out, "\\r"), p++;
        } else if (c == '\t') {
            g_string_append(out, "\\t"), p++;
        } else if (c < 0x20 || c == 0x7f) {
            g_string_append_printf(out, "\\x%02x", (unsigned)c), p++;
        } else if (c >= 0x80 && c < 0xa0) { /* C1 controls: U+009B is a CSI too */
            g_string_append_printf(out, "\\u%04x", (unsigned)c);
            p = g_utf8_next_char(p);
        } else {
            const char *next = g_utf8_next_char(p);
            g_string_append_len(out, p, next - p);
            p = next;
        }
    }
    return g_string_free(out, FALSE);
}

/* One line: names, ids and --by come from users, and a newline or an
 * escape sequence in them must not print a line or colour of its own. */
static void emit(const char *prefix, const char *fmt, va_list ap)
{
    char *text = g_strdup_vprintf(fmt, ap);
    char *line = igp_log_escape(text);

    g_mutex_lock(&log_lock);
    if (progress_shown) {
        fputs("\r\033[K", stderr);
        progress_shown = 0;
    }
    fprintf(stderr, "%s: %s%s\n", "igprep", prefix, line);
    g_mutex_unlock(&log_lock);
    g_free(line);
    g_free(text);
}

void igp_log_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit(_("error: "), fmt, ap);
    va_end(ap);
}

void igp_log_warning(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit(_("warning: "), fmt, ap);
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
    char *stage;      ///< escaped for the terminal
    char *stage_json; ///< a JSON string
    int total;
    double done;
    gint64 started, last_json;
    int visible;
};

void igp_log_set_json_progress(int on)
{
    json_progress = on;
}

IgpProgress *igp_progress_new(const char *stage, int total)
{
    IgpProgress *p = g_new0(IgpProgress, 1);
    json_t *name = json_string(stage);

    /* A reel's progress is named by its post id: escaped on the terminal,
     * JSON-encoded for --json. */
    p->stage = igp_log_escape(stage);
    if (!name) /* not UTF-8 */
        name = json_string(p->stage);
    p->stage_json = json_dumps(name, JSON_ENCODE_ANY);
    json_decref(name);
    p->total = total;
    p->started = g_get_monotonic_time();
    p->visible = !log_quiet && isatty(STDERR_FILENO);
    return p;
}

/* Redraw the line (terminal) and write an event (--json); log_lock held. */
static void show_progress(IgpProgress *p)
{
    gint64 now = g_get_monotonic_time();
    double elapsed = (now - p->started) / 1e6;
    double eta = p->done > 0 ? elapsed * (p->total - p->done) / p->done : 0;
    int percent = p->total ? (int)(100 * p->done / p->total) : 100;

    if (p->visible) {
        fputs("\r\033[K", stderr);
        fprintf(stderr, _("%-8s %.0f/%d  %3d%%  ETA %d:%02d"), p->stage, floor(p->done), p->total,
                percent, (int)eta / 60, (int)eta % 60);
        fflush(stderr);
        progress_shown = 1;
    }
    if (json_progress && (now - p->last_json > 250000 || p->done >= p->total)) {
        printf("{\"event\": \"progress\", \"stage\": %s, \"done\": %.3f, "
               "\"total\": %d, \"eta\": %.1f}\n",
               p->stage_json, p->done, p->total, eta);
        fflush(stdout);
        p->last_json = now;
    }
}

void igp_progress_step(IgpProgress *p)
{
    g_mutex_lock(&log_lock);
    p->done = floor(p->done) + 1;
    show_progress(p);
    g_mutex_unlock(&log_lock);
}

void igp_progress_set(IgpProgress *p, double done)
{
    g_mutex_lock(&log_lock);
    p->done = done;
    show_progress(p);
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
    free(p->stage_json);
    g_free(p);
    *pp = NULL;
}
