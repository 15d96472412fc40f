/**
 * @file
 * What a post says, against Instagram's rules (instagram-specs §1, §9): the
 * schedule, mentions and collaborators' usernames. shoot.json is checked
 * with these when it is read (manifest.c), before anything is made.
 */
#ifndef IGP_POSTRULES_H
#define IGP_POSTRULES_H

#include <glib.h>

#define IGP_MAX_MENTIONS     20 ///< "@name" in one caption
#define IGP_MAX_USERNAME_LEN 30 ///< characters of an Instagram username

/**
 * Read a post's "schedule": an ISO 8601 date and time,
 * YYYY-MM-DDThh:mm[:ss[.fff]] with an offset (Z, ±hh:mm, ±hhmm, ±hh). A time
 * without one is a local time in @p zone, the account's.
 * @return the same instant as "YYYY-MM-DDThh:mm:ss±hh:mm" (in its own offset,
 *         or @p zone's), to be freed with g_free(); or NULL with *@p why set
 *         (g_free) to what is wrong and the form expected, for one line
 */
char *igp_schedule_normalise(const char *text, GTimeZone *zone, char **why);

/** The "@name" mentions of a caption, as Instagram counts them. */
int igp_count_mentions(const char *caption);

/**
 * What is wrong with @p name as an Instagram username (letters, digits, '.'
 * and '_', at most 30, not starting or ending with '.', no ".."), or NULL
 * when it is one. The answer is a static string.
 */
const char *igp_username_problem(const char *name);

#endif
