/* scoring_engine.c - the scoring service's state and its one-unit recompute
 * (see the header) */
#include "scoring_engine.h"

#include "events.h"
#include "events.pb-c.h"
#include "log.h"
#include "scheme_file.h"
#include "score_compute.h"
#include "score_json.h"
#include "scoring_outcomes.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    long long id;
    int version;
    score_scheme_t *scheme;
} cached_scheme_t;

struct scoring_engine {
    db_t *db;
    double threshold;
    int64_t last_seq;
    cached_scheme_t *schemes;
    size_t nschemes, cap;
};

scoring_engine_t *scoring_engine_new(db_t *db, double threshold)
{
    scoring_engine_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->db = db;
    self->threshold = threshold;
    return self;
}

void scoring_engine_destroy(scoring_engine_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    scoring_engine_t *self = *self_p;
    for (size_t i = 0; i < self->nschemes; i++)
        score_scheme_destroy(&self->schemes[i].scheme);
    free(self->schemes);
    free(self);
    *self_p = NULL;
}

db_t *scoring_engine_db(scoring_engine_t *self)
{
    return self->db;
}

int64_t scoring_engine_last_seq(const scoring_engine_t *self)
{
    return self->last_seq;
}

int scoring_engine_unit(scoring_engine_t *self, const char *code, scoring_unit_t *out)
{
    const char *p[] = {code};
    db_status_t st;
    PGresult *res = db_exec(self->db,
                            "SELECT code, name, kind, coalesce(parent_code, '') FROM "
                            "registry.units WHERE code = $1",
                            1, p, &st);
    if (!res)
        return -1;
    int found = PQntuples(res) == 1;
    if (found) {
        snprintf(out->code, sizeof out->code, "%s", PQgetvalue(res, 0, 0));
        snprintf(out->name, sizeof out->name, "%s", PQgetvalue(res, 0, 1));
        snprintf(out->kind, sizeof out->kind, "%s", PQgetvalue(res, 0, 2));
        snprintf(out->parent, sizeof out->parent, "%s", PQgetvalue(res, 0, 3));
    }
    PQclear(res);
    return found;
}

const score_scheme_t *scoring_engine_scheme(scoring_engine_t *self, long long id, int version,
                                            const char *text, char *err, size_t errlen)
{
    for (size_t i = 0; i < self->nschemes; i++) {
        if (self->schemes[i].id == id && self->schemes[i].version == version)
            return self->schemes[i].scheme;
    }
    char name[64];
    snprintf(name, sizeof name, "scheme %lld", id);
    score_scheme_t *s = scheme_file_parse(text, strlen(text), name, err, errlen);
    if (!s)
        return NULL;
    /* A re-imported scheme takes its old version's place. */
    for (size_t i = 0; i < self->nschemes; i++) {
        if (self->schemes[i].id == id) {
            score_scheme_destroy(&self->schemes[i].scheme);
            self->schemes[i].scheme = s;
            self->schemes[i].version = version;
            return s;
        }
    }
    if (self->nschemes == self->cap) {
        size_t cap = self->cap ? self->cap * 2 : 8;
        cached_scheme_t *more = realloc(self->schemes, cap * sizeof *more);
        if (!more) {
            score_scheme_destroy(&s);
            snprintf(err, errlen, "out of memory");
            return NULL;
        }
        self->schemes = more;
        self->cap = cap;
    }
    self->schemes[self->nschemes++] = (cached_scheme_t){id, version, s};
    return s;
}

json_t *scoring_engine_facts(scoring_engine_t *self, const scoring_unit_t *u, int year)
{
    char y[16];
    snprintf(y, sizeof y, "%d", year);
    const char *p[] = {u->code, y};
    db_status_t st;
    PGresult *res =
        db_exec(self->db, "SELECT doc::text FROM scoring.facts WHERE unit_code = $1 AND year = $2",
                2, p, &st);
    if (!res)
        return NULL;
    json_t *doc = PQntuples(res) == 1 ? json_loads(PQgetvalue(res, 0, 0), 0, NULL) : json_object();
    PQclear(res);
    return doc;
}

/* The schemes of the year for a level: rows (id, version, text, code). */
static PGresult *schemes_for(scoring_engine_t *self, const char *level, int year)
{
    char y[16];
    snprintf(y, sizeof y, "%d", year);
    const char *p[] = {y, level};
    db_status_t st;
    return db_exec(self->db,
                   "SELECT id, version, text, code FROM scoring.scheme WHERE year = $1 AND level "
                   "= $2 ORDER BY code",
                   2, p, &st);
}

score_data_t *scoring_engine_parse_years(const scoring_unit_t *u, json_t *years,
                                         problems_t *problems, char *err, size_t errlen)
{
    json_t *unit = json_pack("{s:s, s:s, s:s, s:O}", "code", u->code, "name", u->name, "kind",
                             u->kind, "years", years);
    if (unit && *u->parent)
        json_object_set_new(unit, "parent", json_string(u->parent));
    json_t *file = unit ? json_pack("{s:i, s:[o]}", "format", 1, "units", unit) : NULL;
    char *text = file ? json_dumps(file, JSON_COMPACT) : NULL;
    json_decref(file);
    if (!text) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    /* "CODE 2024": problems name the unit and its (first) year */
    void *first = json_object_iter(years);
    char name[192];
    snprintf(name, sizeof name, "%s%s%s", u->code, first ? " " : "",
             first ? json_object_iter_key(first) : "");
    score_data_t *data = score_data_parse(text, strlen(text), name, problems, err, errlen);
    free(text);
    return data;
}

/* The facts document read as score_data reads a data file of this one
 * unit-year. */
static score_data_t *parse_facts(const scoring_unit_t *u, int year, json_t *doc,
                                 problems_t *problems, char *err, size_t errlen)
{
    char y[16];
    snprintf(y, sizeof y, "%d", year);
    json_t *years = json_pack("{s:O}", y, doc);
    if (!years) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    score_data_t *data = scoring_engine_parse_years(u, years, problems, err, errlen);
    json_decref(years);
    return data;
}

score_data_t *scoring_engine_read_facts(scoring_engine_t *self, const scoring_unit_t *u, int year,
                                        json_t *doc, problems_t *problems, char *err, size_t errlen)
{
    score_data_t *data = parse_facts(u, year, doc, problems, err, errlen);
    if (!data)
        return NULL;
    PGresult *res = schemes_for(self, u->kind, year);
    if (!res) {
        snprintf(err, errlen, "%s", db_error(self->db));
        score_data_destroy(&data);
        return NULL;
    }
    size_t found = 0;
    for (int i = 0; i < PQntuples(res) && found == 0; i++) {
        const score_scheme_t *s =
            scoring_engine_scheme(self, strtoll(PQgetvalue(res, i, 0), NULL, 10),
                                  atoi(PQgetvalue(res, i, 1)), PQgetvalue(res, i, 2), err, errlen);
        if (s)
            found = score_data_check(data, s, problems);
    }
    PQclear(res);
    if (found) {
        snprintf(err, errlen, "the facts do not fit the scheme");
        score_data_destroy(&data);
    }
    return data;
}

int scoring_engine_locked(scoring_engine_t *self, const char *unit, int year)
{
    char y[16];
    snprintf(y, sizeof y, "%d", year);
    const char *p[] = {unit, y};
    db_status_t st;
    PGresult *res = db_exec(self->db,
                            "SELECT count(*) FROM scoring.score WHERE unit_code = $1 AND year = "
                            "$2 AND stage = 'locked'",
                            2, p, &st);
    if (!res)
        return -1;
    int locked = atoi(PQgetvalue(res, 0, 0)) > 0;
    PQclear(res);
    return locked;
}

static const char *top_code(const char *code, char *out, size_t len)
{
    size_t n = strcspn(code, ".");
    snprintf(out, len, "%.*s", (int)n, code);
    return out;
}

int scoring_engine_store_facts(scoring_engine_t *self, const scoring_unit_t *u, int year,
                               json_t *doc)
{
    char y[16], top[128];
    snprintf(y, sizeof y, "%d", year);
    char *text = json_dumps(doc, JSON_COMPACT);
    if (!text)
        return -1;
    const char *p[] = {u->code, y, top_code(u->code, top, sizeof top), text};
    db_status_t st;
    PGresult *res = db_exec(self->db,
                            "INSERT INTO scoring.facts (unit_code, year, top_code, doc) VALUES "
                            "($1, $2, $3, $4::jsonb) ON CONFLICT (unit_code, year) DO UPDATE SET "
                            "doc = EXCLUDED.doc, updated_at = now()",
                            4, p, &st);
    free(text);
    PQclear(res);
    return res ? 0 : -1;
}

int scoring_engine_audit(scoring_engine_t *self, const char *unit, int year, const char *actor,
                         const char *what, const char *node, const char *from, const char *to,
                         const char *evidence)
{
    char y[16], top[128];
    snprintf(y, sizeof y, "%d", year);
    const char *p[] = {unit, y,       top_code(unit, top, sizeof top), actor, what, node, from,
                       to,   evidence};
    db_status_t st;
    PGresult *res = db_exec(self->db,
                            "INSERT INTO scoring.audit (unit_code, year, top_code, actor, what, "
                            "node, from_value, to_value, evidence) VALUES ($1, $2, $3, $4, $5, "
                            "$6, $7, $8, $9)",
                            9, p, &st);
    PQclear(res);
    return res ? 0 : -1;
}

void scoring_engine_mark_bound(json_t *json, const score_scheme_t *s, const json_t *bound)
{
    size_t i;
    json_t *node;
    json_array_foreach(json_object_get(json, "nodes"), i, node)
    {
        int k = score_scheme_find(s, json_string_value(json_object_get(node, "code")));
        if (k < 0 || !s->nodes[k].rule.key)
            continue;
        const char *kind = s->nodes[k].rule.kind == SCORE_RULE_DELIVERABLE ? "task"
                           : s->nodes[k].rule.kind == SCORE_RULE_PLAN      ? "plan"
                                                                           : NULL;
        const char *line = json_string_value(json_object_get(node, "explain"));
        if (!kind || !line || !json_object_get(json_object_get(bound, kind), s->nodes[k].rule.key))
            continue;
        size_t n = strlen(line) + sizeof SCORING_OUTCOMES_MARK;
        char *marked = malloc(n);
        if (!marked)
            continue;
        snprintf(marked, n, "%s%s", line, SCORING_OUTCOMES_MARK);
        json_object_set_new(node, "explain", json_string(marked));
        free(marked);
    }
}

/* Stores one computed score; publishes it when it moved past the threshold
 * from the published one. */
static int store_score(scoring_engine_t *self, long long scheme_id, const scoring_unit_t *u,
                       int year, const score_input_t *in, const score_result_t *r,
                       const json_t *bound)
{
    json_t *json = score_result_to_json(in, r);
    if (json && bound)
        scoring_engine_mark_bound(json, r->scheme, bound);
    char *text = json ? json_dumps(json, JSON_COMPACT | JSON_REAL_PRECISION(12)) : NULL;
    json_decref(json);
    if (!text)
        return -1;
    char id[32], y[16], top[128], points[40], max[40], index[40], score[40];
    snprintf(id, sizeof id, "%lld", scheme_id);
    snprintf(y, sizeof y, "%d", year);
    snprintf(points, sizeof points, "%.17g", r->points);
    snprintf(max, sizeof max, "%.17g", r->max);
    snprintf(index, sizeof index, "%.17g", r->index);
    snprintf(score, sizeof score, "%.17g", r->score);
    const char *p[] = {id,
                       u->code,
                       top_code(u->code, top, sizeof top),
                       *u->parent ? u->parent : NULL,
                       u->kind,
                       y,
                       points,
                       max,
                       index,
                       score,
                       score_grade_name(r->grade),
                       text};
    db_status_t st;
    PGresult *res = db_exec(
        self->db,
        "INSERT INTO scoring.score (scheme_id, unit_code, top_code, parent_code, kind, year, "
        "points, max, index, score, grade, result, published_score) VALUES ($1, $2, $3, $4, $5, "
        "$6, $7, $8, $9, $10, $11, $12::jsonb, $10) ON CONFLICT (scheme_id, unit_code) DO UPDATE "
        "SET parent_code = EXCLUDED.parent_code, kind = EXCLUDED.kind, points = EXCLUDED.points, "
        "max = EXCLUDED.max, index = EXCLUDED.index, score = EXCLUDED.score, grade = "
        "EXCLUDED.grade, result = EXCLUDED.result, computed_at = now() WHERE scoring.score.stage "
        "<> 'locked' RETURNING published_score",
        12, p, &st);
    free(text);
    if (!res)
        return -1;
    bool moved = PQntuples(res) == 1 &&
                 fabs(score_round2(r->score) - score_round2(strtod(PQgetvalue(res, 0, 0), NULL))) >
                     self->threshold + 1e-9;
    PQclear(res);
    return moved ? scoring_engine_publish(self, scheme_id, u->code, "moved") : 0;
}

int scoring_engine_recompute(scoring_engine_t *self, const scoring_unit_t *u, int year,
                             int *computed, char *err, size_t errlen)
{
    int rc = -1, n = 0;
    score_data_t *data = NULL;
    PGresult *schemes = NULL;
    json_t *bound = NULL;
    problems_t *problems = calloc(1, sizeof *problems);
    json_t *doc = scoring_engine_facts(self, u, year);
    if (!problems || !doc) {
        snprintf(err, errlen, "%s", doc ? "out of memory" : db_error(self->db));
        goto done;
    }
    char y[16];
    snprintf(y, sizeof y, "%d", year);
    const char *p[] = {u->code, y};
    db_status_t st;
    PGresult *has = db_exec(
        self->db, "SELECT 1 FROM scoring.facts WHERE unit_code = $1 AND year = $2", 2, p, &st);
    if (!has) {
        snprintf(err, errlen, "%s", db_error(self->db));
        goto done;
    }
    bool any = PQntuples(has) == 1;
    PQclear(has);
    if (!any) {
        rc = 0; /* nothing known: nothing to score */
        goto done;
    }
    /* Bound keys take the deadline service's outcomes (scoring_outcomes.h). */
    if (scoring_outcomes_overlay(self->db, u->code, year, doc, &bound) < 0) {
        snprintf(err, errlen, "%s", db_error(self->db));
        goto done;
    }
    if (!(data = parse_facts(u, year, doc, problems, err, errlen)))
        goto done;
    const score_facts_t *facts = score_unit_year(&data->units[0], year);
    if (!(schemes = schemes_for(self, u->kind, year))) {
        snprintf(err, errlen, "%s", db_error(self->db));
        goto done;
    }
    for (int i = 0; i < PQntuples(schemes); i++) {
        long long id = strtoll(PQgetvalue(schemes, i, 0), NULL, 10);
        const score_scheme_t *s = scoring_engine_scheme(self, id, atoi(PQgetvalue(schemes, i, 1)),
                                                        PQgetvalue(schemes, i, 2), err, errlen);
        if (!s)
            goto done;
        score_input_t *in = score_input_new(s);
        score_result_t *r = score_result_new(s);
        int stored = -1;
        if (in && r) {
            score_input_bind(in, facts);
            score_compute(in, r);
            stored = store_score(self, id, u, year, in, r, bound);
        }
        score_input_destroy(&in);
        score_result_destroy(&r);
        if (stored < 0) {
            snprintf(err, errlen, "%s", in && r ? db_error(self->db) : "out of memory");
            goto done;
        }
        n++;
    }
    rc = 0;
done:
    if (computed)
        *computed = n;
    PQclear(schemes);
    score_data_destroy(&data);
    json_decref(bound);
    json_decref(doc);
    if (problems)
        problems_clear(problems);
    free(problems);
    return rc;
}

int scoring_engine_publish(scoring_engine_t *self, long long scheme_id, const char *unit,
                           const char *reason)
{
    char id[32];
    snprintf(id, sizeof id, "%lld", scheme_id);
    const char *p[] = {id, unit};
    db_status_t st;
    PGresult *res =
        db_exec(self->db,
                "SELECT s.year, c.code, s.points, s.max, s.index, s.score, s.grade, s.stage, "
                "s.published_score, coalesce(u.name, s.unit_code) FROM scoring.score s JOIN "
                "scoring.scheme c ON c.id = s.scheme_id LEFT JOIN registry.units u ON u.code = "
                "s.unit_code WHERE s.scheme_id = $1 AND s.unit_code = $2",
                2, p, &st);
    if (!res || PQntuples(res) != 1) {
        PQclear(res);
        return -1;
    }
    Partrack__ScorePublished ev = PARTRACK__SCORE_PUBLISHED__INIT;
    ev.unit = (char *)unit;
    ev.year = atoi(PQgetvalue(res, 0, 0));
    ev.scheme = PQgetvalue(res, 0, 1);
    ev.points = score_round2(strtod(PQgetvalue(res, 0, 2), NULL));
    ev.max = score_round2(strtod(PQgetvalue(res, 0, 3), NULL));
    ev.index = score_round2(strtod(PQgetvalue(res, 0, 4), NULL));
    ev.score = score_round2(strtod(PQgetvalue(res, 0, 5), NULL));
    ev.grade = PQgetvalue(res, 0, 6);
    ev.stage = PQgetvalue(res, 0, 7);
    ev.reason = (char *)reason;
    ev.has_previous_score = 1;
    ev.previous_score = score_round2(strtod(PQgetvalue(res, 0, 8), NULL));
    ev.unit_name = PQgetvalue(res, 0, 9);
    size_t len = partrack__score_published__get_packed_size(&ev);
    uint8_t *buf = malloc(len ? len : 1);
    int rc = -1;
    int64_t seq = 0;
    if (buf) {
        partrack__score_published__pack(&ev, buf);
        if (events_append(self->db, "scoring", "ScorePublished", unit, buf, len, &seq) == 0) {
            PGresult *up = db_exec(self->db,
                                   "UPDATE scoring.score SET published_score = score WHERE "
                                   "scheme_id = $1 AND unit_code = $2",
                                   2, p, &st);
            if (up) {
                rc = 0;
                if (seq > self->last_seq)
                    self->last_seq = seq;
                log_info("score published", "unit=%s scheme=%s score=%.2f reason=%s", unit,
                         ev.scheme, ev.score, reason);
            }
            PQclear(up);
        }
    }
    free(buf);
    PQclear(res);
    return rc;
}
