/**
 * @file
 * What the user sees on stderr: one line per problem, notes, and a progress
 * line with ETA when stderr is a terminal. Safe to call from worker threads.
 */
#ifndef IGP_LOG_H
#define IGP_LOG_H

/** "igprep: error: <message>" on stderr. */
void igp_log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** "igprep: warning: <message>" on stderr. */
void igp_log_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** "igprep: <message>" on stderr, unless quiet. */
void igp_log_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** Silence notes and progress (errors and warnings still show). */
void igp_log_set_quiet(int quiet);

/** A progress counter for one stage's items. */
typedef struct IgpProgress IgpProgress;

/** Start counting @p total items of @p stage; shows nothing unless stderr is a terminal. */
IgpProgress *igp_progress_new(const char *stage, int total);

/** One more item done (from any thread): redraws "stage  n/total  pct  ETA m:ss". */
void igp_progress_step(IgpProgress *p);

/** Clear the progress line and free. */
void igp_progress_free(IgpProgress **p);

#endif
