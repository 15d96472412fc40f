/* The JPEG segment walker of verify (filters/jpegwalk.c) on any bytes. */
#include "error.h"
#include "fuzz_common.h"
#include "jpegwalk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = igp_fuzz_path("input.jpg");
    IgpJpegWalk walk;

    igp_fuzz_write(path, data, size);
    igp_error_clear();
    (void)igp_fuzz_report(igp_jpeg_walk(path, &walk));
    return 0;
}
