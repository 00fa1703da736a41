/* registry_call.c - one request being handled by the registry, and the ways
 * a handler answers it
 *
 * Replies to mutations are stored (registry.request_log) as encoded protobuf
 * with their type, so a retried request gets exactly the first reply back.
 */
#include "registry_call.h"

#include "log.h"
#include "plans.pb-c.h"
#include "registry.pb-c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The reply types a mutation stores, and how to read them back. */
void call_reply(call_t *c, Partrack__MessageType type, const ProtobufCMessage *payload)
{
    rpc_server_reply(c->rpc, c->req, type, payload);
}

void call_reply_error(call_t *c, Partrack__ErrorCode code, const char *message)
{
    rpc_server_reply_error(c->rpc, c->req, code, message, NULL, 0);
}

void call_reply_db_failure(call_t *c)
{
    if (db_failure_retryable(c->db)) {
        log_warn("database failure", "sqlstate=%s reason=\"%s\"", db_sqlstate(c->db),
                 db_error(c->db));
        call_reply_error(c, PARTRACK__ERROR_CODE__ERR_UNAVAILABLE,
                         "the database is unavailable; nothing was changed, retry later");
        return;
    }
    /* Not the database being away: a statement or the program is at fault.
     * Say so instead of inviting retries that will fail the same way. */
    log_error("request failed", "sqlstate=%s reason=\"%s\"", db_sqlstate(c->db), db_error(c->db));
    char message[600];
    snprintf(message, sizeof message, "the registry failed (nothing was changed): %s",
             db_error(c->db));
    call_reply_error(c, PARTRACK__ERROR_CODE__ERR_FAILED, message);
}

/* Replies ERR_INVALID with every problem attached. */
void call_reply_problems(call_t *c, const char *message, const problems_t *problems)
{
    call_reply_problems_code(c, PARTRACK__ERROR_CODE__ERR_INVALID, message, problems);
}

void call_reply_problems_code(call_t *c, Partrack__ErrorCode code, const char *message,
                              const problems_t *problems)
{
    Partrack__Problem *items = calloc(problems->n + 1, sizeof *items);
    Partrack__Problem **ptrs = calloc(problems->n + 1, sizeof *ptrs);
    char summary[256];
    if (!items || !ptrs) {
        free(items);
        free(ptrs);
        call_reply_error(c, code, message);
        return;
    }
    for (size_t i = 0; i < problems->n; i++) {
        partrack__problem__init(&items[i]);
        const problem_t *p = &problems->items[i];
        items[i].file = *p->file ? p->file : NULL;
        items[i].has_line = p->line > 0;
        items[i].line = p->line;
        items[i].field = p->field;
        items[i].message = p->message;
        ptrs[i] = &items[i];
    }
    if (problems->dropped)
        snprintf(summary, sizeof summary, "%s (%zu problems, %zu more not shown)", message,
                 problems->n + problems->dropped, problems->dropped);
    else
        snprintf(summary, sizeof summary, "%s (%zu problem%s)", message, problems->n,
                 problems->n == 1 ? "" : "s");
    rpc_server_reply_error(c->rpc, c->req, code, summary, ptrs, problems->n);
    free(items);
    free(ptrs);
}

void call_today(char out[11])
{
    time_t now = time(NULL) + 7 * 3600; /* Asia/Ho_Chi_Minh, no DST */
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

/* ---- mutations: idempotency and commit ---- */

/* BEGIN and look the key up. Returns 1 if a stored reply was sent (done),
 * 0 to go on inside the open transaction, -1 after a database failure reply. */
int call_mutation_begin(call_t *c)
{
    db_t *db = c->db;
    if (db_begin(db) != DB_OK) {
        call_reply_db_failure(c);
        return -1;
    }
    const char *key = c->req->env->idempotency_key;
    if (!key || !*key)
        return 0;
    db_status_t st;
    const char *params[] = {LOCAL_PUBLISHER, key};
    PGresult *res = db_exec(db,
                            "SELECT reply_type, reply FROM registry.request_log "
                            "WHERE publisher = $1 AND idempotency_key = $2",
                            2, params, &st);
    if (!res) {
        db_rollback(db);
        call_reply_db_failure(c);
        return -1;
    }
    if (PQntuples(res) == 0) {
        PQclear(res);
        return 0;
    }
    int type = atoi(PQgetvalue(res, 0, 0));
    size_t len = 0;
    unsigned char *bytes = PQunescapeBytea((const unsigned char *)PQgetvalue(res, 0, 1), &len);
    PQclear(res);
    db_rollback(db);
    if (!bytes) {
        call_reply_error(c, PARTRACK__ERROR_CODE__ERR_INTERNAL, "stored reply is unreadable");
        return 1;
    }
    /* Sent again exactly as stored: no decoding, so no list of reply types
     * to keep up to date. */
    log_info("duplicate request", "key=%s", key);
    rpc_server_reply_bytes(c->rpc, c->req, (Partrack__MessageType)type, bytes, len);
    PQfreemem(bytes);
    return 1;
}

/* Stores the reply under the key, COMMITs, replies, wakes consumers. */
void call_mutation_finish(call_t *c, Partrack__MessageType type, const ProtobufCMessage *reply,
                          int64_t last_event)
{
    db_t *db = c->db;
    const char *key = c->req->env->idempotency_key;
    if (key && *key) {
        size_t len = protobuf_c_message_get_packed_size(reply);
        uint8_t *buf = malloc(len ? len : 1);
        char *hex = NULL;
        if (buf) {
            protobuf_c_message_pack(reply, buf);
            hex = db_bytea_hex(buf, len);
        }
        if (!hex) {
            free(buf);
            db_rollback(db);
            call_reply_error(c, PARTRACK__ERROR_CODE__ERR_INTERNAL, "out of memory");
            return;
        }
        char type_text[16], reply_type[16];
        snprintf(type_text, sizeof type_text, "%d", (int)c->req->env->type);
        snprintf(reply_type, sizeof reply_type, "%d", (int)type);
        const char *params[] = {LOCAL_PUBLISHER, key, type_text, reply_type, hex};
        db_status_t st;
        PGresult *res = db_exec(db,
                                "INSERT INTO registry.request_log (publisher, idempotency_key, "
                                "type, reply_type, reply) VALUES ($1, $2, $3::int, $4::int, "
                                "$5::bytea)",
                                5, params, &st);
        free(buf);
        free(hex);
        if (!res) {
            db_rollback(db);
            call_reply_db_failure(c);
            return;
        }
        PQclear(res);
    }
    if (db_commit(db) != DB_OK) {
        call_reply_db_failure(c);
        return;
    }
    rpc_server_reply(c->rpc, c->req, type, reply);
    if (last_event > 0)
        events_pub_wake(c->pub, last_event);
}

/* Decodes the request payload or answers ERR_BAD_MESSAGE and returns NULL. */
void *call_decode(call_t *c, const ProtobufCMessageDescriptor *descriptor)
{
    char reason[256];
    ProtobufCMessage *m = msg_decode(c->req->env, descriptor, reason, sizeof reason);
    if (!m)
        call_reply_error(c, PARTRACK__ERROR_CODE__ERR_BAD_MESSAGE, reason);
    return m;
}
