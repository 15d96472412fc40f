/**
 * @file
 * Face detection: a C interface over OpenCV 4.6, implemented in facedet.cpp
 * (the only C++ in igprep; OpenCV 4 has no C API).
 *
 * Two backends (measurements in docs/faces.md):
 *  - BlazeFace front-128 (MediaPipe, ONNX through cv::dnn), tiled over an
 *    image pyramid so faces from about 16 px to the whole frame are found;
 *  - OpenCV's Haar cascades (frontalface_default, plus profileface on the
 *    image and its mirror) from Debian's opencv-data, used only when the
 *    BlazeFace model file is absent.
 * A model file that is present but unreadable is an error, never a silent
 * fall back: the caller must stop that media (fail closed).
 */
#ifndef IGP_FACEDET_H
#define IGP_FACEDET_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The BlazeFace model file name looked for in the model folder. */
#define IGP_FACEDET_MODEL_FILE "face_detection_front_128x128_barracuda.onnx"

/** The folder of Debian's Haar cascades (opencv-data). */
#define IGP_FACEDET_HAAR_DIR "/usr/share/opencv4/haarcascades"

typedef enum IgpFaceBackend { IGP_FACEDET_BLAZEFACE, IGP_FACEDET_HAAR } IgpFaceBackend;

/** One face, in pixels of the image passed to igp_facedet_detect(). */
typedef struct IgpFaceBox {
    float x, y, w, h; ///< top-left corner and size
    float score;      ///< 0..1 (Haar: 1)
} IgpFaceBox;

/** BlazeFace's six keypoints, in IgpFaceFound::keypoints order. "Left" and
 * "right" are the image's (the person's right eye is on the image's left). */
enum IgpFaceKeypoint {
    IGP_KP_EYE_LEFT,
    IGP_KP_EYE_RIGHT,
    IGP_KP_NOSE,
    IGP_KP_MOUTH,
    IGP_KP_EAR_LEFT,
    IGP_KP_EAR_RIGHT,
    IGP_KP_COUNT
};

/** A face found on a still, with what the detector knows of its geometry. */
typedef struct IgpFaceFound {
    IgpFaceBox box;                   ///< score: the verified score (see igp_facedet_find)
    float keypoints[IGP_KP_COUNT][2]; ///< (x, y) each; all 0 for Haar
    int has_keypoints;                ///< 1 for BlazeFace
} IgpFaceFound;

typedef struct IgpFaceDetector IgpFaceDetector;

/**
 * Open a detector. With @p model_path an existing file, BlazeFace is loaded
 * from it (failure is an error); with no file there, the Haar cascades
 * from @p haar_dir (NULL: IGP_FACEDET_HAAR_DIR).
 * @return 0 or an IGP_ERR (message in the error buffer)
 */
int igp_facedet_open(const char *model_path, const char *haar_dir, IgpFaceDetector **out);

/** Which backend the detector runs. */
IgpFaceBackend igp_facedet_backend(const IgpFaceDetector *det);

/** "blazeface-front-128" or "haar-frontal+profile". */
const char *igp_facedet_backend_name(const IgpFaceDetector *det);

/**
 * Find faces in an 8-bit RGB image: igp_facedet_find()'s boxes. Safe to call
 * from several threads on one detector (calls are serialised inside).
 * @param rgb       @p h rows of @p w RGB pixels, @p stride bytes apart
 * @param min_face  smallest face width to look for, in pixels (e.g. 24)
 * @param score     BlazeFace score threshold (0.6; 0.5 for a thorough pass)
 * @param boxes     set to a g_malloc'ed array the caller g_free()s
 * @param n_boxes   set to the number of boxes
 * @return 0 or an IGP_ERR (any OpenCV error, caught at this boundary)
 */
int igp_facedet_detect(IgpFaceDetector *det, const uint8_t *rgb, int w, int h, size_t stride,
                       int min_face, float score, IgpFaceBox **boxes, int *n_boxes);

/**
 * Find the faces of a still, believably (docs/faces.md, "Detection"). With
 * BlazeFace: candidates from a tiled pyramid at a low score, merged, kept
 * only when their keypoints have a face's geometry and when the network,
 * shown the candidate again centred at five sizes and mirrored, agrees that
 * it is a face (mean score >= @p score; a Haar cascade's hit on it rescues
 * one down to @p score - 0.1); boxes lying mostly inside a larger
 * face are dropped. Tiles with no detail (sky, walls) are skipped. The work
 * is spread over up to IGP_FACEDET_THREADS threads, one network each.
 * Parameters as igp_facedet_detect(); @p faces is g_malloc'ed.
 */
int igp_facedet_find(IgpFaceDetector *det, const uint8_t *rgb, int w, int h, size_t stride,
                     int min_face, float score, IgpFaceFound **faces, int *n_faces);

/** Threads a still's detection uses (one BlazeFace network each). */
#define IGP_FACEDET_THREADS 2

/** The side, in pixels of the input, that the detector maps the smallest
 * face to: a photo needs no more resolution than min_face pixels per this
 * many (detect.c decodes the master at that scale). */
#define IGP_FACEDET_MIN_FACE_INPUT 26

void igp_facedet_close(IgpFaceDetector **det);

/**
 * Face detection over the frames of one video, in order (docs/faces.md,
 * "Videos"). BlazeFace's tiles are run by @p threads threads, each with its
 * own copy of the network. Each tile remembers what it looked like when the
 * network last ran on it: while it stays still (no 8×8 block's mean grey
 * moved by more than 3 levels), its candidates are taken from that run, and
 * the network still sees every tile at least every 15th call. Candidates are
 * confirmed as igp_facedet_find() does; when no tile changed, the faces are
 * those confirmed last time. The Haar backend runs every frame whole.
 */
typedef struct IgpFaceVideo IgpFaceVideo;

/** Open a video session on @p det (which must outlive it). */
int igp_facedet_video_open(IgpFaceDetector *det, int threads, IgpFaceVideo **out);

/** As igp_facedet_detect(), for the next frame of the session's video. */
int igp_facedet_video_detect(IgpFaceVideo *v, const uint8_t *rgb, int w, int h, size_t stride,
                             int min_face, float score, IgpFaceBox **boxes, int *n_boxes);

/** Tiles looked at so far, and how many of them the network ran on. */
void igp_facedet_video_stats(const IgpFaceVideo *v, long *tiles, long *tiles_run);

void igp_facedet_video_close(IgpFaceVideo **v);

/** Intersection over union of two boxes, 0..1. */
double igp_face_iou(const IgpFaceBox *a, const IgpFaceBox *b);

#ifdef __cplusplus
}
#endif

#endif
