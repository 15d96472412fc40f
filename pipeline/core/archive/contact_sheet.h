/*
 * The archive's contact sheet (data/index.pdf): one thumbnail per post with
 * its id and caption line, drawn with cairo into a PDF in memory.
 */
#ifndef IGP_CONTACT_SHEET_H
#define IGP_CONTACT_SHEET_H

#include <glib.h>

/* One post on the contact sheet. */
typedef struct SheetItem {
    char *post_id;
    char *caption; ///< "<shoot> · <schedule date> · N images"
    char *image;   ///< its first file, in the run folder
    char *order;   ///< sort key: schedule, shoot, post id
} SheetItem;

/* Frees a SheetItem (a GPtrArray free function). */
void igp_sheet_item_free(gpointer p);

/* What the header line and the PDF's metadata show. */
typedef struct IgpSheetInfo {
    const char *name, *period, *date; ///< the bag's name, Period and Bagging-Date
} IgpSheetInfo;

/* Draw every SheetItem of @p sheet (sorted in place) into a PDF; *out on success. */
int igp_contact_sheet(GPtrArray *sheet, const IgpSheetInfo *info, GBytes **out);

#endif
