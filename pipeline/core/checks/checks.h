/**
 * @file
 * One file's verification report, as verify builds it: every check with its
 * measured value and its limit, {"file", "kind", "ok", "checks": [...]}.
 */
#ifndef IGP_CHECKS_H
#define IGP_CHECKS_H

#include "findings.h"

#include <jansson.h>

typedef struct IgpFileReport {
    json_t *json;   ///< the report; its "checks" array is filled by igp_check()
    json_t *checks; ///< borrowed from json
    int ok;         ///< every check so far passed
} IgpFileReport;

void igp_report_init(IgpFileReport *r, const char *file, const char *kind);

/** Record a check; takes the reference to @p value. @p limit may be NULL. */
void igp_check(IgpFileReport *r, const char *name, int ok, json_t *value, const char *limit);

/**
 * Word the last recorded check for people: @p message says what is wrong and
 * what to do, in one plain sentence without the file's name (verify, proof,
 * approve and publish put it after the file). Stored as the check's "message".
 */
void igp_check_says(IgpFileReport *r, const char *message);

/**
 * Attach a warning to the last recorded check (which passed): something a
 * person should look at that does not refuse the file. Stored as "warning".
 */
void igp_check_warns(IgpFileReport *r, const char *warning);

/**
 * A failed check in one plain sentence (no file name, no final period): its
 * "message", else its name, value (numbers rounded) and limit, and what to
 * do. Free with g_free().
 */
char *igp_check_sentence(const json_t *check);

/** A check value as plain words: numbers rounded, lists joined with commas. Free with g_free(). */
char *igp_check_value_text(const json_t *value);

/**
 * Which file a check is about: its value's "file" (a post slide checked in
 * its master's report), else the report's own file.
 */
const char *igp_check_subject(const json_t *file_report, const json_t *check);

/** Finish: sets "ok" and returns the report (caller owns it). */
json_t *igp_report_finish(IgpFileReport *r);

/**
 * The "metadata" check: @p found's findings as its value (English, as
 * reports keep them) and, when it fails, a message listing them in the
 * user's language.
 */
void igp_check_findings(IgpFileReport *r, int ok, const IgpFindings *found, const char *limit);

/** A JSON array of a walker's findings. */
json_t *igp_findings_json(const IgpFindings *found);

/**
 * Checks for an MP4/MOV: privacy (boxes, container and stream tags, extra
 * tracks) for every kind; Instagram's video limits (instagram-specs §2, §3,
 * §10) for "reel", "story-video" and "video" (a file from outside igprep,
 * judged as a reel); "master-video" gets the privacy checks only.
 * "reel" and "story-video" are held to igprep's encode targets (§10) too,
 * read back from the packets: H.264 High, level <= 4.1 (4.2 above 30 fps),
 * 1080x1920, constant 24/25/30/50/60 fps, keyframes <= 2 s apart, closed
 * GOPs, BT.709 tags with tv range, one AAC-LC 48 kHz stereo track about
 * 128 kb/s; the audio alone is decoded, for its loudness (ebur128):
 * -14 +-1 LUFS integrated, true peak <= -1 dBTP, or digital silence (the
 * track written for a source without sound).
 */
void igp_check_video(IgpFileReport *r, const char *path, const char *kind);

/**
 * Pearson correlation of two series of @p n values (face detail before and
 * after hiding); 0 when either side's variance is below @p flat (a fill has
 * no detail to correlate).
 */
double igp_correlation(const double *a, const double *b, int n, double flat);

#endif
