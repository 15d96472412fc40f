/**
 * @file
 * What the user sees on stderr: one line per problem, notes, and a progress
 * line with ETA when stderr is a terminal. Safe to call from worker threads.
 */
#ifndef IGP_LOG_H
#define IGP_LOG_H

#include <jansson.h>

/** "igprep: error: <message>" on stderr. */
void igp_log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** "igprep: warning: <message>" on stderr. */
void igp_log_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/**
 * An error scripts can tell apart (docs/json.md): @p kind is a stable code
 * ("check-failed", "post-failed", ...), @p fields (taken; may be NULL) are
 * added to its JSON event, e.g. {"post": ID}. On stderr as igp_log_error().
 */
void igp_log_error_kind(const char *kind, json_t *fields, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** A warning with a stable @p kind and @p fields (taken), as igp_log_error_kind(). */
void igp_log_warning_kind(const char *kind, json_t *fields, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** "igprep: <message>" on stderr, unless quiet. */
void igp_log_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/**
 * @p s with control characters written out (\n, \t, \x1b, \u009b) and bytes
 * that are not UTF-8 as \xNN, so that a name from a user cannot print a
 * line or a terminal sequence of its own. Every message is passed through
 * it. Caller g_free()s.
 */
char *igp_log_escape(const char *s);

/** Silence notes and progress (errors and warnings still show). */
void igp_log_set_quiet(int quiet);

/**
 * --json: also write every event as one JSON line on stdout, for scripts
 * (docs/json.md): errors, warnings and notes as
 * {"event": "error"|"warning"|"note", "kind": ..., "message": ...}, and
 * progress as {"event": "progress", "stage", "done", "total", "eta"} at most
 * a few a second, and always the last one.
 */
void igp_log_set_json(int on);

/** Is --json on? */
int igp_log_json(void);

/** Errors and warnings logged so far (for the result's counts). */
int igp_log_errors(void);
int igp_log_warnings(void);

/** Write @p result (taken) as the last line, {"event": "result", ...}. */
void igp_log_json_result(json_t *result);

/** A progress counter for one stage's items. */
typedef struct IgpProgress IgpProgress;

/** Start counting @p total items of @p stage; shows nothing unless stderr is a terminal. */
IgpProgress *igp_progress_new(const char *stage, int total);

/** One more item done (from any thread): redraws "stage  n/total  pct  ETA m:ss". */
void igp_progress_step(IgpProgress *p);

/** Set how much is done, in items (fractions allowed): long single items (videos). */
void igp_progress_set(IgpProgress *p, double done);

/** Clear the progress line and free. */
void igp_progress_free(IgpProgress **p);

#endif
