/**
 * @file
 * The scrub audit: what a source carried besides its pixels.
 */
#ifndef IGP_AUDIT_H
#define IGP_AUDIT_H

#include <jansson.h>

/**
 * Read @p path (an "image" or "video" of the sniffed @p format) and list
 * what it carries: {"found": [categories], "details": {category: [items]}}.
 * Categories: gps position, make/model, serial number, owner, software,
 * dates, xmp, iptc, maker notes, quicktime keys, extra tracks, trailer,
 * thumbnail, comments, icc profile, structure. Never fails: what cannot be
 * read is simply not listed (the scrub itself decides whether a file is
 * usable).
 */
json_t *igp_audit_source(const char *path, const char *kind, const char *format);

#endif
