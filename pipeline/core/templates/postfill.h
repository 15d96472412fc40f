/**
 * @file
 * What compose (photos) and the reel render (videos) share when they fill a
 * template from a post: the text, the template (checked against the post's
 * canvas) and the next-day story's schedule.
 */
#ifndef IGP_POSTFILL_H
#define IGP_POSTFILL_H

#include "stage.h"
#include "template.h"

#include <jansson.h>

/**
 * The text a template is filled with: the post's "text", plus {page} and
 * {pages} (slide @p slide + 1 of the post's media) and {shoot_title}.
 */
json_t *igp_post_fill_text(const IgpShoot *shoot, const IgpPost *post, int slide);

/**
 * Load template @p name for @p post; when @p canvas is not NULL the
 * template must be made for it.
 * @return 0 or IGP_ERR_INVALIDDATA naming the post, the template and both canvases
 */
int igp_post_template_load(const char *templates_dir, IgpFonts *fonts, const IgpPost *post,
                           const char *name, const char *canvas, IgpTemplate **out);

/** The next-day story's schedule: @p schedule plus one day, same time and offset; NULL when
 * there is none (or it cannot be read). Caller g_free()s. */
char *igp_next_day(const char *schedule);

#endif
