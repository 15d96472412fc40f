/**
 * @file
 * A list of things a structure walker found that a clean file must not
 * carry ("APP1 Exif (5120 bytes)", "tEXt Author", "udta ©xyz"...).
 */
#ifndef IGP_FINDINGS_H
#define IGP_FINDINGS_H

enum { IGP_MAX_FINDINGS = 48, IGP_FINDING_LEN = 80, IGP_FINDING_SHOWN_LEN = 240 };

typedef struct IgpFindings {
    int n;
    char items[IGP_MAX_FINDINGS][IGP_FINDING_LEN]; ///< English: reports and --json
    /** The same in the user's language, for messages (Japanese takes 3 bytes a character). */
    char shown[IGP_MAX_FINDINGS][IGP_FINDING_SHOWN_LEN];
} IgpFindings;

/**
 * Add one finding (printf-style); silently full after IGP_MAX_FINDINGS.
 * @p fmt is the English text (extracted for translation: update-po.sh's
 * keyword igp_findings_add:2); its translation fills "shown".
 */
void igp_findings_add(IgpFindings *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
