/* notify_ingest.c - the other services' events, as feed entries (the rules
 * are in the header) */
#include "notify_ingest.h"

#include "consult.pb-c.h"
#include "deadline.pb-c.h"
#include "due_levels.h"
#include "events.pb-c.h"
#include "log.h"
#include "notify_feed.h"
#include "notify_text.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Who receives: how the units given are looked at. */
typedef enum {
    TO_PEOPLE,       /* everyone of the units */
    TO_HEADS,        /* the units' heads */
    TO_PARENT_HEADS, /* their parent units' heads */
} audience_t;

/* Recipients of news about units[0..n): rows (person_id, unit_code), one
 * per person; followers of the units included. */
static PGresult *recipients(db_t *db, char **units, size_t n, audience_t to)
{
    char *array = db_array_literal((const char *const *)units, n);
    if (!array)
        return NULL;
    const char *mode = to == TO_PEOPLE ? "people" : to == TO_HEADS ? "heads" : "parents";
    const char *p[] = {array, mode};
    db_status_t st;
    PGresult *res = db_exec(
        db,
        "SELECT DISTINCT ON (person) person, unit FROM ("
        "SELECT p.id AS person, p.unit_code AS unit, 1 AS rank FROM registry.people p WHERE "
        "$2 = 'people' AND p.unit_code = ANY ($1::text[]) "
        "UNION ALL SELECT u.head_id, u.code, 1 FROM registry.units u WHERE $2 = 'heads' AND "
        "u.code = ANY ($1::text[]) AND u.head_id IS NOT NULL "
        "UNION ALL SELECT pu.head_id, pu.code, 1 FROM registry.units u JOIN registry.units pu ON "
        "pu.code = u.parent_code WHERE $2 = 'parents' AND u.code = ANY ($1::text[]) AND "
        "pu.head_id IS NOT NULL "
        "UNION ALL SELECT f.person_id, f.unit_code, 2 FROM notify.follow f WHERE f.unit_code = "
        "ANY ($1::text[])) r ORDER BY person, rank, unit",
        2, p, &st);
    free(array);
    return res;
}

/* The name of a unit ("" if unknown), into out. */
static const char *unit_name(db_t *db, const char *code, char *out, size_t len)
{
    const char *p[] = {code};
    db_status_t st;
    PGresult *res = db_exec(db, "SELECT name FROM registry.units WHERE code = $1", 1, p, &st);
    snprintf(out, len, "%s", res && PQntuples(res) == 1 ? PQgetvalue(res, 0, 0) : code);
    PQclear(res);
    return out;
}

/* One entry per recipient of news about `units`, all with the same text. */
static int tell(db_t *db, notify_ingest_t *in, char **units, size_t n, audience_t to,
                notify_entry_t tmpl)
{
    if (n == 0)
        return 0;
    PGresult *res = recipients(db, units, n, to);
    if (!res)
        return -1;
    int rows = PQntuples(res);
    notify_entry_t *e = calloc((size_t)rows + 1, sizeof *e);
    int rc = -1;
    if (e) {
        for (int r = 0; r < rows; r++) {
            e[r] = tmpl;
            e[r].person_id = PQgetvalue(res, r, 0);
            e[r].unit_code = PQgetvalue(res, r, 1);
        }
        long written = notify_feed_append(db, e, (size_t)rows);
        if (written >= 0) {
            in->written += written;
            rc = 0;
        }
    }
    free(e);
    PQclear(res);
    return rc;
}

static int on_transition(db_t *db, notify_ingest_t *in, const event_t *ev)
{
    Partrack__DueTransition *t =
        partrack__due_transition__unpack(NULL, ev->payload_len, ev->payload);
    if (!t) {
        log_warn("undecodable event", "type=DueTransition seq=%lld", (long long)ev->seq);
        return 0; /* a bad event must not stop the stream */
    }
    char name[256], text[2048], dedupe[96], source[48];
    notify_task_t task = {.title = t->title,
                          .plan_number = t->plan_number,
                          .unit_name =
                              t->n_lead ? unit_name(db, t->lead[0], name, sizeof name) : NULL,
                          .due_date = t->due_date,
                          .workdays_overdue = t->has_workdays_overdue ? t->workdays_overdue : 0};
    if (t->threatens) {
        task.threat_title = t->threatens->title;
        task.threat_plan = t->threatens->plan_number;
        task.threat_due = t->threatens->due_date;
    }
    int rc = 0;
    if (notify_text_level(&task, t->level, text, sizeof text)) {
        audience_t to = strcmp(t->level, "due_soon") == 0    ? TO_PEOPLE
                        : strcmp(t->level, "escalated") == 0 ? TO_PARENT_HEADS
                                                             : TO_HEADS;
        snprintf(dedupe, sizeof dedupe, "occ:%lld:%s", (long long)t->occurrence_id, t->level);
        snprintf(source, sizeof source, "%s:%lld", in->producer, (long long)ev->seq);
        notify_entry_t tmpl = {.kind = t->level,
                               .dedupe = dedupe,
                               .source = source,
                               .occurrence_id = t->occurrence_id,
                               .task_id = t->task_id,
                               .level = t->level,
                               .text = text};
        rc = tell(db, in, t->lead, t->n_lead, to, tmpl);
    }
    partrack__due_transition__free_unpacked(t, NULL);
    return rc;
}

static int on_recomputed(db_t *db, notify_ingest_t *in, const event_t *ev)
{
    Partrack__DueRecomputed *m =
        partrack__due_recomputed__unpack(NULL, ev->payload_len, ev->payload);
    if (!m)
        return 0;
    char name[256], text[2048], dedupe[96], source[48];
    notify_task_t task = {.title = m->title,
                          .plan_number = m->plan_number,
                          .unit_name =
                              m->n_lead ? unit_name(db, m->lead[0], name, sizeof name) : NULL};
    notify_text_moved(&task, m->old_due_date, m->new_due_date, text, sizeof text);
    bool removed = m->has_removed && m->removed;
    snprintf(dedupe, sizeof dedupe, "occ:%lld:moved:%s", (long long)m->occurrence_id,
             removed ? "removed" : m->new_due_date);
    snprintf(source, sizeof source, "%s:%lld", in->producer, (long long)ev->seq);
    notify_entry_t tmpl = {.kind = removed ? "removed" : "recomputed",
                           .dedupe = dedupe,
                           .source = source,
                           .occurrence_id = m->occurrence_id,
                           .task_id = m->task_id,
                           .text = text};
    int rc = tell(db, in, m->lead, m->n_lead, TO_HEADS, tmpl);
    partrack__due_recomputed__free_unpacked(m, NULL);
    return rc;
}

static int on_deemed(db_t *db, notify_ingest_t *in, const event_t *ev)
{
    Partrack__ConsultationDeemedAgreed *c =
        partrack__consultation_deemed_agreed__unpack(NULL, ev->payload_len, ev->payload);
    if (!c)
        return 0;
    char from[256], to[256], text[2048], dedupe[64], source[48];
    notify_text_deemed(c->subject, unit_name(db, c->from_unit, from, sizeof from),
                       unit_name(db, c->to_unit, to, sizeof to), c->effective_due, text,
                       sizeof text);
    snprintf(dedupe, sizeof dedupe, "consult:%lld:deemed", (long long)c->id);
    snprintf(source, sizeof source, "%s:%lld", in->producer, (long long)ev->seq);
    char *units[] = {c->from_unit, c->to_unit};
    notify_entry_t tmpl = {
        .kind = "deemed_agreed", .dedupe = dedupe, .source = source, .text = text};
    int rc = tell(db, in, units, 2, TO_HEADS, tmpl);
    partrack__consultation_deemed_agreed__free_unpacked(c, NULL);
    return rc;
}

static int on_assigned(db_t *db, notify_ingest_t *in, const event_t *ev)
{
    Partrack__TaskAssigned *a = partrack__task_assigned__unpack(NULL, ev->payload_len, ev->payload);
    if (!a)
        return 0;
    int rc = 0;
    if (strcmp(a->status, "open") == 0 && a->n_lead > 0) {
        char name[256], text[2048], dedupe[96], source[48];
        notify_task_t task = {.title = a->title,
                              .plan_number = a->plan_number,
                              .unit_name = unit_name(db, a->lead[0], name, sizeof name)};
        notify_text_assigned(&task, a->deadline_text, text, sizeof text);
        /* A merge hands the task to another unit: its head hears it too. */
        snprintf(dedupe, sizeof dedupe, "task:%lld:assigned:%s", (long long)a->task_id, a->lead[0]);
        snprintf(source, sizeof source, "%s:%lld", in->producer, (long long)ev->seq);
        notify_entry_t tmpl = {.kind = "assigned",
                               .dedupe = dedupe,
                               .source = source,
                               .task_id = a->task_id,
                               .text = text};
        rc = tell(db, in, a->lead, a->n_lead, TO_HEADS, tmpl);
    }
    partrack__task_assigned__free_unpacked(a, NULL);
    return rc;
}

/* A task done, cancelled or reopened: news for its lead units' heads.
 * Progress alone is not. */
static int on_updated(db_t *db, notify_ingest_t *in, const event_t *ev)
{
    Partrack__TaskUpdated *u = partrack__task_updated__unpack(NULL, ev->payload_len, ev->payload);
    if (!u)
        return 0;
    int rc = 0;
    char name[256], text[2048], dedupe[96], source[48];
    notify_task_t task = {.title = u->title,
                          .plan_number = u->plan_number,
                          .unit_name =
                              u->n_lead ? unit_name(db, u->lead[0], name, sizeof name) : NULL};
    bool done = strcmp(u->status, "done") == 0;
    /* The day it happened, in Vietnam: the completion time for done. */
    int64_t instant;
    char on[11] = "";
    if (due_parse_instant(done && u->completed_at ? u->completed_at : u->recorded_at, &instant) ==
        0)
        date_format_iso(due_local_date(instant), on);
    if (strcmp(u->status, u->previous_status) != 0 &&
        notify_text_status(&task, u->status, *on ? on : NULL, u->actor, text, sizeof text)) {
        snprintf(dedupe, sizeof dedupe, "task:%lld:update:%lld", (long long)u->task_id,
                 (long long)u->update_id);
        snprintf(source, sizeof source, "%s:%lld", in->producer, (long long)ev->seq);
        notify_entry_t tmpl = {.kind = done                                  ? "task_done"
                                       : strcmp(u->status, "cancelled") == 0 ? "task_cancelled"
                                                                             : "task_reopened",
                               .dedupe = dedupe,
                               .source = source,
                               .task_id = u->task_id,
                               .text = text};
        rc = tell(db, in, u->lead, u->n_lead, TO_HEADS, tmpl);
    }
    partrack__task_updated__free_unpacked(u, NULL);
    return rc;
}

int notify_ingest_event(db_t *db, const event_t *event, void *arg)
{
    notify_ingest_t *in = arg;
    if (strcmp(event->type, "DueTransition") == 0)
        return on_transition(db, in, event);
    if (strcmp(event->type, "DueRecomputed") == 0)
        return on_recomputed(db, in, event);
    if (strcmp(event->type, "ConsultationDeemedAgreed") == 0)
        return on_deemed(db, in, event);
    if (strcmp(event->type, "TaskAssigned") == 0)
        return on_assigned(db, in, event);
    if (strcmp(event->type, "TaskUpdated") == 0)
        return on_updated(db, in, event);
    return 0; /* not news for anyone's feed */
}
