/* review server: libmicrohttpd on 127.0.0.1 only. Routes:
 *   GET  /                      the page (DATA/share/review/index.html)
 *   GET  /<file>                the page's own files (app.js, style.css)
 *   GET  /api/state             the faces and decisions (marks.c)
 *   POST /api/changes           save decisions, answer the new state
 *   GET  /preview/<media>       a photo's redacted preview (preview.c)
 *   GET  /out/<path>            a file of OUT (masters, review sheets)
 *   GET  /shoot/<path>          a file of the shoot folder
 * Every request must name this server in Host (and in Origin when it has
 * one): another web page, or a DNS name rebound to 127.0.0.1, gets 403.
 * Paths stay inside their folder (no "..", no dot files, no symbolic link
 * leading out): anything else is 404. */
#include "review.h"

#include "error.h"
#include "fsutil.h"
#include "i18n.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <microhttpd.h>

/* A save is a few changes; anything bigger is refused before it is read. */
#define MAX_BODY (1 << 20)
/* Threads answering requests: two tabs saving while a video streams. */
#define POOL_THREADS 4

typedef struct Server {
    IgpReview *review;
    unsigned port;
    char *hosts[2];   ///< "127.0.0.1:PORT", "localhost:PORT"
    char *origins[2]; ///< "http://" + each
} Server;

/* A request's body as it arrives (POST). */
typedef struct Upload {
    GString *body;
    int too_big;
} Upload;

static const char *const security_headers[][2] = {
    {"X-Content-Type-Options", "nosniff"},
    {"Cache-Control", "no-store"},
    {"Referrer-Policy", "no-referrer"},
    {"X-Frame-Options", "DENY"},
    {"Content-Security-Policy", "default-src 'self'; img-src 'self' blob: data:; media-src 'self'; "
                                "style-src 'self'; script-src 'self'; frame-ancestors 'none'"},
};

static enum MHD_Result send_response(struct MHD_Connection *c, unsigned status,
                                     struct MHD_Response *res, const char *type)
{
    enum MHD_Result ret;

    if (!res)
        return MHD_NO;
    for (size_t i = 0; i < G_N_ELEMENTS(security_headers); i++)
        MHD_add_response_header(res, security_headers[i][0], security_headers[i][1]);
    if (type)
        MHD_add_response_header(res, "Content-Type", type);
    ret = MHD_queue_response(c, status, res);
    MHD_destroy_response(res);
    return ret;
}

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status, const char *text)
{
    char *body = g_strdup_printf("%s\n", text);
    size_t len = strlen(body);
    return send_response(c, status,
                         MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE),
                         "text/plain; charset=utf-8");
}

static enum MHD_Result send_json(struct MHD_Connection *c, unsigned status, json_t *doc)
{
    char *text = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(10));
    size_t len = text ? strlen(text) : 0;
    json_decref(doc);
    if (!text)
        return send_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, _("cannot write JSON"));
    return send_response(c, status,
                         MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE),
                         "application/json");
}

static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status)
{
    json_t *doc = json_pack("{s:s}", "error", igp_error_buffer());
    igp_error_clear();
    return send_json(c, status, doc);
}

static const char *content_type(const char *path)
{
    static const char *const types[][2] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".mp4", "video/mp4"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(types); i++)
        if (g_str_has_suffix(path, types[i][0]))
            return types[i][1];
    return "application/octet-stream";
}

/* "bytes=FIRST-[LAST]" (RFC 9110 14.1.2, one range): the part of a file of
 * @p size asked for. 0 when it asks for one this file has, else -1 (the whole
 * file is sent). The header's grammar is small enough for sscanf. */
static int parse_range(const char *header, uint64_t size, uint64_t *first, uint64_t *last)
{
    unsigned long long a = 0, b = 0;
    char tail = 0;
    int n;

    if (!header || size == 0)
        return -1;
    n = sscanf(header, "bytes=%llu-%llu%c", &a, &b, &tail);
    if (n == 1)
        b = size - 1;
    else if (n != 2)
        return -1;
    if (a > b || a >= size)
        return -1;
    *first = a;
    *last = MIN(b, size - 1);
    return 0;
}

/* Any component that is empty, "." or "..", or starts with a dot (lock
 * files, temporaries), is not served. */
static int plain_relative(const char *rel)
{
    char **parts = g_strsplit(rel, "/", -1);
    int ok = *rel != '\0';

    for (char **p = parts; ok && *p; p++)
        ok = **p != '\0' && **p != '.';
    g_strfreev(parts);
    return ok;
}

/* Serve @p rel from inside @p folder, or 404. */
static enum MHD_Result send_file(struct MHD_Connection *c, const char *folder, const char *rel)
{
    const char *why = NULL;
    char *path = NULL;
    struct stat st;
    int fd = -1;

    if (!plain_relative(rel) || igp_path_inside(folder, rel, &path, &why) != 0 ||
        (fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0 || fstat(fd, &st) != 0 ||
        !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        g_free(path);
        return send_text(c, MHD_HTTP_NOT_FOUND, _("not found"));
    }
    const char *type = content_type(path);
    uint64_t first = 0, last = 0, size = (uint64_t)st.st_size;
    const char *range = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_RANGE);
    struct MHD_Response *res;
    enum MHD_Result ret;

    g_free(path);
    if (parse_range(range, size, &first, &last) == 0) {
        char content_range[96];
        res = MHD_create_response_from_fd_at_offset64(last - first + 1, fd, first);
        snprintf(content_range, sizeof(content_range), "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64,
                 first, last, size);
        if (res)
            MHD_add_response_header(res, MHD_HTTP_HEADER_CONTENT_RANGE, content_range);
        ret = send_response(c, MHD_HTTP_PARTIAL_CONTENT, res, type);
    } else {
        res = MHD_create_response_from_fd64(size, fd);
        ret = send_response(c, MHD_HTTP_OK, res, type);
    }
    if (!res)
        close(fd);
    return ret;
}

/* Host must be this server; Origin too when the browser sends one. */
static int own_request(const Server *s, struct MHD_Connection *c)
{
    const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
    const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
    int host_ok = 0, origin_ok = origin == NULL;

    for (int i = 0; i < 2; i++) {
        host_ok |= host && !strcmp(host, s->hosts[i]);
        origin_ok |= origin && !strcmp(origin, s->origins[i]);
    }
    return host_ok && origin_ok;
}

/* The page's language from Accept-Language ("en-US,en;q=0.9,ja;q=0.8"):
 * English when the browser ranks an English tag above every Japanese one,
 * else Japanese (the editors' language), also when it names neither. */
static const char *page_language(struct MHD_Connection *c)
{
    const char *header = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept-Language");
    char **items = g_strsplit(header ? header : "", ",", -1);
    double best_ja = -1, best_en = -1;

    for (char **item = items; *item; item++) {
        char **parts = g_strsplit(g_strstrip(*item), ";", 2);
        const char *tag = parts[0], *q = parts[1] ? strstr(parts[1], "q=") : NULL;
        double weight = q ? g_ascii_strtod(q + 2, NULL) : 1.0;
        if (!g_ascii_strncasecmp(tag, "ja", 2) && (tag[2] == '\0' || tag[2] == '-'))
            best_ja = MAX(best_ja, weight);
        else if (!g_ascii_strncasecmp(tag, "en", 2) && (tag[2] == '\0' || tag[2] == '-'))
            best_en = MAX(best_en, weight);
        g_strfreev(parts);
    }
    g_strfreev(items);
    return best_en > 0 && best_en > best_ja ? "en" : "ja";
}

static enum MHD_Result send_state(struct MHD_Connection *c, IgpReview *review)
{
    json_t *state = igp_review_state(review);
    if (!state)
        return send_error(c, MHD_HTTP_CONFLICT);
    json_object_set_new(state, "lang", json_string(page_language(c)));
    return send_json(c, MHD_HTTP_OK, state);
}

static enum MHD_Result save_changes(Server *s, struct MHD_Connection *c, Upload *up)
{
    const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    json_error_t jerr;
    json_t *body;
    int ret;

    if (up->too_big)
        return send_text(c, 413, _("request too large"));
    /* A cross-site form cannot send application/json without a preflight
     * this server never answers. */
    if (!type || !g_str_has_prefix(type, "application/json"))
        return send_text(c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, _("expected application/json"));
    body = json_loadb(up->body->str, up->body->len, 0, &jerr);
    if (!body) {
        igp_error(IGP_ERR_INVALIDDATA, "review", _("request is not JSON: %s"), jerr.text);
        return send_error(c, MHD_HTTP_BAD_REQUEST);
    }
    ret = igp_review_apply(s->review, json_object_get(body, "changes"));
    json_decref(body);
    if (ret)
        return send_error(c, ret == IGP_ERR_INVALIDDATA ? MHD_HTTP_BAD_REQUEST
                                                        : MHD_HTTP_INTERNAL_SERVER_ERROR);
    return send_state(c, s->review);
}

static enum MHD_Result send_preview(struct MHD_Connection *c, IgpReview *review, const char *media)
{
    char *path = NULL, *folder, *name;
    enum MHD_Result ret;
    int err = plain_relative(media) && !strchr(media, '/')
                  ? igp_review_preview(review, media, &path)
                  : IGP_ERR(ENOENT);

    if (err == IGP_ERR(ENOENT)) {
        igp_error_clear();
        return send_text(c, MHD_HTTP_NOT_FOUND, _("not found"));
    }
    if (err)
        return send_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR);
    folder = g_path_get_dirname(path);
    name = g_path_get_basename(path);
    ret = send_file(c, folder, name);
    g_free(folder), g_free(name), g_free(path);
    return ret;
}

static enum MHD_Result route_get(Server *s, struct MHD_Connection *c, const char *url)
{
    IgpReview *r = s->review;

    if (!strcmp(url, "/"))
        return send_file(c, r->www_dir, "index.html");
    if (!strcmp(url, "/api/state"))
        return send_state(c, r);
    if (g_str_has_prefix(url, "/preview/"))
        return send_preview(c, r, url + strlen("/preview/"));
    if (g_str_has_prefix(url, "/out/"))
        return send_file(c, r->out_dir, url + strlen("/out/"));
    if (g_str_has_prefix(url, "/shoot/"))
        return send_file(c, r->shoot_dir, url + strlen("/shoot/"));
    if (!strchr(url + 1, '/'))
        return send_file(c, r->www_dir, url + 1);
    return send_text(c, MHD_HTTP_NOT_FOUND, _("not found"));
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *data,
                              size_t *data_size, void **state)
{
    Server *s = cls;
    Upload *up = *state;

    (void)version;
    if (!own_request(s, c))
        return send_text(c, MHD_HTTP_FORBIDDEN, _("forbidden: not this review server's page"));
    if (!strcmp(method, "POST") && !strcmp(url, "/api/changes")) {
        if (!up) { /* first call: headers only */
            *state = up = g_new0(Upload, 1);
            up->body = g_string_new(NULL);
            return MHD_YES;
        }
        if (*data_size) {
            if (up->body->len + *data_size > MAX_BODY)
                up->too_big = 1;
            else
                g_string_append_len(up->body, data, (gssize)*data_size);
            *data_size = 0;
            return MHD_YES;
        }
        return save_changes(s, c, up);
    }
    if (strcmp(method, "GET") && strcmp(method, "HEAD"))
        return send_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, _("method not allowed"));
    return route_get(s, c, url);
}

static void request_done(void *cls, struct MHD_Connection *c, void **state,
                         enum MHD_RequestTerminationCode code)
{
    Upload *up = *state;

    (void)cls, (void)c, (void)code;
    if (up) {
        g_string_free(up->body, TRUE);
        g_free(up);
        *state = NULL;
    }
}

/* A listening socket on 127.0.0.1:@p port (0: any free port), its port in
 * *bound. Made here so that the port is known before any request comes. */
static int listen_loopback(unsigned port, unsigned *bound)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    socklen_t len = sizeof(addr);
    int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(fd, 64) != 0 ||
        getsockname(fd, (struct sockaddr *)&addr, &len) != 0) {
        int ret = igp_error(IGP_ERR(errno), "review", _("cannot listen on 127.0.0.1:%u: %s"), port,
                            strerror(errno));
        if (fd >= 0)
            close(fd);
        return ret;
    }
    *bound = ntohs(addr.sin_port);
    return fd;
}

int igp_review_serve(IgpReview *review, unsigned port)
{
    Server s = {.review = review};
    struct MHD_Daemon *daemon;
    sigset_t stop;
    int sig = 0, fd = listen_loopback(port, &s.port);

    if (fd < 0)
        return fd;
    s.hosts[0] = g_strdup_printf("127.0.0.1:%u", s.port);
    s.hosts[1] = g_strdup_printf("localhost:%u", s.port);
    s.origins[0] = g_strdup_printf("http://%s", s.hosts[0]);
    s.origins[1] = g_strdup_printf("http://%s", s.hosts[1]);
    /* The threads MHD starts inherit this mask: only sigwait() below sees
     * SIGINT and SIGTERM. */
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ERROR_LOG, 0,
                              NULL, NULL, handle, &s, MHD_OPTION_LISTEN_SOCKET, fd,
                              MHD_OPTION_THREAD_POOL_SIZE, (unsigned)POOL_THREADS,
                              MHD_OPTION_NOTIFY_COMPLETED, request_done, NULL,
                              MHD_OPTION_CONNECTION_TIMEOUT, 60u, MHD_OPTION_END);
    if (!daemon) {
        close(fd);
        for (int i = 0; i < 2; i++)
            g_free(s.hosts[i]), g_free(s.origins[i]);
        return igp_error(IGP_ERR_LIBRARY, "review",
                         _("cannot start the web server (libmicrohttpd)"));
    }
    printf(_("igprep review: http://127.0.0.1:%u/ (shoot %s; Ctrl-C stops)\n"), s.port,
           review->shoot_dir);
    fflush(stdout);
    while (sigwait(&stop, &sig) != 0)
        ;
    MHD_stop_daemon(daemon);
    close(fd);
    for (int i = 0; i < 2; i++)
        g_free(s.hosts[i]), g_free(s.origins[i]);
    return 0;
}
