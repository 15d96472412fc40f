#include "posttype.h"
#include "manifest.h"
#include "i18n.h"

#include <string.h>

#include <glib.h>

/* instagram-specs §3, §10 */
#define MAX_REEL_SECONDS  900.0
#define MAX_STORY_SECONDS 60.0

enum { CAROUSEL_MIN = 2, CAROUSEL_MAX = 10 };

/* The id of a post's next-day story: the post's id and this. */
#define STORY_SUFFIX "-story"

static const IgpPostTypeInfo post_types[] = {
    {
        .type = IGP_POST_FEED,
        .name = "feed",
        .plan_label = N_("Feed"),
        .proof_label = N_("feed post"),
        .min_media = 1,
        .max_media = 1,
        .takes = IGP_TAKES_PHOTO,
        .aspect = IGP_ASPECT_4_5,
        .aspect_choosable = 1,
        .image_kind = "feed-image",
        .story = IGP_STORY_UNLESS_OFF,
        .proof = IGP_PROOF_SLIDES,
        .publish_fields = IGP_FIELD_CAPTION | IGP_FIELD_ALT | IGP_FIELD_COLLABORATORS,
        .counts = IGP_COUNTS_FEED,
    },
    {
        .type = IGP_POST_CAROUSEL,
        .name = "carousel",
        .plan_label = N_("Carousel"),
        .proof_label = N_("carousel"),
        .min_media = CAROUSEL_MIN,
        .max_media = CAROUSEL_MAX,
        .takes = IGP_TAKES_PHOTO,
        .aspect = IGP_ASPECT_4_5,
        .aspect_choosable = 1,
        .image_kind = "carousel-image",
        .story = IGP_STORY_UNLESS_OFF,
        .proof = IGP_PROOF_SLIDES,
        .publish_fields = IGP_FIELD_CAPTION | IGP_FIELD_ALT | IGP_FIELD_COLLABORATORS,
        .counts = IGP_COUNTS_FEED,
    },
    {
        .type = IGP_POST_REEL,
        .name = "reel",
        .plan_label = N_("Reel"),
        .proof_label = N_("reel"),
        .min_media = 1,
        .max_media = 1,
        .takes = IGP_TAKES_VIDEO,
        .aspect = IGP_ASPECT_9_16,
        .image_kind = "reel-cover",
        .video_kind = "reel",
        .max_seconds = MAX_REEL_SECONDS,
        .cover_canvas = "reel-cover",
        .story = IGP_STORY_ALWAYS,
        .proof = IGP_PROOF_VIDEO,
        .publish_fields = IGP_FIELD_CAPTION | IGP_FIELD_COLLABORATORS | IGP_FIELD_COVER,
        .counts = IGP_COUNTS_REEL | IGP_COUNTS_FEED,
    },
    {
        .type = IGP_POST_STORY,
        .name = "story",
        .plan_label = N_("Stories"),
        .proof_label = N_("story"),
        .min_media = 1,
        .max_media = 1,
        .takes = IGP_TAKES_PHOTO | IGP_TAKES_VIDEO,
        .aspect = IGP_ASPECT_9_16,
        .photo_canvas = "story",
        .image_kind = "story-image",
        .video_kind = "story-video",
        .max_seconds = MAX_STORY_SECONDS,
        .splits_video = 1,
        .story = IGP_STORY_NEVER,
        .proof = IGP_PROOF_SLIDES,
        .publish_fields = IGP_FIELD_STORY_OF,
    },
    {
        /* A named set of story posts ("stories") and its cover. */
        .type = IGP_POST_HIGHLIGHT,
        .name = "highlight",
        .plan_label = N_("Highlight"),
        .proof_label = N_("highlight"),
        .min_media = 0,
        .max_media = 0,
        .takes = 0,
        .aspect = IGP_ASPECT_9_16,
        .photo_canvas = "highlight-cover",
        .image_kind = "highlight-cover",
        .template = "highlight-cover",
        .story = IGP_STORY_NEVER,
        .proof = IGP_PROOF_LIST,
        .publish_fields = IGP_FIELD_STORIES,
    },
};

static const struct {
    const char *name;
    IgpAspect aspect;
    int width, height;
} aspects[] = {
    {"4:5", IGP_ASPECT_4_5, 1080, 1350},
    {"1:1", IGP_ASPECT_1_1, 1080, 1080},
    {"1.91:1", IGP_ASPECT_1_91_1, 1080, 566},
    {"9:16", IGP_ASPECT_9_16, 1080, 1920},
};

/* Every kind of file verify checks: a post's files, a master (igprep's), and
 * "image" and "video" for a file from outside igprep. */
static const IgpOutputKind output_kinds[] = {
    {"feed-image", 0, 0, 1, 1}, {"carousel-image", 0, 0, 1, 1}, {"story-image", 0, 1, 1, 1},
    {"reel-cover", 0, 1, 1, 1}, {"reel", 1, 0, 1, 1},           {"story-video", 1, 1, 1, 1},
    {"master", 0, 0, 0, 0},     {"master-video", 1, 0, 0, 0},   {"redacted-master", 0, 0, 0, 0},
    {"image", 0, 0, 0, 0},      {"video", 1, 0, 0, 0},          {"highlight-cover", 0, 1, 1, 1},
};

const IgpPostTypeInfo *igp_post_type_info(IgpPostType type)
{
    for (size_t i = 0; i < G_N_ELEMENTS(post_types); i++)
        if (post_types[i].type == type)
            return &post_types[i];
    return NULL;
}

const IgpPostTypeInfo *igp_post_type_find(const char *name)
{
    for (size_t i = 0; name && i < G_N_ELEMENTS(post_types); i++)
        if (!strcmp(post_types[i].name, name))
            return &post_types[i];
    return NULL;
}

const char *igp_post_type_names(void)
{
    static char *names;

    if (g_once_init_enter(&names)) {
        GString *s = g_string_new(NULL);
        for (size_t i = 0; i < G_N_ELEMENTS(post_types); i++)
            g_string_append_printf(s, "%s%s",
                                   i == 0                              ? ""
                                   : i + 1 == G_N_ELEMENTS(post_types) ? _(" or ")
                                                                       : _(", "),
                                   post_types[i].name);
        g_once_init_leave(&names, g_string_free(s, FALSE));
    }
    return names;
}

const char *igp_post_type_name(IgpPostType type)
{
    const IgpPostTypeInfo *info = igp_post_type_info(type);
    return info ? info->name : "?";
}

void igp_aspect_size(IgpAspect aspect, int *width, int *height)
{
    for (size_t i = 0; i < G_N_ELEMENTS(aspects); i++) {
        if (aspects[i].aspect == aspect) {
            *width = aspects[i].width;
            *height = aspects[i].height;
            return;
        }
    }
}

const char *igp_aspect_name(IgpAspect aspect)
{
    for (size_t i = 0; i < G_N_ELEMENTS(aspects); i++)
        if (aspects[i].aspect == aspect)
            return aspects[i].name;
    return "?";
}

int igp_aspect_find(const char *name, IgpAspect *out)
{
    for (size_t i = 0; name && i < G_N_ELEMENTS(aspects); i++) {
        if (!strcmp(name, aspects[i].name)) {
            *out = aspects[i].aspect;
            return 0;
        }
    }
    return -1;
}

/* ---- output kinds ---- */

const IgpOutputKind *igp_output_kind_find(const char *name)
{
    for (size_t i = 0; name && i < G_N_ELEMENTS(output_kinds); i++)
        if (!strcmp(output_kinds[i].name, name))
            return &output_kinds[i];
    return NULL;
}

const char *const *igp_output_kind_post_names(void)
{
    static const char **names;

    if (g_once_init_enter(&names)) {
        const char **list = g_new0(const char *, G_N_ELEMENTS(output_kinds) + 1);
        int n = 0;
        for (size_t i = 0; i < G_N_ELEMENTS(output_kinds); i++)
            if (output_kinds[i].post)
                list[n++] = output_kinds[i].name;
        g_once_init_leave(&names, list);
    }
    return names;
}

int igp_output_kind_is_video(const char *name)
{
    const IgpOutputKind *k = igp_output_kind_find(name);
    return k && k->video;
}

int igp_output_kind_is_post_video(const char *name)
{
    const IgpOutputKind *k = igp_output_kind_find(name);
    return k && k->video && k->post;
}

int igp_output_kind_is_story(const char *name)
{
    const IgpOutputKind *k = igp_output_kind_find(name);
    return k && k->story_spec;
}

/* ---- posts and the plan ---- */

int igp_post_has_story(const IgpPost *post)
{
    const IgpPostTypeInfo *info = igp_post_type_info(post->type);

    switch (info->story) {
    case IGP_STORY_ALWAYS: /* drawn from its cover (reel_post.c) */
        return 1;
    case IGP_STORY_UNLESS_OFF: /* drawn by compose.c, with or without a post template */
        return !json_is_false(json_object_get(post->json, "story_followup"));
    case IGP_STORY_NEVER:
    default:
        return 0;
    }
}

char *igp_post_photo_canvas(const IgpPost *post)
{
    const IgpPostTypeInfo *info = igp_post_type_info(post->type);

    if (info->photo_canvas)
        return g_strdup(info->photo_canvas);
    return g_strdup_printf("feed-%s", igp_aspect_name(post->aspect));
}

int igp_post_is_video(const IgpPost *post, json_t *media)
{
    const IgpPostTypeInfo *info = igp_post_type_info(post->type);
    json_t *m = json_object_get(media, post->n_media ? post->media[0].file : "");

    if (!(info->takes & IGP_TAKES_VIDEO))
        return 0;
    if (!(info->takes & IGP_TAKES_PHOTO))
        return 1;
    return !g_strcmp0(json_string_value(json_object_get(m, "kind")), "video");
}

IgpPlan *igp_plan_new(const IgpManifest *m)
{
    IgpPlan *plan = g_new0(IgpPlan, 1);

    plan->items = g_new0(IgpPlanItem, 2 * (size_t)m->n_posts + 1);
    for (int i = 0; i < m->n_posts; i++) {
        const IgpPost *post = &m->posts[i];
        IgpPlanItem *item = &plan->items[plan->n++];

        *item = (IgpPlanItem){.id = g_strdup(post->id),
                              .type = igp_post_type_info(post->type),
                              .post = post,
                              .story = -1};
        if (igp_post_has_story(post)) {
            item->story = plan->n;
            plan->items[plan->n++] = (IgpPlanItem){.id = g_strconcat(post->id, STORY_SUFFIX, NULL),
                                                   .type = igp_post_type_info(IGP_POST_STORY),
                                                   .post = post,
                                                   .parent = post->id,
                                                   .story = -1};
        }
    }
    /* Ids are unique (the manifest checked, stories included): the first wins anyway. */
    plan->index = g_hash_table_new(g_str_hash, g_str_equal);
    for (int i = plan->n - 1; i >= 0; i--)
        g_hash_table_insert(plan->index, plan->items[i].id, &plan->items[i]);
    return plan;
}

void igp_plan_free(IgpPlan **pplan)
{
    IgpPlan *plan = *pplan;

    if (!plan)
        return;
    if (plan->index)
        g_hash_table_destroy(plan->index);
    for (int i = 0; i < plan->n; i++)
        g_free(plan->items[i].id);
    g_free(plan->items);
    g_free(plan);
    *pplan = NULL;
}

const IgpPlanItem *igp_plan_find(const IgpPlan *plan, const char *id)
{
    return plan && id ? g_hash_table_lookup(plan->index, id) : NULL;
}

const char *igp_plan_story_id(const IgpPlan *plan, const IgpPost *post)
{
    const IgpPlanItem *item = igp_plan_find(plan, post->id);
    return item && item->story >= 0 ? plan->items[item->story].id : NULL;
}

const char *igp_post_template_name(const IgpPost *post)
{
    const char *name = json_string_value(json_object_get(post->json, "template"));
    return name ? name : igp_post_type_info(post->type)->template;
}

const char *igp_post_parent(json_t *entry)
{
    return json_string_value(json_object_get(json_object_get(entry, "post"), "story_of"));
}

const char *igp_post_derived(json_t *posts, const char *id)
{
    const char *key;
    json_t *entry;

    json_object_foreach(posts, key, entry)
    {
        if (!g_strcmp0(igp_post_parent(entry), id))
            return key;
    }
    return NULL;
}

/* ---- the contract's rules ---- */

/* Is the ASCII letter or digit @p c part of a word around "PR"? */
static int is_word_char(char c)
{
    return g_ascii_isalnum(c);
}

int igp_caption_has_disclosure(const char *caption)
{
    char *text = caption ? g_utf8_normalize(caption, -1, G_NORMALIZE_NFKC) : NULL;
    int found = 0;

    if (!text)
        return 0;
    found = strstr(text, "広告") || strstr(text, "プロモーション");
    /* "PR" as a word of its own (#PR, 【PR】), not inside "PRESS". */
    for (const char *p = text; !found && (p = g_strstr_len(p, -1, "PR")); p += 2)
        found = (p == text || !is_word_char(p[-1])) && !is_word_char(p[2]);
    g_free(text);
    return found;
}
