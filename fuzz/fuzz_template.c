/* template.json: igp_template_load() on any bytes, with the bundled fonts.
 *
 * The input is the template "fuzz-input" in a private copy of templates/:
 * the real templates stay there (so "pages" and "story" can name them), and
 * every artwork file of theirs is copied into fuzz-input/ too, so that the
 * seeds' logos and stickers are found. */
#include "error.h"
#include "fuzz_common.h"
#include "render.h"
#include "template.h"

#include <string.h>

#include <glib.h>

#define INPUT_NAME "fuzz-input"

static IgpFonts *fonts;
static const char *templates;

static void copy_template_folder(const char *from, const char *to, const char *artwork_to)
{
    GDir *dir = g_dir_open(from, 0, NULL);
    const char *name;

    igp_fuzz_mkdir(to);
    while (dir && (name = g_dir_read_name(dir))) {
        char *src = g_build_filename(from, name, NULL);
        char *dst = g_build_filename(strcmp(name, IGP_TEMPLATE_FILE) ? artwork_to : to, name, NULL);
        if (g_file_test(src, G_FILE_TEST_IS_REGULAR))
            igp_fuzz_copy(src, dst);
        g_free(src);
        g_free(dst);
    }
    if (dir)
        g_dir_close(dir);
}

static void copy_templates(const char *from, const char *to)
{
    GDir *dir = g_dir_open(from, 0, NULL);
    char *input = g_build_filename(to, INPUT_NAME, NULL);
    const char *name;

    if (!dir)
        igp_fuzz_die(from, "cannot open the templates folder");
    igp_fuzz_mkdir(input);
    while ((name = g_dir_read_name(dir))) {
        char *src = g_build_filename(from, name, NULL);
        char *dst = g_build_filename(to, name, NULL);
        if (g_file_test(src, G_FILE_TEST_IS_DIR))
            copy_template_folder(src, dst, strcmp(name, IGP_TEMPLATE_SHARED) ? input : dst);
        g_free(src);
        g_free(dst);
    }
    g_dir_close(dir);
    g_free(input);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char *src = igp_templates_dir(), *fonts_dir = igp_fonts_dir();

    (void)argc, (void)argv;
    templates = igp_fuzz_path("templates");
    copy_templates(src, templates);
    if (igp_fonts_open(fonts_dir, &fonts) != 0)
        igp_fuzz_die(fonts_dir, igp_error_buffer());
    g_free(src);
    g_free(fonts_dir);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *path = g_build_filename(templates, INPUT_NAME, IGP_TEMPLATE_FILE, NULL);
    IgpTemplate *t = NULL;

    igp_fuzz_write(path, data, size);
    igp_error_clear();
    if (igp_fuzz_report(igp_template_load(templates, INPUT_NAME, fonts, &t)) == 0)
        igp_template_free(&t);
    igp_error_clear();
    g_free(path);
    return 0;
}
