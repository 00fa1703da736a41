/* cli_score_forecast.c - `partrack score compute --forecast`: the year-end forecast, printed
 *
 * Each unit's forecast is made from its facts for the year (the year so
 * far) and the year before's, as of --as-of, else the date its facts say
 * (`as_of`), else today (Asia/Ho_Chi_Minh), kept within the year. One unit
 * is shown in detail: every area so far and forecast (with --explain every
 * criterion's forecast line), both totals, then the assumptions. Several
 * units give a table ranked on the forecast, then each unit's assumptions.
 * --json gives the object the README documents ("Forecast").
 */
#include "cli_score_forecast.h"

#include "cli_common.h"
#include "score_explain.h"
#include "score_forecast.h"
#include "score_json.h"
#include "score_period.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int cli_score_forecast_year(const score_data_t *d, const cli_forecast_opts_t *o)
{
    int year = 0;
    if (o->has_as_of) {
        score_date_split(o->as_of, &year, NULL, NULL);
        return year;
    }
    for (size_t i = 0; i < d->nunits; i++)
        for (size_t y = 0; y < d->units[i].nyears; y++)
            if (d->units[i].years[y].year > year)
                year = d->units[i].years[y].year;
    return year;
}

/* Today in Hà Nội (UTC+7, no DST) as a day number. */
static int today(void)
{
    return (int)((time(NULL) + 7 * 3600) / 86400);
}

static int unit_as_of(const score_facts_t *f, int year, const cli_forecast_opts_t *o)
{
    if (o->has_as_of)
        return o->as_of;
    if (f->has_as_of)
        return f->as_of;
    int first = 0, last = 0, now = today();
    score_date_make(year, 1, 1, &first);
    score_date_make(year, 12, 31, &last);
    return now < first ? first : now > last ? last : now;
}

/* A number of a result's JSON, written as documents write them. */
static const char *number(const json_t *o, const char *key, char *buf, size_t len)
{
    return score_format_number(json_number_value(json_object_get(o, key)), buf, len);
}

void cli_score_forecast_print_unit(const json_t *unit, bool explain)
{
    const json_t *who = json_object_get(unit, "unit");
    const json_t *now = json_object_get(unit, "current"), *end = json_object_get(unit, "forecast");
    const json_t *now_nodes = json_object_get(now, "nodes"),
                 *end_nodes = json_object_get(end, "nodes");
    char date[16], a[24], b[24], c[24], d[24];
    int as_of = 0;
    score_date_parse(json_string_value(json_object_get(unit, "as_of")), &as_of);
    printf("%s (%s), số liệu đến ngày %s\n", json_string_value(json_object_get(who, "name")),
           json_string_value(json_object_get(who, "code")),
           score_date_format(as_of, date, sizeof date));
    size_t i;
    const json_t *node;
    json_array_foreach(end_nodes, i, node)
    {
        const json_t *was = json_array_get(now_nodes, i);
        const char *code = json_string_value(json_object_get(node, "code"));
        const char *name = json_string_value(json_object_get(node, "name"));
        if (json_integer_value(json_object_get(node, "depth")) != 1)
            continue;
        if (strcmp(json_string_value(json_object_get(node, "state")), "not_applicable") == 0) {
            printf("  %s %s: không áp dụng\n", code, name);
            continue;
        }
        printf("  %s %s: đến nay %s/%s, dự báo %s/%s điểm\n", code, name,
               number(was, "points", a, sizeof a), number(was, "max", b, sizeof b),
               number(node, "points", c, sizeof c), number(node, "max", d, sizeof d));
    }
    if (explain) {
        printf("Dự báo từng tiêu chí:\n");
        json_array_foreach(end_nodes, i, node)
        {
            printf("%*s%s\n", 2 * (int)json_integer_value(json_object_get(node, "depth")), "",
                   json_string_value(json_object_get(node, "explain")));
        }
    }
    printf("Đến nay — %s\n", json_string_value(json_object_get(now, "explain")));
    printf("Dự báo cuối năm — %s\n", json_string_value(json_object_get(end, "explain")));
    json_int_t of = json_integer_value(json_object_get(end, "of"));
    if (of > 1)
        printf("Hạng dự báo: %d/%d\n", (int)json_integer_value(json_object_get(end, "rank")),
               (int)of);
    const json_t *assumptions = json_object_get(end, "assumptions");
    printf("Giả định (%zu):\n", json_array_size(assumptions));
    json_array_foreach(assumptions, i, node)
    {
        printf("  - %s\n", json_string_value(json_object_get(node, "text")));
    }
}

static void print_assumptions(const score_forecast_t *f, const char *unit_code)
{
    printf("Giả định (%zu):\n", f->nassumptions);
    for (size_t i = 0; i < f->nassumptions; i++)
        printf("  - %s: %s\n", unit_code, f->assumptions[i].text);
}

static json_t *forecast_json(const cli_forecast_row_t *row, const score_forecast_t *f,
                             const score_rank_item_t *rank)
{
    json_t *current = score_result_to_json(row->in, row->result);
    json_t *end = score_result_to_json(f->in, f->result);
    json_t *assumptions = json_array();
    char date[16];
    if (!current || !end || !assumptions)
        goto fail;
    for (size_t i = 0; i < f->nassumptions; i++) {
        const score_assumption_t *x = &f->assumptions[i];
        json_t *o =
            json_pack("{s:s, s:o, s:s}", "kind", score_assumption_kind_name(x->kind), "node",
                      x->node > 0 ? json_string(f->scheme->nodes[x->node].code) : json_null(),
                      "text", x->text);
        if (!o || json_array_append_new(assumptions, o) < 0)
            goto fail;
    }
    json_object_set_new(end, "rank", rank->of > 1 ? json_integer(rank->rank) : json_null());
    json_object_set_new(end, "of", json_integer(rank->of));
    json_object_set_new(end, "on_time_share", json_real(score_round2(100.0 * f->on_time_share)));
    json_object_set_new(end, "assumptions", assumptions);
    return json_pack("{s:{s:s, s:s, s:s, s:o}, s:i, s:s, s:o, s:o}", "unit", "code",
                     row->unit->code, "name", row->unit->name, "kind", row->unit->kind, "parent",
                     cli_json_string(row->unit->parent), "year", f->year, "as_of",
                     score_date_iso(f->as_of, date, sizeof date), "current", current, "forecast",
                     end);
fail:
    json_decref(current);
    json_decref(end);
    json_decref(assumptions);
    return NULL;
}

int cli_score_forecast(const score_scheme_t *s, int year, const cli_forecast_row_t *rows,
                       size_t nrows, const cli_forecast_opts_t *o)
{
    int rc = CLI_REFUSED;
    score_forecast_t **f = calloc(nrows + 1, sizeof *f);
    score_rank_item_t *ranks = calloc(nrows + 1, sizeof *ranks);
    size_t *order = calloc(nrows + 1, sizeof *order);
    char err[256];
    if (!f || !ranks || !order) {
        fprintf(stderr, "partrack: out of memory\n");
        goto out;
    }
    for (size_t i = 0; i < nrows; i++) {
        const score_facts_t *last = score_unit_year(rows[i].unit, year - 1);
        f[i] = score_forecast_new(s, rows[i].facts, last, unit_as_of(rows[i].facts, year, o), err,
                                  sizeof err);
        if (!f[i]) {
            fprintf(stderr, "partrack: %s: %s\n", rows[i].unit->code, err);
            goto out;
        }
        ranks[i] = (score_rank_item_t){rows[i].unit->kind, rows[i].unit->parent,
                                       f[i]->result->score, 0, 0};
    }
    if (score_rank(ranks, nrows, o->peers) < 0) {
        fprintf(stderr, "partrack: out of memory\n");
        goto out;
    }
    for (size_t i = 0; i < nrows; i++)
        order[i] = i;
    for (size_t i = 1; i < nrows; i++) { /* insertion sort on the forecast rank: stable */
        size_t x = order[i], j = i;
        while (j > 0 && ranks[order[j - 1]].rank > ranks[x].rank) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = x;
    }
    if (o->json) {
        json_t *units = json_array();
        for (size_t k = 0; k < nrows && units; k++) {
            size_t i = order[k];
            if (o->only && rows[i].unit != o->only)
                continue;
            json_t *u = forecast_json(&rows[i], f[i], &ranks[i]);
            if (!u || json_array_append_new(units, u) < 0) {
                json_decref(units);
                units = NULL;
            }
        }
        json_t *root =
            units ? json_pack("{s:{s:s, s:s, s:s, s:i, s:f, s:s}, s:s, s:i, s:s, s:o}", "scheme",
                              "file", o->scheme_path, "code", s->code, "name", s->name, "year",
                              s->year, "max", s->max, "level", s->level, "data", o->data_path,
                              "year", year, "peers",
                              o->peers == SCORE_PEERS_PARENT ? "parent" : "level", "units", units)
                  : NULL;
        if (!root) {
            fprintf(stderr, "partrack: out of memory\n");
            goto out;
        }
        char *text =
            json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
        json_decref(root);
        if (!text) {
            fprintf(stderr, "partrack: out of memory\n");
            goto out;
        }
        puts(text);
        free(text);
    } else if (o->only || nrows == 1) {
        printf("Dự báo %s năm %d (bộ tiêu chí %s, %d)\n", s->name, year, s->code, s->year);
        for (size_t i = 0; i < nrows; i++) {
            if (o->only && rows[i].unit != o->only)
                continue;
            json_t *u = forecast_json(&rows[i], f[i], &ranks[i]);
            if (!u) {
                fprintf(stderr, "partrack: out of memory\n");
                goto out;
            }
            cli_score_forecast_print_unit(u, o->explain);
            json_decref(u);
        }
    } else {
        printf("Dự báo %s năm %d (bộ tiêu chí %s, %d): %zu đơn vị\n", s->name, year, s->code,
               s->year, nrows);
        printf("hạng   ");
        cli_print_padded("đơn vị", 28);
        printf(" đến nay  dự báo   chỉ số   loại  số liệu đến\n");
        for (size_t k = 0; k < nrows; k++) {
            size_t i = order[k];
            char rank[32], a[24], b[24], c[24], p[32], date[16];
            snprintf(rank, sizeof rank, "%d/%d", ranks[i].rank, ranks[i].of);
            cli_print_padded(rank, 6);
            printf(" ");
            cli_print_padded(rows[i].unit->name, 28);
            printf(" ");
            cli_print_padded(score_format_number(rows[i].result->score, a, sizeof a), 8);
            printf(" ");
            cli_print_padded(score_format_number(f[i]->result->score, b, sizeof b), 8);
            printf(" ");
            snprintf(p, sizeof p, "%s%%", score_format_number(f[i]->result->index, c, sizeof c));
            cli_print_padded(p, 8);
            printf(" %s     %s\n", score_grade_name(f[i]->result->grade),
                   score_date_format(f[i]->as_of, date, sizeof date));
        }
        for (size_t k = 0; k < nrows; k++)
            print_assumptions(f[order[k]], rows[order[k]].unit->code);
    }
    rc = CLI_OK;
out:
    for (size_t i = 0; f && i < nrows; i++)
        score_forecast_destroy(&f[i]);
    free(f);
    free(ranks);
    free(order);
    return rc;
}
