#include "manifest.h"
#include "config.h"
#include "jsonpos.h"
#include "postrules.h"
#include "publish.h" /* Instagram's limits, igp_count_hashtags() */

#include "error.h"
#include "fsutil.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <glib.h>

enum { CAPTION_MAX = IGP_MAX_CAPTION_CHARS, COLLABORATORS_MAX = IGP_MAX_COLLABORATORS };
/* The range igprep detect's --min-face takes. */
enum { MIN_FACE_LO = 8, MIN_FACE_HI = 4096 };

/* Ids and the shoot's name become folder and file names ("<id>-01.jpg",
 * ".<id>-story.jpg.tmp-..."): kept well under NAME_MAX. */
enum { PLAIN_NAME_MAX = 199 };

/* A post's outbox folder is "<shoot>-<id>" (publish.c), first made under a
 * temporary name (igp_temp_sibling): both must fit in one file name. */
enum { OUTBOX_NAME_MAX = NAME_MAX - IGP_TEMP_NAME_EXTRA };

#define STORY_SUFFIX "-story"

static const char *const root_keys[] = {"version",  "shoot",    "title", "date",           "posts",
                                        "min_face", "thorough", "style", "retention_days", NULL};
static const char *const post_keys[] = {
    "id",      "type",     "template",      "media",     "aspect",    "text",           "caption",
    "alt",     "schedule", "collaborators", "subtitles", "cover",     "story_followup", "fps",
    "stories", "tieup",    "theme",         "subject",   "interview", "basis",          NULL};
static const char *const media_keys[] = {"file", "focus", "trim", NULL};

/* What a check needs to word its messages (the file, its text, and a cursor
 * that keeps a message per post linear) and the post ids seen so far
 * (id -> index + 1), so that each id is looked up once. */
typedef struct Checker {
    const char *path;
    const char *text;
    size_t len;
    GHashTable *ids;
    IgpJsonCursor *cursor;
    const char *out_dir; ///< --out, or NULL for the default out/<shoot>
    GTimeZone *zone;     ///< the account's (igprep.json): a schedule without an offset is in it
} Checker;

static int fail_at(const Checker *c, const char *pointer, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail_at(const Checker *c, const char *pointer, const char *fmt, ...)
{
    va_list ap;
    int ret;

    va_start(ap, fmt);
    ret = igp_json_verror_at_with(c->cursor, c->path, c->text, c->len, pointer, fmt, ap);
    va_end(ap);
    return ret;
}

static const char *json_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "true/false";
    default:
        return "null";
    }
}

static int check_keys(const Checker *c, const char *pointer, json_t *obj,
                      const char *const *allowed, const char *what)
{
    const char *key;
    json_t *value;

    json_object_foreach(obj, key, value)
    {
        int known = key[0] == '_'; /* a comment (igprep init writes "_comment") */
        for (const char *const *k = allowed; *k && !known; k++)
            known = !strcmp(key, *k);
        if (!known) {
            char *ptr = g_strdup_printf("%s/%s", pointer, key);
            int ret = fail_at(c, ptr, "unknown key '%s' in %s", key, what);
            g_free(ptr);
            return ret;
        }
    }
    return 0;
}

/* Fetch obj[key] and check its JSON type. A missing optional key gives NULL. */
static int get_typed(const Checker *c, const char *pointer, json_t *obj, const char *key,
                     json_type type, int required, json_t **out)
{
    static const char *const type_names[] = {
        [JSON_OBJECT] = "an object",   [JSON_ARRAY] = "an array", [JSON_STRING] = "a string",
        [JSON_INTEGER] = "an integer", [JSON_REAL] = "a number",  [JSON_TRUE] = "true/false"};
    json_t *v = json_object_get(obj, key);
    char *ptr;
    int ok, ret = 0;

    *out = NULL;
    if (!v) {
        return required ? fail_at(c, pointer, "missing key '%s'", key) : 0;
    }
    ok = json_typeof(v) == type || (type == JSON_REAL && json_is_number(v)) ||
         (type == JSON_TRUE && json_is_boolean(v));
    if (!ok) {
        ptr = g_strdup_printf("%s/%s", pointer, key);
        ret = fail_at(c, ptr, "'%s' must be %s, not %s", key, type_names[type], json_type_name(v));
        g_free(ptr);
        return ret;
    }
    *out = v;
    return 0;
}

/* A name that is safe as a single path component. */
static int is_plain_name(const char *s)
{
    return *s && *s != '.' && !strchr(s, '/') && !strchr(s, '\\') && strlen(s) <= PLAIN_NAME_MAX;
}

/* Refuse @p name (the value at @p pointer) unless it is a plain name; @p what
 * says which ("post id", "'shoot'") and leads the message. */
static int check_plain_name(const Checker *c, const char *pointer, const char *what,
                            const char *name)
{
    if (is_plain_name(name))
        return 0;
    if (strlen(name) > PLAIN_NAME_MAX)
        return fail_at(c, pointer, "%s is too long: %zu bytes, at most %d", what, strlen(name),
                       PLAIN_NAME_MAX);
    return fail_at(c, pointer, "%s '%s' must be a plain name (no '/', not starting with '.')", what,
                   name);
}

static int check_pair(const Checker *c, const char *pointer, json_t *obj, const char *key,
                      double lo, double hi, int *present, double out[2])
{
    json_t *arr;
    int ret = get_typed(c, pointer, obj, key, JSON_ARRAY, 0, &arr);

    *present = 0;
    if (ret || !arr)
        return ret;
    char *ptr = g_strdup_printf("%s/%s", pointer, key);
    if (json_array_size(arr) != 2 || !json_is_number(json_array_get(arr, 0)) ||
        !json_is_number(json_array_get(arr, 1))) {
        ret = fail_at(c, ptr, "'%s' must be an array of two numbers", key);
    } else {
        out[0] = json_number_value(json_array_get(arr, 0));
        out[1] = json_number_value(json_array_get(arr, 1));
        if (out[0] < lo || out[0] > hi || out[1] < lo || out[1] > hi)
            ret = fail_at(c, ptr, "'%s' values must be between %g and %g", key, lo, hi);
        *present = 1;
    }
    g_free(ptr);
    return ret;
}

/* A file a post names (@p what: "media file", "subtitles") must be a regular
 * file inside the shoot folder. A name that leaves the folder ('..', an
 * absolute path) is a mistake in shoot.json; a file that is missing, of the
 * wrong type or a symbolic link leading out only disables the post, so the
 * other posts go on. */
static int check_shoot_file(const Checker *c, const char *shoot_dir, const char *ptr, IgpPost *post,
                            const char *what, const char *name)
{
    char *real = NULL;
    const char *why;
    struct stat st;
    int ret = igp_path_inside(shoot_dir, name, &real, &why), problem = 0;

    if (ret == IGP_ERR_INVALIDDATA)
        return fail_at(c, ptr, "post '%s': %s '%s' must stay inside the shoot folder: it %s",
                       post->id, what, name, why);
    if (post->problem) /* one problem per post is enough */
        problem = 0;
    else if (ret == IGP_ERR(ENOENT))
        problem =
            fail_at(c, ptr, "post '%s': %s '%s' is not in the shoot folder", post->id, what, name);
    else if (ret)
        problem = fail_at(c, ptr, "post '%s': %s '%s' must stay inside the shoot folder: it %s",
                          post->id, what, name, why);
    else if (stat(real, &st) != 0)
        problem = fail_at(c, ptr, "post '%s': %s '%s' cannot be read: %s", post->id, what, name,
                          strerror(errno));
    else if (!S_ISREG(st.st_mode))
        problem = fail_at(c, ptr, "post '%s': %s '%s' is %s, not a regular file", post->id, what,
                          name, igp_file_kind(st.st_mode));
    if (problem) {
        post->problem = g_strdup(igp_error_buffer());
        igp_error_clear();
    }
    g_free(real);
    return 0;
}

static int check_subtitles(const Checker *c, const char *shoot_dir, const char *pointer, json_t *pj,
                           IgpPost *post)
{
    const char *name = json_string_value(json_object_get(pj, "subtitles"));
    char *ptr;
    int ret;

    if (!name)
        return 0;
    ptr = g_strdup_printf("%s/subtitles", pointer);
    ret = check_shoot_file(c, shoot_dir, ptr, post, "subtitles", name);
    g_free(ptr);
    return ret;
}

static int check_media_item(const Checker *c, const char *shoot_dir, const char *pointer,
                            json_t *item, IgpPost *post, IgpMediaRef *ref)
{
    json_t *file;
    int has_focus, ret;
    char *ptr;

    if (!json_is_object(item))
        return fail_at(c, pointer, "a media entry must be an object with a 'file'");
    if ((ret = check_keys(c, pointer, item, media_keys, "a media entry")) ||
        (ret = get_typed(c, pointer, item, "file", JSON_STRING, 1, &file)))
        return ret;
    ptr = g_strdup_printf("%s/file", pointer);
    if (!is_plain_name(json_string_value(file))) {
        ret = fail_at(c, ptr, "'file' must be a file name inside the shoot folder, not '%s'",
                      json_string_value(file));
        g_free(ptr);
        return ret;
    }
    ref->file = g_strdup(json_string_value(file));
    ref->focus[0] = ref->focus[1] = 0.5;
    if ((ret = check_pair(c, pointer, item, "focus", 0.0, 1.0, &has_focus, ref->focus)) == 0 &&
        (ret = check_pair(c, pointer, item, "trim", 0.0, 1e6, &ref->has_trim, ref->trim)) == 0)
        ret = check_shoot_file(c, shoot_dir, ptr, post, "media file", ref->file);
    g_free(ptr);
    return ret;
}

static int check_media(const Checker *c, const char *shoot_dir, const char *pointer, json_t *media,
                       IgpPost *post, int min, int max)
{
    size_t n = json_array_size(media);
    char *ptr = g_strdup_printf("%s/media", pointer);
    int ret = 0;

    if ((int)n < min || (int)n > max) {
        ret = min == max ? fail_at(c, ptr, "a %s post takes exactly %d media, not %zu",
                                   igp_post_type_name(post->type), min, n)
                         : fail_at(c, ptr, "a %s post takes %d to %d media, not %zu",
                                   igp_post_type_name(post->type), min, max, n);
        g_free(ptr);
        return ret;
    }
    post->media = g_new0(IgpMediaRef, n);
    post->n_media = (int)n;
    for (size_t i = 0; i < n && !ret; i++) {
        char *item_ptr = g_strdup_printf("%s/%zu", ptr, i);
        ret = check_media_item(c, shoot_dir, item_ptr, json_array_get(media, i), post,
                               &post->media[i]);
        g_free(item_ptr);
    }
    g_free(ptr);
    return ret;
}

static int check_post_type(const Checker *c, const char *pointer, json_t *type, IgpPost *post,
                           int *min, int *max)
{
    const IgpPostTypeInfo *info = igp_post_type_find(json_string_value(type));
    char *ptr;
    int ret;

    if (info) {
        post->type = info->type;
        *min = info->min_media;
        *max = info->max_media;
        return 0;
    }
    ptr = g_strdup_printf("%s/type", pointer);
    ret = fail_at(c, ptr, "post '%s': unknown type '%s' (expected %s)", post->id,
                  json_string_value(type), igp_post_type_names());
    g_free(ptr);
    return ret;
}

static int check_aspect(const Checker *c, const char *pointer, json_t *post_json, IgpPost *post)
{
    const IgpPostTypeInfo *info = igp_post_type_info(post->type);
    json_t *aspect;
    char *ptr;
    int ret = get_typed(c, pointer, post_json, "aspect", JSON_STRING, 0, &aspect);

    post->aspect = info->aspect;
    if (ret || !aspect)
        return ret;
    /* The feed's shapes; a type of another shape keeps it. */
    if (igp_aspect_find(json_string_value(aspect), &post->aspect) == 0 &&
        post->aspect != IGP_ASPECT_9_16) {
        if (!info->aspect_choosable)
            post->aspect = info->aspect;
        return 0;
    }
    post->aspect = info->aspect;
    ptr = g_strdup_printf("%s/aspect", pointer);
    ret = fail_at(c, ptr, "post '%s': aspect must be \"4:5\", \"1:1\" or \"1.91:1\", not '%s'",
                  post->id, json_string_value(aspect));
    g_free(ptr);
    return ret;
}

/* The frame rates a reel may keep (instagram-specs §10: 23 to 60, constant). */
static int valid_fps(json_int_t fps)
{
    return fps == 24 || fps == 25 || fps == 30 || fps == 50 || fps == 60;
}

/* "basis": what the post is based on, for the work plan. */
static int check_basis(const Checker *c, const char *pointer, json_t *pj, IgpPost *post)
{
    const char *basis = json_string_value(json_object_get(pj, "basis"));
    char *ptr;
    int ret;

    if (!basis || !strcmp(basis, "interview") || !strcmp(basis, "experience"))
        return 0;
    ptr = g_strdup_printf("%s/basis", pointer);
    ret = fail_at(c, ptr, "post '%s': basis must be \"interview\" or \"experience\", not '%s'",
                  post->id, basis);
    g_free(ptr);
    return ret;
}

/* A tie-up (paid promotion with an influencer) must say it is an ad. */
static int check_tieup(const Checker *c, const char *pointer, json_t *pj, IgpPost *post)
{
    char *ptr;
    int ret;

    if (!json_is_true(json_object_get(pj, "tieup")) ||
        igp_caption_has_disclosure(json_string_value(json_object_get(pj, "caption"))))
        return 0;
    ptr = g_strdup_printf("%s/%s", pointer, json_object_get(pj, "caption") ? "caption" : "tieup");
    ret = fail_at(c, ptr,
                  "post '%s': a tie-up (\"tieup\": true) must disclose the advertising in its "
                  "caption with %s (e.g. #PR): %s",
                  post->id, IGP_DISCLOSURE_WORDS, IGP_DISCLOSURE_RULE);
    g_free(ptr);
    return ret;
}

/* Keys whose content later stages read: check their types now. */
static int check_post_extras(const Checker *c, const char *pointer, json_t *pj, IgpPost *post)
{
    static const struct {
        const char *key;
        json_type type;
    } typed[] = {
        {"template", JSON_STRING},  {"text", JSON_OBJECT},     {"caption", JSON_STRING},
        {"alt", JSON_ARRAY},        {"schedule", JSON_STRING}, {"collaborators", JSON_ARRAY},
        {"subtitles", JSON_STRING}, {"cover", JSON_OBJECT},    {"story_followup", JSON_TRUE},
        {"fps", JSON_INTEGER},      {"stories", JSON_ARRAY},   {"tieup", JSON_TRUE},
        {"theme", JSON_STRING},     {"subject", JSON_STRING},  {"interview", JSON_TRUE},
        {"basis", JSON_STRING}};
    json_t *v;
    int ret;

    for (size_t i = 0; i < G_N_ELEMENTS(typed); i++)
        if ((ret = get_typed(c, pointer, pj, typed[i].key, typed[i].type, 0, &v)))
            return ret;
    v = json_object_get(pj, "fps");
    if (v && !valid_fps(json_integer_value(v))) {
        char *ptr = g_strdup_printf("%s/fps", pointer);
        ret = fail_at(c, ptr, "post '%s': fps must be 24, 25, 30, 50 or 60, not %lld", post->id,
                      (long long)json_integer_value(v));
        g_free(ptr);
        return ret;
    }
    if ((ret = check_basis(c, pointer, pj, post)))
        return ret;
    return check_tieup(c, pointer, pj, post);
}

/* The caption's length, hashtags and mentions, as Instagram counts them: a
 * caption over a limit is refused by Instagram when the post goes out. */
static int check_caption(const Checker *c, const char *pointer, json_t *pj, const IgpPost *post)
{
    const char *caption = json_string_value(json_object_get(pj, "caption"));
    long chars;
    int tags, mentions, ret = 0;
    char *ptr;

    if (!caption)
        return 0;
    chars = g_utf8_strlen(caption, -1);
    tags = igp_count_hashtags(caption);
    mentions = igp_count_mentions(caption);
    ptr = g_strdup_printf("%s/caption", pointer);
    if (chars > CAPTION_MAX)
        ret = fail_at(c, ptr, "post '%s': caption has %ld characters, Instagram allows %d",
                      post->id, chars, CAPTION_MAX);
    else if (tags > IGP_MAX_HASHTAGS)
        ret = fail_at(c, ptr, "post '%s': caption has %d hashtags, Instagram allows %d", post->id,
                      tags, IGP_MAX_HASHTAGS);
    else if (mentions > IGP_MAX_MENTIONS)
        ret = fail_at(c, ptr, "post '%s': caption has %d @mentions, Instagram allows %d", post->id,
                      mentions, IGP_MAX_MENTIONS);
    g_free(ptr);
    return ret;
}

/* No collaborator named twice (usernames ignore case). */
static int check_collaborators_once(const Checker *c, const char *pointer, json_t *list,
                                    const IgpPost *post)
{
    for (size_t i = 1; i < json_array_size(list); i++)
        for (size_t k = 0; k < i; k++)
            if (!g_ascii_strcasecmp(json_string_value(json_array_get(list, i)),
                                    json_string_value(json_array_get(list, k)))) {
                char *ptr = g_strdup_printf("%s/collaborators/%zu", pointer, i);
                int ret = fail_at(c, ptr, "post '%s': collaborator '%s' is named twice", post->id,
                                  json_string_value(json_array_get(list, i)));
                g_free(ptr);
                return ret;
            }
    return 0;
}

/* At most 3 collaborators, each an Instagram username as the API takes it. */
static int check_collaborators(const Checker *c, const char *pointer, json_t *pj,
                               const IgpPost *post)
{
    json_t *list = json_object_get(pj, "collaborators"), *name;
    const char *why;
    size_t i;
    char *ptr;
    int ret;

    if (!list)
        return 0;
    if (json_array_size(list) > COLLABORATORS_MAX) {
        ptr = g_strdup_printf("%s/collaborators", pointer);
        ret = fail_at(c, ptr, "post '%s': at most %d collaborators, not %zu", post->id,
                      COLLABORATORS_MAX, json_array_size(list));
        g_free(ptr);
        return ret;
    }
    json_array_foreach(list, i, name)
    {
        if (json_is_string(name) && !(why = igp_username_problem(json_string_value(name))))
            continue;
        ptr = g_strdup_printf("%s/collaborators/%zu", pointer, i);
        if (!json_is_string(name))
            ret = fail_at(c, ptr, "post '%s': a collaborator must be a username (a string), not %s",
                          post->id, json_type_name(name));
        else if (json_string_value(name)[0] == '@' &&
                 !igp_username_problem(json_string_value(name) + 1))
            ret = fail_at(c, ptr, "post '%s': collaborator '%s' %s: write \"%s\"", post->id,
                          json_string_value(name), why, json_string_value(name) + 1);
        else
            ret = fail_at(c, ptr, "post '%s': collaborator '%s' %s", post->id,
                          json_string_value(name), why);
        g_free(ptr);
        return ret;
    }
    return check_collaborators_once(c, pointer, list, post);
}

/* The schedule is read once, here, and kept in one form with its offset
 * ("2026-11-28T19:00:00+09:00"): every later stage (the next-day story, the
 * proof, post.json, the archive's month) reads the same instant. A local
 * time takes the account's zone. */
static int check_schedule(const Checker *c, const char *pointer, json_t *pj, IgpPost *post)
{
    const char *text = json_string_value(json_object_get(pj, "schedule"));
    char *why = NULL, *normal, *ptr;
    int ret;

    if (!text)
        return 0;
    normal = igp_schedule_normalise(text, c->zone, &why);
    if (normal) {
        json_object_set_new(pj, "schedule", json_string(normal));
        g_free(normal);
        return 0;
    }
    ptr = g_strdup_printf("%s/schedule", pointer);
    ret = fail_at(c, ptr, "post '%s': schedule %s", post->id, why);
    if (!*text && !post->problem) {
        /* Left empty for the editor (igprep init writes ""): only this post
         * waits for its time; the other posts go on. */
        post->problem = g_strdup(igp_error_buffer());
        igp_error_clear();
        ret = 0;
    }
    g_free(ptr);
    g_free(why);
    return ret;
}

/* Alt text is for images of feed and carousel posts: one for each, in
 * order, when given. Instagram takes none for a reel or a story. */
static int check_alt(const Checker *c, const char *pointer, json_t *pj, const IgpPost *post)
{
    json_t *alt = json_object_get(pj, "alt"), *a;
    char *ptr;
    size_t i;
    int ret = 0;

    if (!alt)
        return 0;
    ptr = g_strdup_printf("%s/alt", pointer);
    if (post->type != IGP_POST_FEED && post->type != IGP_POST_CAROUSEL)
        ret = fail_at(c, ptr,
                      "post '%s': a %s takes no alt text (Instagram reads it for feed and "
                      "carousel images only): remove 'alt'",
                      post->id, igp_post_type_name(post->type));
    else if (json_array_size(alt) != (size_t)post->n_media)
        ret = fail_at(c, ptr,
                      "post '%s': %zu alt text%s for %d image%s: give one for each image, in order",
                      post->id, json_array_size(alt), json_array_size(alt) == 1 ? "" : "s",
                      post->n_media, post->n_media == 1 ? "" : "s");
    g_free(ptr);
    if (ret)
        return ret;
    json_array_foreach(alt, i, a)
    {
        const char *text = json_string_value(a);
        char *stripped = text ? g_strstrip(g_strdup(text)) : NULL;
        int blank = !stripped || !*stripped;
        g_free(stripped);
        if (!blank)
            continue;
        ptr = g_strdup_printf("%s/alt/%zu", pointer, i);
        ret = json_is_string(a)
                  ? fail_at(c, ptr, "post '%s': alt text %zu (of image %s) is empty", post->id,
                            i + 1, post->media[i].file)
                  : fail_at(c, ptr, "post '%s': alt text %zu must be a string, not %s", post->id,
                            i + 1, json_type_name(a));
        g_free(ptr);
        return ret;
    }
    return 0;
}

static int check_post(const Checker *c, const char *shoot_dir, const char *pointer, json_t *pj,
                      IgpManifest *m, IgpPost *post)
{
    json_t *id, *type, *media;
    char *ptr;
    int min = 1, max = 1, ret;

    if (!json_is_object(pj))
        return fail_at(c, pointer, "a post must be an object");
    if ((ret = get_typed(c, pointer, pj, "id", JSON_STRING, 1, &id)))
        return ret;
    post->id = g_strdup(json_string_value(id));
    post->json = pj;
    ptr = g_strdup_printf("%s/id", pointer);
    ret = check_plain_name(c, ptr, "post id", post->id);
    if (!ret && g_hash_table_contains(c->ids, post->id))
        ret = fail_at(c, ptr, "duplicate post id '%s'", post->id);
    else if (!ret)
        g_hash_table_insert(c->ids, post->id, GINT_TO_POINTER(m->n_posts + 1));
    g_free(ptr);
    if (ret || (ret = check_keys(c, pointer, pj, post_keys, "a post")) ||
        (ret = get_typed(c, pointer, pj, "type", JSON_STRING, 1, &type)) ||
        (ret = check_post_type(c, pointer, type, post, &min, &max)) ||
        (ret = check_aspect(c, pointer, pj, post)) ||
        (ret = check_post_extras(c, pointer, pj, post)) ||
        (ret = check_caption(c, pointer, pj, post)) ||
        (ret = check_collaborators(c, pointer, pj, post)) ||
        (ret = check_schedule(c, pointer, pj, post)) ||
        (ret = check_subtitles(c, shoot_dir, pointer, pj, post)) ||
        (ret = get_typed(c, pointer, pj, "media", JSON_ARRAY, max > 0, &media)))
        return ret;
    if (media && (ret = check_media(c, shoot_dir, pointer, media, post, min, max)))
        return ret; /* (a highlight has no media) */
    return check_alt(c, pointer, pj, post);
}

/* Post @p index's next-day story "<id>-story" must not take a written post's id:
 * one would silently overwrite the other's folder. */
static int check_story_id(const Checker *c, const IgpManifest *m, int index)
{
    const IgpPost *post = &m->posts[index];
    char *story_id, *ptr;
    int other, line = 0, column = 0, ret = 0;

    if (!igp_post_has_story(post))
        return 0;
    story_id = g_strconcat(post->id, STORY_SUFFIX, NULL);
    other = GPOINTER_TO_INT(g_hash_table_lookup(c->ids, story_id)) - 1;
    if (other >= 0) {
        ptr = g_strdup_printf("/posts/%d/id", index);
        igp_json_locate(c->text, c->len, ptr, &line, &column);
        g_free(ptr);
        ptr = g_strdup_printf("/posts/%d/id", other);
        ret = fail_at(c, ptr,
                      "post id '%s' is also the id of the next-day story of post '%s' (line %d): "
                      "give this post another id",
                      story_id, post->id, line);
        g_free(ptr);
    }
    g_free(story_id);
    return ret;
}

/* "stories": the ordered story posts of a highlight, each once; only a type
 * that gathers stories takes the key, and it needs at least one. */
static int check_stories(const Checker *c, const IgpManifest *m, int index)
{
    const IgpPost *post = &m->posts[index];
    json_t *stories = json_object_get(post->json, "stories"), *v;
    int takes = igp_post_type_info(post->type)->publish_fields & IGP_FIELD_STORIES;
    char *ptr = g_strdup_printf(stories ? "/posts/%d/stories" : "/posts/%d", index);
    size_t i;
    int ret = 0;

    if (!takes && stories)
        ret = fail_at(c, ptr, "post '%s': 'stories' is for highlights, not %s posts", post->id,
                      igp_post_type_name(post->type));
    else if (takes && json_array_size(stories) == 0)
        ret = fail_at(c, ptr, "post '%s': a highlight needs 'stories': the ids of its story posts",
                      post->id);
    json_array_foreach(stories, i, v)
    {
        const char *id = json_string_value(v);
        int other = id ? GPOINTER_TO_INT(g_hash_table_lookup(c->ids, id)) - 1 : -1;
        char *item = g_strdup_printf("%s/%zu", ptr, i);
        if (ret)
            ;
        else if (!id)
            ret = fail_at(c, item, "post '%s': 'stories' must list post ids (strings)", post->id);
        else if (other < 0)
            ret = fail_at(c, item, "post '%s': no post '%s' in this shoot", post->id, id);
        else if (m->posts[other].type != IGP_POST_STORY)
            ret = fail_at(c, item, "post '%s': '%s' is a %s post, a highlight gathers stories",
                          post->id, id, igp_post_type_name(m->posts[other].type));
        for (size_t k = 0; ret == 0 && k < i; k++)
            if (!g_strcmp0(json_string_value(json_array_get(stories, k)), id))
                ret = fail_at(c, item, "post '%s': story '%s' is listed twice", post->id, id);
        g_free(item);
    }
    g_free(ptr);
    return ret;
}

/* Publish makes OUTBOX/<shoot>-<id> for each post and its story: a name
 * too long for the file system would only fail then, after approval. */
static int check_outbox_name(const Checker *c, const IgpManifest *m, int index)
{
    const IgpPost *post = &m->posts[index];
    const char *suffix = igp_post_has_story(post) ? STORY_SUFFIX : "";
    size_t len = strlen(m->shoot) + 1 + strlen(post->id) + strlen(suffix);
    char *ptr;
    int ret;

    if (len <= OUTBOX_NAME_MAX)
        return 0;
    ptr = g_strdup_printf("/posts/%d/id", index);
    if (*suffix)
        ret = fail_at(c, ptr,
                      "post '%s': the outbox folder name of its next-day story, "
                      "\"<shoot>-<id>-story\", would be %zu bytes long, at most %d: shorten the "
                      "shoot name or the post id",
                      post->id, len, OUTBOX_NAME_MAX);
    else
        ret = fail_at(c, ptr,
                      "post '%s': its outbox folder name \"<shoot>-<id>\" would be %zu bytes "
                      "long, at most %d: shorten the shoot name or the post id",
                      post->id, len, OUTBOX_NAME_MAX);
    g_free(ptr);
    return ret;
}

/* The shoot's face settings: "min_face", "thorough", "style" (docs/faces.md). */
static int check_face_settings(const Checker *c, IgpManifest *m)
{
    static const char *const styles[] = {"blur", "mosaic", "fill", "sticker", NULL};
    json_t *min_face, *thorough, *style;
    int ret;

    if ((ret = get_typed(c, "", m->root, "min_face", JSON_INTEGER, 0, &min_face)) ||
        (ret = get_typed(c, "", m->root, "thorough", JSON_TRUE, 0, &thorough)) ||
        (ret = get_typed(c, "", m->root, "style", JSON_STRING, 0, &style)))
        return ret;
    if (min_face &&
        (json_integer_value(min_face) < MIN_FACE_LO || json_integer_value(min_face) > MIN_FACE_HI))
        return fail_at(c, "/min_face", "'min_face' must be %d to %d pixels, not %lld", MIN_FACE_LO,
                       MIN_FACE_HI, (long long)json_integer_value(min_face));
    if (style && !g_strv_contains(styles, json_string_value(style)))
        return fail_at(c, "/style", "'style' must be blur, mosaic, fill or sticker, not '%s'",
                       json_string_value(style));
    m->face_min_size = min_face ? (int)json_integer_value(min_face) : 0;
    m->face_thorough = thorough ? json_is_true(thorough) : -1;
    m->face_style = style ? json_string_value(style) : NULL;
    return 0;
}

/* "retention_days": how long working copies with unhidden faces may be kept
 * (igprep inventory warns past it; docs/privacy.md). */
static int check_retention(const Checker *c, IgpManifest *m)
{
    json_t *days;
    int ret = get_typed(c, "", m->root, "retention_days", JSON_INTEGER, 0, &days);

    if (ret == 0 && days && (json_integer_value(days) < 1 || json_integer_value(days) > 36500))
        return fail_at(c, "/retention_days", "'retention_days' must be 1 to 36500 days, not %lld",
                       (long long)json_integer_value(days));
    m->retention_days = days ? (int)json_integer_value(days) : 0;
    return ret;
}

/* The account's zone, from igprep.json in the shoot folder or OUT (whose
 * default, out/<shoot> as stage.c makes it, needs the shoot's name). */
static int load_zone(Checker *c, const char *shoot_dir, IgpManifest *m)
{
    char *default_out = c->out_dir ? NULL : g_build_filename("out", m->shoot, NULL);
    IgpConfig cfg;
    int ret = igp_config_load(shoot_dir, c->out_dir ? c->out_dir : default_out, &cfg);

    g_free(default_out);
    if (ret)
        return ret;
    c->zone = g_time_zone_ref(cfg.zone);
    m->timezone = g_strdup(cfg.timezone);
    igp_config_clear(&cfg);
    return 0;
}

static int check_root(Checker *c, const char *shoot_dir, IgpManifest *m)
{
    json_t *version, *shoot, *posts, *v;
    int ret;

    if (!json_is_object(m->root))
        return fail_at(c, "", "the manifest must be a JSON object");
    if ((ret = check_keys(c, "", m->root, root_keys, "the manifest")) ||
        (ret = get_typed(c, "", m->root, "version", JSON_INTEGER, 1, &version)))
        return ret;
    if (json_integer_value(version) != IGP_MANIFEST_VERSION)
        return fail_at(c, "/version", "unknown version %lld (this igprep reads version %d)",
                       (long long)json_integer_value(version), IGP_MANIFEST_VERSION);
    if ((ret = get_typed(c, "", m->root, "shoot", JSON_STRING, 1, &shoot)) ||
        (ret = get_typed(c, "", m->root, "title", JSON_STRING, 0, &v)) ||
        (ret = get_typed(c, "", m->root, "date", JSON_STRING, 0, &v)) ||
        (ret = get_typed(c, "", m->root, "posts", JSON_ARRAY, 1, &posts)) ||
        (ret = check_face_settings(c, m)) || (ret = check_retention(c, m)))
        return ret;
    if ((ret = check_plain_name(c, "/shoot", "'shoot'", json_string_value(shoot))))
        return ret;
    m->shoot = g_strdup(json_string_value(shoot));
    if ((ret = load_zone(c, shoot_dir, m)))
        return ret;
    if (json_array_size(posts) == 0)
        return fail_at(c, "/posts", "'posts' is empty: nothing to make");
    m->posts = g_new0(IgpPost, json_array_size(posts));
    for (size_t i = 0; i < json_array_size(posts); i++) {
        char *ptr = g_strdup_printf("/posts/%zu", i);
        ret = check_post(c, shoot_dir, ptr, json_array_get(posts, i), m, &m->posts[i]);
        g_free(ptr);
        m->n_posts++;
        if (ret)
            return ret;
    }
    for (int i = 0; i < m->n_posts; i++)
        if ((ret = check_story_id(c, m, i)) || (ret = check_outbox_name(c, m, i)) ||
            (ret = check_stories(c, m, i)))
            return ret;
    return 0;
}

int igp_manifest_load(const char *shoot_dir, IgpManifest **out)
{
    return igp_manifest_load_for(shoot_dir, NULL, out);
}

int igp_manifest_load_for(const char *shoot_dir, const char *out_dir, IgpManifest **out)
{
    char *path = g_build_filename(shoot_dir, IGP_MANIFEST_NAME, NULL);
    int ret = igp_manifest_load_file(shoot_dir, path, out_dir, out);

    g_free(path);
    return ret;
}

int igp_manifest_load_file(const char *shoot_dir, const char *path, const char *out_dir,
                           IgpManifest **out)
{
    IgpManifest *m = g_new0(IgpManifest, 1);
    json_error_t jerr;
    char *text = NULL;
    size_t len = 0;
    int ret;

    m->dir = g_strdup(shoot_dir);
    m->path = g_strdup(path);
    /* A regular file under the JSON cap: a FIFO or /dev/zero is one line. */
    if (igp_read_user_file(m->path, IGP_READ_JSON, &text, &len)) {
        ret = IGP_ERR_INVALIDDATA;
    } else {
        m->root = igp_json_parse_text(text, &len, &jerr);
        if (!m->root) {
            char *where = g_strdup_printf("%s:%d:%d", m->path, jerr.line, jerr.column);
            ret = igp_error(IGP_ERR_INVALIDDATA, where, "%s", jerr.text);
            g_free(where);
        } else {
            IgpJsonCursor cursor = {0};
            Checker c = {m->path, text,    len, g_hash_table_new(g_str_hash, g_str_equal),
                         &cursor, out_dir, NULL};
            ret = check_root(&c, shoot_dir, m);
            g_hash_table_destroy(c.ids);
            if (c.zone)
                g_time_zone_unref(c.zone);
            igp_json_cursor_clear(&cursor);
        }
    }
    if (ret == 0)
        m->plan = igp_plan_new(m);
    m->text = text; /* kept for igp_manifest_error_at() */
    m->len = len;
    if (ret) {
        igp_manifest_free(&m);
        return ret;
    }
    *out = m;
    return 0;
}

void igp_manifest_free(IgpManifest **pm)
{
    IgpManifest *m = *pm;
    if (!m)
        return;
    for (int i = 0; i < m->n_posts; i++) {
        IgpPost *p = &m->posts[i];
        for (int j = 0; j < p->n_media; j++)
            g_free(p->media[j].file);
        g_free(p->media);
        g_free(p->id);
        g_free(p->problem);
    }
    igp_plan_free(&m->plan);
    g_free(m->posts);
    g_free(m->path);
    g_free(m->dir);
    g_free(m->shoot);
    g_free(m->timezone);
    g_free(m->text);
    json_decref(m->root);
    g_free(m);
    *pm = NULL;
}

int igp_manifest_error_at(const IgpManifest *m, const char *pointer, const char *fmt, ...)
{
    va_list ap;
    int ret;

    va_start(ap, fmt);
    ret = igp_json_verror_at(m->path, m->text ? m->text : "", m->len, pointer, fmt, ap);
    va_end(ap);
    return ret;
}

const IgpPost *igp_manifest_find_post(const IgpManifest *m, const char *id)
{
    for (int i = 0; i < m->n_posts; i++)
        if (!strcmp(m->posts[i].id, id))
            return &m->posts[i];
    return NULL;
}
