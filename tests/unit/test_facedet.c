/* The video detector's still tiles (igp_facedet_video_detect): on a frame
 * that has not changed, the faces are the detector's own, without running
 * the network again; grain does not count as change; a face that moves is
 * looked at again and found where it went; and every tile is looked at again
 * after the refresh interval.
 *
 * Usage: test_facedet MODEL.onnx PORTRAIT.png (skimage's astronaut) */
#include "check.h"
#include "error.h"
#include "facedet.h"

#include <math.h>
#include <stdlib.h>

#include <glib.h>
#include <vips/vips.h>

enum { W = 1280, H = 720, FACE_SIZE = 320, REFRESH = 15 };

/* A grey 1280×720 frame with the portrait scaled to FACE_SIZE at (x, y),
 * plus ±grain of fixed noise. */
static uint8_t *make_frame(const uint8_t *portrait, int x, int y, int grain, unsigned seed)
{
    uint8_t *rgb = g_malloc((size_t)W * H * 3);
    memset(rgb, 110, (size_t)W * H * 3);
    for (int j = 0; j < FACE_SIZE; j++)
        memcpy(rgb + ((size_t)(y + j) * W + x) * 3, portrait + (size_t)j * FACE_SIZE * 3,
               FACE_SIZE * 3);
    for (size_t i = 0; grain && i < (size_t)W * H * 3; i++) {
        seed = seed * 1103515245u + 12345u;
        rgb[i] = (uint8_t)CLAMP(rgb[i] + (int)(seed >> 16) % (2 * grain + 1) - grain, 0, 255);
    }
    return rgb;
}

static int same_boxes(const IgpFaceBox *a, int na, const IgpFaceBox *b, int nb)
{
    return na == nb && (na == 0 || !memcmp(a, b, sizeof(*a) * na));
}

/* The box of @p b closest in size to @p like. */
static const IgpFaceBox *closest(const IgpFaceBox *b, int n, const IgpFaceBox *like)
{
    const IgpFaceBox *best = NULL;
    for (int i = 0; i < n; i++)
        if (!best || fabs(b[i].w - like->w) < fabs(best->w - like->w))
            best = &b[i];
    return best;
}

int main(int argc, char **argv)
{
    IgpFaceDetector *det = NULL;
    IgpFaceVideo *video = NULL;
    VipsImage *img = NULL, *small = NULL;
    IgpFaceBox *whole = NULL, *boxes = NULL;
    int n_whole = 0, n = 0;
    long tiles = 0, run = 0, tiles_before, run_before;
    size_t len;

    if (argc != 3 || VIPS_INIT(argv[0]))
        return 1;
    if (vips_thumbnail(argv[2], &small, FACE_SIZE, "height", FACE_SIZE, "size", VIPS_SIZE_FORCE,
                       NULL) ||
        vips_extract_band(small, &img, 0, "n", 3, NULL)) {
        fprintf(stderr, "cannot read %s: %s\n", argv[2], vips_error_buffer());
        return 1;
    }
    uint8_t *portrait = vips_image_write_to_memory(img, &len);
    CHECK_INT(igp_facedet_open(argv[1], NULL, &det), 0);
    CHECK(igp_facedet_backend(det) == IGP_FACEDET_BLAZEFACE);
    CHECK_INT(igp_facedet_video_open(det, 2, &video), 0);
    if (!det || !video) {
        fprintf(stderr, "%s\n", igp_error_buffer());
        return check_done();
    }

    /* First frame: every tile is run; the faces are the whole-frame
     * detector's. */
    uint8_t *frame = make_frame(portrait, 400, 200, 0, 1);
    CHECK_INT(igp_facedet_detect(det, frame, W, H, (size_t)W * 3, 32, 0.6f, &whole, &n_whole), 0);
    CHECK_INT(n_whole, 1); /* the astronaut's face */
    CHECK_INT(igp_facedet_video_detect(video, frame, W, H, (size_t)W * 3, 32, 0.6f, &boxes, &n), 0);
    igp_facedet_video_stats(video, &tiles, &run);
    CHECK(tiles > 10 && run == tiles);
    CHECK(same_boxes(boxes, n, whole, n_whole));
    g_free(boxes);

    /* The same picture with grain: nothing is run again, the same faces. */
    for (unsigned k = 2; k < 6; k++) {
        uint8_t *grainy = make_frame(portrait, 400, 200, 3, k);
        tiles_before = tiles, run_before = run;
        CHECK_INT(
            igp_facedet_video_detect(video, grainy, W, H, (size_t)W * 3, 32, 0.6f, &boxes, &n), 0);
        igp_facedet_video_stats(video, &tiles, &run);
        CHECK_INT(run - run_before, 0);
        CHECK(tiles > tiles_before);
        CHECK(same_boxes(boxes, n, whole, n_whole));
        g_free(boxes);
        g_free(grainy);
    }

    /* The face moves 12 px right: its tiles are run again and it is found
     * where it went; the grey tiles far from it are not run. */
    uint8_t *moved = make_frame(portrait, 412, 200, 0, 1);
    tiles_before = tiles, run_before = run;
    CHECK_INT(igp_facedet_video_detect(video, moved, W, H, (size_t)W * 3, 32, 0.6f, &boxes, &n), 0);
    igp_facedet_video_stats(video, &tiles, &run);
    CHECK(run - run_before > 0 && run - run_before < tiles - tiles_before);
    const IgpFaceBox *before = &whole[0], *after = closest(boxes, n, before);
    CHECK(after && fabs(after->x - before->x - 12) < 2 && fabs(after->y - before->y) < 2);
    g_free(boxes);

    /* Still from now on: in the next REFRESH + 1 calls every tile is run
     * once more, and only once. */
    tiles_before = tiles, run_before = run;
    for (int k = 0; k < REFRESH + 1; k++) {
        CHECK_INT(igp_facedet_video_detect(video, moved, W, H, (size_t)W * 3, 32, 0.6f, &boxes, &n),
                  0);
        g_free(boxes);
    }
    igp_facedet_video_stats(video, &tiles, &run);
    CHECK_INT(run - run_before, (tiles - tiles_before) / (REFRESH + 1));

    igp_facedet_video_close(&video);
    igp_facedet_close(&det);
    g_free(whole);
    g_free(frame);
    g_free(moved);
    g_free(portrait);
    g_object_unref(img);
    g_object_unref(small);
    vips_shutdown();
    return check_done();
}
