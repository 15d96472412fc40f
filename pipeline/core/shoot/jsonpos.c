#include "jsonpos.h"

#include "error.h"
#include "fsutil.h"
#include "i18n.h"

#include <glib.h>

#include <stdlib.h>
#include <string.h>

typedef struct Scanner {
    const char *text;
    size_t len, pos;
} Scanner;

static void skip_ws(Scanner *s)
{
    while (s->pos < s->len && strchr(" \t\r\n", s->text[s->pos]) && s->text[s->pos])
        s->pos++;
}

static int peek(Scanner *s)
{
    skip_ws(s);
    return s->pos < s->len ? (unsigned char)s->text[s->pos] : -1;
}

/* Step over a string literal; *start and *end bracket its raw content. */
static int skip_string(Scanner *s, size_t *start, size_t *end)
{
    if (peek(s) != '"')
        return -1;
    *start = ++s->pos;
    while (s->pos < s->len && s->text[s->pos] != '"')
        s->pos += s->text[s->pos] == '\\' ? 2 : 1;
    if (s->pos >= s->len)
        return -1;
    *end = s->pos++;
    return 0;
}

static int skip_value(Scanner *s);

static int skip_container(Scanner *s, char open, char close)
{
    if (peek(s) != open)
        return -1;
    s->pos++;
    if (peek(s) == close) {
        s->pos++;
        return 0;
    }
    for (;;) {
        if (open == '{') {
            size_t a, b;
            if (skip_string(s, &a, &b) || peek(s) != ':')
                return -1;
            s->pos++;
        }
        if (skip_value(s))
            return -1;
        if (peek(s) == ',') {
            s->pos++;
            continue;
        }
        if (peek(s) != close)
            return -1;
        s->pos++;
        return 0;
    }
}

static int skip_value(Scanner *s)
{
    size_t a, b;
    switch (peek(s)) {
    case '{':
        return skip_container(s, '{', '}');
    case '[':
        return skip_container(s, '[', ']');
    case '"':
        return skip_string(s, &a, &b);
    case -1:
        return -1;
    default: /* number, true, false, null */
        while (s->pos < s->len && !strchr(",}] \t\r\n", s->text[s->pos]))
            s->pos++;
        return 0;
    }
}

/* Does the raw string text[a..b) equal the pointer token tok[0..n)? Keys
 * with escapes are compared raw, which is enough for igprep's own keys. */
static int key_matches(const Scanner *s, size_t a, size_t b, const char *tok, size_t n)
{
    return b - a == n && memcmp(s->text + a, tok, n) == 0;
}

/* From element @p index of an array (the scanner at its start, or at the
 * '[' less one for index 0), step to element @p want. */
static int step_to_element(Scanner *s, long index, long want)
{
    while (peek(s) != ']') {
        if (index++ == want)
            return 0;
        if (skip_value(s))
            return -1;
        if (peek(s) == ',')
            s->pos++;
    }
    return -1;
}

/* An array index token, or -1. */
static long element_index(const char *tok, size_t n)
{
    char *endp;
    long want = strtol(tok, &endp, 10);
    return endp == tok + n ? want : -1;
}

/* Move the scanner to the member or element named by tok. */
static int enter(Scanner *s, const char *tok, size_t n)
{
    int c = peek(s);

    if (c == '[') {
        long want = element_index(tok, n);
        if (want < 0)
            return -1;
        s->pos++;
        return step_to_element(s, 0, want);
    }
    if (c != '{')
        return -1;
    s->pos++;
    while (peek(s) == '"') {
        size_t a, b;
        if (skip_string(s, &a, &b) || peek(s) != ':')
            return -1;
        s->pos++;
        if (key_matches(s, a, b, tok, n)) {
            peek(s);
            return 0;
        }
        if (skip_value(s))
            return -1;
        if (peek(s) == ',')
            s->pos++;
    }
    return -1;
}

/* Line and column of byte @p at, counted from the cursor's last position
 * when that is before @p at, else from the start. */
static void position(const Scanner *s, IgpJsonCursor *cur, size_t at, int *line, int *column)
{
    size_t i = 0;

    *line = 1;
    *column = 1;
    if (cur && cur->have_position && cur->at <= at) {
        i = cur->at;
        *line = cur->line;
        *column = cur->column;
    }
    for (; i < at && i < s->len; i++) {
        if (s->text[i] == '\n') {
            (*line)++;
            *column = 1;
        } else if (((unsigned char)s->text[i] & 0xc0) != 0x80) {
            (*column)++; /* count characters, not UTF-8 continuation bytes */
        }
    }
    if (cur) {
        cur->have_position = 1;
        cur->at = MIN(at, s->len);
        cur->line = *line;
        cur->column = *column;
    }
}

/* Enter the array element named by tok, from the cursor's mark of this
 * array (same pointer prefix, an index not beyond) when it has one. */
static int enter_marked(Scanner *s, IgpJsonCursor *cur, int depth, const char *pointer,
                        size_t prefix_len, const char *tok, size_t n)
{
    IgpJsonArrayMark *mark = cur && depth < IGP_JSON_CURSOR_DEPTH ? &cur->arrays[depth] : NULL;
    long want = element_index(tok, n);
    int is_array = peek(s) == '[', ret;

    if (!mark || !is_array || want < 0)
        return enter(s, tok, n);
    if (mark->prefix && strlen(mark->prefix) == prefix_len &&
        !memcmp(mark->prefix, pointer, prefix_len) && mark->index <= want && mark->pos > s->pos) {
        s->pos = mark->pos;
        ret = step_to_element(s, mark->index, want);
    } else {
        ret = enter(s, tok, n);
    }
    if (ret == 0) {
        g_free(mark->prefix);
        mark->prefix = g_strndup(pointer, prefix_len);
        mark->index = want;
        mark->pos = s->pos;
    }
    return ret;
}

int igp_json_locate_with(IgpJsonCursor *cur, const char *text, size_t len, const char *pointer,
                         int *line, int *column)
{
    Scanner s = {text, len, 0};
    const char *p = pointer;
    size_t found;
    int depth = 0;

    if (peek(&s) < 0)
        return -1;
    found = s.pos;
    while (*p == '/') {
        const char *tok = p + 1;
        size_t n = strcspn(tok, "/");
        if (enter_marked(&s, cur, depth++, pointer, (size_t)(p - pointer), tok, n) != 0) {
            position(&s, cur, found, line, column);
            return 1;
        }
        found = s.pos;
        p = tok + n;
    }
    position(&s, cur, found, line, column);
    return 0;
}

int igp_json_locate(const char *text, size_t len, const char *pointer, int *line, int *column)
{
    return igp_json_locate_with(NULL, text, len, pointer, line, column);
}

void igp_json_cursor_clear(IgpJsonCursor *cur)
{
    for (int i = 0; i < IGP_JSON_CURSOR_DEPTH; i++)
        g_free(cur->arrays[i].prefix);
    memset(cur, 0, sizeof(*cur));
}

int igp_json_verror_at_with(IgpJsonCursor *cur, const char *path, const char *text, size_t len,
                            const char *pointer, const char *fmt, va_list ap)
{
    int line = 0, column = 0;
    char *where, *msg;

    igp_json_locate_with(cur, text, len, pointer, &line, &column);
    where = g_strdup_printf("%s:%d:%d", path, line, column);
    msg = g_strdup_vprintf(fmt, ap);
    igp_error(IGP_ERR_INVALIDDATA, where, "%s", msg);
    g_free(where);
    g_free(msg);
    return IGP_ERR_INVALIDDATA;
}

int igp_json_verror_at(const char *path, const char *text, size_t len, const char *pointer,
                       const char *fmt, va_list ap)
{
    return igp_json_verror_at_with(NULL, path, text, len, pointer, fmt, ap);
}

int igp_json_error_at(const char *path, const char *text, size_t len, const char *pointer,
                      const char *fmt, ...)
{
    va_list ap;
    int ret;

    va_start(ap, fmt);
    ret = igp_json_verror_at(path, text, len, pointer, fmt, ap);
    va_end(ap);
    return ret;
}

json_t *igp_json_parse_text(char *text, size_t *len, json_error_t *err)
{
    static const char bom[] = "\xEF\xBB\xBF";

    if (*len >= 3 && !memcmp(text, bom, 3)) {
        memmove(text, text + 3, *len - 3 + 1); /* with the terminating NUL */
        *len -= 3;
    }
    return json_loadb(text, *len, JSON_REJECT_DUPLICATES, err);
}

json_t *igp_json_read_file(const char *path)
{
    char *text = NULL;
    size_t len = 0;
    json_error_t err;
    json_t *doc = NULL;

    if (igp_read_user_file(path, IGP_READ_JSON, &text, &len) == 0)
        doc = igp_json_parse_text(text, &len, &err);
    g_free(text);
    return doc;
}

const char *igp_json_error_text(const json_error_t *err)
{
    /* jansson's words are English and precise: kept for English. */
    if (!igp_i18n_is_japanese())
        return err->text;
    switch (json_error_code(err)) {
    case json_error_premature_end_of_input:
        return _("the JSON text ends too soon (a missing } or ] or quote?)");
    case json_error_end_of_input_expected:
        return _("more text after the end of the JSON document");
    case json_error_invalid_utf8:
        return _("not valid UTF-8 text (save the file as UTF-8)");
    case json_error_duplicate_key:
        return _("the same key appears twice in one object");
    case json_error_null_character:
        return _("a NUL character in the text");
    case json_error_numeric_overflow:
        return _("a number too large");
    default:
        return _("not valid JSON here (a missing comma, quote or bracket?)");
    }
}
