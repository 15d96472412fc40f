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

int main(void)
{
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
