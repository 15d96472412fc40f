/**
 * @file
 * igprep.json: the account's settings that are not a shoot's, read from the
 * shoot folder or, failing that, from OUT:
 *
 *     { "timezone": "Asia/Tokyo",
 *       "approvers": [ { "name": "山田 花子", "role": "city" } ] }
 *
 * Both keys are optional. Without the file, the zone is Asia/Tokyo and
 * nobody is an approver.
 */
#ifndef IGP_CONFIG_H
#define IGP_CONFIG_H

#include <stddef.h>

#include <glib.h>

/** The account's zone when igprep.json names none. */
#define IGP_DEFAULT_TIMEZONE "Asia/Tokyo"

/** One person who may approve posts for the city. */
typedef struct IgpApprover {
    char *name; ///< as it must be given to `approve --by`
    char *role; ///< e.g. "city", "agency"; "" when not given
} IgpApprover;

typedef struct IgpConfig {
    char *path;      ///< the igprep.json read, or NULL when there was none
    char *timezone;  ///< an IANA zone name GLib can load
    GTimeZone *zone; ///< that zone
    IgpApprover *approvers;
    size_t n_approvers;
} IgpConfig;

/**
 * Read SHOOT_DIR/igprep.json, else OUT_DIR/igprep.json (either may be NULL),
 * else take the defaults. Mistakes are errors at igprep.json:line:column.
 * @return 0, or a negative IGP_ERR with the message set; @p cfg is filled
 *         only on success, and is then released with igp_config_clear().
 */
int igp_config_load(const char *shoot_dir, const char *out_dir, IgpConfig *cfg);

void igp_config_clear(IgpConfig *cfg);

/** The approver named exactly @p name, or NULL. */
const IgpApprover *igp_config_find_approver(const IgpConfig *cfg, const char *name);

#endif
