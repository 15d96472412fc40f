/**
 * @file
 * OUT/audit.log: every approval, refusal and publish, one JSON object a
 * line, appended and never rewritten. Each line's "prev" is the SHA-256 of
 * the line before it (64 zeros on the first), so that editing, removing or
 * inserting a line breaks the chain, and `igprep verify OUT` finds where.
 */
#ifndef IGP_AUDITLOG_H
#define IGP_AUDITLOG_H

#include <stddef.h>

#include <glib.h>
#include <jansson.h>

#define IGP_AUDIT_LOG_NAME "audit.log"

/**
 * Append @p event (an object: "event", "at", "by", "post", "digest",
 * "files", ...) with its "prev" to OUT/audit.log, under an exclusive lock on
 * the log, and fsync it.
 * @return 0, or a negative IGP_ERR with the message set
 */
int igp_audit_append(const char *out_dir, json_t *event);

/**
 * Check the chain of OUT/audit.log. A missing log is fine (nothing yet).
 * @param lines  when not NULL, gets the number of lines checked
 * @return 0, or IGP_ERR_POLICY with "OUT/audit.log:LINE: ..." naming the
 *         first line that breaks the chain
 */
int igp_audit_verify(const char *out_dir, size_t *lines);

/**
 * Now, on the real clock, in @p zone, with its offset:
 * "2026-12-05T09:30:00+09:00". There is no way to set another time: an
 * approval's time is when it was given.
 */
void igp_now_in_zone(GTimeZone *zone, char *out, size_t len);

/**
 * An ISO 8601 time as people read it, in @p zone (the account's): under
 * Japanese messages "2026年12月12日（土）19:00", else "Sat 12 Dec 2026 19:00".
 * A time without an offset is taken as in @p zone; text that does not parse
 * comes back as it is.
 * @return a new string (g_free)
 */
char *igp_time_for_people(const char *iso, GTimeZone *zone);

#endif
