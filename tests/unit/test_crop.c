/* Focus crops: the right shape, inside the picture, centred on the focus. */
#include "check.h"
#include "crop.h"

#include <stdlib.h>

static void test_shapes(void)
{
    /* A 4000×3000 landscape cut to 4:5 keeps the full height. */
    IgpRect r = igp_focus_crop(4000, 3000, 1080, 1350, 0.5, 0.5);
    CHECK_INT(r.h, 3000);
    CHECK_INT(r.w, 2400);
    CHECK_INT(r.x, 800);
    CHECK_INT(r.y, 0);

    /* A portrait cut to 1.91:1 keeps the full width. */
    r = igp_focus_crop(1536, 2048, 1080, 566, 0.5, 0.5);
    CHECK_INT(r.w, 1536);
    CHECK_INT(r.h, 805);

    /* Same shape: the whole picture. */
    r = igp_focus_crop(2160, 2700, 1080, 1350, 0.1, 0.9);
    CHECK_INT(r.x, 0);
    CHECK_INT(r.y, 0);
    CHECK_INT(r.w, 2160);
    CHECK_INT(r.h, 2700);
}

static void test_focus(void)
{
    /* The focus moves the window but never out of the picture. */
    IgpRect left = igp_focus_crop(4000, 3000, 1080, 1080, 0.0, 0.5);
    IgpRect right = igp_focus_crop(4000, 3000, 1080, 1080, 1.0, 0.5);
    IgpRect near = igp_focus_crop(4000, 3000, 1080, 1080, 0.3, 0.5);
    CHECK_INT(left.x, 0);
    CHECK_INT(right.x, 1000);
    CHECK_INT(near.x, 0); /* centre 1200 minus half of 3000 is clamped to the left edge */
    CHECK_INT(igp_focus_crop(4000, 3000, 1080, 1080, 0.6, 0.5).x, 2400 - 1500);
}

/* Property: for many sizes and focus points the crop fits and has the aspect. */
static void test_random_properties(void)
{
    static const int shapes[][2] = {{1080, 1350}, {1080, 1080}, {1080, 566}, {1080, 1920}};
    srand(42);
    for (int i = 0; i < 2000; i++) {
        int w = 1 + rand() % 9000, h = 1 + rand() % 9000;
        const int *s = shapes[rand() % 4];
        double fx = rand() / (double)RAND_MAX, fy = rand() / (double)RAND_MAX;
        IgpRect r = igp_focus_crop(w, h, s[0], s[1], fx, fy);
        int fits = r.x >= 0 && r.y >= 0 && r.w >= 1 && r.h >= 1 && r.x + r.w <= w && r.y + r.h <= h;
        /* the aspect is exact to within the rounding of one pixel */
        double err = (double)r.w / r.h - (double)s[0] / s[1];
        double tol = (double)s[0] / s[1] * (1.0 / r.h + 1.0 / r.w) + 1e-9;
        CHECK(fits);
        CHECK(err <= tol && -err <= tol);
        CHECK(r.w == w || r.h == h); /* the largest such rectangle */
    }
}

int main(void)
{
    test_shapes();
    test_focus();
    test_random_properties();
    return check_done();
}
