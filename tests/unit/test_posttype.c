/* The post-type table and the plan: what each type takes and makes, and the
 * next-day stories the plan derives, each naming its parent. */
#include "check.h"
#include "error.h"
#include "manifest.h"
#include "postrules.h"

#include <glib.h>
#include <stdlib.h>

/* Two strings (either may be NULL) must be equal. */
#define CHECK_STR(a, b) CHECK(g_strcmp0((a), (b)) == 0)

static char *shoot_dir;

static void write_file(const char *name, const char *content)
{
    char *path = g_build_filename(shoot_dir, name, NULL);
    g_file_set_contents(path, content, -1, NULL);
    g_free(path);
}

static IgpManifest *load(const char *json)
{
    IgpManifest *m = NULL;
    igp_error_clear();
    write_file("shoot.json", json);
    if (igp_manifest_load(shoot_dir, &m))
        fprintf(stderr, "%s\n", igp_error_buffer());
    return m;
}

static void test_table(void)
{
    const IgpPostTypeInfo *feed = igp_post_type_find("feed");
    const IgpPostTypeInfo *carousel = igp_post_type_find("carousel");
    const IgpPostTypeInfo *reel = igp_post_type_find("reel");
    const IgpPostTypeInfo *story = igp_post_type_find("story");

    CHECK(feed && carousel && reel && story);
    if (!feed || !carousel || !reel || !story)
        return;
    CHECK(igp_post_type_find("tiktok") == NULL);
    CHECK(igp_post_type_info(IGP_POST_REEL) == reel);
    CHECK_INT(carousel->min_media, 2);
    CHECK_INT(carousel->max_media, 10);
    CHECK(feed->takes == IGP_TAKES_PHOTO && reel->takes == IGP_TAKES_VIDEO);
    CHECK(story->takes == (IGP_TAKES_PHOTO | IGP_TAKES_VIDEO));
    CHECK_STR(feed->image_kind, "feed-image");
    CHECK_STR(story->video_kind, "story-video");
    CHECK(story->splits_video && story->max_seconds == 60);
    CHECK(!reel->splits_video && reel->max_seconds == 900);
    CHECK_STR(reel->cover_canvas, "reel-cover");
    CHECK(feed->cover_canvas == NULL);
    CHECK(story->story == IGP_STORY_NEVER && reel->story == IGP_STORY_ALWAYS);
    CHECK(story->aspect == IGP_ASPECT_9_16 && !story->aspect_choosable);
    CHECK_STR(igp_post_type_names(), "feed, carousel, reel, story or highlight");
    const IgpPostTypeInfo *highlight = igp_post_type_find("highlight");
    CHECK(highlight && highlight->max_media == 0 && highlight->story == IGP_STORY_NEVER);
    CHECK(highlight && (highlight->publish_fields & IGP_FIELD_STORIES));
    CHECK(highlight && !g_strcmp0(highlight->template, "highlight-cover"));
    CHECK(feed->story == IGP_STORY_UNLESS_OFF && carousel->story == IGP_STORY_UNLESS_OFF);
    /* Every type's file kinds are known to verify. */
    const IgpPostTypeInfo *all[] = {feed, carousel, reel, story};
    for (size_t i = 0; i < G_N_ELEMENTS(all); i++) {
        CHECK(igp_output_kind_find(all[i]->image_kind) != NULL);
        CHECK(!all[i]->video_kind || igp_output_kind_is_post_video(all[i]->video_kind));
    }
    CHECK(igp_output_kind_is_story("reel-cover") && igp_output_kind_is_story("story-image"));
    CHECK(!igp_output_kind_is_story("feed-image") && !igp_output_kind_is_story(NULL));
    CHECK(igp_output_kind_is_video("master-video") && !igp_output_kind_is_post_video("video"));
    CHECK(g_strv_contains(igp_output_kind_post_names(), "reel"));
    CHECK(!g_strv_contains(igp_output_kind_post_names(), "master"));
}

static void test_plan(void)
{
    IgpManifest *m = load(
        "{\"version\": 1, \"shoot\": \"s\", \"posts\": [\n"
        "{\"id\": \"f\", \"type\": \"feed\", \"template\": \"feed-report\", \"media\": [{\"file\": "
        "\"a.jpg\"}]},\n"
        "{\"id\": \"plain\", \"type\": \"feed\", \"media\": [{\"file\": \"a.jpg\"}]},\n"
        "{\"id\": \"off\", \"type\": \"feed\", \"template\": \"feed-report\", \"story_followup\": "
        "false, \"media\": [{\"file\": \"a.jpg\"}]},\n"
        "{\"id\": \"r\", \"type\": \"reel\", \"media\": [{\"file\": \"v.mov\"}]},\n"
        "{\"id\": \"st\", \"type\": \"story\", \"media\": [{\"file\": \"a.jpg\"}]}\n"
        "]}");
    const IgpPlan *plan;

    CHECK(m != NULL);
    if (!m)
        return;
    plan = m->plan;
    /* f, f-story, plain, plain-story, off, r, r-story, st: every post but a
     * story gets its next-day story, with a template or without, unless
     * "story_followup" is false */
    CHECK_INT(plan->n, 8);
    CHECK_STR(igp_plan_story_id(plan, &m->posts[0]), "f-story");
    CHECK_STR(igp_plan_story_id(plan, &m->posts[1]), "plain-story");
    CHECK(igp_plan_story_id(plan, &m->posts[2]) == NULL);
    CHECK_STR(igp_plan_story_id(plan, &m->posts[3]), "r-story");
    CHECK(igp_plan_story_id(plan, &m->posts[4]) == NULL);
    const IgpPlanItem *story = igp_plan_find(plan, "r-story");
    CHECK(story && story->type->type == IGP_POST_STORY && story->post == &m->posts[3]);
    CHECK(story && !g_strcmp0(story->parent, "r"));
    CHECK(igp_plan_find(plan, "st")->parent == NULL);
    CHECK(igp_plan_find(plan, NULL) == NULL);
    /* A story post is made as a photo or a video by its media. */
    json_t *media = json_pack("{s:{s:s}}", "a.jpg", "kind", "video");
    CHECK(igp_post_is_video(&m->posts[4], media));
    CHECK(!igp_post_is_video(&m->posts[1], media)); /* a feed post never is */
    CHECK(igp_post_is_video(&m->posts[3], NULL));   /* a reel always is */
    json_decref(media);
    char *canvas = igp_post_photo_canvas(&m->posts[4]);
    CHECK_STR(canvas, "story");
    g_free(canvas);
    canvas = igp_post_photo_canvas(&m->posts[1]);
    CHECK_STR(canvas, "feed-4:5");
    g_free(canvas);
    igp_manifest_free(&m);
}

/* The contract's rules: the advertising disclosure, collaborators' names. */
static void test_rules(void)
{
    CHECK(igp_caption_has_disclosure("親子イベントのご紹介 #PR"));
    CHECK(igp_caption_has_disclosure("【広告】のびすく"));
    CHECK(igp_caption_has_disclosure("プロモーションを含みます"));
    CHECK(igp_caption_has_disclosure("ＰＲ：のびすく")); /* full-width letters */
    CHECK(!igp_caption_has_disclosure("PRESS release, #PROJECT"));
    CHECK(!igp_caption_has_disclosure("のびすくのイベント"));
    CHECK(!igp_caption_has_disclosure(NULL));
    /* usernames (postrules.h): the manifest refuses any other collaborator */
    CHECK(igp_username_problem("sendai_mama") == NULL);
    CHECK(igp_username_problem("nobisuku.friend") == NULL);
    CHECK(igp_username_problem("@sendai_mama") != NULL);
    CHECK(igp_username_problem("no spaces") != NULL);
    CHECK(igp_username_problem("") != NULL);
    CHECK(igp_username_problem(".dot") != NULL);
    CHECK(igp_username_problem("a..b") != NULL);
    CHECK(igp_username_problem("abcdefghijklmnopqrstuvwxyz12345") != NULL); /* 31 */
}

/* The state side: a derived post's entry names its parent. */
static void test_state_links(void)
{
    json_t *posts = json_pack("{s:{s:{s:s}}, s:{s:{s:s}}}", "p", "post", "caption", "x", "p-s",
                              "post", "story_of", "p");

    CHECK_STR(igp_post_derived(posts, "p"), "p-s");
    CHECK(igp_post_derived(posts, "p-s") == NULL);
    CHECK_STR(igp_post_parent(json_object_get(posts, "p-s")), "p");
    CHECK(igp_post_parent(json_object_get(posts, "p")) == NULL);
    json_decref(posts);
}

int main(void)
{
    shoot_dir = g_dir_make_tmp("igp-posttype-XXXXXX", NULL);
    write_file("a.jpg", "x");
    write_file("v.mov", "x");
    test_table();
    test_plan();
    test_rules();
    test_state_links();
    char *cmd = g_strdup_printf("rm -rf '%s'", shoot_dir);
    CHECK_INT(system(cmd), 0);
    g_free(cmd);
    g_free(shoot_dir);
    return check_done();
}
