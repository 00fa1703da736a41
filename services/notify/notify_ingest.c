/* notify_ingest.c - the other services' events, as feed entries (the rules
 * are in the header) */
#include "notify_ingest.h"

#include "consult.pb-c.h"
#include "deadline.pb-c.h"
#include "due_levels.h"
#include "events.pb-c.h"
#include "log.h"
#include "notify_batch.h"
#include "notify_directory.h"
#include "notify_text.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct notify_ingest {
    const char *producer;          /* borrowed */
    notify_directory_t *directory; /* this batch's lookups */
    notify_batch_t *batch;         /* this batch's entries */
    long written;                  /* by the last flush */
};

notify_ingest_t *notify_ingest_new(const char *producer)
{
    notify_ingest_t *self = calloc(1, sizeof *self);
    if (!self || !(self->directory = notify_directory_new()) ||
        !(self->batch = notify_batch_new())) {
        notify_ingest_destroy(&self);
        return NULL;
    }
    self->producer = producer;
    return self;
}

void notify_ingest_destroy(notify_ingest_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    notify_directory_destroy(&(*self_p)->directory);
    notify_batch_destroy(&(*self_p)->batch);
    free(*self_p);
    *self_p = NULL;
}

/* The name of a lead unit, for texts: NULL and *failed when the lookup
 * failed, NULL when there is no lead. */
static const char *lead_name(notify_ingest_t *in, db_t *db, char **lead, size_t n, bool *failed)
{
    if (n == 0)
        return NULL;
    const char *name = notify_directory_unit_name(in->directory, db, lead[0]);
    *failed = !name;
    return name;
}

/* The event's sequence number as text, into out (at least 24 bytes). */
static const char *source_seq(const event_t *ev, char *out)
{
    snprintf(out, 24, "%lld", (long long)ev->seq);
    return out;
}

/* One entry per recipient of news about `units`, all with the same text. */
static int tell(db_t *db, notify_ingest_t *in, char **units, size_t n, notify_audience_t to,
                const notify_entry_t *entry)
{
    if (n == 0)
        return 0;
    const notify_recipient_t *people;
    long count = notify_directory_recipients(in->directory, db, units, n, to, &people);
    if (count < 0)
        return -1;
    return notify_batch_add(in->batch, entry, people, (size_t)count);
}

static int on_transition(db_t *db, notify_ingest_t *in, const event_t *ev)
{
    Partrack__DueTransition *t =
        partrack__due_transition__unpack(NULL, ev->payload_len, ev->payload);
    if (!t) {
        log_warn("undecodable event", "type=DueTransition seq=%lld", (long long)ev->seq);
        return 0; /* a bad event must not stop the stream */
    }
    bool failed = false;
    char text[2048], dedupe[96], source[48];
    notify_task_t task = {.title = t->title,
                          .plan_number = t->plan_number,
                          .unit_name = lead_name(in, db, t->lead, t->n_lead, &failed),
                          .due_date = t->due_date,
                          .workdays_overdue = t->has_workdays_overdue ? t->workdays_overdue : 0};
    if (t->threatens) {
        task.threat_title = t->threatens->title;
        task.threat_plan = t->threatens->plan_number;
        task.threat_due = t->threatens->due_date;
    }
    int rc = failed ? -1 : 0;
    if (!failed && notify_text_level(&task, t->level, text, sizeof text)) {
        notify_audience_t to = strcmp(t->level, "due_soon") == 0    ? NOTIFY_TO_PEOPLE
                               : strcmp(t->level, "escalated") == 0 ? NOTIFY_TO_PARENT_HEADS
                                                                    : NOTIFY_TO_HEADS;
        snprintf(dedupe, sizeof dedupe, "occ:%lld:%s", (long long)t->occurrence_id, t->level);
        snprintf(source, sizeof source, "%s:%lld", in->producer, (long long)ev->seq);
        notify_entry_t tmpl = {.kind = t->level,
                               .dedupe = dedupe,
                               .source = source,
                               .occurrence_id = t->occurrence_id,
                               .task_id = t->task_id,
                               .level = t->level,
                               .text = text};
        rc = tell(db, in, t->lead, t->n_lead, to, &tmpl);
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
    bool failed = false;
    char text[2048], dedupe[96], source[48];
    notify_task_t task = {.title = m->title,
                          .plan_number = m->plan_number,
                          .unit_name = lead_name(in, db, m->lead, m->n_lead, &failed)};
    if (failed) {
        partrack__due_recomputed__free_unpacked(m, NULL);
        return -1;
    }
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
    int rc = tell(db, in, m->lead, m->n_lead, NOTIFY_TO_HEADS, &tmpl);
    partrack__due_recomputed__free_unpacked(m, NULL);
    return rc;
}

static int on_deemed(db_t *db, notify_ingest_t *in, const event_t *ev)
{
    Partrack__ConsultationDeemedAgreed *c =
        partrack__consultation_deemed_agreed__unpack(NULL, ev->payload_len, ev->payload);
    if (!c)
        return 0;
    const char *from = notify_directory_unit_name(in->directory, db, c->from_unit);
    const char *to = from ? notify_directory_unit_name(in->directory, db, c->to_unit) : NULL;
    if (!to) {
        partrack__consultation_deemed_agreed__free_unpacked(c, NULL);
        return -1;
    }
    char text[2048], dedupe[64], source[48];
    notify_text_deemed(c->subject, from, to, c->effective_due, text, sizeof text);
    snprintf(dedupe, sizeof dedupe, "consult:%lld:deemed", (long long)c->id);
    snprintf(source, sizeof source, "%s:%lld", in->producer, (long long)ev->seq);
    char *units[] = {c->from_unit, c->to_unit};
    notify_entry_t tmpl = {
        .kind = "deemed_agreed", .dedupe = dedupe, .source = source, .text = text};
    int rc = tell(db, in, units, 2, NOTIFY_TO_HEADS, &tmpl);
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
        bool failed = false;
        char text[2048], dedupe[96], source[48];
        notify_task_t task = {.title = a->title,
                              .plan_number = a->plan_number,
                              .unit_name = lead_name(in, db, a->lead, a->n_lead, &failed)};
        if (failed) {
            partrack__task_assigned__free_unpacked(a, NULL);
            return -1;
        }
        notify_text_assigned(&task, a->deadline_text, text, sizeof text);
        /* A merge hands the task to another unit: its head hears it too. */
        snprintf(dedupe, sizeof dedupe, "task:%lld:assigned:%s", (long long)a->task_id, a->lead[0]);
        snprintf(source, sizeof source, "%s:%lld", in->producer, (long long)ev->seq);
        notify_entry_t tmpl = {.kind = "assigned",
                               .dedupe = dedupe,
                               .source = source,
                               .task_id = a->task_id,
                               .text = text};
        rc = tell(db, in, a->lead, a->n_lead, NOTIFY_TO_HEADS, &tmpl);
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
    if (strcmp(u->status, u->previous_status) == 0) {
        partrack__task_updated__free_unpacked(u, NULL);
        return 0; /* progress alone: nothing to look up */
    }
    bool failed = false;
    char text[2048], dedupe[96], source[48];
    notify_task_t task = {.title = u->title,
                          .plan_number = u->plan_number,
                          .unit_name = lead_name(in, db, u->lead, u->n_lead, &failed)};
    int rc = failed ? -1 : 0;
    bool done = strcmp(u->status, "done") == 0;
    /* The day it happened, in Vietnam: the completion time for done. */
    int64_t instant;
    char on[11] = "";
    if (due_parse_instant(done && u->completed_at ? u->completed_at : u->recorded_at, &instant) ==
        0)
        date_format_iso(due_local_date(instant), on);
    if (!failed &&
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
        rc = tell(db, in, u->lead, u->n_lead, NOTIFY_TO_HEADS, &tmpl);
    }
    partrack__task_updated__free_unpacked(u, NULL);
    return rc;
}

/* A unit's score locked or moved (ScorePublished): news for the unit's
 * head and followers, once per event. */
static int on_score_published(db_t *db, notify_ingest_t *in, const event_t *ev)
{
    Partrack__ScorePublished *p =
        partrack__score_published__unpack(NULL, ev->payload_len, ev->payload);
    if (!p) {
        log_warn("undecodable event", "type=ScorePublished seq=%lld", (long long)ev->seq);
        return 0;
    }
    const char *name =
        p->unit_name ? p->unit_name : notify_directory_unit_name(in->directory, db, p->unit);
    int rc = -1;
    if (name) {
        char text[1024], dedupe[128], source[48], seq[24];
        notify_text_score(name, p->year, p->score, p->grade, p->reason, p->has_previous_score,
                          p->previous_score, text, sizeof text);
        snprintf(dedupe, sizeof dedupe, "score:%s:%d:%s:%s", p->unit, (int)p->year, p->scheme,
                 strcmp(p->reason, "locked") == 0 ? "locked" : source_seq(ev, seq));
        snprintf(source, sizeof source, "%s:%lld", in->producer, (long long)ev->seq);
        notify_entry_t tmpl = {
            .kind = "score_published", .dedupe = dedupe, .source = source, .text = text};
        char *units[] = {p->unit};
        rc = tell(db, in, units, 1, NOTIFY_TO_HEADS, &tmpl);
    }
    partrack__score_published__free_unpacked(p, NULL);
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
    if (strcmp(event->type, "ScorePublished") == 0)
        return on_score_published(db, in, event);
    if (strcmp(event->type, "TaskUpdated") == 0)
        return on_updated(db, in, event);
    return 0; /* not news for anyone's feed */
}

int notify_ingest_flush(db_t *db, void *arg)
{
    notify_ingest_t *in = arg;
    in->written = notify_batch_write(in->batch, db);
    notify_directory_forget(in->directory);
    if (in->written < 0) {
        in->written = 0;
        return -1;
    }
    return 0;
}

void notify_ingest_discard(notify_ingest_t *self)
{
    notify_batch_clear(self->batch);
    notify_directory_forget(self->directory);
    self->written = 0;
}

long notify_ingest_written(const notify_ingest_t *self)
{
    return self->written;
}
