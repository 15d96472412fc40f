/* The SRT reader (filters/srt.c) on any bytes, straight from memory: the
 * input buffer is exactly @p size bytes, so ASan sees any read past it. Then
 * what the reel overlay asks of the cues. */
#include "error.h"
#include "fuzz_common.h"
#include "srt.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const double times[] = {-1, 0, 0.5, 1.25, 3600, 1e12};
    IgpSrt *srt = NULL;

    igp_error_clear();
    if (igp_fuzz_report(igp_srt_parse("input.srt", (const char *)data, size, &srt)) == 0) {
        for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
            int cue = igp_srt_cue_at(srt, times[i]);
            if (cue >= srt->n_cues)
                __builtin_trap();
        }
        igp_srt_free(&srt);
    }
    igp_error_clear();
    return 0;
}
