#include "error.h"
#include "i18n.h"

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

const char *igp_strerror(int errnum)
{
    switch (errnum) {
    case ENOENT:
        return _("No such file or directory");
    case EACCES:
        return _("Permission denied");
    case EPERM:
        return _("Operation not permitted");
    case EISDIR:
        return _("Is a directory");
    case ENOTDIR:
        return _("Not a directory");
    case ENOSPC:
        return _("No space left on device");
    case EROFS:
        return _("Read-only file system");
    case EEXIST:
        return _("File exists");
    case ENAMETOOLONG:
        return _("File name too long");
    case ELOOP:
        return _("Too many levels of symbolic links");
    case EIO:
        return _("Input/output error");
    case ENOMEM:
        return _("Cannot allocate memory");
    case EMFILE:
    case ENFILE:
        return _("Too many open files");
    case EXDEV:
        return _("Invalid cross-device link");
    case ENOTEMPTY:
        return _("Directory not empty");
    case EBUSY:
        return _("Device or resource busy");
    case EDQUOT:
        return _("Disk quota exceeded");
    default:
        return strerror(errnum);
    }
}
