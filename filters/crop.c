#include "crop.h"

#include <math.h>

static int clamp_int(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Place a window of length @p len centred on @p centre inside [0, total). */
static int place_window(int total, int len, double centre)
{
    return clamp_int((int)lround(centre - len / 2.0), 0, total - len);
}

IgpRect igp_focus_crop(int src_w, int src_h, int out_w, int out_h, double fx, double fy)
{
    IgpRect r;

    /* Compare aspect ratios with integer cross-multiplication: exact. */
    if ((long long)src_w * out_h > (long long)src_h * out_w) {
        r.h = src_h;
        r.w = clamp_int((int)lround((double)src_h * out_w / out_h), 1, src_w);
    } else {
        r.w = src_w;
        r.h = clamp_int((int)lround((double)src_w * out_h / out_w), 1, src_h);
    }
    r.x = place_window(src_w, r.w, fx * src_w);
    r.y = place_window(src_h, r.h, fy * src_h);
    return r;
}

int igp_load_shrink(int src_w, int src_h, int out_w, int out_h)
{
    IgpRect full = igp_focus_crop(src_w, src_h, out_w, out_h, 0.5, 0.5);
    for (int s = 8; s > 1; s /= 2)
        if (full.w / s >= out_w * 2 && full.h / s >= out_h * 2)
            return s;
    return 1;
}
