/* digest: the content the city approves for a post, its digest, and what
 * changed between two contents (see digest.h). */
#include "digest.h"
#include "posttype.h"

#include "fsutil.h"
#include "i18n.h"

#include <stdlib.h>
#include <string.h>

/* The keys of a post's facts (encode.json "post") the city approves; each
 * is always present in the content, null when the post has none. */
static const struct {
    const char *key;
    json_type absent; ///< JSON_NULL, JSON_STRING (""), JSON_ARRAY ([])
} approved_facts[] = {
    {"caption", JSON_STRING},      {"alt", JSON_NULL},      {"schedule", JSON_NULL},
    {"collaborators", JSON_ARRAY}, {"location", JSON_NULL}, {"cover", JSON_NULL},
    {"text", JSON_NULL},
};

static const char *base_name(const char *path)
{
    const char *slash = path ? strrchr(path, '/') : NULL;
    return slash ? slash + 1 : (path ? path : "");
}

static json_t *absent_value(json_type type)
{
    if (type == JSON_STRING)
        return json_string("");
    return type == JSON_ARRAY ? json_array() : json_null();
}

static json_t *content_files(json_t *files)
{
    json_t *out = json_array(), *f;
    size_t i;

    json_array_foreach(files, i, f) json_array_append_new(
        out, json_pack("{s:s, s:O?, s:O?}", "name",
                       base_name(json_string_value(json_object_get(f, "path"))), "kind",
                       json_object_get(f, "kind"), "sha256", json_object_get(f, "sha256")));
    return out;
}

static int is_made(json_t *posts, const char *id)
{
    json_t *entry = json_object_get(posts, id);
    return json_is_object(entry) && !json_object_get(entry, "error");
}

/* The next-day story and its parent come from the plan's links (posttype.h),
 * never from the ids' spelling. */
char *igp_story_id(json_t *posts, const char *id)
{
    const char *story = igp_post_derived(posts, id);
    return story && is_made(posts, story) ? g_strdup(story) : NULL;
}

char *igp_story_parent(json_t *posts, const char *id)
{
    const char *parent = igp_post_parent(json_object_get(posts, id));
    return parent && json_object_get(posts, parent) ? g_strdup(parent) : NULL;
}

json_t *igp_post_content(json_t *posts, const char *id)
{
    json_t *entry = json_object_get(posts, id);
    json_t *facts = json_object_get(entry, "post"), *content;
    char *story;

    if (!is_made(posts, id))
        return NULL;
    content = json_pack("{s:s, s:O?, s:O?, s:o}", "id", id, "type", json_object_get(entry, "type"),
                        "aspect", json_object_get(entry, "aspect"), "files",
                        content_files(json_object_get(entry, "files")));
    for (size_t i = 0; i < G_N_ELEMENTS(approved_facts); i++) {
        json_t *v = json_object_get(facts, approved_facts[i].key);
        json_object_set_new(content, approved_facts[i].key,
                            v ? json_deep_copy(v) : absent_value(approved_facts[i].absent));
    }
    /* The next-day story is approved with the post it follows: its content
     * is part of the parent's, so a change to it changes the parent's digest. */
    story = igp_story_id(posts, id);
    json_object_set_new(content, "story", story ? igp_post_content(posts, story) : json_null());
    g_free(story);
    return content;
}

void igp_content_digest(json_t *content, char hex[65])
{
    char *text = json_dumps(content, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    IgpDigest d;

    igp_hash_bytes(text ? text : "", text ? strlen(text) : 0, &d);
    memcpy(hex, d.hex, 65);
    free(text);
}

/* ---- what changed ---- */

/* A value as the diff shows it: text quoted on one line, none for null. */
static char *shown(json_t *v)
{
    if (!v || json_is_null(v))
        return g_strdup(_("none"));
    if (json_is_string(v)) {
        GString *s = g_string_new("'");
        for (const char *p = json_string_value(v); *p; p++) {
            if (*p == '\n')
                g_string_append(s, "\\n");
            else
                g_string_append_c(s, *p);
        }
        return g_string_free(g_string_append_c(s, '\''), FALSE);
    }
    char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    char *copy = g_strdup(text ? text : "?");
    free(text);
    return copy;
}

/* Long texts that differ in a few words: show the part that changed, with
 * a little context, and "…" for the rest they share. */
#define CONTEXT_CHARS 12
#define ELIDE_ABOVE   80

static json_t *middle(const char *s, size_t from, size_t to, int cut_start, int cut_end)
{
    char *text = g_strdup_printf("%s%.*s%s", cut_start ? "…" : "", (int)(to - from), s + from,
                                 cut_end ? "…" : "");
    json_t *v = json_string(text);
    g_free(text);
    return v;
}

/* Back @p n bytes of @p s up to a character boundary. */
static size_t char_start(const char *s, size_t n)
{
    while (n > 0 && (s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

static void elide_common(json_t **before, json_t **after)
{
    const char *a = json_string_value(*before), *b = json_string_value(*after), *p;
    size_t la, lb, pre = 0, suf = 0, start, end_a;

    if (!a || !b || g_utf8_strlen(a, -1) + g_utf8_strlen(b, -1) < 2 * ELIDE_ABOVE)
        return;
    la = strlen(a), lb = strlen(b);
    while (pre < la && pre < lb && a[pre] == b[pre])
        pre++;
    pre = char_start(a, pre);
    while (suf < la - pre && suf < lb - pre && a[la - 1 - suf] == b[lb - 1 - suf])
        suf++;
    while (suf > 0 && (a[la - suf] & 0xC0) == 0x80) /* the suffix starts a character */
        suf--;
    start = pre;
    for (int i = 0; i < CONTEXT_CHARS && start > 0; i++)
        start = char_start(a, start - 1);
    p = a + la - suf;
    for (int i = 0; i < CONTEXT_CHARS && *p; i++)
        p = g_utf8_next_char(p);
    end_a = (size_t)(p - a);
    *before = middle(a, start, end_a, start > 0, *p != '\0');
    *after = middle(b, start, lb - (la - end_a), start > 0, *p != '\0');
}

static void add_change(GString *out, const char *field, json_t *before, json_t *after)
{
    json_t *a0 = before;
    char *a, *b;

    elide_common(&before, &after);
    a = shown(before), b = shown(after);
    if (before != a0) {
        json_decref(before);
        json_decref(after);
    }
    g_string_append_printf(out, "%s%s: %s -> %s", out->len ? "; " : "", field, a, b);
    g_free(b);
    g_free(a);
}

static json_t *file_named(json_t *files, const char *name)
{
    json_t *f;
    size_t i;

    json_array_foreach(files, i, f)
    {
        if (!g_strcmp0(json_string_value(json_object_get(f, "name")), name))
            return f;
    }
    return NULL;
}

static void note_file(GString *names, const char *name, const char *how)
{
    g_string_append_printf(names, "%s%s%s", names->len ? ", " : "", name, how);
}

/* Media: the names of the files that changed, came or went. */
static int diff_files(GString *out, const char *field, json_t *before, json_t *after)
{
    GString *names = g_string_new(NULL);
    json_t *f;
    size_t i;
    int n;

    json_array_foreach(after, i, f)
    {
        const char *name = json_string_value(json_object_get(f, "name"));
        json_t *old = file_named(before, name);
        if (!old)
            note_file(names, name, _(" (new)"));
        else if (!json_equal(old, f))
            note_file(names, name, "");
    }
    json_array_foreach(before, i, f)
    {
        const char *name = json_string_value(json_object_get(f, "name"));
        if (!file_named(after, name))
            note_file(names, name, _(" (removed)"));
    }
    if (!names->len && !json_equal(before, after))
        g_string_append(names, _("their order"));
    n = names->len > 0;
    if (n)
        g_string_append_printf(out, "%s%s: %s", out->len ? "; " : "", field, names->str);
    g_string_free(names, TRUE);
    return n;
}

static int diff_value(GString *out, const char *field, json_t *before, json_t *after);

static int diff_objects(GString *out, const char *field, json_t *before, json_t *after)
{
    GPtrArray *keys = g_ptr_array_new();
    const char *key;
    json_t *v;
    int n = 0;

    json_object_foreach(before, key, v) g_ptr_array_add(keys, (char *)key);
    json_object_foreach(after, key, v) if (!json_object_get(before, key))
        g_ptr_array_add(keys, (char *)key);
    for (guint i = 0; i < keys->len; i++) {
        const char *k = keys->pdata[i];
        char *sub = *field ? g_strdup_printf("%s.%s", field, k) : g_strdup(k);
        n += diff_value(out, sub, json_object_get(before, k), json_object_get(after, k));
        g_free(sub);
    }
    g_ptr_array_free(keys, TRUE);
    return n;
}

/* Lists of the same length, item by item ("alt 3: ..."); others whole. */
static int diff_arrays(GString *out, const char *field, json_t *before, json_t *after)
{
    int n = 0;

    if (json_array_size(before) != json_array_size(after)) {
        add_change(out, field, before, after);
        return 1;
    }
    for (size_t i = 0; i < json_array_size(after); i++) {
        char *sub = g_strdup_printf("%s %zu", field, i + 1);
        n += diff_value(out, sub, json_array_get(before, i), json_array_get(after, i));
        g_free(sub);
    }
    return n;
}

static int diff_value(GString *out, const char *field, json_t *before, json_t *after)
{
    const char *leaf = strrchr(field, '.');

    leaf = leaf ? leaf + 1 : field;
    if (json_equal(before, after) || (!before && !after))
        return 0;
    if (!strcmp(leaf, "files") && json_is_array(before) && json_is_array(after))
        return diff_files(out, field, before, after);
    if (json_is_object(before) && json_is_object(after))
        return diff_objects(out, field, before, after);
    if (json_is_array(before) && json_is_array(after))
        return diff_arrays(out, field, before, after);
    add_change(out, field, before, after);
    return 1;
}

int igp_content_diff(json_t *before, json_t *after, GString *out)
{
    return diff_value(out, "", before, after);
}

void igp_proof_digest(json_t *pages, char out[IGP_SHORT_DIGEST + 1])
{
    GString *all = g_string_new(NULL);
    json_t *p;
    size_t i;
    IgpDigest d;

    json_array_foreach(pages, i, p)
        g_string_append_printf(all, "%s %s\n", json_string_value(json_object_get(p, "id")),
                               json_string_value(json_object_get(p, "digest")));
    igp_hash_bytes(all->str, all->len, &d);
    g_strlcpy(out, d.hex, IGP_SHORT_DIGEST + 1);
    g_string_free(all, TRUE);
}
