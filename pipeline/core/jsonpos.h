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

#endif
