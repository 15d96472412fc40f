/* The SRT reader: BOM, CRLF, multi-line cues, tags, and errors that name
 * FILE:LINE and what is wrong. */
#include "check.h"
#include "error.h"
#include "srt.h"

#include <math.h>
#include <string.h>

static IgpSrt *parse(const char *text, int want_ret)
{
    IgpSrt *srt = NULL;
    igp_error_clear();
    CHECK_INT(igp_srt_parse("x.srt", text, strlen(text), &srt), want_ret);
    CHECK(want_ret ? srt == NULL : srt != NULL);
    return srt;
}

static void fails(const char *text, const char *where, const char *what)
{
    IgpSrt *srt = parse(text, IGP_ERR_INVALIDDATA);
    CHECK_CONTAINS(igp_error_buffer(), where);
    CHECK_CONTAINS(igp_error_buffer(), what);
    igp_srt_free(&srt);
}

int main(void)
{
    IgpSrt *srt;

    /* BOM, CRLF, a two-line cue, tags, a cue without a number, trailing blank lines. */
    srt = parse(
        "\xEF\xBB\xBF"
        "1\r\n00:00:01,000 --> 00:00:03,500\r\nこんにちは。\r\n<i>のびすく</i>へようこそ\r\n\r\n"
        "2\r\n00:00:03,500 --> 00:00:05,250 X1:10 X2:20\r\n{\\an8}二つ目\r\n\r\n"
        "00:01:02.003 --> 01:00:00,000\r\n三つ目\r\n\r\n\r\n",
        0);
    CHECK_INT(srt->n_cues, 3);
    CHECK_INT(srt->cues[0].number, 1);
    CHECK_INT(srt->cues[0].line, 2); /* the timing line; the BOM shifts no line */
    CHECK(fabs(srt->cues[0].start - 1.0) < 1e-9 && fabs(srt->cues[0].end - 3.5) < 1e-9);
    CHECK(!strcmp(srt->cues[0].text, "こんにちは。\nのびすくへようこそ"));
    CHECK(!strcmp(srt->cues[1].text, "二つ目"));
    CHECK(fabs(srt->cues[2].start - 62.003) < 1e-9 && fabs(srt->cues[2].end - 3600) < 1e-9);
    CHECK_INT(srt->cues[2].number, 0);
    /* Which cue at which time: start inclusive, end exclusive. */
    CHECK_INT(igp_srt_cue_at(srt, 0.999), -1);
    CHECK_INT(igp_srt_cue_at(srt, 1.0), 0);
    CHECK_INT(igp_srt_cue_at(srt, 3.499), 0);
    CHECK_INT(igp_srt_cue_at(srt, 3.5), 1);
    CHECK_INT(igp_srt_cue_at(srt, 5.25), -1);
    CHECK_INT(igp_srt_cue_at(srt, 62.003), 2);
    CHECK_INT(igp_srt_cue_at(srt, 4000), -1);
    igp_srt_free(&srt);
    CHECK(srt == NULL);

    /* LF only, a number, three lines. */
    srt = parse("7\n00:00:00,000 --> 00:00:00,001\na\nb\nc\n", 0);
    CHECK_INT(srt->n_cues, 1);
    CHECK(!strcmp(srt->cues[0].text, "a\nb\nc"));
    igp_srt_free(&srt);

    /* Errors: FILE:LINE and the reason. */
    fails("1\n00:00:05,000 --> 00:00:04,000\nx\n", "x.srt:2", "ends (4.000 s) before it starts");
    fails("1\n00:00:05,000 --> 00:00:05,000\nx\n", "x.srt:2", "before it starts");
    fails("1\n00:00:01,000 --> 00:00:03,000\na\n\n2\n00:00:02,000 --> 00:00:04,000\nb\n", "x.srt:6",
          "before the previous cue (line 2) ends at 3.000 s");
    fails("1\n00:00:05,000 --> 00:00:06,000\na\n\n2\n00:00:01,000 --> 00:00:02,000\nb\n", "x.srt:6",
          "overlap or go backwards");
    fails("1\n00:00:01 --> 00:00:02,000\na\n", "x.srt:2", "bad timing line");
    fails("1\n00:00:01,000 -> 00:00:02,000\na\n", "x.srt:1", "expected a cue number");
    fails("1\n00:61:01,000 --> 00:62:02,000\na\n", "x.srt:2", "below 60");
    fails("1\n00:00:01,000 --> 00:00:02,000\n\n", "x.srt:2", "no text");
    fails("1\n00:00:01,000 --> 00:00:02,000\na\n\nhello\n", "x.srt:5", "expected a cue number");
    fails("\n\n", "x.srt:1", "no subtitles");
    fails("1\n00:00:01,000 --> 00:00:02,000\na\n2\n00:00:03,000 --> 00:00:04,000\nb\n", "x.srt:5",
          "a blank line is missing");
    fails("1\n00:00:01,000 --> 00:00:02,000\n\x82\xb1\x82\xf1\n", "x.srt:3", "not UTF-8");

    /* A missing file names the file. */
    igp_error_clear();
    CHECK(igp_srt_load("/nonexistent/sub.srt", &srt) != 0);
    CHECK_CONTAINS(igp_error_buffer(), "/nonexistent/sub.srt");
    return check_done();
}
