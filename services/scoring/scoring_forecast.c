/* scoring_forecast.c - MSG_SCORE_FORECAST: a unit-year's year-end forecast from its stored facts
 *
 * The request is read, the unit looked up, the facts of the year and the
 * year before loaded with bound outcomes laid over them, and each scheme
 * (scoring_engine's cache) scores the year so far and forecasts its end
 * with scoring_lib. Everything the reply points to (scheme texts,
 * assumptions, the JSON of both results) is kept in one `forecast_t` per
 * scheme until the reply is sent, then freed in one place.
 */
#include "scoring_forecast.h"

#include "log.h"
#include "score_forecast.h"
#include "score_json.h"
#include "score_period.h"
#include "scoring.pb-c.h"
#include "scoring_outcomes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    score_input_t *in;
    score_result_t *result;
    score_forecast_t *f;
    char *current_json, *forecast_json;
    Partrack__ScoreForecast msg;
    Partrack__ScoreTotals current, forecast;
    Partrack__ScoreForecastNode *nodes, **node_ptrs;
    Partrack__ScoreAssumption *assumptions, **assumption_ptrs;
} forecast_t;

static void forecast_clear(forecast_t *x)
{
    score_input_destroy(&x->in);
    score_result_destroy(&x->result);
    score_forecast_destroy(&x->f);
    free(x->current_json);
    free(x->forecast_json);
    free(x->nodes);
    free(x->node_ptrs);
    free(x->assumptions);
    free(x->assumption_ptrs);
}

static void reply_db_failure(db_t *db, rpc_server_t *rpc, rpc_request_t *req)
{
    log_warn("forecast failed", "reason=\"%s\"", db_error(db));
    rpc_server_reply_error(rpc, req,
                           db_failure_retryable(db) ? PARTRACK__ERROR_CODE__ERR_UNAVAILABLE
                                                    : PARTRACK__ERROR_CODE__ERR_FAILED,
                           "database unavailable, try again", NULL, 0);
}

static void reply_error(rpc_server_t *rpc, rpc_request_t *req, Partrack__ErrorCode code,
                        const char *message)
{
    rpc_server_reply_error(rpc, req, code, message, NULL, 0);
}

/* Today in Hà Nội (UTC+7, no DST) as a day number. */
static int today(void)
{
    return (int)((time(NULL) + 7 * 3600) / 86400);
}

/* The as-of date and where it came from: the request's, the facts', or
 * today kept within the year (as `score compute --forecast` chooses). */
static int as_of_for(const Partrack__ScoreForecastRequest *r, int asked, const score_facts_t *f,
                     const char **from)
{
    if (r->as_of) {
        *from = "request";
        return asked;
    }
    if (f->has_as_of) {
        *from = "facts";
        return f->as_of;
    }
    int first = 0, last = 0, now = today();
    score_date_make(r->year, 1, 1, &first);
    score_date_make(r->year, 12, 31, &last);
    *from = "today";
    return now < first ? first : now > last ? last : now;
}

/* The schemes for the unit's kind of the year, else of the latest year
 * before it that has some (one code when asked): rows (id, version, text). */
static PGresult *schemes_for(db_t *db, const char *kind, int year, const char *code)
{
    char y[16];
    snprintf(y, sizeof y, "%d", year);
    const char *p[] = {kind, y, code && *code ? code : NULL};
    db_status_t st;
    return db_exec(db,
                   "SELECT id, version, text FROM scoring.scheme WHERE level = $1 AND ($3::text "
                   "IS NULL OR code = $3) AND year = (SELECT max(year) FROM scoring.scheme WHERE "
                   "level = $1 AND ($3::text IS NULL OR code = $3) AND year <= $2::int) ORDER BY "
                   "code",
                   3, p, &st);
}

static void totals(Partrack__ScoreTotals *t, const score_result_t *r)
{
    partrack__score_totals__init(t);
    t->points = score_round2(r->points);
    t->max = score_round2(r->max);
    t->index = score_round2(r->index);
    t->score = score_round2(r->score);
    t->grade = (char *)score_grade_name(r->grade);
}

static char *result_json(const score_input_t *in, const score_result_t *r, const json_t *bound)
{
    json_t *json = score_result_to_json(in, r);
    if (!json)
        return NULL;
    scoring_engine_mark_bound(json, r->scheme, bound);
    char *text = json_dumps(json, JSON_COMPACT | JSON_REAL_PRECISION(12));
    json_decref(json);
    return text;
}

/* Scores the year so far and forecasts it under s into x. 0, or -1 with err. */
static int forecast_one(forecast_t *x, const score_scheme_t *s, const score_facts_t *so_far,
                        const score_facts_t *last, int as_of, const json_t *bound, char *err,
                        size_t errlen)
{
    if (!(x->in = score_input_new(s)) || !(x->result = score_result_new(s))) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    score_input_bind(x->in, so_far);
    score_compute(x->in, x->result);
    if (!(x->f = score_forecast_new(s, so_far, last, as_of, err, errlen)))
        return -1;
    size_t n = s->nnodes > 0 ? s->nnodes - 1 : 0, na = x->f->nassumptions;
    x->nodes = calloc(n + 1, sizeof *x->nodes);
    x->node_ptrs = calloc(n + 1, sizeof *x->node_ptrs);
    x->assumptions = calloc(na + 1, sizeof *x->assumptions);
    x->assumption_ptrs = calloc(na + 1, sizeof *x->assumption_ptrs);
    x->current_json = result_json(x->in, x->result, bound);
    x->forecast_json = result_json(x->f->in, x->f->result, bound);
    if (!x->nodes || !x->node_ptrs || !x->assumptions || !x->assumption_ptrs || !x->current_json ||
        !x->forecast_json) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 1; i < s->nnodes; i++) {
        Partrack__ScoreForecastNode *node = &x->nodes[i - 1];
        const score_node_result_t *now = &x->result->nodes[i], *end = &x->f->result->nodes[i];
        partrack__score_forecast_node__init(node);
        node->code = s->nodes[i].code;
        node->depth = s->nodes[i].depth;
        node->current = score_round2(now->points);
        node->forecast = score_round2(end->points);
        node->max = score_round2(end->max);
        node->state = (char *)score_state_name((score_state_t)end->state);
        x->node_ptrs[i - 1] = node;
    }
    for (size_t i = 0; i < na; i++) {
        const score_assumption_t *a = &x->f->assumptions[i];
        Partrack__ScoreAssumption *m = &x->assumptions[i];
        partrack__score_assumption__init(m);
        m->kind = (char *)score_assumption_kind_name(a->kind);
        m->node = a->node > 0 ? s->nodes[a->node].code : NULL;
        m->text = (char *)a->text;
        x->assumption_ptrs[i] = m;
    }
    Partrack__ScoreForecast *msg = &x->msg;
    partrack__score_forecast__init(msg);
    msg->scheme = s->code;
    msg->scheme_name = s->name;
    msg->scheme_year = s->year;
    msg->level = s->level;
    msg->scheme_max = s->max;
    totals(&x->current, x->result);
    totals(&x->forecast, x->f->result);
    msg->current = &x->current;
    msg->forecast = &x->forecast;
    msg->on_time_share = score_round2(100.0 * x->f->on_time_share);
    msg->n_nodes = n;
    msg->nodes = x->node_ptrs;
    msg->n_assumptions = na;
    msg->assumptions = x->assumption_ptrs;
    msg->current_json = x->current_json;
    msg->forecast_json = x->forecast_json;
    return 0;
}

/* The unit-year's stored facts (and the year before's), bound outcomes laid
 * over them; *bound gets the bound keys of the year. NULL on a database
 * failure (or out of memory); {} without a year's row. */
static json_t *load_years(scoring_engine_t *e, const scoring_unit_t *u, int year, json_t **bound)
{
    db_t *db = scoring_engine_db(e);
    char y[16], prev[16];
    snprintf(y, sizeof y, "%d", year);
    snprintf(prev, sizeof prev, "%d", year - 1);
    json_t *years = json_object();
    json_t *now = scoring_engine_facts(e, u, year), *before = scoring_engine_facts(e, u, year - 1);
    bool ok = years && now && before &&
              scoring_outcomes_overlay(db, u->code, year, now, bound) == 0 &&
              scoring_outcomes_overlay(db, u->code, year - 1, before, NULL) == 0 &&
              json_object_set(years, y, now) == 0 &&
              (json_object_size(before) == 0 || json_object_set(years, prev, before) == 0);
    json_decref(now);
    json_decref(before);
    if (!ok) {
        json_decref(years);
        return NULL;
    }
    return years;
}

/* Whether the unit has a row of facts for the year: 1, 0, or -1. */
static int has_facts(db_t *db, const char *unit, int year)
{
    char y[16];
    snprintf(y, sizeof y, "%d", year);
    const char *p[] = {unit, y};
    db_status_t st;
    PGresult *res = db_exec(
        db, "SELECT 1 FROM scoring.facts WHERE unit_code = $1 AND year = $2::int", 2, p, &st);
    if (!res)
        return -1;
    int found = PQntuples(res) == 1;
    PQclear(res);
    return found;
}

void scoring_forecast_handle(scoring_engine_t *e, rpc_server_t *rpc, rpc_request_t *req)
{
    db_t *db = scoring_engine_db(e);
    char reason[1024];
    Partrack__ScoreForecastRequest *r = (Partrack__ScoreForecastRequest *)msg_decode(
        req->env, &partrack__score_forecast_request__descriptor, reason, sizeof reason);
    if (!r) {
        reply_error(rpc, req, PARTRACK__ERROR_CODE__ERR_BAD_MESSAGE, reason);
        return;
    }
    json_t *years = NULL, *bound = NULL;
    score_data_t *data = NULL;
    PGresult *schemes = NULL;
    forecast_t *items = NULL;
    int nitems = 0;
    problems_t *problems = calloc(1, sizeof *problems);
    int asked = 0, first = 0;
    if (!problems) {
        reply_error(rpc, req, PARTRACK__ERROR_CODE__ERR_INTERNAL, "out of memory");
        goto done;
    }
    if (r->year < 1990 || r->year > 2100) {
        reply_error(rpc, req, PARTRACK__ERROR_CODE__ERR_INVALID, "year: must be 1990-2100");
        goto done;
    }
    score_date_make(r->year, 1, 1, &first);
    if (r->as_of && (!score_date_parse(r->as_of, &asked) || asked < first)) {
        snprintf(reason, sizeof reason,
                 "as_of: %s is not a date YYYY-MM-DD on or after 1 January %d", r->as_of, r->year);
        reply_error(rpc, req, PARTRACK__ERROR_CODE__ERR_INVALID, reason);
        goto done;
    }
    scoring_unit_t u;
    int found = scoring_engine_unit(e, r->unit, &u), facts = 0;
    if (found == 1)
        facts = has_facts(db, u.code, r->year);
    if (found < 0 || facts < 0) {
        reply_db_failure(db, rpc, req);
        goto done;
    }
    if (!found || !facts) {
        if (!found)
            snprintf(reason, sizeof reason, "no unit %s in the registry", r->unit);
        else
            snprintf(reason, sizeof reason,
                     "%s has no facts for %d (score facts import, score set)", u.code, r->year);
        reply_error(rpc, req, PARTRACK__ERROR_CODE__ERR_NOT_FOUND, reason);
        goto done;
    }
    if (!(years = load_years(e, &u, r->year, &bound))) {
        reply_db_failure(db, rpc, req);
        goto done;
    }
    if (!(data = scoring_engine_parse_years(&u, years, problems, reason, sizeof reason))) {
        /* stored facts were checked when stored: this is a fault */
        log_warn("forecast facts unreadable", "unit=%s year=%d reason=\"%s\"", u.code, r->year,
                 reason);
        reply_error(rpc, req, PARTRACK__ERROR_CODE__ERR_FAILED, reason);
        goto done;
    }
    const score_facts_t *so_far = score_unit_year(&data->units[0], r->year);
    const score_facts_t *last = score_unit_year(&data->units[0], r->year - 1);
    if (!(schemes = schemes_for(db, u.kind, r->year, r->scheme))) {
        reply_db_failure(db, rpc, req);
        goto done;
    }
    if (PQntuples(schemes) == 0) {
        snprintf(reason, sizeof reason, "no scheme%s%s for %s units of %d or before",
                 r->scheme && *r->scheme ? " " : "", r->scheme ? r->scheme : "", u.kind, r->year);
        reply_error(rpc, req, PARTRACK__ERROR_CODE__ERR_NOT_FOUND, reason);
        goto done;
    }
    const char *from = NULL;
    int as_of = as_of_for(r, asked, so_far, &from);
    int n = PQntuples(schemes);
    if (!(items = calloc((size_t)n, sizeof *items))) {
        reply_error(rpc, req, PARTRACK__ERROR_CODE__ERR_INTERNAL, "out of memory");
        goto done;
    }
    nitems = n; /* zeroed: each is cleared whether it was filled or not */
    Partrack__ScoreForecast **ptrs = calloc((size_t)n, sizeof *ptrs);
    if (!ptrs) {
        reply_error(rpc, req, PARTRACK__ERROR_CODE__ERR_INTERNAL, "out of memory");
        goto done;
    }
    for (int i = 0; i < n; i++) {
        const score_scheme_t *s = scoring_engine_scheme(
            e, strtoll(PQgetvalue(schemes, i, 0), NULL, 10), atoi(PQgetvalue(schemes, i, 1)),
            PQgetvalue(schemes, i, 2), reason, sizeof reason);
        if (!s) {
            reply_error(rpc, req, PARTRACK__ERROR_CODE__ERR_FAILED, reason);
            free(ptrs);
            goto done;
        }
        /* An older scheme: the facts were never checked against it. */
        if (s->year != r->year && score_data_check_year(data, s, r->year, problems) > 0) {
            const problem_t *p = &problems->items[0];
            snprintf(reason, sizeof reason,
                     "the %d facts of %s do not fit scheme %s of %d: %s%s%s (%zu problems)",
                     r->year, u.code, s->code, s->year, p->field ? p->field : "",
                     p->field ? ": " : "", p->message, problems->n + problems->dropped);
            reply_error(rpc, req, PARTRACK__ERROR_CODE__ERR_INVALID, reason);
            free(ptrs);
            goto done;
        }
        if (forecast_one(&items[i], s, so_far, last, as_of, bound, reason, sizeof reason) < 0) {
            reply_error(rpc, req, PARTRACK__ERROR_CODE__ERR_INTERNAL, reason);
            free(ptrs);
            goto done;
        }
        ptrs[i] = &items[i].msg;
    }
    char date[16];
    Partrack__ScoreForecastReply reply = PARTRACK__SCORE_FORECAST_REPLY__INIT;
    reply.unit = u.code;
    reply.name = u.name;
    reply.kind = u.kind;
    reply.parent = *u.parent ? u.parent : NULL;
    reply.year = r->year;
    reply.as_of = score_date_iso(as_of, date, sizeof date);
    reply.as_of_from = (char *)from;
    reply.n_forecasts = (size_t)n;
    reply.forecasts = ptrs;
    rpc_server_reply(rpc, req, PARTRACK__MESSAGE_TYPE__MSG_SCORE_FORECAST_REPLY, &reply.base);
    free(ptrs);
done:
    for (int i = 0; i < nitems; i++)
        forecast_clear(&items[i]);
    free(items);
    PQclear(schemes);
    score_data_destroy(&data);
    json_decref(years);
    json_decref(bound);
    if (problems)
        problems_clear(problems);
    free(problems);
    partrack__score_forecast_request__free_unpacked(r, NULL);
}
