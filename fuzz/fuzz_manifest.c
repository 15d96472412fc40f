/* shoot.json: igp_manifest_load() on any bytes, then what later stages ask of
 * a loaded manifest. The shoot folder holds empty files with the names the
 * seeds use, so that posts get past the media check. */
#include "error.h"
#include "fuzz_common.h"
#include "manifest.h"

#include <glib.h>

static const char *const media_names[] = {
    "IMG_0012.HEIC", "IMG_0013.JPG", "IMG_0014.JPG", "IMG_0015.JPG", "IMG_0016.JPG",
    "IMG_0020.MOV",  "IMG_0020.srt", "a.jpg",        "b.mp4",
};

static const char *shoot_dir(void)
{
    static const char *dir;

    if (!dir) {
        dir = igp_fuzz_path("shoot");
        igp_fuzz_mkdir(dir);
        for (size_t i = 0; i < G_N_ELEMENTS(media_names); i++) {
            char *path = g_build_filename(dir, media_names[i], NULL);
            igp_fuzz_write(path, (const uint8_t *)"", 0);
            g_free(path);
        }
    }
    return dir;
}

static void use_manifest(const IgpManifest *m)
{
    for (int i = 0; i < m->n_posts; i++) {
        const IgpPost *p = &m->posts[i];
        int width, height;

        if (igp_manifest_find_post(m, p->id) == NULL)
            __builtin_trap();
        igp_aspect_size(p->aspect, &width, &height);
        (void)igp_aspect_name(p->aspect);
        (void)igp_post_type_name(p->type);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *dir = shoot_dir();
    char *path = g_build_filename(dir, IGP_MANIFEST_NAME, NULL);
    IgpManifest *m = NULL;

    igp_fuzz_write(path, data, size);
    igp_error_clear();
    if (igp_fuzz_report(igp_manifest_load(dir, &m)) == 0) {
        use_manifest(m);
        igp_manifest_free(&m);
    }
    g_free(path);
    return 0;
}
