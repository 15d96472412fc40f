#include "stage.h"
#include "log.h"
#include "preflight.h"

#include "error.h"
#include "i18n.h"
#include "fsutil.h"

#include <string.h>

#include <glib.h>

enum { STATE_VERSION = 1, MAX_DEFAULT_JOBS = 8 };

void igp_stage_default_settings(IgpStageSettings *s)
{
    memset(s, 0, sizeof(*s));
    s->jobs = MIN(g_get_num_processors(), MAX_DEFAULT_JOBS);
    igp_image_default_limits(&s->limits);
    igp_video_default_limits(&s->video_limits);
    s->max_file_bytes = INT64_C(4000000000);
    s->face_thorough = -1; /* not given: shoot.json's, else no */
    igp_jpeg_default_settings(&s->master);
    s->master.quality = 95;
    s->master.subsample = IGP_SUBSAMPLE_LIKE_SOURCE;
    /* Optimised Huffman tables make a full-size master only ~10 % smaller but
     * cost three times the encode time and buffer the whole scan in memory. */
    s->master.optimize = 0;
    /* A restart marker after every row of MCUs: redact re-encodes only the
     * rows of the faces it hides and copies the others (filters/jpegrows.h). */
    s->master.restart_rows = 1;
    igp_jpeg_default_settings(&s->post);
    s->post.max_bytes = 8 * 1000 * 1000;
}

int igp_shoot_selects(const IgpShoot *shoot, const IgpPost *post)
{
    const char *only = shoot->settings->only_post;
    return !only || !strcmp(only, post->id);
}

/* Add @p name to @p names unless @p seen has it: a set, so that a shoot of
 * many posts takes linear time. */
static void add_unique(GPtrArray *names, GHashTable *seen, const char *name)
{
    if (g_hash_table_add(seen, (gpointer)name))
        g_ptr_array_add(names, g_strdup(name));
}

static int compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The face settings not given on the command line come from shoot.json, so
 * a run reproduces the editor's choice (and the state keys, made from these,
 * stay the same from run to run). */
static void apply_shoot_settings(IgpStageSettings *s, const IgpManifest *m)
{
    if (s->face_thorough < 0)
        s->face_thorough = m->face_thorough > 0;
    if (s->face_min_size <= 0)
        s->face_min_size = m->face_min_size;
    if (!s->face_style)
        s->face_style = m->face_style;
}

int igp_shoot_open(const IgpStageSettings *settings, IgpShoot **out)
{
    IgpShoot *shoot = g_new0(IgpShoot, 1);
    GHashTable *seen;
    int ret;

    shoot->own_settings = *settings;
    shoot->settings = &shoot->own_settings;
    shoot->media = g_ptr_array_new_with_free_func(g_free);
    ret = igp_manifest_load_for(settings->shoot_dir, settings->out_dir, &shoot->manifest);
    if (ret) {
        igp_shoot_free(&shoot);
        return ret;
    }
    apply_shoot_settings(&shoot->own_settings, shoot->manifest);
    if (settings->only_post && !igp_manifest_find_post(shoot->manifest, settings->only_post)) {
        GString *ids = g_string_new(NULL);
        const int n = shoot->manifest->n_posts, shown = MIN(n, 10);
        for (int i = 0; i < shown; i++)
            g_string_append_printf(ids, "%s%s", i ? ", " : "", shoot->manifest->posts[i].id);
        if (shown < n) /* one line, however many posts */
            g_string_append_printf(ids, _(" and %d more"), n - shown);
        ret = igp_error(IGP_ERR_INVALIDDATA, shoot->manifest->path,
                        _("no post with id '%s' (its posts: %s)"), settings->only_post, ids->str);
        g_string_free(ids, TRUE);
        igp_shoot_free(&shoot);
        return ret;
    }
    shoot->out_dir = settings->out_dir ? g_strdup(settings->out_dir)
                                       : g_build_filename("out", shoot->manifest->shoot, NULL);
    seen = g_hash_table_new(g_str_hash, g_str_equal);
    for (int i = 0; i < shoot->manifest->n_posts; i++) {
        const IgpPost *post = &shoot->manifest->posts[i];
        if (!igp_shoot_selects(shoot, post))
            continue;
        if (post->problem) {
            igp_log_error_kind("post-failed", json_pack("{s:s}", "post", post->id), "%s",
                               post->problem);
            continue;
        }
        for (int j = 0; j < post->n_media; j++)
            add_unique(shoot->media, seen, post->media[j].file);
    }
    g_hash_table_destroy(seen);
    g_ptr_array_sort(shoot->media, compare_names);
    /* Templates and their texts: refused now, not after four stages. */
    if ((ret = igp_preflight(shoot))) {
        igp_shoot_free(&shoot);
        return ret;
    }
    *out = shoot;
    return 0;
}

void igp_shoot_free(IgpShoot **pshoot)
{
    IgpShoot *shoot = *pshoot;
    if (!shoot)
        return;
    igp_manifest_free(&shoot->manifest);
    g_ptr_array_unref(shoot->media);
    g_free(shoot->out_dir);
    g_free(shoot);
    *pshoot = NULL;
}

int igp_json_save(const char *path, json_t *doc)
{
    return igp_json_save_flags(path, doc, 0);
}

int igp_json_save_flags(const char *path, json_t *doc, size_t flags)
{
    char *dir = g_path_get_dirname(path);
    char *text;
    int ret = igp_mkdir_p(dir);

    g_free(dir);
    if (ret)
        return ret;
    text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS | flags);
    if (!text)
        return igp_error(IGP_ERR(ENOMEM), path, _("cannot serialise JSON"));
    /* A trailing newline, as text files should have. */
    GString *s = g_string_new(text);
    g_string_append_c(s, '\n');
    ret = igp_write_file_atomic(path, s->str, s->len);
    g_string_free(s, TRUE);
    free(text);
    return ret;
}

json_t *igp_state_load(const char *out_dir, const char *stage)
{
    char *name = g_strdup_printf("%s.json", stage);
    char *path = g_build_filename(out_dir, "state", name, NULL);
    json_t *state = json_load_file(path, 0, NULL);

    /* A state file from another version, or a damaged one, is only a cache:
     * start afresh and redo the work. */
    if (!json_is_object(state) ||
        json_integer_value(json_object_get(state, "version")) != STATE_VERSION) {
        json_decref(state);
        state = json_pack("{s:i}", "version", STATE_VERSION);
    }
    g_free(name);
    g_free(path);
    return state;
}

void igp_state_keep_others(const IgpShoot *shoot, json_t *previous, json_t *current)
{
    const char *name;
    json_t *entry;

    if (!shoot->settings->only_post || !json_is_object(previous))
        return;
    json_object_foreach(previous, name, entry)
    {
        if (!json_object_get(current, name))
            json_object_set(current, name, entry);
    }
}

/* OUT/<folder>/<name>.json */
static int save_in(const char *out_dir, const char *folder, const char *name, json_t *doc)
{
    char *file = g_strdup_printf("%s.json", name);
    char *path = g_build_filename(out_dir, folder, file, NULL);
    int ret = igp_json_save(path, doc);
    g_free(file);
    g_free(path);
    return ret;
}

int igp_state_save(const char *out_dir, const char *stage, json_t *state)
{
    return save_in(out_dir, "state", stage, state);
}

int igp_report_save(const char *out_dir, const char *name, json_t *report)
{
    return save_in(out_dir, "reports", name, report);
}

typedef struct ParallelTask {
    void (*fn)(int, void *);
    void *data;
} ParallelTask;

static void run_task(gpointer item, gpointer user)
{
    ParallelTask *task = user;
    task->fn(GPOINTER_TO_INT(item) - 1, task->data);
}

void igp_parallel_for(int n, int jobs, void (*fn)(int index, void *data), void *data)
{
    ParallelTask task = {fn, data};
    GThreadPool *pool;

    if (jobs <= 1 || n <= 1) {
        for (int i = 0; i < n; i++)
            fn(i, data);
        return;
    }
    pool = g_thread_pool_new(run_task, &task, MIN(jobs, n), TRUE, NULL);
    /* Indexes are pushed +1: a NULL item is not allowed in a GThreadPool. */
    for (int i = 0; i < n; i++)
        g_thread_pool_push(pool, GINT_TO_POINTER(i + 1), NULL);
    g_thread_pool_free(pool, FALSE, TRUE);
}
