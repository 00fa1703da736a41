/* notify_admin.c - people's keys and follows (see the header) */
#include "notify_admin.h"

#include "keyfile.h"
#include "log.h"
#include "notify.pb-c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void reply_db_failure(db_t *db, rpc_server_t *rpc, rpc_request_t *req)
{
    rpc_server_reply_error(rpc, req,
                           db_failure_retryable(db) ? PARTRACK__ERROR_CODE__ERR_UNAVAILABLE
                                                    : PARTRACK__ERROR_CODE__ERR_FAILED,
                           "database unavailable, try again", NULL, 0);
}

static void person_key(db_t *db, rpc_server_t *rpc, rpc_request_t *req, const notify_admin_t *admin)
{
    char reason[256];
    Partrack__PersonKeyRequest *r = (Partrack__PersonKeyRequest *)msg_decode(
        req->env, &partrack__person_key_request__descriptor, reason, sizeof reason);
    if (!r) {
        rpc_server_reply_error(rpc, req, PARTRACK__ERROR_CODE__ERR_BAD_MESSAGE, reason, NULL, 0);
        return;
    }
    if (!keyfile_z85_valid(r->public_key)) {
        rpc_server_reply_error(rpc, req, PARTRACK__ERROR_CODE__ERR_INVALID,
                               "public_key is not a CURVE key (40 characters of Z85)", NULL, 0);
        goto done;
    }
    const char *p[] = {r->person_id, r->public_key};
    db_status_t st;
    /* The person must exist; the key must not be someone else's. */
    PGresult *res = db_exec(
        db,
        "WITH person AS (SELECT id, name FROM registry.people WHERE id = $1), k AS (INSERT INTO "
        "notify.person_key (person_id, public_key) SELECT id, $2 FROM person ON CONFLICT "
        "(person_id) DO UPDATE SET public_key = EXCLUDED.public_key, created_at = now() RETURNING "
        "person_id) SELECT person.name, (SELECT count(*) FROM k) FROM person",
        2, p, &st);
    if (!res) {
        if (strcmp(db_sqlstate(db), "23505") == 0)
            rpc_server_reply_error(rpc, req, PARTRACK__ERROR_CODE__ERR_CONFLICT,
                                   "this public key belongs to someone else already", NULL, 0);
        else
            reply_db_failure(db, rpc, req);
        goto done;
    }
    if (PQntuples(res) == 0) {
        char message[160];
        snprintf(message, sizeof message, "no person %s in the registry", r->person_id);
        rpc_server_reply_error(rpc, req, PARTRACK__ERROR_CODE__ERR_NOT_FOUND, message, NULL, 0);
    } else {
        Partrack__PersonKeyReply reply = PARTRACK__PERSON_KEY_REPLY__INIT;
        reply.person_id = r->person_id;
        reply.name = PQgetvalue(res, 0, 0);
        reply.server_key = (char *)admin->feed_public_key;
        reply.feed_endpoint = (char *)admin->feed_endpoint;
        log_info("person key", "person=%s", r->person_id);
        rpc_server_reply(rpc, req, PARTRACK__MESSAGE_TYPE__MSG_PERSON_KEY_REPLY, &reply.base);
    }
    PQclear(res);
done:
    partrack__person_key_request__free_unpacked(r, NULL);
}

static void follow(db_t *db, rpc_server_t *rpc, rpc_request_t *req)
{
    char reason[256];
    Partrack__FollowRequest *r = (Partrack__FollowRequest *)msg_decode(
        req->env, &partrack__follow_request__descriptor, reason, sizeof reason);
    if (!r) {
        rpc_server_reply_error(rpc, req, PARTRACK__ERROR_CODE__ERR_BAD_MESSAGE, reason, NULL, 0);
        return;
    }
    const char *p[] = {r->person_id, r->unit_code, r->has_stop && r->stop ? "stop" : "follow"};
    db_status_t st;
    PGresult *res = db_exec(
        db,
        "WITH person AS (SELECT id FROM registry.people WHERE id = $1), unit AS (SELECT code FROM "
        "registry.units WHERE code = $2), ins AS (INSERT INTO notify.follow (person_id, unit_code) "
        "SELECT person.id, unit.code FROM person, unit WHERE $3 = 'follow' ON CONFLICT DO NOTHING "
        "RETURNING unit_code), del AS (DELETE FROM notify.follow WHERE person_id = $1 AND "
        "unit_code = $2 AND $3 = 'stop' RETURNING unit_code) SELECT (SELECT count(*) FROM "
        "person), (SELECT count(*) FROM unit), (SELECT string_agg(unit_code, ',' ORDER BY "
        "unit_code) FROM (SELECT unit_code FROM notify.follow WHERE person_id = $1 AND unit_code "
        "NOT IN (SELECT unit_code FROM del) UNION SELECT unit_code FROM ins) f)",
        3, p, &st);
    if (!res) {
        reply_db_failure(db, rpc, req);
        goto done;
    }
    if (PQgetvalue(res, 0, 0)[0] == '0' || PQgetvalue(res, 0, 1)[0] == '0') {
        char message[200];
        snprintf(message, sizeof message, "no %s %s in the registry",
                 PQgetvalue(res, 0, 0)[0] == '0' ? "person" : "unit",
                 PQgetvalue(res, 0, 0)[0] == '0' ? r->person_id : r->unit_code);
        rpc_server_reply_error(rpc, req, PARTRACK__ERROR_CODE__ERR_NOT_FOUND, message, NULL, 0);
    } else {
        Partrack__FollowReply reply = PARTRACK__FOLLOW_REPLY__INIT;
        reply.person_id = r->person_id;
        reply.units =
            db_array_words(PQgetisnull(res, 0, 2) ? "{}" : PQgetvalue(res, 0, 2), &reply.n_units);
        rpc_server_reply(rpc, req, PARTRACK__MESSAGE_TYPE__MSG_FOLLOW_REPLY, &reply.base);
        free(reply.units);
    }
    PQclear(res);
done:
    partrack__follow_request__free_unpacked(r, NULL);
}

bool notify_admin_handle(db_t *db, rpc_server_t *rpc, rpc_request_t *req,
                         const notify_admin_t *admin)
{
    if (req->env->type == PARTRACK__MESSAGE_TYPE__MSG_PERSON_KEY)
        person_key(db, rpc, req, admin);
    else if (req->env->type == PARTRACK__MESSAGE_TYPE__MSG_FOLLOW)
        follow(db, rpc, req);
    else
        return false;
    return true;
}
