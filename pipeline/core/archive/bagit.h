/**
 * @file
 * bagit: export the delivered media of one or more runs as a BagIt 1.0 bag
 * (RFC 8493), and check any bag for completeness and validity.
 *
 * A bag holds, under data/, each delivered post's files, the masters they
 * were cut from, a catalogue (CSV and JSON) and a PDF contact sheet; next to
 * it bagit.txt, bag-info.txt, SHA-512 and SHA-256 payload manifests and a
 * SHA-512 tag manifest. Only posts made without error whose files (and
 * masters) passed reports/verify.json go in. Raw originals never do.
 *
 * The same inputs give the same bytes: no wall-clock time, user or file
 * order reaches the bag (its date is the newest post's schedule date, or one
 * given). See docs/archive.md.
 */
#ifndef IGP_BAGIT_H
#define IGP_BAGIT_H

#include <jansson.h>

typedef enum IgpBagFormat {
    IGP_BAG_DIR = 0, ///< a folder DIR/<bag name>
    IGP_BAG_ZIP,     ///< DIR/<bag name>.zip
    IGP_BAG_TAR,     ///< DIR/<bag name>.tar (POSIX pax)
} IgpBagFormat;

/** Defaults of the bag-info.txt and catalogue fields the user can override. */
#define IGP_ARCHIVE_DEFAULT_ORGANIZATION  "City child-rearing support office"
#define IGP_ARCHIVE_DEFAULT_CONTACT       "Instagram account team"
#define IGP_ARCHIVE_DEFAULT_RIGHTS_HOLDER "The city"

/** What to export and where; zero-fill, then set out_dirs and to_dir. */
typedef struct IgpArchiveSettings {
    char **out_dirs;           ///< runs' folders (NULL-terminated); only read
    const char *to_dir;        ///< where the bag goes (created if missing)
    const char *period;        ///< "YYYY-MM": only posts scheduled in that month; NULL: all
    IgpBagFormat format;       ///< folder, zip or tar
    const char *date;          ///< "YYYY-MM-DD" Bagging-Date; NULL: today in the account's zone
    const char *organization;  ///< Source-Organization; NULL: the default above
    const char *contact;       ///< Contact-Name; NULL: the default above
    const char *rights_holder; ///< copyright holder in the catalogue; NULL: the default above
    int include_originals;     ///< also write a separate, restricted bag of the raw originals
    /** When not NULL, gets {"bag", "restricted_bag"} (paths; docs/json.md). */
    json_t **result;
} IgpArchiveSettings;

/**
 * Build the bag and publish it atomically as DIR/<bag name>[.zip|.tar]. The
 * result is checked with igp_archive_check()'s rules before it is renamed
 * into place. An existing bag with the same content is left untouched; an
 * existing bag igprep wrote is replaced; anything else at that name is an
 * error, and left alone. One export at a time writes in DIR, and it first
 * removes the hidden temporaries a killed export left there.
 * $IGP_ARCHIVE_DELAY_MS (tests only) sleeps that long after each file written.
 *
 * @param path_out  when not NULL, set to the bag's path (caller g_free()s)
 * @return 0, IGP_ERR_INVALIDDATA (unusable run folder, nothing to export,
 *         two files for one bag path, something not igprep's bag at its
 *         name), IGP_ERR(EBUSY) (another export in DIR), or another IGP_ERR
 */
int igp_archive_export(const IgpArchiveSettings *settings, char **path_out);

/**
 * Check that @p bag (a folder, a .zip or a .tar holding one top-level
 * folder) is complete and valid per RFC 8493: bagit.txt, every manifest
 * entry present with a matching checksum, every payload file in every
 * payload manifest, Payload-Oxum. Each problem is logged on its own line
 * ("missing: data/...", "extra: data/...", "changed: data/...").
 *
 * @return 0 when valid, IGP_ERR_INVALIDDATA when not, another IGP_ERR when
 *         the bag cannot be read at all
 */
int igp_archive_check(const char *bag);

/**
 * igp_archive_check(), and when @p result is not NULL, what a script reads
 * of it (docs/json.md): {"bag", "valid", "payload_files", "octets",
 * "problems": [one sentence each]}.
 */
int igp_archive_check_result(const char *bag, json_t **result);

#endif
