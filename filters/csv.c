/* CSV fields (RFC 4180): see csv.h. */
#include "csv.h"

#include <string.h>

void igp_csv_field(GString *s, const char *v, int last)
{
    v = v ? v : "";
    /* quote fields holding commas, quotes or line breaks (captions do) */
    if (strpbrk(v, ",\"\r\n")) {
        g_string_append_c(s, '"');
        for (const char *p = v; *p; p++) {
            if (*p == '"')
                g_string_append_c(s, '"');
            g_string_append_c(s, *p);
        }
        g_string_append_c(s, '"');
    } else {
        g_string_append(s, v);
    }
    g_string_append(s, last ? "\r\n" : ",");
}
