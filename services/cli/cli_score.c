/* cli_score.c - `partrack score compute`: a scheme and a data file → scores, offline
 *
 * Reads a scoring scheme (scheme_file.h) and a data file (score_data.h),
 * checks the data against the scheme, computes every unit that has facts for
 * the scheme's year (score_compute.h), ranks them among their peers
 * (score_rank.h) this year and, from the totals the data reports for the
 * year before, last year, and prints for people either one unit in detail
 * (its areas, or with --explain every criterion's line) or a ranking table,
 * then the checks; for scripts (--json) the object documented in the README.
 * With --forecast, the year in progress is forecast to its end
 * (cli_score_forecast.h). No service is needed. Exit codes: 0 computed (checks are findings, not
 * failures), 1 unreadable or invalid scheme or data, unknown unit, 2 usage.
 */
#include "cli_score.h"

#include "cli_score_forecast.h"
#include "cli_score_service.h"

#include "scheme_file.h"
#include "score_compute.h"
#include "score_data.h"
#include "score_explain.h"
#include "score_json.h"
#include "score_period.h"
#include "score_rank.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char score_usage[] =
    "usage: partrack score compute --scheme FILE --data FILE [--unit CODE] [--peers parent|level]\n"
    "                              [--explain] [--json] [--forecast [--as-of YYYY-MM-DD]]\n"
    "       partrack score scheme|facts|set|stage|show|rank|explain|bind|forecast ...\n"
    "                              (the scoring service;\n"
    "                              `partrack score show --help`)\n"
    "\n"
    "Computes the PAR Index of every unit in the data file under the scheme, for the\n"
    "scheme's year, without any service: points at every criterion, index %, grade\n"
    "(A >= 90%, B >= 80%, C >= 70%, else D), rank among peers with ties (1, 2, 2, 4),\n"
    "the change on the year before (from the totals the data reports for it), and\n"
    "checks: reported totals against the sum of their parts, contradicting\n"
    "measurements, ratios over 100%. Formats: README, \"Scoring\".\n"
    "\n"
    "  --scheme FILE     the scheme (JSON), e.g. deploy/sample/schemes/hanoi-ward.json\n"
    "  --data FILE       units and their facts per year (JSON)\n"
    "  --unit CODE       show this unit in detail (a code, or its name); ranks are still\n"
    "                    among all units in the data. A data file of one unit shows it\n"
    "                    in detail anyway.\n"
    "  --peers WHO       parent: rank among units of the same kind and parent (default);\n"
    "                    level: among units of the same kind in the whole data\n"
    "  --explain         every criterion's line: where each point came from\n"
    "  --json            everything as JSON (explanation lines included)\n"
    "  --forecast        the year in progress (that of --as-of, else the latest in the\n"
    "                    data) forecast to its end, next to its score so far, with every\n"
    "                    assumption made (README, \"Forecast\")\n"
    "  --as-of DATE      the facts are those known at the end of DATE (default: the\n"
    "                    data's as_of, else today)\n"
    "\n"
    "Exit status: 0 computed (checks found are printed, not failures), 1 scheme or data\n"
    "unreadable or invalid, or unknown unit, 2 usage error.\n";

typedef struct {
    const score_unit_t *unit;
    const score_facts_t *facts;
    score_input_t *in;
    score_result_t *result;
    const score_facts_t *previous; /* the year before, may be NULL */
    bool has_previous;
    double previous_total;
} row_t;

static void print_padded(const char *s, int width)
{
    cli_print_padded(s, width);
}

static void print_checks(const row_t *row, bool with_unit)
{
    const score_result_t *r = row->result;
    for (size_t k = 0; k < r->nchecks; k++) {
        if (with_unit)
            printf("  ! %s: %s\n", row->unit->code, r->checks[k].message);
        else
            printf("  ! %s\n", r->checks[k].message);
    }
    if (r->checks_dropped)
        printf("  ! ... %zu more\n", r->checks_dropped);
}

static void rank_text(const row_t *row, const score_rank_item_t *cur, const score_rank_item_t *prev,
                      int prev_year, char *buf, size_t len)
{
    char change[64], n1[24];
    size_t used = 0;
#define PUT(...)                                                                                   \
    do {                                                                                           \
        if (used < len)                                                                            \
            used += (size_t)snprintf(buf + used, len - used, __VA_ARGS__);                         \
    } while (0)
    buf[0] = '\0';
    if (cur->of > 1)
        PUT("%d/%d", cur->rank, cur->of);
    else
        PUT("không xếp hạng (1 đơn vị trong nhóm)");
    if (row->has_previous) {
        PUT("; %d: %s điểm", prev_year, score_format_number(row->previous_total, n1, sizeof n1));
        if (prev->of > 1)
            PUT(", hạng %d/%d", prev->rank, prev->of);
        else if (row->previous && row->previous->reported.rank)
            PUT(", hạng %d/%d (báo cáo)", row->previous->reported.rank, row->previous->reported.of);
        if (cur->of > 1 && prev->of > 1)
            PUT(", %s", score_explain_rank_change(prev->rank, cur->rank, change, sizeof change));
        double d = row->result->score - row->previous_total;
        PUT(", %s%s điểm", d >= 0 ? "+" : "", score_format_number(d, n1, sizeof n1));
    }
#undef PUT
}

static void print_detail(const row_t *row, const score_rank_item_t *cur,
                         const score_rank_item_t *prev, int year, bool explain)
{
    const score_result_t *r = row->result;
    const score_scheme_t *s = r->scheme;
    printf("%s (%s), %d\n", row->unit->name, row->unit->code, year);
    char line[1024];
    for (size_t i = 1; i < s->nnodes; i++) {
        if (!explain && s->nodes[i].depth > 1)
            continue;
        score_explain_node(row->in, r, (int)i, line, sizeof line);
        printf("%*s%s\n", 2 * s->nodes[i].depth, "", line);
    }
    score_explain_total(r, line, sizeof line);
    printf("%s\n", line);
    rank_text(row, cur, prev, year - 1, line, sizeof line);
    printf("Hạng: %s", line);
    const score_reported_t *rep = &row->facts->reported;
    if (rep->rank && rep->of)
        printf(" (báo cáo: %d/%d)", rep->rank, rep->of);
    putchar('\n');
    if (r->nchecks) {
        printf("Kiểm tra (%zu):\n", r->nchecks + r->checks_dropped);
        print_checks(row, false);
    } else {
        printf("Kiểm tra: không có gì sai lệch\n");
    }
}

static json_t *unit_json(const row_t *row, const score_rank_item_t *cur,
                         const score_rank_item_t *prev, int year)
{
    json_t *o = score_result_to_json(row->in, row->result);
    if (!o)
        return NULL;
    char change[64];
    json_t *unit =
        json_pack("{s:s, s:s, s:s, s:o}", "code", row->unit->code, "name", row->unit->name, "kind",
                  row->unit->kind, "parent", cli_json_string(row->unit->parent));
    json_object_set_new(o, "unit", unit ? unit : json_null());
    json_object_set_new(o, "year", json_integer(year));
    json_object_set_new(o, "rank", cur->of > 1 ? json_integer(cur->rank) : json_null());
    json_object_set_new(o, "of", json_integer(cur->of));
    const score_reported_t *rep = &row->facts->reported;
    json_object_set_new(o, "reported",
                        json_pack("{s:o, s:o, s:o, s:o, s:o}", "total",
                                  rep->has_total ? json_real(rep->total) : json_null(), "appraisal",
                                  rep->has_appraisal ? json_real(rep->appraisal) : json_null(),
                                  "survey", rep->has_survey ? json_real(rep->survey) : json_null(),
                                  "rank", rep->rank ? json_integer(rep->rank) : json_null(), "of",
                                  rep->of ? json_integer(rep->of) : json_null()));
    json_t *p = json_null();
    if (row->has_previous) {
        double d = score_round2(row->result->score - row->previous_total);
        int places = cur->of > 1 && prev->of > 1 ? score_rank_change(prev->rank, cur->rank) : 0;
        p = json_pack(
            "{s:i, s:f, s:o, s:o, s:f, s:o, s:s}", "year", year - 1, "total", row->previous_total,
            "rank", prev->of > 1 ? json_integer(prev->rank) : json_null(), "of",
            prev->of ? json_integer(prev->of) : json_null(), "change_points", d, "change_places",
            cur->of > 1 && prev->of > 1 ? json_integer(places) : json_null(), "change_text",
            cur->of > 1 && prev->of > 1
                ? score_explain_rank_change(prev->rank, cur->rank, change, sizeof change)
                : "");
        if (!p)
            p = json_null();
    }
    json_object_set_new(o, "previous", p);
    return o;
}

static int verb_compute(int argc, char **argv)
{
    const char *scheme_path = NULL, *data_path = NULL, *unit_code = NULL, *peers_text = NULL;
    const char *as_of_text = NULL;
    bool json = false, explain = false, help = false, forecast = false;
    const cli_option_t options[] = {
        {"scheme", &scheme_path, NULL, NULL, NULL},
        {"data", &data_path, NULL, NULL, NULL},
        {"unit", &unit_code, NULL, NULL, NULL},
        {"peers", &peers_text, NULL, NULL, NULL},
        {"explain", NULL, &explain, NULL, NULL},
        {"json", NULL, &json, NULL, NULL},
        {"forecast", NULL, &forecast, NULL, NULL},
        {"as-of", &as_of_text, NULL, NULL, NULL},
        {NULL, NULL, NULL, NULL, NULL},
    };
    char **pos = NULL;
    int npos = 0;
    score_scheme_t *scheme = NULL;
    score_data_t *data = NULL;
    row_t *rows = NULL;
    score_rank_item_t *cur = NULL, *prev = NULL;
    size_t nrows = 0;
    problems_t *problems = calloc(1, sizeof *problems);
    int rc = cli_parse(argc, argv, options, score_usage, &pos, &npos, &help);
    if (rc != CLI_OK || help)
        goto out;
    rc = CLI_USAGE;
    if (npos > 0) {
        fprintf(stderr, "partrack: score compute takes no argument %s\n\n%s", pos[0], score_usage);
        goto out;
    }
    if (!scheme_path || !data_path) {
        fprintf(stderr, "partrack: score compute needs --scheme FILE and --data FILE\n\n%s",
                score_usage);
        goto out;
    }
    cli_forecast_opts_t fo = {scheme_path, data_path, NULL, false, 0, json, explain, 0};
    if (as_of_text && (!forecast || !score_date_parse(as_of_text, &fo.as_of))) {
        fprintf(stderr, "partrack: --as-of is a date YYYY-MM-DD, with --forecast\n");
        goto out;
    }
    fo.has_as_of = as_of_text != NULL;
    score_peers_t peers = SCORE_PEERS_PARENT;
    if (peers_text && !score_peers_parse(peers_text, &peers)) {
        fprintf(stderr, "partrack: --peers is parent or level\n");
        goto out;
    }
    rc = CLI_REFUSED;
    if (!problems) {
        fprintf(stderr, "partrack: out of memory\n");
        goto out;
    }
    char err[1024];
    if (!(scheme = scheme_file_load(scheme_path, err, sizeof err))) {
        fprintf(stderr, "partrack: the scheme is not usable: %s\n", err);
        goto out;
    }
    data = score_data_load(data_path, problems, err, sizeof err);
    int year = scheme->year;
    if (data && forecast)
        year = cli_score_forecast_year(data, &fo);
    if (data)
        score_data_check(data, scheme, problems);
    if (data && year != scheme->year)
        score_data_check_year(data, scheme, year, problems);
    if (!data || problems->n) {
        fprintf(stderr, "partrack: the data is not usable: %s\n",
                data ? "it does not fit the scheme" : err);
        for (size_t i = 0; i < problems->n; i++)
            fprintf(stderr, "%s: %s%s%s\n", problems->items[i].file,
                    problems->items[i].field ? problems->items[i].field : "",
                    problems->items[i].field ? ": " : "", problems->items[i].message);
        if (problems->dropped)
            fprintf(stderr, "... and %zu more\n", problems->dropped);
        goto out;
    }
    const score_unit_t *only = NULL;
    if (unit_code && !(only = score_data_find_unit(data, unit_code))) {
        fprintf(stderr, "partrack: no unit %s in %s (or the name fits several)\n", unit_code,
                data_path);
        goto out;
    }
    rows = calloc(data->nunits + 1, sizeof *rows);
    cur = calloc(data->nunits + 1, sizeof *cur);
    prev = calloc(data->nunits + 1, sizeof *prev);
    if (!rows || !cur || !prev) {
        fprintf(stderr, "partrack: out of memory\n");
        goto out;
    }
    for (size_t i = 0; i < data->nunits; i++) {
        const score_unit_t *u = &data->units[i];
        const score_facts_t *f = score_unit_year(u, year);
        if (!f)
            continue;
        row_t *row = &rows[nrows];
        row->unit = u;
        row->facts = f;
        row->in = score_input_new(scheme);
        row->result = score_result_new(scheme);
        nrows++;
        if (!row->in || !row->result) {
            fprintf(stderr, "partrack: out of memory\n");
            goto out;
        }
        score_input_bind(row->in, f);
        score_compute(row->in, row->result);
        row->previous = score_unit_year(u, year - 1);
        if (row->previous && row->previous->reported.has_total) {
            row->has_previous = true;
            row->previous_total = row->previous->reported.total;
        }
    }
    if (nrows == 0) {
        fprintf(stderr, "partrack: no unit in %s has data for %d, the year of %s\n", data_path,
                year, forecast ? "the forecast" : scheme_path);
        goto out;
    }
    if (only && !score_unit_year(only, year)) {
        fprintf(stderr, "partrack: %s has no data for %d\n", only->code, year);
        goto out;
    }
    for (size_t i = 0; i < nrows; i++) {
        cur[i] = (score_rank_item_t){rows[i].unit->kind, rows[i].unit->parent,
                                     rows[i].result->score, 0, 0};
        prev[i] = (score_rank_item_t){rows[i].unit->kind, rows[i].unit->parent,
                                      rows[i].has_previous ? rows[i].previous_total : NAN, 0, 0};
    }
    if (score_rank(cur, nrows, peers) < 0 || score_rank(prev, nrows, peers) < 0) {
        fprintf(stderr, "partrack: out of memory\n");
        goto out;
    }
    if (forecast) {
        cli_forecast_row_t *fr = calloc(nrows, sizeof *fr);
        if (!fr) {
            fprintf(stderr, "partrack: out of memory\n");
            goto out;
        }
        for (size_t i = 0; i < nrows; i++)
            fr[i] = (cli_forecast_row_t){rows[i].unit, rows[i].facts, rows[i].in, rows[i].result};
        fo.only = only;
        fo.peers = peers;
        rc = cli_score_forecast(scheme, year, fr, nrows, &fo);
        free(fr);
        goto out;
    }
    /* show in rank order within each peer group, groups in data order */
    size_t *order = malloc(nrows * sizeof *order);
    if (!order) {
        fprintf(stderr, "partrack: out of memory\n");
        goto out;
    }
    for (size_t i = 0; i < nrows; i++)
        order[i] = i;
    for (size_t i = 1; i < nrows; i++) { /* insertion sort: stable, small n */
        size_t x = order[i], j = i;
        while (j > 0 && cur[order[j - 1]].rank > cur[x].rank) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = x;
    }
    if (json) {
        json_t *units = json_array();
        for (size_t k = 0; k < nrows && units; k++) {
            size_t i = order[k];
            if (only && rows[i].unit != only)
                continue;
            json_array_append_new(units, unit_json(&rows[i], &cur[i], &prev[i], year));
        }
        json_t *o =
            json_pack("{s:{s:s, s:s, s:s, s:i, s:f, s:s}, s:s, s:i, s:s, s:o}", "scheme", "file",
                      scheme_path, "code", scheme->code, "name", scheme->name, "year", scheme->year,
                      "max", scheme->max, "level", scheme->level, "data", data_path, "year", year,
                      "peers", peers == SCORE_PEERS_PARENT ? "parent" : "level", "units", units);
        if (!o) {
            fprintf(stderr, "partrack: out of memory\n");
            free(order);
            goto out;
        }
        /* 12 significant digits: 95.6, not 95.599999999999994 */
        char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
        json_decref(o);
        if (!text) {
            fprintf(stderr, "partrack: out of memory\n");
            free(order);
            goto out;
        }
        puts(text);
        free(text);
    } else if (only || nrows == 1) {
        printf("%s (%s, %d)\n", scheme->name, scheme->code, year);
        for (size_t i = 0; i < nrows; i++)
            if (!only || rows[i].unit == only)
                print_detail(&rows[i], &cur[i], &prev[i], year, explain);
    } else {
        printf("%s (%s, %d): %zu đơn vị, xếp hạng %s\n", scheme->name, scheme->code, year, nrows,
               peers == SCORE_PEERS_PARENT ? "trong cùng đơn vị cấp trên và loại"
                                           : "trong cùng loại");
        printf("hạng   ");
        print_padded("đơn vị", 28);
        printf(" điểm    chỉ số   loại  %d         thay đổi\n", year - 1);
        for (size_t k = 0; k < nrows; k++) {
            size_t i = order[k];
            const row_t *row = &rows[i];
            char rank[32], a[24], b[24], c[24], p[32], change[64] = "";
            snprintf(rank, sizeof rank, "%d/%d", cur[i].rank, cur[i].of);
            print_padded(rank, 6);
            printf(" ");
            print_padded(row->unit->name, 28);
            printf(" ");
            print_padded(score_format_number(row->result->score, a, sizeof a), 7);
            printf(" ");
            snprintf(p, sizeof p, "%s%%", score_format_number(row->result->index, b, sizeof b));
            print_padded(p, 8);
            printf(" %s     ", score_grade_name(row->result->grade));
            if (row->has_previous) {
                char pr[48];
                snprintf(pr, sizeof pr, "%s %d/%d",
                         score_format_number(row->previous_total, c, sizeof c), prev[i].rank,
                         prev[i].of);
                print_padded(pr, 13);
                double d = row->result->score - row->previous_total;
                score_explain_rank_change(prev[i].rank, cur[i].rank, change, sizeof change);
                printf(" %s, %s%s điểm", change, d >= 0 ? "+" : "",
                       score_format_number(d, c, sizeof c));
            } else {
                print_padded("—", 13);
            }
            if (row->result->nchecks)
                printf("  (%zu kiểm tra)", row->result->nchecks + row->result->checks_dropped);
            putchar('\n');
        }
        bool any = false;
        for (size_t k = 0; k < nrows; k++)
            any = any || rows[order[k]].result->nchecks;
        if (any) {
            printf("Kiểm tra:\n");
            for (size_t k = 0; k < nrows; k++)
                print_checks(&rows[order[k]], true);
        }
        if (explain)
            for (size_t k = 0; k < nrows; k++) {
                putchar('\n');
                print_detail(&rows[order[k]], &cur[order[k]], &prev[order[k]], year, true);
            }
    }
    free(order);
    rc = CLI_OK;
out:
    for (size_t i = 0; i < nrows; i++) {
        score_input_destroy(&rows[i].in);
        score_result_destroy(&rows[i].result);
    }
    free(rows);
    free(cur);
    free(prev);
    score_data_destroy(&data);
    score_scheme_destroy(&scheme);
    if (problems)
        problems_clear(problems);
    free(problems);
    free(pos);
    return rc;
}

int cli_score(cli_t *cli, int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(score_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (strcmp(argv[1], "compute") == 0)
        return verb_compute(argc - 1, argv + 1);
    if (cli_score_service_verb(argv[1]))
        return cli_run_online(cli, cli_score_service, argc - 1, argv + 1);
    fprintf(stderr,
            "partrack: unknown score verb %s (compute works offline; scheme, facts, set, stage, "
            "show, rank, explain, bind and forecast ask the scoring service)\n\n%s",
            argv[1], score_usage);
    return CLI_USAGE;
}
