/* review marks: what the page shows of the faces, and the editor's
 * decisions written to SHOOT/faces.json (docs/review.md). */
#include "review.h"

#include "manifest.h"
#include "stage.h"
#include "template.h"

#include "error.h"
#include "fsutil.h"
#include "i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

/* The smallest manual box, in picture pixels. */
#define MIN_MANUAL_BOX 4

int igp_review_open(const char *shoot_dir, const char *out_dir, IgpReview **out)
{
    IgpManifest *manifest = NULL;
    IgpReview *r;
    char *out_default = NULL, *scrub = NULL;
    int ret;

    *out = NULL;
    if ((ret = igp_manifest_load(shoot_dir, &manifest)))
        return ret;
    r = g_new0(IgpReview, 1);
    r->shoot_name = g_strdup(manifest->shoot);
    r->shoot_style = g_strdup(manifest->face_style);
    igp_manifest_free(&manifest);
    if (!out_dir)
        out_dir = out_default = g_build_filename("out", r->shoot_name, NULL);
    r->shoot_dir = realpath(shoot_dir, NULL);
    r->out_dir = realpath(out_dir, NULL);
    scrub = r->out_dir ? g_build_filename(r->out_dir, "state", "scrub.json", NULL) : NULL;
    if (!r->shoot_dir)
        ret = igp_error(IGP_ERR(errno), shoot_dir, _("cannot open the shoot folder: %s"),
                        strerror(errno));
    else if (!scrub || !igp_path_exists(scrub))
        ret = igp_error(IGP_ERR(ENOENT), out_dir,
                        _("no results of a run here: run 'igprep run %s --out %s' first"),
                        shoot_dir, out_dir);
    g_free(scrub);
    g_free(out_default);
    if (ret) {
        igp_review_close(&r);
        return ret;
    }
    /* malloc'd by realpath: keep every string of the struct g_free-able. */
    char *s = g_strdup(r->shoot_dir), *o = g_strdup(r->out_dir);
    free(r->shoot_dir), free(r->out_dir);
    r->shoot_dir = s, r->out_dir = o;
    r->marks_path = g_build_filename(r->shoot_dir, IGP_FACES_NAME, NULL);
    r->www_dir = g_build_filename(igp_data_dir(), "share", "review", NULL);
    g_mutex_init(&r->marks_lock);
    g_mutex_init(&r->preview_lock);
    r->preview_keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    *out = r;
    return 0;
}

void igp_review_close(IgpReview **review)
{
    IgpReview *r = *review;

    if (!r)
        return;
    if (r->preview_keys) {
        g_hash_table_destroy(r->preview_keys);
        g_mutex_clear(&r->marks_lock);
        g_mutex_clear(&r->preview_lock);
        g_free(r->shoot_dir), g_free(r->out_dir);
    } else { /* igp_review_open() failed before the strings were copied */
        free(r->shoot_dir), free(r->out_dir);
    }
    g_free(r->marks_path), g_free(r->www_dir), g_free(r->shoot_name), g_free(r->shoot_style);
    g_free(r);
    *review = NULL;
}

/* The face of @p faces with id @p id, or NULL; its index in *index. */
static json_t *face_by_id(json_t *faces, const char *id, size_t *index)
{
    json_t *face;
    size_t i;

    json_array_foreach(faces, i, face)
    {
        if (!g_strcmp0(json_string_value(json_object_get(face, "id")), id)) {
            if (index)
                *index = i;
            return face;
        }
    }
    return NULL;
}

static void copy_key(json_t *to, const json_t *from, const char *key)
{
    json_t *v = json_object_get(from, key);
    if (v)
        json_object_set(to, key, v);
}

/* One face as the page sees it: geometry from the editor's entry when there
 * is one (detect keeps it as written), else from OUT; the decision from the
 * editor's entry only. */
static json_t *face_view(const json_t *detected, const json_t *editor)
{
    const json_t *geometry = editor ? editor : detected;
    const char *source = json_string_value(json_object_get(geometry, "source"));
    json_t *view = json_object();

    copy_key(view, geometry, "id");
    json_object_set_new(view, "source", json_string(source ? source : "manual"));
    copy_key(view, geometry, "box");
    copy_key(view, geometry, "track");
    if (detected)
        copy_key(view, detected, "score");
    json_object_set_new(view, "decision",
                        json_string(editor ? igp_face_decision(editor) : "hidden"));
    json_object_set_new(view, "decided", json_boolean(editor != NULL));
    if (editor) {
        copy_key(view, editor, "consent");
        copy_key(view, editor, "person");
        copy_key(view, editor, "note");
        copy_key(view, editor, "style");
    }
    return view;
}

/* Every face of one media: OUT's in their order, then the editor's own
 * (manual boxes added since the last run). */
static json_t *media_faces(json_t *detected, json_t *editor)
{
    json_t *faces = json_array(), *face;
    size_t i;

    json_array_foreach(detected, i, face)
    {
        const char *id = json_string_value(json_object_get(face, "id"));
        json_array_append_new(faces, face_view(face, face_by_id(editor, id, NULL)));
    }
    json_array_foreach(editor, i, face)
    {
        const char *id = json_string_value(json_object_get(face, "id"));
        if (!face_by_id(detected, id, NULL))
            json_array_append_new(faces, face_view(NULL, face));
    }
    return faces;
}

/* The last run's media: state/scrub.json's "media" (kind, master, size). */
static json_t *scrubbed_media(IgpReview *r)
{
    json_t *state = igp_state_load(r->out_dir, "scrub");
    json_t *media = json_incref(json_object_get(state, "media"));

    json_decref(state);
    return media ? media : json_object();
}

static void count_decisions(json_t *faces, json_t *counts)
{
    json_t *face;
    size_t i;

    json_array_foreach(faces, i, face)
    {
        const char *key = json_is_true(json_object_get(face, "decided"))
                              ? json_string_value(json_object_get(face, "decision"))
                              : "undecided";
        json_object_set_new(counts, key,
                            json_integer(json_integer_value(json_object_get(counts, key)) + 1));
    }
}

static json_t *media_view(IgpReview *r, const char *name, json_t *scrubbed, json_t *detected,
                          json_t *editor, json_t *totals)
{
    const char *kind = json_string_value(json_object_get(scrubbed, "kind"));
    const char *master = json_string_value(json_object_get(scrubbed, "master"));
    int video = !g_strcmp0(kind, "video");
    json_t *faces = media_faces(detected, editor), *counts = json_object();
    json_t *view = json_pack(
        "{s:s, s:s, s:s?, s:[OO]}", "name", name, "kind", video ? "video" : "photo", "master",
        master, "size", json_object_get(scrubbed, "width"), json_object_get(scrubbed, "height"));

    count_decisions(faces, counts);
    count_decisions(faces, totals);
    if (!video && master) {
        char *key = igp_review_preview_key(r, name, faces);
        json_object_set_new(view, "preview_key", json_string(key));
        g_free(key);
    }
    copy_key(view, scrubbed, "duration");
    json_object_set_new(view, "faces", faces);
    json_object_set_new(view, "counts", counts);
    return view;
}

json_t *igp_review_state(IgpReview *r)
{
    char *out_marks = g_build_filename(r->out_dir, IGP_FACES_NAME, NULL);
    IgpFacesDoc *marks = NULL, *detected = NULL;
    json_t *state = NULL, *media, *list, *totals, *entry;
    const char *name;

    if (igp_faces_load(r->marks_path, 1, &marks) || igp_faces_load(out_marks, 1, &detected)) {
        igp_faces_free(&marks);
        g_free(out_marks);
        return NULL;
    }
    media = scrubbed_media(r);
    list = json_array();
    totals = json_object();
    json_object_foreach(media, name, entry)
    {
        if (json_object_get(entry, "error") || !json_object_get(entry, "master"))
            continue; /* no master: nothing to look at (the run said why) */
        json_array_append_new(list, media_view(r, name, entry, igp_faces_of(detected, name),
                                               igp_faces_of(marks, name), totals));
    }
    state = json_pack("{s:s, s:s, s:o, s:o}", "shoot", r->shoot_name, "marks", r->marks_path,
                      "media", list, "counts", totals);
    json_decref(media);
    igp_faces_free(&marks);
    igp_faces_free(&detected);
    g_free(out_marks);
    return state;
}

/* ---- saving ---- */

/* Take both locks: this process's mutex, then an flock on the shoot folder
 * itself (a folder can be flocked: no lock file is written in the shoot).
 * Returns the folder's descriptor, or a negative IGP_ERR. */
static int lock_marks(IgpReview *r)
{
    int fd;

    g_mutex_lock(&r->marks_lock);
    fd = open(r->shoot_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        g_mutex_unlock(&r->marks_lock);
        return igp_error(IGP_ERR(errno), r->shoot_dir, _("cannot open: %s"), strerror(errno));
    }
    while (flock(fd, LOCK_EX) != 0) {
        if (errno != EINTR) {
            int ret =
                igp_error(IGP_ERR(errno), r->shoot_dir, _("cannot lock: %s"), strerror(errno));
            close(fd);
            g_mutex_unlock(&r->marks_lock);
            return ret;
        }
    }
    return fd;
}

static void unlock_marks(IgpReview *r, int fd)
{
    close(fd); /* releases the flock */
    g_mutex_unlock(&r->marks_lock);
}

/* The editor's entry for a face, made from OUT's when there is none yet:
 * id, source and geometry only (decisions are added by the caller). */
static json_t *editor_entry(json_t *editor_faces, json_t *detected_faces, const char *id)
{
    json_t *face = face_by_id(editor_faces, id, NULL), *found;

    if (face)
        return face;
    if (!(found = face_by_id(detected_faces, id, NULL)))
        return NULL;
    face = json_object();
    copy_key(face, found, "id");
    json_object_set_new(face, "source",
                        json_string(json_string_value(json_object_get(found, "source"))
                                        ? json_string_value(json_object_get(found, "source"))
                                        : "manual"));
    copy_key(face, found, "box");
    copy_key(face, found, "track");
    json_array_append_new(editor_faces, face);
    return face;
}

/* A label or reference: a non-empty string sets it, null or "" removes it. */
static int set_text(json_t *face, json_t *change, const char *key, const char *what)
{
    json_t *v = json_object_get(change, key);

    if (!v)
        return 0;
    if (json_is_null(v) || (json_is_string(v) && !*json_string_value(v))) {
        json_object_del(face, key);
        return 0;
    }
    if (!json_is_string(v) || json_string_length(v) > 200 ||
        !g_utf8_validate(json_string_value(v), -1, NULL))
        return igp_error(IGP_ERR_INVALIDDATA, "review", _("%s must be text of at most 200 bytes"),
                         what);
    json_object_set(face, key, v);
    return 0;
}

static int set_decision(json_t *face, const char *decision)
{
    if (!g_strcmp0(decision, "cleared")) {
        json_object_set_new(face, "cleared", json_true());
        json_object_del(face, "ignore");
    } else if (!g_strcmp0(decision, "hidden") || !g_strcmp0(decision, "ignored")) {
        /* Written, not left out: a face the editor decided to hide is
         * decided, and a withdrawn clearance is gone from the file. */
        json_object_del(face, "consent");
        if (!g_strcmp0(decision, "ignored")) {
            json_object_del(face, "cleared");
            json_object_set_new(face, "ignore", json_true());
        } else {
            json_object_set_new(face, "cleared", json_false());
            json_object_del(face, "ignore");
        }
    } else
        return igp_error(IGP_ERR_INVALIDDATA, "review",
                         _("decision must be hidden, cleared or ignored, not '%s'"),
                         decision ? decision : "(none)");
    return 0;
}

static int change_face(json_t *editor_faces, json_t *detected_faces, json_t *change,
                       const char *media)
{
    const char *id = json_string_value(json_object_get(change, "id"));
    json_t *decision = json_object_get(change, "decision");
    json_t *face = id ? editor_entry(editor_faces, detected_faces, id) : NULL;
    int ret = 0;

    if (!face)
        return igp_error(IGP_ERR_INVALIDDATA, "review", _("media '%s' has no face '%s'"), media,
                         id ? id : "(no id)");
    if (decision)
        ret = set_decision(face, json_string_value(decision));
    if (ret == 0)
        ret = set_text(face, change, "consent", _("a consent reference"));
    if (ret == 0)
        ret = set_text(face, change, "person", _("a person label"));
    if (ret == 0 && json_is_true(json_object_get(face, "cleared")) &&
        !json_object_get(face, "consent"))
        ret = igp_error(IGP_ERR_INVALIDDATA, "review",
                        _("media '%s', face %s: a cleared face needs its consent reference"), media,
                        id);
    return ret;
}

/* The next free "mN" among both files' faces of the media. */
static char *next_manual_id(json_t *editor_faces, json_t *detected_faces)
{
    json_t *lists[] = {editor_faces, detected_faces}, *face;
    long highest = 0;
    size_t i;

    for (int l = 0; l < 2; l++)
        json_array_foreach(lists[l], i, face)
        {
            const char *id = json_string_value(json_object_get(face, "id"));
            if (id && id[0] == 'm' && g_ascii_isdigit(id[1]))
                highest = MAX(highest, strtol(id + 1, NULL, 10));
        }
    return g_strdup_printf("m%ld", highest + 1);
}

static int add_manual(json_t *editor_faces, json_t *detected_faces, json_t *change,
                      const char *media, json_t *scrubbed)
{
    json_t *box = json_object_get(change, "box");
    double v[4], width = json_number_value(json_object_get(scrubbed, "width"));
    double height = json_number_value(json_object_get(scrubbed, "height"));
    char *id;

    for (size_t i = 0; i < 4; i++) {
        json_t *n = json_array_get(box, i);
        v[i] = json_is_number(n) ? round(json_number_value(n)) : NAN;
    }
    if (json_array_size(box) != 4 || !isfinite(v[0] + v[1] + v[2] + v[3]) || v[0] < 0 || v[1] < 0 ||
        v[2] < MIN_MANUAL_BOX || v[3] < MIN_MANUAL_BOX || v[0] + v[2] > width ||
        v[1] + v[3] > height)
        return igp_error(IGP_ERR_INVALIDDATA, "review",
                         _("media '%s': a manual box must be [x, y, width, height] inside the "
                           "%.0fx%.0f picture, at least %d pixels wide and high"),
                         media, width, height, MIN_MANUAL_BOX);
    id = next_manual_id(editor_faces, detected_faces);
    json_array_append_new(editor_faces, json_pack("{s:s, s:s, s:[iiii], s:b}", "id", id, "source",
                                                  "manual", "box", (int)v[0], (int)v[1], (int)v[2],
                                                  (int)v[3], "cleared", 0));
    g_free(id);
    return 0;
}

static int remove_manual(json_t *editor_faces, json_t *change, const char *media)
{
    const char *id = json_string_value(json_object_get(change, "id"));
    size_t index;
    json_t *face = id ? face_by_id(editor_faces, id, &index) : NULL;
    const char *source = json_string_value(json_object_get(face, "source"));

    if (!face || (source && strcmp(source, "manual")))
        return igp_error(IGP_ERR_INVALIDDATA, "review",
                         _("media '%s': '%s' is not a manual box of the editor's marks"), media,
                         id ? id : "(no id)");
    json_array_remove(editor_faces, index);
    return 0;
}

/* The "faces" array of @p media in the editor's document, made if needed. */
static json_t *editor_faces_of(json_t *root, const char *media)
{
    json_t *all = json_object_get(root, "media"), *entry, *faces;

    if (!json_is_object(all))
        json_object_set_new(root, "media", all = json_object());
    if (!json_is_object(entry = json_object_get(all, media)))
        json_object_set_new(all, media, entry = json_object());
    if (!json_is_array(faces = json_object_get(entry, "faces")))
        json_object_set_new(entry, "faces", faces = json_array());
    return faces;
}

static int apply_one(json_t *root, IgpFacesDoc *detected, json_t *scrubbed, json_t *change)
{
    const char *op = json_string_value(json_object_get(change, "op"));
    const char *media = json_string_value(json_object_get(change, "media"));
    json_t *entry = media ? json_object_get(scrubbed, media) : NULL;
    json_t *faces, *found;

    if (!entry)
        return igp_error(IGP_ERR_INVALIDDATA, "review",
                         _("'%s' is not a photo or video of the shoot"),
                         media ? media : "(no media)");
    faces = editor_faces_of(root, media);
    found = igp_faces_of(detected, media);
    if (!g_strcmp0(op, "set"))
        return change_face(faces, found, change, media);
    if (!g_strcmp0(op, "add"))
        return add_manual(faces, found, change, media, entry);
    if (!g_strcmp0(op, "remove"))
        return remove_manual(faces, change, media);
    return igp_error(IGP_ERR_INVALIDDATA, "review", _("unknown change '%s'"), op ? op : "(no op)");
}

/* One JSON value as compact text (appended). */
static void append_compact(GString *s, const json_t *v)
{
    char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(10));
    g_string_append(s, text);
    free(text);
}

/* faces.json as a person reads it: one face per line. */
static char *format_marks(json_t *root)
{
    GString *s = g_string_new("{\n  \"version\": 1");
    const char *key, *name;
    json_t *v, *entry;

    json_object_foreach(root, key, v)
    {
        if (!strcmp(key, "version") || !strcmp(key, "media"))
            continue;
        g_string_append(s, ",\n  ");
        json_t *k = json_string(key);
        append_compact(s, k);
        json_decref(k);
        g_string_append(s, ": ");
        append_compact(s, v);
    }
    g_string_append(s, ",\n  \"media\": {");
    int first_media = 1;
    json_object_foreach(json_object_get(root, "media"), name, entry)
    {
        json_t *k = json_string(name), *faces = json_object_get(entry, "faces"), *face;
        size_t i;
        g_string_append(s, first_media ? "\n    " : ",\n    ");
        first_media = 0;
        append_compact(s, k);
        json_decref(k);
        g_string_append(s, ": {");
        json_object_foreach(entry, key, v)
        {
            if (strcmp(key, "faces")) {
                json_t *kk = json_string(key);
                append_compact(s, kk);
                json_decref(kk);
                g_string_append(s, ": ");
                append_compact(s, v);
                g_string_append(s, ", ");
            }
        }
        g_string_append(s, "\"faces\": [");
        json_array_foreach(faces, i, face)
        {
            g_string_append(s, i ? ",\n      " : "\n      ");
            append_compact(s, face);
        }
        g_string_append(s, json_array_size(faces) ? "\n    ]}" : "]}");
    }
    g_string_append(s, "\n  }\n}\n");
    return g_string_free(s, FALSE);
}

/* Write @p root to SHOOT/faces.json: a temporary sibling (written and
 * synced), read back by igprep's own checks, renamed over the file. */
static int write_marks(IgpReview *r, json_t *root, json_t *scrubbed)
{
    char *text = format_marks(root), *tmp = igp_temp_sibling(r->marks_path);
    IgpFacesDoc *check = NULL;
    const char *name;
    json_t *entry;
    int ret = igp_write_file_atomic(tmp, text, strlen(text));

    if (ret == 0)
        ret = igp_faces_load(tmp, 0, &check);
    json_object_foreach(ret ? NULL : json_object_get(check->root, "media"), name, entry)
    {
        json_t *m = json_object_get(scrubbed, name);
        if (!m) /* not of this run (the run reports a misspelt name): left as written */
            continue;
        if (!(ret = igp_faces_check_bounds(
                  check, name, (int)json_integer_value(json_object_get(m, "width")),
                  (int)json_integer_value(json_object_get(m, "height")))) &&
            g_strcmp0(json_string_value(json_object_get(m, "kind")), "video"))
            ret = igp_faces_check_photo(check, name);
        if (ret)
            break;
    }
    if (ret == 0 && rename(tmp, r->marks_path) != 0)
        ret = igp_error(IGP_ERR(errno), r->marks_path, _("cannot rename into place: %s"),
                        strerror(errno));
    if (ret == 0)
        ret = igp_fsync_path(r->shoot_dir);
    else
        unlink(tmp);
    igp_faces_free(&check);
    g_free(tmp);
    g_free(text);
    return ret;
}

int igp_review_apply(IgpReview *r, json_t *changes)
{
    char *out_marks = g_build_filename(r->out_dir, IGP_FACES_NAME, NULL);
    IgpFacesDoc *marks = NULL, *detected = NULL;
    json_t *scrubbed = NULL, *root = NULL, *change;
    size_t i;
    int fd, ret;

    if (!json_is_array(changes) || json_array_size(changes) == 0) {
        g_free(out_marks);
        return igp_error(IGP_ERR_INVALIDDATA, "review", _("expected a list of changes"));
    }
    if ((fd = lock_marks(r)) < 0) {
        g_free(out_marks);
        return fd;
    }
    /* Read under the lock: another tab's save is in the file before ours. */
    ret = igp_faces_load(r->marks_path, 1, &marks);
    if (ret == 0)
        ret = igp_faces_load(out_marks, 1, &detected);
    if (ret == 0) {
        scrubbed = scrubbed_media(r);
        root = json_deep_copy(marks->root);
        json_object_set_new(root, "version", json_integer(1));
    }
    json_array_foreach(ret ? NULL : changes, i, change)
    {
        if ((ret = apply_one(root, detected, scrubbed, change)))
            break;
    }
    if (ret == 0)
        ret = write_marks(r, root, scrubbed);
    unlock_marks(r, fd);
    json_decref(root);
    json_decref(scrubbed);
    igp_faces_free(&marks);
    igp_faces_free(&detected);
    g_free(out_marks);
    return ret;
}
