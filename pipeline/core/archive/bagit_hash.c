/* BagIt checksums: several digests of one stream at once. */
#include "bagit_internal.h"

#include "error.h"
#include "i18n.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

const IgpBagAlg igp_bag_algs[N_ALGS] = {
    {"md5", G_CHECKSUM_MD5},       {"sha1", G_CHECKSUM_SHA1},     {"sha256", G_CHECKSUM_SHA256},
    {"sha384", G_CHECKSUM_SHA384}, {"sha512", G_CHECKSUM_SHA512},
};

int igp_bag_alg_by_name(const char *name)
{
    for (int i = 0; i < N_ALGS; i++)
        if (!strcmp(igp_bag_algs[i].name, name))
            return i;
    return -1;
}

void igp_bag_hasher_init(Hasher *h, unsigned alg_mask)
{
    memset(h, 0, sizeof(*h));
    for (int i = 0; i < N_ALGS; i++)
        if (alg_mask & (1u << i))
            h->sum[i] = g_checksum_new(igp_bag_algs[i].type);
}

void igp_bag_hasher_update(Hasher *h, const void *data, size_t len)
{
    for (int i = 0; i < N_ALGS; i++)
        if (h->sum[i])
            g_checksum_update(h->sum[i], data, len);
    h->size += (int64_t)len;
}

/* Fill hex[] with g_strdup()ed digests (NULL for algorithms not computed). */
void igp_bag_hasher_finish(Hasher *h, char *hex[N_ALGS])
{
    for (int i = 0; i < N_ALGS; i++) {
        hex[i] = h->sum[i] ? g_strdup(g_checksum_get_string(h->sum[i])) : NULL;
        if (h->sum[i])
            g_checksum_free(h->sum[i]);
        h->sum[i] = NULL;
    }
}

/* Read a whole file through @p h; keep its content in @p keep when not NULL. */
int igp_bag_hash_path(const char *path, Hasher *h, GByteArray *keep)
{
    unsigned char *buf;
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC), ret = 0;

    if (fd < 0)
        return igp_error(IGP_ERR(errno), path, _("cannot open: %s"), strerror(errno));
    buf = g_malloc(CHUNK);
    while ((n = read(fd, buf, CHUNK)) > 0) {
        igp_bag_hasher_update(h, buf, (size_t)n);
        if (keep && keep->len + (size_t)n <= MAX_TAG_FILE)
            g_byte_array_append(keep, buf, (guint)n);
    }
    if (n < 0)
        ret = igp_error(IGP_ERR(errno), path, _("cannot read: %s"), strerror(errno));
    g_free(buf);
    close(fd);
    return ret;
}
