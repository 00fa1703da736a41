/* cli_target.c - `partrack target ...`: plans' targets (chỉ tiêu)
 *
 * The online verbs (import, list, cascade) are in cli_target_online.c.
 * `target parse SENTENCE` reads one target sentence of a plan the way an
 * import would (target_parse) and shows what it found: for people the
 * comparator and value in words, the words they were read from, the
 * indicator and its suggested code, or why the sentence is not understood;
 * for scripts (--json) the object documented in the README ("Targets").
 * Several arguments are joined with spaces, so quoting is optional; a
 * sentence may start with "-" (a bullet pasted from a plan). No service is
 * needed. Exit codes: 0 understood, 1 not understood (or not readable:
 * invalid UTF-8, too long), 2 usage error.
 */
#include "cli_target.h"

#include "cli_target_online.h"
#include "target_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char target_usage[] =
    "usage: partrack target parse \"SENTENCE\" [--json]\n"
    "       partrack target import FILE --plan NUMBER [--unit CODE] [--year YEAR] [--dry-run]\n"
    "       partrack target list --plan NUMBER [--unit CODE] [--year YEAR] [--json]\n"
    "       partrack target cascade --plan NUMBER [--overrides FILE] [--dry-run] [--json]\n"
    "\n"
    "import sets a plan's targets from a file, cascade copies them down to the plans\n"
    "that implement it, list shows them (`partrack target VERB --help` tells more).\n"
    "\n"
    "Reads a target sentence (chỉ tiêu) from a plan - \"Chỉ số SIPAS của quận đạt tối\n"
    "thiểu 90%\", \"Phấn đấu 100% hồ sơ ... đúng hạn\", \"40-50%\", \"từ 95% trở lên\",\n"
    "\"Top 5\" - and shows its indicator, comparator and value. A sentence without a\n"
    "value, or with several, is not understood: nothing is guessed. Several\n"
    "arguments are joined with spaces. The forms read are in the README (\"Targets\").\n"
    "No service is needed.\n"
    "\n"
    "  --json   the target as JSON\n"
    "\n"
    "Exit status: 0 understood, 1 not understood, 2 usage error.\n";

/* A value without trailing zeros: 90, 95.5, 1000. */
static void format_value(double v, char *buf, size_t len)
{
    snprintf(buf, len, "%.6f", v);
    char *dot = strchr(buf, '.');
    if (!dot)
        return;
    char *end = buf + strlen(buf);
    while (end > dot + 1 && end[-1] == '0')
        *--end = '\0';
    if (end == dot + 1)
        *dot = '\0';
}

static const char *comparator_words(const target_t *t)
{
    switch (t->comparator) {
    case TARGET_CMP_GE: return t->strict ? "trên / more than" : "tối thiểu / at least";
    case TARGET_CMP_LE: return t->strict ? "dưới / less than" : "tối đa / at most";
    case TARGET_CMP_EQ: return t->approximate ? "khoảng / about" : "bằng / equal to";
    case TARGET_CMP_RANGE: return "trong khoảng / from .. to";
    case TARGET_CMP_RANK_LE: return "xếp hạng / ranked";
    default: return "?";
    }
}

static void print_target(const target_t *t)
{
    printf("Câu / sentence: \"%s\"\n", t->sentence);
    if (!t->understood) {
        printf("Không hiểu / not understood: %s\n", t->reason ? t->reason : "?");
        return;
    }
    char v[64], h[64];
    format_value(t->value, v, sizeof v);
    format_value(t->value_high, h, sizeof h);
    const char *unit = t->unit ? t->unit : "";
    const char *space = t->unit && strcmp(t->unit, "%") != 0 ? " " : "";
    printf("Chỉ tiêu / target: %s", target_comparator_name(t->comparator));
    if (t->comparator == TARGET_CMP_RANGE)
        printf(" %s-%s%s%s", v, h, space, unit);
    else if (t->comparator == TARGET_CMP_RANK_LE)
        printf(" %s (hạng %s trở lên / rank %s or better)", v, v, v);
    else
        printf(" %s%s%s", v, space, unit);
    printf(" [%s%s]\n", comparator_words(t),
           t->approximate && t->comparator == TARGET_CMP_RANGE ? ", khoảng / approximate" : "");
    printf("Đọc từ / read from: \"%s\"\n", t->matched ? t->matched : "");
    printf("Chỉ số / indicator: %s\n", t->indicator ? t->indicator : "—");
    printf("Mã gợi ý / suggested code: %s\n", t->code ? t->code : "—");
    if (t->context)
        printf("Ngữ cảnh / context (no value): %s\n", t->context);
}

static int verb_parse(int argc, char **argv)
{
    bool json = false, help = false;
    const cli_option_t options[] = {
        {"json", NULL, &json, NULL, NULL},
        {NULL, NULL, NULL, NULL, NULL},
    };
    char **pos = NULL, *sentence = NULL;
    int npos = 0;
    int rc = cli_parse(argc, argv, options, target_usage, &pos, &npos, &help);
    if (rc != CLI_OK || help)
        goto out;
    if (npos == 0) {
        fprintf(stderr, "partrack: target parse needs a sentence\n\n%s", target_usage);
        rc = CLI_USAGE;
        goto out;
    }
    size_t len = 0;
    for (int i = 0; i < npos; i++)
        len += strlen(pos[i]) + 1;
    sentence = malloc(len);
    if (!sentence) {
        fprintf(stderr, "partrack: out of memory\n");
        rc = CLI_REFUSED;
        goto out;
    }
    size_t at = 0;
    for (int i = 0; i < npos; i++) {
        size_t n = strlen(pos[i]);
        if (i)
            sentence[at++] = ' ';
        memcpy(sentence + at, pos[i], n);
        at += n;
    }
    sentence[at] = '\0';
    char err[256];
    target_t *t = NULL;
    if (target_parse(sentence, &t, err, sizeof err) < 0) {
        fprintf(stderr, "partrack: cannot read the sentence: %s\n", err);
        rc = CLI_REFUSED;
        goto out;
    }
    if (json) {
        json_t *o = target_to_json(t);
        if (!o) {
            fprintf(stderr, "partrack: out of memory\n");
            target_destroy(&t);
            rc = CLI_REFUSED;
            goto out;
        }
        cli_print_json(o);
    } else {
        print_target(t);
    }
    rc = t->understood ? CLI_OK : CLI_REFUSED;
    target_destroy(&t);
out:
    free(sentence);
    free(pos);
    return rc;
}

int cli_target(cli_t *cli, int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(cli_t *, int, char **);
    } online[] = {
        {"import", cli_target_import},
        {"list", cli_target_list},
        {"cascade", cli_target_cascade},
    };
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(target_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (strcmp(argv[1], "parse") == 0)
        return verb_parse(argc - 1, argv + 1);
    for (size_t i = 0; i < sizeof online / sizeof online[0]; i++)
        if (strcmp(argv[1], online[i].name) == 0)
            return cli_run_online(cli, online[i].run, argc - 1, argv + 1);
    fprintf(stderr, "partrack: unknown target verb %s\n\n%s", argv[1], target_usage);
    return CLI_USAGE;
}
