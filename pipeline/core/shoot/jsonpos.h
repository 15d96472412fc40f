/**
 * @file
 * Find where a value sits in a JSON text, for error messages that name a
 * line and column.
 *
 * jansson parses the document and reports syntax errors with their position,
 * but keeps no positions for the values it builds. When a later check finds
 * a value wrong (a wrong type, an unknown post type), this module walks the
 * original text to the value named by a JSON Pointer (RFC 6901, e.g.
 * "/posts/2/media/0/file"). It only steps over structure; the text has
 * already been validated by jansson.
 */
#ifndef IGP_JSONPOS_H
#define IGP_JSONPOS_H

#include <stdarg.h>
#include <stddef.h>

#include <jansson.h>

/**
 * Locate @p pointer in @p text. On success sets *line and *column (1-based)
 * to the first character of the value and returns 0; when the pointer names
 * nothing (a missing key) it locates the deepest existing parent and
 * returns 1; it returns -1 when even the root cannot be found.
 */
int igp_json_locate(const char *text, size_t len, const char *pointer, int *line, int *column);

enum { IGP_JSON_CURSOR_DEPTH = 8 };

/** Where a lookup last entered an array at one depth. */
typedef struct IgpJsonArrayMark {
    char *prefix; ///< the array's pointer, e.g. "/posts"
    long index;   ///< the element entered
    size_t pos;   ///< its offset in the text
} IgpJsonArrayMark;

/**
 * What earlier lookups in one text found, so that lookups in document order
 * (a message for each of 300,000 posts) take time linear in the text, not
 * quadratic: the element last entered in each array, and the last position.
 * Zero-initialise; release with igp_json_cursor_clear(). One text only.
 */
typedef struct IgpJsonCursor {
    IgpJsonArrayMark arrays[IGP_JSON_CURSOR_DEPTH]; ///< by pointer depth
    int have_position;
    size_t at; ///< the last offset located, and its line and column
    int line, column;
} IgpJsonCursor;

/** igp_json_locate(), resuming from @p cursor (may be NULL) where it can. */
int igp_json_locate_with(IgpJsonCursor *cursor, const char *text, size_t len, const char *pointer,
                         int *line, int *column);

void igp_json_cursor_clear(IgpJsonCursor *cursor);

/**
 * Record "PATH:LINE:COLUMN: message" with igp_error(), the position being
 * where @p pointer sits in @p text (the file's content). Returns
 * IGP_ERR_INVALIDDATA, so `return igp_json_error_at(...)` works.
 */
int igp_json_verror_at(const char *path, const char *text, size_t len, const char *pointer,
                       const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));
int igp_json_error_at(const char *path, const char *text, size_t len, const char *pointer,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/**
 * Parse a user's JSON file held in @p text (NUL-terminated, *@p len bytes),
 * refusing duplicate keys. A UTF-8 byte-order mark at the start, which
 * Windows editors write and jansson refuses, is first removed in place
 * (*@p len shrinks), so that igp_json_error_at() on the same text counts
 * lines and columns as an editor shows them: the mark is invisible.
 * @return the document, or NULL with @p err set (jansson's line and column)
 */
json_t *igp_json_parse_text(char *text, size_t *len, json_error_t *err);

/**
 * Read and parse a user's JSON file that needs no checks of its own: a
 * regular file within the JSON size cap (fsutil.h), a byte-order mark
 * allowed. Returns NULL when it cannot be read (the reason in the error
 * buffer) or parsed.
 */
json_t *igp_json_read_file(const char *path);

/** What is wrong with a JSON text jansson refused, in the user's language. */
const char *igp_json_error_text(const json_error_t *err);

/** igp_json_verror_at() with a cursor (may be NULL): see IgpJsonCursor. */
int igp_json_verror_at_with(IgpJsonCursor *cursor, const char *path, const char *text, size_t len,
                            const char *pointer, const char *fmt, va_list ap)
    __attribute__((format(printf, 6, 0)));

#endif
