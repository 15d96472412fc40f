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
static int json_events;    /* --json: every event also as a JSON line on stdout */
static int progress_shown; /* a progress line is on screen and must be cleared first */
static int n_errors, n_warnings;

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

/* The JSON line of an event (docs/json.md), written under log_lock:
 * {"event": EVENT, "kind": KIND, "message": TEXT, ...fields}. The message
 * is the text as is (JSON escapes it), or the terminal's escaped form when
 * it is not UTF-8. */
static void emit_json(const char *event, const char *kind, json_t *fields, const char *text,
                      const char *escaped)
{
    json_t *line = json_pack("{s:s, s:s}", "event", event, "kind", kind);
    json_t *message = json_string(text);
    char *dump;

    json_object_set_new(line, "message", message ? message : json_string(escaped));
    if (json_is_object(fields))
        json_object_update_missing(line, fields);
    dump = json_dumps(line, JSON_COMPACT | JSON_REAL_PRECISION(10));
    if (dump)
        printf("%s\n", dump);
    fflush(stdout);
    free(dump);
    json_decref(line);
}

/* One line: names, ids and --by come from users, and a newline or an
 * escape sequence in them must not print a line or colour of its own.
 * With --json, the same event as a JSON line on stdout. Takes @p fields. */
static void emit(const char *event, const char *kind, json_t *fields, const char *prefix,
                 const char *fmt, va_list ap)
{
    char *text = g_strdup_vprintf(fmt, ap);
    char *line = igp_log_escape(text);

    g_mutex_lock(&log_lock);
    if (!strcmp(event, "error"))
        n_errors++;
    else if (!strcmp(event, "warning"))
        n_warnings++;
    if (progress_shown) {
        fputs("\r\033[K", stderr);
        progress_shown = 0;
    }
    fprintf(stderr, "%s: %s%s\n", "igprep", prefix, line);
    if (json_events)
        emit_json(event, kind, fields, text, line);
    g_mutex_unlock(&log_lock);
    json_decref(fields);
    g_free(line);
    g_free(text);
}

void igp_log_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit("error", "general", NULL, _("error: "), fmt, ap);
    va_end(ap);
}

void igp_log_error_kind(const char *kind, json_t *fields, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit("error", kind, fields, _("error: "), fmt, ap);
    va_end(ap);
}

void igp_log_warning(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit("warning", "general", NULL, _("warning: "), fmt, ap);
    va_end(ap);
}

void igp_log_warning_kind(const char *kind, json_t *fields, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit("warning", kind, fields, _("warning: "), fmt, ap);
    va_end(ap);
}

void igp_log_note(const char *fmt, ...)
{
    va_list ap;
    if (log_quiet)
        return;
    va_start(ap, fmt);
    emit("note", "general", NULL, "", fmt, ap);
    va_end(ap);
}

int igp_log_errors(void)
{
    return g_atomic_int_get(&n_errors);
}

int igp_log_warnings(void)
{
    return g_atomic_int_get(&n_warnings);
}

int igp_log_json(void)
{
    return json_events;
}

void igp_log_json_result(json_t *result)
{
    json_t *line = json_pack("{s:s}", "event", "result");
    char *dump;

    json_object_update_missing(line, result);
    dump = json_dumps(line, JSON_COMPACT | JSON_REAL_PRECISION(10));
    g_mutex_lock(&log_lock);
    if (dump)
        printf("%s\n", dump);
    fflush(stdout);
    g_mutex_unlock(&log_lock);
    free(dump);
    json_decref(line);
    json_decref(result);
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

void igp_log_set_json(int on)
{
    json_events = on;
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
    if (json_events && (now - p->last_json > 250000 || p->done >= p->total)) {
        printf("{\"event\":\"progress\",\"stage\":%s,\"done\":%.3f,"
               "\"total\":%d,\"eta\":%.1f}\n",
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
