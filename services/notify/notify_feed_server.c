/* notify_feed_server.c - the feed endpoint (see the header) */
#include "notify_feed_server.h"

#include "deadline.pb-c.h"
#include "keyfile.h"
#include "log.h"
#include "msg.h"
#include "notify.pb-c.h"
#include "rpc.h"
#include "strmap.h"
#include "zap.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CREDIT        10000
#define MAX_SUBSCRIPTIONS 10000
#define ACK_TIMEOUT_MS    5000

/* A client reading its feed. */
typedef struct {
    uint8_t peer[256];
    size_t peer_len;
    char person[72];
    char correlation[MSG_MAX_ID_LEN + 1];
    uint64_t last; /* the last seq sent */
    uint32_t credit;
} subscription_t;

struct notify_feed_server {
    void *ctx;
    db_t *db;
    void *router, *zap;
    char *deadline_endpoint;
    size_t max_msg;
    keyfile_t key;
    subscription_t *subs;
    size_t nsubs;
};

/* ---- who ---- */

static zap_status_t lookup(const char *key, char *user_id, size_t user_len, char *name,
                           size_t name_len, void *arg)
{
    notify_feed_server_t *self = arg;
    const char *p[] = {key};
    db_status_t st;
    PGresult *res = db_exec(
        self->db, "SELECT person_id FROM notify.person_key WHERE public_key = $1", 1, p, &st);
    if (!res)
        return ZAP_RETRY;
    zap_status_t status = PQntuples(res) == 1 ? ZAP_ALLOW : ZAP_DENY;
    if (status == ZAP_ALLOW) {
        snprintf(user_id, user_len, "%s", PQgetvalue(res, 0, 0));
        snprintf(name, name_len, "%s", PQgetvalue(res, 0, 0));
    }
    PQclear(res);
    return status;
}

static int load_key(db_t *db, keyfile_t *k)
{
    keyfile_t fresh = {0};
    if (keyfile_generate(&fresh) < 0)
        return -1;
    const char *p[] = {fresh.public_key, fresh.secret_key};
    db_status_t st;
    PGresult *res = db_exec(db,
                            "WITH i AS (INSERT INTO notify.feed_key (public_key, secret_key) "
                            "VALUES ($1, $2) ON CONFLICT (only_row) DO NOTHING RETURNING "
                            "public_key, secret_key) SELECT public_key, secret_key FROM i UNION "
                            "ALL SELECT public_key, secret_key FROM notify.feed_key",
                            2, p, &st);
    int rc = res && PQntuples(res) >= 1 ? 0 : -1;
    if (rc == 0) {
        snprintf(k->public_key, sizeof k->public_key, "%s", PQgetvalue(res, 0, 0));
        snprintf(k->secret_key, sizeof k->secret_key, "%s", PQgetvalue(res, 0, 1));
    }
    PQclear(res);
    return rc;
}

/* ---- sending ---- */

/* Sends one envelope to a peer; false if the peer is gone. */
static bool send_to(notify_feed_server_t *self, const uint8_t *peer, size_t peer_len,
                    Partrack__MessageType type, const char *correlation,
                    const ProtobufCMessage *payload)
{
    size_t len;
    uint8_t *buf = msg_pack(type, correlation, NULL, payload, &len);
    if (!buf)
        return false;
    bool ok = zmq_send(self->router, peer, peer_len, ZMQ_SNDMORE) >= 0 &&
              zmq_send(self->router, buf, len, ZMQ_DONTWAIT) >= 0;
    free(buf);
    return ok;
}

static void send_error(notify_feed_server_t *self, const uint8_t *peer, size_t peer_len,
                       const char *correlation, Partrack__ErrorCode code, const char *message)
{
    Partrack__ErrorReply e = PARTRACK__ERROR_REPLY__INIT;
    e.code = code;
    e.message = (char *)message;
    e.has_retryable = 1;
    e.retryable = msg_code_retryable(code);
    send_to(self, peer, peer_len, PARTRACK__MESSAGE_TYPE__MSG_ERROR, correlation, &e.base);
}

/* Sends the subscription's next entries while credit lasts. Returns false
 * when the peer is gone (or the database failed). */
static bool send_entries(notify_feed_server_t *self, subscription_t *s)
{
    if (s->credit == 0)
        return true;
    char last[24], limit[16];
    snprintf(last, sizeof last, "%llu", (unsigned long long)s->last);
    snprintf(limit, sizeof limit, "%u", s->credit);
    const char *p[] = {s->person, last, limit};
    db_status_t st;
    PGresult *res = db_exec(
        self->db,
        "SELECT seq, kind, text, to_char(created_at AT TIME ZONE 'UTC', "
        "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), occurrence_id, level, task_id, unit_code, acked_at IS "
        "NOT NULL FROM notify.entry WHERE person_id = $1 AND seq > $2::bigint ORDER BY seq LIMIT "
        "$3::int",
        3, p, &st);
    if (!res)
        return true; /* try again at the next push */
    bool ok = true;
    for (int r = 0; r < PQntuples(res) && ok; r++) {
        Partrack__FeedEntry e = PARTRACK__FEED_ENTRY__INIT;
        e.seq = strtoull(PQgetvalue(res, r, 0), NULL, 10);
        e.kind = PQgetvalue(res, r, 1);
        e.text = PQgetvalue(res, r, 2);
        e.created_at = PQgetvalue(res, r, 3);
        e.has_occurrence_id = !PQgetisnull(res, r, 4);
        e.occurrence_id = strtoll(PQgetvalue(res, r, 4), NULL, 10);
        e.level = PQgetisnull(res, r, 5) ? NULL : PQgetvalue(res, r, 5);
        e.has_task_id = !PQgetisnull(res, r, 6);
        e.task_id = strtoll(PQgetvalue(res, r, 6), NULL, 10);
        e.unit_code = PQgetisnull(res, r, 7) ? NULL : PQgetvalue(res, r, 7);
        e.has_acked = 1;
        e.acked = PQgetvalue(res, r, 8)[0] == 't';
        ok = send_to(self, s->peer, s->peer_len, PARTRACK__MESSAGE_TYPE__MSG_FEED_ENTRY,
                     s->correlation, &e.base);
        if (ok) {
            s->last = e.seq;
            s->credit--;
        }
    }
    PQclear(res);
    return ok;
}

static void drop_subscription(notify_feed_server_t *self, size_t i)
{
    self->subs[i] = self->subs[--self->nsubs];
}

static subscription_t *subscription_of(notify_feed_server_t *self, const uint8_t *peer,
                                       size_t peer_len)
{
    for (size_t i = 0; i < self->nsubs; i++)
        if (self->subs[i].peer_len == peer_len && memcmp(self->subs[i].peer, peer, peer_len) == 0)
            return &self->subs[i];
    if (self->nsubs == MAX_SUBSCRIPTIONS || peer_len > sizeof self->subs[0].peer)
        return NULL;
    subscription_t *s = &self->subs[self->nsubs++];
    memset(s, 0, sizeof *s);
    memcpy(s->peer, peer, peer_len);
    s->peer_len = peer_len;
    return s;
}

/* ---- requests ---- */

static void feed_request(notify_feed_server_t *self, const uint8_t *peer, size_t peer_len,
                         const char *person, const msg_envelope_t *env)
{
    char reason[256];
    Partrack__FeedRequest *r = (Partrack__FeedRequest *)msg_decode(
        env, &partrack__feed_request__descriptor, reason, sizeof reason);
    if (!r) {
        send_error(self, peer, peer_len, env->correlation_id, PARTRACK__ERROR_CODE__ERR_BAD_MESSAGE,
                   reason);
        return;
    }
    subscription_t *s = NULL;
    if (r->credit == 0 || r->credit > MAX_CREDIT)
        send_error(self, peer, peer_len, env->correlation_id, PARTRACK__ERROR_CODE__ERR_INVALID,
                   "credit must be between 1 and 10000");
    else if (!(s = subscription_of(self, peer, peer_len)))
        send_error(self, peer, peer_len, env->correlation_id, PARTRACK__ERROR_CODE__ERR_OVERLOADED,
                   "too many readers, try again later");
    if (s) {
        snprintf(s->person, sizeof s->person, "%s", person);
        snprintf(s->correlation, sizeof s->correlation, "%s",
                 env->correlation_id ? env->correlation_id : "");
        s->last = r->has_since ? r->since : 0;
        s->credit = r->credit;
        if (!send_entries(self, s))
            drop_subscription(self, (size_t)(s - self->subs));
    }
    partrack__feed_request__free_unpacked(r, NULL);
}

/* Tells the deadline service that an escalating level was seen. 0 done
 * (or nothing to stop), -1 it could not be told. */
static int tell_deadline(notify_feed_server_t *self, const char *person, int64_t occurrence,
                         const char *level)
{
    Partrack__DueAckRequest a = PARTRACK__DUE_ACK_REQUEST__INIT;
    a.occurrence_id = occurrence;
    a.level = (char *)level;
    char key[160], err[256];
    snprintf(key, sizeof key, "feed-ack:%s:%lld:%s", person, (long long)occurrence, level);
    msg_envelope_t *reply =
        rpc_call(self->ctx, self->deadline_endpoint, PARTRACK__MESSAGE_TYPE__MSG_DUE_ACK, &a.base,
                 key, ACK_TIMEOUT_MS, err, sizeof err);
    if (!reply) {
        log_warn("acknowledgement not passed on", "occurrence=%lld reason=\"%s\"",
                 (long long)occurrence, err);
        return -1;
    }
    int rc = 0;
    if (reply->type == PARTRACK__MESSAGE_TYPE__MSG_ERROR) {
        Partrack__ErrorReply *e =
            partrack__error_reply__unpack(NULL, reply->payload.len, reply->payload.data);
        /* NOT_FOUND: the occurrence is gone or done: nothing to stop. */
        rc = e && e->code == PARTRACK__ERROR_CODE__ERR_NOT_FOUND ? 0 : -1;
        if (rc < 0)
            log_warn("acknowledgement refused", "occurrence=%lld reason=\"%s\"",
                     (long long)occurrence, e ? e->message : "?");
        if (e)
            partrack__error_reply__free_unpacked(e, NULL);
    }
    msg_close(&reply);
    return rc;
}

static void feed_ack(notify_feed_server_t *self, const uint8_t *peer, size_t peer_len,
                     const char *person, const msg_envelope_t *env)
{
    char reason[256];
    Partrack__FeedAck *r = (Partrack__FeedAck *)msg_decode(env, &partrack__feed_ack__descriptor,
                                                           reason, sizeof reason);
    if (!r) {
        send_error(self, peer, peer_len, env->correlation_id, PARTRACK__ERROR_CODE__ERR_BAD_MESSAGE,
                   reason);
        return;
    }
    char seq[24];
    snprintf(seq, sizeof seq, "%llu", (unsigned long long)r->seq);
    const char *p[] = {person, seq};
    db_status_t st;
    PGresult *res = NULL;
    uint32_t stopped = 0;
    if (db_begin(self->db) != DB_OK ||
        !(res = db_exec(self->db,
                        "SELECT DISTINCT occurrence_id, level FROM notify.entry WHERE person_id = "
                        "$1 AND seq <= $2::bigint AND acked_at IS NULL AND occurrence_id IS NOT "
                        "NULL AND level IN ('due', 'overdue') ORDER BY 1, 2",
                        2, p, &st)))
        goto unavailable;
    for (int i = 0; i < PQntuples(res); i++) {
        if (tell_deadline(self, person, strtoll(PQgetvalue(res, i, 0), NULL, 10),
                          PQgetvalue(res, i, 1)) < 0)
            goto unavailable;
        stopped++;
    }
    PQclear(res);
    if (!(res = db_exec(self->db,
                        "UPDATE notify.entry SET acked_at = now() WHERE person_id = $1 AND seq <= "
                        "$2::bigint AND acked_at IS NULL",
                        2, p, &st)) ||
        db_commit(self->db) != DB_OK)
        goto unavailable;
    Partrack__FeedAckReply reply = PARTRACK__FEED_ACK_REPLY__INIT;
    reply.seq = r->seq;
    reply.acknowledged = (uint32_t)atoi(PQcmdTuples(res));
    reply.escalations_stopped = stopped;
    send_to(self, peer, peer_len, PARTRACK__MESSAGE_TYPE__MSG_FEED_ACK_REPLY, env->correlation_id,
            &reply.base);
    goto done;
unavailable:
    db_rollback(self->db);
    send_error(self, peer, peer_len, env->correlation_id, PARTRACK__ERROR_CODE__ERR_UNAVAILABLE,
               "not acknowledged (the database or the deadline service did not answer); send "
               "it again");
done:
    PQclear(res);
    partrack__feed_ack__free_unpacked(r, NULL);
}

/* One message from the ROUTER: [peer][envelope]. */
static void serve_message(notify_feed_server_t *self)
{
    zmq_msg_t peer, body;
    zmq_msg_init(&peer);
    zmq_msg_init(&body);
    if (zmq_msg_recv(&peer, self->router, ZMQ_DONTWAIT) < 0)
        goto done;
    if (!zmq_msg_more(&peer) || zmq_msg_recv(&body, self->router, 0) < 0)
        goto done;
    const uint8_t *id = zmq_msg_data(&peer);
    size_t id_len = zmq_msg_size(&peer);
    if (zmq_msg_more(&body)) {
        int more = 1;
        size_t size = sizeof more;
        while (more) {
            zmq_msg_t m;
            zmq_msg_init(&m);
            zmq_msg_recv(&m, self->router, 0);
            zmq_msg_close(&m);
            zmq_getsockopt(self->router, ZMQ_RCVMORE, &more, &size);
        }
        send_error(self, id, id_len, NULL, PARTRACK__ERROR_CODE__ERR_BAD_MESSAGE,
                   "a message is one frame holding one envelope");
        goto done;
    }
    const char *person = zmq_msg_gets(&body, "User-Id");
    Partrack__ErrorCode code;
    char reason[256], who[72];
    snprintf(who, sizeof who, "%s", person ? person : "");
    msg_envelope_t *env = msg_open(zmq_msg_data(&body), zmq_msg_size(&body), self->max_msg, &code,
                                   reason, sizeof reason);
    if (!*who) {
        send_error(self, id, id_len, NULL, PARTRACK__ERROR_CODE__ERR_FORBIDDEN,
                   "no authenticated person on this connection");
    } else if (!env) {
        send_error(self, id, id_len, NULL, code, reason);
    } else if (env->type == PARTRACK__MESSAGE_TYPE__MSG_FEED_REQUEST) {
        feed_request(self, id, id_len, who, env);
    } else if (env->type == PARTRACK__MESSAGE_TYPE__MSG_FEED_ACK) {
        feed_ack(self, id, id_len, who, env);
    } else {
        send_error(self, id, id_len, env->correlation_id, PARTRACK__ERROR_CODE__ERR_UNKNOWN_TYPE,
                   "the feed endpoint takes FeedRequest and FeedAck only");
    }
    msg_close(&env);
done:
    zmq_msg_close(&peer);
    zmq_msg_close(&body);
}

/* ---- the server ---- */

notify_feed_server_t *notify_feed_server_new(void *zmq_ctx, db_t *db, const char *endpoint,
                                             const char *deadline_endpoint, size_t max_msg_bytes,
                                             char *errbuf, size_t errlen)
{
    notify_feed_server_t *self = calloc(1, sizeof *self);
    if (!self || !(self->subs = calloc(MAX_SUBSCRIPTIONS, sizeof *self->subs)) ||
        !(self->deadline_endpoint = strdup(deadline_endpoint))) {
        snprintf(errbuf, errlen, "out of memory");
        notify_feed_server_destroy(&self);
        return NULL;
    }
    self->ctx = zmq_ctx;
    self->db = db;
    self->max_msg = max_msg_bytes;
    if (load_key(db, &self->key) < 0) {
        snprintf(errbuf, errlen, "cannot read the feed key: %s", db_error(db));
        notify_feed_server_destroy(&self);
        return NULL;
    }
    int linger = 0, mandatory = 1;
    int64_t max = (int64_t)max_msg_bytes;
    self->zap = zmq_socket(zmq_ctx, ZMQ_REP);
    self->router = zmq_socket(zmq_ctx, ZMQ_ROUTER);
    if (!self->zap || !self->router || zmq_bind(self->zap, ZAP_ENDPOINT) != 0 ||
        zap_curve_server(self->router, self->key.secret_key, NOTIFY_FEED_DOMAIN) < 0 ||
        zmq_setsockopt(self->router, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
        zmq_setsockopt(self->router, ZMQ_MAXMSGSIZE, &max, sizeof max) != 0 ||
        zmq_setsockopt(self->router, ZMQ_ROUTER_MANDATORY, &mandatory, sizeof mandatory) != 0 ||
        zmq_bind(self->router, endpoint) != 0) {
        snprintf(errbuf, errlen, "cannot bind %s: %s", endpoint, zmq_strerror(zmq_errno()));
        notify_feed_server_destroy(&self);
        return NULL;
    }
    zmq_setsockopt(self->zap, ZMQ_LINGER, &linger, sizeof linger);
    return self;
}

void notify_feed_server_destroy(notify_feed_server_t **self_p)
{
    notify_feed_server_t *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    if (self->router)
        zmq_close(self->router);
    if (self->zap)
        zmq_close(self->zap);
    free(self->subs);
    free(self->deadline_endpoint);
    free(self);
    *self_p = NULL;
}

void notify_feed_server_poll_items(notify_feed_server_t *self, zmq_pollitem_t items[2])
{
    items[0] = (zmq_pollitem_t){self->zap, 0, ZMQ_POLLIN, 0};
    items[1] = (zmq_pollitem_t){self->router, 0, ZMQ_POLLIN, 0};
}

void notify_feed_server_serve(notify_feed_server_t *self, const zmq_pollitem_t items[2])
{
    if (items[0].revents & ZMQ_POLLIN)
        zap_answer(self->zap, NOTIFY_FEED_DOMAIN, lookup, self);
    for (int i = 0; i < 100 && (items[1].revents & ZMQ_POLLIN); i++) {
        int events = 0;
        size_t size = sizeof events;
        if (zmq_getsockopt(self->router, ZMQ_EVENTS, &events, &size) < 0 || !(events & ZMQ_POLLIN))
            break;
        serve_message(self);
    }
}

/* Marks in behind[] the subscriptions holding credit whose feed has
 * entries past the last one sent, asking every feed's head with one query
 * (readers whose feed did not grow cost nothing more). Returns -1 when the
 * query failed. */
static int mark_behind(notify_feed_server_t *self, bool *behind)
{
    db_column_t people = {0};
    strmap_t *heads = strmap_new();
    PGresult *res = NULL;
    int rc = -1;
    for (size_t i = 0; i < self->nsubs; i++)
        if (self->subs[i].credit > 0 && db_column_push(&people, self->subs[i].person) < 0)
            goto done;
    db_status_t st;
    if (!heads || !(res = db_exec_columns(self->db,
                                          "SELECT person_id, last_seq FROM notify.feed_head "
                                          "WHERE person_id = ANY ($1::text[])",
                                          &people, 1, &st)))
        goto done;
    for (int r = 0; r < PQntuples(res); r++)
        if (strmap_put(heads, PQgetvalue(res, r, 0), PQgetvalue(res, r, 1)) < 0)
            goto done;
    for (size_t i = 0; i < self->nsubs; i++) {
        const char *head =
            self->subs[i].credit > 0 ? strmap_get(heads, self->subs[i].person) : NULL;
        behind[i] = head && strtoull(head, NULL, 10) > self->subs[i].last;
    }
    rc = 0;
done:
    strmap_destroy(&heads, NULL);
    PQclear(res);
    db_columns_free(&people, 1);
    return rc;
}

void notify_feed_server_push(notify_feed_server_t *self)
{
    size_t waiting = 0;
    for (size_t i = 0; i < self->nsubs; i++)
        waiting += self->subs[i].credit > 0;
    if (waiting == 0)
        return;
    /* One reader: read its feed at once. More: only the feeds that grew. */
    bool *behind = waiting > 1 ? calloc(self->nsubs, sizeof *behind) : NULL;
    if (behind && mark_behind(self, behind) < 0) {
        free(behind);
        behind = NULL; /* read every feed, as with one reader */
    }
    for (size_t i = 0; i < self->nsubs;) {
        if (behind && !behind[i]) {
            i++;
        } else if (send_entries(self, &self->subs[i])) {
            i++;
        } else {
            drop_subscription(self, i); /* the reader went away */
            if (behind)
                behind[i] = behind[self->nsubs]; /* the one moved into i */
        }
    }
    free(behind);
}

const char *notify_feed_server_public_key(const notify_feed_server_t *self)
{
    return self->key.public_key;
}
