/* faces.json: igp_faces_load() on any bytes, then what detect, redact and
 * the reel stages do with a loaded document: bounds, photo checks, video
 * tracks and their boxes over time, merging with detections. */
#include "error.h"
#include "faces.h"
#include "fuzz_common.h"

#include <glib.h>

/* Detections to merge with the editor's faces: one small, one large. */
static const IgpFaceBox found[] = {{10, 20, 30, 40, 0.9f}, {500, 600, 200, 220, 0.7f}};

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
        json_decref(igp_track_keys_json(&tracks[i]));
    }
    json_decref(igp_faces_merge_tracks(faces, faces, tracks, n));
    igp_tracks_free(tracks, n);
}

static void use_media(const IgpFacesDoc *doc, const char *name)
{
    json_t *faces = igp_faces_of(doc, name), *face;
    size_t i;

    (void)igp_faces_check_bounds(doc, name, 1080, 1350);
    (void)igp_faces_check_photo(doc, name);
    json_array_foreach(faces, i, face)
    {
        double box[4];
        (void)igp_face_decision(face);
        (void)igp_face_box(face, box);
    }
    json_decref(igp_faces_merge(faces, faces, found, (int)G_N_ELEMENTS(found)));
    use_tracks(faces, IGP_TRACKS_HIDDEN);
    use_tracks(faces, IGP_TRACKS_FACES);
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
            use_media(doc, name);
        }
        igp_faces_free(&doc);
    }
    igp_error_clear();
    return 0;
}
