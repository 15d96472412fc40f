#include "i18n.h"

#include <langinfo.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

/* The locale the user asked for messages, as gettext reads it. */
static const char *requested_messages_locale(void)
{
    const char *names[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const char *v = getenv(names[i]);
        if (v && *v)
            return v;
    }
    return "";
}

static const char *locale_dir(void)
{
    const char *env = getenv("IGPREP_LOCALEDIR");
    return env && *env ? env : IGP_LOCALE_DIR;
}

void igp_i18n_init(void)
{
    const char *ctype = setlocale(LC_CTYPE, "");
    if (!ctype || strcmp(nl_langinfo(CODESET), "UTF-8") != 0)
        setlocale(LC_CTYPE, "C.UTF-8"); /* names and messages are UTF-8 */
    if (!setlocale(LC_MESSAGES, "")) {
        /* Not installed: gettext ignores LANGUAGE only in the "C" locale,
         * so C.UTF-8 plus LANGUAGE still gives the requested language. */
        const char *want = requested_messages_locale();
        setlocale(LC_MESSAGES, "C.UTF-8");
        if (!strncmp(want, "ja", 2))
            setenv("LANGUAGE", "ja", 0);
    }
    bindtextdomain("igprep", locale_dir());
    bind_textdomain_codeset("igprep", "UTF-8");
    textdomain("igprep");
}

int igp_i18n_is_japanese(void)
{
    const char *messages = setlocale(LC_MESSAGES, NULL);
    const char *language = getenv("LANGUAGE");

    if (!messages || !strcmp(messages, "C") || !strcmp(messages, "POSIX"))
        return 0;
    if (language && *language)
        return !strncmp(language, "ja", 2);
    return !strncmp(messages, "ja", 2);
}
