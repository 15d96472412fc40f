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

/**
 * The JPEG shrink-on-load factor (8, 4, 2, else 1) to decode a @p src_w ×
 * @p src_h picture at before cutting an @p out_w × @p out_h output from it:
 * the largest that still leaves the crop twice the output's pixels across
 * and down, so that the final resize has something to work with (libvips'
 * thumbnail leaves the same factor of two). Decoding at 1/s is much faster.
 */
int igp_load_shrink(int src_w, int src_h, int out_w, int out_h);

#endif
