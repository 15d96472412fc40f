/* The PNG chunk walker of verify (filters/pngwalk.c) on any bytes. */
#include "error.h"
#include "fuzz_common.h"
#include "pngwalk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = igp_fuzz_path("input.png");
    IgpPngWalk walk;

    igp_fuzz_write(path, data, size);
    igp_error_clear();
    (void)igp_fuzz_report(igp_png_walk(path, &walk));
    return 0;
}
