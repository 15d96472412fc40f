/**
 * @file
 * Where personal data lives, and its erasure at the end of the contract
 * (docs/privacy.md).
 *
 *   inventory  every file under a run's folder OUT, the shoot's originals,
 *              and what left igprep (outbox folders, bags), each with its
 *              size, SHA-256 and what it holds: faces unhidden, faces
 *              hidden, or no personal data
 *   purge      overwrite once and unlink the working copies that carry
 *              unhidden faces, fsync their folders, and write the deletion
 *              report (データ消去報告書, PDF and JSON)
 */
#ifndef IGP_PRIVACY_H
#define IGP_PRIVACY_H

#include <stdint.h>

#include <glib.h>
#include <jansson.h>

/** What a file holds, as far as people are concerned. */
typedef enum IgpPdCategory {
    IGP_PD_FACES_UNHIDDEN, ///< originals, masters, review sheets, composed, face records
    IGP_PD_FACES_HIDDEN,   ///< redacted masters, posts, proofs, redaction records
    IGP_PD_NONE,           ///< reports, state without faces, the lock
    IGP_PD_UNKNOWN,        ///< a file igprep did not make: never purged, always named
} IgpPdCategory;

#define IGP_PD_N_CATEGORIES 4

/** "faces unhidden", "faces hidden", "no personal data", "unknown". */
const char *igp_pd_category_name(IgpPdCategory c);

/** One file of an inventory. */
typedef struct IgpInvFile {
    char *path;       ///< relative to its root (OUT, or the shoot folder for originals)
    char *abs;        ///< the full path
    const char *kind; ///< "master", "review sheet", "post", ... (static)
    IgpPdCategory category;
    int purge;   ///< a working copy that purge removes
    int regular; ///< a regular file (a symbolic link is listed, not hashed)
    int64_t size;
    gint64 mtime;    ///< seconds since the epoch
    char sha256[65]; ///< "" when not a regular file or unreadable
    GPtrArray *left; ///< where its bytes left igprep: "outbox NAME", "bag NAME" (strings)
} IgpInvFile;

/** A bag in the --archive folder, read from its manifest-sha256.txt. */
typedef struct IgpInvBag {
    char *name; ///< its file or folder name
    char *path;
    int restricted;  ///< a RESTRICTED originals bag (faces unhidden)
    GHashTable *sha; ///< sha256 hex -> payload path (strings owned)
} IgpInvBag;

/** What left igprep: outbox post folders and bags, indexed by SHA-256. */
typedef struct IgpDelivered {
    char *outbox;        ///< or NULL
    char *archive;       ///< or NULL
    GHashTable *where;   ///< sha256 -> GPtrArray of "outbox NAME" / "bag NAME"
    GHashTable *folders; ///< outbox folder name -> GHashTable basename -> sha256
    GPtrArray *bags;     ///< IgpInvBag *
} IgpDelivered;

/** The inventory of one run's folder. */
typedef struct IgpInventory {
    char *out_dir;
    char *shoot;                 ///< encode.json "shoot"
    char *shoot_dir;             ///< ingest.json "shoot_dir", or NULL
    GPtrArray *files;            ///< IgpInvFile *: every file under OUT, sorted by path
    GPtrArray *originals;        ///< IgpInvFile *: the shoot folder's sources ingest read
    GPtrArray *delivered_places; ///< this shoot's outbox folders and bags ("outbox NAME", ...)
    int ready_for_purge;         ///< every post published and archived
    char *not_ready;             ///< why not, or NULL
    char *not_ready_shown;       ///< the same in the user's language (the listing), or NULL
    int retention_days;          ///< shoot.json "retention_days", 0 when absent or unreadable
    int oldest_days;             ///< age of the oldest working copy with unhidden faces, -1 none
} IgpInventory;

/**
 * Read the outbox (its post folders, every file hashed) and the archive
 * folder (each bag's manifest-sha256.txt: folder, .zip or .tar bags).
 * Either may be NULL.
 * @return 0, or an IGP_ERR when a folder given cannot be read
 */
int igp_delivered_load(const char *outbox, const char *archive, IgpDelivered **out);
void igp_delivered_free(IgpDelivered **d);

/**
 * Take stock of one run's folder: every file under OUT (walked, never
 * followed through links), hashed and sorted into a category, and the
 * shoot's originals. @p delivered may be NULL.
 * @return 0, or IGP_ERR_INVALIDDATA when OUT is not a run's folder
 */
int igp_inventory_take(const char *out_dir, IgpDelivered *delivered, IgpInventory **out);
void igp_inventory_free(IgpInventory **inv);

/**
 * Is the post published: does the outbox folder "<shoot>-<id>" hold every
 * file of @p files (objects with "path" and "sha256") with that hash?
 */
int igp_delivered_has_post(const IgpDelivered *d, const char *shoot, const char *id, json_t *files);

/** The inventory as JSON: paths relative to OUT (originals: to the shoot folder). */
json_t *igp_inventory_json(const IgpInventory *inv);

/** Days since @p t, by the clock or $IGP_NOW (ISO 8601, for tests). */
int igp_days_since(gint64 t);

/** Now, as seconds since the epoch: the clock, or $IGP_NOW. */
gint64 igp_privacy_now(void);

typedef struct IgpInventorySettings {
    char **out_dirs; ///< NULL-terminated
    const char *outbox;
    const char *archive;
    int json;
} IgpInventorySettings;

/**
 * Print the inventory of each OUT on stdout (text, or one JSON document),
 * and warn about working copies kept longer than the shoot's retention_days.
 * @return 0, or an IGP_ERR when some OUT cannot be read (the others are listed)
 */
int igp_inventory(const IgpInventorySettings *settings);

typedef struct IgpPurgeSettings {
    const char *out_dir;
    const char *outbox;    ///< where posts were published (to check approvals), or NULL
    const char *archive;   ///< where bags are (restricted originals bags are purged), or NULL
    const char *report_to; ///< NULL: the folder that holds OUT
    int keep_delivered;    ///< leave every bag and outbox folder alone
    int dry_run;
    int force; ///< purge even while an approved post is unpublished
} IgpPurgeSettings;

/**
 * Remove the working copies with unhidden faces (and, unless keep_delivered,
 * the shoot's RESTRICTED originals bags in the archive folder): each file
 * overwritten once with zeros, fsynced, unlinked, its folder fsynced. The
 * plan is written first to OUT/state/purge.json, so a killed purge rerun
 * finishes the same plan. Then the deletion report is written.
 * @return 0, IGP_ERR_POLICY when refused (an approved post unpublished), or another IGP_ERR
 */
int igp_purge(const IgpPurgeSettings *settings);

/** One removed file, as the report lists it. */
typedef struct IgpRemoved {
    const char *path; ///< as shown (relative to OUT, or the bag's path)
    const char *kind;
    IgpPdCategory category;
    int64_t size;
    const char *sha256;
} IgpRemoved;

/** What the deletion report says. */
typedef struct IgpDeletionReport {
    const char *out_dir;
    const char *shoot;
    const IgpRemoved *removed;
    size_t n_removed;
    size_t kept[IGP_PD_N_CATEGORIES]; ///< files left under OUT, per category
    int64_t kept_bytes[IGP_PD_N_CATEGORIES];
    int keep_delivered;
    gint64 when; ///< seconds since the epoch
} IgpDeletionReport;

/**
 * Write REPORT_DIR/deletion-report-YYYYMMDD.pdf and .json (-2, -3 ... when a
 * report of that day is already there), each atomically.
 * @param pdf_out  when not NULL, gets the PDF's path (g_free)
 * @return 0 or an IGP_ERR
 */
int igp_deletion_report_write(const IgpDeletionReport *r, const char *report_dir, char **pdf_out);

#endif
