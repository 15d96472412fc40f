/* config: igprep.json, the account's settings (see config.h). */
#include "config.h"
#include "jsonpos.h"

#include "error.h"
#include "i18n.h"
#include "fsutil.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* What a check needs to point at a value: the file and its text. */
typedef struct ConfigText {
    const char *path;
    const char *text;
    size_t len;
} ConfigText;

static int check_root_keys(const ConfigText *t, json_t *root)
{
    const char *key;
    json_t *value;
    json_object_foreach(root, key, value)
    {
        if (strcmp(key, "timezone") && strcmp(key, "approvers")) {
            char *pointer = g_strdup_printf("/%s", key);
            int ret = igp_json_error_at(t->path, t->text, t->len, pointer,
                                        _("unknown key '%s' (known: timezone, approvers)"), key);
            g_free(pointer);
            return ret;
        }
    }
    return 0;
}

static int read_timezone(const ConfigText *t, json_t *root, IgpConfig *cfg)
{
    json_t *value = json_object_get(root, "timezone");
    const char *name = IGP_DEFAULT_TIMEZONE;
    if (value) {
        if (!json_is_string(value) || !*json_string_value(value))
            return igp_json_error_at(t->path, t->text, t->len, "/timezone",
                                     _("'timezone' must be a zone name such as \"Asia/Tokyo\""));
        name = json_string_value(value);
    }
    cfg->zone = g_time_zone_new_identifier(name);
    if (!cfg->zone)
        return igp_json_error_at(t->path, t->text, t->len, "/timezone",
                                 _("'timezone' names no known zone: '%s'"), name);
    cfg->timezone = g_strdup(name);
    return 0;
}

static int is_blank(const char *s)
{
    for (; *s; s++)
        if (!g_ascii_isspace(*s))
            return 0;
    return 1;
}

static int read_approver(const ConfigText *t, json_t *entry, size_t i, IgpApprover *out)
{
    char *pointer = g_strdup_printf("/approvers/%zu", i);
    int ret = 0;
    json_t *name = json_is_object(entry) ? json_object_get(entry, "name") : NULL;
    json_t *role = json_is_object(entry) ? json_object_get(entry, "role") : NULL;
    const char *key;
    json_t *value;
    if (!json_is_object(entry) || !json_is_string(name) || is_blank(json_string_value(name))) {
        ret = igp_json_error_at(t->path, t->text, t->len, pointer,
                                _("approver %zu needs a \"name\""), i + 1);
        goto out;
    }
    json_object_foreach(entry, key, value)
    {
        if (strcmp(key, "name") && strcmp(key, "role")) {
            ret = igp_json_error_at(t->path, t->text, t->len, pointer,
                                    _("approver %zu: unknown key '%s' (known: name, role)"), i + 1,
                                    key);
            goto out;
        }
    }
    if (role && !json_is_string(role)) {
        ret = igp_json_error_at(t->path, t->text, t->len, pointer,
                                _("approver %zu: \"role\" must be a string"), i + 1);
        goto out;
    }
    out->name = g_strdup(json_string_value(name));
    out->role = g_strdup(role ? json_string_value(role) : "");
out:
    g_free(pointer);
    return ret;
}

static int read_approvers(const ConfigText *t, json_t *root, IgpConfig *cfg)
{
    json_t *list = json_object_get(root, "approvers");
    if (!list)
        return 0;
    if (!json_is_array(list))
        return igp_json_error_at(t->path, t->text, t->len, "/approvers",
                                 _("'approvers' must be a list of {\"name\": ..., \"role\": ...}"));
    cfg->approvers = g_new0(IgpApprover, json_array_size(list) + 1);
    for (size_t i = 0; i < json_array_size(list); i++) {
        int ret = read_approver(t, json_array_get(list, i), i, &cfg->approvers[i]);
        if (ret < 0)
            return ret;
        cfg->n_approvers++;
        for (size_t j = 0; j < i; j++)
            if (!strcmp(cfg->approvers[j].name, cfg->approvers[i].name)) {
                char *pointer = g_strdup_printf("/approvers/%zu", i);
                ret = igp_json_error_at(t->path, t->text, t->len, pointer,
                                        _("approver '%s' is listed twice"), cfg->approvers[i].name);
                g_free(pointer);
                return ret;
            }
    }
    return 0;
}

static char *find_file(const char *shoot_dir, const char *out_dir)
{
    const char *dirs[] = {shoot_dir, out_dir};
    for (size_t i = 0; i < G_N_ELEMENTS(dirs); i++) {
        if (!dirs[i])
            continue;
        char *path = g_build_filename(dirs[i], "igprep.json", NULL);
        if (igp_path_exists(path))
            return path;
        g_free(path);
    }
    return NULL;
}

static int parse_file(const char *path, IgpConfig *cfg)
{
    char *text = NULL;
    size_t len = 0;
    int ret = igp_read_user_file(path, IGP_READ_JSON, &text, &len);
    if (ret < 0)
        return ret;
    json_error_t jerr;
    json_t *root = igp_json_parse_text(text, &len, &jerr);
    if (!root) {
        char *where = g_strdup_printf("%s:%d:%d", path, jerr.line, jerr.column);
        ret = igp_error(IGP_ERR_INVALIDDATA, where, "%s", igp_json_error_text(&jerr));
        g_free(where);
    } else if (!json_is_object(root)) {
        ret = igp_error(IGP_ERR_INVALIDDATA, path, _("must hold one JSON object"));
    } else {
        const ConfigText t = {path, text, len};
        ret = check_root_keys(&t, root);
        if (ret == 0)
            ret = read_timezone(&t, root, cfg);
        if (ret == 0)
            ret = read_approvers(&t, root, cfg);
    }
    json_decref(root);
    free(text);
    return ret;
}

int igp_config_load(const char *shoot_dir, const char *out_dir, IgpConfig *cfg)
{
    IgpConfig loaded = {0};
    loaded.path = find_file(shoot_dir, out_dir);
    int ret;
    if (loaded.path) {
        ret = parse_file(loaded.path, &loaded);
    } else {
        loaded.zone = g_time_zone_new_identifier(IGP_DEFAULT_TIMEZONE);
        loaded.timezone = g_strdup(IGP_DEFAULT_TIMEZONE);
        ret = loaded.zone ? 0
                          : igp_error(IGP_ERR_UNSUPPORTED, "igprep.json",
                                      _("the zone %s is not installed (Debian package tzdata)"),
                                      IGP_DEFAULT_TIMEZONE);
    }
    if (ret < 0) {
        igp_config_clear(&loaded);
        return ret;
    }
    *cfg = loaded;
    return 0;
}

void igp_config_clear(IgpConfig *cfg)
{
    for (size_t i = 0; i < cfg->n_approvers; i++) {
        g_free(cfg->approvers[i].name);
        g_free(cfg->approvers[i].role);
    }
    g_free(cfg->approvers);
    g_free(cfg->timezone);
    if (cfg->zone)
        g_time_zone_unref(cfg->zone);
    g_free(cfg->path);
    memset(cfg, 0, sizeof(*cfg));
}

const IgpApprover *igp_config_find_approver(const IgpConfig *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n_approvers; i++)
        if (!strcmp(cfg->approvers[i].name, name))
            return &cfg->approvers[i];
    return NULL;
}
