/* igprep.json (config.h): defaults without the file, the shoot folder's file
 * before OUT's, and every mistake an error at line:column. */
#include "check.h"
#include "config.h"
#include "error.h"
#include "fsutil.h"

#include <glib.h>
#include <glib/gstdio.h>

static char *shoot, *out;

static void put(const char *folder, const char *content)
{
    char *path = g_build_filename(folder, "igprep.json", NULL);
    if (content)
        g_file_set_contents(path, content, -1, NULL);
    else
        g_unlink(path);
    g_free(path);
}

static void test_defaults(void)
{
    IgpConfig cfg;
    CHECK_INT(igp_config_load(shoot, out, &cfg), 0);
    CHECK(cfg.path == NULL);
    CHECK(!g_strcmp0(cfg.timezone, "Asia/Tokyo"));
    CHECK(cfg.zone != NULL);
    CHECK_INT((int)cfg.n_approvers, 0);
    CHECK(igp_config_find_approver(&cfg, "山田 花子") == NULL);
    igp_config_clear(&cfg);
}

static void test_shoot_first(void)
{
    IgpConfig cfg;
    put(out, "{\"timezone\": \"UTC\"}");
    put(shoot, "{\"approvers\": [{\"name\": \"山田 花子\", \"role\": \"city\"},\n"
               "               {\"name\": \"Sato\"}]}");
    CHECK_INT(igp_config_load(shoot, out, &cfg), 0);
    CHECK_CONTAINS(cfg.path, shoot);
    CHECK(!g_strcmp0(cfg.timezone, "Asia/Tokyo"));
    CHECK_INT((int)cfg.n_approvers, 2);
    const IgpApprover *a = igp_config_find_approver(&cfg, "山田 花子");
    CHECK(a && !g_strcmp0(a->role, "city"));
    a = igp_config_find_approver(&cfg, "Sato");
    CHECK(a && !g_strcmp0(a->role, ""));
    CHECK(igp_config_find_approver(&cfg, "山田") == NULL);
    igp_config_clear(&cfg);

    put(shoot, NULL);
    CHECK_INT(igp_config_load(shoot, out, &cfg), 0);
    CHECK(!g_strcmp0(cfg.timezone, "UTC"));
    igp_config_clear(&cfg);
    put(out, NULL);
}

static void expect_error(const char *content, const char *where, const char *what)
{
    IgpConfig cfg;
    put(shoot, content);
    igp_error_clear();
    CHECK(igp_config_load(shoot, NULL, &cfg) < 0);
    CHECK_CONTAINS(igp_error_buffer(), where);
    CHECK_CONTAINS(igp_error_buffer(), what);
    put(shoot, NULL);
}

static void test_mistakes(void)
{
    expect_error("{\"timezone\": \"Mars/Olympus\"}", "igprep.json:1:14", "no known zone");
    expect_error("{\"timezone\": 9}", "igprep.json:1:14", "zone name");
    expect_error("{\"approver\": []}", "igprep.json:1:14", "unknown key 'approver'");
    expect_error("{\"approvers\": {}}", "igprep.json:1:15", "must be a list");
    expect_error("{\"approvers\": [\n {\"role\": \"city\"}]}", "igprep.json:2:2",
                 "needs a \"name\"");
    expect_error("{\"approvers\": [{\"name\": \"  \"}]}", "igprep.json:1:16", "needs a \"name\"");
    expect_error("{\"approvers\": [{\"name\": \"A\", \"mail\": \"x\"}]}", "igprep.json:1:16",
                 "unknown key 'mail'");
    expect_error("{\"approvers\": [{\"name\": \"A\"}, {\"name\": \"A\"}]}", "igprep.json:1:31",
                 "listed twice");
    expect_error("{\"timezone\": \"UTC\",}", "igprep.json:1", "");
    expect_error("[]", "igprep.json", "one JSON object");
}

int main(void)
{
    shoot = g_dir_make_tmp("igp-config-shoot-XXXXXX", NULL);
    out = g_dir_make_tmp("igp-config-out-XXXXXX", NULL);
    test_defaults();
    test_shoot_first();
    test_mistakes();
    igp_remove_tree(shoot);
    igp_remove_tree(out);
    g_free(shoot);
    g_free(out);
    return check_done();
}
