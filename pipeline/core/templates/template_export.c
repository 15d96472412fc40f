/* template_export: `igprep template new` and `igprep template export` (template_export.h). */
#include "template_export.h"
#include "i18n.h"
#include "jsonpos.h"

#include "error.h"
#include "fsutil.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#define ERR_IO IGP_ERR(EIO)

int igp_template_name_check(const char *name)
{
    int ok = g_ascii_isalnum(name[0]);

    for (const char *p = name; ok && *p; p++)
        ok = g_ascii_isalnum(*p) || *p == '-' || *p == '_';
    if (!ok || strlen(name) > 64)
        return igp_error(IGP_ERR_USAGE, "template",
                         _("'%s' is not a usable template name: use up to 64 letters, digits, "
                           "'-' and '_', starting with a letter or a digit"),
                         name);
    return 0;
}

/* ---- copying folders ---- */

static int copy_file(const char *src, const char *dst)
{
    char *data = NULL;
    gsize len = 0;
    GError *err = NULL;
    int ret = 0;

    if (!g_file_get_contents(src, &data, &len, &err)) {
        ret = igp_error(ERR_IO, src, _("cannot read: %s"), err->message);
        g_error_free(err);
        return ret;
    }
    FILE *f = fopen(dst, "wb");
    if (!f || fwrite(data, 1, len, f) != len)
        ret = igp_error(ERR_IO, dst, _("cannot write: %s"), g_strerror(errno));
    if (f && fclose(f) != 0 && ret == 0)
        ret = igp_error(ERR_IO, dst, _("cannot write: %s"), g_strerror(errno));
    g_free(data);
    return ret;
}

static gint compare_strings(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The names in @p dir, sorted (the same set gives the same zip). */
static GPtrArray *sorted_names(const char *dir, int *failed)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *name;

    *failed = !d;
    while (d && (name = g_dir_read_name(d)))
        g_ptr_array_add(names, g_strdup(name));
    if (d)
        g_dir_close(d);
    g_ptr_array_sort(names, compare_strings);
    return names;
}

/* cp -r of @p src's regular files and folders (not hidden ones: temporaries). */
static int copy_tree(const char *src, const char *dst)
{
    GDir *d = g_dir_open(src, 0, NULL);
    const char *name;
    int ret = 0;

    if (!d)
        return igp_error(ERR_IO, src, _("cannot read the folder"));
    if (g_mkdir(dst, 0755) != 0 && errno != EEXIST)
        ret = igp_error(ERR_IO, dst, _("cannot make the folder: %s"), g_strerror(errno));
    while (ret == 0 && (name = g_dir_read_name(d))) {
        char *from = g_build_filename(src, name, NULL), *to = g_build_filename(dst, name, NULL);
        struct stat st;
        if (name[0] != '.' && stat(from, &st) == 0) {
            if (S_ISDIR(st.st_mode))
                ret = copy_tree(from, to);
            else if (S_ISREG(st.st_mode))
                ret = copy_file(from, to);
        }
        g_free(from);
        g_free(to);
    }
    g_dir_close(d);
    return ret;
}

/* Rename the complete @p tmp to @p final, which must not exist. */
static int publish_new(const char *tmp, const char *final, int is_file)
{
    if (igp_path_exists(final))
        return igp_error(IGP_ERR_USAGE, final, _("already exists; igprep does not replace it"));
    /* A file: link() fails when the name appeared meanwhile, where rename()
     * would replace it. */
    if (is_file ? link(tmp, final) != 0 || unlink(tmp) != 0 : rename(tmp, final) != 0)
        return igp_error(ERR_IO, final, _("cannot rename %s into place: %s"), tmp,
                         g_strerror(errno));
    {
        char *parent = g_path_get_dirname(final);
        igp_fsync_path(parent);
        g_free(parent);
    }
    return 0;
}

/* ---- template new ---- */

/* @p text with the root's "description" set to @p description, keeping the
 * rest of the author's layout as it is. */
static char *with_description(const char *text, size_t len, const char *description)
{
    json_t *string = json_string(description);
    char *value = json_dumps(string, JSON_ENCODE_ANY);
    int line = 0, column = 0, found = igp_json_locate(text, len, "/description", &line, &column);
    const char *at = text;
    GString *out = g_string_new(NULL);

    for (int l = 1; l < line && at; l++)
        at = memchr(at, '\n', len - (at - text)), at = at ? at + 1 : NULL;
    if (at)
        at = g_utf8_offset_to_pointer(at, column - 1);
    if (found == 0 && at && *at == '"') {
        /* The end of the old string: where jansson stops reading it. */
        json_error_t err;
        json_t *old =
            json_loadb(at, len - (at - text), JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK, &err);
        size_t old_len = old ? (size_t)err.position : 0;
        json_decref(old);
        if (old_len) {
            g_string_append_len(out, text, at - text);
            g_string_append(out, value);
            g_string_append_len(out, at + old_len, len - (at - text) - old_len);
        }
    }
    if (out->len == 0) {
        /* No description yet: the first key of the object. */
        const char *brace = memchr(text, '{', len);
        if (brace) {
            g_string_append_len(out, text, brace + 1 - text);
            g_string_append_printf(out, "\n  \"description\": %s,", value);
            g_string_append_len(out, brace + 1, len - (brace + 1 - text));
        }
    }
    free(value);
    json_decref(string);
    return g_string_free(out, out->len == 0);
}

int igp_template_new(const char *templates_dir, const char *name, const char *from, IgpFonts *fonts)
{
    IgpTemplate *t = NULL;
    char *final = g_build_filename(templates_dir, name, NULL), *tmp = igp_temp_sibling(final);
    char *json_path = g_build_filename(tmp, IGP_TEMPLATE_FILE, NULL), *text = NULL, *desc;
    char *new_text = NULL;
    size_t len = 0;
    int ret = igp_template_name_check(name);

    if (ret == 0 && igp_path_exists(final))
        ret = igp_error(IGP_ERR_USAGE, final,
                        _("already exists; choose another name for the new template"));
    if (ret == 0 && (ret = igp_template_load(templates_dir, from, fonts, &t)) == 0)
        ret = copy_tree(t->dir, tmp);
    if (ret == 0)
        ret = igp_read_user_file(json_path, IGP_READ_JSON, &text, &len);
    if (ret == 0) {
        desc = *t->description ? g_strdup_printf(_("Started from '%s' (%s)"), from, t->description)
                               : g_strdup_printf(_("Started from '%s'"), from);
        new_text = with_description(text, len, desc);
        g_free(desc);
        ret = new_text ? igp_write_file_atomic(json_path, new_text, strlen(new_text))
                       : igp_error(IGP_ERR_INVALIDDATA, json_path, _("not a JSON object"));
    }
    if (ret == 0)
        ret = publish_new(tmp, final, 0);
    igp_template_free(&t);
    /* The copy must pass the check as its original did. */
    if (ret == 0 && (ret = igp_template_load(templates_dir, name, fonts, &t)) != 0)
        igp_remove_tree(final);
    if (ret)
        igp_remove_tree(tmp);
    igp_template_free(&t);
    g_free(final);
    g_free(tmp);
    g_free(json_path);
    g_free(text);
    g_free(new_text);
    return ret;
}

/* ---- template export ---- */

/* The templates to export: the named ones (all when none) and, one after
 * another, those they name as pages, story or video, loaded and checked. */
static int export_list(const IgpTemplateExport *e, GPtrArray *loaded)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    int ret = 0;

    if (e->n_names == 0) {
        GPtrArray *all = igp_template_names(e->templates_dir);
        for (guint i = 0; i < all->len; i++)
            g_ptr_array_add(names, g_strdup(all->pdata[i]));
        g_ptr_array_free(all, TRUE);
    }
    for (int i = 0; i < e->n_names; i++)
        g_ptr_array_add(names, g_strdup(e->names[i]));
    if (names->len == 0)
        ret = igp_error(IGP_ERR_USAGE, e->templates_dir, _("holds no template"));
    for (guint i = 0; i < names->len && ret == 0; i++) {
        IgpTemplate *t = NULL;
        int seen = 0;
        for (guint j = 0; j < i && !seen; j++)
            seen = !strcmp(names->pdata[i], names->pdata[j]);
        if (seen || (ret = igp_template_load(e->templates_dir, names->pdata[i], e->fonts, &t)))
            continue;
        g_ptr_array_add(loaded, t);
        const char *refs[] = {t->pages, t->story, t->video};
        for (size_t r = 0; r < G_N_ELEMENTS(refs); r++)
            if (refs[r])
                g_ptr_array_add(names, g_strdup(refs[r]));
    }
    g_ptr_array_free(names, TRUE);
    return ret;
}

static gint compare_templates(gconstpointer a, gconstpointer b)
{
    return strcmp((*(IgpTemplate *const *)a)->name, (*(IgpTemplate *const *)b)->name);
}

/* What a canvas is, for the city's staff. The set's guide is a Japanese
 * document (deliverable ①) whatever the locale it is made in. */
static const char *canvas_ja(const char *canvas)
{
    static const char *const rows[][2] = {
        {"feed-4:5", "フィード投稿（縦長 4:5）"},
        {"feed-1:1", "フィード投稿（正方形）"},
        {"feed-1.91:1", "フィード投稿（横長）"},
        {"story", "ストーリーズ"},
        {"highlight-cover", "ハイライトのカバー"},
        {"reel-cover", "リールのカバー画像"},
        {"reel", "リール・動画ストーリーズに重ねる文字とロゴ"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++)
        if (!strcmp(canvas, rows[i][0]))
            return rows[i][1];
    return canvas;
}

#define INDEX_HEADING "\n\n## このセットのテンプレート"

/* The set's index: every template, its texts and its logo slot. */
static void write_index(GString *g, GPtrArray *loaded)
{
    int logos = 0;

    g_string_append(g, INDEX_HEADING
                    "\n\n"
                    "見本の画像は `previews/` にあります。`名前.png` は見本の文と写真を入れた"
                    "仕上がり、`名前-sheet.png` は短い文・長い文・長すぎる文を並べたものです。\n");
    for (guint i = 0; i < loaded->len; i++) {
        const IgpTemplate *t = loaded->pdata[i];
        g_string_append_printf(g, "\n### %s\n\n", t->name);
        if (*t->description)
            g_string_append_printf(g, "- 説明（template.json の description）: %s\n",
                                   t->description);
        g_string_append_printf(g, "- 用途: %s（%s、%d×%d ピクセル）\n", canvas_ja(t->canvas),
                               t->canvas, t->width, t->height);
        g_string_append_printf(g, "- 見本: `previews/%s.png`、`previews/%s-sheet.png`\n", t->name,
                               t->name);
        if (t->pages)
            g_string_append_printf(g, "- カルーセルの2枚目以降: `%s`\n", t->pages);
        if (t->story)
            g_string_append_printf(g, "- 翌日のストーリーズ: `%s`\n", t->story);
        if (t->video)
            g_string_append_printf(g, "- 動画のとき: `%s`\n", t->video);
        for (int l = 0; l < t->n_layers; l++) {
            const IgpLayer *y = &t->layers[l];
            if (y->type == IGP_LAYER_TEXT)
                g_string_append_printf(g, "- 文字「%s」: `%s`（%s、%.0f〜%.0f px、%d 行まで）\n",
                                       y->name, y->text, y->font, y->style.size_min,
                                       y->style.size_max, y->style.max_lines);
            else if (y->type == IGP_LAYER_SUBTITLE)
                g_string_append_printf(g, "- 字幕「%s」（%s、%.0f〜%.0f px）\n", y->name, y->font,
                                       y->style.size_min, y->style.size_max);
            else if (y->type == IGP_LAYER_LOGO)
                logos++;
        }
    }
    g_string_append(g, "\n## ロゴの枠\n\n");
    if (!logos) {
        g_string_append(g, "このセットのテンプレートにはロゴの枠がありません。\n");
        return;
    }
    g_string_append(g,
                    "市のロゴは次の枠（`\"type\": \"logo\"` のレイヤー）に入ります。"
                    "ロゴは **SVG** で用意してください（PNG や JPEG は使えません）。"
                    "枠いっぱいに、縦横の比率を保って中央に描かれます。"
                    "枠と同じくらいの縦横比で、まわりの余白が少なく、背景が透明な SVG が"
                    "きれいに収まります。文字は SVG の中でアウトライン（パス）にしてください。\n\n"
                    "| テンプレート | レイヤー | 位置（左上 x, y） | 大きさ（幅×高さ） | "
                    "縦横比 | いまのファイル |\n| --- | --- | --- | --- | --- | --- |\n");
    for (guint i = 0; i < loaded->len; i++) {
        const IgpTemplate *t = loaded->pdata[i];
        for (int l = 0; l < t->n_layers; l++) {
            const IgpLayer *y = &t->layers[l];
            char *file = y->file ? g_path_get_basename(y->file) : g_strdup("");
            if (y->type == IGP_LAYER_LOGO)
                g_string_append_printf(
                    g, "| `%s` | %s | %.0f, %.0f | %.0f×%.0f px | %.2f : 1 | `%s` |\n", t->name,
                    y->name, y->box[0], y->box[1], y->box[2], y->box[3], y->box[2] / y->box[3],
                    file);
            g_free(file);
        }
    }
}

static int write_guide(const IgpTemplateExport *e, GPtrArray *loaded, const char *set)
{
    char *text = NULL, *path = g_build_filename(set, IGP_TEMPLATE_GUIDE, NULL);
    gsize len = 0;
    int ret = 0;

    if (!g_file_get_contents(e->guide, &text, &len, NULL)) {
        ret = igp_error(IGP_ERR_INVALIDDATA, e->guide, _("the template set's guide is missing"));
    } else {
        /* A set's own guide (exported again from the set) ends with its index. */
        const char *index = strstr(text, INDEX_HEADING);
        GString *g = g_string_new_len(text, index ? index - text : (gssize)len);
        write_index(g, loaded);
        ret = igp_write_file_atomic(path, g->str, g->len);
        g_string_free(g, TRUE);
    }
    g_free(text);
    g_free(path);
    return ret;
}

/* The set's files under @p set, in a folder of the zip: TOP/... */
static int zip_tree(struct archive *a, const char *dir, const char *member)
{
    int failed = 0, ret = 0;
    GPtrArray *names = sorted_names(dir, &failed);

    if (failed)
        ret = igp_error(ERR_IO, dir, _("cannot read the folder"));
    for (guint i = 0; i < names->len && ret == 0; i++) {
        char *path = g_build_filename(dir, names->pdata[i], NULL);
        char *name = g_strdup_printf("%s/%s", member, (char *)names->pdata[i]);
        int is_dir = g_file_test(path, G_FILE_TEST_IS_DIR);
        struct archive_entry *entry = archive_entry_new();
        GStatBuf st;
        char *data = NULL;
        gsize len = 0;
        if (!is_dir && !g_file_get_contents(path, &data, &len, NULL))
            ret = igp_error(ERR_IO, path, _("cannot read the file"));
        archive_entry_set_pathname_utf8(entry, name);
        archive_entry_set_filetype(entry, is_dir ? AE_IFDIR : AE_IFREG);
        archive_entry_set_perm(entry, is_dir ? 0755 : 0644);
        archive_entry_set_size(entry, is_dir ? 0 : (la_int64_t)len);
        /* The file's own time, not now's: the same set gives the same zip. */
        archive_entry_set_mtime(entry, g_stat(path, &st) == 0 ? st.st_mtime : 0, 0);
        if (ret == 0 && archive_write_header(a, entry) < ARCHIVE_WARN)
            ret = igp_error(IGP_ERR_LIBRARY, name, "libarchive: %s", archive_error_string(a));
        if (ret == 0 && !is_dir && len && archive_write_data(a, data, len) < 0)
            ret = igp_error(IGP_ERR_LIBRARY, name, "libarchive: %s", archive_error_string(a));
        if (ret == 0 && is_dir)
            ret = zip_tree(a, path, name);
        archive_entry_free(entry);
        g_free(data);
        g_free(path);
        g_free(name);
    }
    g_ptr_array_free(names, TRUE);
    return ret;
}

static int write_zip(const char *set, const char *top, const char *path)
{
    struct archive *a = archive_write_new();
    int ret = 0;

    archive_write_set_format_zip(a);
    if (archive_write_open_filename(a, path) != ARCHIVE_OK)
        ret = igp_error(IGP_ERR_LIBRARY, path, "libarchive: %s", archive_error_string(a));
    if (ret == 0)
        ret = zip_tree(a, set, top);
    if (archive_write_close(a) != ARCHIVE_OK && ret == 0)
        ret = igp_error(IGP_ERR_LIBRARY, path, "libarchive: %s", archive_error_string(a));
    archive_write_free(a);
    return ret;
}

/* Everything of the set into the folder @p set. */
static int fill_set(const IgpTemplateExport *e, GPtrArray *loaded, const char *set)
{
    char *templates = g_build_filename(set, "templates", NULL);
    char *fonts = g_build_filename(set, "fonts", NULL);
    char *previews = g_build_filename(set, "previews", NULL);
    char *shared = g_build_filename(e->templates_dir, IGP_TEMPLATE_SHARED, NULL);
    int ret = igp_mkdir_p(templates);

    if (ret == 0 && g_file_test(shared, G_FILE_TEST_IS_DIR)) {
        char *to = g_build_filename(templates, IGP_TEMPLATE_SHARED, NULL);
        ret = copy_tree(shared, to);
        g_free(to);
    }
    for (guint i = 0; i < loaded->len && ret == 0; i++) {
        const IgpTemplate *t = loaded->pdata[i];
        char *to = g_build_filename(templates, t->name, NULL);
        ret = copy_tree(t->dir, to);
        g_free(to);
    }
    if (ret == 0)
        ret = copy_tree(e->fonts_dir, fonts);
    if (ret == 0)
        ret = igp_mkdir_p(previews);
    for (guint i = 0; i < loaded->len && ret == 0; i++) {
        const IgpTemplate *t = loaded->pdata[i];
        char *png = g_strdup_printf("%s/%s.png", previews, t->name);
        char *sheet = g_strdup_printf("%s/%s-sheet.png", previews, t->name);
        /* Drawn from the copy, with the copy's fonts: what the city will see. */
        ret = e->preview(e->user, templates, t->name, png, sheet);
        g_free(png);
        g_free(sheet);
    }
    if (ret == 0)
        ret = write_guide(e, loaded, set);
    g_free(templates);
    g_free(fonts);
    g_free(previews);
    g_free(shared);
    return ret;
}

int igp_template_export(const IgpTemplateExport *e)
{
    GPtrArray *loaded = g_ptr_array_new();
    char *set = igp_temp_sibling(e->to), *zip = e->zip ? igp_temp_sibling(e->to) : NULL;
    char *base = g_path_get_basename(e->to);
    int ret = 0;

    if (igp_path_exists(e->to))
        ret = igp_error(IGP_ERR_USAGE, e->to, _("already exists; igprep does not replace it"));
    if (ret == 0 && !g_file_test(e->guide, G_FILE_TEST_IS_REGULAR))
        ret = igp_error(IGP_ERR_INVALIDDATA, e->guide, _("the template set's guide is missing"));
    if (ret == 0)
        ret = export_list(e, loaded);
    g_ptr_array_sort(loaded, compare_templates);
    if (ret == 0 && g_mkdir(set, 0755) != 0)
        ret = igp_error(ERR_IO, e->to, _("cannot make the folder: %s"), g_strerror(errno));
    if (ret == 0)
        ret = fill_set(e, loaded, set);
    if (ret == 0 && zip) {
        /* The zip holds one folder, named as the zip without .zip. */
        if (g_str_has_suffix(base, ".zip") && strlen(base) > 4)
            base[strlen(base) - 4] = '\0';
        ret = write_zip(set, base, zip);
        if (ret == 0)
            ret = publish_new(zip, e->to, 1);
    } else if (ret == 0) {
        ret = publish_new(set, e->to, 0);
    }
    if (ret || zip)
        igp_remove_tree(set);
    if (zip && ret)
        unlink(zip);
    for (guint i = 0; i < loaded->len; i++) {
        IgpTemplate *t = loaded->pdata[i];
        igp_template_free(&t);
    }
    g_ptr_array_free(loaded, TRUE);
    g_free(set);
    g_free(zip);
    g_free(base);
    return ret;
}
