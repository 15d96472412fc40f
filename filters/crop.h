/**
 * @file
 * Crop geometry: where to cut an output shape out of a source picture.
 */
#ifndef IGP_CROP_H
#define IGP_CROP_H

typedef struct IgpRect {
    int x, y, w, h;
} IgpRect;

/**
 * The largest rectangle with the aspect ratio @p out_w : @p out_h that fits
 * in a @p src_w × @p src_h picture, centred as closely as possible on the
 * focus point (@p fx, @p fy), given as fractions 0..1 of the source's width
 * and height, without leaving the picture.
 */
IgpRect igp_focus_crop(int src_w, int src_h, int out_w, int out_h, double fx, double fy);

#endif
