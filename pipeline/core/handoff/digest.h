/**
 * @file
 * What the city approves for a post, in one place: its *content* (every
 * output file with its SHA-256, the caption, alt texts, schedule,
 * collaborators, location tag, cover choice, template text, and its
 * next-day story's content), the SHA-256 digest of that content, and a
 * field-by-field account of what changed between two contents.
 *
 * proof shows the digest, approve records the content and its digest, and
 * publish writes post.json from the content and refuses a post whose
 * digest is not the approved one.
 */
#ifndef IGP_DIGEST_H
#define IGP_DIGEST_H

#include <glib.h>
#include <jansson.h>

/** Characters of a digest shown on a proof page and given to `approve --proof`. */
#define IGP_SHORT_DIGEST 12

/**
 * The content of post @p id of encode.json's "posts".
 * @return a new object (caller decrefs), or NULL when the post is unknown or
 *         was not made
 */
json_t *igp_post_content(json_t *posts, const char *id);

/** The id of the next-day story of @p id ("<id>-story") when encode made it, or NULL (g_free). */
char *igp_story_id(json_t *posts, const char *id);

/** The post a next-day story follows, or NULL when @p id is not a made story (g_free). */
char *igp_story_parent(json_t *posts, const char *id);

/** Lower-case hex SHA-256 of @p content in a canonical form (sorted keys, compact). */
void igp_content_digest(json_t *content, char hex[65]);

/**
 * What differs between two contents, field by field, appended to @p out:
 * "caption: 'old' -> 'new'; files: feed-01.jpg; story.schedule: ...".
 * Text fields show old and new; media show the file names.
 * @return the number of fields that differ
 */
int igp_content_diff(json_t *before, json_t *after, GString *out);

/**
 * The digest of a proof: the first IGP_SHORT_DIGEST hex characters of the
 * SHA-256 of "id digest\n" for each of its pages, in order.
 * @param pages  [{"id": ..., "digest": ...}, ...]
 */
void igp_proof_digest(json_t *pages, char out[IGP_SHORT_DIGEST + 1]);

#endif
