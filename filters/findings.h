/**
 * @file
 * A list of things a structure walker found that a clean file must not
 * carry ("APP1 Exif (5120 bytes)", "tEXt Author", "udta ©xyz"...).
 */
#ifndef IGP_FINDINGS_H
#define IGP_FINDINGS_H

enum { IGP_MAX_FINDINGS = 48, IGP_FINDING_LEN = 80 };

typedef struct IgpFindings {
    int n;
    char items[IGP_MAX_FINDINGS][IGP_FINDING_LEN];
} IgpFindings;

/** Add one finding (printf-style); silently full after IGP_MAX_FINDINGS. */
void igp_findings_add(IgpFindings *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
