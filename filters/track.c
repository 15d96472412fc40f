/* track: link per-frame face detections into tracks and give a track's box
 * at any time (track.h). */
#include "track.h"

#include <math.h>
#include <stdlib.h>

#include <glib.h>

/* Gate (../shared/face-detection.md §5). */
#define GATE_IOU        0.1
#define GATE_WIDTHS     0.75
#define GATE_GAP_WIDTHS 0.35
/* Keys back over which the end velocity is measured (smooths detector jitter). */
#define VELOCITY_SPAN 2
/* A detection more than this many times larger or smaller is another face. */
#define MAX_SIZE_RATIO 2.0
/* Rounding of frame times (seconds): a frame exactly at the margin is in it. */
#define MARGIN_SLACK 1e-6

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double igp_track_default_margin(const IgpTrackKey *keys, int n_keys)
{
    double *dt, spacing, margin;
    int n = 0;

    if (n_keys < 2)
        return IGP_TRACK_DEFAULT_MARGIN;
    dt = g_new(double, n_keys - 1);
    for (int i = 1; i < n_keys; i++)
        if (keys[i].t > keys[i - 1].t)
            dt[n++] = keys[i].t - keys[i - 1].t;
    if (n == 0) {
        g_free(dt);
        return IGP_TRACK_DEFAULT_MARGIN;
    }
    qsort(dt, (size_t)n, sizeof(double), cmp_double);
    spacing = dt[n / 2];
    g_free(dt);
    margin = IGP_TRACK_MARGIN_INTERVALS * spacing;
    return CLAMP(margin, IGP_TRACK_MIN_MARGIN, IGP_TRACK_MAX_MARGIN);
}

/* Velocity of the box centre (px/s) at one end of the keys: @p from is the
 * end key, @p step -1 (last end) or +1 (first end). */
static void end_velocity(const IgpTrack *track, int from, int step, double v[2])
{
    int other = from + step * VELOCITY_SPAN;
    const IgpTrackKey *a, *b;
    double dt;

    other = CLAMP(other, 0, track->n_keys - 1);
    a = &track->keys[from], b = &track->keys[other];
    dt = a->t - b->t;
    v[0] = v[1] = 0;
    if (other == from || fabs(dt) < 1e-9)
        return;
    v[0] = ((a->box[0] + a->box[2] / 2) - (b->box[0] + b->box[2] / 2)) / dt;
    v[1] = ((a->box[1] + a->box[3] / 2) - (b->box[1] + b->box[3] / 2)) / dt;
}

/* Union of @p key's box held and moved on by @p v over @p dt seconds. */
static void held_and_moved(const IgpTrackKey *key, const double v[2], double dt, double box[4])
{
    double dx = v[0] * dt, dy = v[1] * dt;
    double x0 = MIN(key->box[0], key->box[0] + dx), y0 = MIN(key->box[1], key->box[1] + dy);
    double x1 = MAX(key->box[0], key->box[0] + dx) + key->box[2];
    double y1 = MAX(key->box[1], key->box[1] + dy) + key->box[3];
    box[0] = x0, box[1] = y0, box[2] = x1 - x0, box[3] = y1 - y0;
}

int igp_track_box_at(const IgpTrack *track, double t, double box[4])
{
    const IgpTrackKey *k = track->keys;
    int n = track->n_keys, lo, hi;
    double v[2];

    if (n < 1 || !isfinite(t))
        return 0;
    if (t < k[0].t) {
        if (k[0].t - t > track->margin + MARGIN_SLACK)
            return 0;
        if (isinf(track->margin)) {
            for (int i = 0; i < 4; i++)
                box[i] = k[0].box[i];
            return 1;
        }
        end_velocity(track, 0, 1, v);
        held_and_moved(&k[0], v, t - k[0].t, box);
        return 1;
    }
    if (t > k[n - 1].t) {
        if (t - k[n - 1].t > track->margin + MARGIN_SLACK)
            return 0;
        if (isinf(track->margin)) {
            for (int i = 0; i < 4; i++)
                box[i] = k[n - 1].box[i];
            return 1;
        }
        end_velocity(track, n - 1, -1, v);
        held_and_moved(&k[n - 1], v, t - k[n - 1].t, box);
        return 1;
    }
    /* k[lo].t <= t <= k[hi].t */
    lo = 0, hi = n - 1;
    while (hi - lo > 1) {
        int mid = (lo + hi) / 2;
        if (k[mid].t <= t)
            lo = mid;
        else
            hi = mid;
    }
    if (k[hi].t - k[lo].t < 1e-9) {
        for (int i = 0; i < 4; i++)
            box[i] = k[lo].box[i];
    } else {
        double a = (t - k[lo].t) / (k[hi].t - k[lo].t);
        for (int i = 0; i < 4; i++)
            box[i] = k[lo].box[i] + a * (k[hi].box[i] - k[lo].box[i]);
    }
    return 1;
}

void igp_tracks_free(IgpTrack *tracks, int n)
{
    for (int i = 0; tracks && i < n; i++) {
        g_free(tracks[i].id);
        g_free(tracks[i].keys);
    }
    g_free(tracks);
}

/* ---- linking ---- */

typedef struct Live {
    GArray *keys; ///< IgpTrackKey
    int open;     ///< may still take detections
} Live;

struct IgpTracker {
    double interval;
    GPtrArray *tracks; ///< Live *, in order of first appearance
};

typedef struct Pair {
    double cost;
    int track, det;
} Pair;

IgpTracker *igp_tracker_new(double interval)
{
    IgpTracker *tr = g_new0(IgpTracker, 1);
    tr->interval = interval > 0 ? interval : 1.0 / 15;
    tr->tracks = g_ptr_array_new();
    return tr;
}

static double box_iou(const double a[4], const double b[4])
{
    double x0 = MAX(a[0], b[0]), y0 = MAX(a[1], b[1]);
    double x1 = MIN(a[0] + a[2], b[0] + b[2]), y1 = MIN(a[1] + a[3], b[1] + b[3]);
    double inter = MAX(0, x1 - x0) * MAX(0, y1 - y0);
    double uni = a[2] * a[3] + b[2] * b[3] - inter;
    return uni > 0 ? inter / uni : 0;
}

/* Where the track's last box would be at @p t at constant velocity. */
static void predict(const Live *live, double t, double pred[4])
{
    const IgpTrackKey *k = (const IgpTrackKey *)live->keys->data;
    int n = (int)live->keys->len, j = MAX(0, n - 1 - VELOCITY_SPAN);
    const IgpTrackKey *last = &k[n - 1], *back = &k[j];
    double dt = last->t - back->t;

    for (int i = 0; i < 4; i++)
        pred[i] = last->box[i];
    if (n >= 2 && dt > 1e-9) {
        double vx = ((last->box[0] + last->box[2] / 2) - (back->box[0] + back->box[2] / 2)) / dt;
        double vy = ((last->box[1] + last->box[3] / 2) - (back->box[1] + back->box[3] / 2)) / dt;
        pred[0] += vx * (t - last->t);
        pred[1] += vy * (t - last->t);
    }
}

/* Cost of linking (distance in face widths), or -1 when outside the gate. */
static double link_cost(const IgpTracker *tr, const Live *live, double t, const IgpFaceBox *d)
{
    const IgpTrackKey *last = &g_array_index(live->keys, IgpTrackKey, live->keys->len - 1);
    double pred[4], det[4] = {d->x, d->y, d->w, d->h};
    double width = last->box[2], gap = (t - last->t) / tr->interval, dist, gate, ratio;

    predict(live, t, pred);
    ratio = d->w / width;
    if (width <= 0 || ratio > MAX_SIZE_RATIO || ratio < 1 / MAX_SIZE_RATIO)
        return -1;
    dist = hypot((pred[0] + pred[2] / 2) - (det[0] + det[2] / 2),
                 (pred[1] + pred[3] / 2) - (det[1] + det[3] / 2)) /
           width;
    gate = live->keys->len >= 2 ? GATE_WIDTHS : GATE_WIDTHS + GATE_GAP_WIDTHS * MAX(1, gap);
    if (dist < gate || box_iou(pred, det) >= GATE_IOU)
        return dist;
    return -1;
}

static int cmp_pair(const void *a, const void *b)
{
    const Pair *p = a, *q = b;
    if (p->cost != q->cost)
        return p->cost < q->cost ? -1 : 1;
    if (p->track != q->track)
        return p->track - q->track;
    return p->det - q->det;
}

void igp_tracker_add(IgpTracker *tr, double t, const IgpFaceBox *boxes, int n)
{
    GArray *pairs = g_array_new(FALSE, FALSE, sizeof(Pair));
    gboolean *track_used = g_new0(gboolean, tr->tracks->len + 1);
    gboolean *det_used = g_new0(gboolean, n + 1);

    /* Close the tracks not seen for too long. */
    for (guint i = 0; i < tr->tracks->len; i++) {
        Live *live = g_ptr_array_index(tr->tracks, i);
        const IgpTrackKey *last = &g_array_index(live->keys, IgpTrackKey, live->keys->len - 1);
        if (live->open && t - last->t > (IGP_TRACK_MAX_GAP + 0.5) * tr->interval)
            live->open = 0;
    }
    for (guint i = 0; i < tr->tracks->len; i++) {
        Live *live = g_ptr_array_index(tr->tracks, i);
        for (int j = 0; live->open && j < n; j++) {
            double cost = link_cost(tr, live, t, &boxes[j]);
            if (cost >= 0)
                g_array_append_val(pairs, ((Pair){cost, (int)i, j}));
        }
    }
    g_array_sort(pairs, cmp_pair);
    for (guint p = 0; p < pairs->len; p++) {
        Pair *pair = &g_array_index(pairs, Pair, p);
        Live *live = g_ptr_array_index(tr->tracks, pair->track);
        const IgpFaceBox *d = &boxes[pair->det];
        if (track_used[pair->track] || det_used[pair->det])
            continue;
        track_used[pair->track] = det_used[pair->det] = TRUE;
        g_array_append_val(live->keys, ((IgpTrackKey){t, {d->x, d->y, d->w, d->h}}));
    }
    for (int j = 0; j < n; j++) {
        const IgpFaceBox *d = &boxes[j];
        Live *live;
        if (det_used[j] || d->w <= 0 || d->h <= 0)
            continue;
        live = g_new0(Live, 1);
        live->keys = g_array_new(FALSE, FALSE, sizeof(IgpTrackKey));
        live->open = 1;
        g_array_append_val(live->keys, ((IgpTrackKey){t, {d->x, d->y, d->w, d->h}}));
        g_ptr_array_add(tr->tracks, live);
    }
    g_array_free(pairs, TRUE);
    g_free(track_used);
    g_free(det_used);
}

void igp_tracker_finish(IgpTracker **ptr, IgpTrack **tracks, int *n_tracks)
{
    IgpTracker *tr = *ptr;
    int n = tr ? (int)tr->tracks->len : 0;

    *tracks = g_new0(IgpTrack, n + 1);
    *n_tracks = n;
    for (int i = 0; i < n; i++) {
        Live *live = g_ptr_array_index(tr->tracks, i);
        IgpTrack *track = &(*tracks)[i];
        track->index = -1;
        track->n_keys = (int)live->keys->len;
        track->keys = (IgpTrackKey *)(void *)g_array_free(live->keys, FALSE);
        track->margin = igp_track_default_margin(track->keys, track->n_keys);
        g_free(live);
    }
    if (tr) {
        g_ptr_array_free(tr->tracks, TRUE);
        g_free(tr);
    }
    *ptr = NULL;
}
