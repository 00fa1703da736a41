/* ingest_server.c - the endpoint other systems publish into (see the
 * header) */

#include "ingest_server.h"

#include "db.h"
#include "directory_cache.h"
#include "ingest_batch.h"
#include "ingest_key.h"
#include "ingest_zap.h"
#include "log.h"
#include "msg.h"
#include "task_facts.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#define INGEST_REPLY_HWM 1000000
#define INGEST_GATHER_MS 2 /* the longest wait for more of a batch */
/* Tasks whose plan, title and leads are kept between batches (a few hundred
 * bytes each): a district's year of plans. */
#define INGEST_TASK_FACTS 20000

struct ingest_server {
    ingest_config_t config;
    char *endpoint, *database_url;
    db_t *db;
    directory_cache_t *units;
    task_facts_t *facts;
    keyfile_t key;
    void *router, *zap, *wake_push, *wake_pull;
    pthread_t thread;
    bool running;
    atomic_bool stop;
};

/* One received message of a batch, with the peer to answer. */
typedef struct {
    zmq_msg_t peer;
    ingest_item_t item;
    bool answered; /* refused on receipt: the reply waits its turn */
} pending_t;

/* The messages of one batch. */
typedef struct {
    pending_t *pending;
    size_t n;
} batch_t;

static int set_curve_server(void *router, const keyfile_t *key, size_t max_msg)
{
    int64_t max = (int64_t)max_msg;
    int linger = 0;
    /* Past its high-water mark a ROUTER drops replies silently; replies
     * are small and each client bounds its messages in flight (its
     * window), so the limit is set far above any window. */
    int hwm = INGEST_REPLY_HWM;
    return zap_curve_server(router, key->secret_key, INGEST_ZAP_DOMAIN) == 0 &&
                   zmq_setsockopt(router, ZMQ_MAXMSGSIZE, &max, sizeof max) == 0 &&
                   zmq_setsockopt(router, ZMQ_LINGER, &linger, sizeof linger) == 0 &&
                   zmq_setsockopt(router, ZMQ_SNDHWM, &hwm, sizeof hwm) == 0
               ? 0
               : -1;
}

static void send_reply(ingest_server_t *self, pending_t *p)
{
    ingest_item_t *it = &p->item;
    size_t len;
    uint8_t *buf = msg_pack_bytes(it->reply_type, it->env ? it->env->correlation_id : NULL, NULL,
                                  it->reply, it->reply_len, &len);
    if (!buf)
        return;
    if (zmq_send(self->router, zmq_msg_data(&p->peer), zmq_msg_size(&p->peer), ZMQ_SNDMORE) >= 0)
        zmq_send(self->router, buf, len, ZMQ_DONTWAIT);
    free(buf);
}

/* Answers a message that never made it into a batch. */
static void reply_now(ingest_server_t *self, zmq_msg_t *peer, Partrack__ErrorCode code,
                      const char *reason)
{
    pending_t p = {0};
    p.peer = *peer;
    ingest_item_error(&p.item, code, "%s", reason);
    send_reply(self, &p);
    ingest_item_clear(&p.item);
}

static void drain(void *socket)
{
    int more = 1;
    size_t size = sizeof more;
    while (more) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, socket, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&m);
            return;
        }
        zmq_msg_close(&m);
        if (zmq_getsockopt(socket, ZMQ_RCVMORE, &more, &size) < 0)
            return;
    }
}

/* Refuses p's message: answered now, or with `defer` queued answered, so
 * that its reply follows those of the batch still committing (replies keep
 * their order on a connection). Returns what receive does. */
static int refuse(ingest_server_t *self, pending_t *p, bool defer, Partrack__ErrorCode code,
                  const char *reason)
{
    if (!defer) {
        reply_now(self, &p->peer, code, reason);
        return 0;
    }
    ingest_item_error(&p->item, code, "%s", reason);
    p->answered = true;
    return 1;
}

/* Receives one message into p: 1 queued, 0 answered at once (or nothing
 * there), -1 nothing waiting. With `defer` a refusal is queued answered
 * (1) instead. */
static int receive(ingest_server_t *self, pending_t *p, bool defer)
{
    memset(p, 0, sizeof *p);
    zmq_msg_init(&p->peer);
    if (zmq_msg_recv(&p->peer, self->router, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&p->peer);
        return -1;
    }
    zmq_msg_t body;
    zmq_msg_init(&body);
    int rc = 0;
    if (!zmq_msg_more(&p->peer) || zmq_msg_recv(&body, self->router, 0) < 0) {
        /* nothing to answer */
    } else if (zmq_msg_more(&body)) {
        drain(self->router);
        rc = refuse(self, p, defer, PARTRACK__ERROR_CODE__ERR_BAD_MESSAGE,
                    "a message is one frame holding one envelope");
    } else {
        const char *user = zmq_msg_gets(&body, "User-Id");
        Partrack__ErrorCode code;
        char reason[256];
        p->item.env = msg_open(zmq_msg_data(&body), zmq_msg_size(&body), self->config.max_msg_bytes,
                               &code, reason, sizeof reason);
        if (!user || strlen(user) != KEYFILE_Z85_LEN) {
            msg_close(&p->item.env);
            rc = refuse(self, p, defer, PARTRACK__ERROR_CODE__ERR_FORBIDDEN,
                        "no authenticated publisher on this connection");
        } else if (!p->item.env) {
            log_warn("bad ingest message", "code=%s reason=\"%s\"", msg_code_name(code), reason);
            rc = refuse(self, p, defer, code, reason);
        } else {
            snprintf(p->item.user_id, sizeof p->item.user_id, "%s", user);
            rc = 1;
        }
    }
    zmq_msg_close(&body);
    if (rc != 1)
        zmq_msg_close(&p->peer);
    return rc;
}

static ingest_rules_t rules_of(const ingest_server_t *self)
{
    return (ingest_rules_t){.max_skew_ms = self->config.max_skew_ms};
}

/* The next batch, received while this one commits. */
typedef struct {
    ingest_server_t *self;
    batch_t *next;
} overlap_t;

/* Takes what is queued on the socket into the next batch, without waiting
 * and without the database (it is committing). */
static void receive_next(void *arg)
{
    overlap_t *o = arg;
    batch_t *next = o->next;
    size_t batch = (size_t)o->self->config.batch;
    int got;
    while (next->n < batch && (got = receive(o->self, &next->pending[next->n], true)) >= 0)
        if (got == 1)
            next->n++;
}

/* Applies the batch's messages not answered already: together, or one by
 * one when the batch itself failed; every message gets its reply. While
 * the batch commits, the next one is received into `next`. */
static void apply(ingest_server_t *self, batch_t *cur, batch_t *next)
{
    pending_t *pending = cur->pending;
    size_t n = 0;
    for (size_t i = 0; i < cur->n; i++)
        n += !pending[i].answered;
    if (n == 0)
        return;
    ingest_item_t *items = calloc(n, sizeof *items);
    if (!items) {
        for (size_t i = 0; i < cur->n; i++)
            if (!pending[i].answered)
                ingest_item_error(&pending[i].item, PARTRACK__ERROR_CODE__ERR_OVERLOADED,
                                  "out of memory, send again later");
        return;
    }
    for (size_t i = 0, k = 0; i < cur->n; i++)
        if (!pending[i].answered)
            items[k++] = pending[i].item;
    ingest_rules_t rules = rules_of(self);
    int64_t last = 0;
    bool retryable = true;
    overlap_t overlap = {self, next};
    const directory_t *dir = directory_cache_get(self->units, self->db);
    int rc = dir ? ingest_batch_apply_overlapping(self->db, dir, self->facts, items, n, &rules,
                                                  &last, &retryable, receive_next, &overlap)
                 : -1;
    if (rc < 0 && !retryable && dir) {
        log_warn("ingest batch failed, applying one by one", "count=%zu reason=\"%s\"", n,
                 db_error(self->db));
        for (size_t i = 0; i < n; i++) {
            bool again = false;
            if (ingest_batch_apply(self->db, dir, self->facts, &items[i], 1, &rules, &last,
                                   &again) < 0)
                ingest_item_error(&items[i],
                                  again ? PARTRACK__ERROR_CODE__ERR_UNAVAILABLE
                                        : PARTRACK__ERROR_CODE__ERR_FAILED,
                                  again ? "database unavailable, send again with the same key"
                                        : "the registry failed on this message (logged)");
        }
    } else if (rc < 0) {
        for (size_t i = 0; i < n; i++)
            ingest_item_error(&items[i], PARTRACK__ERROR_CODE__ERR_UNAVAILABLE,
                              "database unavailable, send again with the same key");
    }
    for (size_t i = 0, k = 0; i < cur->n; i++)
        if (!pending[i].answered)
            pending[i].item = items[k++];
    free(items);
    if (last > 0)
        zmq_send(self->wake_push, &last, sizeof last, ZMQ_DONTWAIT);
}

static void batch_clear(batch_t *b)
{
    for (size_t i = 0; i < b->n; i++) {
        ingest_item_clear(&b->pending[i].item);
        msg_close(&b->pending[i].item.env);
        zmq_msg_close(&b->pending[i].peer);
    }
    b->n = 0;
}

/* Gathers cur (which may hold messages received while the last batch
 * committed), applies it, answers it; what arrived meanwhile is left in
 * next. */
static void serve_batch(ingest_server_t *self, batch_t *cur, batch_t *next)
{
    size_t batch = (size_t)self->config.batch;
    int got;
    int64_t until = 0;
    for (;;) {
        while (cur->n < batch && (got = receive(self, &cur->pending[cur->n], false)) >= 0)
            if (got == 1)
                cur->n++;
        /* More is usually on its way (libzmq hands messages over in
         * bursts): wait a moment for it, so one commit serves many; never
         * more than INGEST_GATHER_MS in all, so a trickle is not held. */
        int64_t now = msg_now_ms();
        if (cur->n > 0 && until == 0)
            until = now + INGEST_GATHER_MS;
        zmq_pollitem_t item = {self->router, 0, ZMQ_POLLIN, 0};
        if (cur->n == 0 || cur->n >= batch || now >= until ||
            zmq_poll(&item, 1, (long)(until - now)) <= 0)
            break;
    }
    if (cur->n == 0)
        return;
    apply(self, cur, next);
    for (size_t i = 0; i < cur->n; i++)
        send_reply(self, &cur->pending[i]);
    batch_clear(cur);
}

static void *run(void *arg)
{
    ingest_server_t *self = arg;
    batch_t batches[2] = {{calloc((size_t)self->config.batch, sizeof(pending_t)), 0},
                          {calloc((size_t)self->config.batch, sizeof(pending_t)), 0}};
    batch_t *cur = &batches[0], *next = &batches[1];
    if (!cur->pending || !next->pending) {
        log_error("ingest stopped", "reason=\"out of memory\"");
        free(batches[0].pending);
        free(batches[1].pending);
        return NULL;
    }
    while (!atomic_load(&self->stop)) {
        zmq_pollitem_t items[] = {{self->zap, 0, ZMQ_POLLIN, 0}, {self->router, 0, ZMQ_POLLIN, 0}};
        /* Messages received during the last COMMIT are served at once. */
        if (zmq_poll(items, 2, cur->n > 0 ? 0 : 200) < 0) {
            if (errno == ETERM)
                break;
            continue;
        }
        if (items[0].revents & ZMQ_POLLIN)
            zap_answer(self->zap, INGEST_ZAP_DOMAIN, ingest_zap_lookup, self->db);
        if (cur->n > 0 || (items[1].revents & ZMQ_POLLIN)) {
            serve_batch(self, cur, next);
            batch_t *t = cur;
            cur = next;
            next = t;
        }
    }
    /* Unanswered at a stop, like what is still queued in the socket: the
     * publishers send it again. */
    batch_clear(cur);
    batch_clear(next);
    free(batches[0].pending);
    free(batches[1].pending);
    return NULL;
}

static void *socket_bound(void *ctx, int type, const char *endpoint, char *errbuf, size_t errlen)
{
    void *s = zmq_socket(ctx, type);
    int linger = 0;
    if (s)
        zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    if (!s || zmq_bind(s, endpoint) != 0) {
        snprintf(errbuf, errlen, "cannot bind %s: %s", endpoint, zmq_strerror(zmq_errno()));
        if (s)
            zmq_close(s);
        return NULL;
    }
    return s;
}

ingest_server_t *ingest_server_start(void *zmq_ctx, const ingest_config_t *config, char *errbuf,
                                     size_t errlen)
{
    ingest_server_t *self = calloc(1, sizeof *self);
    if (!self) {
        snprintf(errbuf, errlen, "out of memory");
        return NULL;
    }
    self->config = *config;
    self->endpoint = strdup(config->endpoint);
    self->database_url = strdup(config->database_url);
    self->config.endpoint = self->endpoint;
    self->config.database_url = self->database_url;
    char wake[64];
    snprintf(wake, sizeof wake, "inproc://partrack-ingest-wake-%p", (void *)self);
    if (!self->endpoint || !self->database_url ||
        !(self->db = db_new(self->database_url, "partrack-registry-ingest")) ||
        !(self->units = directory_cache_new()) ||
        !(self->facts = task_facts_new(INGEST_TASK_FACTS))) {
        snprintf(errbuf, errlen, "out of memory");
        goto fail;
    }
    if (db_ensure(self->db, 30000) != DB_OK || ingest_key_get(self->db, &self->key) < 0) {
        snprintf(errbuf, errlen, "cannot read the ingest key: %s", db_error(self->db));
        goto fail;
    }
    /* The ZAP handler first: with ZMQ_ZAP_ENFORCE_DOMAIN a handshake
     * without one fails. */
    if (!(self->zap = socket_bound(zmq_ctx, ZMQ_REP, ZAP_ENDPOINT, errbuf, errlen)) ||
        !(self->wake_pull = socket_bound(zmq_ctx, ZMQ_PULL, wake, errbuf, errlen)))
        goto fail;
    self->wake_push = zmq_socket(zmq_ctx, ZMQ_PUSH);
    if (!self->wake_push || zmq_connect(self->wake_push, wake) != 0) {
        snprintf(errbuf, errlen, "cannot connect the wake socket");
        goto fail;
    }
    self->router = zmq_socket(zmq_ctx, ZMQ_ROUTER);
    if (!self->router || set_curve_server(self->router, &self->key, config->max_msg_bytes) < 0 ||
        zmq_bind(self->router, self->endpoint) != 0) {
        snprintf(errbuf, errlen, "cannot bind %s: %s", self->endpoint, zmq_strerror(zmq_errno()));
        goto fail;
    }
    if (pthread_create(&self->thread, NULL, run, self) != 0) {
        snprintf(errbuf, errlen, "cannot start the ingest thread");
        goto fail;
    }
    self->running = true;
    return self;
fail:
    ingest_server_stop(&self);
    return NULL;
}

void ingest_server_stop(ingest_server_t **self_p)
{
    ingest_server_t *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    atomic_store(&self->stop, true);
    if (self->running)
        pthread_join(self->thread, NULL);
    void *sockets[] = {self->router, self->zap, self->wake_push, self->wake_pull};
    for (size_t i = 0; i < sizeof sockets / sizeof *sockets; i++)
        if (sockets[i])
            zmq_close(sockets[i]);
    directory_cache_destroy(&self->units);
    task_facts_destroy(&self->facts);
    db_destroy(&self->db);
    free(self->endpoint);
    free(self->database_url);
    free(self);
    *self_p = NULL;
}

void *ingest_server_wake_socket(ingest_server_t *self)
{
    return self->wake_pull;
}

const char *ingest_server_public_key(const ingest_server_t *self)
{
    return self->key.public_key;
}
