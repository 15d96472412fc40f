/* Locating JSON Pointers in text: the line and column editors are sent to. */
#include "check.h"
#include "jsonpos.h"

static const char doc[] =
    "{\n"
    "  \"version\": 1,\n"
    "  \"posts\": [\n"
    "    {\"id\": \"a\", \"media\": [{\"file\": \"x.jpg\"}]},\n"
    "    {\"id\": \"b\\\"q\", \"media\": [{\"file\": \"ö.jpg\"}, {\"file\": 3}]}\n"
    "  ]\n"
    "}\n";

static void at(const char *pointer, int want_ret, int want_line, int want_col)
{
    int line = -1, col = -1;
    int ret = igp_json_locate(doc, sizeof(doc) - 1, pointer, &line, &col);
    CHECK_INT(ret, want_ret);
    CHECK_INT(line, want_line);
    CHECK_INT(col, want_col);
}

/* The same answers through a cursor, in any order of lookups. */
static void cursor_agrees(void)
{
    static const char *const pointers[] = {"/posts/0/id",      "/posts/0/media/0/file",
                                           "/posts/1/id",      "/posts/1/media/1/file",
                                           "/posts/1/missing", "/posts/0/media/0/file",
                                           "/posts/7",         "/version",
                                           "/posts/1/id",      "",
                                           "/posts/0"};
    IgpJsonCursor cursor = {0};

    for (size_t i = 0; i < sizeof(pointers) / sizeof(*pointers); i++) {
        int line = -1, col = -1, cline = -2, ccol = -2;
        int ret = igp_json_locate(doc, sizeof(doc) - 1, pointers[i], &line, &col);
        CHECK_INT(igp_json_locate_with(&cursor, doc, sizeof(doc) - 1, pointers[i], &cline, &ccol),
                  ret);
        CHECK_INT(cline, line);
        CHECK_INT(ccol, col);
    }
    igp_json_cursor_clear(&cursor);
}

int main(void)
{
    cursor_agrees();
    at("", 0, 1, 1);
    at("/version", 0, 2, 14);
    at("/posts", 0, 3, 12);
    at("/posts/0/id", 0, 4, 12);
    at("/posts/0/media/0/file", 0, 4, 36);
    at("/posts/1/id", 0, 5, 12);           /* after a string with an escaped quote */
    at("/posts/1/media/1/file", 0, 5, 58); /* columns count characters, not bytes */
    at("/posts/1/missing", 1, 5, 5);       /* missing key: the enclosing object */
    at("/posts/7", 1, 3, 12);              /* out of range: the array */
    return check_done();
}
