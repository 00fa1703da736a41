/* notify_server.c - the notify service's loop (see the header) */
#include "notify_server.h"

#include "events.h"
#include "log.h"
#include "msg.h"
#include "notify_admin.h"
#include "notify_digest.h"
#include "notify_feed_server.h"
#include "notify_ingest.h"
#include "rpc.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

/* A producer whose events notify consumes. */
typedef struct {
    const char *name; /* its schema: "registry", "deadline", "scoring" */
    events_sub_t *sub;
    notify_ingest_t *in;
    int64_t next_look_ms; /* when its log is looked at, woken or not */
    bool behind;          /* its last batch was full: more may be waiting */
} producer_t;

struct notify_server {
    void *ctx;
    int64_t next_digest_ms; /* when due digests are looked for next */
    db_t *db;
    notify_config_t config;
    rpc_server_t *rpc;
    notify_feed_server_t *feed;
    notify_admin_t admin;
    producer_t registry, deadline, scoring;
};

notify_server_t *notify_server_new(void *zmq_ctx, db_t *db, const notify_config_t *config,
                                   char *errbuf, size_t errlen)
{
    notify_server_t *self = calloc(1, sizeof *self);
    if (!self) {
        snprintf(errbuf, errlen, "out of memory");
        return NULL;
    }
    self->ctx = zmq_ctx;
    self->db = db;
    self->config = *config;
    if (!(self->rpc =
              rpc_server_new(zmq_ctx, config->endpoint, config->max_msg_bytes, errbuf, errlen)) ||
        !(self->registry.sub =
              events_sub_new(zmq_ctx, config->registry_events, "registry", errbuf, errlen)) ||
        !(self->deadline.sub =
              events_sub_new(zmq_ctx, config->deadline_events, "deadline", errbuf, errlen)) ||
        !(self->scoring.sub =
              events_sub_new(zmq_ctx, config->scoring_events, "scoring", errbuf, errlen)) ||
        !(self->feed =
              notify_feed_server_new(zmq_ctx, db, config->feed_endpoint, config->deadline_endpoint,
                                     config->max_msg_bytes, errbuf, errlen))) {
        notify_server_destroy(&self);
        return NULL;
    }
    self->registry.name = "registry";
    self->deadline.name = "deadline";
    self->scoring.name = "scoring";
    if (!(self->registry.in = notify_ingest_new(self->registry.name)) ||
        !(self->deadline.in = notify_ingest_new(self->deadline.name)) ||
        !(self->scoring.in = notify_ingest_new(self->scoring.name))) {
        snprintf(errbuf, errlen, "out of memory");
        notify_server_destroy(&self);
        return NULL;
    }
    self->admin.feed_endpoint = config->feed_endpoint;
    self->admin.feed_public_key = notify_feed_server_public_key(self->feed);
    return self;
}

void notify_server_destroy(notify_server_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rpc_server_destroy(&(*self_p)->rpc);
    notify_feed_server_destroy(&(*self_p)->feed);
    events_sub_destroy(&(*self_p)->registry.sub);
    events_sub_destroy(&(*self_p)->deadline.sub);
    events_sub_destroy(&(*self_p)->scoring.sub);
    notify_ingest_destroy(&(*self_p)->registry.in);
    notify_ingest_destroy(&(*self_p)->deadline.in);
    notify_ingest_destroy(&(*self_p)->scoring.in);
    free(*self_p);
    *self_p = NULL;
}

/* One batch of a producer's waiting events (so requests and readers are
 * served between batches). Readers get the batch's entries as soon as it is
 * committed. A full batch leaves the producer behind: more may be waiting.
 * Returns 0, 1 when the producer has no schema yet, or -1. */
static int catch_up(notify_server_t *self, producer_t *p)
{
    int applied = events_consume_flushed(self->db, "notify", p->name, self->config.batch,
                                         notify_ingest_event, notify_ingest_flush, p->in);
    p->behind = applied == self->config.batch;
    if (applied < 0) {
        notify_ingest_discard(p->in);
        if (strcmp(db_sqlstate(self->db), "42P01") == 0) {
            /* undefined_table: the producer has not made its schema yet
             * (the scoring service starts after notify); look again later. */
            log_debug("producer not there yet", "producer=%s", p->name);
            return 1;
        }
        log_warn("events not applied", "producer=%s reason=\"%s\"", p->name, db_error(self->db));
        return -1;
    }
    long written = applied > 0 ? notify_ingest_written(p->in) : 0;
    if (written > 0) {
        notify_feed_server_push(self->feed);
        log_info("feed entries", "producer=%s count=%ld", p->name, written);
    }
    return 0;
}

/* Reads a batch of a producer that woke us, that is behind, or whose log
 * was last looked at a poll interval ago (a wake-up may be lost); after a
 * failure, at the next step. A producer that did not wake us and is not
 * behind has nothing new: a batch that finds nothing is a transaction (a
 * cursor row locked, a WAL flush at COMMIT) for nothing. */
static int look_at(notify_server_t *self, producer_t *p, int poll_ms)
{
    bool woken = events_wait(p->sub, 0) == 1;
    int64_t now = msg_now_ms();
    if (!woken && !p->behind && now < p->next_look_ms)
        return 0;
    int rc = catch_up(self, p);
    if (rc < 0) {
        p->next_look_ms = 0;
        return -1;
    }
    p->next_look_ms = now + poll_ms;
    return 0;
}

static void handle(notify_server_t *self, rpc_request_t *req)
{
    if (req->env->type == PARTRACK__MESSAGE_TYPE__MSG_PING) {
        Partrack__Pong pong = PARTRACK__PONG__INIT;
        pong.service = "partrack-notify";
        pong.version = PARTRACK_VERSION;
        rpc_server_reply(self->rpc, req, PARTRACK__MESSAGE_TYPE__MSG_PONG, &pong.base);
        return;
    }
    if (notify_admin_handle(self->db, self->rpc, req, &self->admin) ||
        notify_digest_handle(self->db, self->rpc, req))
        return;
    char message[128];
    snprintf(message, sizeof message, "the notify service does not serve message type %d",
             (int)req->env->type);
    rpc_server_reply_error(self->rpc, req, PARTRACK__ERROR_CODE__ERR_UNKNOWN_TYPE, message, NULL,
                           0);
}

int notify_server_step(notify_server_t *self, int wait_ms)
{
    zmq_pollitem_t items[6] = {{rpc_server_socket(self->rpc), 0, ZMQ_POLLIN, 0},
                               {events_sub_socket(self->deadline.sub), 0, ZMQ_POLLIN, 0},
                               {events_sub_socket(self->registry.sub), 0, ZMQ_POLLIN, 0},
                               {events_sub_socket(self->scoring.sub), 0, ZMQ_POLLIN, 0}};
    notify_feed_server_poll_items(self->feed, &items[4]);
    bool behind = self->deadline.behind || self->registry.behind || self->scoring.behind;
    if (zmq_poll(items, 6, behind ? 0 : wait_ms) < 0)
        return 0;
    rpc_request_t req;
    if ((items[0].revents & ZMQ_POLLIN) && rpc_server_next(self->rpc, 0, &req) > 0) {
        handle(self, &req);
        rpc_request_done(&req);
    }
    notify_feed_server_serve(self->feed, &items[4]);
    int rc = look_at(self, &self->deadline, wait_ms);
    if (look_at(self, &self->registry, wait_ms) < 0)
        rc = -1;
    if (look_at(self, &self->scoring, wait_ms) < 0)
        rc = -1;
    int64_t now = msg_now_ms();
    if (now >= self->next_digest_ms) {
        self->next_digest_ms = now + self->config.digest_check_ms;
        if (notify_digest_run(self->db, self->ctx, self->config.deadline_endpoint) > 0)
            notify_feed_server_push(self->feed);
    }
    return rc;
}
