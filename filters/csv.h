/**
 * @file
 * CSV (RFC 4180) as the archive's catalogue and the work plan write it.
 */
#ifndef IGP_CSV_H
#define IGP_CSV_H

#include <glib.h>

/**
 * Append field @p v (NULL: empty) to @p s, quoted when it holds a comma, a
 * quote or a line break, then "," or, for the @p last field, "\r\n".
 */
void igp_csv_field(GString *s, const char *v, int last);

#endif
