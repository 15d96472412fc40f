/* Template drawing: bundled fonts only, text fitting with Japanese line
 * breaking, glyph coverage, WCAG contrast and face-keeping cover crops.
 * Usage: test_render FONTS_DIR */
#include "check.h"
#include "error.h"
#include "render.h"
#include "template.h"

#include <math.h>

static IgpTextStyle title_style(void)
{
    IgpTextStyle s = {.font = "BIZ UDPGothic Bold",
                      .size_min = 40,
                      .size_max = 80,
                      .max_lines = 2,
                      .align = PANGO_ALIGN_LEFT,
                      .color = {0, 0, 0, 1}};
    return s;
}

static void test_fonts(IgpFonts *fonts)
{
    CHECK(igp_fonts_has_family(fonts, "BIZ UDPGothic"));
    CHECK(igp_fonts_has_family(fonts, "MotoyaLMaru"));
    /* The system's fonts are invisible: only fonts/ counts. */
    CHECK(!igp_fonts_has_family(fonts, "DejaVu Sans"));
    CHECK(!igp_fonts_has_family(fonts, "Noto Sans CJK JP"));
}

static void test_fit(PangoContext *ctx)
{
    IgpTextStyle s = title_style();
    IgpTextFit fit;
    char *too_long;

    /* Short: the largest size. */
    CHECK_INT(igp_text_fit(ctx, &s, "秋のおはなし会", 0, 700, 200, &fit), 0);
    CHECK(fit.size == 80 && fit.lines == 1);
    /* Long: shrunk, but within two lines and the box. */
    CHECK_INT(igp_text_fit(ctx, &s, "のびすく仙台 秋のおはなし会と親子で楽しむハロウィン工作教室",
                           0, 700, 200, &fit),
              0);
    CHECK(fit.size < 80 && fit.size >= 40);
    CHECK(fit.lines <= 2 && fit.width <= 700 && fit.height <= 200);
    /* Too long: an error, never an overflow. */
    too_long = g_strnfill(60, 'x');
    g_free(too_long);
    too_long = g_strjoin("", "のびすく仙台 秋のおはなし会と親子で楽しむハロウィン工作教室",
                         "のびすく仙台 秋のおはなし会と親子で楽しむハロウィン工作教室",
                         "のびすく仙台 秋のおはなし会と親子で楽しむハロウィン工作教室", NULL);
    igp_error_clear();
    CHECK_INT(igp_text_fit(ctx, &s, too_long, 0, 700, 200, &fit), IGP_ERR_INVALIDDATA);
    CHECK_CONTAINS(igp_error_buffer(), "does not fit even at the minimum size 40px");
    igp_error_clear();
    g_free(too_long);
}

/* No line may start with a closing mark, 。、 or a small kana (kinsoku). */
static void test_kinsoku(PangoContext *ctx)
{
    const char *text = "ハロウィンパーティーを開催しました。約六十組の親子が参加してくれました、"
                       "ありがとうございました。「宇宙」がテーマでした。";
    IgpTextStyle s = title_style();
    int bad = 0;

    s.max_lines = 20;
    s.size_min = s.size_max = 40;
    for (int w = 200; w <= 720; w += 7) {
        PangoLayout *layout = pango_layout_new(ctx);
        PangoFontDescription *d = pango_font_description_from_string("BIZ UDPGothic 40px");
        pango_layout_set_font_description(layout, d);
        pango_layout_set_width(layout, w * PANGO_SCALE);
        pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
        pango_layout_set_text(layout, text, -1);
        for (int i = 1; i < pango_layout_get_line_count(layout); i++) {
            PangoLayoutLine *line = pango_layout_get_line_readonly(layout, i);
            gunichar c = g_utf8_get_char(text + line->start_index);
            bad += c == 0x3002 || c == 0x3001 || c == 0x300D || c == 0x30FC || c == 0x30A3 ||
                   c == 0x30C3 || c == 0x30A7;
        }
        pango_font_description_free(d);
        g_object_unref(layout);
    }
    CHECK_INT(bad, 0);
}

static void test_glyphs(PangoContext *ctx, IgpFonts *fonts)
{
    IgpTextStyle s = title_style();

    CHECK_INT(igp_text_check_glyphs(ctx, fonts, &s, "のびすく ハロウィン 2026！「宇宙」", 0), 0);
    /* Emoji come from the bundled colour emoji font, as in captions (a
     * zero-width joiner sequence and a variation selector too)... */
    CHECK_INT(igp_text_check_glyphs(ctx, fonts, &s, "ハロウィン🎃 👩‍🚀 ☕️", 0),
              0);
    /* ...but a character no bundled font has is a loud error, not a silent
     * substitute. */
    igp_error_clear();
    CHECK_INT(igp_text_check_glyphs(ctx, fonts, &s, "ハロウィン𓀀", 0), IGP_ERR_INVALIDDATA);
    CHECK_CONTAINS(igp_error_buffer(), "U+13000");
    igp_error_clear();
    s.font = "Noto Sans CJK JP Bold";
    CHECK_INT(igp_text_check_glyphs(ctx, fonts, &s, "あ", 0), IGP_ERR_INVALIDDATA);
    CHECK_CONTAINS(igp_error_buffer(), "not a bundled font family");
    igp_error_clear();
    /* Markup may not switch to another family either. */
    s.font = "MotoyaLMaru";
    CHECK_INT(
        igp_text_check_glyphs(ctx, fonts, &s, "<span font_family='BIZ UDPGothic'>あ</span>", 1),
        IGP_ERR_INVALIDDATA);
    igp_error_clear();
}

static void test_contrast(void)
{
    IgpColor c;
    double white = igp_relative_luminance(1, 1, 1), black = igp_relative_luminance(0, 0, 0);

    CHECK(fabs(igp_contrast_ratio(white, black) - 21) < 1e-9);
    CHECK(fabs(igp_contrast_ratio(black, black) - 1) < 1e-9);
    /* #777 on white is just under AA (4.48:1). */
    CHECK(igp_contrast_ratio(igp_relative_luminance(0x77 / 255.0, 0x77 / 255.0, 0x77 / 255.0),
                             white) < 4.5);
    CHECK_INT(igp_color_parse("#ff8000cc", &c), 0);
    CHECK(c.r == 1 && fabs(c.g - 128 / 255.0) < 1e-9 && c.b == 0 && fabs(c.a - 0.8) < 1e-9);
    CHECK_INT(igp_color_parse("orange", &c), -1);
}

/* The crop (x, y, w, h in source pixels) holds the box entirely. */
static int holds(const double crop[4], const double box[4])
{
    return box[0] >= crop[0] - 1e-6 && box[1] >= crop[1] - 1e-6 &&
           box[0] + box[2] <= crop[0] + crop[2] + 1e-6 &&
           box[1] + box[3] <= crop[1] + crop[3] + 1e-6;
}

/* ... or not at all. */
static int outside(const double crop[4], const double box[4])
{
    return box[0] + box[2] <= crop[0] + 1e-6 || box[0] >= crop[0] + crop[2] - 1e-6 ||
           box[1] + box[3] <= crop[1] + 1e-6 || box[1] >= crop[1] + crop[3] - 1e-6;
}

static void test_cover_crop(void)
{
    double centre[2] = {0.5, 0.5}, crop[4];
    double keep_slot[4] = {0, 0, 1080, 1350};
    double left[1][4] = {{10, 1000, 300, 320}}, right[1][4] = {{3650, 200, 340, 380}};
    double both[2][4] = {{10, 1000, 300, 320}, {3650, 200, 340, 380}};
    double corner[1][4] = {{0, 0, 200, 200}};

    /* 4000x3000 into 4:5: the crop is 2400 wide; faces at either edge pull it over. */
    CHECK_INT(igp_cover_crop(4000, 3000, 1080, 1350, centre, left, 1, keep_slot, crop), 0);
    CHECK(holds(crop, left[0]) && fabs(crop[2] - 2400) < 1e-6 && crop[0] >= 0);
    CHECK_INT(igp_cover_crop(4000, 3000, 1080, 1350, centre, right, 1, keep_slot, crop), 0);
    CHECK(holds(crop, right[0]) && crop[0] + crop[2] <= 4000 + 1e-6);
    CHECK_INT(igp_cover_crop(4000, 3000, 1080, 1350, centre, corner, 1, keep_slot, crop), 0);
    CHECK(holds(crop, corner[0]));
    /* Two faces 3600 px apart cannot both be kept by a 2400 px crop: the
     * smaller is left out entirely, the larger kept, neither cut. */
    CHECK_INT(igp_cover_crop(4000, 3000, 1080, 1350, centre, both, 2, keep_slot, crop), 1);
    CHECK(holds(crop, both[1]) && outside(crop, both[0]));
    /* A face larger than any crop would be cut whatever happens: refuse. */
    {
        double huge[1][4] = {{100, 100, 3800, 2800}};
        CHECK_INT(igp_cover_crop(4000, 3000, 1080, 1350, centre, huge, 1, keep_slot, crop), -1);
    }
    /* Reel cover: faces must land in the centre 1080x1080 (y 420..1500). */
    {
        double keep[4] = {0, 420, 1080, 1080}, high[1][4] = {{1400, 20, 200, 200}};
        double mid[1][4] = {{1400, 900, 200, 200}};
        /* A face at the very top cannot reach the centre square: it is not
         * kept there, but not cut either. */
        CHECK_INT(igp_cover_crop(3000, 2000, 1080, 1920, centre, high, 1, keep, crop), 1);
        CHECK(holds(crop, high[0]) || outside(crop, high[0]));
        CHECK_INT(igp_cover_crop(3000, 2000, 1080, 1920, centre, mid, 1, keep, crop), 0);
        CHECK(holds(crop, mid[0]));
    }
}

/* Under make test-sanitize: fontconfig leaks a few bytes parsing its own
 * configuration (Debian 12, fontconfig 2.14), as in t-archive.sh. Not
 * igprep's memory: LeakSanitizer reads this hook; suppress only that. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\n";
}

const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
    return "print_suppressions=0";
}

int main(int argc, char **argv)
{
    IgpFonts *fonts = NULL;
    PangoContext *ctx;

    if (argc != 2) {
        fprintf(stderr, "usage: test_render FONTS_DIR\n");
        return 2;
    }
    CHECK_INT(igp_fonts_open(argv[1], &fonts), 0);
    if (!fonts) {
        fprintf(stderr, "%s\n", igp_error_buffer());
        return 1;
    }
    ctx = igp_fonts_context(fonts);
    test_fonts(fonts);
    test_fit(ctx);
    test_kinsoku(ctx);
    test_glyphs(ctx, fonts);
    test_contrast();
    test_cover_crop();
    g_object_unref(ctx);
    igp_fonts_free(&fonts);
    return check_done();
}
