/* monitor_ingest.c - the registry's events, as the deadline service sees them
 * (the rules are in the header)
 */
#include "monitor_ingest.h"

#include "deadline.h"
#include "due_levels.h"
#include "events.pb-c.h"
#include "log.h"
#include "monitor_closed.h"
#include "monitor_consult.h"
#include "monitor_occurrences.h"
#include "monitor_reschedule.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static PGresult *query(db_t *db, const char *sql, int n, const char *const *params)
{
    db_status_t st;
    return db_exec(db, sql, n, params, &st);
}

static int exec_ok(db_t *db, const char *sql, int n, const char *const *params)
{
    PGresult *res = query(db, sql, n, params);
    if (!res)
        return -1;
    PQclear(res);
    return 0;
}

/* Runs a MONITOR_CLOSED_SQL statement and emits OccurrenceClosed for what
 * it closed, in the same transaction. */
static int close_occurrences(db_t *db, monitor_ingest_t *in, const char *sql, int n,
                             const char *const *params)
{
    PGresult *res = query(db, sql, n, params);
    if (!res)
        return -1;
    int rc = monitor_closed_emit(db, res, &in->last_event);
    PQclear(res);
    return rc < 0 ? -1 : 0;
}

/* "{A,B}" from codes; caller frees. */
static char *codes_literal(char **codes, size_t n)
{
    return db_array_literal((const char *const *)codes, n);
}

/* The top-level unit of a code: its first part ("HN" of "HN.HADONG"). */
static void top_of(const char *code, char out[64])
{
    size_t n = strcspn(code, ".");
    snprintf(out, 64, "%.*s", (int)(n < 63 ? n : 63), code);
}

static int on_task_assigned(db_t *db, monitor_ingest_t *in, const event_t *event)
{
    Partrack__TaskAssigned *ev =
        partrack__task_assigned__unpack(NULL, event->payload_len, event->payload);
    if (!ev) {
        log_warn("undecodable event", "type=TaskAssigned seq=%lld", (long long)event->seq);
        return 0; /* a bad event must not stop the stream */
    }
    int rc = -1;
    char *lead = codes_literal(ev->lead, ev->n_lead);
    char *coop = codes_literal(ev->cooperating, ev->n_cooperating);
    deadline_t *d = NULL;
    char task_id[24], plan_id[24], year[16], now_text[24], top[64], errbuf[256];
    snprintf(task_id, sizeof task_id, "%lld", (long long)ev->task_id);
    snprintf(plan_id, sizeof plan_id, "%lld", (long long)ev->plan_id);
    snprintf(year, sizeof year, "%d", ev->year);
    snprintf(now_text, sizeof now_text, "%lld", (long long)in->now);
    top_of(ev->plan_unit, top);
    if (!lead || !coop)
        goto done;
    d = deadline_parse(ev->deadline_text ? ev->deadline_text : "", ev->year, in->cal, errbuf,
                       sizeof errbuf);
    if (!d) {
        log_warn("deadline unreadable", "task=%s reason=\"%s\"", task_id, errbuf);
        rc = 0;
        goto done;
    }
    const char *kind = d->unparsed ? "unparsed" : deadline_kind_name(d->kind);
    const char *waiting = d->event && d->ndue == 0 ? "true" : "false";
    const char *params[] = {task_id,       top,        plan_id,  ev->plan_number,
                            ev->plan_unit, year,       ev->area, ev->ordinal,
                            ev->title,     lead,       coop,     ev->deadline_text,
                            kind,          ev->status, now_text, waiting};
    PGresult *res = query(db,
                          "INSERT INTO deadline.task (task_id, top_code, plan_id, plan_number, "
                          "plan_unit, year, area, ordinal, title, lead, cooperating, "
                          "deadline_text, kind, status, last_update_at, waiting, due_soon_days) "
                          "VALUES ($1::bigint, $2, $3::bigint, $4, $5, $6::int, $7, $8, $9, "
                          "$10::text[], $11::text[], $12, $13, $14, to_timestamp($15::bigint), "
                          "$16::boolean, (SELECT p.due_soon_days FROM deadline.plan_policy p "
                          "WHERE p.plan_unit = $5 AND p.plan_number = $4)) "
                          "ON CONFLICT (task_id) DO UPDATE SET lead = EXCLUDED.lead, "
                          "cooperating = EXCLUDED.cooperating, title = EXCLUDED.title "
                          "RETURNING (xmax = 0), due_soon_days",
                          16, params);
    if (!res)
        goto done;
    bool created = PQgetvalue(res, 0, 0)[0] == 't';
    due_policy_t policy =
        monitor_policy_for(&in->policy, monitor_soon_days_cell(PQgetvalue(res, 0, 1)));
    PQclear(res);
    rc = created && strcmp(ev->status, "open") == 0
             ? monitor_occurrences_create(db, in, &policy, ev, d, lead)
             : 0;
done:
    deadline_destroy(&d);
    free(lead);
    free(coop);
    partrack__task_assigned__free_unpacked(ev, NULL);
    return rc;
}

static int on_task_updated(db_t *db, monitor_ingest_t *in, const event_t *event)
{
    Partrack__TaskUpdated *ev =
        partrack__task_updated__unpack(NULL, event->payload_len, event->payload);
    if (!ev) {
        log_warn("undecodable event", "type=TaskUpdated seq=%lld", (long long)event->seq);
        return 0;
    }
    char task_id[24], now_text[24], months[16];
    snprintf(task_id, sizeof task_id, "%lld", (long long)ev->task_id);
    snprintf(now_text, sizeof now_text, "%lld", (long long)in->now);
    snprintf(months, sizeof months, "%d", in->policy.stale_months);
    /* The completion time the update reports; done with none: when recorded. */
    const char *completed = ev->completed_at ? ev->completed_at : ev->recorded_at;
    const char *p[] = {task_id, ev->status, ev->completed_at, now_text};
    int rc = exec_ok(db,
                     "UPDATE deadline.task SET status = $2, completed_at = $3::timestamptz, "
                     "last_update_at = to_timestamp($4::bigint) WHERE task_id = $1::bigint",
                     4, p);
    if (rc == 0 && strcmp(ev->status, "done") == 0) {
        const char *q[] = {task_id, completed};
        rc = close_occurrences(
            db, in,
            MONITOR_CLOSED_SQL("UPDATE deadline.occurrence SET state = 'done', completed_at = "
                               "$2::timestamptz, outcome = CASE WHEN kind = 'stale' THEN NULL "
                               "WHEN $2::timestamptz <= " DUE_INSTANT_SQL(
                                   "effective") " THEN 'on_time' ELSE 'late' END, next_at = NULL, "
                                                "next_level = NULL WHERE task_id = $1::bigint "
                                                "AND state = 'open'"),
            2, q);
    } else if (rc == 0 && strcmp(ev->status, "cancelled") == 0) {
        const char *q[] = {task_id};
        rc = close_occurrences(
            db, in,
            MONITOR_CLOSED_SQL("UPDATE deadline.occurrence SET state = 'cancelled', next_at = "
                               "NULL, next_level = NULL WHERE task_id = $1::bigint AND state = "
                               "'open'"),
            1, q);
    } else if (rc == 0 && ev->completed_at) {
        /* One period of a recurring task reported done. */
        const char *q[] = {task_id, ev->completed_at};
        rc = close_occurrences(
            db, in,
            MONITOR_CLOSED_SQL(
                "UPDATE deadline.occurrence SET state = 'done', completed_at = "
                "$2::timestamptz, outcome = CASE WHEN $2::timestamptz <= "
                "" DUE_INSTANT_SQL("effective") " THEN 'on_time' ELSE 'late' END, "
                                                "next_at = NULL, next_level = NULL "
                                                "WHERE id = (SELECT id FROM "
                                                "deadline.occurrence WHERE task_id = "
                                                "$1::bigint AND kind = 'due' AND state "
                                                "= 'open' ORDER BY effective, seq "
                                                "LIMIT 1)"),
            2, q);
    }
    if (rc == 0 && strcmp(ev->status, "open") == 0) {
        const char *q[] = {task_id, now_text, months};
        rc = exec_ok(db,
                     "UPDATE deadline.occurrence SET level = 0, next_level = 5, next_at = "
                     "to_timestamp($2::bigint) + make_interval(months => $3::int) WHERE task_id "
                     "= $1::bigint AND kind = 'stale' AND state = 'open'",
                     3, q);
    }
    partrack__task_updated__free_unpacked(ev, NULL);
    return rc;
}

static int on_plan_issued(db_t *db, monitor_ingest_t *in, const event_t *event)
{
    Partrack__PlanIssued *ev =
        partrack__plan_issued__unpack(NULL, event->payload_len, event->payload);
    if (!ev)
        return 0;
    int rc = 0;
    if (ev->has_replaces) {
        char old[24];
        snprintf(old, sizeof old, "%lld", (long long)ev->replaces);
        const char *p[] = {old};
        /* The tasks first: the occurrences' statement must see them cancelled. */
        rc = exec_ok(db,
                     "UPDATE deadline.task SET status = 'cancelled' WHERE plan_id = $1::bigint "
                     "AND status = 'open'",
                     1, p);
        if (rc == 0)
            rc = close_occurrences(
                db, in,
                MONITOR_CLOSED_SQL("UPDATE deadline.occurrence SET state = 'cancelled', next_at "
                                   "= NULL, next_level = NULL WHERE task_id IN (SELECT task_id "
                                   "FROM deadline.task WHERE plan_id = $1::bigint AND status = "
                                   "'cancelled') AND state = 'open'"),
                1, p);
    }
    partrack__plan_issued__free_unpacked(ev, NULL);
    return rc;
}

/* The event of a waiting task happened: its period starts the next day. */
static int on_task_triggered(db_t *db, monitor_ingest_t *in, const event_t *event)
{
    Partrack__TaskTriggered *ev =
        partrack__task_triggered__unpack(NULL, event->payload_len, event->payload);
    if (!ev)
        return 0;
    char task_id[24], errbuf[256];
    snprintf(task_id, sizeof task_id, "%lld", (long long)ev->task_id);
    const char *p[] = {task_id};
    int rc = -1;
    deadline_t *d = NULL;
    PGresult *res = query(db,
                          "SELECT year, ordinal, title, lead::text, deadline_text, waiting AND "
                          "status = 'open', due_soon_days FROM deadline.task WHERE task_id = "
                          "$1::bigint FOR UPDATE",
                          1, p);
    date_t happened = date_parse(ev->on_date);
    if (!res)
        goto done;
    if (PQntuples(res) == 0 || PQgetvalue(res, 0, 5)[0] != 't' || happened == DATE_INVALID) {
        log_warn("trigger ignored", "task=%s reason=\"not a waiting task\"", task_id);
        rc = 0;
        goto done;
    }
    d = deadline_parse(PQgetvalue(res, 0, 4), atoi(PQgetvalue(res, 0, 0)), in->cal, errbuf,
                       sizeof errbuf);
    if (!d) {
        rc = 0;
        goto done;
    }
    /* One due date, counted from the event. */
    date_t nominal;
    date_t effective = due_after_event(in->cal, d->period_days, d->period_workdays,
                                       d->period_months, happened, &nominal);
    bool period = d->period_days > 0 || d->period_months > 0;
    d->due[0] = (deadline_due_t){.nominal = nominal,
                                 .effective = effective,
                                 .what = period ? DEADLINE_FOR_PERIOD : DEADLINE_FOR_DAY,
                                 .from = happened,
                                 .period = d->period_months ? d->period_months : d->period_days,
                                 .part = d->period_months     ? 2
                                         : d->period_workdays ? 1
                                                              : 0,
                                 .recurrence = -1};
    d->ndue = 1;
    d->continuous = false;
    due_policy_t policy =
        monitor_policy_for(&in->policy, monitor_soon_days_cell(PQgetvalue(res, 0, 6)));
    Partrack__TaskAssigned task = PARTRACK__TASK_ASSIGNED__INIT;
    task.task_id = ev->task_id;
    task.plan_number = ev->plan_number;
    task.plan_unit = ev->plan_unit;
    task.ordinal = PQgetisnull(res, 0, 1) ? NULL : PQgetvalue(res, 0, 1);
    task.title = PQgetvalue(res, 0, 2);
    if (monitor_occurrences_create(db, in, &policy, &task, d, PQgetvalue(res, 0, 3)) < 0 ||
        exec_ok(db, "UPDATE deadline.task SET waiting = false WHERE task_id = $1::bigint", 1, p) <
            0)
        goto done;
    rc = 0;
done:
    PQclear(res);
    deadline_destroy(&d);
    partrack__task_triggered__free_unpacked(ev, NULL);
    return rc;
}

static int on_task_feeds(db_t *db, const event_t *event)
{
    Partrack__TaskFeeds *ev =
        partrack__task_feeds__unpack(NULL, event->payload_len, event->payload);
    if (!ev)
        return 0;
    char from[24], into[24];
    snprintf(from, sizeof from, "%lld", (long long)ev->task_id);
    snprintf(into, sizeof into, "%lld", (long long)ev->into_task_id);
    const char *p[] = {from, into};
    partrack__task_feeds__free_unpacked(ev, NULL);
    return exec_ok(db,
                   "INSERT INTO deadline.task_feed (task_id, into_task_id) VALUES ($1::bigint, "
                   "$2::bigint) ON CONFLICT DO NOTHING",
                   2, p);
}

int monitor_ingest_event(db_t *db, const event_t *event, void *arg)
{
    monitor_ingest_t *in = arg;
    if (strcmp(event->type, "TaskAssigned") == 0)
        return on_task_assigned(db, in, event);
    if (strcmp(event->type, "TaskUpdated") == 0)
        return on_task_updated(db, in, event);
    if (strcmp(event->type, "PlanIssued") == 0)
        return on_plan_issued(db, in, event);
    if (strcmp(event->type, "TaskTriggered") == 0)
        return on_task_triggered(db, in, event);
    if (strcmp(event->type, "TaskRescheduled") == 0)
        return monitor_task_rescheduled(db, in, event);
    if (strcmp(event->type, "TaskFeeds") == 0)
        return on_task_feeds(db, event);
    if (strncmp(event->type, "Consultation", 12) == 0)
        return monitor_consult_ingest(db, event);
    return 0; /* units, targets: not this service's concern */
}
