/* Ingest's content sniffing (filters/probe.c): igp_identify() on a file of
 * any bytes, and igp_sniff() on the exact input buffer (so ASan sees a read
 * past its end, which igp_identify's 512-byte stack buffer would hide). */
#include "error.h"
#include "fuzz_common.h"
#include "probe.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = igp_fuzz_path("input");
    IgpMediaKind kind;
    IgpMediaInfo info;
    const char *format = igp_sniff(data, size, &kind);

    igp_fuzz_write(path, data, size);
    igp_error_clear();
    /* A file that fits the sniffing window is recognised as its bytes are. */
    if (igp_fuzz_report(igp_identify(path, &info)) == 0 && size <= 512 &&
        (!format || strcmp(info.format, format)))
        __builtin_trap();
    igp_error_clear();
    return 0;
}
