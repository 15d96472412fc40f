/**
 * @file
 * The pipeline's stages and what they share.
 *
 * Each stage reads the shoot folder (never writing to it) and the files
 * earlier stages left in OUT, and writes its own results to OUT:
 *
 *   ingest  state/ingest.json   what each source is, by content, and its SHA-256
 *   scrub   masters/, state/scrub.json, reports/scrub.json
 *   compose composed/<id>/, state/compose.json   templated slides and next-day stories
 *   detect  faces.json, review/, state/detect.json (docs/faces.md)
 *   redact  masters/redacted/, state/redact.json, reports/redaction.json
 *   encode  posts/<id>/, state/encode.json
 *   verify  reports/verify.json
 *
 * A stage with nothing new to do (same content hashes, same settings) does
 * nothing. A failing source or post is reported on one line and the stage
 * goes on with the others; the stage then returns IGP_ERR_INVALIDDATA.
 */
#ifndef IGP_STAGE_H
#define IGP_STAGE_H

#include "image.h"
#include "manifest.h"
#include "video.h"

#include <jansson.h>

/** Settings shared by the stages; fill with igp_stage_default_settings(). */
typedef struct IgpStageSettings {
    const char *shoot_dir;       ///< the shoot folder; read only
    const char *out_dir;         ///< where results go; default "out/<shoot>"
    const char *only_post;       ///< make only this post (--post), or NULL for all
    int jobs;                    ///< worker threads; default: the number of processors
    int quiet;                   ///< no notes or progress
    IgpImageLimits limits;       ///< refusal limits for photo sources
    IgpVideoLimits video_limits; ///< refusal limits for video sources
    int64_t max_file_bytes;      ///< refuse larger sources; default 4 GB
    IgpJpegSettings master;      ///< masters: quality 95, the source's chroma (4:2:0 or 4:4:4)
    IgpJpegSettings post;        ///< posts: quality 90, 4:2:0, at most 8 MB
    /* ---- faces (detect, redact; docs/faces.md) ----
     * As given on the command line; igp_shoot_open() fills in the ones not
     * given from shoot.json ("thorough", "min_face", "style"). */
    int face_thorough; ///< detect at score 0.5 instead of 0.6 (an editor's pass); -1: not given
    int face_min_size; ///< smallest face looked for, in pixels; 0: not given (24)
    const char *face_style; ///< redaction style over the faces.json one, or NULL
    const char *face_model; ///< BlazeFace model file; NULL: $IGPREP_FACE_MODEL or models/
} IgpStageSettings;

void igp_stage_default_settings(IgpStageSettings *s);

/** A shoot opened for a run: its manifest and the media its selected posts use. */
typedef struct IgpShoot {
    /** The run's settings: the command line's, then shoot.json's face settings
     *  (points to own_settings). */
    const IgpStageSettings *settings;
    IgpStageSettings own_settings;
    IgpManifest *manifest;
    char *out_dir;
    GPtrArray *media; ///< unique media file names of the selected posts
} IgpShoot;

/**
 * Load the manifest and select posts. Posts with a problem (missing media)
 * are reported here, once.
 * @return 0, or IGP_ERR_INVALIDDATA when the manifest is unusable or --post
 *         names no post
 */
int igp_shoot_open(const IgpStageSettings *settings, IgpShoot **out);
void igp_shoot_free(IgpShoot **shoot);

/** Does the run make this post (--post filter)? */
int igp_shoot_selects(const IgpShoot *shoot, const IgpPost *post);

int igp_ingest(IgpShoot *shoot);
int igp_scrub(IgpShoot *shoot);
int igp_encode(IgpShoot *shoot);
/** Draw templated posts and their next-day stories (compose.c, see template.h). */
int igp_compose(IgpShoot *shoot);

/** Propose face boxes on the masters, merge into OUT/faces.json, draw OUT/review/. */
int igp_detect(IgpShoot *shoot);

/** Hide every face not cleared on a copy of each master (masters/redacted/). */
int igp_redact(IgpShoot *shoot);

/** Verify settings: what to check and how to report. */
typedef struct IgpVerifySettings {
    const char *out_dir; ///< verify a run's folder (posts and masters), or NULL
    char **files;        ///< or these files (NULL-terminated)
    json_t **report;     ///< when not NULL, gets the report ({"checked", "failed", "files"})
    const char *as_kind; ///< judge FILEs as this kind (feed-image, story-image, reel-cover,
                         ///< reel, story-video); NULL: by their content
    int quiet;
} IgpVerifySettings;

/**
 * Check every output independently of the code that wrote it and write
 * OUT/reports/verify.json (when verifying a run's folder).
 * @return 0 when every file passes, IGP_ERR_POLICY when one fails a check,
 *         another IGP_ERR when files cannot be read at all
 */
int igp_verify(const IgpVerifySettings *settings);

/** Stages that igp_run() can run, as bits. */
enum {
    IGP_STAGE_INGEST = 1 << 0,
    IGP_STAGE_SCRUB = 1 << 1,
    IGP_STAGE_ENCODE = 1 << 2,
    IGP_STAGE_VERIFY = 1 << 3,
    IGP_STAGE_DETECT = 1 << 4,
    IGP_STAGE_REDACT = 1 << 5,
    IGP_STAGE_COMPOSE = 1 << 6, ///< templates (compose.c): after redact, before encode
    IGP_STAGE_ALL = IGP_STAGE_INGEST | IGP_STAGE_SCRUB | IGP_STAGE_DETECT | IGP_STAGE_REDACT |
                    IGP_STAGE_COMPOSE | IGP_STAGE_ENCODE | IGP_STAGE_VERIFY,
};

/**
 * Open the shoot once and run the chosen stages in order (ingest → scrub →
 * detect → redact → encode → verify), in one process. A failing item does not stop the later
 * stages for the other items.
 * @return 0 when everything succeeded; IGP_ERR_INVALIDDATA when some source
 *         or post failed, IGP_ERR_POLICY when verify refused a file, or the
 *         error that made the shoot unusable (already reported)
 */
int igp_run(const IgpStageSettings *settings, unsigned stages);

/**
 * igp_run(), and when @p result is not NULL, what a script reads of it
 * (docs/json.md, run's result): {"out", "made", "failed", "posts",
 * "failed_sources"} from OUT's state files as the run left them. Caller
 * json_decref()s *result.
 */
int igp_run_collect(const IgpStageSettings *settings, unsigned stages, json_t **result);

/** The result fields of the run whose folder is @p out_dir (NULL: none made). */
json_t *igp_run_result(const char *out_dir);

/* ---- helpers shared by the stages ---- */

/** Read OUT/state/<stage>.json; a missing or unreadable file gives a fresh {"version":1}. */
json_t *igp_state_load(const char *out_dir, const char *stage);

/**
 * With --post, a stage handles only some media: copy the other entries of
 * @p previous into @p current so the state still describes the whole shoot.
 */
void igp_state_keep_others(const IgpShoot *shoot, json_t *previous, json_t *current);

/** Write OUT/state/<stage>.json atomically. Returns 0 or IGP_ERR. */
int igp_state_save(const char *out_dir, const char *stage, json_t *state);

/** Write OUT/reports/<name>.json atomically. Returns 0 or IGP_ERR. */
int igp_report_save(const char *out_dir, const char *name, json_t *report);

/** Write a JSON document to @p path atomically, pretty-printed, keys sorted. */
int igp_json_save(const char *path, json_t *doc);

/** igp_json_save() with more jansson flags, e.g. JSON_REAL_PRECISION(n). */
int igp_json_save_flags(const char *path, json_t *doc, size_t flags);

/** Run fn(0..n-1, data) on @p jobs threads and wait for all. */
void igp_parallel_for(int n, int jobs, void (*fn)(int index, void *data), void *data);

#endif
