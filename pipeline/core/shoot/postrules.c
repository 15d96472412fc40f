/* postrules: a post's schedule, mentions and usernames (see postrules.h). */
#include "postrules.h"
#include "i18n.h"

#include <stdio.h>
#include <string.h>

/* The one shape of schedule igprep takes: a calendar date, 'T', hours and
 * minutes, optional seconds (and fraction), optional offset. GLib's own
 * ISO 8601 reader takes more (week dates, ordinal dates, a space for 'T'),
 * too much to be sure what an editor meant; it then judges the values. */
static const char schedule_shape[] = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}"
                                     "(:[0-9]{2}([.,][0-9]{1,9})?)?"
                                     "(Z|[+-][0-9]{2}(:?[0-9]{2})?)?$";
static const char offset_shape[] = "(Z|[+-][0-9]{2}(:?[0-9]{2})?)$";

#define STORED_FORM "%Y-%m-%dT%H:%M:%S%:z"

static int matches(const char *pattern, const char *text)
{
    return g_regex_match_simple(pattern, text, 0, 0);
}

static int has_ascii_digit(const char *s)
{
    for (; *s; s++)
        if (g_ascii_isdigit(*s))
            return 1;
    return 0;
}

/* The schedule the editor probably meant, in the stored form, after "here":
 * the numbers of "2026/12/12 19:00" or "2026-12-12 19:00" in @p zone. Else
 * a made-up one after "e.g.", so that the message always shows the form. */
static char *example_for(const char *text, GTimeZone *zone)
{
    int y = 0, mo = 0, d = 0, h = 0, mi = 0;
    GDateTime *t = NULL;
    char *s, *example;

    if (sscanf(text, "%4d%*1[-/.]%2d%*1[-/.]%2d%*[ T]%2d:%2d", &y, &mo, &d, &h, &mi) == 5)
        t = g_date_time_new(zone, y, mo, d, h, mi, 0);
    if (t) {
        s = g_date_time_format(t, STORED_FORM);
        example = g_strdup_printf(_("here %s"), s);
    } else {
        t = g_date_time_new(zone, 2026, 12, 12, 19, 0, 0);
        s = g_date_time_format(t, STORED_FORM);
        example = g_strdup_printf(_("e.g. %s"), s);
    }
    g_free(s);
    g_date_time_unref(t);
    return example;
}

/* What is wrong with a schedule that is not of schedule_shape, in words that
 * fit the mistake, each with the form expected. */
static char *shape_problem(const char *text, GTimeZone *zone)
{
    char *example = example_for(text, zone), *why;

    if (!*text)
        why = g_strdup_printf(
            _("is empty: write the date and time as YYYY-MM-DDThh:mm:ss+hh:mm, %s"), example);
    else if (!has_ascii_digit(text))
        why = g_strdup_printf(_("'%s' is not a date and time: write the day and the hour "
                                "themselves, as YYYY-MM-DDThh:mm:ss+hh:mm, %s"),
                              text, example);
    else if (strchr(text, '/'))
        why = g_strdup_printf(_("'%s' writes the date with '/': ISO 8601 is "
                                "YYYY-MM-DDThh:mm:ss+hh:mm, %s"),
                              text, example);
    else if (matches("^[0-9]{4}-[0-9]{2}-[0-9]{2}$", text))
        why = g_strdup_printf(_("'%s' has no time of day: write YYYY-MM-DDThh:mm:ss+hh:mm, %s"),
                              text, example);
    else if (matches("^[0-9]{4}-[0-9]{2}-[0-9]{2} +[0-9]", text))
        why = g_strdup_printf(_("'%s' separates the date and the time with a space: ISO 8601 puts "
                                "a 'T' between them, %s"),
                              text, example);
    else
        why = g_strdup_printf(_("'%s' is not an ISO 8601 date and time: write "
                                "YYYY-MM-DDThh:mm:ss+hh:mm, %s"),
                              text, example);
    g_free(example);
    return why;
}

/* The length of "YYYY-MM-DDThh:mm", where the shape allows ":ss" to follow. */
enum { MINUTES_END = 16 };

char *igp_schedule_normalise(const char *text, GTimeZone *zone, char **why)
{
    GDateTime *t;
    char *s, *full;

    *why = NULL;
    if (!matches(schedule_shape, text)) {
        *why = shape_problem(text, zone);
        return NULL;
    }
    /* GLib's reader wants the seconds, which ISO 8601 lets one leave out. */
    full = text[MINUTES_END] == ':'
               ? g_strdup(text)
               : g_strdup_printf("%.*s:00%s", MINUTES_END, text, text + MINUTES_END);
    /* A time without an offset is the account's local time. */
    t = g_date_time_new_from_iso8601(full, matches(offset_shape, full) ? NULL : zone);
    g_free(full);
    if (!t) {
        *why =
            g_strdup_printf(_("'%s' is no such date and time (YYYY-MM-DDThh:mm:ss+hh:mm)"), text);
        return NULL;
    }
    s = g_date_time_format(t, STORED_FORM);
    g_date_time_unref(t);
    return s;
}

/* Characters of a username; a mention runs over them. */
static int is_username_char(gunichar c)
{
    return (c < 0x80 && g_ascii_isalnum((char)c)) || c == '.' || c == '_';
}

int igp_count_mentions(const char *caption)
{
    gunichar prev = ' ';
    int n = 0;

    /* "@name" not glued to a word before it ("info@example.jp" is no mention). */
    for (const char *p = caption; p && *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        const char *next = g_utf8_next_char(p);
        if ((c == '@' || c == 0xFF20) && !g_unichar_isalnum(prev) && !is_username_char(prev) &&
            prev != '@' && *next && is_username_char(g_utf8_get_char(next)))
            n++;
        prev = c;
    }
    return n;
}

const char *igp_username_problem(const char *name)
{
    size_t len = strlen(name);

    if (name[0] == '@')
        return _("is written with '@': Instagram takes the username alone");
    if (!len)
        return _("is empty");
    for (const char *p = name; *p; p++)
        if (!is_username_char((unsigned char)*p))
            return _("is not an Instagram username: letters, digits, '.' and '_' only");
    if (len > IGP_MAX_USERNAME_LEN)
        return _("is longer than an Instagram username (at most 30 characters)");
    if (name[0] == '.' || name[len - 1] == '.')
        return _("is not an Instagram username: it may not start or end with '.'");
    if (strstr(name, ".."))
        return _("is not an Instagram username: it may not hold '..'");
    return NULL;
}
