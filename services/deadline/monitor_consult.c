/* monitor_consult.c - consultations deemed agreed at their deadline (see the
 * header)
 */
#include "monitor_consult.h"

#include "consult.pb-c.h"
#include "due_levels.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int monitor_consult_ingest(db_t *db, const event_t *event)
{
    bool requested = strcmp(event->type, "ConsultationRequested") == 0;
    if (!requested && strcmp(event->type, "ConsultationAnswered") != 0)
        return 0;
    Partrack__Consultation *c =
        partrack__consultation__unpack(NULL, event->payload_len, event->payload);
    if (!c) {
        log_warn("undecodable event", "type=%s seq=%lld", event->type, (long long)event->seq);
        return 0;
    }
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)c->id);
    db_status_t st;
    PGresult *res;
    if (requested) {
        const char *params[] = {id, c->from_unit, c->to_unit, c->subject, c->effective_due};
        res = db_exec(db,
                      "INSERT INTO deadline.consultation (id, from_unit, to_unit, subject, "
                      "effective_due, next_at) VALUES ($1::bigint, $2, $3, $4, $5::date, "
                      "" DUE_INSTANT_SQL("$5::date") ") ON CONFLICT DO NOTHING",
                      5, params, &st);
    } else {
        const char *params[] = {id};
        res = db_exec(db,
                      "UPDATE deadline.consultation SET state = 'answered', next_at = NULL WHERE "
                      "id = $1::bigint AND state = 'open'",
                      1, params, &st);
    }
    partrack__consultation__free_unpacked(c, NULL);
    if (!res)
        return -1;
    PQclear(res);
    return 0;
}

/* One batch: the number deemed agreed, or -1. */
static int sweep_batch(db_t *db, int64_t now, int batch, int64_t *last_event)
{
    char now_text[24], limit[16];
    snprintf(now_text, sizeof now_text, "%lld", (long long)now);
    snprintf(limit, sizeof limit, "%d", batch);
    const char *params[] = {now_text, limit};
    if (db_begin(db) != DB_OK)
        return -1;
    db_status_t st;
    PGresult *res = db_exec(db,
                            "UPDATE deadline.consultation c SET state = 'deemed_agreed', next_at "
                            "= NULL FROM (SELECT id FROM deadline.consultation WHERE next_at <= "
                            "to_timestamp($1::bigint) ORDER BY next_at, id LIMIT $2::int FOR "
                            "UPDATE SKIP LOCKED) d WHERE c.id = d.id RETURNING c.id, c.from_unit, "
                            "c.to_unit, c.subject, c.effective_due::text, floor(extract(epoch "
                            "FROM " DUE_INSTANT_SQL("c.effective_due") "))::bigint",
                            2, params, &st);
    if (!res) {
        db_rollback(db);
        return -1;
    }
    size_t n = (size_t)PQntuples(res);
    const char **types = calloc(n + 1, sizeof *types), **units = calloc(n + 1, sizeof *units);
    uint8_t **payloads = calloc(n + 1, sizeof *payloads);
    size_t *lens = calloc(n + 1, sizeof *lens);
    int rc = -1;
    bool ok = types && units && payloads && lens;
    for (size_t i = 0; ok && i < n; i++) {
        int r = (int)i;
        char at[32];
        due_format_instant(strtoll(PQgetvalue(res, r, 5), NULL, 10), at);
        Partrack__ConsultationDeemedAgreed ev = PARTRACK__CONSULTATION_DEEMED_AGREED__INIT;
        ev.id = strtoll(PQgetvalue(res, r, 0), NULL, 10);
        ev.from_unit = PQgetvalue(res, r, 1);
        ev.to_unit = PQgetvalue(res, r, 2);
        ev.subject = PQgetvalue(res, r, 3);
        ev.effective_due = PQgetvalue(res, r, 4);
        ev.at = at;
        lens[i] = partrack__consultation_deemed_agreed__get_packed_size(&ev);
        if (!(payloads[i] = malloc(lens[i] ? lens[i] : 1))) {
            ok = false;
            break;
        }
        partrack__consultation_deemed_agreed__pack(&ev, payloads[i]);
        types[i] = "ConsultationDeemedAgreed";
        units[i] = ev.from_unit;
    }
    int64_t first;
    if (ok &&
        (n == 0 || events_append_batch(db, "deadline", n, types, units,
                                       (const uint8_t *const *)payloads, lens, &first) == 0) &&
        db_commit(db) == DB_OK) {
        if (n)
            *last_event = first + (int64_t)n - 1;
        rc = (int)n;
    } else {
        db_rollback(db);
    }
    for (size_t i = 0; payloads && i < n; i++)
        free(payloads[i]);
    free(payloads);
    free(types);
    free(units);
    free(lens);
    PQclear(res);
    return rc;
}

int monitor_consult_sweep(db_t *db, int64_t now, int batch, size_t *deemed, int64_t *last_event)
{
    *deemed = 0;
    int n;
    while ((n = sweep_batch(db, now, batch, last_event)) > 0)
        *deemed += (size_t)n;
    return n < 0 ? -1 : 0;
}
