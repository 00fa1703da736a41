/* monitor_queries.c - what is due, and how units stand (see the header) */
#include "monitor_queries.h"

#include "monitor_reschedule.h"
#include "monitor_transition.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Columns of a due item, and the query that gives them. */
#define DUE_COLUMNS                                                                                \
    "SELECT o.id, t.task_id, t.plan_number, t.plan_unit, t.ordinal, t.title, t.lead::text, "       \
    "o.effective - DATE '1970-01-01', o.nominal - DATE '1970-01-01', o.label, o.kind, "            \
    "o.level, o.data_from - DATE '1970-01-01', o.data_to - DATE '1970-01-01', "                    \
    "o.data_clipped, t.due_soon_days, " MONITOR_THREAT_COLUMNS

enum {
    D_ID,
    D_TASK,
    D_PLAN,
    D_UNIT,
    D_ORDINAL,
    D_TITLE,
    D_LEAD,
    D_EFF,
    D_NOM,
    D_LABEL,
    D_KIND,
    D_LEVEL,
    D_DATA_FROM,
    D_DATA_TO,
    D_DATA_CLIPPED,
    D_SOON_DAYS,
    D_TH_ID,
    D_TH_TASK,
    D_TH_PLAN,
    D_TH_ORDINAL,
    D_TH_TITLE,
    D_TH_DUE,
    D_TOTAL
};

static char *dup_cell(PGresult *res, int r, int c)
{
    return PQgetisnull(res, r, c) ? NULL : strdup(PQgetvalue(res, r, c));
}

static Partrack__Threatened *threat_from_row(PGresult *res, int r)
{
    Partrack__Threatened *t = malloc(sizeof *t);
    if (!t)
        return NULL;
    partrack__threatened__init(t);
    char date[11];
    t->occurrence_id = strtoll(PQgetvalue(res, r, D_TH_ID), NULL, 10);
    t->task_id = strtoll(PQgetvalue(res, r, D_TH_TASK), NULL, 10);
    t->plan_number = dup_cell(res, r, D_TH_PLAN);
    t->ordinal = dup_cell(res, r, D_TH_ORDINAL);
    t->title = dup_cell(res, r, D_TH_TITLE);
    date_format_iso((date_t)atol(PQgetvalue(res, r, D_TH_DUE)), date);
    t->due_date = strdup(date);
    return t;
}

static void threat_free(Partrack__Threatened *t)
{
    if (!t)
        return;
    free(t->plan_number);
    free(t->ordinal);
    free(t->title);
    free(t->due_date);
    free(t);
}

static Partrack__DueItem *item_from_row(PGresult *res, int r, const workcal_t *cal,
                                        const due_policy_t *policy, int64_t now)
{
    Partrack__DueItem *it = malloc(sizeof *it);
    if (!it)
        return NULL;
    partrack__due_item__init(it);
    it->occurrence_id = PQgetisnull(res, r, D_ID) ? 0 : strtoll(PQgetvalue(res, r, D_ID), NULL, 10);
    it->task_id = strtoll(PQgetvalue(res, r, D_TASK), NULL, 10);
    it->plan_number = dup_cell(res, r, D_PLAN);
    it->plan_unit = dup_cell(res, r, D_UNIT);
    it->ordinal = dup_cell(res, r, D_ORDINAL);
    it->title = dup_cell(res, r, D_TITLE);
    it->lead = db_array_words(PQgetvalue(res, r, D_LEAD), &it->n_lead); /* one block */
    it->label = dup_cell(res, r, D_LABEL);
    const char *kind = PQgetisnull(res, r, D_KIND) ? "waiting" : PQgetvalue(res, r, D_KIND);
    const char *level = "waiting", *level_vn = "Chờ sự kiện";
    if (strcmp(kind, "stale") == 0) {
        level = due_level_name(DUE_STALE);
        level_vn = due_level_vn(DUE_STALE);
    } else if (strcmp(kind, "due") == 0 && !PQgetisnull(res, r, D_EFF)) {
        date_t eff = (date_t)atol(PQgetvalue(res, r, D_EFF));
        int64_t at[DUE_LEVELS];
        due_policy_t plan_policy =
            monitor_policy_for(policy, monitor_soon_days_cell(PQgetvalue(res, r, D_SOON_DAYS)));
        due_level_instants(cal, eff, &plan_policy, at);
        due_level_t l = due_level_at(at, now);
        level = due_level_name(l);
        level_vn = due_level_vn(l);
        char date[11];
        date_format_iso(eff, date);
        it->due_date = strdup(date);
        it->has_days_left = 1;
        it->days_left = (int32_t)(eff - due_local_date(now));
        if (l >= DUE_OVERDUE) {
            it->has_workdays_overdue = 1;
            it->workdays_overdue = due_workdays_overdue(cal, eff, now);
        }
        if (l >= DUE_DUE && !PQgetisnull(res, r, D_TH_ID))
            it->threatens = threat_from_row(res, r);
        if (!PQgetisnull(res, r, D_DATA_FROM) && !PQgetisnull(res, r, D_DATA_TO)) {
            date_format_iso((date_t)atol(PQgetvalue(res, r, D_DATA_FROM)), date);
            it->data_from = strdup(date);
            date_format_iso((date_t)atol(PQgetvalue(res, r, D_DATA_TO)), date);
            it->data_to = strdup(date);
            it->has_data_clipped = 1;
            it->data_clipped = PQgetvalue(res, r, D_DATA_CLIPPED)[0] == 't';
        }
        if (!PQgetisnull(res, r, D_NOM)) {
            date_format_iso((date_t)atol(PQgetvalue(res, r, D_NOM)), date);
            it->nominal_date = strdup(date);
        }
    }
    it->level = strdup(level);
    it->level_vn = strdup(level_vn);
    return it;
}

static void item_free(Partrack__DueItem *it)
{
    if (!it)
        return;
    free(it->plan_number);
    free(it->plan_unit);
    free(it->ordinal);
    free(it->title);
    free(it->lead);
    free(it->due_date);
    free(it->nominal_date);
    free(it->data_from);
    free(it->data_to);
    free(it->label);
    free(it->level);
    free(it->level_vn);
    threat_free(it->threatens);
    free(it);
}

static int fill_items(PGresult *res, const workcal_t *cal, const due_policy_t *policy, int64_t now,
                      Partrack__DueListReply *reply)
{
    int n = PQntuples(res);
    reply->items = calloc((size_t)n + 1, sizeof *reply->items);
    if (!reply->items)
        return -1;
    /* A list query counts what matched before its limit; one occurrence is one. */
    reply->total = n && PQnfields(res) > D_TOTAL
                       ? (uint32_t)strtoul(PQgetvalue(res, 0, D_TOTAL), NULL, 10)
                       : (uint32_t)n;
    for (int r = 0; r < n; r++) {
        Partrack__DueItem *it = item_from_row(res, r, cal, policy, now);
        if (!it)
            return -1;
        reply->items[reply->n_items++] = it;
    }
    char text[32];
    due_format_instant(now, text);
    reply->now = strdup(text);
    return reply->now ? 0 : -1;
}

int monitor_due_list(db_t *db, const workcal_t *cal, const due_policy_t *policy, int64_t now,
                     const Partrack__DueListRequest *req, Partrack__DueListReply *reply)
{
    char now_text[24], today[11], within[16], limit[16];
    snprintf(now_text, sizeof now_text, "%lld", (long long)now);
    date_format_iso(due_local_date(now), today);
    snprintf(within, sizeof within, "%d", req->within_days);
    snprintf(limit, sizeof limit, "%u", req->has_limit && req->limit ? req->limit : 200u);
    bool overdue = req->has_overdue && req->overdue;
    bool filtered = req->has_within_days || overdue;
    bool subtree = req->has_subtree && req->subtree;
    const char *params[] = {req->unit,
                            req->plan,
                            now_text,
                            today,
                            req->has_within_days ? within : NULL,
                            overdue ? "true" : "false",
                            filtered ? "true" : "false",
                            limit,
                            subtree ? "true" : "false"};
    db_status_t st;
    PGresult *res = db_exec(
        db,
        /* The total before the limit comes with the rows (count over the union). */
        /* The units asked about: the unit, and with subtree every unit
         * under it (the registry's documented view, as it is now). */
        "WITH RECURSIVE asked(code) AS (SELECT $1::text WHERE $1 IS NOT NULL UNION SELECT "
        "u.code FROM registry.units u JOIN asked a ON u.parent_code = a.code WHERE $9::boolean) "
        "SELECT *, count(*) OVER () FROM (" DUE_COLUMNS
        "FROM deadline.occurrence o JOIN deadline.task t ON "
        "t.task_id = o.task_id " MONITOR_THREAT_JOIN
        "WHERE o.state = 'open' AND (o.kind = 'due' OR o.level = 5) AND "
        "($1::text IS NULL OR (t.lead || t.cooperating) && ARRAY(SELECT code FROM asked)) AND "
        "($2::text IS "
        "NULL OR t.plan_number = $2) AND ($5::int IS NULL OR (o.kind = 'due' AND o.effective <= "
        "$4::date + $5::int)) AND (NOT $6::boolean OR (o.kind = 'due' AND " DUE_INSTANT_SQL(
            "o.effective") " <= to_timestamp($3::bigint))) "
                           /* a waiting task: DUE_COLUMNS without an occurrence */
                           "UNION ALL SELECT NULL, t.task_id, t.plan_number, t.plan_unit, "
                           "t.ordinal, t.title, t.lead::text, "
                           "NULL, NULL, NULL, NULL, 0, "          /* effective .. level */
                           "NULL, NULL, false, t.due_soon_days, " /* data window, soon days */
                           "NULL, NULL, NULL, NULL, NULL, NULL "  /* threat */
                           "FROM deadline.task t WHERE "
                           "t.waiting AND "
                           "t.status = 'open' AND NOT $7::boolean AND ($1::text IS NULL OR "
                           "(t.lead || t.cooperating) && ARRAY(SELECT code FROM asked)) AND "
                           "($2::text IS NULL OR t.plan_number = $2)) x "
                           "ORDER BY 8 NULLS LAST, 2, 1 LIMIT $8::int",
        9, params, &st);
    if (!res)
        return -1;
    int rc = fill_items(res, cal, policy, now, reply);
    PQclear(res);
    return rc;
}

int monitor_due_one(db_t *db, const workcal_t *cal, const due_policy_t *policy, int64_t now,
                    int64_t id, Partrack__DueListReply *reply)
{
    char id_text[24];
    snprintf(id_text, sizeof id_text, "%lld", (long long)id);
    const char *params[] = {id_text};
    db_status_t st;
    PGresult *res =
        db_exec(db,
                DUE_COLUMNS "FROM deadline.occurrence o JOIN deadline.task t ON "
                            "t.task_id = o.task_id " MONITOR_THREAT_JOIN "WHERE o.id = $1::bigint",
                1, params, &st);
    if (!res)
        return -1;
    int found = PQntuples(res) == 1;
    int rc = found ? fill_items(res, cal, policy, now, reply) : 0;
    PQclear(res);
    return rc < 0 ? -1 : found;
}

void monitor_due_list_free(Partrack__DueListReply *reply)
{
    for (size_t i = 0; i < reply->n_items; i++)
        item_free(reply->items[i]);
    free(reply->items);
    free(reply->now);
    partrack__due_list_reply__init(reply);
}

/* ---- status ---- */

/* Rows to count: due occurrences (not cancelled) and waiting tasks. */
#define STATUS_ROWS                                                                                \
    "WITH rows AS (SELECT t.lead, t.plan_number, t.area, o.outcome, o.state = 'open' AND "         \
    "" DUE_INSTANT_SQL(                                                                            \
        "o.effective") " > to_timestamp($3::bigint) AS within, o.state = 'open' AND "              \
                       "" DUE_INSTANT_SQL(                                                         \
                           "o.effective") " <= to_timestamp($3::bigint) AS overdue, false AS "     \
                                          "waiting "                                               \
                                          "FROM deadline.occurrence o JOIN deadline.task t ON "    \
                                          "t.task_id = o.task_id WHERE o.kind = "                  \
                                          "'due' AND o.state <> 'cancelled' AND ($1::text IS "     \
                                          "NULL OR $1 = ANY (t.lead)) AND "                        \
                                          "($2::text IS NULL OR t.plan_number = $2) UNION ALL "    \
                                          "SELECT t.lead, t.plan_number, t.area, "                 \
                                          "NULL, false, false, true FROM deadline.task t WHERE "   \
                                          "t.waiting AND t.status = 'open' AND "                   \
                                          "($1::text IS NULL OR $1 = ANY (t.lead)) AND ($2::text " \
                                          "IS NULL OR t.plan_number = $2)) "
#define STATUS_COUNTS                                                                              \
    "count(*) FILTER (WHERE outcome = 'on_time'), count(*) FILTER (WHERE outcome = 'late'), "      \
    "count(*) FILTER (WHERE within), count(*) FILTER (WHERE overdue), count(*) FILTER (WHERE "     \
    "waiting) "

static Partrack__StatusRow *status_row(PGresult *res, int r, int first, const char *key,
                                       const char *name)
{
    Partrack__StatusRow *row = malloc(sizeof *row);
    if (!row)
        return NULL;
    partrack__status_row__init(row);
    row->key = strdup(key ? key : "");
    row->name = name ? strdup(name) : NULL;
    row->done_on_time = (uint32_t)atoi(PQgetvalue(res, r, first));
    row->done_late = (uint32_t)atoi(PQgetvalue(res, r, first + 1));
    row->open_within = (uint32_t)atoi(PQgetvalue(res, r, first + 2));
    row->open_overdue = (uint32_t)atoi(PQgetvalue(res, r, first + 3));
    row->waiting = (uint32_t)atoi(PQgetvalue(res, r, first + 4));
    uint32_t due = row->done_on_time + row->done_late + row->open_overdue;
    row->on_time_rate = due ? 100.0 * row->done_on_time / due : -1.0;
    return row;
}

static int status_rows(db_t *db, const char *sql, const char *const *params, int first,
                       Partrack__StatusRow ***rows, size_t *n)
{
    db_status_t st;
    PGresult *res = db_exec(db, sql, 3, params, &st);
    if (!res)
        return -1;
    int count = PQntuples(res);
    *rows = calloc((size_t)count + 1, sizeof **rows);
    int rc = *rows ? 0 : -1;
    for (int r = 0; rc == 0 && r < count; r++) {
        Partrack__StatusRow *row =
            status_row(res, r, first, PQgetvalue(res, r, 0),
                       first == 2 && !PQgetisnull(res, r, 1) ? PQgetvalue(res, r, 1) : NULL);
        if (!row)
            rc = -1;
        else
            (*rows)[(*n)++] = row;
    }
    PQclear(res);
    return rc;
}

int monitor_status(db_t *db, int64_t now, const Partrack__StatusRequest *req,
                   Partrack__StatusReply *reply)
{
    char now_text[24];
    snprintf(now_text, sizeof now_text, "%lld", (long long)now);
    const char *params[] = {req->unit, req->plan, now_text};
    size_t ntotal = 0;
    Partrack__StatusRow **total = NULL;
    int rc =
        status_rows(db,
                    STATUS_ROWS "SELECT u, " STATUS_COUNTS "FROM rows, unnest(CASE WHEN "
                                "cardinality(lead) = 0 THEN ARRAY['(unassigned)'] ELSE lead "
                                "END) u WHERE $1::text IS NULL OR u = $1 GROUP BY u ORDER BY u",
                    params, 1, &reply->units, &reply->n_units);
    if (rc == 0)
        rc = status_rows(db,
                         STATUS_ROWS "SELECT coalesce(area, '-'), plan_number, " STATUS_COUNTS
                                     "FROM rows GROUP BY plan_number, area ORDER BY plan_number, "
                                     "area NULLS FIRST",
                         params, 2, &reply->areas, &reply->n_areas);
    if (rc == 0)
        rc = status_rows(db, STATUS_ROWS "SELECT 'total', " STATUS_COUNTS "FROM rows", params, 1,
                         &total, &ntotal);
    if (rc == 0 && ntotal == 1)
        reply->total = total[0];
    free(total);
    char text[32];
    due_format_instant(now, text);
    reply->now = strdup(text);
    return rc == 0 && reply->total && reply->now ? 0 : -1;
}

static void status_row_free(Partrack__StatusRow *row)
{
    if (!row)
        return;
    free(row->key);
    free(row->name);
    free(row);
}

void monitor_status_free(Partrack__StatusReply *reply)
{
    for (size_t i = 0; i < reply->n_units; i++)
        status_row_free(reply->units[i]);
    free(reply->units);
    for (size_t i = 0; i < reply->n_areas; i++)
        status_row_free(reply->areas[i]);
    free(reply->areas);
    status_row_free(reply->total);
    free(reply->now);
    partrack__status_reply__init(reply);
}
