/*
 * BagIt internals shared by the writer (archive.c) and the checker
 * (bagit_check.c): checksums and the result of checking a bag.
 */
#ifndef IGP_BAGIT_INTERNAL_H
#define IGP_BAGIT_INTERNAL_H

#include <stdint.h>
#include <string.h>

#include <glib.h>

enum { CHUNK = 1 << 16 };

/* Tag files are read whole when checking a bag; anything larger than this is
 * not a tag file igprep could have written, and is only hashed. */
enum { MAX_TAG_FILE = 64 << 20 };

/* The manifest algorithms a check understands: every one GLib computes. */
typedef enum Alg { ALG_MD5, ALG_SHA1, ALG_SHA256, ALG_SHA384, ALG_SHA512, N_ALGS } Alg;

typedef struct IgpBagAlg {
    const char *name;
    GChecksumType type;
} IgpBagAlg;

extern const IgpBagAlg igp_bag_algs[N_ALGS];

/* Several checksums of one stream at once, so every file is read only once. */
typedef struct Hasher {
    GChecksum *sum[N_ALGS];
    int64_t size;
} Hasher;

int igp_bag_alg_by_name(const char *name);
void igp_bag_hasher_init(Hasher *h, unsigned alg_mask);
void igp_bag_hasher_update(Hasher *h, const void *data, size_t len);
/* Fill hex[] with g_strdup()ed digests (NULL for algorithms not computed). */
void igp_bag_hasher_finish(Hasher *h, char *hex[N_ALGS]);
/* Read a whole file through @p h; keep its content in @p keep when not NULL. */
int igp_bag_hash_path(const char *path, Hasher *h, GByteArray *keep);

static inline gint igp_bag_compare_strings(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct Check {
    GHashTable *files;    ///< bag path → Found*
    GHashTable *problems; ///< sort key ("missing: data/...") → message
    int has_data_dir;
} Check;

/* Read and validate a bag (folder, zip or tar); problems go to c->problems.
 * Returns an IGP_ERR only when the bag cannot be read at all. Always pair
 * with igp_bag_check_clear(). */
int igp_bag_check(Check *c, const char *bag);
void igp_bag_check_clear(Check *c);
/* The text of a top-level tag file, NUL-terminated (g_free() it), or NULL
 * when the bag has no such file or it is not UTF-8 (a problem then). */
char *igp_bag_tag_text(Check *c, const char *name);
/* Lines of a tag file's text, without their CR LF, CR or LF (g_strfreev() them). */
char **igp_bag_tag_lines(const char *text);
/* The problems, sorted by file name, as a NULL-terminated list (g_free() it). */
char **igp_bag_sorted_problems(Check *c);

#endif
