/* scoring_server.c - the scoring service's loop (see the header) */
#include "scoring_server.h"

#include "events.h"
#include "log.h"
#include "rpc.h"
#include "scoring_engine.h"
#include "scoring_ingest.h"
#include "scoring_outcomes.h"
#include "scoring_requests.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

struct scoring_server {
    db_t *db;
    scoring_config_t config;
    rpc_server_t *rpc;
    events_pub_t *pub;
    events_sub_t *registry_sub;
    events_sub_t *deadline_sub;
    scoring_engine_t *engine;
    int64_t woken; /* the last sequence number subscribers were told of */
    bool behind;   /* the last batch was full: more may be waiting */
    bool deadline; /* the deadline service's views exist (it has run once) */
};

scoring_server_t *scoring_server_new(void *zmq_ctx, db_t *db, const scoring_config_t *config,
                                     char *errbuf, size_t errlen)
{
    scoring_server_t *self = calloc(1, sizeof *self);
    if (!self) {
        snprintf(errbuf, errlen, "out of memory");
        return NULL;
    }
    self->db = db;
    self->config = *config;
    if (!(self->engine = scoring_engine_new(db, config->publish_threshold))) {
        snprintf(errbuf, errlen, "out of memory");
        scoring_server_destroy(&self);
        return NULL;
    }
    if (!(self->rpc =
              rpc_server_new(zmq_ctx, config->endpoint, config->max_msg_bytes, errbuf, errlen)) ||
        !(self->pub = events_pub_new(zmq_ctx, config->events, "scoring", errbuf, errlen)) ||
        !(self->registry_sub =
              events_sub_new(zmq_ctx, config->registry_events, "registry", errbuf, errlen)) ||
        !(self->deadline_sub =
              events_sub_new(zmq_ctx, config->deadline_events, "deadline", errbuf, errlen))) {
        scoring_server_destroy(&self);
        return NULL;
    }
    return self;
}

void scoring_server_destroy(scoring_server_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    scoring_server_t *self = *self_p;
    rpc_server_destroy(&self->rpc);
    events_pub_destroy(&self->pub);
    events_sub_destroy(&self->registry_sub);
    events_sub_destroy(&self->deadline_sub);
    scoring_engine_destroy(&self->engine);
    free(self);
    *self_p = NULL;
}

static void handle(scoring_server_t *self, rpc_request_t *req)
{
    if (req->env->type == PARTRACK__MESSAGE_TYPE__MSG_PING) {
        Partrack__Pong pong = PARTRACK__PONG__INIT;
        pong.service = "partrack-scoring";
        pong.version = PARTRACK_VERSION;
        rpc_server_reply(self->rpc, req, PARTRACK__MESSAGE_TYPE__MSG_PONG, &pong.base);
        return;
    }
    if (scoring_requests_handle(self->engine, self->rpc, req))
        return;
    char message[128];
    snprintf(message, sizeof message, "the scoring service does not serve message type %d",
             (int)req->env->type);
    rpc_server_reply_error(self->rpc, req, PARTRACK__ERROR_CODE__ERR_UNKNOWN_TYPE, message, NULL,
                           0);
}

/* Tells subscribers of events committed since the last wake-up. A rolled
 * back transaction may have counted sequence numbers it did not keep: the
 * wake-up only says "look", so that is harmless. */
static void wake(scoring_server_t *self)
{
    int64_t seq = scoring_engine_last_seq(self->engine);
    if (seq > self->woken) {
        events_pub_wake(self->pub, seq);
        self->woken = seq;
    }
}

/* Applies a batch of one producer's events: the registry's measurements,
 * the deadline service's outcomes (with the year-end check once per batch).
 * Returns the number applied or -1. */
/* Whether the deadline service's schema is there to read: a city may run
 * scoring before (or without) it; then there is nothing to consume yet. */
static bool deadline_ready(scoring_server_t *self)
{
    if (self->deadline)
        return true;
    db_status_t st;
    PGresult *res = db_exec(self->db,
                            "SELECT to_regclass('deadline.events') IS NOT NULL AND "
                            "to_regclass('deadline.outcomes') IS NOT NULL",
                            0, NULL, &st);
    self->deadline = res && PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    return self->deadline;
}

static int consume(scoring_server_t *self, const char *producer)
{
    bool deadline = strcmp(producer, "deadline") == 0;
    if (deadline && !deadline_ready(self))
        return 0;
    scoring_ingest_t in = {.engine = self->engine};
    int applied = events_consume_flushed(self->db, "scoring", producer, self->config.batch,
                                         deadline ? scoring_outcomes_event : scoring_ingest_event,
                                         deadline ? scoring_outcomes_year_end : NULL, &in);
    if (applied < 0) {
        log_warn("events not applied", "producer=%s reason=\"%s\"", producer, db_error(self->db));
        return -1;
    }
    if (in.recomputed > 0)
        log_info("scores recomputed", "producer=%s units=%ld", producer, in.recomputed);
    return applied;
}

int scoring_server_step(scoring_server_t *self, int wait_ms)
{
    zmq_pollitem_t items[3] = {{rpc_server_socket(self->rpc), 0, ZMQ_POLLIN, 0},
                               {events_sub_socket(self->registry_sub), 0, ZMQ_POLLIN, 0},
                               {events_sub_socket(self->deadline_sub), 0, ZMQ_POLLIN, 0}};
    if (zmq_poll(items, 3, self->behind ? 0 : wait_ms) < 0)
        return 0;
    rpc_request_t req;
    if ((items[0].revents & ZMQ_POLLIN) && rpc_server_next(self->rpc, 0, &req) > 0) {
        handle(self, &req);
        rpc_request_done(&req);
        wake(self);
    }
    events_wait(self->registry_sub, 0);
    events_wait(self->deadline_sub, 0);
    int registry = consume(self, "registry");
    int deadline = consume(self, "deadline");
    self->behind = registry == self->config.batch || deadline == self->config.batch;
    wake(self);
    return registry < 0 || deadline < 0 ? -1 : 0;
}
