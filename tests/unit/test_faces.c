/* faces.json: mistakes give file:line:column and the entry; merging keeps
 * every editor decision and manual box; redaction styles and geometry. */
#include "check.h"
#include "error.h"
#include "faces.h"
#include "redact.h"

#include <glib.h>
#include <glib/gstdio.h>
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
                   " {\"id\": \"f2\", \"box\": [200, 0, 100, 100]}]",
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
    IgpRgbImage img = {g_malloc(400 * 400 * 3), 400, 400, 400 * 3};
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

int main(int argc, char **argv)
{
    (void)argc;
    if (VIPS_INIT(argv[0]))
        return 1;
    dir = g_dir_make_tmp("igp-faces-XXXXXX", NULL);
    test_valid();
    test_mistakes();
    test_merge();
    test_redact_geometry();
    test_redact_pixels();
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
