/* ingest_zap.c - who may connect to the ingest endpoint (see the header) */
#include "ingest_zap.h"

#include "keyfile.h"
#include "log.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

#define ZAP_FRAMES 7 /* version, id, domain, address, identity, mechanism, key */

static int send_frame(void *zap, const char *text, bool more)
{
    return zmq_send(zap, text, strlen(text), more ? ZMQ_SNDMORE : 0) < 0 ? -1 : 0;
}

static int reply(void *zap, const zmq_msg_t *request_id, const char *status, const char *text,
                 const char *user_id)
{
    if (send_frame(zap, "1.0", true) < 0 ||
        zmq_send(zap, zmq_msg_data((zmq_msg_t *)request_id), zmq_msg_size((zmq_msg_t *)request_id),
                 ZMQ_SNDMORE) < 0 ||
        send_frame(zap, status, true) < 0 || send_frame(zap, text, true) < 0 ||
        send_frame(zap, user_id, true) < 0 || send_frame(zap, "", false) < 0)
        return -1;
    return 0;
}

/* 200 known and active, 400 not, 300 the database cannot tell. */
static const char *lookup(db_t *db, const char *key, char *name, size_t len)
{
    const char *p[] = {key};
    db_status_t st;
    PGresult *res = db_exec(db,
                            "SELECT name FROM registry.publisher WHERE public_key = $1 AND "
                            "revoked_at IS NULL",
                            1, p, &st);
    if (!res)
        return "300";
    const char *status = PQntuples(res) == 1 ? "200" : "400";
    if (*status == '2')
        snprintf(name, len, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return status;
}

int ingest_zap_answer(void *zap, db_t *db)
{
    zmq_msg_t frames[ZAP_FRAMES];
    int n = 0;
    bool more = true;
    while (more) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, zap, 0) < 0) {
            zmq_msg_close(&m);
            for (int i = 0; i < n; i++)
                zmq_msg_close(&frames[i]);
            return -1;
        }
        more = zmq_msg_more(&m);
        if (n < ZAP_FRAMES)
            frames[n++] = m;
        else
            zmq_msg_close(&m);
    }
    int rc = 0;
    if (n < 6) { /* no request id to answer with: libzmq never sends this */
        for (int i = 0; i < n; i++)
            zmq_msg_close(&frames[i]);
        return 0;
    }
    char mechanism[16] = "", domain[64] = "", key[KEYFILE_Z85_LEN + 1] = "", name[80] = "";
    snprintf(domain, sizeof domain, "%.*s", (int)zmq_msg_size(&frames[2]),
             (const char *)zmq_msg_data(&frames[2]));
    snprintf(mechanism, sizeof mechanism, "%.*s", (int)zmq_msg_size(&frames[5]),
             (const char *)zmq_msg_data(&frames[5]));
    const char *status = "400", *text = "unknown or revoked key";
    if (strcmp(domain, INGEST_ZAP_DOMAIN) != 0 || strcmp(mechanism, "CURVE") != 0 ||
        n != ZAP_FRAMES || zmq_msg_size(&frames[6]) != 32) {
        text = "not a CURVE handshake for partrack ingest";
    } else {
        zmq_z85_encode(key, zmq_msg_data(&frames[6]), 32);
        status = lookup(db, key, name, sizeof name);
        text = *status == '2'   ? "OK"
               : *status == '3' ? "database unavailable"
                                : "unknown or revoked key";
    }
    if (*status == '2')
        log_debug("publisher connected", "publisher=%s", name);
    else
        log_warn("connection refused", "reason=\"%s\" key=\"%s\"", text, key);
    if (reply(zap, &frames[1], status, text, *status == '2' ? key : "") < 0)
        rc = -1;
    for (int i = 0; i < n; i++)
        zmq_msg_close(&frames[i]);
    return rc;
}
