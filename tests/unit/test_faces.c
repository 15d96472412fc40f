/* faces.json: mistakes give file:line:column and the entry; merging keeps
 * every editor decision and manual box; redaction styles and geometry. */
#include "check.h"
#include "error.h"
#include "faces.h"
#include "image.h"
#include "jpegrows.h"
#include "redact.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <vips/vips.h>

static char *dir;

/* Load a faces.json text; return the error buffer ("" on success). */
static const char *load(const char *json, IgpFacesDoc **out)
{
    char *path = g_build_filename(dir, "faces.json", NULL);
    IgpFacesDoc *doc = NULL;

    igp_error_clear();
    g_file_set_contents(path, json, -1, NULL);
    if (igp_faces_load(path, 0, &doc) == 0) {
        if (out)
            *out = doc;
        else
            igp_faces_free(&doc);
        g_free(path);
        return "";
    }
    CHECK(doc == NULL);
    g_free(path);
    return igp_error_buffer();
}

#define ONE(face) "{\"version\": 1, \"media\": {\"A.JPG\": {\"faces\": [\n" face "\n]}}}"

static void test_valid(void)
{
    IgpFacesDoc *doc = NULL;
    json_t *faces;

    CHECK_INT(strlen(load(ONE("{\"id\": \"f1\", \"box\": [1, 2, 30, 40], \"source\": \"detected\", "
                              "\"score\": 0.9, \"cleared\": true, \"consent\": \"C-1\"},\n"
                              "{\"id\": \"m1\", \"box\": [50, 60, 10, 10], \"style\": \"mosaic\"}"),
                          &doc)),
              0);
    faces = igp_faces_of(doc, "A.JPG");
    CHECK_INT(json_array_size(faces), 2);
    CHECK(igp_face_is_cleared(json_array_get(faces, 0)));
    CHECK(!igp_face_is_cleared(json_array_get(faces, 1)));
    CHECK(!strcmp(igp_face_decision(json_array_get(faces, 1)), "hidden"));
    CHECK(igp_faces_of(doc, "B.JPG") == NULL);
    CHECK_INT(igp_faces_check_bounds(doc, "A.JPG", 100, 100), 0);
    igp_error_clear();
    CHECK_INT(igp_faces_check_bounds(doc, "A.JPG", 55, 100), IGP_ERR_INVALIDDATA);
    CHECK_CONTAINS(igp_error_buffer(), "faces.json:3:21: media 'A.JPG', face m1: box [50, 60, 10, "
                                       "10] is outside the 55x100 picture");
    igp_faces_free(&doc);
}

static void test_mistakes(void)
{
    CHECK_CONTAINS(load("{\"version\": 1, \"media\": {", NULL), "faces.json:1:");
    CHECK_CONTAINS(load("{\"version\": 2, \"media\": {}}", NULL),
                   "faces.json:1:13: unknown or missing");
    CHECK_CONTAINS(load(ONE("{\"id\": \"f1\", \"box\": [1, 2, 3, 4], \"clearde\": true}"), NULL),
                   "faces.json:2:46: media 'A.JPG', face f1: unknown key 'clearde'");
    CHECK_CONTAINS(
        load(ONE("{\"id\": \"f1\", \"box\": [1, 2, 3, 4]},\n{\"id\": \"f1\", \"box\": [5, 6, "
                 "7, 8]}"),
             NULL),
        "faces.json:3:8: media 'A.JPG': duplicate face id 'f1' (face 2)");
    CHECK_CONTAINS(load(ONE("{\"id\": \"f1\", \"box\": [1, 2, 0, 4]}"), NULL),
                   "faces.json:2:21: media 'A.JPG', face f1: \"box\" must be");
    CHECK_CONTAINS(load(ONE("{\"id\": \"f1\", \"box\": [1, 2, 3, 4], \"cleared\": \"yes\"}"), NULL),
                   "face f1: \"cleared\" must be true or false");
    CHECK_CONTAINS(
        load(ONE("{\"id\": \"f1\", \"box\": [1, 2, 3, 4], \"style\": \"pixelate\"}"), NULL),
        "face f1: \"style\" must be blur, mosaic, fill or sticker");
    CHECK_CONTAINS(load(ONE("{\"box\": [1, 2, 3, 4]}"), NULL), "face without id: needs an \"id\"");
    CHECK_CONTAINS(load("{\"version\": 1, \"style\": \"pink\", \"media\": {}}", NULL),
                   "faces.json:1:25: \"style\" must be");
}

/* A media key that names no file of the shoot is refused, with the name
 * meant: the same but for case first, else the closest few edits away. */
static void test_media_names(void)
{
    static const char *const shoot[] = {"IMG_0012.HEIC", "IMG_0013.JPG", "IMG_0031.JPG",
                                        "IMG_0020.MOV"};
    GPtrArray *known = g_ptr_array_new();
    IgpFacesDoc *doc = NULL;

    for (size_t i = 0; i < G_N_ELEMENTS(shoot); i++)
        g_ptr_array_add(known, (gpointer)shoot[i]);
    CHECK_INT(strlen(load("{\"version\": 1, \"media\": {\"IMG_0013.JPG\": {\"faces\": []},\n"
                          "  \"IMG_0013.jpg\": {\"faces\": []}}}",
                          &doc)),
              0);
    igp_error_clear();
    CHECK_INT(igp_faces_check_media_names(doc, known), IGP_ERR_INVALIDDATA);
    CHECK_CONTAINS(igp_error_buffer(), "faces.json:2:19: media 'IMG_0013.jpg' is not in the shoot; "
                                       "did you mean 'IMG_0013.JPG'?");
    igp_faces_free(&doc);
    CHECK_INT(
        strlen(load("{\"version\": 1, \"media\": {\"IMG_0021.MOV\": {\"faces\": []}}}", &doc)), 0);
    igp_error_clear();
    CHECK_INT(igp_faces_check_media_names(doc, known), IGP_ERR_INVALIDDATA);
    CHECK_CONTAINS(igp_error_buffer(), "did you mean 'IMG_0020.MOV'?");
    igp_faces_free(&doc);
    CHECK_INT(strlen(load("{\"version\": 1, \"media\": {\"poster.png\": {\"faces\": []}}}", &doc)),
              0);
    igp_error_clear();
    CHECK_INT(igp_faces_check_media_names(doc, known), IGP_ERR_INVALIDDATA);
    CHECK_CONTAINS(igp_error_buffer(), "media 'poster.png' is not in the shoot (media are named");
    CHECK(!strstr(igp_error_buffer(), "did you mean"));
    igp_faces_free(&doc);
    CHECK_INT(
        strlen(load("{\"version\": 1, \"media\": {\"IMG_0031.JPG\": {\"faces\": []}}}", &doc)), 0);
    CHECK_INT(igp_faces_check_media_names(doc, known), 0);
    igp_faces_free(&doc);
    g_ptr_array_unref(known);
}

/* Detect again: editor decisions, manual boxes and known ids are kept; only
 * faces that overlap nothing known are added. */
static void test_merge(void)
{
    json_t *editor = json_loads("[{\"id\": \"f1\", \"box\": [0, 0, 100, 100], \"source\": "
                                "\"detected\", \"cleared\": true},"
                                " {\"id\": \"m1\", \"box\": [500, 500, 50, 50], \"source\": "
                                "\"manual\"}]",
                                0, NULL);
    json_t *previous =
        json_loads("[{\"id\": \"f1\", \"box\": [0, 0, 100, 100], \"cleared\": false},"
                   " {\"id\": \"f2\", \"box\": [200, 0, 100, 100], \"source\": \"detected\"}]",
                   0, NULL);
    IgpFaceBox found[] = {{5, 5, 95, 95, 0.9f},       /* f1 again */
                          {205, 0, 100, 100, 0.8f},   /* f2 again */
                          {505, 505, 45, 45, 0.7f},   /* the manual box */
                          {800, 800, 60, 60, 0.65f}}; /* new */
    json_t *merged = igp_faces_merge(editor, previous, found, 4);

    CHECK_INT(json_array_size(merged), 4);
    CHECK(igp_face_is_cleared(json_array_get(merged, 0)));
    CHECK(!strcmp(json_string_value(json_object_get(json_array_get(merged, 1), "id")), "m1"));
    CHECK(!strcmp(json_string_value(json_object_get(json_array_get(merged, 2), "id")), "f2"));
    CHECK(!strcmp(json_string_value(json_object_get(json_array_get(merged, 3), "id")), "f3"));
    CHECK(!igp_face_is_cleared(json_array_get(merged, 3)));
    json_decref(merged);
    json_decref(editor);
    json_decref(previous);
}

/* Decisions live in the editor's file only: the last run's OUT/faces.json
 * gives back a detected face the editor no longer mentions as hidden (its
 * clearance, "ignore", style, consent gone) and never a deleted manual box. */
static void test_merge_forgets_removed_decisions(void)
{
    json_t *previous = json_loads(
        "[{\"id\": \"f1\", \"box\": [0, 0, 100, 100], \"source\": \"detected\", \"score\": "
        "0.9, \"cleared\": true, \"consent\": \"C-1\", \"person\": \"P-1\", \"style\": \"fill\"},"
        " {\"id\": \"f2\", \"box\": [200, 0, 100, 100], \"source\": \"detected\", \"ignore\": "
        "true},"
        " {\"id\": \"m1\", \"box\": [500, 500, 50, 50], \"source\": \"manual\"},"
        " {\"id\": \"m2\", \"box\": [700, 500, 50, 50]}]",
        0, NULL);
    json_t *editor = json_array();
    json_t *merged = igp_faces_merge(editor, previous, NULL, 0), *f1, *f2;
    IgpTrack track = {NULL, -1, g_new0(IgpTrackKey, 1), 1, 0.4};
    json_t *keys, *videos, *again;

    CHECK_INT(json_array_size(merged), 2); /* f1, f2; no manual box */
    f1 = json_array_get(merged, 0), f2 = json_array_get(merged, 1);
    CHECK(!strcmp(json_string_value(json_object_get(f1, "id")), "f1"));
    CHECK(!strcmp(igp_face_decision(f1), "hidden") && !strcmp(igp_face_decision(f2), "hidden"));
    CHECK(!json_object_get(f1, "consent") && !json_object_get(f1, "person") &&
          !json_object_get(f1, "style"));
    CHECK(json_number_value(json_object_get(f1, "score")) == 0.9);
    CHECK_INT((int)json_number_value(json_array_get(json_object_get(f2, "box"), 0)), 200);
    json_decref(merged);
    /* The same for a video's tracks. */
    track.keys[0] = (IgpTrackKey){0, {10, 10, 50, 50}};
    keys = igp_track_keys_json(&track);
    videos = json_pack("[{s:s, s:s, s:b, s:s, s:O}, {s:s, s:s, s:[i,i,i,i]}]", "id", "t1", "source",
                       "detected", "cleared", 1, "consent", "C-2", "track", keys, "id", "m1",
                       "source", "manual", "box", 1, 2, 3, 4);
    again = igp_faces_merge_tracks(editor, videos, NULL, 0);
    CHECK_INT(json_array_size(again), 1);
    CHECK(!strcmp(igp_face_decision(json_array_get(again, 0)), "hidden"));
    CHECK(!json_object_get(json_array_get(again, 0), "consent"));
    json_decref(again);
    json_decref(videos);
    json_decref(keys);
    g_free(track.keys);
    json_decref(editor);
    json_decref(previous);
}

/* A detected box that ends on the picture's edge stays inside it in whole
 * pixels: 435.5 + 64.5 = 500 is [436, y, 64, h], not [436, y, 65, h]. */
static void test_merge_edge(void)
{
    IgpFaceBox found[] = {{435.5f, 158.5f, 64.5f, 216.5f, 0.9f}};
    json_t *merged = igp_faces_merge(NULL, NULL, found, 1);
    json_t *box = json_object_get(json_array_get(merged, 0), "box");

    CHECK_INT(json_integer_value(json_array_get(box, 0)) +
                  json_integer_value(json_array_get(box, 2)),
              500);
    CHECK_INT(json_integer_value(json_array_get(box, 1)) +
                  json_integer_value(json_array_get(box, 3)),
              375);
    json_decref(merged);
}

#define VID(face) "{\"version\": 1, \"media\": {\"V.MOV\": {\"faces\": [\n" face "\n]}}}"

/* Video tracks: valid ones load and become IgpTracks; mistakes name the key. */
static void test_tracks(void)
{
    IgpFacesDoc *doc = NULL;
    IgpTrack *tracks = NULL;
    json_t *faces;
    double b[4];
    int n = 0;

    CHECK_INT(strlen(load(VID("{\"id\": \"t1\", \"source\": \"detected\", \"cleared\": false, "
                              "\"track\": [{\"t\": 0.0, \"box\": [10, 20, 30, 40]},\n"
                              "  {\"t\": 0.5, \"box\": [20, 20, 30, 40]}]},\n"
                              "{\"id\": \"t2\", \"cleared\": true, \"track\": [{\"t\": 1, \"box\": "
                              "[1, 1, 5, 5]}]},\n"
                              "{\"id\": \"t3\", \"ignore\": true, \"track\": [{\"t\": 1, \"box\": "
                              "[1, 1, 5, 5]}]},\n"
                              "{\"id\": \"m1\", \"box\": [100, 100, 20, 20]}"),
                          &doc)),
              0);
    faces = igp_faces_of(doc, "V.MOV");
    CHECK_INT(igp_faces_check_bounds(doc, "V.MOV", 200, 200), 0);
    igp_error_clear();
    CHECK_INT(igp_faces_check_bounds(doc, "V.MOV", 45, 200), IGP_ERR_INVALIDDATA);
    CHECK_CONTAINS(igp_error_buffer(), "faces.json:3:21: media 'V.MOV', face t1: box [20, 20, 30, "
                                       "40] at 0.5 s is outside the 45x200 picture");
    igp_error_clear();
    CHECK_INT(igp_faces_check_photo(doc, "V.MOV"), IGP_ERR_INVALIDDATA);
    CHECK_CONTAINS(igp_error_buffer(),
                   "faces.json:2:63: media 'V.MOV', face t1: a \"track\" is for");
    CHECK_INT(igp_faces_video_tracks(faces, IGP_TRACKS_HIDDEN, &tracks, &n), 0);
    CHECK_INT(n, 2); /* t1 and m1 */
    CHECK(!strcmp(tracks[0].id, "t1") && tracks[0].index == 0 && tracks[0].n_keys == 2);
    CHECK(igp_track_box_at(&tracks[0], 0.25, b) && b[0] == 15);
    CHECK(!strcmp(tracks[1].id, "m1") && tracks[1].index == 3);
    CHECK(igp_track_box_at(&tracks[1], 3600, b) && b[0] == 100); /* a still box: always */
    igp_tracks_free(tracks, n);
    CHECK_INT(igp_faces_video_tracks(faces, IGP_TRACKS_FACES, &tracks, &n), 0);
    CHECK_INT(n, 3); /* and the cleared t2 */
    CHECK(!strcmp(tracks[1].id, "t2"));
    igp_tracks_free(tracks, n);
    igp_faces_free(&doc);

    CHECK_CONTAINS(load(VID("{\"id\": \"t1\", \"track\": [{\"t\": 0.5, \"box\": [1, 2, 3, 4]},\n"
                            "{\"t\": 0.5, \"box\": [1, 2, 3, 4]}]}"),
                        NULL),
                   "faces.json:3:7: media 'V.MOV', face t1: track key 2 at 0.5 s is not after");
    CHECK_CONTAINS(
        load(VID("{\"id\": \"t1\", \"track\": [{\"t\": 0, \"box\": [1, 2, -3, 4]}]}"), NULL),
        "faces.json:2:40: media 'V.MOV', face t1: track key 1: \"box\" must be");
    CHECK_CONTAINS(
        load(VID("{\"id\": \"t1\", \"track\": [{\"time\": 0, \"box\": [1, 2, 3, 4]}]}"), NULL),
        "face t1: unknown key 'time'");
    CHECK_CONTAINS(load(VID("{\"id\": \"t1\", \"track\": []}"), NULL),
                   "faces.json:2:23: media 'V.MOV', face t1: \"track\" must be a non-empty");
    CHECK_CONTAINS(load(VID("{\"id\": \"t1\", \"box\": [1, 2, 3, 4], \"track\": [{\"t\": 0, "
                            "\"box\": [1, 2, 3, 4]}]}"),
                        NULL),
                   "face t1: a face has either a \"box\"");
    CHECK_CONTAINS(
        load(VID("{\"id\": \"t1\", \"track\": [{\"t\": -1, \"box\": [1, 2, 3, 4]}]}"), NULL),
        "track key 1 needs \"t\"");
}

/* A track of @p n keys every 1/15 s from @p t0, moving @p vx px per key. */
static IgpTrack moving(double t0, int n, double x, double vx)
{
    IgpTrack t = {NULL, -1, g_new0(IgpTrackKey, n), n, 0.4};
    for (int k = 0; k < n; k++)
        t.keys[k] = (IgpTrackKey){t0 + k / 15.0, {x + vx * k, 100, 80, 96}};
    return t;
}

/* Detect again on a video: the editor's entries as written, previous ids
 * kept, a found track that is a known face everywhere is not added again,
 * one that is new anywhere is added as t<next>. */
static void test_merge_tracks(void)
{
    IgpTrack found[3] = {moving(0, 10, 100, 20), moving(0, 20, 900, -10), moving(2, 5, 500, 0)};
    json_t *t1 = igp_track_keys_json(&found[0]), *t2 = igp_track_keys_json(&found[1]);
    json_t *editor = json_pack("[{s:s, s:s, s:b, s:s, s:O}]", "id", "t2", "source", "detected",
                               "cleared", 1, "consent", "C-9", "track", t2);
    json_t *previous = json_pack("[{s:s, s:s, s:b, s:O}, {s:s, s:s, s:b, s:O}]", "id", "t1",
                                 "source", "detected", "cleared", 0, "track", t1, "id", "t2",
                                 "source", "detected", "cleared", 0, "track", t2);
    json_t *merged = igp_faces_merge_tracks(editor, previous, found, 3), *again;

    CHECK_INT(json_array_size(merged), 3);
    CHECK(json_equal(json_array_get(merged, 0), json_array_get(editor, 0)));
    CHECK(!strcmp(json_string_value(json_object_get(json_array_get(merged, 1), "id")), "t1"));
    CHECK(!strcmp(json_string_value(json_object_get(json_array_get(merged, 2), "id")), "t3"));
    CHECK(!igp_face_is_cleared(json_array_get(merged, 2)));
    CHECK_INT(json_array_size(json_object_get(json_array_get(merged, 2), "track")), 5);
    /* Once more with the merge as the previous run: nothing changes. */
    again = igp_faces_merge_tracks(editor, merged, found, 3);
    CHECK(json_equal(again, merged));
    json_decref(again);
    /* The editor's t2 ends 12 keys before what is found now (beyond its
     * margin of 6): the rest of that face is new, so a new hidden track
     * covers it. */
    while (json_array_size(json_object_get(json_array_get(editor, 0), "track")) > 8)
        json_array_remove(json_object_get(json_array_get(editor, 0), "track"), 8);
    again = igp_faces_merge_tracks(editor, merged, found, 3);
    CHECK_INT(json_array_size(again), 4);
    CHECK(!strcmp(json_string_value(json_object_get(json_array_get(again, 3), "id")), "t4"));
    json_decref(again);
    json_decref(merged);
    json_decref(editor);
    json_decref(previous);
    json_decref(t1);
    json_decref(t2);
    for (int i = 0; i < 3; i++)
        g_free(found[i].keys);
}

/* Styles by name; the touched extent covers the padded box and no more. */
static void test_redact_geometry(void)
{
    IgpRedactStyle style;
    IgpRedactFace face = {.x = 100, .y = 100, .w = 100, .h = 100};
    int x, y, w, h;

    CHECK_INT(igp_redact_style_parse("mosaic", &style), 0);
    CHECK_INT(style, IGP_REDACT_MOSAIC);
    CHECK(!strcmp(igp_redact_style_name(IGP_REDACT_STICKER), "sticker"));
    igp_error_clear();
    CHECK_INT(igp_redact_style_parse("pixelate", &style), IGP_ERR_INVALIDDATA);
    igp_redact_extent(&face, IGP_REDACT_PADDING, 1000, 1000, &x, &y, &w, &h);
    CHECK(x < 80 && y < 80 && x + w > 220 && y + h > 220); /* padding 20 % per side */
    CHECK(x > 0 && y > 0 && x + w < 300 && y + h < 300);   /* and not much more */
    igp_redact_extent(&face, IGP_REDACT_PADDING, 150, 150, &x, &y, &w, &h);
    CHECK(x + w <= 150 && y + h <= 150); /* clipped to the picture */
}

/* Hidden pixels change all over the box; far pixels stay the same. */
static void test_redact_pixels(void)
{
    IgpRgbImage img = {g_malloc(400 * 400 * 3), 400, 400, 400 * 3, 0, 0};
    uint8_t *orig;
    IgpRedactFace face = {.x = 150, .y = 150, .w = 100, .h = 100, .style = IGP_REDACT_FILL};

    for (int i = 0; i < 400 * 400 * 3; i++)
        img.data[i] = (uint8_t)((i / 3 % 400) ^ (i / 1200)); /* a fine pattern */
    orig = g_memdup2(img.data, 400 * 400 * 3);
    CHECK_INT(igp_redact_face(&img, &face, IGP_REDACT_PADDING), 0);
    CHECK(memcmp(img.data, orig, 3) == 0);         /* corner */
    CHECK(img.data[(151 * 400 + 151) * 3] == 214); /* the box's corner is covered too */
    CHECK(img.data[(200 * 400 + 200) * 3] == 214); /* centre: fill */
    face.style = IGP_REDACT_MOSAIC;
    CHECK_INT(igp_redact_face(&img, &face, IGP_REDACT_PADDING), 0);
    face.style = IGP_REDACT_BLUR;
    CHECK_INT(igp_redact_face(&img, &face, IGP_REDACT_PADDING), 0);
    g_free(orig);
    g_free(img.data);
}

/* A cut-out of a frame (as a video frame is redacted) comes out exactly as
 * the same part of the whole picture would: the mosaic's cells lie on the
 * picture's grid, and the blur depends only on the pixels and the box. */
static void test_redact_cutout(void)
{
    const IgpRedactStyle styles[] = {IGP_REDACT_BLUR, IGP_REDACT_MOSAIC};
    for (size_t k = 0; k < G_N_ELEMENTS(styles); k++) {
        IgpRgbImage whole = {g_malloc(400 * 400 * 3), 400, 400, 400 * 3, 0, 0};
        IgpRgbImage cut = {g_malloc(200 * 200 * 3), 200, 200, 200 * 3, 100, 90};
        IgpRedactFace face = {.x = 153, .y = 141, .w = 97, .h = 103, .style = styles[k]};
        int differ = 0;

        for (int i = 0; i < 400 * 400 * 3; i++)
            whole.data[i] = (uint8_t)((i / 3 % 400) * 7 ^ (i / 1200) * 3);
        for (int y = 0; y < 200; y++)
            memcpy(cut.data + y * cut.stride, whole.data + (y + 90) * whole.stride + 100 * 3, 600);
        CHECK_INT(igp_redact_face(&whole, &face, IGP_REDACT_PADDING), 0);
        face.x -= 100, face.y -= 90;
        CHECK_INT(igp_redact_face(&cut, &face, IGP_REDACT_PADDING), 0);
        for (int y = 0; y < 200; y++)
            differ += memcmp(cut.data + y * cut.stride, whole.data + (y + 90) * whole.stride + 300,
                             600) != 0;
        CHECK_INT(differ, 0);
        g_free(whole.data);
        g_free(cut.data);
    }
}

/* The blur leaves no detail of the face: inside the box every pixel is
 * close to its shrunk neighbourhood, and the fine pattern is gone. */
static void test_redact_blur_detail(void)
{
    IgpRgbImage img = {g_malloc(300 * 300 * 3), 300, 300, 300 * 3, 0, 0};
    IgpRedactFace face = {.x = 100, .y = 100, .w = 100, .h = 100, .style = IGP_REDACT_BLUR};
    double before = 0, after = 0;

    /* A checkerboard of 2 px: all of its energy is fine detail. */
    for (int i = 0; i < 300 * 300 * 3; i++)
        img.data[i] = ((i / 3 % 300) / 2 + (i / 900) / 2) % 2 ? 200 : 40;
    for (int y = 120; y < 180; y++)
        for (int x = 120; x < 179; x++)
            before += abs(img.data[(y * 300 + x) * 3] - img.data[(y * 300 + x + 1) * 3]);
    CHECK_INT(igp_redact_face(&img, &face, IGP_REDACT_PADDING), 0);
    for (int y = 120; y < 180; y++)
        for (int x = 120; x < 179; x++)
            after += abs(img.data[(y * 300 + x) * 3] - img.data[(y * 300 + x + 1) * 3]);
    /* Neighbouring pixels differed by 80 on average; now by the noise only. */
    CHECK(before / (60 * 59) > 70);
    CHECK(after / (60 * 59) < 10);
    g_free(img.data);
}

/* A picture with edges everywhere, so that every face has detail to hide. */
static void fill_test_pattern(uint8_t *px, int w, int h)
{
    for (int i = 0; i < w * h * 3; i++)
        px[i] = (uint8_t)((i / 3 % w) * 5 ^ (i / (w * 3)) * 3 ^ (i % 3) * 60);
}

/* Redacting a file as it streams gives the same pixels as redacting the
 * whole picture in memory, face after face: overlapping faces (hidden on the
 * pixels the one before changed), a face cut by the edge, one outside. */
static void test_redact_file(void)
{
    const int W = 640, H = 480;
    IgpRedactFace faces[] = {
        {.x = 100, .y = 120, .w = 80, .h = 90, .style = IGP_REDACT_BLUR},
        {.x = 150, .y = 150, .w = 70, .h = 70, .style = IGP_REDACT_MOSAIC},
        {.x = 600, .y = 420, .w = 90, .h = 90, .style = IGP_REDACT_BLUR},
        {.x = 400, .y = 40, .w = 50, .h = 60, .style = IGP_REDACT_FILL},
        {.x = 900, .y = 900, .w = 50, .h = 50, .style = IGP_REDACT_BLUR},
    };
    IgpRgbImage whole = {g_malloc((size_t)W * H * 3), W, H, (size_t)W * 3, 0, 0};
    char *path = g_build_filename(dir, "redact-file.png", NULL);
    VipsImage *in, *out = NULL;
    void *pixels = NULL;
    size_t len = 0;

    fill_test_pattern(whole.data, W, H);
    in = vips_image_new_from_memory_copy(whole.data, whole.stride * H, W, H, 3, VIPS_FORMAT_UCHAR);
    CHECK(in && vips_pngsave(in, path, "compression", 1, NULL) == 0);
    for (size_t i = 0; i < G_N_ELEMENTS(faces); i++)
        CHECK_INT(igp_redact_face(&whole, &faces[i], IGP_REDACT_PADDING), 0);
    CHECK_INT(igp_redact_file(path, faces, (int)G_N_ELEMENTS(faces), IGP_REDACT_PADDING, &out), 0);
    CHECK(out && (pixels = vips_image_write_to_memory(out, &len)) != NULL);
    CHECK(len == whole.stride * H && pixels && memcmp(pixels, whole.data, len) == 0);
    g_free(pixels);
    if (out)
        g_object_unref(out);
    if (in)
        g_object_unref(in);
    g_unlink(path);
    g_free(path);
    g_free(whole.data);
}

/* The old way: igp_redact_file(), then igp_image_save_jpeg(). Returns its
 * result; *message gets the error buffer. */
static int redact_then_save(const char *master, const IgpRedactFace *faces, int n,
                            const char *out_path, char **message)
{
    VipsImage *out = NULL;
    int ret;

    igp_error_clear();
    ret = igp_redact_file(master, faces, n, IGP_REDACT_PADDING, &out);
    if (ret == 0)
        ret = igp_image_save_jpeg(out, master, out_path, NULL);
    if (out)
        g_object_unref(out);
    *message = g_strdup(igp_error_buffer());
    return ret;
}

/* Files in @p dir whose name starts with @p prefix (temporary siblings
 * are ".NAME.tmp-..."). */
static int files_named(const char *prefix)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *name;
    int n = 0;

    while (d && (name = g_dir_read_name(d)))
        n += g_str_has_prefix(name, prefix);
    if (d)
        g_dir_close(d);
    return n;
}

/* igp_redact_file_to_jpeg(), which encodes while it decodes and hides,
 * writes the same bytes as igp_redact_file() then igp_image_save_jpeg(),
 * with faces whose patches are finished out of their order; and when the
 * master does not decode or a face cannot be hidden, the same message and
 * no file at all, not even a temporary one. */
static void test_redact_file_to_jpeg(void)
{
    const int W = 640, H = 480;
    IgpRedactFace faces[] = {
        {.x = 100, .y = 300, .w = 80, .h = 90, .style = IGP_REDACT_BLUR},
        {.x = 150, .y = 330, .w = 70, .h = 70, .style = IGP_REDACT_MOSAIC},
        {.x = 400, .y = 40, .w = 50, .h = 60, .style = IGP_REDACT_FILL},
        {.x = 600, .y = 420, .w = 90, .h = 90, .style = IGP_REDACT_BLUR},
    };
    IgpRedactFace bad_sticker[] = {
        {.x = 400, .y = 40, .w = 50, .h = 60, .style = IGP_REDACT_FILL},
        {.x = 100,
         .y = 300,
         .w = 80,
         .h = 90,
         .style = IGP_REDACT_STICKER,
         .sticker = "/nonexistent/s.svg"},
    };
    guint8 *px = g_malloc((size_t)W * H * 3);
    char *master = g_build_filename(dir, "m.jpg", NULL);
    char *broken = g_build_filename(dir, "m-broken.tif", NULL);
    char *old_path = g_build_filename(dir, "old.jpg", NULL);
    char *new_path = g_build_filename(dir, "new.jpg", NULL);
    char *old_msg = NULL, *old_bytes = NULL, *new_bytes = NULL, *tiff = NULL;
    size_t old_len = 0, new_len = 0, tiff_len = 0;
    VipsImage *in;

    fill_test_pattern(px, W, H);
    in = vips_image_new_from_memory(px, (size_t)W * H * 3, W, H, 3, VIPS_FORMAT_UCHAR);
    CHECK(in && vips_jpegsave(in, master, "Q", 90, NULL) == 0);
    CHECK(in && vips_tiffsave(in, broken, "compression", VIPS_FOREIGN_TIFF_COMPRESSION_DEFLATE,
                              NULL) == 0);

    CHECK_INT(redact_then_save(master, faces, 4, old_path, &old_msg), 0);
    igp_error_clear();
    CHECK_INT(igp_redact_file_to_jpeg(master, faces, 4, IGP_REDACT_PADDING, new_path, NULL), 0);
    CHECK(g_file_get_contents(old_path, &old_bytes, &old_len, NULL));
    CHECK(g_file_get_contents(new_path, &new_bytes, &new_len, NULL));
    CHECK(old_len > 0 && old_len == new_len && memcmp(old_bytes, new_bytes, old_len) == 0);
    g_unlink(old_path);
    g_unlink(new_path);
    g_free(old_msg);

    /* A face that cannot be hidden (its sticker is missing). */
    CHECK(redact_then_save(master, bad_sticker, 2, old_path, &old_msg) != 0);
    igp_error_clear();
    CHECK(igp_redact_file_to_jpeg(master, bad_sticker, 2, IGP_REDACT_PADDING, new_path, NULL) != 0);
    CHECK_CONTAINS(igp_error_buffer(), "/nonexistent/s.svg");
    CHECK(!strcmp(igp_error_buffer(), old_msg));
    CHECK_INT(files_named("new.jpg") + files_named(".new.jpg"), 0);
    g_free(old_msg);

    /* A master whose compressed pixel data is damaged half way down: a
     * TIFF, as libjpeg only warns about damaged data. */
    CHECK(g_file_get_contents(broken, &tiff, &tiff_len, NULL));
    CHECK(tiff_len > 4096);
    if (tiff_len > 4096)
        memset(tiff + tiff_len / 2 - 1024, 'U', 2048);
    CHECK(tiff && g_file_set_contents(broken, tiff, (gssize)tiff_len, NULL));
    CHECK(redact_then_save(broken, faces, 4, old_path, &old_msg) != 0);
    igp_error_clear();
    CHECK(igp_redact_file_to_jpeg(broken, faces, 4, IGP_REDACT_PADDING, new_path, NULL) != 0);
    CHECK_CONTAINS(igp_error_buffer(), "cannot decode master");
    CHECK(!strcmp(igp_error_buffer(), old_msg));
    CHECK_INT(files_named("new.jpg") + files_named(".new.jpg"), 0);

    g_unlink(master);
    g_unlink(broken);
    g_unlink(old_path);
    g_free(old_msg);
    g_free(old_bytes);
    g_free(new_bytes);
    g_free(tiff);
    g_free(master);
    g_free(broken);
    g_free(old_path);
    g_free(new_path);
    if (in)
        g_object_unref(in);
    g_free(px);
}

/* A master's settings (pipeline/core/stages/stage.c), restart rows on or off. */
static IgpJpegSettings master_settings(int restart_rows)
{
    IgpJpegSettings s;

    igp_jpeg_default_settings(&s);
    s.quality = 95, s.optimize = 0, s.restart_rows = restart_rows;
    return s;
}

/* @p path decoded to 8-bit RGB (g_free()), or NULL. */
static guint8 *decode_rgb(const char *path, int *w, int *h)
{
    VipsImage *image = vips_image_new_from_file(path, NULL);
    size_t len = 0;
    guint8 *px = image ? vips_image_write_to_memory(image, &len) : NULL;

    *w = image ? image->Xsize : 0, *h = image ? image->Ysize : 0;
    if (image)
        g_object_unref(image);
    return px;
}

/* Rows of MCUs of the JPEG @p path: 0, or 1 when it is not such a JPEG. */
static int parse_rows(const char *path, char **data, IgpJpegRows *rows)
{
    size_t len = 0;

    *data = NULL;
    if (!g_file_get_contents(path, data, &len, NULL))
        return 1;
    return igp_jpeg_rows_parse((const uint8_t *)*data, len, rows);
}

/* The whole-picture way: igp_redact_file(), then igp_image_save_jpeg(). */
static int redact_whole(const char *master, const IgpRedactFace *faces, int n, const char *out_path,
                        const IgpJpegSettings *s)
{
    VipsImage *out = NULL;
    int ret = igp_redact_file(master, faces, n, IGP_REDACT_PADDING, &out);

    if (ret == 0)
        ret = igp_image_save_jpeg(out, master, out_path, s);
    if (out)
        g_object_unref(out);
    return ret;
}

static int same_file(const char *a, const char *b)
{
    char *x = NULL, *y = NULL;
    size_t nx = 0, ny = 0;
    int same = g_file_get_contents(a, &x, &nx, NULL) && g_file_get_contents(b, &y, &ny, NULL) &&
               nx == ny && memcmp(x, y, nx) == 0;

    g_free(x);
    g_free(y);
    return same;
}

/* A master with a restart marker after every row of MCUs (jpegrows.h) is
 * redacted in the rows of its faces alone: the other rows are the master's,
 * byte for byte, and decode to the master's pixels; the faces are hidden as
 * the whole-picture way hides them. With no face to hide the redacted
 * master is the master. Without the markers, or with faces over most rows,
 * the whole picture is redacted, as before. A damaged marker makes the
 * file not such a JPEG. */
static void test_redact_rows(void)
{
    const int W = 650, H = 490; /* neither a whole number of 16 px MCUs */
    IgpRedactFace faces[] = {
        {.x = 200, .y = 150, .w = 60, .h = 70, .style = IGP_REDACT_BLUR},
        {.x = 400, .y = 170, .w = 50, .h = 50, .style = IGP_REDACT_MOSAIC},
    };
    IgpRedactFace tall[] = {
        {.x = 100, .y = 20, .w = 60, .h = 70, .style = IGP_REDACT_BLUR},
        {.x = 300, .y = 400, .w = 60, .h = 70, .style = IGP_REDACT_BLUR},
    };
    IgpJpegSettings with = master_settings(1), without = master_settings(0);
    guint8 *px = g_malloc((size_t)W * H * 3), *a = NULL, *b = NULL, *c = NULL;
    char *master = g_build_filename(dir, "rows-master.jpg", NULL);
    char *plain = g_build_filename(dir, "rows-plain.jpg", NULL);
    char *out = g_build_filename(dir, "rows-out.jpg", NULL);
    char *whole = g_build_filename(dir, "rows-whole.jpg", NULL);
    char *mdata = NULL, *odata = NULL;
    IgpJpegRows mrows = {0}, orows = {0};
    VipsImage *in;
    int w, h, first_diff = -1, last_diff = -1;

    fill_test_pattern(px, W, H);
    in = vips_image_new_from_memory(px, (size_t)W * H * 3, W, H, 3, VIPS_FORMAT_UCHAR);
    CHECK_INT(igp_image_save_jpeg(in, "test", master, &with), 0);
    CHECK_INT(igp_image_save_jpeg(in, "test", plain, &without), 0);

    CHECK_INT(parse_rows(master, &mdata, &mrows), 0);
    CHECK_INT(mrows.n_rows, (H + 15) / 16);
    CHECK_INT(mrows.mcu_height, 16);
    CHECK_INT(igp_redact_file_to_jpeg(master, faces, 2, IGP_REDACT_PADDING, out, &with), 0);
    CHECK_INT(parse_rows(out, &odata, &orows), 0);
    CHECK(mrows.n_rows > 0 && orows.n_rows == mrows.n_rows);
    /* Rows 0-6 and 17 on hold no face (the faces' padded patches span
     * about 120-245 px): the master's own bytes. */
    for (int r = 0; r < orows.n_rows && orows.n_rows == mrows.n_rows; r++) {
        int same =
            orows.row_len[r] == mrows.row_len[r] &&
            !memcmp(odata + orows.row_start[r], mdata + mrows.row_start[r], orows.row_len[r]);
        if (r < 7 || r >= 17)
            CHECK(same);
        if (r == 10)
            CHECK(!same);
    }
    /* Decoded: only rows within a row of MCUs of the faces' rows change. */
    a = decode_rgb(master, &w, &h);
    b = decode_rgb(out, &w, &h);
    CHECK(a && b && w == W && h == H);
    for (int y = 0; a && b && y < H; y++)
        if (memcmp(a + (size_t)y * W * 3, b + (size_t)y * W * 3, (size_t)W * 3)) {
            first_diff = first_diff < 0 ? y : first_diff;
            last_diff = y;
        }
    CHECK(first_diff >= 6 * 16 && last_diff < 18 * 16 && first_diff < 150 && last_diff > 220);
    /* The faces' rows decode to the very pixels of the whole-picture way:
     * the same hidden pixels, coded in the same blocks with the same tables. */
    CHECK_INT(redact_whole(master, faces, 2, whole, &with), 0);
    c = decode_rgb(whole, &w, &h);
    CHECK(b && c && !memcmp(b + (size_t)150 * W * 3, c + (size_t)150 * W * 3, (size_t)70 * W * 3));
    g_free(a);
    g_free(b);
    g_free(c);

    /* No face to hide: the master itself, byte for byte. */
    CHECK_INT(igp_redact_file_to_jpeg(master, NULL, 0, IGP_REDACT_PADDING, out, &with), 0);
    CHECK(same_file(out, master));

    /* No restart markers, or faces over most rows: the whole picture. */
    CHECK_INT(igp_redact_file_to_jpeg(plain, faces, 2, IGP_REDACT_PADDING, out, &with), 0);
    CHECK_INT(redact_whole(plain, faces, 2, whole, &with), 0);
    CHECK(same_file(out, whole));
    CHECK_INT(igp_redact_file_to_jpeg(master, tall, 2, IGP_REDACT_PADDING, out, &with), 0);
    CHECK_INT(redact_whole(master, tall, 2, whole, &with), 0);
    CHECK(same_file(out, whole));

    /* A restart marker out of order, or the file cut short: not rows. */
    igp_jpeg_rows_clear(&orows);
    if (mrows.n_rows > 3) {
        size_t at = mrows.row_start[3] - 1; /* RST2's second byte */
        CHECK_INT((guint8)mdata[at], 0xD2);
        mdata[at] = (char)0xD5;
        CHECK_INT(igp_jpeg_rows_parse((const uint8_t *)mdata, mrows.len, &orows), 1);
        igp_jpeg_rows_clear(&orows);
        mdata[at] = (char)0xD2;
        CHECK_INT(igp_jpeg_rows_parse((const uint8_t *)mdata, mrows.len - 10, &orows), 1);
        igp_jpeg_rows_clear(&orows);
    }

    igp_jpeg_rows_clear(&mrows);
    g_free(mdata);
    g_free(odata);
    g_unlink(master);
    g_unlink(plain);
    g_unlink(out);
    g_unlink(whole);
    g_free(master);
    g_free(plain);
    g_free(out);
    g_free(whole);
    if (in)
        g_object_unref(in);
    g_free(px);
}

/* A master with restart rows decodes in two bands at once (jpegrows.h) to
 * the very pixels of a decode of the whole file, shrunk or not; a JPEG
 * without the markers is left to the usual way. */
static void test_rows_decode(void)
{
    const int W = 650, H = 490;
    IgpJpegSettings with = master_settings(1), without = master_settings(0);
    guint8 *px = g_malloc((size_t)W * H * 3);
    char *master = g_build_filename(dir, "bands.jpg", NULL);
    char *plain = g_build_filename(dir, "bands-plain.jpg", NULL);
    char *data = NULL;
    size_t len = 0;
    VipsImage *in;

    fill_test_pattern(px, W, H);
    in = vips_image_new_from_memory(px, (size_t)W * H * 3, W, H, 3, VIPS_FORMAT_UCHAR);
    CHECK_INT(igp_image_save_jpeg(in, "test", master, &with), 0);
    CHECK_INT(igp_image_save_jpeg(in, "test", plain, &without), 0);
    CHECK(g_file_get_contents(master, &data, &len, NULL));
    for (int shrink = 1; shrink <= 8; shrink *= 2) {
        VipsImage *whole = NULL;
        size_t whole_len = 0;
        guint8 *expect = NULL, *got;
        int w = 0, h = 0, bands = 0;
        if (vips_jpegload(master, &whole, "shrink", shrink, NULL) == 0)
            expect = vips_image_write_to_memory(whole, &whole_len);
        got = igp_jpeg_rows_decode(data, len, shrink, 0, &w, &h, &bands);
        CHECK(expect && got);
        CHECK(whole && w == whole->Xsize && h == whole->Ysize && bands == 3);
        CHECK(expect && got && whole_len == (size_t)w * h * 3 && !memcmp(expect, got, whole_len));
        /* Some rows only, from the middle of a row of MCUs on. */
        g_free(got);
        h = 37 * 8 / shrink;
        got = igp_jpeg_rows_decode(data, len, shrink, 21 / shrink, &w, &h, &bands);
        CHECK_INT(h, 37 * 8 / shrink);
        CHECK(expect && got &&
              !memcmp(expect + (size_t)(21 / shrink) * w * 3, got, (size_t)h * w * 3));
        g_free(expect);
        g_free(got);
        if (whole)
            g_object_unref(whole);
    }
    g_free(data);
    CHECK(g_file_get_contents(plain, &data, &len, NULL));
    CHECK(igp_jpeg_rows_load_buffer(data, len, 1, 0, 0) == NULL);
    g_free(data);
    g_unlink(master);
    g_unlink(plain);
    g_free(master);
    g_free(plain);
    if (in)
        g_object_unref(in);
    g_free(px);
}

int main(int argc, char **argv)
{
    (void)argc;
    if (VIPS_INIT(argv[0]))
        return 1;
    dir = g_dir_make_tmp("igp-faces-XXXXXX", NULL);
    test_valid();
    test_mistakes();
    test_media_names();
    test_merge();
    test_merge_forgets_removed_decisions();
    test_merge_edge();
    test_tracks();
    test_merge_tracks();
    test_redact_geometry();
    test_redact_pixels();
    test_redact_cutout();
    test_redact_blur_detail();
    test_redact_file();
    test_redact_file_to_jpeg();
    test_redact_rows();
    test_rows_decode();
    {
        char *path = g_build_filename(dir, "faces.json", NULL);
        g_unlink(path);
        g_free(path);
    }
    g_rmdir(dir);
    g_free(dir);
    vips_shutdown();
    return check_done();
}
