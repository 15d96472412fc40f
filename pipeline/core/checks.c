#include "checks.h"

#include <math.h>

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

json_t *igp_report_finish(IgpFileReport *r)
{
    json_object_set_new(r->json, "ok", json_boolean(r->ok));
    return r->json;
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
