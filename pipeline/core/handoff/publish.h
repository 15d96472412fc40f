/**
 * @file
 * The last three steps before a post leaves igprep: proof, approve, publish.
 *
 *   proof    reports/proof.pdf and reports/proof-NN.png: one page per post,
 *            showing it as it will appear, its words, and its checks
 *            (each page and the proof show a digest; state/proofs.json
 *            records what each proof showed)
 *   approve  approvals.json: who approved which post, when, and the content
 *            approved with its digest (digest.h); audit.log: every approval
 *            and refusal (auditlog.h)
 *   publish  OUTBOX/<shoot>-<post>/ with the media and post.json, for each
 *            post that is approved, unchanged since, and passes verify
 *
 * An approval is for exactly the content approved: publish computes every
 * post's digest again and refuses a post whose digest differs from its
 * latest approval, saying what changed.
 * The contract with the publish stage (post.json) is in docs/post-json.md.
 */
#ifndef IGP_PUBLISH_H
#define IGP_PUBLISH_H

#include <stddef.h>

#include <glib.h>
#include <jansson.h>

#include "auditlog.h"
#include "config.h"
#include "digest.h"

#define IGP_APPROVALS_NAME    "approvals.json"
#define IGP_APPROVALS_VERSION 2
#define IGP_PROOFS_NAME       "proofs.json" ///< in OUT/state: what each proof showed
#define IGP_WITHDRAWN_NAME    ".withdrawn"  ///< in the outbox: folders no longer sendable
#define IGP_POST_JSON_VERSION 1             ///< post.json "version"; see docs/post-json.md

/** Instagram's limits a proof flags and publish enforces (instagram-specs §1, §9). */
#define IGP_MAX_CAPTION_CHARS 2200
#define IGP_MAX_HASHTAGS      30
#define IGP_MAX_COLLABORATORS 3

/** What igp_proof() draws and where. */
typedef struct IgpProofSettings {
    const char *out_dir;  ///< a run's folder; only read (except the default PDF path)
    const char *pdf_path; ///< NULL: OUT/reports/proof.pdf; PNG pages go beside it as <name>-NN.png
    int quiet;
    /** When not NULL, gets what a script reads of the proof (docs/json.md):
     *  {"digest", "pdf", "pages", "posts": [{"id", "page", "png", "digest"}]} */
    json_t **result;
} IgpProofSettings;

/**
 * Draw the proof: a PDF (cairo, pango) and one PNG per page, one page per
 * post of OUT/state/encode.json, each written atomically.
 * @return 0, or an IGP_ERR (already in the error buffer) when OUT is not a
 *         run's folder or the files cannot be written
 */
int igp_proof(const IgpProofSettings *settings);

typedef struct IgpApproveSettings {
    const char *out_dir;         ///< a run's folder
    const char *const *post_ids; ///< posts of OUT/state/encode.json (NULL-terminated), or NULL
    int all;                     ///< every post
    const char *proof;           ///< a proof's digest: the posts it showed, or NULL
    const char *by;              ///< who approves: an approver of igprep.json (required)
    const char *at;              ///< the time the approver states, kept beside the clock's, or NULL
    const char *note;            ///< optional remark, or NULL
    /** When not NULL, gets what a script reads of the approval (docs/json.md):
     *  {"by", "proof", "approved", "refused", "posts": [{"id", "status", ...}]} */
    json_t **result;
} IgpApproveSettings;

/**
 * Approve posts: those a proof showed (@c proof), every post (@c all), or
 * those named, each with its next-day story unless the story is named on
 * its own. Each approval records the post's content and digest, who (an
 * approver of igprep.json), and when: the real clock in the account's zone,
 * with its offset. Appended to OUT/approvals.json (rewritten atomically);
 * each approval and refusal is appended to OUT/audit.log.
 * @return 0 when every post was approved, IGP_ERR_INVALIDDATA when some
 *         were refused (each already reported), another IGP_ERR otherwise
 */
int igp_approve(const IgpApproveSettings *settings);

typedef struct IgpPublishSettings {
    const char *out_dir; ///< a run's folder; verify is run on it first
    const char *outbox;  ///< where post folders go (created if missing)
    int quiet;
    /** When not NULL, gets what a script reads of the publish (docs/json.md):
     *  {"outbox", "published", "unchanged", "refused", "not_approved",
     *  "withdrawn", "posts": [{"id", "status", ...}]} */
    json_t **result;
} IgpPublishSettings;

/**
 * Hand every approved, unchanged, verified post to the outbox, as
 * OUTBOX/<shoot>-<post>/ (media and post.json), each built in a hidden
 * temporary folder, fsynced and renamed into place. An identical folder is
 * left untouched; one holding anything besides the post's regular files is
 * rebuilt, with a warning naming what it held. A file or link under a
 * post's folder name is left alone, and that post refused. Posts not
 * approved are named on one summary line; an approved post refused (changed
 * since, fails verify) gets an error line, and the others still go out. The
 * folder of a post that is not approved, or refused, is moved to
 * OUTBOX/.withdrawn/<id>-<time>/ with a note saying why. Each publish,
 * refusal and withdrawal is appended to OUT/audit.log. Temporary folders
 * of a killed publish are removed first. $IGP_PUBLISH_DELAY_MS (tests only)
 * sleeps that long between file writes.
 * @return 0 when every approved post went out, IGP_ERR_INVALIDDATA when an
 *         approved post was refused, another IGP_ERR when OUT or the outbox
 *         is unusable
 */
int igp_publish_outbox(const IgpPublishSettings *settings);

/* ---- shared by proof, approve and publish (approve.c) ---- */

/**
 * Take OUT's run lock (the one `igprep run` takes), so that no run rewrites
 * files while they are approved or published.
 * @return the lock's file descriptor (close() releases it), or a negative IGP_ERR
 */
int igp_out_lock(const char *out_dir);

/**
 * Load OUT/state/encode.json and check that it is a run's state.
 * @return the document (caller decrefs), or NULL with the reason in the buffer
 */
json_t *igp_encode_state_load(const char *out_dir);

/**
 * Load a JSON file that may be absent.
 * @return the document, NULL with *missing set when there is no such file,
 *         NULL with the reason in the buffer when it cannot be parsed
 */
json_t *igp_json_load_optional(const char *path, int *missing);

/**
 * Does every file of a post pass OUT/reports/verify.json? Files with no
 * entry there count as failing (not verified), and so do stray files found
 * in the post's folder.
 * @param verify  the report, or NULL when there is none
 * @param files   the post's "files" array from encode.json
 * @param why     when not NULL, gets "posts/x/a.jpg: aspect, bytes; ..." for failures
 * @return 1 when every file passed, 0 otherwise
 */
int igp_post_passes_verify(json_t *verify, const char *post_id, json_t *files, GString *why);

/**
 * Was OUT/reports/verify.json written after OUT/state/encode.json? When it
 * was not (encode ran alone since), its verdicts may be about other bytes.
 */
int igp_verify_report_is_current(const char *out_dir);

/**
 * Hash each file of a post now and compare with @p files' "sha256".
 * @param out_dir   the run's folder the "path"s are relative to
 * @param changed   when not NULL, gets the paths that differ or cannot be read
 * @return 1 when all match, 0 otherwise
 */
int igp_post_files_match(const char *out_dir, json_t *files, GString *changed);

/**
 * Check a loaded OUT/approvals.json: its version, and that every entry
 * names its post, who approved and when, and its files with their hashes.
 * @return 0, or IGP_ERR_INVALIDDATA with "approvals.json:LINE:COLUMN:
 *         malformed approvals file: entry N ..." in the buffer
 */
int igp_approvals_check(const char *path, json_t *doc);

/** The latest approval of a post in approvals.json's "approvals": a later one supersedes. */
json_t *igp_latest_approval(json_t *approvals, const char *post_id);

/** igprep.json of the run in OUT: its shoot folder's (from state/ingest.json), else OUT's. */
int igp_out_config_load(const char *out_dir, IgpConfig *cfg);

/**
 * The record of the proof with this digest in OUT/state/proofs.json:
 * {"digest", "at", "posts": [{"id", "digest", "content"}]}, or NULL.
 */
json_t *igp_proof_record_find(const char *out_dir, const char *digest);

/** Number of hashtags in a caption: '#' or '＃' starting a word, followed by a tag character. */
int igp_count_hashtags(const char *caption);

#endif
