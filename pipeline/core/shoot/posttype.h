/**
 * @file
 * The kinds of post igprep makes, one table row each (docs/state.md).
 *
 * A row says what a post of that type takes (how many media, photo or
 * video), what it is drawn on and made at, the kinds of file it gives, whether
 * it gets a next-day story, how the proof shows it and what verify holds its
 * files to. The stages ask the table instead of testing type names: adding a
 * type is one row here plus its template.
 *
 * The output kinds (the "kind" of each file in state/encode.json and
 * post.json) have their own small table: what verify checks a file as.
 */
#ifndef IGP_POSTTYPE_H
#define IGP_POSTTYPE_H

#include <jansson.h>

typedef enum IgpPostType {
    IGP_POST_FEED,
    IGP_POST_CAROUSEL,
    IGP_POST_REEL,
    IGP_POST_STORY,
    IGP_POST_HIGHLIGHT,
} IgpPostType;

/** Output shapes of feed and carousel images (and the 9:16 story). */
typedef enum IgpAspect {
    IGP_ASPECT_4_5,    ///< 1080×1350, the default
    IGP_ASPECT_1_1,    ///< 1080×1080
    IGP_ASPECT_1_91_1, ///< 1080×566
    IGP_ASPECT_9_16,   ///< 1080×1920, stories
} IgpAspect;

/** What a post's media may be. */
enum { IGP_TAKES_PHOTO = 1, IGP_TAKES_VIDEO = 2 };

/** When a post gets a next-day story (the derived post of the plan). */
typedef enum IgpStoryRule {
    IGP_STORY_NEVER,      ///< it is a story itself (or a set of them)
    IGP_STORY_UNLESS_OFF, ///< drawn by compose, unless "story_followup" is false
    IGP_STORY_ALWAYS,     ///< drawn from its cover (reels)
} IgpStoryRule;

/** How the proof sheet lays a post out. */
typedef enum IgpProofLayout {
    IGP_PROOF_SLIDES, ///< its pictures side by side
    IGP_PROOF_VIDEO,  ///< frames of its video and its cover
    IGP_PROOF_LIST,   ///< its cover and the ordered list of its members (highlights)
} IgpProofLayout;

/** Keys of post.json that mean something for the type (docs/post-json.md). */
enum {
    IGP_FIELD_CAPTION = 1 << 0,
    IGP_FIELD_ALT = 1 << 1,
    IGP_FIELD_COLLABORATORS = 1 << 2,
    IGP_FIELD_COVER = 1 << 3,
    IGP_FIELD_STORY_OF = 1 << 4,
    IGP_FIELD_STORIES = 1 << 5, ///< the ordered ids of its member stories (highlights)
};

/** What a post counts toward in the contract's monthly minimums (workplan.h). */
enum {
    IGP_COUNTS_REEL = 1 << 0, ///< "at least one reel a month"
    IGP_COUNTS_FEED = 1 << 1, ///< a feed post or reel (the interview/experience minimum)
};

typedef struct IgpPostTypeInfo {
    IgpPostType type;
    const char *name;       ///< as in shoot.json
    const char *plan_label; ///< its column in the work plan (業務計画表); N_(), translate with _()
    const char *proof_label; ///< its name on the proof; N_(), translate with _()
    int min_media, max_media;
    unsigned takes;           ///< IGP_TAKES_PHOTO | IGP_TAKES_VIDEO
    IgpAspect aspect;         ///< its size unless "aspect" says otherwise
    int aspect_choosable;     ///< "aspect" may pick 4:5, 1:1 or 1.91:1
    const char *photo_canvas; ///< the canvas its photos are drawn on; NULL: "feed-<aspect>"
    const char *image_kind;   ///< kind of its image files
    const char *video_kind;   ///< kind of its video files, or NULL
    double max_seconds;       ///< the longest video it makes as one file
    int splits_video;         ///< a longer video becomes parts of max_seconds (else refused)
    const char *cover_canvas; ///< its cover's canvas ("reel-cover"), or NULL: no cover
    const char *template;     ///< the template it is drawn with when it names none, or NULL
    IgpStoryRule story;
    IgpProofLayout proof;
    unsigned publish_fields; ///< IGP_FIELD_* its post.json carries meaning in
    unsigned counts;         ///< IGP_COUNTS_*
} IgpPostTypeInfo;

/** The row of @p type (never NULL for a type of the enum). */
const IgpPostTypeInfo *igp_post_type_info(IgpPostType type);

/** The row whose name is @p name, or NULL. */
const IgpPostTypeInfo *igp_post_type_find(const char *name);

/** "feed, carousel, reel or story": the names, for messages. */
const char *igp_post_type_names(void);

const char *igp_post_type_name(IgpPostType type);

/** Output pixel size for an aspect. */
void igp_aspect_size(IgpAspect aspect, int *width, int *height);

const char *igp_aspect_name(IgpAspect aspect);

/** The aspect named @p name ("4:5", ...): 0 and *out set, or -1. */
int igp_aspect_find(const char *name, IgpAspect *out);

/* ---- output kinds ---- */

/** What verify holds a file of this kind to. */
typedef struct IgpOutputKind {
    const char *name;
    int video;      ///< a video file
    int story_spec; ///< held to the story limits (9:16, 1080x1920)
    int ours;       ///< made by igprep: held to its encode targets
    int post;       ///< a post's file (igprep verify --kind lists these)
} IgpOutputKind;

/** The kind called @p name, or NULL. */
const IgpOutputKind *igp_output_kind_find(const char *name);

/** The kinds of a post's files, NULL-terminated (for --kind). */
const char *const *igp_output_kind_post_names(void);

/** Is @p name a video kind? (Unknown kinds are not.) */
int igp_output_kind_is_video(const char *name);

/** Is @p name a video file igprep made for a post (a reel, a story video)? */
int igp_output_kind_is_post_video(const char *name);

/** Is @p name held to the story limits? */
int igp_output_kind_is_story(const char *name);

/* ---- the contract's rules ---- */

/**
 * Does @p caption disclose advertising: 「広告」, 「プロモーション」 or 「PR」 as a
 * word of its own (#PR, 【PR】; full-width letters count)?
 */
int igp_caption_has_disclosure(const char *caption);

/* ---- posts and the plan ---- */

struct IgpPost;
struct IgpManifest;

/** The template the post is drawn with: its "template", else its type's, or NULL. */
const char *igp_post_template_name(const struct IgpPost *post);

/** Does this post get a next-day story (IgpPostTypeInfo.story)? */
int igp_post_has_story(const struct IgpPost *post);

/** The canvas a photo post's slides are drawn on, e.g. "feed-4:5" (g_free()). */
char *igp_post_photo_canvas(const struct IgpPost *post);

/**
 * Is the post made as a video? A type that takes only videos is; one that
 * takes either is when its media's entry in @p media (state/redact.json
 * "media", or any map of file name to {"kind"}) says "video".
 */
int igp_post_is_video(const struct IgpPost *post, json_t *media);

/**
 * One post to make: a post of the manifest, or one derived from it (a
 * next-day story), which names its parent.
 */
typedef struct IgpPlanItem {
    char *id;                    ///< the post's id, or the derived post's ("<parent>-story")
    const IgpPostTypeInfo *type; ///< what it is made as
    const struct IgpPost *post;  ///< the manifest post it is made from
    const char *parent;          ///< a derived post's parent id, else NULL
    int story;                   ///< the plan index of its next-day story, or -1
} IgpPlanItem;

/** The manifest expanded once: every post, each followed by what it derives. */
typedef struct IgpPlan {
    IgpPlanItem *items;
    int n;
    void *index; ///< id -> item (a GHashTable): each look-up in constant time
} IgpPlan;

IgpPlan *igp_plan_new(const struct IgpManifest *m);
void igp_plan_free(IgpPlan **plan);

/** The item with this id, or NULL (also for a NULL id). */
const IgpPlanItem *igp_plan_find(const IgpPlan *plan, const char *id);

/** The id of @p post's next-day story, or NULL when it gets none. */
const char *igp_plan_story_id(const IgpPlan *plan, const struct IgpPost *post);

/* The plan as the later stages see it, in state/encode.json "posts": a
 * derived post's entry names its parent in "post": {"story_of"}. */

/** The parent id of a derived post's state entry, or NULL. */
const char *igp_post_parent(json_t *entry);

/** The id in @p posts (state/encode.json "posts") of the post derived from
 * @p id (its next-day story), or NULL. */
const char *igp_post_derived(json_t *posts, const char *id);

#endif
