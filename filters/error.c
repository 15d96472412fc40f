#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum { ERROR_BUFFER_SIZE = 4096 };

/* One buffer per thread: workers of a --jobs pool never see each other's messages. */
static _Thread_local char error_buffer[ERROR_BUFFER_SIZE];

int igp_error(int err, const char *domain, const char *fmt, ...)
{
    size_t used = strlen(error_buffer);
    size_t room = sizeof(error_buffer) - used;
    va_list ap;
    int n;

    if (used > 0 && room > 2) {
        memcpy(error_buffer + used, "; ", 3);
        used += 2;
        room -= 2;
    }
    n = snprintf(error_buffer + used, room, "%s: ", domain);
    if (n > 0 && (size_t)n < room) {
        va_start(ap, fmt);
        vsnprintf(error_buffer + used + n, room - n, fmt, ap);
        va_end(ap);
    }
    return err;
}

const char *igp_error_buffer(void)
{
    return error_buffer;
}

void igp_error_clear(void)
{
    error_buffer[0] = '\0';
}
