/* The ISO-BMFF box walker of verify (filters/bmffwalk.c: MP4, MOV, HEIF,
 * AVIF) on any bytes. */
#include "bmffwalk.h"
#include "error.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = igp_fuzz_path("input.mp4");
    IgpBmffWalk walk;

    igp_fuzz_write(path, data, size);
    igp_error_clear();
    (void)igp_fuzz_report(igp_bmff_walk(path, &walk));
    return 0;
}
