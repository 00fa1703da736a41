/* monitor_reschedule.c - open occurrences moved to new due dates (see the
 * header) */
#include "monitor_reschedule.h"

#include "deadline.pb-c.h"
#include "events.pb-c.h"
#include "log.h"
#include "monitor_occurrences.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

due_policy_t monitor_policy_for(const due_policy_t *base, int soon_days)
{
    due_policy_t p = *base;
    if (soon_days >= 0)
        p.due_soon_days = soon_days;
    return p;
}

int monitor_soon_days_cell(const char *cell)
{
    return cell && *cell ? atoi(cell) : -1;
}

static uint8_t *pack_event(const monitor_move_t *m, due_level_t level, const char *reason,
                           size_t *len)
{
    Partrack__DueRecomputed ev = PARTRACK__DUE_RECOMPUTED__INIT;
    char old_text[11], new_text[11];
    date_format_iso(m->old_due, old_text);
    date_format_iso(m->effective, new_text);
    ev.occurrence_id = m->occurrence_id;
    ev.task_id = m->task_id;
    ev.old_due_date = old_text;
    ev.new_due_date = m->removed ? NULL : new_text;
    ev.level = (char *)due_level_name(level);
    ev.plan_number = (char *)m->plan_number;
    ev.plan_unit = (char *)m->plan_unit;
    ev.title = (char *)m->title;
    ev.reason = (char *)reason;
    ev.has_removed = m->removed;
    ev.removed = m->removed;
    ev.lead = db_array_words(m->lead, &ev.n_lead);
    uint8_t *buf = NULL;
    if (ev.lead) {
        *len = partrack__due_recomputed__get_packed_size(&ev);
        if ((buf = malloc(*len ? *len : 1)))
            partrack__due_recomputed__pack(&ev, buf);
    }
    free(ev.lead);
    return buf;
}

/* The columns of the update, one value per move. */
enum {
    C_ID,
    C_STATE,
    C_NOMINAL,
    C_EFFECTIVE,
    C_LABEL,
    C_FROM,
    C_TO,
    C_CLIPPED,
    C_LEVEL,
    C_NL,
    C_NA,
    C_RESET,
    C_COLS
};

int monitor_moves_apply(db_t *db, const workcal_t *cal, const due_policy_t *policy, int64_t now,
                        const monitor_move_t *moves, size_t n, const char *reason,
                        int64_t *last_event)
{
    if (n == 0)
        return 0;
    db_column_t cols[C_COLS] = {0};
    char(*text)[C_COLS][24] = calloc(n, sizeof *text);
    const char **types = calloc(n, sizeof *types);
    const char **units = calloc(n, sizeof *units);
    uint8_t **payloads = calloc(n, sizeof *payloads);
    size_t *lens = calloc(n, sizeof *lens);
    int rc = -1;
    if (!text || !types || !units || !payloads || !lens)
        goto done;
    for (size_t i = 0; i < n; i++) {
        const monitor_move_t *m = &moves[i];
        const char *vals[C_COLS] = {0};
        due_level_t level = m->level, next = DUE_LONG_TERM;
        int64_t next_at = 0;
        bool more = false;
        snprintf(text[i][C_ID], 24, "%lld", (long long)m->occurrence_id);
        vals[C_ID] = text[i][C_ID];
        if (m->removed) {
            vals[C_STATE] = "cancelled";
        } else {
            due_policy_t p = monitor_policy_for(policy, m->soon_days);
            int64_t at[DUE_LEVELS];
            due_level_instants(cal, m->effective, &p, at);
            due_level_t reached = due_level_at(at, now);
            if (reached < level)
                level = reached;
            bool reset = strcmp(reason, "deadline_changed") == 0;
            more = due_next(at, level, reset ? 0 : m->acked_level, &next, &next_at);
            vals[C_STATE] = "open";
            vals[C_RESET] = reset ? "true" : "false";
            date_format_iso(m->nominal, text[i][C_NOMINAL]);
            date_format_iso(m->effective, text[i][C_EFFECTIVE]);
            vals[C_NOMINAL] = text[i][C_NOMINAL];
            vals[C_EFFECTIVE] = text[i][C_EFFECTIVE];
            if (m->label) {
                vals[C_LABEL] = m->label;
                if (m->windowed) {
                    date_format_iso(m->window.from, text[i][C_FROM]);
                    date_format_iso(m->window.to, text[i][C_TO]);
                    vals[C_FROM] = text[i][C_FROM];
                    vals[C_TO] = text[i][C_TO];
                }
                vals[C_CLIPPED] = m->windowed && m->window.clipped ? "true" : "false";
            }
            snprintf(text[i][C_LEVEL], 24, "%d", (int)level);
            vals[C_LEVEL] = text[i][C_LEVEL];
            if (more) {
                snprintf(text[i][C_NL], 24, "%d", (int)next);
                snprintf(text[i][C_NA], 24, "%lld", (long long)next_at);
                vals[C_NL] = text[i][C_NL];
                vals[C_NA] = text[i][C_NA];
            }
        }
        for (int c = 0; c < C_COLS; c++)
            if (db_column_push(&cols[c], vals[c]) < 0)
                goto done;
        types[i] = "DueRecomputed";
        units[i] = m->plan_unit;
        if (!(payloads[i] = pack_event(m, level, reason, &lens[i])))
            goto done;
    }
    /* A NULL label keeps the label and data window; a removal keeps all but
     * its state and next step; a deadline change clears acknowledgements. */
    db_status_t st;
    PGresult *up = db_exec_columns(
        db,
        "UPDATE deadline.occurrence o SET state = u.st, nominal = coalesce(u.n, o.nominal), "
        "effective = coalesce(u.e, o.effective), label = CASE WHEN u.st = 'open' AND u.lb IS NOT "
        "NULL THEN u.lb ELSE o.label END, data_from = CASE WHEN u.lb IS NOT NULL THEN u.df ELSE "
        "o.data_from END, data_to = CASE WHEN u.lb IS NOT NULL THEN u.dt ELSE o.data_to END, "
        "data_clipped = coalesce(u.dc, o.data_clipped), level = coalesce(u.l, o.level), "
        "acked_level = CASE WHEN u.r THEN 0 ELSE o.acked_level END, "
        "next_level = u.nl, next_at = to_timestamp(u.na) FROM unnest($1::bigint[], $2::text[], "
        "$3::date[], $4::date[], $5::text[], $6::date[], $7::date[], $8::boolean[], "
        "$9::smallint[], $10::smallint[], $11::bigint[], $12::boolean[]) AS u(id, st, n, e, lb, "
        "df, dt, dc, l, nl, na, r) WHERE o.id = u.id",
        cols, C_COLS, &st);
    if (!up)
        goto done;
    PQclear(up);
    int64_t first;
    if (events_append_batch(db, "deadline", n, types, units, (const uint8_t *const *)payloads, lens,
                            &first) < 0)
        goto done;
    *last_event = first + (int64_t)n - 1;
    rc = 0;
done:
    for (size_t i = 0; payloads && i < n; i++)
        free(payloads[i]);
    free(payloads);
    free(types);
    free(units);
    free(lens);
    free(text);
    db_columns_free(cols, C_COLS);
    return rc;
}

/* ---- TaskRescheduled ---- */

enum { T_YEAR, T_ORDINAL, T_TITLE, T_LEAD, T_PLAN, T_UNIT, T_STATUS, T_SOON };
enum { O_ID, O_SEQ, O_NOMINAL, O_EFFECTIVE, O_LEVEL, O_ACKED, O_STATE };

/* The open (or earlier cancelled) due occurrences of the task against the
 * new schedule: seq i is the new schedule's i-th due date. */
static int move_occurrences(db_t *db, monitor_ingest_t *in, const char *task_id, PGresult *task,
                            const deadline_t *d, const due_policy_t *policy)
{
    const char *p[] = {task_id};
    db_status_t st;
    PGresult *res = db_exec(db,
                            "SELECT id, seq, nominal - DATE '1970-01-01', effective - DATE "
                            "'1970-01-01', level, acked_level, state FROM deadline.occurrence "
                            "WHERE task_id = $1::bigint AND kind = 'due' AND state IN ('open', "
                            "'cancelled') ORDER BY seq FOR UPDATE",
                            1, p, &st);
    if (!res)
        return -1;
    int n = PQntuples(res);
    monitor_move_t *moves = calloc((size_t)n + 1, sizeof *moves);
    char(*labels)[96] = calloc((size_t)n + 1, sizeof *labels);
    size_t nmoves = 0;
    int rc = -1;
    if (!moves || !labels)
        goto done;
    bool report = report_title(PQgetvalue(task, 0, T_TITLE));
    for (int r = 0; r < n; r++) {
        size_t seq = (size_t)atol(PQgetvalue(res, r, O_SEQ));
        bool open = strcmp(PQgetvalue(res, r, O_STATE), "open") == 0;
        monitor_move_t m = {
            .occurrence_id = strtoll(PQgetvalue(res, r, O_ID), NULL, 10),
            .task_id = strtoll(task_id, NULL, 10),
            .old_due = PQgetisnull(res, r, O_EFFECTIVE)
                           ? DATE_INVALID
                           : (date_t)atol(PQgetvalue(res, r, O_EFFECTIVE)),
            .level = (due_level_t)atoi(PQgetvalue(res, r, O_LEVEL)),
            .acked_level = atoi(PQgetvalue(res, r, O_ACKED)),
            .soon_days = policy->due_soon_days,
            .plan_number = PQgetvalue(task, 0, T_PLAN),
            .plan_unit = PQgetvalue(task, 0, T_UNIT),
            .title = PQgetvalue(task, 0, T_TITLE),
            .lead = PQgetvalue(task, 0, T_LEAD),
        };
        if (seq < 1 || seq > d->ndue) {
            if (!open)
                continue; /* cancelled already */
            m.removed = true;
        } else {
            const deadline_due_t *due = &d->due[seq - 1];
            date_t nominal = PQgetisnull(res, r, O_NOMINAL)
                                 ? DATE_INVALID
                                 : (date_t)atol(PQgetvalue(res, r, O_NOMINAL));
            if (open && nominal == due->nominal && m.old_due == due->effective)
                continue; /* this due date did not change */
            m.nominal = due->nominal;
            m.effective = due->effective;
            m.label = deadline_due_label(d, due, labels[nmoves], sizeof labels[nmoves]);
            m.windowed = report && report_window(d, due, REPORT_CUTOFF_DAY, &m.window);
            if (!open)
                m.level = DUE_LONG_TERM; /* reopened: its levels come again */
        }
        moves[nmoves++] = m;
    }
    if (monitor_moves_apply(db, in->cal, policy, in->now, moves, nmoves, "deadline_changed",
                            &in->last_event) < 0)
        goto done;
    rc = 0;
done:
    free(moves);
    free(labels);
    PQclear(res);
    return rc;
}

/* The stale watch follows the new schedule: opened for a continuous task,
 * cancelled for one that no longer is. */
static int follow_stale_watch(db_t *db, const char *task_id, bool continuous, int64_t now,
                              int stale_months)
{
    char now_text[24], months[16];
    snprintf(now_text, sizeof now_text, "%lld", (long long)now);
    snprintf(months, sizeof months, "%d", stale_months);
    const char *p[] = {task_id, now_text, months};
    db_status_t st;
    PGresult *res =
        continuous
            ? db_exec(db,
                      "UPDATE deadline.occurrence SET state = 'open', level = 0, next_level = 5, "
                      "next_at = to_timestamp($2::bigint) + make_interval(months => $3::int) "
                      "WHERE task_id = $1::bigint AND kind = 'stale' AND state = 'cancelled'",
                      3, p, &st)
            : db_exec(db,
                      "UPDATE deadline.occurrence SET state = 'cancelled', next_level = NULL, "
                      "next_at = NULL WHERE task_id = $1::bigint AND kind = 'stale' AND state = "
                      "'open'",
                      1, p, &st);
    if (!res)
        return -1;
    PQclear(res);
    return 0;
}

int monitor_task_rescheduled(db_t *db, monitor_ingest_t *in, const event_t *event)
{
    Partrack__TaskRescheduled *ev =
        partrack__task_rescheduled__unpack(NULL, event->payload_len, event->payload);
    if (!ev) {
        log_warn("undecodable event", "type=TaskRescheduled seq=%lld", (long long)event->seq);
        return 0; /* a bad event must not stop the stream */
    }
    char task_id[24], errbuf[256];
    snprintf(task_id, sizeof task_id, "%lld", (long long)ev->task_id);
    const char *p[] = {task_id};
    db_status_t st;
    deadline_t *d = NULL;
    int rc = -1;
    PGresult *task = db_exec(db,
                             "SELECT year, ordinal, title, lead::text, plan_number, plan_unit, "
                             "status, due_soon_days FROM deadline.task WHERE task_id = $1::bigint "
                             "FOR UPDATE",
                             1, p, &st);
    if (!task)
        goto done;
    if (PQntuples(task) == 0) {
        log_warn("reschedule ignored", "task=%s reason=\"unknown task\"", task_id);
        rc = 0;
        goto done;
    }
    d = deadline_parse(ev->deadline_text, atoi(PQgetvalue(task, 0, T_YEAR)), in->cal, errbuf,
                       sizeof errbuf);
    if (!d) {
        log_warn("deadline unreadable", "task=%s reason=\"%s\"", task_id, errbuf);
        rc = 0;
        goto done;
    }
    bool open = strcmp(PQgetvalue(task, 0, T_STATUS), "open") == 0;
    const char *kind = d->unparsed ? "unparsed" : deadline_kind_name(d->kind);
    const char *waiting = open && d->event && d->ndue == 0 ? "true" : "false";
    const char *q[] = {task_id, ev->deadline_text, kind, waiting};
    PGresult *up = db_exec(db,
                           "UPDATE deadline.task SET deadline_text = $2, kind = $3, waiting = "
                           "$4::boolean WHERE task_id = $1::bigint",
                           4, q, &st);
    if (!up)
        goto done;
    PQclear(up);
    if (!open) {
        rc = 0; /* a done or cancelled task keeps its occurrences */
        goto done;
    }
    due_policy_t policy =
        monitor_policy_for(&in->policy, monitor_soon_days_cell(PQgetvalue(task, 0, T_SOON)));
    Partrack__TaskAssigned ref = PARTRACK__TASK_ASSIGNED__INIT;
    ref.task_id = ev->task_id;
    ref.plan_number = PQgetvalue(task, 0, T_PLAN);
    ref.plan_unit = PQgetvalue(task, 0, T_UNIT);
    ref.title = PQgetvalue(task, 0, T_TITLE);
    ref.ordinal = PQgetisnull(task, 0, T_ORDINAL) ? NULL : PQgetvalue(task, 0, T_ORDINAL);
    if (move_occurrences(db, in, task_id, task, d, &policy) < 0 ||
        monitor_occurrences_create(db, in, &policy, &ref, d, PQgetvalue(task, 0, T_LEAD)) < 0 ||
        follow_stale_watch(db, task_id, d->continuous, in->now, policy.stale_months) < 0)
        goto done;
    rc = 0;
done:
    PQclear(task);
    deadline_destroy(&d);
    partrack__task_rescheduled__free_unpacked(ev, NULL);
    return rc;
}
