/**
 * @file
 * Messages in the user's language (gettext, text domain "igprep").
 *
 * Every string a person reads goes through _() (or N_() where it sits in a
 * table and is translated where it is used); keys, file formats and JSON stay
 * English. The catalogue is po/ja.po, compiled by the build; `LANG=ja_JP.UTF-8`
 * (or LC_ALL, LC_MESSAGES, LANGUAGE) selects Japanese, anything else English.
 */
#ifndef IGP_I18N_H
#define IGP_I18N_H

#include <libintl.h>

#define _(s)  gettext(s)
#define N_(s) s

/**
 * Set the locale's character type and message categories from the
 * environment and bind the "igprep" catalogue. Call first in every main.
 * Numbers stay C-formatted (LC_NUMERIC is never set): JSON and reports
 * must read the same everywhere. When the requested locale is not installed
 * (a fresh Debian has only C.UTF-8), the language is still honoured.
 */
void igp_i18n_init(void);

/** 1 when messages are Japanese (dates and numbers are then written the Japanese way). */
int igp_i18n_is_japanese(void);

#endif
