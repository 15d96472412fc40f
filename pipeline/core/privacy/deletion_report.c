/* The deletion report (データ消去報告書) the contract asks for when it ends:
 * what was removed, when, how, from which storage device; an empty field for
 * the device's photograph and a signature line. PDF (cairo, pango, the
 * bundled fonts) and JSON, each written atomically. docs/privacy.md. */
#include "privacy.h"
#include "template.h"

#include "error.h"
#include "i18n.h"
#include "fsutil.h"
#include "leakcheck.h"
#include "render.h"

#include <cairo-pdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define UNREADABLE "unreadable"

/* A4 in points, 20 mm margins. */
#define PAGE_W     595.28
#define PAGE_H     841.89
#define MARGIN     56.7
#define LABEL_W    110.0
#define CELL_PAD   5.0
#define VALUE_SIZE 9.0
#define FONT       "BIZ UDPGothic"
#define FONT_B     "BIZ UDPGothic Bold"

static const char *const category_ja[] = {"顔が写ったままのデータ", "顔を隠したデータ",
                                          "個人情報を含まないデータ",
                                          "igprep が作っていないファイル"};

/* ---- the storage devices, as the system reports them ---- */

typedef struct Device {
    char *name, *model, *serial;
    int holds_out; ///< OUT's file system is on it
} Device;

/* A sysfs attribute, trimmed; NULL when it cannot be read or is empty. */
static char *sys_attr(const char *dir, const char *attr)
{
    char *path = g_build_filename(dir, attr, NULL), *text = NULL;

    if (g_file_get_contents(path, &text, NULL, NULL))
        g_strstrip(text);
    if (text && !*text) {
        g_free(text);
        text = NULL;
    }
    g_free(path);
    return text;
}

static Device *device_new(const char *sys_dir, int holds_out)
{
    Device *d = g_new0(Device, 1);
    char *dev = g_build_filename(sys_dir, "device", NULL);

    d->name = g_path_get_basename(sys_dir);
    d->model = sys_attr(dev, "model");
    d->serial = sys_attr(dev, "serial");
    if (!d->serial) /* virtio disks keep it beside, not under device/ */
        d->serial = sys_attr(sys_dir, "serial");
    d->holds_out = holds_out;
    g_free(dev);
    return d;
}

static void device_free(gpointer p)
{
    Device *d = p;
    g_free(d->name);
    g_free(d->model);
    g_free(d->serial);
    g_free(d);
}

/* The whole disk that holds OUT's file system: st_dev -> /sys/dev/block/MAJ:MIN,
 * its parent when that is a partition. NULL for a file system on no block
 * device (tmpfs, overlay, a network share). */
static char *disk_of(const char *path)
{
    struct stat st;
    char *link, *real = NULL, *partition;

    if (stat(path, &st) != 0)
        return NULL;
    link = g_strdup_printf("/sys/dev/block/%u:%u", major(st.st_dev), minor(st.st_dev));
    real = realpath(link, NULL);
    g_free(link);
    if (!real)
        return NULL;
    partition = g_build_filename(real, "partition", NULL);
    if (g_file_test(partition, G_FILE_TEST_EXISTS)) {
        char *parent = g_path_get_dirname(real);
        free(real);
        real = strdup(parent);
        g_free(parent);
    }
    g_free(partition);
    return real;
}

/* OUT's disk first, then every other disk that is not virtual (loop, zram). */
static GPtrArray *storage_devices(const char *out_dir)
{
    GPtrArray *list = g_ptr_array_new_with_free_func(device_free);
    char *out_disk = disk_of(out_dir);
    GDir *dir = g_dir_open("/sys/block", 0, NULL);
    const char *name;

    if (out_disk)
        g_ptr_array_add(list, device_new(out_disk, 1));
    while (dir && (name = g_dir_read_name(dir))) {
        char *link = g_build_filename("/sys/block", name, NULL);
        char *real = realpath(link, NULL);
        if (real && !strstr(real, "/virtual/") && g_strcmp0(real, out_disk))
            g_ptr_array_add(list, device_new(real, 0));
        free(real);
        g_free(link);
    }
    if (dir)
        g_dir_close(dir);
    free(out_disk);
    return list;
}

/* ---- numbers and words ---- */

typedef struct KindTotal {
    const char *kind;
    IgpPdCategory category;
    size_t count;
    int64_t bytes;
} KindTotal;

static GArray *totals_by_kind(const IgpDeletionReport *r, size_t *count, int64_t *bytes)
{
    GArray *totals = g_array_new(FALSE, TRUE, sizeof(KindTotal));

    for (size_t i = 0; i < r->n_removed; i++) {
        const IgpRemoved *f = &r->removed[i];
        KindTotal *t = NULL;
        for (guint j = 0; j < totals->len && !t; j++)
            if (!strcmp(g_array_index(totals, KindTotal, j).kind, f->kind))
                t = &g_array_index(totals, KindTotal, j);
        if (!t) {
            KindTotal n = {f->kind, f->category, 0, 0};
            g_array_append_val(totals, n);
            t = &g_array_index(totals, KindTotal, totals->len - 1);
        }
        t->count++;
        t->bytes += f->size > 0 ? f->size : 0;
        count[f->category]++;
        bytes[f->category] += f->size > 0 ? f->size : 0;
    }
    return totals;
}

/* The kinds in the report's words. */
static const char *kind_ja(const char *kind)
{
    static const char *const names[][2] = {
        {"master", "マスター（顔を隠す前の全体画像・動画）"},
        {"review sheet", "確認用シート（顔の一覧）"},
        {"composed intermediate", "テンプレート合成の中間画像"},
        {"face records", "顔の記録（位置・人物ラベル）"},
        {"restricted originals bag", "撮影元データのバッグ（RESTRICTED）"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
        if (!strcmp(kind, names[i][0]))
            return names[i][1];
    return kind;
}

static char *size_text(int64_t bytes)
{
    char *human = g_format_size((guint64)bytes);
    char *s = g_strdup_printf("%s（%lld バイト）", human, (long long)bytes);
    g_free(human);
    return s;
}

static char *date_ja(gint64 when)
{
    GDateTime *t = g_date_time_new_from_unix_local(when);
    char *s = g_date_time_format(t, "%Y年%-m月%-d日");
    g_date_time_unref(t);
    return s;
}

static const char method_ja[] =
    "NIST SP 800-88 Rev. 1 の「Clear」（消去）に相当する方法：各ファイルをファイルシステムの"
    "通常のインターフェースを通じて 0 で 1 回上書きし、ディスクへの書き込みを確定（fsync）した"
    "うえで削除し、ファイルがあったフォルダーの書き込みを確定（fsync）しました。"
    "使用したソフトウェア：igprep " IGP_VERSION "（igprep purge）。";

static const char caveat_ja[] =
    "SSD（フラッシュメモリ）や、コピーオンライト方式のファイルシステム（Btrfs、ZFS、APFS "
    "など）、スナップショットやバックアップのある環境では、ファイルを通じた上書きは元のデータが"
    "記録されていた場所に届くとは限らず、古いデータが媒体上に残ることがあります。"
    "この作業はファイル単位の消去であり、媒体全体の消去ではありません。契約が求める媒体単位の"
    "消去（ATA Secure Erase、NVMe Sanitize などの Purge、媒体の破壊、暗号化消去）は、"
    "この報告とは別に、作業者の責任で行ってください。撮影フォルダーの元データと、カメラや"
    "スマートフォンの記録媒体にあるデータは igprep では消去していません。";

static const char caveat_en[] =
    "On SSDs, copy-on-write file systems (Btrfs, ZFS, APFS), and where snapshots or backups "
    "exist, overwriting a file through the file system may not reach the blocks that held the "
    "data: old copies can remain on the device. This is file-level erasure, not device "
    "erasure. The device-level erasure the contract requires (ATA Secure Erase, NVMe Sanitize "
    "or other Purge, destruction, or cryptographic erasure) remains the operator's job. The "
    "originals in the shoot folder, and on the cameras' and phones' media, were not erased by "
    "igprep.";

/* ---- JSON ---- */

static json_t *report_json(const IgpDeletionReport *r, GPtrArray *devices)
{
    size_t count[IGP_PD_N_CATEGORIES] = {0};
    int64_t bytes[IGP_PD_N_CATEGORIES] = {0};
    GArray *kinds = totals_by_kind(r, count, bytes);
    json_t *cats = json_array(), *jk = json_array(), *files = json_array(), *devs = json_array();
    GDateTime *t = g_date_time_new_from_unix_local(r->when);
    char *date = g_date_time_format(t, "%Y-%m-%d");
    json_t *doc;

    for (int c = 0; c < IGP_PD_N_CATEGORIES; c++)
        json_array_append_new(cats, json_pack("{s:s, s:I, s:I, s:I, s:I}", "category",
                                              igp_pd_category_name(c), "removed",
                                              (json_int_t)count[c], "removed_bytes",
                                              (json_int_t)bytes[c], "kept", (json_int_t)r->kept[c],
                                              "kept_bytes", (json_int_t)r->kept_bytes[c]));
    for (guint i = 0; i < kinds->len; i++) {
        KindTotal *k = &g_array_index(kinds, KindTotal, i);
        json_array_append_new(jk, json_pack("{s:s, s:s, s:I, s:I}", "kind", k->kind, "category",
                                            igp_pd_category_name(k->category), "count",
                                            (json_int_t)k->count, "bytes", (json_int_t)k->bytes));
    }
    for (size_t i = 0; i < r->n_removed; i++)
        json_array_append_new(
            files,
            json_pack("{s:s, s:s, s:s, s:I, s:s?}", "path", r->removed[i].path, "kind",
                      r->removed[i].kind, "category", igp_pd_category_name(r->removed[i].category),
                      "size", (json_int_t)r->removed[i].size, "sha256", r->removed[i].sha256));
    for (guint i = 0; i < devices->len; i++) {
        Device *d = devices->pdata[i];
        json_array_append_new(devs, json_pack("{s:s, s:s, s:s, s:b}", "name", d->name, "model",
                                              d->model ? d->model : UNREADABLE, "serial",
                                              d->serial ? d->serial : UNREADABLE, "holds_out",
                                              d->holds_out));
    }
    doc = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:o, s:b, s:o, s:o, s:o, s:s, s:s}", "version",
                    1, "title", "データ消去報告書", "date", date, "out", r->out_dir, "shoot",
                    r->shoot ? r->shoot : "", "method",
                    "NIST SP 800-88 Rev. 1 Clear: each file overwritten once with zeros through "
                    "the file system, fsynced, unlinked; its folder fsynced",
                    "devices", devs, "keep_delivered", r->keep_delivered, "categories", cats,
                    "kinds", jk, "files", files, "limits", caveat_en, "device_photograph", "");
    g_free(date);
    g_date_time_unref(t);
    g_array_free(kinds, TRUE);
    return doc;
}

/* ---- PDF ---- */

typedef struct Pen {
    cairo_t *cr;
    PangoContext *ctx;
    double y;
    int page;
} Pen;

static PangoLayout *layout_for(Pen *p, const char *text, double width, double size, int bold)
{
    PangoLayout *l = pango_layout_new(p->ctx);
    PangoFontDescription *font = pango_font_description_from_string(bold ? FONT_B : FONT);

    pango_font_description_set_absolute_size(font, size * PANGO_SCALE);
    pango_layout_set_font_description(l, font);
    pango_font_description_free(font);
    pango_layout_set_width(l, (int)(width * PANGO_SCALE));
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_line_spacing(l, 1.25);
    pango_layout_set_text(l, text, -1);
    return l;
}

static double text_height(Pen *p, const char *text, double width, double size, int bold)
{
    PangoLayout *l = layout_for(p, text, width, size, bold);
    int h;
    pango_layout_get_size(l, NULL, &h);
    g_object_unref(l);
    return (double)h / PANGO_SCALE;
}

/* Draw text at (x, y) in a box @p width wide; returns its height. */
static double draw_text(Pen *p, double x, double y, double width, const char *text, double size,
                        int bold, PangoAlignment align)
{
    PangoLayout *l = layout_for(p, text, width, size, bold);
    int h;

    pango_layout_set_alignment(l, align);
    cairo_move_to(p->cr, x, y);
    pango_cairo_show_layout(p->cr, l);
    pango_layout_get_size(l, NULL, &h);
    g_object_unref(l);
    return (double)h / PANGO_SCALE;
}

static void new_page(Pen *p)
{
    cairo_show_page(p->cr);
    p->page++;
    p->y = MARGIN;
}

static void page_number(Pen *p)
{
    char *s = g_strdup_printf("%d", p->page);
    draw_text(p, MARGIN, PAGE_H - MARGIN + 14, PAGE_W - 2 * MARGIN, s, 8, 0, PANGO_ALIGN_CENTER);
    g_free(s);
}

/* One row of the 記 table: a label cell and a value cell, ruled. */
static void table_row(Pen *p, const char *label, const char *value, double min_h)
{
    double vw = PAGE_W - 2 * MARGIN - LABEL_W - 2 * CELL_PAD;
    double h = text_height(p, value, vw, VALUE_SIZE, 0) + 2 * CELL_PAD;

    if (h < min_h)
        h = min_h;
    if (p->y + h > PAGE_H - MARGIN) {
        page_number(p);
        new_page(p);
    }
    cairo_set_line_width(p->cr, 0.7);
    cairo_rectangle(p->cr, MARGIN, p->y, LABEL_W, h);
    cairo_rectangle(p->cr, MARGIN + LABEL_W, p->y, PAGE_W - 2 * MARGIN - LABEL_W, h);
    cairo_stroke(p->cr);
    draw_text(p, MARGIN + CELL_PAD, p->y + CELL_PAD, LABEL_W - 2 * CELL_PAD, label, 10, 1,
              PANGO_ALIGN_LEFT);
    draw_text(p, MARGIN + LABEL_W + CELL_PAD, p->y + CELL_PAD, vw, value, VALUE_SIZE, 0,
              PANGO_ALIGN_LEFT);
    p->y += h;
}

static void draw_heading(Pen *p, const IgpDeletionReport *r)
{
    double w = PAGE_W - 2 * MARGIN;
    char *date = date_ja(r->when);

    draw_text(p, MARGIN, p->y, w, date, 10.5, 0, PANGO_ALIGN_RIGHT);
    p->y += 20;
    draw_text(p, MARGIN, p->y, w, "＿＿＿＿＿＿＿＿＿＿＿＿＿＿ 御中", 10.5, 0, PANGO_ALIGN_LEFT);
    p->y += 22;
    p->y += draw_text(p, MARGIN, p->y, w,
                      "報告者（受託者）\n名称　＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿\n"
                      "代表者　＿＿＿＿＿＿＿＿＿＿＿＿＿＿　印",
                      10, 0, PANGO_ALIGN_RIGHT);
    p->y += 14;
    draw_text(p, MARGIN, p->y, w, "データ消去報告書", 20, 1, PANGO_ALIGN_CENTER);
    p->y += 38;
    p->y += draw_text(p, MARGIN, p->y, w,
                      "契約の終了にあたり、業務で使用した個人情報を含むデータを下記のとおり消去し"
                      "ましたので、報告します。",
                      10, 0, PANGO_ALIGN_LEFT);
    p->y += 6;
    draw_text(p, MARGIN, p->y, w, "記", 10.5, 0, PANGO_ALIGN_CENTER);
    p->y += 20;
    g_free(date);
}

static char *devices_text(GPtrArray *devices)
{
    GString *s = g_string_new(NULL);

    for (guint i = 0; i < devices->len; i++) {
        Device *d = devices->pdata[i];
        g_string_append_printf(s, "%s%s%s\n　型番：%s\n　シリアル番号：%s", i ? "\n" : "", d->name,
                               d->holds_out ? "（作業フォルダーのある媒体）" : "",
                               d->model ? d->model : "読み取れません（" UNREADABLE "）",
                               d->serial ? d->serial : "読み取れません（" UNREADABLE "）");
    }
    if (devices->len == 0)
        g_string_append(s, "読み取れません（" UNREADABLE "）：作業フォルダーのファイルシステムが"
                           "ブロックデバイス上にありません");
    g_string_append(s, "\n（システムが /sys で報告する値。lsblk -o MODEL,SERIAL と同じもの）");
    return g_string_free(s, FALSE);
}

static char *removed_text(const IgpDeletionReport *r, GArray *kinds, const size_t *count,
                          const int64_t *bytes)
{
    GString *s = g_string_new(NULL);
    size_t total = 0;
    int64_t total_bytes = 0;

    for (guint i = 0; i < kinds->len; i++) {
        KindTotal *k = &g_array_index(kinds, KindTotal, i);
        char *size = size_text(k->bytes);
        g_string_append_printf(s, "%s：%zu 件、%s\n", kind_ja(k->kind), k->count, size);
        g_free(size);
    }
    for (int c = 0; c < IGP_PD_N_CATEGORIES; c++)
        total += count[c], total_bytes += bytes[c];
    char *size = size_text(total_bytes);
    g_string_append_printf(s, "合計：%zu 件、%s（一覧は別紙）", total, size);
    g_free(size);
    (void)r;
    return g_string_free(s, FALSE);
}

/* Did the purge erase a RESTRICTED originals bag? */
static int removed_bag(const IgpDeletionReport *r)
{
    for (size_t i = 0; i < r->n_removed; i++)
        if (!strcmp(r->removed[i].kind, "restricted originals bag"))
            return 1;
    return 0;
}

static char *categories_text(const IgpDeletionReport *r, const size_t *count, const int64_t *bytes)
{
    GString *s = g_string_new(NULL);

    for (int c = 0; c < IGP_PD_N_CATEGORIES; c++) {
        char *size;
        if (c == IGP_PD_UNKNOWN && count[c] == 0 && r->kept[c] == 0)
            break;
        size = g_format_size((guint64)bytes[c]);
        g_string_append_printf(s, "%s%s（%s）：消去 %zu 件（%s）、保管 %zu 件", c ? "\n" : "",
                               category_ja[c], igp_pd_category_name(c), count[c], size, r->kept[c]);
        g_free(size);
    }
    if (r->keep_delivered)
        g_string_append(s, "\n納品したもの（アウトボックスとバッグ）はすべて残しました。");
    else if (removed_bag(r))
        g_string_append(s, "\n納品した投稿と成果物のバッグは残し、撮影元データの RESTRICTED "
                           "バッグを消去しました。");
    else
        g_string_append(s, "\n納品した投稿と成果物のバッグは残しました（撮影元データの "
                           "RESTRICTED バッグは対象に含めていません）。");
    return g_string_free(s, FALSE);
}

static void draw_closing(Pen *p)
{
    if (p->y + 24 > PAGE_H - MARGIN) {
        page_number(p);
        new_page(p);
    }
    p->y += 8;
    draw_text(p, MARGIN, p->y, PAGE_W - 2 * MARGIN, "以上", 10.5, 0, PANGO_ALIGN_RIGHT);
}

/* The kinds, short, for the appendix's column. */
static const char *kind_short(const char *kind)
{
    static const char *const names[][2] = {
        {"master", "マスター"},
        {"review sheet", "確認用シート"},
        {"composed intermediate", "合成中間画像"},
        {"face records", "顔の記録"},
        {"restricted originals bag", "撮影元バッグ"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
        if (!strcmp(kind, names[i][0]))
            return names[i][1];
    return kind;
}

#define COL_NO   28.0
#define COL_KIND 72.0
#define COL_SIZE 70.0

static void appendix_row(Pen *p, const char *no, const char *path, const char *kind,
                         const char *size, int bold)
{
    double w = PAGE_W - 2 * MARGIN, pw = w - COL_NO - COL_KIND - COL_SIZE;
    double h = text_height(p, path, pw - 4, 8, bold) + 4;

    if (p->y + h > PAGE_H - MARGIN) {
        page_number(p);
        new_page(p);
    }
    draw_text(p, MARGIN, p->y + 2, COL_NO - 6, no, 8, bold, PANGO_ALIGN_RIGHT);
    draw_text(p, MARGIN + COL_NO, p->y + 2, pw - 4, path, 8, bold, PANGO_ALIGN_LEFT);
    draw_text(p, MARGIN + COL_NO + pw, p->y + 2, COL_KIND, kind, 8, bold, PANGO_ALIGN_LEFT);
    draw_text(p, PAGE_W - MARGIN - COL_SIZE, p->y + 2, COL_SIZE, size, 8, bold, PANGO_ALIGN_RIGHT);
    p->y += h;
    cairo_set_line_width(p->cr, 0.3);
    cairo_move_to(p->cr, MARGIN, p->y);
    cairo_line_to(p->cr, PAGE_W - MARGIN, p->y);
    cairo_stroke(p->cr);
}

/* 別紙: every removed file, its kind and size. */
static void draw_appendix(Pen *p, const IgpDeletionReport *r)
{
    double w = PAGE_W - 2 * MARGIN;

    page_number(p);
    new_page(p);
    draw_text(p, MARGIN, p->y, w, "別紙　消去したファイルの一覧", 13, 1, PANGO_ALIGN_LEFT);
    p->y += 22;
    p->y += draw_text(p, MARGIN, p->y, w, r->out_dir, 8.5, 0, PANGO_ALIGN_LEFT) + 6;
    appendix_row(p, "番号", "ファイル", "種類", "サイズ（バイト）", 1);
    for (size_t i = 0; i < r->n_removed; i++) {
        const IgpRemoved *f = &r->removed[i];
        char *no = g_strdup_printf("%zu", i + 1);
        char *size = g_strdup_printf("%lld", (long long)f->size);
        appendix_row(p, no, f->path, kind_short(f->kind), size, 0);
        g_free(size);
        g_free(no);
    }
    if (r->n_removed == 0)
        draw_text(p, MARGIN, p->y + 4, w, "（なし）", 9, 0, PANGO_ALIGN_LEFT);
    page_number(p);
}

static void draw_report(Pen *p, const IgpDeletionReport *r, GPtrArray *devices)
{
    size_t count[IGP_PD_N_CATEGORIES] = {0};
    int64_t bytes[IGP_PD_N_CATEGORIES] = {0};
    GArray *kinds = totals_by_kind(r, count, bytes);
    char *date = date_ja(r->when);
    char *target =
        g_strdup_printf("撮影「%s」の作業フォルダー\n%s", r->shoot ? r->shoot : "", r->out_dir);
    char *devs = devices_text(devices), *removed = removed_text(r, kinds, count, bytes);
    char *cats = categories_text(r, count, bytes);

    draw_heading(p, r);
    table_row(p, "1. 対象データ", target, 0);
    table_row(p, "2. 消去日", date, 0);
    table_row(p, "3. 消去方法", method_ja, 0);
    table_row(p, "4. 記憶媒体", devs, 0);
    table_row(p, "5. 消去したデータ", removed, 0);
    table_row(p, "6. 区分ごとの件数", cats, 0);
    table_row(p, "7. 留意事項", caveat_ja, 0);
    table_row(p, "8. 媒体の写真", "（契約で求める記憶媒体の写真をここに貼付）", 96);
    table_row(p, "9. 署名",
              "消去作業者　氏名 ＿＿＿＿＿＿＿＿＿＿＿＿　印\n\n"
              "確認者　　　氏名 ＿＿＿＿＿＿＿＿＿＿＿＿　印",
              0);
    draw_closing(p);
    draw_appendix(p, r);
    g_free(cats);
    g_free(removed);
    g_free(devs);
    g_free(target);
    g_free(date);
    g_array_free(kinds, TRUE);
}

static int write_pdf(const IgpDeletionReport *r, GPtrArray *devices, const char *path)
{
    char *tmp = igp_temp_sibling(path), *fonts_dir = igp_fonts_dir();
    IgpFonts *fonts = NULL;
    int ret = igp_fonts_open(fonts_dir, &fonts);
    cairo_surface_t *surface;
    cairo_status_t st;
    Pen p = {.y = MARGIN, .page = 1};

    g_free(fonts_dir);
    if (ret) {
        g_free(tmp);
        return ret;
    }
    surface = cairo_pdf_surface_create(tmp, PAGE_W, PAGE_H);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, "データ消去報告書");
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "igprep " IGP_VERSION);
    p.cr = cairo_create(surface);
    p.ctx = igp_fonts_context(fonts);
    pango_cairo_update_context(p.cr, p.ctx);
    cairo_set_source_rgb(p.cr, 0, 0, 0);
    draw_report(&p, r, devices);
    cairo_show_page(p.cr);
    g_object_unref(p.ctx);
    cairo_destroy(p.cr);
    /* cairo 1.16 loses a block per subset font here (see proof.c). */
    igp_leakcheck_pause();
    cairo_surface_finish(surface);
    igp_leakcheck_resume();
    st = cairo_surface_status(surface);
    cairo_surface_destroy(surface);
    igp_fonts_free(&fonts);
    if (st != CAIRO_STATUS_SUCCESS)
        ret = igp_error(IGP_ERR_LIBRARY, path, _("cairo: %s"), cairo_status_to_string(st));
    if (ret == 0)
        ret = igp_fsync_path(tmp);
    if (ret == 0)
        ret = igp_publish(tmp, path);
    if (ret)
        unlink(tmp);
    g_free(tmp);
    return ret;
}

/* deletion-report-YYYYMMDD, or -2, -3 ... when a report of that day is there. */
static char *report_stem(const char *dir, gint64 when)
{
    GDateTime *t = g_date_time_new_from_unix_local(when);
    char *day = g_date_time_format(t, "%Y%m%d"), *stem = NULL;

    g_date_time_unref(t);
    for (int n = 1; !stem; n++) {
        char *name = n == 1 ? g_strdup_printf("deletion-report-%s", day)
                            : g_strdup_printf("deletion-report-%s-%d", day, n);
        char *base = g_build_filename(dir, name, NULL);
        char *pdf = g_strconcat(base, ".pdf", NULL), *json = g_strconcat(base, ".json", NULL);
        if (!igp_path_exists(pdf) && !igp_path_exists(json))
            stem = g_strdup(base);
        g_free(pdf);
        g_free(json);
        g_free(base);
        g_free(name);
    }
    g_free(day);
    return stem;
}

int igp_deletion_report_write(const IgpDeletionReport *r, const char *report_dir, char **pdf_out)
{
    GPtrArray *devices = storage_devices(r->out_dir);
    char *stem = report_stem(report_dir, r->when);
    char *pdf = g_strconcat(stem, ".pdf", NULL), *json = g_strconcat(stem, ".json", NULL);
    json_t *doc = report_json(r, devices);
    char *text = json_dumps(doc, JSON_INDENT(2));
    int ret = text ? 0 : igp_error(IGP_ERR_LIBRARY, json, _("cannot serialise the report"));

    if (ret == 0)
        ret = write_pdf(r, devices, pdf);
    if (ret == 0) {
        char *with_newline = g_strconcat(text, "\n", NULL);
        ret = igp_write_file_atomic(json, with_newline, strlen(with_newline));
        g_free(with_newline);
    }
    if (ret == 0 && pdf_out)
        *pdf_out = g_strdup(pdf);
    free(text);
    json_decref(doc);
    g_free(json);
    g_free(pdf);
    g_free(stem);
    g_ptr_array_free(devices, TRUE);
    return ret;
}
