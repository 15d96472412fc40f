/* faces.json: igp_faces_load() on any bytes, then what detect, redact and
 * the reel stages do with a loaded document, in their order: a media's boxes
 * are used only once they passed igp_faces_check_bounds() (the pipeline stops
 * the media otherwise). Photos: merging with detections. Videos: tracks,
 * their boxes over time, merging with detected tracks. The detections are
 * fixed, as the detector makes them: only the editor's file is fuzzed. */
#include "error.h"
#include "faces.h"
#include "fuzz_common.h"

#include <glib.h>

enum { PHOTO_W = 1080, PHOTO_H = 1350, VIDEO_W = 1920, VIDEO_H = 1080 };

static const IgpFaceBox found_boxes[] = {{10, 20, 30, 40, 0.9f}, {500, 600, 200, 220, 0.7f}};

static IgpTrackKey found_keys[] = {{0, {100, 200, 80, 90}},
                                   {0.0667, {104, 202, 80, 90}},
                                   {0.5, {150, 230, 84, 94}},
                                   {1.25, {600, 500, 120, 130}}};
static IgpTrack found_tracks[] = {{NULL, -1, found_keys, 3, 0.4},
                                  {NULL, -1, found_keys + 3, 1, 0.4}};

static void use_photo(const IgpFacesDoc *doc, const char *name)
{
    json_t *faces = igp_faces_of(doc, name), *face;
    size_t i;

    if (igp_faces_check_photo(doc, name) || igp_faces_check_bounds(doc, name, PHOTO_W, PHOTO_H))
        return;
    json_array_foreach(faces, i, face)
    {
        double box[4];
        (void)igp_face_decision(face);
        (void)igp_face_box(face, box);
    }
    json_decref(igp_faces_merge(faces, faces, found_boxes, (int)G_N_ELEMENTS(found_boxes)));
}

static void use_tracks(json_t *faces, int which)
{
    static const double times[] = {0, 0.5, 1, 2.75, 1e9};
    IgpTrack *tracks = NULL;
    int n = 0;

    if (igp_faces_video_tracks(faces, which, &tracks, &n) != 0)
        return;
    for (int i = 0; i < n; i++) {
        for (size_t k = 0; k < G_N_ELEMENTS(times); k++) {
            double box[4];
            (void)igp_track_box_at(&tracks[i], times[k], box);
        }
    }
    igp_tracks_free(tracks, n);
}

static void use_video(const IgpFacesDoc *doc, const char *name)
{
    json_t *faces = igp_faces_of(doc, name);

    if (igp_faces_check_bounds(doc, name, VIDEO_W, VIDEO_H))
        return;
    use_tracks(faces, IGP_TRACKS_HIDDEN);
    use_tracks(faces, IGP_TRACKS_FACES);
    json_decref(
        igp_faces_merge_tracks(faces, faces, found_tracks, (int)G_N_ELEMENTS(found_tracks)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = igp_fuzz_path(IGP_FACES_NAME);
    IgpFacesDoc *doc = NULL;

    igp_fuzz_write(path, data, size);
    igp_error_clear();
    if (igp_fuzz_report(igp_faces_load(path, 0, &doc)) == 0) {
        const char *name;
        json_t *entry;

        (void)igp_faces_style(doc);
        json_object_foreach(json_object_get(doc->root, "media"), name, entry)
        {
            use_photo(doc, name);
            igp_error_clear();
            use_video(doc, name);
            igp_error_clear();
        }
        igp_faces_free(&doc);
    }
    igp_error_clear();
    return 0;
}
