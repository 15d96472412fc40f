/* igprep-archive: export runs' delivered media as a BagIt bag, or check a bag. */
#include "bagit.h"
#include "cli.h"
#include "log.h"

#include <cairo.h>
#include <stdio.h>
#include <string.h>

static char *to_dir, *period, *format, *check_bag, *date, *organization, *contact, *rights;
static gboolean include_originals, quiet, json;

static GOptionEntry entries[] = {
    {"to", 't', 0, G_OPTION_ARG_FILENAME, &to_dir, N_("where the bag goes (created if missing)"),
     "DIR"},
    {"period", 0, 0, G_OPTION_ARG_STRING, &period, N_("only posts scheduled in this month"),
     "YYYY-MM"},
    {"format", 0, 0, G_OPTION_ARG_STRING, &format, N_("dir (default), zip or tar"), "FORMAT"},
    {"check", 0, 0, G_OPTION_ARG_FILENAME, &check_bag,
     N_("check that BAG (folder, .zip or .tar) is complete and valid"), "BAG"},
    {"date", 0, 0, G_OPTION_ARG_STRING, &date,
     N_("Bagging-Date (default: today, the delivery's date, in the account's zone)"), "YYYY-MM-DD"},
    /* Their help names the default: see describe_defaults(). */
    {"organization", 0, 0, G_OPTION_ARG_STRING, &organization, NULL, "NAME"},
    {"contact", 0, 0, G_OPTION_ARG_STRING, &contact, NULL, "NAME"},
    {"rights-holder", 0, 0, G_OPTION_ARG_STRING, &rights, NULL, "NAME"},
    {"include-originals", 0, 0, G_OPTION_ARG_NONE, &include_originals,
     N_("also write a separate RESTRICTED bag of the raw originals"), NULL},
    {"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("only errors and warnings"), NULL},
    {"json", 0, 0, G_OPTION_ARG_NONE, &json,
     N_("JSON Lines on stdout: errors and warnings, then the result: the bag written, or with "
        "--check whether it is valid and its problems (docs/json.md)"),
     NULL},
    G_OPTION_ENTRY_NULL};

static const char *const description =
    N_("Exports the delivered posts of each run folder OUT (made without error and\n"
       "passed by reports/verify.json), their masters, a catalogue and a contact\n"
       "sheet as a BagIt 1.0 bag (RFC 8493): DIR/igprep-<period or shoot>[.zip|.tar].\n"
       "The same inputs give byte-identical bags; an unchanged bag is not rewritten.\n"
       "See docs/archive.md.\n"
       "\n"
       "Exit status: 0 success (--check: the bag is complete and valid), 1 failure\n"
       "(--check: the bag is not valid; each problem is named), 2 usage error.\n");

/* The help of the options whose default is a bag-info value (bagit.h),
 * translated and formatted here: a message cannot hold a macro. */
static void describe_defaults(void)
{
    static const struct {
        const char *option, *help, *value;
    } defaults[] = {{"organization", N_("Source-Organization (default: \"%s\")"),
                     IGP_ARCHIVE_DEFAULT_ORGANIZATION},
                    {"contact", N_("Contact-Name (default: \"%s\")"), IGP_ARCHIVE_DEFAULT_CONTACT},
                    {"rights-holder", N_("copyright holder in the catalogue (default: \"%s\")"),
                     IGP_ARCHIVE_DEFAULT_RIGHTS_HOLDER}};

    for (GOptionEntry *e = entries; e->long_name; e++)
        for (size_t i = 0; i < G_N_ELEMENTS(defaults); i++)
            if (!strcmp(e->long_name, defaults[i].option))
                e->description = g_strdup_printf(_(defaults[i].help), defaults[i].value);
}

static int valid_month(const char *s)
{
    int y, m;
    char end;
    return strlen(s) == 7 && s[4] == '-' && sscanf(s, "%4d-%2d%c", &y, &m, &end) == 2 && m >= 1 &&
           m <= 12;
}

static int valid_day(const char *s)
{
    int y, m, d;
    char end;
    return strlen(s) == 10 && s[4] == '-' && s[7] == '-' &&
           sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &end) == 3 && g_date_valid_dmy(d, m, y);
}

static int parse_format(IgpBagFormat *out)
{
    if (!format || !strcmp(format, "dir"))
        *out = IGP_BAG_DIR;
    else if (!strcmp(format, "zip"))
        *out = IGP_BAG_ZIP;
    else if (!strcmp(format, "tar"))
        *out = IGP_BAG_TAR;
    else
        return -1;
    return 0;
}

static int usage_error(const char *message)
{
    fprintf(stderr, _("%s: %s (try --help)\n"), "igprep-archive", message);
    return IGP_EXIT_USAGE;
}

/* Check what the options say before any work starts; returns 0 or IGP_EXIT_USAGE. */
static int check_options(int argc, IgpArchiveSettings *s)
{
    if (check_bag && include_originals)
        return usage_error(_("--include-originals makes a bag; it does not go with --check"));
    if (check_bag)
        return argc == 1 ? 0 : usage_error(_("--check takes no OUT folders"));
    if (argc < 2)
        return usage_error(_("expected one or more OUT folders"));
    if (!to_dir)
        return usage_error(_("--to DIR is required"));
    if (period && !valid_month(period))
        return usage_error(_("--period takes a month, YYYY-MM"));
    if (date && !valid_day(date))
        return usage_error(_("--date takes a day, YYYY-MM-DD"));
    if (parse_format(&s->format))
        return usage_error(_("--format takes dir, zip or tar"));
    return 0;
}

int main(int argc, char **argv)
{
    GOptionContext *ctx = g_option_context_new(N_("OUT... --to DIR | --check BAG - archive runs"));
    IgpArchiveSettings settings = {0};
    char *bag = NULL;
    json_t *result = NULL;
    int ret;

    igp_i18n_init();
    /* Bag paths are UTF-8 (post ids may be Japanese); libarchive converts
     * names through the locale's character set. */
    describe_defaults(); /* (kept to the end: printed by --help, which exits) */
    if (igp_cli_parse(ctx, entries, description, "igprep-archive", &argc, &argv))
        return IGP_EXIT_USAGE;
    if ((ret = check_options(argc, &settings)))
        return ret;
    igp_log_set_quiet(quiet);
    igp_log_set_json(json);
    if ((ret = igp_cli_start(argv[0])))
        return ret;
    if (check_bag) {
        ret = igp_archive_check_result(check_bag, &result);
        return igp_cli_finish_json("archive", ret, result);
    }
    settings.out_dirs = argv + 1;
    settings.to_dir = to_dir;
    settings.period = period;
    settings.date = date;
    settings.organization = organization;
    settings.contact = contact;
    settings.rights_holder = rights;
    settings.include_originals = include_originals;
    settings.result = &result;
    ret = igp_archive_export(&settings, &bag);
    if (ret == 0 && !json) /* with --json, the path is the result's "bag" */
        printf("%s\n", bag);
    g_free(bag);
    /* Release the fonts cairo cached for the contact sheet, so that leak
     * checkers see a clean exit; no cairo object is alive any more. */
    cairo_debug_reset_static_data();
    if (!result) /* the same fields, empty, when no bag was made */
        result = json_pack("{s:n, s:n}", "bag", "restricted_bag");
    json_object_set_new(result, "format", json_string(format ? format : "dir"));
    return igp_cli_finish_json("archive", ret, result);
}
