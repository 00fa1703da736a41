/* notify_digest.c - each person's daily digest (see the header) */
#include "notify_digest.h"

#include "deadline.pb-c.h"
#include "log.h"
#include "notify.pb-c.h"
#include "notify_feed.h"
#include "notify_text.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DIGEST_WITHIN_DAYS 7
#define DIGEST_NAMED       3 /* overdue tasks named in the text */
/* Asked from notify's only loop: a deadline service that does not answer
 * holds every feed this long, once a check (tried again at the next one). */
#define RPC_TIMEOUT_MS 1000

/* Calls the deadline service; the reply envelope or NULL. */
static msg_envelope_t *ask(void *ctx, const char *endpoint, Partrack__MessageType type,
                           const ProtobufCMessage *m)
{
    char err[256];
    msg_envelope_t *env = rpc_call(ctx, endpoint, type, m, NULL, RPC_TIMEOUT_MS, err, sizeof err);
    if (!env)
        log_warn("digest: the deadline service did not answer", "reason=\"%s\"", err);
    else if (env->type == PARTRACK__MESSAGE_TYPE__MSG_ERROR)
        msg_close(&env);
    return env;
}

/* The deadline service's now, as local day "YYYY-MM-DD" and time "HH:MM". */
static int deadline_now(void *ctx, const char *endpoint, char day[11], char time[6])
{
    Partrack__ClockRequest r = PARTRACK__CLOCK_REQUEST__INIT;
    msg_envelope_t *env = ask(ctx, endpoint, PARTRACK__MESSAGE_TYPE__MSG_CLOCK, &r.base);
    if (!env)
        return -1;
    Partrack__ClockReply *c =
        partrack__clock_reply__unpack(NULL, env->payload.len, env->payload.data);
    int rc = c && strlen(c->now) >= 16 ? 0 : -1;
    if (rc == 0) {
        snprintf(day, 11, "%.10s", c->now); /* "2024-07-02T08:00:00+07:00" */
        snprintf(time, 6, "%.5s", c->now + 11);
    }
    if (c)
        partrack__clock_reply__free_unpacked(c, NULL);
    msg_close(&env);
    return rc;
}

/* The digest text of a unit (with `subtree`, and every unit under it) into
 * buf; 0 if nothing is open, 1 written, -1. */
static int digest_text(void *ctx, const char *endpoint, const char *unit, bool subtree,
                       const char *unit_name, const char *day, char *buf, size_t len)
{
    Partrack__DueListRequest r = PARTRACK__DUE_LIST_REQUEST__INIT;
    r.unit = (char *)unit;
    r.has_subtree = subtree;
    r.subtree = subtree;
    r.has_within_days = 1;
    r.within_days = DIGEST_WITHIN_DAYS;
    r.has_limit = 1;
    r.limit = 1000;
    msg_envelope_t *env = ask(ctx, endpoint, PARTRACK__MESSAGE_TYPE__MSG_DUE_LIST, &r.base);
    if (!env)
        return -1;
    Partrack__DueListReply *d =
        partrack__due_list_reply__unpack(NULL, env->payload.len, env->payload.data);
    msg_close(&env);
    if (!d)
        return -1;
    int overdue = 0, due = 0, soon = 0;
    for (size_t i = 0; i < d->n_items; i++) {
        const char *level = d->items[i]->level;
        overdue += strcmp(level, "overdue") == 0 || strcmp(level, "escalated") == 0;
        due += strcmp(level, "due") == 0;
        soon += strcmp(level, "due_soon") == 0;
    }
    int rc = 0;
    if (overdue + due + soon > 0) {
        char date[16];
        int n = snprintf(buf, len,
                         "Tóm tắt ngày %s – %s: %d nhiệm vụ quá hạn, %d đến hạn hôm nay, %d sắp "
                         "đến hạn.",
                         notify_date_vn(day, date), unit_name, overdue, due, soon);
        int named = 0;
        for (size_t i = 0; i < d->n_items && named < DIGEST_NAMED && n > 0 && (size_t)n < len;
             i++) {
            const Partrack__DueItem *it = d->items[i];
            if (strcmp(it->level, "overdue") != 0 && strcmp(it->level, "escalated") != 0)
                continue;
            n += snprintf(buf + n, len - (size_t)n, "%s“%s” (Kế hoạch %s, hạn %s)",
                          named ? "; " : " Quá hạn: ", it->title, it->plan_number,
                          notify_date_vn(it->due_date, date));
            named++;
        }
        if (named && n > 0 && (size_t)n < len)
            snprintf(buf + n, len - (size_t)n, "%s.", overdue > named ? "…" : "");
        rc = 1;
    }
    partrack__due_list_reply__free_unpacked(d, NULL);
    return rc;
}

long notify_digest_run(db_t *db, void *zmq_ctx, const char *deadline_endpoint)
{
    char day[11], time[6];
    if (deadline_now(zmq_ctx, deadline_endpoint, day, time) < 0)
        return -1;
    const char *p[] = {day, time};
    db_status_t st;
    PGresult *res = db_exec(
        db,
        "SELECT k.person_id, p.unit_code, u.name, p.is_head FROM notify.person_key k JOIN "
        "registry.people p "
        "ON p.id = k.person_id JOIN registry.units u ON u.code = p.unit_code LEFT JOIN "
        "notify.digest_setting d ON d.person_id = k.person_id WHERE NOT coalesce(d.off, false) "
        "AND (d.last_day IS NULL OR d.last_day < $1::date) AND coalesce(d.at_time, '07:30') <= "
        "$2::time ORDER BY k.person_id",
        2, p, &st);
    if (!res)
        return -1;
    long written = 0;
    for (int r = 0; r < PQntuples(res) && written >= 0; r++) {
        const char *person = PQgetvalue(res, r, 0);
        char text[4096], dedupe[32], source[48];
        /* A head answers for the units under theirs too. */
        bool head = PQgetvalue(res, r, 3)[0] == 't';
        int has = digest_text(zmq_ctx, deadline_endpoint, PQgetvalue(res, r, 1), head,
                              PQgetvalue(res, r, 2), day, text, sizeof text);
        if (has < 0) {
            written = -1;
            break;
        }
        snprintf(dedupe, sizeof dedupe, "digest:%s", day);
        snprintf(source, sizeof source, "digest:%s", day);
        notify_entry_t e = {.person_id = person,
                            .kind = "digest",
                            .dedupe = dedupe,
                            .source = source,
                            .unit_code = PQgetvalue(res, r, 1),
                            .text = text};
        const char *q[] = {person, day};
        PGresult *up = NULL;
        long n = 0;
        if (db_begin(db) != DB_OK || (has && (n = notify_feed_append(db, &e, 1)) < 0) ||
            !(up = db_exec(db,
                           "INSERT INTO notify.digest_setting (person_id, last_day) VALUES ($1, "
                           "$2::date) ON CONFLICT (person_id) DO UPDATE SET last_day = "
                           "EXCLUDED.last_day",
                           2, q, &st)) ||
            db_commit(db) != DB_OK) {
            db_rollback(db);
            PQclear(up);
            written = -1;
            break;
        }
        PQclear(up);
        written += n;
    }
    PQclear(res);
    if (written > 0)
        log_info("digests", "day=%s count=%ld", day, written);
    return written;
}

bool notify_digest_handle(db_t *db, rpc_server_t *rpc, rpc_request_t *req)
{
    if (req->env->type != PARTRACK__MESSAGE_TYPE__MSG_DIGEST)
        return false;
    char reason[256];
    Partrack__DigestRequest *r = (Partrack__DigestRequest *)msg_decode(
        req->env, &partrack__digest_request__descriptor, reason, sizeof reason);
    if (!r) {
        rpc_server_reply_error(rpc, req, PARTRACK__ERROR_CODE__ERR_BAD_MESSAGE, reason, NULL, 0);
        return true;
    }
    int hh = -1, mm = -1;
    char tail;
    if (r->at && (sscanf(r->at, "%2d:%2d%c", &hh, &mm, &tail) != 2 || hh < 0 || hh > 23 || mm < 0 ||
                  mm > 59)) {
        rpc_server_reply_error(rpc, req, PARTRACK__ERROR_CODE__ERR_INVALID,
                               "give the time as HH:MM (00:00 to 23:59)", NULL, 0);
        goto done;
    }
    char at[8];
    snprintf(at, sizeof at, "%02d:%02d", hh, mm);
    const char *p[] = {r->person_id, r->at ? at : NULL, r->has_off ? (r->off ? "t" : "f") : NULL};
    db_status_t st;
    PGresult *res = db_exec(
        db,
        "WITH person AS (SELECT id FROM registry.people WHERE id = $1), s AS (INSERT INTO "
        "notify.digest_setting (person_id, at_time, off) SELECT id, coalesce($2::time, '07:30'), "
        "coalesce($3::boolean, false) FROM person WHERE $2 IS NOT NULL OR $3 IS NOT NULL ON "
        "CONFLICT (person_id) DO UPDATE SET at_time = coalesce($2::time, "
        "notify.digest_setting.at_time), off = coalesce($3::boolean, notify.digest_setting.off) "
        "RETURNING at_time, off, last_day) SELECT to_char(coalesce((SELECT at_time FROM s), "
        "d.at_time, '07:30'), 'HH24:MI'), coalesce((SELECT off FROM s), d.off, false), "
        "coalesce((SELECT last_day FROM s), d.last_day)::text FROM person LEFT JOIN "
        "notify.digest_setting d ON d.person_id = person.id",
        3, p, &st);
    if (!res) {
        rpc_server_reply_error(rpc, req,
                               db_failure_retryable(db) ? PARTRACK__ERROR_CODE__ERR_UNAVAILABLE
                                                        : PARTRACK__ERROR_CODE__ERR_FAILED,
                               "database unavailable, try again", NULL, 0);
        goto done;
    }
    if (PQntuples(res) == 0) {
        char message[160];
        snprintf(message, sizeof message, "no person %s in the registry", r->person_id);
        rpc_server_reply_error(rpc, req, PARTRACK__ERROR_CODE__ERR_NOT_FOUND, message, NULL, 0);
    } else {
        Partrack__DigestReply reply = PARTRACK__DIGEST_REPLY__INIT;
        reply.person_id = r->person_id;
        reply.at = PQgetvalue(res, 0, 0);
        reply.off = PQgetvalue(res, 0, 1)[0] == 't';
        reply.last_day = PQgetisnull(res, 0, 2) ? NULL : PQgetvalue(res, 0, 2);
        rpc_server_reply(rpc, req, PARTRACK__MESSAGE_TYPE__MSG_DIGEST_REPLY, &reply.base);
    }
    PQclear(res);
done:
    partrack__digest_request__free_unpacked(r, NULL);
    return true;
}
