/* scoring_show.c - a year's stored scores, ranked among peers (see the
 * header) */
#include "scoring_show.h"

#include "score_compute.h"
#include "score_rank.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    C_UNIT,
    C_NAME,
    C_PARENT,
    C_SCHEME,
    C_SCHEME_NAME,
    C_YEAR,
    C_POINTS,
    C_MAX,
    C_INDEX,
    C_SCORE,
    C_GRADE,
    C_STAGE,
    C_RESULT,
    C_COMPUTED,
    C_KIND,
    C_SCHEME_ID,
    C_PREV_SCORE,    /* NULL: nothing known of the year before */
    C_PREV_COMPUTED, /* the score of that year's scheme, not a reported total */
    C_PREV_RANK,     /* reported with the facts, or NULL */
    C_PREV_OF,
    C_TOP /* the top-level unit (the city): the peer group with a level */
};

static char *dup(const char *s)
{
    return strdup(s ? s : "");
}

static void unit_free(Partrack__UnitScore *u)
{
    if (!u)
        return;
    free(u->unit);
    free(u->name);
    free(u->parent);
    free(u->scheme);
    free(u->scheme_name);
    free(u->grade);
    free(u->stage);
    free(u->result_json);
    free(u->computed_at);
    free(u->peers);
    free(u->peer_scope);
    free(u->kind);
    for (size_t i = 0; i < u->n_audit; i++) {
        Partrack__ScoreAuditEntry *a = u->audit[i];
        free(a->at);
        free(a->actor);
        free(a->what);
        free(a->node);
        free(a->from_value);
        free(a->to_value);
        free(a->evidence);
        free(a);
    }
    free(u->audit);
    free(u);
}

void scoring_show_free(Partrack__ScoreShowReply *reply)
{
    for (size_t i = 0; i < reply->n_scores; i++)
        unit_free(reply->scores[i]);
    free(reply->scores);
    reply->scores = NULL;
    reply->n_scores = 0;
}

static char *nullable(PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? NULL : strdup(PQgetvalue(res, row, col));
}

static int add_audit(db_t *db, Partrack__UnitScore *u)
{
    char y[16];
    snprintf(y, sizeof y, "%d", u->year);
    const char *p[] = {u->unit, y};
    db_status_t st;
    PGresult *res = db_exec(db,
                            "SELECT to_char(at AT TIME ZONE 'Asia/Ho_Chi_Minh', "
                            "'YYYY-MM-DD\"T\"HH24:MI:SS\"+07:00\"'), actor, what, node, "
                            "from_value, to_value, evidence FROM scoring.audit WHERE unit_code = "
                            "$1 AND year = $2 ORDER BY id",
                            2, p, &st);
    if (!res)
        return -1;
    int n = PQntuples(res);
    u->audit = calloc((size_t)n + 1, sizeof *u->audit);
    for (int i = 0; u->audit && i < n; i++) {
        Partrack__ScoreAuditEntry *a = malloc(sizeof *a);
        if (!a)
            break;
        partrack__score_audit_entry__init(a);
        a->at = dup(PQgetvalue(res, i, 0));
        a->actor = dup(PQgetvalue(res, i, 1));
        a->what = dup(PQgetvalue(res, i, 2));
        a->node = nullable(res, i, 3);
        a->from_value = nullable(res, i, 4);
        a->to_value = nullable(res, i, 5);
        a->evidence = nullable(res, i, 6);
        u->audit[u->n_audit++] = a;
    }
    PQclear(res);
    return u->audit ? 0 : -1;
}

/* The year before, into u: its score, and its rank — as reported with the
 * facts (among the parent's units: only when ranked so), or (prev) ranked
 * from last year's scores among the same peers. */
static void previous_year(PGresult *res, int row, const score_rank_item_t *prev, bool by_level,
                          Partrack__UnitScore *u)
{
    if (PQgetisnull(res, row, C_PREV_SCORE))
        return;
    u->has_previous_score = 1;
    u->previous_score = score_round2(strtod(PQgetvalue(res, row, C_PREV_SCORE), NULL));
    u->has_previous_reported = 1;
    u->previous_reported = PQgetvalue(res, row, C_PREV_COMPUTED)[0] != 't';
    if (!by_level && !PQgetisnull(res, row, C_PREV_RANK) && !PQgetisnull(res, row, C_PREV_OF)) {
        u->previous_rank = (uint32_t)atoi(PQgetvalue(res, row, C_PREV_RANK));
        u->previous_of = (uint32_t)atoi(PQgetvalue(res, row, C_PREV_OF));
    } else if (prev->rank > 0 && prev->of > 1) {
        u->previous_rank = (uint32_t)prev->rank;
        u->previous_of = (uint32_t)prev->of;
    }
    u->has_previous_rank = u->has_previous_of = u->previous_rank > 0;
}

static Partrack__UnitScore *unit_score(PGresult *res, int row, const score_rank_item_t *rank,
                                       const score_rank_item_t *prev, bool by_level)
{
    Partrack__UnitScore *u = malloc(sizeof *u);
    if (!u)
        return NULL;
    partrack__unit_score__init(u);
    u->unit = dup(PQgetvalue(res, row, C_UNIT));
    u->name = dup(PQgetvalue(res, row, C_NAME));
    u->parent = nullable(res, row, C_PARENT);
    u->scheme = dup(PQgetvalue(res, row, C_SCHEME));
    u->scheme_name = dup(PQgetvalue(res, row, C_SCHEME_NAME));
    u->year = atoi(PQgetvalue(res, row, C_YEAR));
    u->points = score_round2(strtod(PQgetvalue(res, row, C_POINTS), NULL));
    u->max = score_round2(strtod(PQgetvalue(res, row, C_MAX), NULL));
    u->index = score_round2(strtod(PQgetvalue(res, row, C_INDEX), NULL));
    u->score = score_round2(strtod(PQgetvalue(res, row, C_SCORE), NULL));
    u->grade = dup(PQgetvalue(res, row, C_GRADE));
    u->stage = dup(PQgetvalue(res, row, C_STAGE));
    u->result_json = dup(PQgetvalue(res, row, C_RESULT));
    u->computed_at = dup(PQgetvalue(res, row, C_COMPUTED));
    /* A unit alone in its peer group is not ranked. */
    bool ranked = rank->rank > 0 && rank->of > 1;
    u->rank = (uint32_t)(ranked ? rank->rank : 0);
    u->of = (uint32_t)(ranked ? rank->of : 0);
    previous_year(res, row, prev, by_level, u);
    u->kind = dup(PQgetvalue(res, row, C_KIND));
    u->peers = dup(by_level ? "level" : "parent");
    u->peer_scope = by_level ? dup(PQgetvalue(res, row, C_TOP)) : nullable(res, row, C_PARENT);
    return u;
}

/* Row order: scheme, then rank (unranked last), then unit code. */
static const score_rank_item_t *sort_items;
static PGresult *sort_res;
static int by_rank(const void *a, const void *b)
{
    int i = *(const int *)a, j = *(const int *)b;
    int c = strcmp(PQgetvalue(sort_res, i, C_SCHEME), PQgetvalue(sort_res, j, C_SCHEME));
    if (c)
        return c;
    int ri = sort_items[i].rank ? sort_items[i].rank : 1 << 30;
    int rj = sort_items[j].rank ? sort_items[j].rank : 1 << 30;
    if (ri != rj)
        return ri < rj ? -1 : 1;
    return strcmp(PQgetvalue(sort_res, i, C_UNIT), PQgetvalue(sort_res, j, C_UNIT));
}

int scoring_show(db_t *db, const Partrack__ScoreShowRequest *req, Partrack__ScoreShowReply *reply)
{
    char y[16];
    snprintf(y, sizeof y, "%d", req->year);
    bool by_level = req->level && *req->level;
    const char *p[] = {y, req->scheme && *req->scheme ? req->scheme : NULL,
                       by_level ? req->level : NULL};
    db_status_t st;
    PGresult *res = db_exec(
        db,
        "SELECT s.unit_code, coalesce(u.name, s.unit_code), s.parent_code, c.code, c.name, "
        "s.year, s.points, s.max, s.index, s.score, s.grade, s.stage, s.result::text, "
        "to_char(s.computed_at AT TIME ZONE 'Asia/Ho_Chi_Minh', "
        "'YYYY-MM-DD\"T\"HH24:MI:SS\"+07:00\"'), s.kind, s.scheme_id, coalesce(ps.score, "
        "(pf.doc->'reported'->>'total')::float8), ps.score IS NOT NULL, CASE WHEN ps.score IS "
        "NULL THEN (pf.doc->'reported'->>'rank')::int END, CASE WHEN ps.score IS NULL THEN "
        "(pf.doc->'reported'->>'of')::int END, s.top_code FROM scoring.score s JOIN scoring.scheme "
        "c ON "
        "c.id = s.scheme_id LEFT JOIN registry.units u ON u.code = s.unit_code LEFT JOIN "
        "LATERAL (SELECT p.score FROM scoring.score p JOIN scoring.scheme pc ON pc.id = "
        "p.scheme_id WHERE p.unit_code = s.unit_code AND p.year = s.year - 1 AND pc.code = "
        "c.code LIMIT 1) ps ON true LEFT JOIN scoring.facts pf ON pf.unit_code = s.unit_code AND "
        "pf.year = s.year - 1 WHERE s.year = $1 AND ($2::text IS NULL OR c.code = $2) AND "
        "($3::text IS NULL OR s.kind = $3) ORDER BY s.scheme_id, s.unit_code",
        3, p, &st);
    if (!res)
        return -1;
    int n = PQntuples(res), rc = -1;
    score_rank_item_t *items = calloc((size_t)n + 1, sizeof *items);
    score_rank_item_t *prev = calloc((size_t)n + 1, sizeof *prev);
    int *order = calloc((size_t)n + 1, sizeof *order);
    reply->scores = calloc((size_t)n + 1, sizeof *reply->scores);
    if (!items || !prev || !order || !reply->scores)
        goto done;
    /* Rank each scheme's rows (they are consecutive) on their own. */
    for (int from = 0; from < n;) {
        int to = from;
        while (to < n &&
               strcmp(PQgetvalue(res, to, C_SCHEME_ID), PQgetvalue(res, from, C_SCHEME_ID)) == 0)
            to++;
        for (int i = from; i < to; i++) {
            items[i].kind = PQgetvalue(res, i, C_KIND);
            /* With a level, the city is the peer group: ranked as the
             * same parent, that parent being the top-level unit. */
            items[i].parent = by_level                        ? PQgetvalue(res, i, C_TOP)
                              : PQgetisnull(res, i, C_PARENT) ? NULL
                                                              : PQgetvalue(res, i, C_PARENT);
            items[i].value = strtod(PQgetvalue(res, i, C_SCORE), NULL);
        }
        if (score_rank(items + from, (size_t)(to - from), SCORE_PEERS_PARENT) < 0)
            goto done;
        /* Last year's scores (computed or reported), ranked among the same
         * peers, for the units whose facts report no rank. */
        int m = 0;
        for (int i = from; i < to; i++)
            if (!PQgetisnull(res, i, C_PREV_SCORE))
                prev[from + m++] =
                    (score_rank_item_t){.kind = items[i].kind,
                                        .parent = items[i].parent,
                                        .value = strtod(PQgetvalue(res, i, C_PREV_SCORE), NULL)};
        if (m > 0 && score_rank(prev + from, (size_t)m, SCORE_PEERS_PARENT) < 0)
            goto done;
        /* Back to row order: prev[i] for row i. */
        for (int i = to - 1, k = m - 1; i >= from; i--)
            if (!PQgetisnull(res, i, C_PREV_SCORE))
                prev[i] = prev[from + k--];
            else
                prev[i] = (score_rank_item_t){0};
        from = to;
    }
    for (int i = 0; i < n; i++)
        order[i] = i;
    sort_items = items;
    sort_res = res;
    qsort(order, (size_t)n, sizeof *order, by_rank);
    for (int k = 0; k < n; k++) {
        int i = order[k];
        const char *unit = PQgetvalue(res, i, C_UNIT);
        if (req->unit && *req->unit && strcmp(unit, req->unit) != 0)
            continue;
        if (req->parent && *req->parent &&
            (PQgetisnull(res, i, C_PARENT) || strcmp(PQgetvalue(res, i, C_PARENT), req->parent)))
            continue;
        Partrack__UnitScore *u = unit_score(res, i, &items[i], &prev[i], by_level);
        if (!u)
            goto done;
        reply->scores[reply->n_scores++] = u;
        if (req->has_audit && req->audit && add_audit(db, u) < 0)
            goto done;
    }
    rc = 0;
done:
    if (rc < 0)
        scoring_show_free(reply);
    free(items);
    free(prev);
    free(order);
    PQclear(res);
    return rc;
}
