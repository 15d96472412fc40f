/* faces: read, check and merge faces.json. */
#include "faces.h"
#include "jsonpos.h"

#include "error.h"
#include "i18n.h"
#include "fsutil.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

static const char *const root_keys[] = {"version", "style", "media", NULL};
static const char *const media_keys[] = {"faces", "size", "detector", NULL};
static const char *const face_keys[] = {"id",      "box",    "track", "source",  "score",
                                        "cleared", "ignore", "style", "sticker", "consent",
                                        "person",  "note",   NULL};
static const char *const key_keys[] = {"t", "box", NULL};

/* Overlap above which a new detection is the same face as a known one. */
#define SAME_FACE_IOU 0.3

/* Append one JSON Pointer reference token, escaped (RFC 6901). */
static void pointer_add(GString *p, const char *token)
{
    g_string_append_c(p, '/');
    for (const char *c = token; *c; c++) {
        if (*c == '~')
            g_string_append(p, "~0");
        else if (*c == '/')
            g_string_append(p, "~1");
        else
            g_string_append_c(p, *c);
    }
}

static char *face_pointer(const char *media, size_t index, const char *key)
{
    GString *p = g_string_new(NULL);
    pointer_add(p, "media");
    pointer_add(p, media);
    pointer_add(p, "faces");
    g_string_append_printf(p, "/%zu", index);
    if (key)
        pointer_add(p, key);
    return g_string_free(p, FALSE);
}

/* The pointer of key @p k of a face's track, and of its member @p key. */
static char *key_pointer(const char *media, size_t index, size_t k, const char *key)
{
    char *face = face_pointer(media, index, "track");
    GString *p = g_string_new(face);
    g_string_append_printf(p, "/%zu", k);
    if (key)
        pointer_add(p, key);
    g_free(face);
    return g_string_free(p, FALSE);
}

/* A time in seconds as people read it: to the hundredth, and with %g no
 * trailing zeros ("0.5", not 0.50000000000000011 or "0.50"). */
static double for_people(double seconds)
{
    return round(seconds * 100) / 100;
}

static int fail_at(const IgpFacesDoc *doc, const char *pointer, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "file:line:column: message", the position found from the pointer. */
static int fail_at(const IgpFacesDoc *doc, const char *pointer, const char *fmt, ...)
{
    va_list ap;
    int ret;

    va_start(ap, fmt);
    ret = igp_json_verror_at(doc->path, doc->text, doc->len, pointer, fmt, ap);
    va_end(ap);
    return ret;
}

static int known_key(const char *const *keys, const char *key)
{
    for (; *keys; keys++)
        if (!strcmp(*keys, key))
            return 1;
    return 0;
}

/* Report the first key of @p obj not in @p keys. */
static int check_keys(const IgpFacesDoc *doc, json_t *obj, const char *const *keys,
                      const char *pointer, const char *what)
{
    const char *key;
    json_t *v;

    json_object_foreach(obj, key, v)
    {
        if (!known_key(keys, key)) {
            GString *p = g_string_new(pointer);
            int ret;
            pointer_add(p, key);
            ret = fail_at(doc, p->str, _("%s: unknown key '%s'"), what, key);
            g_string_free(p, TRUE);
            return ret;
        }
    }
    return 0;
}

static int is_box(const json_t *box)
{
    if (!json_is_array(box) || json_array_size(box) != 4)
        return 0;
    for (size_t i = 0; i < 4; i++)
        if (!json_is_number(json_array_get(box, i)))
            return 0;
    return json_number_value(json_array_get(box, 2)) > 0 &&
           json_number_value(json_array_get(box, 3)) > 0;
}

/* A video face's keyframes: [{"t": seconds, "box": [x, y, w, h]}, ...],
 * at least one, sorted by t (each later than the one before). */
static int check_track(const IgpFacesDoc *doc, const char *media, size_t i, json_t *track,
                       const char *what)
{
    json_t *key;
    size_t k;
    double last = -1;
    int ret = 0;

    if (!json_is_array(track) || json_array_size(track) == 0) {
        char *p = face_pointer(media, i, "track");
        ret = fail_at(doc, p,
                      _("%s: \"track\" must be a non-empty array of {\"t\": seconds, "
                        "\"box\": [x, y, width, height]}"),
                      what);
        g_free(p);
        return ret;
    }
    json_array_foreach(track, k, key)
    {
        json_t *t = json_object_get(key, "t");
        char *p = key_pointer(media, i, k, NULL), *q = NULL;
        if (!json_is_object(key))
            ret = fail_at(doc, p, _("%s: track key %zu is not an object"), what, k + 1);
        else if ((ret = check_keys(doc, key, key_keys, p, what)))
            ;
        else if (!json_is_number(t) || !isfinite(json_number_value(t)) || json_number_value(t) < 0)
            ret = fail_at(doc, q = key_pointer(media, i, k, t ? "t" : NULL),
                          _("%s: track key %zu needs \"t\", seconds from the start (>= 0)"), what,
                          k + 1);
        else if (json_number_value(t) <= last)
            ret = fail_at(doc, q = key_pointer(media, i, k, "t"),
                          _("%s: track key %zu at %g s is not after the one before (%g s): keys "
                            "must be sorted by \"t\""),
                          what, k + 1, for_people(json_number_value(t)), for_people(last));
        else if (!is_box(json_object_get(key, "box")))
            ret = fail_at(doc, q = key_pointer(media, i, k, "box"),
                          _("%s: track key %zu: \"box\" must be [x, y, width, height] with width "
                            "and height > 0"),
                          what, k + 1);
        last = json_number_value(t);
        g_free(p);
        g_free(q);
        if (ret)
            break;
    }
    return ret;
}

/* One face entry: keys, types, values. */
static int check_face(const IgpFacesDoc *doc, const char *media, size_t i, json_t *face)
{
    char *at = face_pointer(media, i, NULL), *p = NULL;
    const char *id = json_string_value(json_object_get(face, "id"));
    const char *source = json_string_value(json_object_get(face, "source"));
    const char *style = json_string_value(json_object_get(face, "style"));
    const char *sticker = json_string_value(json_object_get(face, "sticker")), *why = NULL;
    char *what = id ? g_strdup_printf(_("media '%s', face %s"), media, id)
                    : g_strdup_printf(_("media '%s', a face without id"), media);
    IgpRedactStyle parsed;
    int ret = 0;

    if (!json_is_object(face))
        ret = fail_at(doc, at, _("media '%s': face %zu is not an object"), media, i + 1);
    else if ((ret = check_keys(doc, face, face_keys, at, what)))
        ;
    else if (!id || !*id)
        ret = fail_at(doc, p = face_pointer(media, i, json_object_get(face, "id") ? "id" : NULL),
                      _("%s: needs an \"id\" string"), what);
    else if (json_object_get(face, "track") && json_object_get(face, "box"))
        ret = fail_at(
            doc, p = face_pointer(media, i, "box"),
            _("%s: a face has either a \"box\" (the whole clip) or a \"track\", not both"), what);
    else if (json_object_get(face, "track"))
        ret = check_track(doc, media, i, json_object_get(face, "track"), what);
    else if (!is_box(json_object_get(face, "box")))
        ret =
            fail_at(doc, p = face_pointer(media, i, "box"),
                    _("%s: \"box\" must be [x, y, width, height] with width and height > 0"), what);
    else if (json_object_get(face, "source") &&
             (!source || (strcmp(source, "detected") && strcmp(source, "manual"))))
        ret = fail_at(doc, p = face_pointer(media, i, "source"),
                      _("%s: \"source\" must be \"detected\" or \"manual\""), what);
    else if (json_object_get(face, "cleared") && !json_is_boolean(json_object_get(face, "cleared")))
        ret = fail_at(doc, p = face_pointer(media, i, "cleared"),
                      _("%s: \"cleared\" must be true or false"), what);
    else if (json_object_get(face, "ignore") && !json_is_boolean(json_object_get(face, "ignore")))
        ret = fail_at(doc, p = face_pointer(media, i, "ignore"),
                      _("%s: \"ignore\" must be true or false"), what);
    else if (json_object_get(face, "style") && (!style || igp_redact_style_parse(style, &parsed))) {
        igp_error_clear();
        ret = fail_at(doc, p = face_pointer(media, i, "style"),
                      _("%s: \"style\" must be blur, mosaic, fill or sticker"), what);
    } else if (json_object_get(face, "sticker") &&
               (!sticker || igp_relative_name_check(sticker, &why))) {
        /* Stickers come from the templates' stickers folder, never from
         * elsewhere on the disk. */
        ret = fail_at(doc, p = face_pointer(media, i, "sticker"),
                      why ? _("%s: \"sticker\" must name a file in the stickers folder: it %s")
                          : _("%s: \"sticker\" must name a file in the stickers folder%s"),
                      what, why ? why : "");
    }
    g_free(at);
    g_free(p);
    g_free(what);
    return ret;
}

/* All faces of one media; ids unique within it. */
static int check_media(const IgpFacesDoc *doc, const char *media, json_t *entry)
{
    GString *at = g_string_new(NULL);
    json_t *faces = json_object_get(entry, "faces"), *face;
    GHashTable *ids = g_hash_table_new(g_str_hash, g_str_equal);
    size_t i;
    int ret = 0;

    pointer_add(at, "media");
    pointer_add(at, media);
    if (!json_is_object(entry))
        ret = fail_at(doc, at->str, _("media '%s': must be an object with \"faces\""), media);
    else if ((ret = check_keys(doc, entry, media_keys, at->str, media)))
        ;
    else if (!json_is_array(faces)) {
        pointer_add(at, "faces");
        ret = fail_at(doc, at->str, _("media '%s': needs a \"faces\" array"), media);
    }
    json_array_foreach(ret ? NULL : faces, i, face)
    {
        const char *id;
        if ((ret = check_face(doc, media, i, face)))
            break;
        id = json_string_value(json_object_get(face, "id"));
        if (g_hash_table_contains(ids, id)) {
            char *p = face_pointer(media, i, "id");
            ret = fail_at(doc, p, _("media '%s': duplicate face id '%s' (face %zu)"), media, id,
                          i + 1);
            g_free(p);
            break;
        }
        g_hash_table_add(ids, (gpointer)id);
    }
    g_hash_table_destroy(ids);
    g_string_free(at, TRUE);
    return ret;
}

static int check_root(const IgpFacesDoc *doc)
{
    json_t *root = doc->root, *media = json_object_get(root, "media"), *entry;
    json_t *version = json_object_get(root, "version");
    const char *style = json_string_value(json_object_get(root, "style")), *name;
    IgpRedactStyle parsed;
    int ret;

    if (!json_is_object(root))
        return fail_at(doc, "", _("must be an object with \"version\" and \"media\""));
    if ((ret = check_keys(doc, root, root_keys, "", "faces.json")))
        return ret;
    if (!json_is_integer(version) || json_integer_value(version) != 1)
        return fail_at(doc, version ? "/version" : "",
                       _("unknown or missing \"version\" (this igprep reads version 1)"));
    if (json_object_get(root, "style") && (!style || igp_redact_style_parse(style, &parsed))) {
        igp_error_clear();
        return fail_at(doc, "/style", _("\"style\" must be blur, mosaic, fill or sticker"));
    }
    if (media && !json_is_object(media))
        return fail_at(doc, "/media", _("\"media\" must be an object keyed by file name"));
    json_object_foreach(media, name, entry)
    {
        if ((ret = check_media(doc, name, entry)))
            return ret;
    }
    return 0;
}

int igp_faces_load(const char *path, int missing_ok, IgpFacesDoc **out)
{
    IgpFacesDoc *doc = g_new0(IgpFacesDoc, 1);
    json_error_t jerr;
    int ret = 0;

    *out = NULL;
    doc->path = g_strdup(path);
    if (missing_ok && !igp_path_exists(path)) {
        doc->root = json_pack("{s:i, s:o}", "version", 1, "media", json_object());
    } else if ((ret = igp_read_user_file(path, IGP_READ_JSON, &doc->text, &doc->len))) {
        ret = IGP_ERR_INVALIDDATA;
    } else if (!(doc->root = igp_json_parse_text(doc->text, &doc->len, &jerr))) {
        char *where = g_strdup_printf("%s:%d:%d", path, jerr.line, jerr.column);
        ret = igp_error(IGP_ERR_INVALIDDATA, where, "%s", igp_json_error_text(&jerr));
        g_free(where);
    } else {
        ret = check_root(doc);
    }
    if (ret == 0 && !json_object_get(doc->root, "media"))
        json_object_set_new(doc->root, "media", json_object());
    if (ret) {
        igp_faces_free(&doc);
        return ret;
    }
    *out = doc;
    return 0;
}

void igp_faces_free(IgpFacesDoc **pdoc)
{
    IgpFacesDoc *doc = *pdoc;
    if (!doc)
        return;
    json_decref(doc->root);
    g_free(doc->text);
    g_free(doc->path);
    g_free(doc);
    *pdoc = NULL;
}

json_t *igp_faces_of(const IgpFacesDoc *doc, const char *media)
{
    return json_object_get(json_object_get(json_object_get(doc->root, "media"), media), "faces");
}

const char *igp_faces_style(const IgpFacesDoc *doc)
{
    return json_string_value(json_object_get(doc->root, "style"));
}

int igp_face_box(const json_t *face, double box[4])
{
    json_t *b = json_object_get(face, "box");
    if (!is_box(b))
        return -1;
    for (size_t i = 0; i < 4; i++)
        box[i] = json_number_value(json_array_get(b, i));
    return 0;
}

static int box_outside(const json_t *box, int width, int height, double b[4])
{
    if (!is_box(box))
        return 0;
    for (size_t i = 0; i < 4; i++)
        b[i] = json_number_value(json_array_get(box, i));
    return b[0] < 0 || b[1] < 0 || b[0] + b[2] > width + 0.5 || b[1] + b[3] > height + 0.5;
}

int igp_faces_check_bounds(const IgpFacesDoc *doc, const char *media, int width, int height)
{
    json_t *faces = igp_faces_of(doc, media), *face, *key;
    size_t i, k;
    double b[4];
    char *p = NULL;
    int ret = 0;

    json_array_foreach(faces, i, face)
    {
        const char *id = json_string_value(json_object_get(face, "id"));
        if (box_outside(json_object_get(face, "box"), width, height, b))
            ret =
                fail_at(doc, p = face_pointer(media, i, "box"),
                        _("media '%s', face %s: box [%.0f, %.0f, %.0f, %.0f] is outside the %dx%d "
                          "picture (as displayed)"),
                        media, id, b[0], b[1], b[2], b[3], width, height);
        json_array_foreach(ret ? NULL : json_object_get(face, "track"), k, key)
        {
            if (box_outside(json_object_get(key, "box"), width, height, b)) {
                ret = fail_at(
                    doc, p = key_pointer(media, i, k, "box"),
                    _("media '%s', face %s: box [%.0f, %.0f, %.0f, %.0f] at %g s is outside the "
                      "%dx%d picture (as displayed)"),
                    media, id, b[0], b[1], b[2], b[3],
                    for_people(json_number_value(json_object_get(key, "t"))), width, height);
                break;
            }
        }
        if (ret)
            break;
    }
    g_free(p);
    return ret;
}

/* Edit distance between @p a and @p b, letters compared without case. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t n = strlen(b), *row = g_new(size_t, n + 1), best;

    for (size_t j = 0; j <= n; j++)
        row[j] = j;
    for (size_t i = 1; a[i - 1]; i++) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= n; j++) {
            size_t above = row[j];
            size_t swap = diagonal + (g_ascii_tolower(a[i - 1]) != g_ascii_tolower(b[j - 1]));
            row[j] = MIN(swap, MIN(above, row[j - 1]) + 1);
            diagonal = above;
        }
    }
    best = row[n];
    g_free(row);
    return best;
}

/* The known name @p name most likely meant: the same but for case, else the
 * closest by edit distance if it is close (a quarter of the name, at least
 * 2 edits); NULL when none is. */
static const char *closest_name(const char *name, GPtrArray *known)
{
    const char *best = NULL;
    size_t best_distance = MAX(2, strlen(name) / 4) + 1;

    for (guint i = 0; i < known->len; i++)
        if (!g_ascii_strcasecmp(name, g_ptr_array_index(known, i)))
            return g_ptr_array_index(known, i);
    for (guint i = 0; i < known->len; i++) {
        size_t d = edit_distance(name, g_ptr_array_index(known, i));
        if (d < best_distance)
            best = g_ptr_array_index(known, i), best_distance = d;
    }
    return best;
}

static int known_name(const char *name, GPtrArray *known)
{
    for (guint i = 0; i < known->len; i++)
        if (!strcmp(name, g_ptr_array_index(known, i)))
            return 1;
    return 0;
}

int igp_faces_check_media_names(const IgpFacesDoc *doc, GPtrArray *known)
{
    const char *name;
    json_t *entry;

    json_object_foreach(json_object_get(doc->root, "media"), name, entry)
    {
        const char *meant;
        GString *p;
        int ret;

        if (known_name(name, known))
            continue;
        meant = closest_name(name, known);
        p = g_string_new(NULL);
        pointer_add(p, "media");
        pointer_add(p, name);
        if (meant)
            ret = fail_at(doc, p->str, _("media '%s' is not in the shoot; did you mean '%s'?"),
                          name, meant);
        else
            ret = fail_at(doc, p->str,
                          _("media '%s' is not in the shoot (media are named by their file "
                            "name in the shoot folder, as in shoot.json)"),
                          name);
        g_string_free(p, TRUE);
        return ret;
    }
    return 0;
}

int igp_faces_check_photo(const IgpFacesDoc *doc, const char *media)
{
    json_t *faces = igp_faces_of(doc, media), *face;
    size_t i;

    json_array_foreach(faces, i, face)
    {
        if (json_object_get(face, "track")) {
            char *p = face_pointer(media, i, "track");
            int ret = fail_at(doc, p,
                              _("media '%s', face %s: a \"track\" is for videos; a photo's face "
                                "has a \"box\""),
                              media, json_string_value(json_object_get(face, "id")));
            g_free(p);
            return ret;
        }
    }
    return 0;
}

int igp_face_is_cleared(const json_t *face)
{
    return json_is_true(json_object_get(face, "cleared"));
}

int igp_face_is_ignored(const json_t *face)
{
    /* A cleared face is shown anyway; ignore only matters for hidden ones. */
    return json_is_true(json_object_get(face, "ignore"));
}

const char *igp_face_decision(const json_t *face)
{
    return igp_face_is_cleared(face) ? "cleared" : igp_face_is_ignored(face) ? "ignored" : "hidden";
}

int igp_faces_crop_boxes(const json_t *faces, double (**out)[4])
{
    const json_t *face;
    size_t i;
    int n = 0;

    *out = g_malloc0(sizeof(double[4]) * (json_array_size(faces) + 1));
    json_array_foreach(faces, i, face)
    {
        /* As for a video's crop window (IGP_TRACKS_FACES): "ignore" wins. */
        if (igp_face_is_ignored(face) || igp_face_box(face, (*out)[n]) != 0)
            continue;
        n++;
    }
    return n;
}

/* Highest N of ids "fN" in @p faces. */
static int highest_number(const json_t *faces)
{
    const json_t *face;
    size_t i;
    int top = 0;

    json_array_foreach(faces, i, face)
    {
        const char *id = json_string_value(json_object_get(face, "id"));
        if (id && id[0] == 'f' && g_ascii_isdigit(id[1]))
            top = MAX(top, atoi(id + 1));
    }
    return top;
}

static int overlaps_known(const json_t *faces, const IgpFaceBox *box)
{
    const json_t *face;
    size_t i;

    json_array_foreach(faces, i, face)
    {
        double b[4];
        IgpFaceBox known;
        if (igp_face_box(face, b))
            continue;
        known = (IgpFaceBox){(float)b[0], (float)b[1], (float)b[2], (float)b[3], 1};
        if (igp_face_iou(&known, box) >= SAME_FACE_IOU)
            return 1;
    }
    return 0;
}

static int has_id(const json_t *faces, const char *id)
{
    const json_t *face;
    size_t i;

    json_array_foreach(faces, i, face)
    {
        if (!g_strcmp0(json_string_value(json_object_get(face, "id")), id))
            return 1;
    }
    return 0;
}

/* A face of the last run the editor's file does not mention, as it goes on:
 * its geometry only, hidden. Decisions come from the editor's file alone
 * (docs/faces.md, "Where decisions live"): a clearance, "ignore", style or
 * consent the editor removed must not come back from OUT/faces.json. */
static json_t *carried_face(const json_t *face)
{
    static const char *const kept[] = {"id", "box", "track", "source", "score", NULL};
    json_t *out = json_object();

    for (const char *const *k = kept; *k; k++)
        if (json_object_get(face, *k))
            json_object_set_new(out, *k, json_deep_copy(json_object_get(face, *k)));
    json_object_set_new(out, "cleared", json_false());
    return out;
}

/* Append to @p merged the detected faces of @p previous (the last run's
 * OUT/faces.json) whose id is not there yet: a face the detector missed this
 * time stays hidden, and ids stay stable. Manual boxes live in the editor's
 * file only: one deleted there is gone. */
static void carry_over(json_t *merged, const json_t *previous)
{
    const json_t *face;
    size_t i;

    json_array_foreach(previous, i, face)
    {
        if (!json_is_object(face) ||
            g_strcmp0(json_string_value(json_object_get(face, "source")), "detected") ||
            has_id(merged, json_string_value(json_object_get(face, "id"))))
            continue;
        json_array_append_new(merged, carried_face(face));
    }
}

json_t *igp_faces_merge(json_t *editor, json_t *previous, const IgpFaceBox *found, int n_found)
{
    json_t *merged = json_array(), *face;
    size_t i;
    int next;

    json_array_foreach(editor, i, face) json_array_append_new(merged, json_deep_copy(face));
    carry_over(merged, previous);
    next = highest_number(merged) + 1;
    for (int k = 0; k < n_found; k++) {
        const IgpFaceBox *b = &found[k];
        char id[32];
        if (overlaps_known(merged, b))
            continue;
        /* Round the corners, not the size: a box that ends on the picture's
         * edge (x + w = width) must not end past it once in whole pixels. */
        long x0 = lround(b->x), y0 = lround(b->y), x1 = lround(b->x + b->w),
             y1 = lround(b->y + b->h);
        g_snprintf(id, sizeof(id), "f%d", next++);
        json_array_append_new(merged, json_pack("{s:s, s:[i,i,i,i], s:s, s:f, s:b}", "id", id,
                                                "box", (int)x0, (int)y0, (int)(x1 - x0),
                                                (int)(y1 - y0), "source", "detected", "score",
                                                round(b->score * 1000) / 1000, "cleared", 0));
    }
    return merged;
}

/* ---- videos: tracks ---- */

/* One face as a track: its keys, or its still box for the whole clip. */
static int face_track(const json_t *face, IgpTrack *track)
{
    json_t *keys = json_object_get(face, "track"), *key;
    size_t k;
    double box[4];

    if (json_is_array(keys) && json_array_size(keys) > 0) {
        track->keys = g_new0(IgpTrackKey, json_array_size(keys));
        json_array_foreach(keys, k, key)
        {
            json_t *t = json_object_get(key, "t"), *b = json_object_get(key, "box");
            if (!json_is_number(t) || !is_box(b) ||
                (k > 0 && json_number_value(t) <= track->keys[k - 1].t))
                return -1;
            track->keys[k].t = json_number_value(t);
            for (size_t c = 0; c < 4; c++)
                track->keys[k].box[c] = json_number_value(json_array_get(b, c));
            track->n_keys = (int)k + 1;
        }
        track->margin = igp_track_default_margin(track->keys, track->n_keys);
        return 0;
    }
    if (keys || igp_face_box(face, box))
        return -1;
    track->keys = g_new0(IgpTrackKey, 1);
    track->n_keys = 1;
    memcpy(track->keys[0].box, box, sizeof(box));
    track->margin = HUGE_VAL;
    return 0;
}

int igp_faces_video_tracks(json_t *faces, int which, IgpTrack **tracks, int *n_tracks)
{
    IgpTrack *out = g_new0(IgpTrack, json_array_size(faces) + 1);
    json_t *face;
    size_t i;
    int n = 0;

    *tracks = NULL;
    *n_tracks = 0;
    if (faces && !json_is_array(faces)) {
        g_free(out);
        return igp_error(IGP_ERR_INVALIDDATA, "faces", _("the faces of a video must be an array"));
    }
    json_array_foreach(faces, i, face)
    {
        const char *id = json_string_value(json_object_get(face, "id"));
        if (igp_face_is_ignored(face))
            continue;
        if (which == IGP_TRACKS_HIDDEN && igp_face_is_cleared(face))
            continue;
        out[n].index = (int)i;
        out[n].id = g_strdup(id);
        if (face_track(face, &out[n])) {
            igp_tracks_free(out, n + 1);
            return igp_error(IGP_ERR_INVALIDDATA, "faces",
                             _("face %s has neither a valid \"box\" nor a valid \"track\""),
                             id ? id : _("without id"));
        }
        n++;
    }
    *tracks = out;
    *n_tracks = n;
    return 0;
}

/* Highest N of ids "tN" in @p faces. */
static int highest_track_number(const json_t *faces)
{
    const json_t *face;
    size_t i;
    int top = 0;

    json_array_foreach(faces, i, face)
    {
        const char *id = json_string_value(json_object_get(face, "id"));
        if (id && id[0] == 't' && g_ascii_isdigit(id[1]))
            top = MAX(top, atoi(id + 1));
    }
    return top;
}

static double iou4(const double a[4], const double b[4])
{
    IgpFaceBox x = {(float)a[0], (float)a[1], (float)a[2], (float)a[3], 1};
    IgpFaceBox y = {(float)b[0], (float)b[1], (float)b[2], (float)b[3], 1};
    return igp_face_iou(&x, &y);
}

/* Is every key of @p found the same face (IoU ≥ SAME_FACE_IOU) as one of
 * @p known at that time? */
static int track_known(const IgpTrack *known, int n_known, const IgpTrack *found)
{
    for (int k = 0; k < found->n_keys; k++) {
        int same = 0;
        for (int j = 0; j < n_known && !same; j++) {
            double b[4];
            same = igp_track_box_at(&known[j], found->keys[k].t, b) &&
                   iou4(b, found->keys[k].box) >= SAME_FACE_IOU;
        }
        if (!same)
            return 0;
    }
    return 1;
}

json_t *igp_track_keys_json(const IgpTrack *track)
{
    json_t *keys = json_array();
    for (int k = 0; k < track->n_keys; k++) {
        const double *b = track->keys[k].box;
        long x0 = lround(b[0]), y0 = lround(b[1]), x1 = lround(b[0] + b[2]),
             y1 = lround(b[1] + b[3]);
        json_array_append_new(keys, json_pack("{s:f, s:[i,i,i,i]}", "t",
                                              round(track->keys[k].t * 1000) / 1000, "box", (int)x0,
                                              (int)y0, (int)MAX(1, x1 - x0), (int)MAX(1, y1 - y0)));
    }
    return keys;
}

json_t *igp_faces_merge_tracks(json_t *editor, json_t *previous, const IgpTrack *found, int n_found)
{
    json_t *merged = json_array(), *face;
    IgpTrack *known = g_new0(IgpTrack, json_array_size(editor) + json_array_size(previous) + 1);
    size_t i;
    int next, n_known = 0;

    json_array_foreach(editor, i, face) json_array_append_new(merged, json_deep_copy(face));
    carry_over(merged, previous);
    /* Every face known so far, whatever its decision: a detection of a
     * cleared or ignored face is that face again, not a new one. */
    json_array_foreach(merged, i, face)
    {
        if (face_track(face, &known[n_known]) == 0)
            n_known++;
        else
            g_clear_pointer(&known[n_known].keys, g_free);
    }
    next = highest_track_number(merged) + 1;
    for (int k = 0; k < n_found; k++) {
        char id[32];
        if (found[k].n_keys < 1 || track_known(known, n_known, &found[k]))
            continue;
        g_snprintf(id, sizeof(id), "t%d", next++);
        json_array_append_new(merged,
                              json_pack("{s:s, s:s, s:b, s:o}", "id", id, "source", "detected",
                                        "cleared", 0, "track", igp_track_keys_json(&found[k])));
    }
    igp_tracks_free(known, n_known);
    return merged;
}

IgpRedactStyle igp_face_style(const json_t *face, const char *cli_style, const char *shoot_style)
{
    const char *names[] = {json_string_value(json_object_get(face, "style")), cli_style,
                           shoot_style};
    IgpRedactStyle style = IGP_REDACT_BLUR;

    for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
        if (names[i] && igp_redact_style_parse(names[i], &style) == 0)
            return style;
    igp_error_clear();
    return IGP_REDACT_BLUR;
}
