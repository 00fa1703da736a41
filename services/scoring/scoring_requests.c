/* scoring_requests.c - the scoring service's requests (see the header) */
#include "scoring_requests.h"

#include "log.h"
#include "scheme_file.h"
#include "score_data.h"
#include "scoring.pb-c.h"
#include "scoring_bind.h"
#include "scoring_facts.h"
#include "scoring_forecast.h"
#include "scoring_show.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const stages[] = {"self", "appraisal", "explanation", "reappraisal", "locked"};

static int stage_index(const char *s)
{
    for (int i = 0; i < 5; i++)
        if (strcmp(stages[i], s) == 0)
            return i;
    return -1;
}

/* "cli:NAME" for a named person at the command line, "cli" without. */
static void actor_of(const char *named, char *out, size_t len)
{
    snprintf(out, len, named && *named ? "cli:%s" : "cli", named ? named : "");
}

static void reply_db_failure(db_t *db, rpc_server_t *rpc, rpc_request_t *req)
{
    log_warn("request failed", "reason=\"%s\"", db_error(db));
    rpc_server_reply_error(rpc, req,
                           db_failure_retryable(db) ? PARTRACK__ERROR_CODE__ERR_UNAVAILABLE
                                                    : PARTRACK__ERROR_CODE__ERR_FAILED,
                           "database unavailable, try again", NULL, 0);
}

/* Replies with problems (ERR_INVALID). */
static void reply_problems(rpc_server_t *rpc, rpc_request_t *req, const char *message,
                           const problems_t *problems)
{
    size_t n = problems->n;
    Partrack__Problem *items = calloc(n + 1, sizeof *items);
    Partrack__Problem **ptrs = calloc(n + 1, sizeof *ptrs);
    for (size_t i = 0; items && ptrs && i < n; i++) {
        partrack__problem__init(&items[i]);
        items[i].file = problems->items[i].file;
        items[i].has_line = problems->items[i].line > 0;
        items[i].line = problems->items[i].line;
        items[i].field = problems->items[i].field;
        items[i].message = problems->items[i].message;
        ptrs[i] = &items[i];
    }
    rpc_server_reply_error(rpc, req, PARTRACK__ERROR_CODE__ERR_INVALID, message,
                           items && ptrs ? ptrs : NULL, items && ptrs ? n : 0);
    free(items);
    free(ptrs);
}

/* Replies with the unit's scores of the year (after COMMIT). */
static void reply_unit(scoring_engine_t *e, rpc_server_t *rpc, rpc_request_t *req, const char *unit,
                       int year)
{
    Partrack__ScoreShowRequest show = PARTRACK__SCORE_SHOW_REQUEST__INIT;
    show.year = year;
    show.unit = (char *)unit;
    Partrack__ScoreShowReply reply = PARTRACK__SCORE_SHOW_REPLY__INIT;
    if (scoring_show(scoring_engine_db(e), &show, &reply) < 0) {
        reply_db_failure(scoring_engine_db(e), rpc, req);
        return;
    }
    rpc_server_reply(rpc, req, PARTRACK__MESSAGE_TYPE__MSG_SCORE_SHOW_REPLY, &reply.base);
    scoring_show_free(&reply);
}

/* Refuses a change to a locked unit-year; true when it did (or failed). */
static bool refuse_locked(scoring_engine_t *e, rpc_server_t *rpc, rpc_request_t *req,
                          const char *unit, int year)
{
    int locked = scoring_engine_locked(e, unit, year);
    if (locked < 0) {
        reply_db_failure(scoring_engine_db(e), rpc, req);
        return true;
    }
    if (locked) {
        char message[256];
        snprintf(message, sizeof message, "the %d score of %s is locked: it cannot change any more",
                 year, unit);
        rpc_server_reply_error(rpc, req, PARTRACK__ERROR_CODE__ERR_CONFLICT, message, NULL, 0);
        return true;
    }
    return false;
}

/* Looks a unit up; replies NOT_FOUND or a failure itself (false). */
static bool find_unit(scoring_engine_t *e, rpc_server_t *rpc, rpc_request_t *req, const char *code,
                      scoring_unit_t *u)
{
    int found = scoring_engine_unit(e, code, u);
    if (found < 0)
        reply_db_failure(scoring_engine_db(e), rpc, req);
    if (found == 0) {
        char message[192];
        snprintf(message, sizeof message, "no unit %s in the registry", code);
        rpc_server_reply_error(rpc, req, PARTRACK__ERROR_CODE__ERR_NOT_FOUND, message, NULL, 0);
    }
    return found == 1;
}

/* Commits, or replies the failure. True when committed. */
static bool commit(scoring_engine_t *e, rpc_server_t *rpc, rpc_request_t *req)
{
    if (db_commit(scoring_engine_db(e)) == DB_OK)
        return true;
    reply_db_failure(scoring_engine_db(e), rpc, req);
    return false;
}

static void scheme_import(scoring_engine_t *e, rpc_server_t *rpc, rpc_request_t *req)
{
    db_t *db = scoring_engine_db(e);
    char reason[512];
    Partrack__ScoreSchemeImportRequest *r = (Partrack__ScoreSchemeImportRequest *)msg_decode(
        req->env, &partrack__score_scheme_import_request__descriptor, reason, sizeof reason);
    if (!r) {
        rpc_server_reply_error(rpc, req, PARTRACK__ERROR_CODE__ERR_BAD_MESSAGE, reason, NULL, 0);
        return;
    }
    score_scheme_t *s = scheme_file_parse(r->text, strlen(r->text), r->name, reason, sizeof reason);
    PGresult *res = NULL, *units = NULL;
    if (!s) {
        rpc_server_reply_error(rpc, req, PARTRACK__ERROR_CODE__ERR_INVALID, reason, NULL, 0);
        goto done;
    }
    char y[16], actor[160];
    snprintf(y, sizeof y, "%d", s->year);
    actor_of(r->actor, actor, sizeof actor);
    const char *p[] = {s->code, y, s->level, s->name, r->text};
    db_status_t st;
    if (db_begin(db) != DB_OK) {
        reply_db_failure(db, rpc, req);
        goto done;
    }
    res = db_exec(db,
                  "SELECT count(*) FROM scoring.score x JOIN scoring.scheme c ON c.id = "
                  "x.scheme_id WHERE c.code = $1 AND c.year = $2 AND c.level = $3 AND x.stage = "
                  "'locked'",
                  3, p, &st);
    if (res && atoi(PQgetvalue(res, 0, 0)) > 0) {
        db_rollback(db);
        snprintf(reason, sizeof reason,
                 "scheme %s %d (%s) has locked scores: it cannot be replaced any more", s->code,
                 s->year, s->level);
        rpc_server_reply_error(rpc, req, PARTRACK__ERROR_CODE__ERR_CONFLICT, reason, NULL, 0);
        goto done;
    }
    PQclear(res);
    res = db_exec(db,
                  "INSERT INTO scoring.scheme (code, year, level, name, text) VALUES ($1, $2, $3, "
                  "$4, $5) ON CONFLICT (code, year, level) DO UPDATE SET name = EXCLUDED.name, "
                  "text = EXCLUDED.text, version = scoring.scheme.version + 1, imported_at = "
                  "now() RETURNING version > 1",
                  5, p, &st);
    const char *pu[] = {s->level, y};
    units = res ? db_exec(db,
                          "SELECT u.code, (f.unit_code IS NOT NULL) FROM registry.units u LEFT "
                          "JOIN scoring.facts f ON f.unit_code = u.code AND f.year = $2 WHERE "
                          "u.kind = $1 AND u.valid_from <= make_date($2, 12, 31) AND (u.valid_to "
                          "IS NULL OR u.valid_to >= make_date($2, 1, 1)) ORDER BY u.code",
                          2, pu, &st)
                : NULL;
    if (!units) {
        db_rollback(db);
        reply_db_failure(db, rpc, req);
        goto done;
    }
    uint32_t computed = 0;
    for (int i = 0; i < PQntuples(units); i++) {
        if (strcmp(PQgetvalue(units, i, 1), "t") != 0)
            continue;
        scoring_unit_t u;
        int n = 0;
        if (scoring_engine_unit(e, PQgetvalue(units, i, 0), &u) != 1 ||
            scoring_engine_recompute(e, &u, s->year, &n, reason, sizeof reason) < 0) {
            db_rollback(db);
            reply_db_failure(db, rpc, req);
            goto done;
        }
        computed += n > 0;
    }
    if (scoring_engine_audit(e, "-", s->year, actor, "scheme", s->code, NULL, s->level, r->name) <
        0) {
        db_rollback(db);
        reply_db_failure(db, rpc, req);
        goto done;
    }
    if (!commit(e, rpc, req))
        goto done;
    Partrack__ScoreSchemeImportReply reply = PARTRACK__SCORE_SCHEME_IMPORT_REPLY__INIT;
    reply.code = s->code;
    reply.year = s->year;
    reply.level = s->level;
    reply.replaced = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    reply.units = (uint32_t)PQntuples(units);
    reply.computed = computed;
    log_info("scheme imported", "code=%s year=%d level=%s units=%u computed=%u", s->code, s->year,
             s->level, reply.units, computed);
    rpc_server_reply(rpc, req, PARTRACK__MESSAGE_TYPE__MSG_SCORE_SCHEME_IMPORT_REPLY, &reply.base);
done:
    PQclear(res);
    PQclear(units);
    score_scheme_destroy(&s);
    partrack__score_scheme_import_request__free_unpacked(r, NULL);
}

/* Stores one unit-year's facts from a data file's year object. */
static int import_unit_year(scoring_engine_t *e, const scoring_unit_t *u, int year, json_t *doc,
                            const char *actor, const char *file, problems_t *problems,
                            int *computed, char *err, size_t errlen)
{
    score_data_t *check = scoring_engine_read_facts(e, u, year, doc, problems, err, errlen);
    if (!check)
        return -1;
    score_data_destroy(&check);
    char *text = json_dumps(doc, JSON_COMPACT);
    int rc = text && scoring_engine_store_facts(e, u, year, doc) == 0 &&
                     scoring_engine_audit(e, u->code, year, actor, "import", NULL, NULL, text,
                                          file) == 0 &&
                     scoring_engine_recompute(e, u, year, computed, err, errlen) == 0
                 ? 0
                 : -1;
    free(text);
    return rc;
}

static void facts_import(scoring_engine_t *e, rpc_server_t *rpc, rpc_request_t *req)
{
    db_t *db = scoring_engine_db(e);
    char reason[512];
    Partrack__ScoreFactsImportRequest *r = (Partrack__ScoreFactsImportRequest *)msg_decode(
        req->env, &partrack__score_facts_import_request__descriptor, reason, sizeof reason);
    if (!r) {
        rpc_server_reply_error(rpc, req, PARTRACK__ERROR_CODE__ERR_BAD_MESSAGE, reason, NULL, 0);
        return;
    }
    problems_t *problems = calloc(1, sizeof *problems);
    json_t *root = json_loads(r->text, 0, NULL);
    score_data_t *data = problems ? score_data_parse(r->text, strlen(r->text), r->name, problems,
                                                     reason, sizeof reason)
                                  : NULL;
    bool open = false;
    if (!data || !root) {
        if (problems && problems->n)
            reply_problems(rpc, req, reason, problems);
        else
            rpc_server_reply_error(rpc, req, PARTRACK__ERROR_CODE__ERR_INVALID, reason, NULL, 0);
        goto done;
    }
    char actor[160];
    actor_of(r->actor, actor, sizeof actor);
    if (db_begin(db) != DB_OK) {
        reply_db_failure(db, rpc, req);
        goto done;
    }
    open = true;
    uint32_t unit_years = 0, computed = 0;
    json_t *units = json_object_get(root, "units");
    for (size_t i = 0; i < data->nunits; i++) {
        const score_unit_t *du = &data->units[i];
        scoring_unit_t u;
        if (!find_unit(e, rpc, req, du->code, &u))
            goto done;
        json_t *years = json_object_get(json_array_get(units, i), "years");
        for (size_t k = 0; k < du->nyears; k++) {
            int year = du->years[k].year;
            char y[16];
            snprintf(y, sizeof y, "%d", year);
            if (refuse_locked(e, rpc, req, u.code, year))
                goto done;
            int n = 0;
            if (import_unit_year(e, &u, year, json_object_get(years, y), actor, r->name, problems,
                                 &n, reason, sizeof reason) < 0) {
                if (problems->n)
                    reply_problems(rpc, req, reason, problems);
                else
                    reply_db_failure(db, rpc, req);
                goto done;
            }
            unit_years++;
            computed += (uint32_t)n;
        }
    }
    open = false;
    if (!commit(e, rpc, req))
        goto done;
    Partrack__ScoreFactsImportReply reply = PARTRACK__SCORE_FACTS_IMPORT_REPLY__INIT;
    reply.unit_years = unit_years;
    reply.computed = computed;
    rpc_server_reply(rpc, req, PARTRACK__MESSAGE_TYPE__MSG_SCORE_FACTS_IMPORT_REPLY, &reply.base);
done:
    if (open)
        db_rollback(db);
    json_decref(root);
    score_data_destroy(&data);
    if (problems)
        problems_clear(problems);
    free(problems);
    partrack__score_facts_import_request__free_unpacked(r, NULL);
}

static void set_fact(scoring_engine_t *e, rpc_server_t *rpc, rpc_request_t *req)
{
    db_t *db = scoring_engine_db(e);
    char reason[512];
    Partrack__ScoreSetRequest *r = (Partrack__ScoreSetRequest *)msg_decode(
        req->env, &partrack__score_set_request__descriptor, reason, sizeof reason);
    if (!r) {
        rpc_server_reply_error(rpc, req, PARTRACK__ERROR_CODE__ERR_BAD_MESSAGE, reason, NULL, 0);
        return;
    }
    problems_t *problems = calloc(1, sizeof *problems);
    json_t *doc = NULL;
    score_data_t *check = NULL;
    bool open = false;
    scoring_unit_t u;
    if (!problems || !find_unit(e, rpc, req, r->unit, &u))
        goto done;
    if (db_begin(db) != DB_OK) {
        reply_db_failure(db, rpc, req);
        goto done;
    }
    open = true;
    if (refuse_locked(e, rpc, req, u.code, r->year))
        goto done;
    /* A bound key's outcome comes from the deadline service (score bind). */
    const char *bound_kind = strcmp(r->kind, "outcome") == 0 ? "task"
                             : strcmp(r->kind, "plan") == 0  ? "plan"
                                                             : NULL;
    int bound =
        bound_kind && r->key ? scoring_bind_is_bound(e, u.code, r->year, bound_kind, r->key) : 0;
    if (bound != 0) {
        if (bound < 0) {
            reply_db_failure(db, rpc, req);
        } else {
            snprintf(reason, sizeof reason,
                     "%s %s of %s %d is bound (score bind): its outcome comes from the deadline "
                     "service",
                     bound_kind, r->key, u.code, r->year);
            rpc_server_reply_error(rpc, req, PARTRACK__ERROR_CODE__ERR_CONFLICT, reason, NULL, 0);
        }
        goto done;
    }
    if (!(doc = scoring_engine_facts(e, &u, r->year))) {
        reply_db_failure(db, rpc, req);
        goto done;
    }
    scoring_fact_change_t c = {.kind = r->kind,
                               .key = r->key,
                               .has_value = r->has_value,
                               .value = r->value,
                               .has_value2 = r->has_value2,
                               .value2 = r->value2,
                               .outcome = r->outcome,
                               .evidence = r->evidence};
    char from[512], to[512], actor[160];
    actor_of(r->actor, actor, sizeof actor);
    int changed =
        scoring_facts_apply(doc, &c, from, sizeof from, to, sizeof to, reason, sizeof reason);
    if (changed < 0) {
        rpc_server_reply_error(rpc, req, PARTRACK__ERROR_CODE__ERR_INVALID, reason, NULL, 0);
        goto done;
    }
    if (!(check =
              scoring_engine_read_facts(e, &u, r->year, doc, problems, reason, sizeof reason))) {
        if (problems->n)
            reply_problems(rpc, req, reason, problems);
        else
            rpc_server_reply_error(rpc, req, PARTRACK__ERROR_CODE__ERR_INVALID, reason, NULL, 0);
        goto done;
    }
    if (changed && (scoring_engine_store_facts(e, &u, r->year, doc) < 0 ||
                    scoring_engine_audit(e, u.code, r->year, actor, r->kind, r->key,
                                         *from ? from : NULL, to, r->evidence) < 0 ||
                    scoring_engine_recompute(e, &u, r->year, NULL, reason, sizeof reason) < 0)) {
        reply_db_failure(db, rpc, req);
        goto done;
    }
    open = false;
    if (commit(e, rpc, req))
        reply_unit(e, rpc, req, u.code, r->year);
done:
    if (open)
        db_rollback(db);
    score_data_destroy(&check);
    json_decref(doc);
    if (problems)
        problems_clear(problems);
    free(problems);
    partrack__score_set_request__free_unpacked(r, NULL);
}

static void set_stage(scoring_engine_t *e, rpc_server_t *rpc, rpc_request_t *req)
{
    db_t *db = scoring_engine_db(e);
    char reason[512];
    Partrack__ScoreStageRequest *r = (Partrack__ScoreStageRequest *)msg_decode(
        req->env, &partrack__score_stage_request__descriptor, reason, sizeof reason);
    if (!r) {
        rpc_server_reply_error(rpc, req, PARTRACK__ERROR_CODE__ERR_BAD_MESSAGE, reason, NULL, 0);
        return;
    }
    PGresult *res = NULL;
    bool open = false;
    int to = stage_index(r->stage);
    if (to < 0) {
        snprintf(reason, sizeof reason,
                 "unknown stage %s (self, appraisal, explanation, reappraisal, locked)", r->stage);
        rpc_server_reply_error(rpc, req, PARTRACK__ERROR_CODE__ERR_INVALID, reason, NULL, 0);
        goto done;
    }
    scoring_unit_t u;
    if (!find_unit(e, rpc, req, r->unit, &u))
        goto done;
    if (db_begin(db) != DB_OK) {
        reply_db_failure(db, rpc, req);
        goto done;
    }
    open = true;
    char y[16], actor[160];
    snprintf(y, sizeof y, "%d", r->year);
    actor_of(r->actor, actor, sizeof actor);
    const char *p[] = {u.code, y};
    db_status_t st;
    if (!(res = db_exec(db,
                        "SELECT scheme_id, stage FROM scoring.score WHERE unit_code = $1 AND "
                        "year = $2 ORDER BY scheme_id FOR UPDATE",
                        2, p, &st))) {
        reply_db_failure(db, rpc, req);
        goto done;
    }
    if (PQntuples(res) == 0) {
        snprintf(reason, sizeof reason,
                 "%s has no %d score yet (import a scheme of its level and give it facts)", u.code,
                 r->year);
        rpc_server_reply_error(rpc, req, PARTRACK__ERROR_CODE__ERR_NOT_FOUND, reason, NULL, 0);
        goto done;
    }
    for (int i = 0; i < PQntuples(res); i++) {
        const char *stage = PQgetvalue(res, i, 1);
        int from = stage_index(stage);
        if (from == to)
            continue; /* already there: asking again changes nothing */
        if (from == 4) {
            snprintf(reason, sizeof reason,
                     "the %d score of %s is locked: it cannot change any more", r->year, u.code);
            rpc_server_reply_error(rpc, req, PARTRACK__ERROR_CODE__ERR_CONFLICT, reason, NULL, 0);
            goto done;
        }
        if (to < from) {
            snprintf(reason, sizeof reason,
                     "the %d score of %s is at stage %s: stages only go forward (self, "
                     "appraisal, explanation, reappraisal, locked)",
                     r->year, u.code, stage);
            rpc_server_reply_error(rpc, req, PARTRACK__ERROR_CODE__ERR_CONFLICT, reason, NULL, 0);
            goto done;
        }
        long long id = strtoll(PQgetvalue(res, i, 0), NULL, 10);
        char sid[32];
        snprintf(sid, sizeof sid, "%lld", id);
        const char *pu[] = {sid, u.code, r->stage};
        PGresult *up = db_exec(db,
                               "UPDATE scoring.score SET stage = $3 WHERE scheme_id = $1 AND "
                               "unit_code = $2",
                               3, pu, &st);
        bool ok = up &&
                  scoring_engine_audit(e, u.code, r->year, actor, "stage", NULL, stage, r->stage,
                                       r->note) == 0 &&
                  (to != 4 || scoring_engine_publish(e, id, u.code, "locked") == 0);
        PQclear(up);
        if (!ok) {
            reply_db_failure(db, rpc, req);
            goto done;
        }
    }
    open = false;
    if (commit(e, rpc, req))
        reply_unit(e, rpc, req, u.code, r->year);
done:
    if (open)
        db_rollback(db);
    PQclear(res);
    partrack__score_stage_request__free_unpacked(r, NULL);
}

static void show(scoring_engine_t *e, rpc_server_t *rpc, rpc_request_t *req)
{
    char reason[256];
    Partrack__ScoreShowRequest *r = (Partrack__ScoreShowRequest *)msg_decode(
        req->env, &partrack__score_show_request__descriptor, reason, sizeof reason);
    if (!r) {
        rpc_server_reply_error(rpc, req, PARTRACK__ERROR_CODE__ERR_BAD_MESSAGE, reason, NULL, 0);
        return;
    }
    Partrack__ScoreShowReply reply = PARTRACK__SCORE_SHOW_REPLY__INIT;
    if (scoring_show(scoring_engine_db(e), r, &reply) < 0)
        reply_db_failure(scoring_engine_db(e), rpc, req);
    else
        rpc_server_reply(rpc, req, PARTRACK__MESSAGE_TYPE__MSG_SCORE_SHOW_REPLY, &reply.base);
    scoring_show_free(&reply);
    partrack__score_show_request__free_unpacked(r, NULL);
}

bool scoring_requests_handle(scoring_engine_t *engine, rpc_server_t *rpc, rpc_request_t *req)
{
    switch (req->env->type) {
    case PARTRACK__MESSAGE_TYPE__MSG_SCORE_SCHEME_IMPORT:
        scheme_import(engine, rpc, req);
        return true;
    case PARTRACK__MESSAGE_TYPE__MSG_SCORE_FACTS_IMPORT:
        facts_import(engine, rpc, req);
        return true;
    case PARTRACK__MESSAGE_TYPE__MSG_SCORE_SET: set_fact(engine, rpc, req); return true;
    case PARTRACK__MESSAGE_TYPE__MSG_SCORE_STAGE: set_stage(engine, rpc, req); return true;
    case PARTRACK__MESSAGE_TYPE__MSG_SCORE_SHOW: show(engine, rpc, req); return true;
    case PARTRACK__MESSAGE_TYPE__MSG_SCORE_BIND: scoring_bind_handle(engine, rpc, req); return true;
    case PARTRACK__MESSAGE_TYPE__MSG_SCORE_FORECAST:
        scoring_forecast_handle(engine, rpc, req);
        return true;
    default: return false;
    }
}
