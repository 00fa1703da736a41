/* consult_handlers.c - consultations: asked, answered, shown
 *
 * A consultation ends at 24:00 of its due date, moved to the next working
 * day when that is a day off (the Civil Code rule, with the registry's
 * calendar). Its status is read from the time of the answer against that
 * instant: pending, answered, answered late, or - no answer and the instant
 * past - deemed agreed, which the deadline service also announces, once,
 * when the instant comes. Each request and answer is audited and evented.
 */
#include "consult_handlers.h"

#include "consult.pb-c.h"
#include "directory_cache.h"
#include "due_levels.h"
#include "log.h"
#include "unit_import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DUE_INSTANT  DUE_INSTANT_SQL("c.effective_due")
#define RFC3339(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

static const char consult_columns[] =
    "SELECT c.id, c.from_unit, c.to_unit, c.subject, c.due_on::text, c.effective_due::text, "
    "CASE WHEN c.answer IS NULL THEN CASE WHEN now() >= " DUE_INSTANT " THEN 'deemed_agreed' ELSE "
    "'pending' END WHEN c.answered_at >= " DUE_INSTANT " THEN 'answered_late' ELSE 'answered' "
    "END, c.answer, " RFC3339("c.answered_at") ", " RFC3339(
        "c.requested_at") " FROM "
                          "registry.consultation c WHERE c.id = $1::bigint";

/* The consultation `id` as stored, into *out (strings point into res, which
 * the caller clears after use). 1, 0 if none, -1. */
static int read_consultation(db_t *db, int64_t id, Partrack__Consultation *out, PGresult **res)
{
    char text[24];
    snprintf(text, sizeof text, "%lld", (long long)id);
    const char *params[] = {text};
    db_status_t st;
    *res = db_exec(db, consult_columns, 1, params, &st);
    if (!*res)
        return -1;
    if (PQntuples(*res) == 0)
        return 0;
    partrack__consultation__init(out);
    out->id = id;
    out->from_unit = PQgetvalue(*res, 0, 1);
    out->to_unit = PQgetvalue(*res, 0, 2);
    out->subject = PQgetvalue(*res, 0, 3);
    out->due_on = PQgetvalue(*res, 0, 4);
    out->effective_due = PQgetvalue(*res, 0, 5);
    out->status = PQgetvalue(*res, 0, 6);
    out->answer = PQgetisnull(*res, 0, 7) ? NULL : PQgetvalue(*res, 0, 7);
    out->answered_at = PQgetisnull(*res, 0, 8) ? NULL : PQgetvalue(*res, 0, 8);
    out->requested_at = PQgetvalue(*res, 0, 9);
    return 1;
}

/* Appends the event `type` carrying the consultation as stored now. */
static int consult_event(db_t *db, const char *type, int64_t id, int64_t *last_event)
{
    Partrack__Consultation c;
    PGresult *res = NULL;
    int rc = read_consultation(db, id, &c, &res);
    if (rc == 1) {
        size_t len = partrack__consultation__get_packed_size(&c);
        uint8_t *buf = malloc(len ? len : 1);
        rc = -1;
        if (buf) {
            partrack__consultation__pack(&c, buf);
            rc = events_append(db, "registry", type, c.to_unit, buf, len, last_event);
            free(buf);
        }
    } else {
        rc = -1;
    }
    PQclear(res);
    return rc;
}

/* Replies with the consultation, committing the mutation in hand. */
static void finish(call_t *c, int64_t id, int64_t last_event)
{
    Partrack__Consultation out;
    PGresult *res = NULL;
    if (read_consultation(c->db, id, &out, &res) != 1) {
        db_rollback(c->db);
        call_reply_db_failure(c);
    } else {
        call_mutation_finish(c, PARTRACK__MESSAGE_TYPE__MSG_CONSULTATION, &out.base, last_event);
    }
    PQclear(res);
}

/* What is wrong with the unit named `code` for `field`, or NULL. */
static const char *unit_problem(const directory_t *dir, const char *code)
{
    long u = directory_find(dir, code);
    if (u < 0)
        return "is not a unit";
    if (directory_unit(dir, u)->valid_to)
        return "is no longer active";
    return NULL;
}

void consult_handle_request(call_t *c)
{
    Partrack__ConsultRequest *req = call_decode(c, &partrack__consult_request__descriptor);
    if (!req)
        return;
    char why[256] = "";
    date_t due = date_parse(req->due_on);
    if (!import_date_valid(req->due_on) || due == DATE_INVALID)
        snprintf(why, sizeof why, "due: \"%.40s\" is not a date written YYYY-MM-DD", req->due_on);
    else if (strcmp(req->from_unit, req->to_unit) == 0)
        snprintf(why, sizeof why, "a unit does not consult itself");
    else if (!*req->subject)
        snprintf(why, sizeof why, "subject: empty");
    if (*why) {
        call_reply_error(c, PARTRACK__ERROR_CODE__ERR_INVALID, why);
        goto done;
    }
    if (call_mutation_begin(c) != 0)
        goto done;
    const directory_t *dir = directory_cache_get(c->units, c->db);
    const char *bad = NULL, *field = NULL, *code = NULL;
    if (dir && (bad = unit_problem(dir, req->from_unit)))
        field = "from", code = req->from_unit;
    else if (dir && (bad = unit_problem(dir, req->to_unit)))
        field = "to", code = req->to_unit;
    if (!dir || bad) {
        db_rollback(c->db);
        if (!dir) {
            call_reply_db_failure(c);
        } else {
            snprintf(why, sizeof why, "%s: %.80s %s", field, code, bad);
            call_reply_error(c, PARTRACK__ERROR_CODE__ERR_INVALID, why);
        }
        goto done;
    }
    char effective[11], top[64];
    date_format_iso(workcal_next_workday(c->cal, due), effective);
    snprintf(top, sizeof top, "%.*s", (int)strcspn(req->from_unit, "."), req->from_unit);
    const char *params[] = {top,         req->from_unit, req->to_unit,   req->subject,
                            req->due_on, effective,      LOCAL_PUBLISHER};
    db_status_t st;
    PGresult *res = db_exec(c->db,
                            "WITH c AS (INSERT INTO registry.consultation (top_code, from_unit, "
                            "to_unit, subject, due_on, effective_due) VALUES ($1, $2, $3, $4, "
                            "$5::date, $6::date) RETURNING id), a AS (INSERT INTO registry.audit "
                            "(actor, entity, entity_id, action, after) SELECT $7, "
                            "'consultation', id::text, 'requested', json_build_object('from', "
                            "$2::text, 'to', $3::text, 'due', $5::text) FROM c) SELECT id FROM c",
                            7, params, &st);
    int64_t id = res ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
    PQclear(res);
    int64_t last_event = 0;
    if (!res || consult_event(c->db, "ConsultationRequested", id, &last_event) < 0) {
        db_rollback(c->db);
        call_reply_db_failure(c);
        goto done;
    }
    log_info("consultation requested", "id=%lld from=%s to=%s due=%s", (long long)id,
             req->from_unit, req->to_unit, effective);
    finish(c, id, last_event);
done:
    partrack__consult_request__free_unpacked(req, NULL);
}

void consult_handle_answer(call_t *c)
{
    Partrack__ConsultAnswerRequest *req =
        call_decode(c, &partrack__consult_answer_request__descriptor);
    if (!req)
        return;
    if (!*req->text) {
        call_reply_error(c, PARTRACK__ERROR_CODE__ERR_INVALID, "text: empty");
        goto done;
    }
    if (call_mutation_begin(c) != 0)
        goto done;
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)req->id);
    const char *params[] = {id, req->text, LOCAL_PUBLISHER};
    db_status_t st;
    PGresult *res = db_exec(c->db,
                            "WITH c AS (UPDATE registry.consultation SET answer = $2, answered_at "
                            "= now() WHERE id = $1::bigint AND answer IS NULL RETURNING id), a AS "
                            "(INSERT INTO registry.audit (actor, entity, entity_id, action, after) "
                            "SELECT $3, 'consultation', id::text, 'answered', "
                            "json_build_object('answer', $2::text) FROM c) SELECT (SELECT count(*) "
                            "FROM c), (SELECT to_char(answered_at, 'DD/MM/YYYY') FROM "
                            "registry.consultation WHERE id = $1::bigint)",
                            3, params, &st);
    if (!res) {
        db_rollback(c->db);
        call_reply_db_failure(c);
        goto done;
    }
    bool answered = atoi(PQgetvalue(res, 0, 0)) == 1;
    bool exists = !PQgetisnull(res, 0, 1) || answered;
    char message[128];
    snprintf(message, sizeof message, "consultation %s was already answered on %s", id,
             PQgetvalue(res, 0, 1));
    PQclear(res);
    int64_t last_event = 0;
    if (!answered) {
        db_rollback(c->db);
        call_reply_error(
            c, exists ? PARTRACK__ERROR_CODE__ERR_CONFLICT : PARTRACK__ERROR_CODE__ERR_NOT_FOUND,
            exists ? message : "no such consultation");
    } else if (consult_event(c->db, "ConsultationAnswered", req->id, &last_event) < 0) {
        db_rollback(c->db);
        call_reply_db_failure(c);
    } else {
        finish(c, req->id, last_event);
    }
done:
    partrack__consult_answer_request__free_unpacked(req, NULL);
}

void consult_handle_show(call_t *c)
{
    Partrack__ConsultShowRequest *req = call_decode(c, &partrack__consult_show_request__descriptor);
    if (!req)
        return;
    Partrack__Consultation out;
    PGresult *res = NULL;
    int found = read_consultation(c->db, req->id, &out, &res);
    if (found < 0)
        call_reply_db_failure(c);
    else if (found == 0)
        call_reply_error(c, PARTRACK__ERROR_CODE__ERR_NOT_FOUND, "no such consultation");
    else
        call_reply(c, PARTRACK__MESSAGE_TYPE__MSG_CONSULTATION, &out.base);
    PQclear(res);
    partrack__consult_show_request__free_unpacked(req, NULL);
}
