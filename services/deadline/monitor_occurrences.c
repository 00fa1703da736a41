/* monitor_occurrences.c - a task's due occurrences, created (see the header) */
#include "monitor_occurrences.h"

#include "monitor_transition.h"
#include "report_window.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int monitor_occurrences_create(db_t *db, monitor_ingest_t *in, const due_policy_t *policy,
                               const Partrack__TaskAssigned *ev, const deadline_t *d,
                               const char *lead)
{
    char task_id[24], now_text[24];
    snprintf(task_id, sizeof task_id, "%lld", (long long)ev->task_id);
    snprintf(now_text, sizeof now_text, "%lld", (long long)in->now);
    db_column_t cols[11] = {0};
    char(*text)[9][32] = calloc(d->ndue + 1, sizeof *text);
    bool report = report_title(ev->title);
    int64_t(*at)[DUE_LEVELS] = calloc(d->ndue + 1, sizeof *at);
    due_level_t *level = calloc(d->ndue + 1, sizeof *level);
    char(*labels)[96] = calloc(d->ndue + 1, sizeof *labels);
    monitor_step_t *steps = calloc(d->ndue + 1, sizeof *steps);
    PGresult *res = NULL;
    int rc = -1;
    if (!text || !at || !level || !labels || !steps)
        goto done;
    for (size_t i = 0; i < d->ndue; i++) {
        const deadline_due_t *due = &d->due[i];
        due_level_instants(in->cal, due->effective, policy, at[i]);
        level[i] = due_level_at(at[i], in->now);
        due_level_t next;
        int64_t next_at;
        bool more = due_next(at[i], level[i], 0, &next, &next_at);
        snprintf(text[i][0], 32, "%zu", i + 1);
        date_format_iso(due->nominal, text[i][1]);
        date_format_iso(due->effective, text[i][2]);
        snprintf(text[i][3], 32, "%d", (int)level[i]);
        if (more) { /* otherwise next and next_at are not set */
            snprintf(text[i][4], 32, "%d", (int)next);
            snprintf(text[i][5], 32, "%lld", (long long)next_at);
        }
        deadline_due_label(d, due, labels[i], sizeof labels[i]);
        report_window_t w;
        bool windowed = report && report_window(d, due, REPORT_CUTOFF_DAY, &w);
        if (windowed) {
            date_format_iso(w.from, text[i][6]);
            date_format_iso(w.to, text[i][7]);
        }
        snprintf(text[i][8], 32, "%s", windowed && w.clipped ? "true" : "false");
        const char *vals[11] = {task_id,
                                text[i][0],
                                text[i][1],
                                text[i][2],
                                labels[i],
                                text[i][3],
                                more ? text[i][4] : NULL,
                                more ? text[i][5] : NULL,
                                windowed ? text[i][6] : NULL,
                                windowed ? text[i][7] : NULL,
                                text[i][8]};
        for (int c = 0; c < 11; c++)
            if (db_column_push(&cols[c], vals[c]) < 0)
                goto done;
    }
    if (d->ndue > 0) {
        db_status_t st;
        res = db_exec_columns(db,
                              "INSERT INTO deadline.occurrence (task_id, seq, nominal, effective, "
                              "label, level, next_level, next_at, data_from, data_to, "
                              "data_clipped) SELECT t, s, n, e, l, lv, nl, to_timestamp(na), df, "
                              "dt, dc FROM unnest($1::bigint[], $2::int[], $3::date[], "
                              "$4::date[], $5::text[], $6::smallint[], $7::smallint[], "
                              "$8::bigint[], $9::date[], $10::date[], $11::boolean[]) AS u(t, s, "
                              "n, e, l, lv, nl, na, df, dt, dc) "
                              "ON CONFLICT DO NOTHING RETURNING id, seq",
                              cols, 11, &st);
        if (!res)
            goto done;
        size_t nsteps = 0;
        for (int r = 0; r < PQntuples(res); r++) {
            size_t i = (size_t)atoi(PQgetvalue(res, r, 1)) - 1;
            if (i >= d->ndue || level[i] < DUE_SOON)
                continue;
            steps[nsteps++] =
                (monitor_step_t){.occurrence_id = strtoll(PQgetvalue(res, r, 0), NULL, 10),
                                 .task_id = ev->task_id,
                                 .level = level[i],
                                 .at = at[i][level[i]],
                                 .plan_number = ev->plan_number,
                                 .plan_unit = ev->plan_unit,
                                 .title = ev->title,
                                 .ordinal = ev->ordinal,
                                 .label = labels[i],
                                 .lead = lead,
                                 .effective = d->due[i].effective,
                                 .nominal = d->due[i].nominal,
                                 .workdays_overdue = due_workdays_overdue(
                                     in->cal, d->due[i].effective, at[i][level[i]])};
        }
        size_t recorded;
        if (monitor_steps_record(db, steps, nsteps, &recorded, &in->last_event) < 0)
            goto done;
        in->transitions += recorded;
    }
    if (d->continuous) {
        char months[16];
        snprintf(months, sizeof months, "%d", policy->stale_months);
        const char *params[] = {task_id, now_text, months};
        db_status_t st;
        PGresult *stale =
            db_exec(db,
                    "INSERT INTO deadline.occurrence (task_id, seq, kind, level, next_level, "
                    "next_at) VALUES ($1::bigint, 0, 'stale', 0, 5, to_timestamp($2::bigint) + "
                    "make_interval(months => $3::int)) ON CONFLICT DO NOTHING",
                    3, params, &st);
        if (!stale)
            goto done;
        PQclear(stale);
    }
    rc = 0;
done:
    PQclear(res);
    db_columns_free(cols, 11);
    free(text);
    free(at);
    free(level);
    free(labels);
    free(steps);
    return rc;
}
