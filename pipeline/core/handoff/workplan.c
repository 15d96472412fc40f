/* igprep plan: the month's work plan (業務計画表) and the contract's
 * minimums (workplan.h). */
#include "workplan.h"
#include "jsonpos.h"
#include "log.h"
#include "manifest.h"
#include "publish.h"
#include "stage.h"
#include "template.h"

#include "csv.h"
#include "error.h"
#include "i18n.h"
#include "fsutil.h"
#include "render.h"

#include <stdlib.h>
#include <string.h>

#include <cairo-pdf.h>
#include <glib.h>
#include <pango/pangocairo.h>

#define TIEUPS_WANTED 5

/* The contract's words, quoted in the warnings (translated where used). */
#define RULE_REEL N_("at least one reel a month")
#define RULE_BASED                                                                                 \
    N_("at least one post a month based on a visit or an experience, as a feed post or a reel")
#define RULE_STORY N_("a story the day after every post")
#define RULE_TIEUP N_("Collab posts with influencers: at least 5 over the contract")

/* One post of the plan (a next-day story included). */
typedef struct Row {
    char *date;  ///< YYYY-MM-DD, or "" when neither the post nor the shoot has one
    char *month; ///< YYYY-MM, or ""
    char *shoot, *id;
    const IgpPostTypeInfo *type;
    char *parent; ///< a next-day story's post, else NULL
    char *theme, *subject, *basis, *collaborators;
    int tieup;
    int lacks_story; ///< a post that gets no next-day story ("story_followup": false)
    const char *status;
} Row;

static void row_free(gpointer data)
{
    Row *r = data;
    g_free(r->date);
    g_free(r->month);
    g_free(r->shoot);
    g_free(r->id);
    g_free(r->parent);
    g_free(r->theme);
    g_free(r->subject);
    g_free(r->basis);
    g_free(r->collaborators);
    g_free(r);
}

/* ---- reading the shoots ---- */

/* "YYYY-MM-DD" of an ISO 8601 time or date, plus @p days, or NULL. */
static char *date_of(const char *when, int days)
{
    GDate *d;
    char buf[16];

    if (!when || strlen(when) < 10)
        return NULL;
    d = g_date_new();
    g_date_set_parse(d, (char[11]){when[0], when[1], when[2], when[3], '/', when[5], when[6], '/',
                                   when[8], when[9], 0});
    if (!g_date_valid(d) || when[4] != '-' || when[7] != '-') {
        g_date_free(d);
        return NULL;
    }
    g_date_add_days(d, days);
    g_date_strftime(buf, sizeof(buf), "%Y-%m-%d", d);
    g_date_free(d);
    return g_strdup(buf);
}

static char *joined_collaborators(json_t *list)
{
    GString *s = g_string_new(NULL);
    json_t *v;
    size_t i;

    json_array_foreach(list, i, v)
        g_string_append_printf(s, "%s%s", i ? " " : "", json_string_value(v));
    return g_string_free(s, FALSE);
}

/* What the post is based on: "interview", "experience" or NULL. */
static char *basis_of(json_t *post)
{
    const char *basis = json_string_value(json_object_get(post, "basis"));
    if (basis)
        return g_strdup(basis);
    return json_is_true(json_object_get(post, "interview")) ? g_strdup("interview") : NULL;
}

/* Where the post stands: published, approved, made or planned. */
static const char *status_of(const char *outbox, const char *shoot, const char *id, json_t *encode,
                             json_t *approvals)
{
    json_t *entry = json_object_get(json_object_get(encode, "posts"), id), *a;
    size_t i;

    if (outbox) {
        char *pj = g_strdup_printf("%s/%s-%s/post.json", outbox, shoot, id);
        int published = igp_path_exists(pj);
        g_free(pj);
        if (published)
            return "published";
    }
    json_array_foreach(json_object_get(approvals, "approvals"), i, a)
    {
        if (!g_strcmp0(json_string_value(json_object_get(a, "post")), id))
            return "approved";
    }
    if (entry && !json_object_get(entry, "error") &&
        json_array_size(json_object_get(entry, "files")))
        return "made";
    return "planned";
}

static json_t *load_if_there(const char *dir, const char *name)
{
    char *path = g_build_filename(dir, name, NULL);
    json_t *doc = igp_path_exists(path) ? igp_json_read_file(path) : NULL;
    g_free(path);
    igp_error_clear();
    return doc;
}

static void add_rows(const IgpWorkplanSettings *s, const IgpManifest *m, GPtrArray *rows)
{
    const char *shoot_date = json_string_value(json_object_get(m->root, "date"));
    char *out_dir = g_build_filename(s->runs ? s->runs : "out", m->shoot, NULL);
    json_t *encode = load_if_there(out_dir, "state/encode.json");
    json_t *approvals = load_if_there(out_dir, IGP_APPROVALS_NAME);

    for (int i = 0; i < m->plan->n; i++) {
        const IgpPlanItem *item = &m->plan->items[i];
        json_t *pj = item->post->json;
        const char *schedule = json_string_value(json_object_get(pj, "schedule"));
        Row *r = g_new0(Row, 1);

        r->date = date_of(schedule ? schedule : shoot_date, item->parent ? 1 : 0);
        if (!r->date)
            r->date = g_strdup("");
        r->month = g_strndup(r->date, 7);
        r->shoot = g_strdup(m->shoot);
        r->id = g_strdup(item->id);
        r->type = item->type;
        r->parent = g_strdup(item->parent);
        r->theme = g_strdup(json_string_value(json_object_get(pj, "theme")));
        r->subject = g_strdup(json_string_value(json_object_get(pj, "subject")));
        if (!item->parent) {
            r->basis = basis_of(pj);
            r->collaborators = joined_collaborators(json_object_get(pj, "collaborators"));
            r->tieup = json_is_true(json_object_get(pj, "tieup"));
            r->lacks_story = item->type->story != IGP_STORY_NEVER && item->story < 0;
        }
        r->status = status_of(s->outbox, m->shoot, item->id, encode, approvals);
        g_ptr_array_add(rows, r);
    }
    json_decref(encode);
    json_decref(approvals);
    g_free(out_dir);
}

static gint by_date(gconstpointer a, gconstpointer b)
{
    const Row *x = *(Row *const *)a, *y = *(Row *const *)b;
    int c = strcmp(x->date, y->date);
    return c ? c : strcmp(x->id, y->id);
}

/* ---- the minimums ---- */

typedef struct MonthCheck {
    int reels, based, lacking, tieups_so_far;
} MonthCheck;

static MonthCheck check_month(GPtrArray *rows, const char *month)
{
    MonthCheck c = {0};

    for (guint i = 0; i < rows->len; i++) {
        const Row *r = g_ptr_array_index(rows, i);
        if (r->parent || !*r->month)
            continue;
        if (strcmp(r->month, month) <= 0)
            c.tieups_so_far += r->tieup;
        if (strcmp(r->month, month))
            continue;
        c.reels += !!(r->type->counts & IGP_COUNTS_REEL);
        c.based += (r->type->counts & IGP_COUNTS_FEED) && r->basis;
        c.lacking += r->lacks_story;
    }
    return c;
}

/* Warn about @p month's shortfalls; append them to @p notes. */
static int warn_month(GPtrArray *rows, const char *month, GString *notes)
{
    MonthCheck c = check_month(rows, month);
    int n = 0;

    if (c.reels == 0) {
        igp_log_warning(_("plan %s: no reel: the contract asks for \"%s\""), month, _(RULE_REEL));
        g_string_append_printf(notes, _("[Short] %s: no reel (contract: \"%s\")\n"), month,
                               _(RULE_REEL));
        n++;
    }
    if (c.based == 0) {
        igp_log_warning(
            _("plan %s: no feed post or reel based on an interview or an experience: the "
              "contract asks for \"%s\""),
            month, _(RULE_BASED));
        g_string_append_printf(
            notes,
            _("[Short] %s: no post based on an interview or an experience (contract: \"%s\")\n"),
            month, _(RULE_BASED));
        n++;
    }
    if (c.lacking > 0) {
        igp_log_warning(ngettext("plan %s: %d post without a next-day story: the contract asks "
                                 "for \"%s\"",
                                 "plan %s: %d posts without a next-day story: the contract asks "
                                 "for \"%s\"",
                                 (unsigned long)c.lacking),
                        month, c.lacking, _(RULE_STORY));
        g_string_append_printf(
            notes,
            ngettext("[Short] %s: %d post without a next-day story (contract: \"%s\")\n",
                     "[Short] %s: %d posts without a next-day story (contract: \"%s\")\n",
                     (unsigned long)c.lacking),
            month, c.lacking, _(RULE_STORY));
        n++;
    }
    return n;
}

/* The month @p month and every month before it since the first post. */
static int check_minimums(GPtrArray *rows, const char *month, GString *notes)
{
    GPtrArray *months = g_ptr_array_new_with_free_func(g_free);
    MonthCheck c = check_month(rows, month);
    int n = 0;

    for (guint i = 0; i < rows->len; i++) {
        const Row *r = g_ptr_array_index(rows, i);
        if (*r->month && strcmp(r->month, month) < 0 &&
            !g_ptr_array_find_with_equal_func(months, r->month, g_str_equal, NULL))
            g_ptr_array_add(months, g_strdup(r->month));
    }
    g_ptr_array_sort(months, (GCompareFunc)g_strcmp0);
    /* Earlier months first (cumulatively), then this one. */
    g_ptr_array_add(months, g_strdup(month));
    for (guint i = 0; i < months->len; i++)
        n += warn_month(rows, g_ptr_array_index(months, i), notes);
    if (n == 0)
        g_string_append_printf(notes,
                               _("[Met] every month up to %s: a reel, a post based on an interview "
                                 "or an experience, next-day stories\n"),
                               month);
    g_string_append_printf(notes, _("Tie-ups so far: %d / %d (contract: \"%s\")\n"),
                           c.tieups_so_far, TIEUPS_WANTED, _(RULE_TIEUP));
    if (c.tieups_so_far < TIEUPS_WANTED)
        igp_log_note(_("plan %s: %d of %d tie-ups so far (\"%s\")"), month, c.tieups_so_far,
                     TIEUPS_WANTED, _(RULE_TIEUP));
    g_ptr_array_free(months, TRUE);
    return n;
}

/* ---- CSV ---- */

static const char *const csv_columns[] = {"date",  "kind",        "id",    "shoot",
                                          "theme", "subject",     "basis", "collaborators",
                                          "tieup", "next_day_of", "status"};

/* The headings in the reader's language: English, they are the keys above;
 * the values stay keys (shoot.json's type and basis, the status words). */
static const char *const csv_headings[] = {
    N_("date"),  N_("kind"),          N_("id"),    N_("shoot"),       N_("theme"), N_("subject"),
    N_("basis"), N_("collaborators"), N_("tieup"), N_("next_day_of"), N_("status")};

static GString *plan_csv(GPtrArray *rows, const char *month)
{
    GString *s = g_string_new(NULL);
    size_t n = G_N_ELEMENTS(csv_columns);

    G_STATIC_ASSERT(G_N_ELEMENTS(csv_headings) == G_N_ELEMENTS(csv_columns));
    for (size_t c = 0; c < n; c++)
        igp_csv_field(s, igp_i18n_is_japanese() ? _(csv_headings[c]) : csv_columns[c], c + 1 == n);
    for (guint i = 0; i < rows->len; i++) {
        const Row *r = g_ptr_array_index(rows, i);
        const char *v[] = {r->date,   r->type->name,    r->id,
                           r->shoot,  r->theme,         r->subject,
                           r->basis,  r->collaborators, r->tieup ? "yes" : "",
                           r->parent, r->status};
        if (strcmp(r->month, month))
            continue;
        for (size_t c = 0; c < n; c++)
            igp_csv_field(s, v[c], c + 1 == n);
    }
    return s;
}

/* ---- PDF ---- */

#define PAGE_W        842.0 /* A4 landscape, points */
#define PAGE_H        595.0
#define MARGIN        36.0
#define ROW_H         17.0
#define FONT          "BIZ UDPGothic"
#define ROWS_PER_PAGE 24

static const struct {
    const char *heading;
    double width;
} pdf_columns[] = {
    {N_("Date"), 62},     {N_("Kind"), 110},    {N_("Post ID"), 110}, {N_("Theme"), 130},
    {N_("Subject"), 120}, {N_("Based on"), 60}, {N_("Collab"), 120},  {N_("Status"), 58},
};

static const char *status_label(const char *status)
{
    return !strcmp(status, "published")  ? _("published")
           : !strcmp(status, "approved") ? _("approved")
           : !strcmp(status, "made")     ? _("made")
                                         : _("planned");
}

/* The kind of post as the plan's reader says it. */
static const char *kind_label(const IgpPostTypeInfo *type)
{
    return _(type->plan_label);
}

static void show(cairo_t *cr, PangoLayout *layout, const char *text, double x, double y,
                 double width, double size, int bold)
{
    char *desc = g_strdup_printf("%s%s %g", FONT, bold ? " Bold" : "", size);
    PangoFontDescription *font = pango_font_description_from_string(desc);

    pango_layout_set_font_description(layout, font);
    pango_layout_set_width(layout, (int)(width * PANGO_SCALE));
    pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_END);
    pango_layout_set_text(layout, text ? text : "", -1);
    cairo_move_to(cr, x, y);
    pango_cairo_show_layout(cr, layout);
    pango_font_description_free(font);
    g_free(desc);
}

static void cells_of(const Row *r, const char *cells[8], char **kind, char **based)
{
    *kind = r->parent ? g_strdup_printf(_("Next-day story (%s)"), r->parent)
                      : g_strdup(kind_label(r->type));
    *based = g_strdup(!r->basis                        ? ""
                      : !strcmp(r->basis, "interview") ? _("Interview")
                                                       : _("Experience"));
    cells[0] = r->date, cells[1] = *kind, cells[2] = r->id, cells[3] = r->theme;
    cells[4] = r->subject, cells[5] = *based;
    cells[6] = r->collaborators;
    cells[7] = status_label(r->status);
}

static void draw_header(cairo_t *cr, PangoLayout *layout, const char *month, const char *shoots,
                        int page, int pages)
{
    static const char *const months[] = {N_("January"), N_("February"), N_("March"),
                                         N_("April"),   N_("May"),      N_("June"),
                                         N_("July"),    N_("August"),   N_("September"),
                                         N_("October"), N_("November"), N_("December")};
    int m = atoi(month + 5);
    /* "2026年11月" in Japanese, "November 2026" in English. */
    char *when = igp_i18n_is_japanese() ? g_strdup_printf("%.4s年%d月", month, m)
                                        : g_strdup_printf("%s %.4s", _(months[m - 1]), month);
    char *title = g_strdup_printf(_("Work plan %s"), when);
    char *sub = g_strdup_printf(_("Shoots: %s    page %d of %d"), shoots, page, pages);
    double x = MARGIN;

    cairo_set_source_rgb(cr, 0, 0, 0);
    show(cr, layout, title, MARGIN, MARGIN - 8, 500, 16, 1);
    cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
    show(cr, layout, sub, MARGIN, MARGIN + 16, PAGE_W - 2 * MARGIN, 8, 0);
    cairo_set_source_rgb(cr, 0.93, 0.9, 0.85);
    cairo_rectangle(cr, MARGIN, MARGIN + 34, PAGE_W - 2 * MARGIN, ROW_H);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (size_t c = 0; c < G_N_ELEMENTS(pdf_columns); c++) {
        show(cr, layout, _(pdf_columns[c].heading), x + 3, MARGIN + 37, pdf_columns[c].width - 6, 8,
             1);
        x += pdf_columns[c].width;
    }
    g_free(when);
    g_free(title);
    g_free(sub);
}

static void draw_row(cairo_t *cr, PangoLayout *layout, const Row *r, double y)
{
    const char *cells[8];
    char *kind, *based;
    double x = MARGIN;

    cells_of(r, cells, &kind, &based);
    cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
    cairo_set_line_width(cr, 0.5);
    cairo_move_to(cr, MARGIN, y + ROW_H);
    cairo_line_to(cr, PAGE_W - MARGIN, y + ROW_H);
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (size_t c = 0; c < G_N_ELEMENTS(pdf_columns); c++) {
        char *text = c == 6 && r->tieup ? g_strdup_printf(_("%s (PR)"), cells[c]) : NULL;
        show(cr, layout, text ? text : cells[c], x + 3, y + 3, pdf_columns[c].width - 6, 8, 0);
        g_free(text);
        x += pdf_columns[c].width;
    }
    g_free(kind);
    g_free(based);
}

static void draw_notes(cairo_t *cr, PangoLayout *layout, const char *notes, double y)
{
    cairo_set_source_rgb(cr, 0, 0, 0);
    show(cr, layout, _("The contract's minimums"), MARGIN, y, 400, 11, 1);
    {
        char *desc = g_strdup_printf("%s %g", FONT, 8.5);
        PangoFontDescription *font = pango_font_description_from_string(desc);
        pango_layout_set_font_description(layout, font);
        pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_NONE);
        pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
        pango_layout_set_spacing(layout, 3 * PANGO_SCALE);
        pango_layout_set_width(layout, (int)((PAGE_W - 2 * MARGIN) * PANGO_SCALE));
        pango_layout_set_text(layout, notes, -1);
        cairo_move_to(cr, MARGIN, y + 18);
        pango_cairo_show_layout(cr, layout);
        pango_font_description_free(font);
        g_free(desc);
    }
}

static int plan_pdf(const char *path, GPtrArray *rows, const char *month, const char *shoots,
                    const char *notes)
{
    GPtrArray *in_month = g_ptr_array_new();
    char *fonts_dir = igp_fonts_dir(), *tmp = igp_temp_sibling(path);
    IgpFonts *fonts = NULL;
    cairo_surface_t *surface = NULL;
    int pages, ret = igp_fonts_open(fonts_dir, &fonts);

    for (guint i = 0; i < rows->len; i++)
        if (!strcmp(((Row *)g_ptr_array_index(rows, i))->month, month))
            g_ptr_array_add(in_month, g_ptr_array_index(rows, i));
    pages = MAX(1, ((int)in_month->len + ROWS_PER_PAGE - 1) / ROWS_PER_PAGE);
    /* The notes need room below the last rows: a page of their own if not. */
    if ((int)in_month->len > 0 && (int)in_month->len % ROWS_PER_PAGE > ROWS_PER_PAGE - 8)
        pages++;
    if (ret == 0) {
        surface = cairo_pdf_surface_create(tmp, PAGE_W, PAGE_H);
        if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS)
            ret = igp_error(IGP_ERR_LIBRARY, path, _("cannot write the plan: %s"),
                            cairo_status_to_string(cairo_surface_status(surface)));
    }
    if (ret == 0) {
        cairo_t *cr = cairo_create(surface);
        PangoContext *ctx = igp_fonts_context(fonts);
        PangoLayout *layout = pango_layout_new(ctx);
        guint next = 0;

        pango_cairo_update_context(cr, ctx);
        for (int page = 1; page <= pages; page++) {
            double y = MARGIN + 34 + ROW_H;
            draw_header(cr, layout, month, shoots, page, pages);
            for (int k = 0; k < ROWS_PER_PAGE && next < in_month->len; k++, y += ROW_H)
                draw_row(cr, layout, g_ptr_array_index(in_month, next++), y);
            if (page == pages)
                draw_notes(cr, layout, notes, MAX(y + 14, PAGE_H - MARGIN - 120));
            cairo_show_page(cr);
        }
        g_object_unref(layout);
        g_object_unref(ctx);
        cairo_destroy(cr);
        cairo_surface_finish(surface);
        if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS)
            ret = igp_error(IGP_ERR_LIBRARY, path, _("cannot write the plan: %s"),
                            cairo_status_to_string(cairo_surface_status(surface)));
    }
    if (surface)
        cairo_surface_destroy(surface);
    if (ret == 0 && (ret = igp_publish(tmp, path)))
        unlink(tmp);
    else if (ret)
        unlink(tmp);
    igp_fonts_free(&fonts);
    g_ptr_array_free(in_month, TRUE);
    g_free(fonts_dir);
    g_free(tmp);
    return ret;
}

/* ---- the command ---- */

static int valid_month(const char *month)
{
    return month && strlen(month) == 7 && g_ascii_isdigit(month[0]) && g_ascii_isdigit(month[1]) &&
           g_ascii_isdigit(month[2]) && g_ascii_isdigit(month[3]) && month[4] == '-' &&
           ((month[5] == '0' && month[6] >= '1' && month[6] <= '9') ||
            (month[5] == '1' && month[6] >= '0' && month[6] <= '2'));
}

int igp_workplan(const IgpWorkplanSettings *s, int *shortfalls)
{
    GPtrArray *rows = g_ptr_array_new_with_free_func(row_free);
    GString *notes = g_string_new(NULL), *names = g_string_new(NULL);
    char *default_to = NULL;
    int ret = 0;

    *shortfalls = 0;
    if (!valid_month(s->month))
        ret = igp_error(IGP_ERR_INVALIDDATA, "plan", _("--month must be YYYY-MM, not '%s'"),
                        s->month ? s->month : "");
    for (int i = 0; ret == 0 && i < s->n_shoots; i++) {
        IgpManifest *m = NULL;
        if ((ret = igp_manifest_load(s->shoots[i], &m)) == 0) {
            add_rows(s, m, rows);
            g_string_append_printf(names, "%s%s", i ? _(", ") : "", m->shoot);
        }
        igp_manifest_free(&m);
    }
    if (ret == 0) {
        g_ptr_array_sort(rows, by_date);
        *shortfalls = check_minimums(rows, s->month, notes);
    }
    if (ret == 0 && s->format == IGP_WORKPLAN_CSV) {
        GString *csv = plan_csv(rows, s->month);
        if (s->to)
            ret = igp_write_file_atomic(s->to, csv->str, csv->len);
        else if (fwrite(csv->str, 1, csv->len, stdout) != csv->len)
            ret = igp_error(IGP_ERR(EIO), "plan", _("cannot write to stdout"));
        g_string_free(csv, TRUE);
    } else if (ret == 0) {
        default_to = g_strdup_printf("plan-%s.pdf", s->month);
        ret = plan_pdf(s->to ? s->to : default_to, rows, s->month, names->str, notes->str);
    }
    g_free(default_to);
    g_string_free(names, TRUE);
    g_string_free(notes, TRUE);
    g_ptr_array_free(rows, TRUE);
    return ret;
}
