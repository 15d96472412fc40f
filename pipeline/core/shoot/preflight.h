/**
 * @file
 * What the stages will need from each post, checked when the shoot is
 * opened, before any stage runs: a mistake that would otherwise show only
 * after ingest, scrub, detect and redact is refused at once, naming
 * shoot.json's line and column.
 *
 * For each post the run makes: every template it names exists and is made
 * for the post's canvas (and so are the page, cover and story templates it
 * brings along), and every text box those templates must fill gets a text.
 * Whether a story is a video is read from its media's first bytes.
 */
#ifndef IGP_PREFLIGHT_H
#define IGP_PREFLIGHT_H

#include "stage.h"

/**
 * Check the posts @p shoot selects (those without a problem already).
 * @return 0, or IGP_ERR_INVALIDDATA with the first mistake in the error buffer
 */
int igp_preflight(const IgpShoot *shoot);

#endif
