#include "checks.h"

#include "i18n.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

void igp_report_init(IgpFileReport *r, const char *file, const char *kind)
{
    r->checks = json_array();
    r->json = json_pack("{s:s, s:s, s:o}", "file", file, "kind", kind, "checks", r->checks);
    r->ok = 1;
}

void igp_check(IgpFileReport *r, const char *name, int ok, json_t *value, const char *limit)
{
    json_t *c = json_pack("{s:s, s:b, s:o}", "check", name, "ok", ok, "value", value);
    if (limit)
        json_object_set_new(c, "limit", json_string(limit));
    json_array_append_new(r->checks, c);
    r->ok &= ok;
}

static void set_on_last(IgpFileReport *r, const char *key, const char *text)
{
    json_t *last = json_array_get(r->checks, json_array_size(r->checks) - 1);
    if (last && text)
        json_object_set_new(last, key, json_string(text));
}

void igp_check_says(IgpFileReport *r, const char *message)
{
    set_on_last(r, "message", message);
}

void igp_check_warns(IgpFileReport *r, const char *warning)
{
    set_on_last(r, "warning", warning);
}

/* A number as people write it: whole numbers as they are, others to 4
 * significant digits (0.03, not 0.029999999999999999). */
static void append_number(GString *s, double v)
{
    if (v == floor(v) && fabs(v) < 1e15)
        g_string_append_printf(s, "%.0f", v);
    else if (fabs(v) >= 1000)
        g_string_append_printf(s, "%.0f", v);
    else
        g_string_append_printf(s, "%.4g", v);
}

static void append_value(GString *s, const json_t *v)
{
    const char *key;
    json_t *item;
    size_t i;

    switch (json_typeof(v)) {
    case JSON_STRING:
        /* Words the checks record (N_() where they are made) read in the
         * user's language; anything else (a codec, a size) is unchanged. */
        g_string_append(s, *json_string_value(v) ? _(json_string_value(v)) : "");
        break;
    case JSON_INTEGER:
    case JSON_REAL:
        append_number(s, json_number_value(v));
        break;
    case JSON_TRUE:
    case JSON_FALSE:
        g_string_append(s, json_is_true(v) ? _("yes") : _("no"));
        break;
    case JSON_ARRAY:
        if (json_array_size(v) == 0)
            g_string_append(s, _("none"));
        json_array_foreach(v, i, item)
        {
            if (i)
                g_string_append(s, ", ");
            append_value(s, item);
        }
        break;
    case JSON_OBJECT:
        i = 0;
        json_object_foreach((json_t *)v, key, item)
        {
            g_string_append_printf(s, "%s%s ", i++ ? ", " : "", key);
            append_value(s, item);
        }
        break;
    default:
        g_string_append(s, _("nothing"));
    }
}

char *igp_check_value_text(const json_t *value)
{
    GString *s = g_string_new(NULL);
    append_value(s, value);
    return g_string_free(s, FALSE);
}

/* A check's name as people read it (the names themselves are report keys). */
static const char *check_title(const char *name)
{
    static const char *const titles[][2] = {
        {"aspect", N_("aspect ratio")},
        {"audio_bitrate", N_("audio bitrate")},
        {"audio_channels", N_("audio channels")},
        {"audio_codec", N_("audio codec")},
        {"audio_profile", N_("audio profile")},
        {"audio_rate", N_("audio sample rate")},
        {"audio_track", N_("audio track")},
        {"bytes", N_("file size in bytes")},
        {"closed_gop", N_("frames referring across a keyframe")},
        {"colour", N_("colour")},
        {"components", N_("colour components")},
        {"dimensions", N_("dimensions")},
        {"duration", N_("duration")},
        {"edit_lists", N_("edit lists")},
        {"exif_tags", N_("EXIF tags")},
        {"expected", N_("origin")},
        {"faces_hidden", N_("hidden faces")},
        {"faces_hidden_in_post", N_("hidden faces in the post")},
        {"faststart", N_("fast start")},
        {"format", N_("format")},
        {"fps", N_("frame rate")},
        {"frame_rate", N_("frame rate")},
        {"keyframe_interval", N_("keyframe interval")},
        {"level", N_("H.264 level")},
        {"loudness", N_("loudness")},
        {"metadata", N_("metadata")},
        {"pix_fmt", N_("pixel format")},
        {"profile", N_("H.264 profile")},
        {"progressive", N_("scan")},
        {"streams", N_("streams")},
        {"structure", N_("structure")},
        {"tags", N_("tags")},
        {"trailing_bytes", N_("bytes after the end of the image")},
        {"true_peak", N_("true peak")},
        {"video_bitrate", N_("video bitrate")},
        {"video_codec", N_("video codec")},
        {"video_track", N_("video track")},
        {"width", N_("width")},
    };
    for (size_t i = 0; name && i < sizeof(titles) / sizeof(titles[0]); i++)
        if (!strcmp(titles[i][0], name))
            return _(titles[i][1]);
    return name ? name : _("a check");
}

char *igp_check_sentence(const json_t *check)
{
    const char *message = json_string_value(json_object_get(check, "message"));
    const char *limit = json_string_value(json_object_get(check, "limit"));
    const char *name = check_title(json_string_value(json_object_get(check, "check")));
    char *value, *out;

    if (message)
        return g_strdup(message);
    value = igp_check_value_text(json_object_get(check, "value"));
    /* The limit is recorded in English (N_() where it is made): say it in the user's language. */
    if (limit)
        out = g_strdup_printf(
            _("%s is %s, expected %s; make the file again with igprep run and do not edit it"),
            name, value, _(limit));
    else
        out = g_strdup_printf(_("%s is %s; make the file again with igprep run and do not edit it"),
                              name, value);
    g_free(value);
    return out;
}

const char *igp_check_subject(const json_t *file_report, const json_t *check)
{
    const char *file = json_string_value(json_object_get(json_object_get(check, "value"), "file"));
    return file ? file : json_string_value(json_object_get(file_report, "file"));
}

json_t *igp_report_finish(IgpFileReport *r)
{
    json_object_set_new(r->json, "ok", json_boolean(r->ok));
    return r->json;
}

void igp_check_findings(IgpFileReport *r, int ok, const IgpFindings *found, const char *limit)
{
    igp_check(r, "metadata", ok, igp_findings_json(found), limit);
    if (!ok && found->n > 0) {
        GString *list = g_string_new(NULL);
        char *m;
        for (int i = 0; i < found->n; i++)
            g_string_append_printf(list, "%s%s", i ? _(", ") : "", found->shown[i]);
        m = g_strdup_printf(_("it still carries %s, which must not be there; make the file again "
                              "with igprep run and do not edit it"),
                            list->str);
        igp_check_says(r, m);
        g_free(m);
        g_string_free(list, TRUE);
    }
}

json_t *igp_findings_json(const IgpFindings *found)
{
    json_t *a = json_array();
    for (int i = 0; i < found->n; i++)
        json_array_append_new(a, json_string(found->items[i]));
    return a;
}

double igp_correlation(const double *a, const double *b, int n, double flat)
{
    double ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;
    for (int i = 0; i < n; i++)
        ma += a[i], mb += b[i];
    ma /= n, mb /= n;
    for (int i = 0; i < n; i++) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    return saa < flat || sbb < flat ? 0 : sab / sqrt(saa * sbb);
}
