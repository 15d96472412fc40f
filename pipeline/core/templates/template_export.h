/**
 * @file
 * Template authoring and hand-over: `igprep template new` starts a template
 * as a copy of another, `igprep template export` writes the template set the
 * city receives (deliverable ①): the templates, the bundled fonts with their
 * licences, a preview sheet per template and a Japanese guide.
 *
 * The set's layout (docs/templates.md, "Handing templates over"):
 *
 *     SET/使い方.md                  the guide (share/template-set/) and the set's index
 *     SET/templates/NAME/...          every template exported, and _shared/ (the logo)
 *     SET/fonts/...                   the bundled fonts, fonts.conf and the licences
 *     SET/previews/NAME.png           each template drawn with sample text and pictures
 *     SET/previews/NAME-sheet.png     short, long and too-long text side by side
 *
 * `igprep template check --templates SET/templates` then uses SET/fonts
 * (igp_template_fonts_dir()), so the set checks on a machine without igprep's
 * sources.
 */
#ifndef IGP_TEMPLATE_EXPORT_H
#define IGP_TEMPLATE_EXPORT_H

#include "template.h"

/** The guide's file name in a template set (and in DATA/share/template-set/). */
#define IGP_TEMPLATE_GUIDE "使い方.md"

/**
 * Is @p name usable for a new template's folder? ASCII letters, digits, '-'
 * and '_', starting with a letter or a digit. 0, or IGP_ERR_USAGE with a message.
 */
int igp_template_name_check(const char *name);

/**
 * Start templates_dir/NAME as a copy of the template @p from (its folder:
 * template.json and artwork), its description saying where it came from.
 * @p from must pass the check; NAME must not exist. The copy is made under a
 * temporary name and renamed, then checked.
 */
int igp_template_new(const char *templates_dir, const char *name, const char *from,
                     IgpFonts *fonts);

/** Draws @p t's preview to @p png and its sheet to @p sheet (the template tool's code). */
typedef int (*IgpTemplatePreviewFn)(void *user, const char *templates_dir, const char *name,
                                    const char *png, const char *sheet);

typedef struct IgpTemplateExport {
    const char *templates_dir;
    const char *fonts_dir;
    const char *guide; ///< the Japanese guide to copy (DATA/share/template-set/使い方.md)
    char **names;      ///< the templates to export, or NULL: all
    int n_names;       ///< (those they name as pages, story or video come too)
    const char *to;    ///< the set's folder, or with zip the .zip file; must not exist
    int zip;           ///< write a zip (libarchive) holding the folder
    IgpFonts *fonts;   ///< fonts_dir's fonts, for the check
    IgpTemplatePreviewFn preview;
    void *user;
} IgpTemplateExport;

/** Write the template set. Nothing is left at @p e->to unless it is complete. */
int igp_template_export(const IgpTemplateExport *e);

#endif
