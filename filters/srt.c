/* srt: a strict SubRip reader (see srt.h). */
#include "srt.h"

#include "error.h"
#include "i18n.h"
#include "fsutil.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

typedef struct Parser {
    const char *path;
    char **lines;
    int n_lines;
    int at; ///< index of the next line
} Parser;

static int fail(const Parser *p, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(const Parser *p, int line, const char *fmt, ...)
{
    va_list ap;
    char *where = g_strdup_printf("%s:%d", p->path, line);
    char *msg;
    int ret;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    ret = igp_error(IGP_ERR_INVALIDDATA, where, "%s", msg);
    g_free(msg);
    g_free(where);
    return ret;
}

/* "H+:MM:SS,mmm" at *s; advances *s. */
static int parse_time(const char **s, double *out)
{
    const char *p = *s;
    long h = 0;
    int mm, ss, ms, digits = 0;

    while (g_ascii_isdigit(*p) && digits < 4)
        h = h * 10 + (*p++ - '0'), digits++;
    if (digits == 0 || *p++ != ':')
        return -1;
    if (!g_ascii_isdigit(p[0]) || !g_ascii_isdigit(p[1]) || p[2] != ':')
        return -1;
    mm = (p[0] - '0') * 10 + (p[1] - '0');
    p += 3;
    if (!g_ascii_isdigit(p[0]) || !g_ascii_isdigit(p[1]) || (p[2] != ',' && p[2] != '.'))
        return -1;
    ss = (p[0] - '0') * 10 + (p[1] - '0');
    p += 3;
    if (!g_ascii_isdigit(p[0]) || !g_ascii_isdigit(p[1]) || !g_ascii_isdigit(p[2]))
        return -1;
    ms = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
    p += 3;
    if (mm > 59 || ss > 59)
        return -2;
    *out = h * 3600.0 + mm * 60.0 + ss + ms / 1000.0;
    *s = p;
    return 0;
}

static int is_blank(const char *line)
{
    for (; *line; line++)
        if (!g_ascii_isspace(*line))
            return 0;
    return 1;
}

static int is_number(const char *line)
{
    const char *p = line;
    while (g_ascii_isdigit(*p))
        p++;
    return p > line && is_blank(p);
}

/* Remove <i>, </b>, <font color=...> and {\an8}-style tags. */
static char *strip_tags(const char *text)
{
    GString *s = g_string_new(NULL);
    for (const char *p = text; *p; p++) {
        const char *end = NULL;
        if (*p == '<' && (end = strchr(p, '>'))) {
            const char *name = p[1] == '/' ? p + 2 : p + 1;
            if (g_ascii_strncasecmp(name, "i>", 2) && g_ascii_strncasecmp(name, "b>", 2) &&
                g_ascii_strncasecmp(name, "u>", 2) && g_ascii_strncasecmp(name, "font", 4))
                end = NULL;
        } else if (*p == '{' && p[1] == '\\') {
            end = strchr(p, '}');
        }
        if (end)
            p = end;
        else
            g_string_append_c(s, *p);
    }
    return g_string_free(s, FALSE);
}

/* One cue starting at p->at (not blank). */
static int parse_cue(Parser *p, GArray *cues)
{
    IgpSrtCue cue = {0};
    const char *s;
    GString *text;
    int ret;

    if (is_number(p->lines[p->at]) && p->at + 1 < p->n_lines &&
        strstr(p->lines[p->at + 1], "-->")) {
        cue.number = atoi(p->lines[p->at]);
        p->at++;
    }
    cue.line = p->at + 1;
    s = p->lines[p->at];
    if (!strstr(s, "-->"))
        return fail(p, cue.line,
                    _("expected a cue number or a timing line \"HH:MM:SS,mmm --> HH:MM:SS,mmm\", "
                      "not \"%.40s\""),
                    s);
    while (*s == ' ' || *s == '\t')
        s++;
    ret = parse_time(&s, &cue.start);
    if (ret == 0) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (strncmp(s, "-->", 3))
            ret = -1;
        else
            s += 3;
        while (*s == ' ' || *s == '\t')
            s++;
    }
    if (ret == 0)
        ret = parse_time(&s, &cue.end);
    if (ret == 0 && *s && *s != ' ' && *s != '\t')
        ret = -1;
    if (ret == -2)
        return fail(p, cue.line, _("minutes and seconds must be below 60 in \"%s\""),
                    p->lines[p->at]);
    if (ret)
        return fail(p, cue.line,
                    _("bad timing line \"%s\" (expected HH:MM:SS,mmm --> HH:MM:SS,mmm)"),
                    p->lines[p->at]);
    if (cue.end <= cue.start)
        return fail(p, cue.line, _("the cue ends (%.3f s) before it starts (%.3f s)"), cue.end,
                    cue.start);
    if (cues->len > 0) {
        const IgpSrtCue *prev = &g_array_index(cues, IgpSrtCue, cues->len - 1);
        if (cue.start < prev->end - 1e-9)
            return fail(p, cue.line,
                        _("the cue starts at %.3f s, before the previous cue (line %d) ends at "
                          "%.3f s: cues must not overlap or go backwards"),
                        cue.start, prev->line, prev->end);
    }
    p->at++;
    text = g_string_new(NULL);
    while (p->at < p->n_lines && !is_blank(p->lines[p->at])) {
        const char *l = p->lines[p->at];
        double t;
        while (*l == ' ' || *l == '\t')
            l++;
        /* A timing line among the text: the blank line before a cue is missing. */
        if (strstr(l, "-->") && parse_time(&l, &t) == 0) {
            g_string_free(text, TRUE);
            return fail(p, p->at + 1,
                        _("a timing line inside the text of the cue at line %d: a blank line "
                          "is missing before the next cue"),
                        cue.line);
        }
        char *stripped = strip_tags(p->lines[p->at]);
        char *trimmed = g_strstrip(stripped);
        if (*trimmed) {
            if (text->len)
                g_string_append_c(text, '\n');
            g_string_append(text, trimmed);
        }
        g_free(stripped);
        p->at++;
    }
    if (text->len == 0) {
        g_string_free(text, TRUE);
        return fail(p, cue.line, _("the cue has no text"));
    }
    cue.text = g_string_free(text, FALSE);
    g_array_append_val(cues, cue);
    return 0;
}

int igp_srt_parse(const char *path, const char *data, size_t len, IgpSrt **out)
{
    Parser p = {.path = path};
    GArray *cues = g_array_new(FALSE, TRUE, sizeof(IgpSrtCue));
    const char *bad = NULL;
    char *copy;
    int ret = 0;

    *out = NULL;
    if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
        data += 3, len -= 3;
    if (memchr(data, '\0', len) || !g_utf8_validate(data, (gssize)len, &bad)) {
        int line = 1;
        const char *end = bad ? bad : memchr(data, '\0', len);
        for (const char *c = data; c < end; c++)
            line += *c == '\n';
        g_array_free(cues, TRUE);
        return fail(&p, line, _("not UTF-8 text (save the subtitles as UTF-8)"));
    }
    copy = g_strndup(data, len);
    p.lines = g_strsplit(copy, "\n", -1);
    g_free(copy);
    p.n_lines = (int)g_strv_length(p.lines);
    for (int i = 0; i < p.n_lines; i++) {
        size_t l = strlen(p.lines[i]);
        if (l && p.lines[i][l - 1] == '\r')
            p.lines[i][l - 1] = '\0';
    }
    while (ret == 0) {
        while (p.at < p.n_lines && is_blank(p.lines[p.at]))
            p.at++;
        if (p.at >= p.n_lines)
            break;
        ret = parse_cue(&p, cues);
    }
    g_strfreev(p.lines);
    if (ret == 0 && cues->len == 0)
        ret = fail(&p, 1, _("no subtitles in the file"));
    if (ret) {
        for (guint i = 0; i < cues->len; i++)
            g_free(g_array_index(cues, IgpSrtCue, i).text);
        g_array_free(cues, TRUE);
        return ret;
    }
    *out = g_new0(IgpSrt, 1);
    (*out)->path = g_strdup(path);
    (*out)->n_cues = (int)cues->len;
    (*out)->cues = (IgpSrtCue *)(void *)g_array_free(cues, FALSE);
    return 0;
}

int igp_srt_load(const char *path, IgpSrt **out)
{
    char *data = NULL;
    size_t len = 0;
    int ret;

    *out = NULL;
    /* A regular file of at most 4 MiB: a FIFO or /dev/zero is refused, not read. */
    ret = igp_read_user_file(path, IGP_READ_SRT, &data, &len);
    if (ret)
        return ret == IGP_ERR(ENOENT) ? ret : IGP_ERR_INVALIDDATA;
    ret = igp_srt_parse(path, data, len, out);
    g_free(data);
    return ret;
}

void igp_srt_free(IgpSrt **ps)
{
    IgpSrt *s = *ps;
    if (!s)
        return;
    for (int i = 0; i < s->n_cues; i++)
        g_free(s->cues[i].text);
    g_free(s->cues);
    g_free(s->path);
    g_free(s);
    *ps = NULL;
}

int igp_srt_cue_at(const IgpSrt *srt, double t)
{
    int lo = 0, hi = srt ? srt->n_cues - 1 : -1;

    /* Binary search: the last cue starting at or before t. */
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (srt->cues[mid].start <= t)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return hi >= 0 && t < srt->cues[hi].end ? hi : -1;
}
