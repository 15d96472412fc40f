/* Face tracks: linking synthetic detections (fast move, gaps, two faces
 * crossing) and the box of a track at any time. */
#include "check.h"
#include "track.h"

#include <math.h>

#include <glib.h>

#define FPS      30.0
#define K        2 /* detect every 2nd frame */
#define INTERVAL (K / FPS)

/* A face moving at constant velocity: its box at frame f. */
typedef struct Mover {
    double x, y, w, vx, vy;
} Mover;

static IgpFaceBox at_frame(const Mover *m, int f)
{
    return (IgpFaceBox){(float)(m->x + m->vx * f), (float)(m->y + m->vy * f), (float)m->w,
                        (float)(m->w * 1.2), 0.9f};
}

/* Fraction of @p truth inside @p box. */
static double inside(const IgpFaceBox *truth, const double box[4])
{
    double x0 = MAX(truth->x, box[0]), y0 = MAX(truth->y, box[1]);
    double x1 = MIN(truth->x + truth->w, box[0] + box[2]);
    double y1 = MIN(truth->y + truth->h, box[1] + box[3]);
    return MAX(0, x1 - x0) * MAX(0, y1 - y0) / (truth->w * truth->h);
}

/* Is the true box covered (≥ 90 %) by the track's box padded 20 % per side? */
static int covered(const IgpTrack *track, const IgpFaceBox *truth, double t)
{
    double b[4];
    if (!igp_track_box_at(track, t, b))
        return 0;
    b[0] -= 0.2 * b[2], b[1] -= 0.2 * b[3], b[2] *= 1.4, b[3] *= 1.4;
    return inside(truth, b) >= 0.9;
}

/* A face 80 px wide moving 30 px per frame: one track, every frame covered,
 * interpolated boxes exact, present for the margin after the last key. */
static void test_fast_move(void)
{
    Mover m = {100, 300, 80, 30, 4};
    IgpTracker *tr = igp_tracker_new(INTERVAL);
    IgpTrack *tracks;
    int n, frames = 40, all = 1;
    double b[4];

    for (int f = 0; f < frames; f += K) {
        IgpFaceBox d = at_frame(&m, f);
        igp_tracker_add(tr, f / FPS, &d, 1);
    }
    igp_tracker_finish(&tr, &tracks, &n);
    CHECK(tr == NULL);
    CHECK_INT(n, 1);
    CHECK_INT(tracks[0].n_keys, frames / K);
    for (int f = 0; f < frames - 1; f++) {
        IgpFaceBox truth = at_frame(&m, f);
        all &= covered(&tracks[0], &truth, f / FPS);
    }
    CHECK(all);
    /* Frame 5 lies between keys 4 and 6: exactly interpolated. */
    CHECK(igp_track_box_at(&tracks[0], 5 / FPS, b));
    CHECK(fabs(b[0] - 250) < 1e-6 && fabs(b[1] - 320) < 1e-6 && fabs(b[2] - 80) < 1e-6);
    /* Margin: 6 intervals beyond the ends (0.4 s at 30 fps, k = 2). */
    CHECK(fabs(tracks[0].margin - 6 * INTERVAL) < 1e-9);
    /* After the last key (frame 38) the face going on is still covered... */
    for (int f = 39; f <= 38 + 12; f++) {
        IgpFaceBox truth = at_frame(&m, f);
        all &= covered(&tracks[0], &truth, f / FPS);
    }
    CHECK(all);
    /* ...and so is a face that stopped at the last key. */
    {
        IgpFaceBox stopped = at_frame(&m, 38);
        CHECK(covered(&tracks[0], &stopped, 48 / FPS));
    }
    /* Before the first key: held, and moved back along the velocity. */
    CHECK(igp_track_box_at(&tracks[0], -5 / FPS, b));
    CHECK(b[0] <= 100 - 5 * 30 + 1e-6 && b[0] + b[2] >= 180 - 1e-6);
    /* Beyond the margin the track is absent. */
    CHECK(!igp_track_box_at(&tracks[0], 38 / FPS + 0.41, b));
    CHECK(!igp_track_box_at(&tracks[0], -0.41, b));
    igp_tracks_free(tracks, n);
}

/* Missed detections: a gap of 3 detection frames is bridged (interpolated,
 * every frame covered); a gap longer than IGP_TRACK_MAX_GAP splits the track
 * and the margins still cover a face that stood still meanwhile. */
static void test_gap(void)
{
    Mover m = {600, 200, 60, -18, 6};
    Mover still = {1000, 500, 70, 0, 0};
    IgpTracker *tr = igp_tracker_new(INTERVAL);
    IgpTrack *tracks;
    int n, all = 1;

    for (int f = 0; f < 60; f += K) {
        IgpFaceBox d[2] = {at_frame(&m, f), at_frame(&still, f)};
        int gap_m = f >= 20 && f <= 24;    /* 3 detections missed */
        int gap_still = f >= 30 && f < 46; /* 8 detections missed */
        if (gap_m && gap_still)
            continue;
        if (gap_m)
            igp_tracker_add(tr, f / FPS, &d[1], 1);
        else if (gap_still)
            igp_tracker_add(tr, f / FPS, &d[0], 1);
        else
            igp_tracker_add(tr, f / FPS, d, 2);
    }
    igp_tracker_finish(&tr, &tracks, &n);
    CHECK_INT(n, 3); /* the mover, the still face before and after its long gap */
    for (int f = 0; f < 59; f++) {
        IgpFaceBox truth = at_frame(&m, f);
        all &= covered(&tracks[0], &truth, f / FPS);
    }
    CHECK(all);
    CHECK_INT(tracks[0].n_keys, 30 - 3);
    /* The still face: covered by one of its two tracks in every frame but
     * those beyond both margins (frames 28 + 12 < f < 46 - 12: none). */
    for (int f = 0; f < 59; f++) {
        IgpFaceBox truth = at_frame(&still, f);
        all &= covered(&tracks[1], &truth, f / FPS) || covered(&tracks[2], &truth, f / FPS);
    }
    CHECK(all);
    igp_tracks_free(tracks, n);
}

/* Two faces crossing (one right, one left, 25 px/frame each), the left one
 * missed twice while they overlap: two tracks, each going one way only. */
static void test_crossing(void)
{
    Mover a = {100, 400, 90, 25, 0}, b = {1600, 430, 90, -25, 0};
    IgpTracker *tr = igp_tracker_new(INTERVAL);
    IgpTrack *tracks;
    int n, all = 1;

    for (int f = 0; f < 60; f += K) {
        IgpFaceBox d[2] = {at_frame(&b, f), at_frame(&a, f)};
        int hidden = f == 30 || f == 32; /* b behind a */
        igp_tracker_add(tr, f / FPS, hidden ? &d[1] : d, hidden ? 1 : 2);
    }
    igp_tracker_finish(&tr, &tracks, &n);
    CHECK_INT(n, 2);
    for (int i = 0; i < n; i++) {
        int dir = tracks[i].keys[1].box[0] > tracks[i].keys[0].box[0] ? 1 : -1;
        for (int k = 1; k < tracks[i].n_keys; k++)
            all &= (tracks[i].keys[k].box[0] - tracks[i].keys[k - 1].box[0]) * dir > 0;
    }
    CHECK(all);
    for (int f = 0; f < 59; f++) {
        IgpFaceBox ta = at_frame(&a, f), tb = at_frame(&b, f);
        all &= covered(&tracks[0], &tb, f / FPS) || covered(&tracks[1], &tb, f / FPS);
        all &= covered(&tracks[0], &ta, f / FPS) || covered(&tracks[1], &ta, f / FPS);
    }
    CHECK(all);
    igp_tracks_free(tracks, n);
}

/* A single detection is kept (fail closed), present for the default margin;
 * a still box (infinite margin) is present at any time; a face twice as big
 * nearby is another face. */
static void test_single_and_still(void)
{
    IgpTracker *tr = igp_tracker_new(INTERVAL);
    IgpFaceBox one = {500, 500, 50, 60, 0.7f}, big = {505, 480, 130, 150, 0.8f};
    IgpTrackKey key = {1.0, {10, 20, 30, 40}};
    IgpTrack still = {NULL, -1, &key, 1, HUGE_VAL};
    IgpTrack *tracks;
    double b[4];
    int n;

    igp_tracker_add(tr, 0.0, NULL, 0);
    igp_tracker_add(tr, INTERVAL, &one, 1);
    igp_tracker_add(tr, 2 * INTERVAL, &big, 1);
    igp_tracker_finish(&tr, &tracks, &n);
    CHECK_INT(n, 2);
    CHECK(fabs(tracks[0].margin - IGP_TRACK_DEFAULT_MARGIN) < 1e-9);
    CHECK(igp_track_box_at(&tracks[0], INTERVAL + 0.39, b) && b[0] == 500 && b[2] == 50);
    CHECK(!igp_track_box_at(&tracks[0], INTERVAL + 0.41, b));
    CHECK(igp_track_box_at(&still, -100, b) && b[0] == 10);
    CHECK(igp_track_box_at(&still, 1e6, b) && b[3] == 40);
    CHECK(!igp_track_box_at(&still, NAN, b));
    igp_tracks_free(tracks, n);
}

/* The margin from the keys: 6 × median spacing, within bounds. */
static void test_margin(void)
{
    IgpTrackKey k[4] = {{0, {0}}, {0.1, {0}}, {0.2, {0}}, {5.0, {0}}};
    CHECK(fabs(igp_track_default_margin(k, 4) - 0.6) < 1e-9);
    CHECK(fabs(igp_track_default_margin(k, 1) - IGP_TRACK_DEFAULT_MARGIN) < 1e-9);
    k[1].t = 0.01, k[2].t = 0.02;
    CHECK(fabs(igp_track_default_margin(k, 3) - IGP_TRACK_MIN_MARGIN) < 1e-9);
}

int main(void)
{
    test_fast_move();
    test_gap();
    test_crossing();
    test_single_and_still();
    test_margin();
    return check_done();
}
