/**
 * @file
 * SubRip (.srt) subtitles: a strict reader.
 *
 * Accepted: UTF-8 with or without a byte-order mark, LF or CRLF line ends,
 * cues of an optional number line, a timing line
 * "HH:MM:SS,mmm --> HH:MM:SS,mmm" (a '.' before the milliseconds is
 * accepted too; anything after the second time, such as position hints, is
 * ignored) and one or more text lines, separated by blank lines. Simple
 * formatting tags (<i>, <b>, <u>, <font ...> and {\anN}) are removed: the
 * template decides how subtitles look.
 *
 * Refused, with "FILE:LINE: what": invalid UTF-8, a malformed timing line, a
 * cue that ends before it starts, a cue that starts before the previous one
 * ends (overlapping or backwards), a cue without text, a timing line among a
 * cue's text (a missing blank line).
 */
#ifndef IGP_SRT_H
#define IGP_SRT_H

#include <stddef.h>

typedef struct IgpSrtCue {
    int number;   ///< the cue's number line (0 when it had none)
    int line;     ///< line of its timing line in the file, for messages
    double start; ///< seconds
    double end;   ///< seconds, > start
    char *text;   ///< UTF-8, lines joined by '\n', tags removed
} IgpSrtCue;

typedef struct IgpSrt {
    char *path; ///< for messages
    IgpSrtCue *cues;
    int n_cues; ///< in time order, none overlapping
} IgpSrt;

/**
 * Read an SRT file: a regular file of at most 4 MiB ($IGPREP_MAX_SRT_MB).
 * @return 0, IGP_ERR(ENOENT) when it does not exist, or IGP_ERR_INVALIDDATA
 *         with "PATH:LINE: what" or "PATH: what" (not a regular file, too
 *         large, unreadable)
 */
int igp_srt_load(const char *path, IgpSrt **out);

/** Parse SRT text held in memory; @p path names it in messages. */
int igp_srt_parse(const char *path, const char *data, size_t len, IgpSrt **out);

void igp_srt_free(IgpSrt **srt);

/** The index of the cue shown at @p t seconds (start <= t < end), or -1. */
int igp_srt_cue_at(const IgpSrt *srt, double t);

#endif
