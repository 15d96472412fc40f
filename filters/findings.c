#include "findings.h"
#include "i18n.h"

#include <stdarg.h>
#include <stdio.h>

void igp_findings_add(IgpFindings *f, const char *fmt, ...)
{
    va_list ap;
    if (f->n >= IGP_MAX_FINDINGS)
        return;
    va_start(ap, fmt);
    vsnprintf(f->items[f->n], IGP_FINDING_LEN, fmt, ap);
    va_end(ap);
    va_start(ap, fmt);
    vsnprintf(f->shown[f->n], IGP_FINDING_SHOWN_LEN, gettext(fmt), ap);
    va_end(ap);
    f->n++;
}
