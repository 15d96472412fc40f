/* auditlog: OUT/audit.log, an append-only chain of JSON lines (auditlog.h). */
#include "auditlog.h"

#include "error.h"
#include "fsutil.h"
#include "i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"

void igp_now_in_zone(GTimeZone *zone, char *out, size_t len)
{
    GDateTime *now = g_date_time_new_now(zone);
    char *s = g_date_time_format(now, "%Y-%m-%dT%H:%M:%S%:z");

    g_strlcpy(out, s, len);
    g_free(s);
    g_date_time_unref(now);
}

/* Weekday and month names written here, not by strftime: the proof must
 * read the same whether or not the system has the Japanese locale. */
static const char *const weekdays_ja[] = {"月", "火", "水", "木", "金", "土", "日"};
static const char *const weekdays_en[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
static const char *const months_en[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

char *igp_time_for_people(const char *iso, GTimeZone *zone)
{
    GDateTime *t = iso ? g_date_time_new_from_iso8601(iso, zone) : NULL;
    GDateTime *local = t && zone ? g_date_time_to_timezone(t, zone) : NULL;
    char *text;

    if (!local) {
        if (t)
            g_date_time_unref(t);
        return g_strdup(iso ? iso : "");
    }
    if (igp_i18n_is_japanese())
        text = g_strdup_printf("%d年%d月%d日（%s）%02d:%02d", g_date_time_get_year(local),
                               g_date_time_get_month(local), g_date_time_get_day_of_month(local),
                               weekdays_ja[g_date_time_get_day_of_week(local) - 1],
                               g_date_time_get_hour(local), g_date_time_get_minute(local));
    else
        text = g_strdup_printf(
            "%s %d %s %d %02d:%02d", weekdays_en[g_date_time_get_day_of_week(local) - 1],
            g_date_time_get_day_of_month(local), months_en[g_date_time_get_month(local) - 1],
            g_date_time_get_year(local), g_date_time_get_hour(local),
            g_date_time_get_minute(local));
    g_date_time_unref(local);
    g_date_time_unref(t);
    return text;
}

/* The whole log, read through the locked descriptor. */
static int read_all(int fd, const char *path, GString *text)
{
    char buf[65536];
    ssize_t n;

    if (lseek(fd, 0, SEEK_SET) < 0)
        return igp_error(IGP_ERR(errno), path, _("cannot read: %s"), g_strerror(errno));
    while ((n = read(fd, buf, sizeof(buf))) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return igp_error(IGP_ERR(errno), path, _("cannot read: %s"), g_strerror(errno));
        g_string_append_len(text, buf, n);
    }
    return 0;
}

/* SHA-256 of the last line (without its newline), or zeros when there is none. */
static void last_line_hash(const GString *text, char hex[65])
{
    size_t end = text->len;
    size_t start;
    IgpDigest d;

    if (end > 0 && text->str[end - 1] == '\n')
        end--;
    if (end == 0) {
        memcpy(hex, ZERO_HASH, 65);
        return;
    }
    start = end;
    while (start > 0 && text->str[start - 1] != '\n')
        start--;
    igp_hash_bytes(text->str + start, end - start, &d);
    memcpy(hex, d.hex, 65);
}

static int write_all(int fd, const char *path, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return igp_error(IGP_ERR(errno), path, _("cannot append: %s"), g_strerror(errno));
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

int igp_audit_append(const char *out_dir, json_t *event)
{
    char *path = g_build_filename(out_dir, IGP_AUDIT_LOG_NAME, NULL);
    GString *text = g_string_new(NULL);
    char prev[65], *line = NULL;
    int fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0644);
    int ret = 0;

    if (fd < 0)
        ret = igp_error(IGP_ERR(errno), path, _("cannot open: %s"), g_strerror(errno));
    else if (flock(fd, LOCK_EX) != 0)
        ret = igp_error(IGP_ERR(errno), path, _("cannot lock: %s"), g_strerror(errno));
    if (ret == 0)
        ret = read_all(fd, path, text);
    if (ret == 0) {
        last_line_hash(text, prev);
        json_object_set_new(event, "prev", json_string(prev));
        line = json_dumps(event, JSON_COMPACT);
        if (!line)
            ret = igp_error(IGP_ERR_INVALIDDATA, path, _("cannot serialise an event"));
    }
    /* A line torn by a crash is closed first: the chain then names it. */
    if (ret == 0 && text->len > 0 && text->str[text->len - 1] != '\n')
        ret = write_all(fd, path, "\n", 1);
    if (ret == 0)
        ret = write_all(fd, path, line, strlen(line));
    if (ret == 0)
        ret = write_all(fd, path, "\n", 1);
    if (ret == 0 && fsync(fd) != 0)
        ret = igp_error(IGP_ERR(errno), path, _("cannot fsync: %s"), g_strerror(errno));
    if (fd >= 0)
        close(fd); /* releases the lock */
    free(line);
    g_string_free(text, TRUE);
    g_free(path);
    return ret;
}

/* Why line @p n (text [start, end)) breaks the chain, or NULL. */
static char *line_problem(const char *line, size_t len, const char *expected_prev, size_t n)
{
    json_error_t jerr;
    json_t *doc = json_loadb(line, len, 0, &jerr);
    const char *prev = json_string_value(json_object_get(doc, "prev"));
    char *why = NULL;

    if (!json_is_object(doc))
        why = g_strdup_printf(_("not a JSON object (%s): the line was edited or torn"), jerr.text);
    else if (!prev)
        why = g_strdup(_("no \"prev\" hash: the line was not written by igprep"));
    else if (strcmp(prev, expected_prev) && n == 1)
        why = g_strdup(_("the first line records a previous line: lines before it were removed"));
    else if (strcmp(prev, expected_prev))
        why = g_strdup_printf(_("the hash of line %zu recorded here does not match it: line %zu "
                                "was edited, or a line was removed or inserted before this one"),
                              n - 1, n - 1);
    json_decref(doc);
    return why;
}

int igp_audit_verify(const char *out_dir, size_t *lines)
{
    char *path = g_build_filename(out_dir, IGP_AUDIT_LOG_NAME, NULL);
    char *text = NULL, expected[65] = ZERO_HASH;
    gsize len = 0;
    GError *gerr = NULL;
    size_t n = 0, start = 0;
    int ret = 0;

    if (lines)
        *lines = 0;
    if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
        g_free(path);
        return 0;
    }
    if (!g_file_get_contents(path, &text, &len, &gerr)) {
        ret = igp_error(IGP_ERR_INVALIDDATA, path, _("cannot read: %s"), gerr->message);
        g_error_free(gerr);
    }
    while (ret == 0 && start < len) {
        const char *nl = memchr(text + start, '\n', len - start);
        size_t end = nl ? (size_t)(nl - text) : len;
        char *why;
        IgpDigest d;

        n++;
        why = nl ? line_problem(text + start, end - start, expected, n)
                 : g_strdup(_("the last line is incomplete (no newline): the log was cut"));
        if (why) {
            char *where = g_strdup_printf("%s:%zu", path, n);
            ret = igp_error(IGP_ERR_POLICY, where, "%s", why);
            g_free(where);
            g_free(why);
            break;
        }
        igp_hash_bytes(text + start, end - start, &d);
        memcpy(expected, d.hex, 65);
        start = end + 1;
    }
    if (lines)
        *lines = n;
    g_free(text);
    g_free(path);
    return ret;
}
