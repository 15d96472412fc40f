/**
 * @file
 * The month's work plan (業務計画表) from the shoots' posts, and the
 * contract's minimums checked for the month and cumulatively.
 *
 * One row per post of the shoots' plans (next-day stories included) dated in
 * the month (its "schedule", else the shoot's "date"): date, kind, id, theme,
 * subject, interview or experience, collaborators (a tie-up marked), and
 * status: planned, made (OUT/state/encode.json), approved
 * (OUT/approvals.json) or published (OUTBOX/<shoot>-<id>/post.json).
 *
 * The minimums (the contract's words quoted in each warning):
 *  - at least one reel a month;
 *  - at least one feed post or reel a month based on an interview or an
 *    experience ("basis", or "interview": true);
 *  - a next-day story for every post that is not a story;
 *  - tie-ups (collab posts with "tieup": true) toward 5 over the contract:
 *    counted, a note until 5 are planned.
 * A month short of a minimum gives one warning per rule; the months before
 * it (from the first month any shoot has a post) are checked too.
 */
#ifndef IGP_WORKPLAN_H
#define IGP_WORKPLAN_H

typedef enum IgpWorkplanFormat { IGP_WORKPLAN_PDF, IGP_WORKPLAN_CSV } IgpWorkplanFormat;

typedef struct IgpWorkplanSettings {
    const char *const *shoots; ///< shoot folders (each with shoot.json)
    int n_shoots;
    const char *month;        ///< "YYYY-MM"
    IgpWorkplanFormat format; ///< pdf (default) or csv
    const char *to;           ///< the file to write; NULL: plan-YYYY-MM.pdf, or stdout (csv)
    const char *runs;         ///< where the runs are: OUT = RUNS/<shoot>; default "out"
    const char *outbox;       ///< the outbox publish writes to, or NULL
} IgpWorkplanSettings;

/**
 * Write the month's work plan and print the shortfalls as warnings.
 * @param shortfalls set to the number of warnings (months and rules short)
 * @return 0, or an IGP_ERR (a shoot that cannot be read, an unwritable file)
 */
int igp_workplan(const IgpWorkplanSettings *settings, int *shortfalls);

#endif
