/* events.c - durable event streams: a log in PostgreSQL, a wake-up over PUB
 *
 * The counter row is updated with UPDATE ... RETURNING, which takes a row lock
 * held to COMMIT: producers of one schema append one transaction at a time,
 * which is what makes the numbering gap-free. Schema names are identifiers
 * from code, checked to be [a-z_]+ before they are put into SQL.
 */
#include "events.h"

#include "db_binarray.h"
#include "log.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

static bool identifier_ok(const char *s)
{
    if (!s || !*s || strlen(s) > 48)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || *s == '_'))
            return false;
    return true;
}

int events_append(db_t *db, const char *producer, const char *type, const char *unit_code,
                  const uint8_t *payload, size_t payload_len, int64_t *seq)
{
    char sql[512];
    db_status_t st;
    if (!identifier_ok(producer))
        return -1;
    snprintf(sql, sizeof sql,
             "WITH next AS (UPDATE %s.event_counter SET last_seq = last_seq + 1 "
             "RETURNING last_seq) "
             "INSERT INTO %s.event_log (seq, type, unit_code, payload) "
             "SELECT last_seq, $1, $2, $3::bytea FROM next RETURNING seq",
             producer, producer);
    /* bytea goes as text in hex form: \x followed by two digits a byte. */
    char *hex = db_bytea_hex(payload, payload_len);
    if (!hex)
        return -1;
    const char *params[] = {type, unit_code, hex};
    PGresult *res = db_exec(db, sql, 3, params, &st);
    free(hex);
    if (!res)
        return -1;
    *seq = PQntuples(res) == 1 ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
    PQclear(res);
    return *seq > 0 ? 0 : -1;
}

int events_append_batch(db_t *db, const char *producer, size_t n, const char *const *types,
                        const char *const *unit_codes, const uint8_t *const *payloads,
                        const size_t *payload_lens, int64_t *first)
{
    if (!identifier_ok(producer))
        return -1;
    if (n == 0) {
        *first = 0;
        return 0;
    }
    /* Binary arrays: no text parsing, no hex, on the server. */
    db_binarray_t cols[3];
    db_binarray_init(&cols[0], DB_OID_TEXT);
    db_binarray_init(&cols[1], DB_OID_TEXT);
    db_binarray_init(&cols[2], DB_OID_BYTEA);
    for (size_t i = 0; i < n; i++) {
        db_binarray_text(&cols[0], types[i]);
        db_binarray_text(&cols[1], unit_codes[i]);
        db_binarray_bytes(&cols[2], payloads && payloads[i] ? payloads[i] : (const uint8_t *)"",
                          payloads && payloads[i] ? payload_lens[i] : 0);
    }
    char sql[768];
    snprintf(sql, sizeof sql,
             "WITH next AS (UPDATE %s.event_counter SET last_seq = last_seq + "
             "cardinality($1::text[]) RETURNING last_seq - cardinality($1::text[]) AS base), "
             "ins AS (INSERT INTO %s.event_log (seq, type, unit_code, payload) "
             "SELECT next.base + e.n, e.type, e.unit_code, e.payload FROM next, "
             "unnest($1::text[], $2::text[], $3::bytea[]) WITH ORDINALITY AS e(type, unit_code, "
             "payload, n) RETURNING seq) SELECT min(seq), count(*) FROM ins",
             producer, producer);
    db_status_t st;
    int rc = -1;
    PGresult *res = db_exec_binarrays(db, sql, cols, 3, &st);
    if (res && PQntuples(res) == 1 && strtoull(PQgetvalue(res, 0, 1), NULL, 10) == n) {
        *first = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        rc = 0;
    }
    PQclear(res);
    for (int c = 0; c < 3; c++)
        db_binarray_free(&cols[c]);
    return rc;
}

struct events_pub {
    void *pub;
    char producer[64];
};

events_pub_t *events_pub_new(void *zmq_ctx, const char *endpoint, const char *producer,
                             char *errbuf, size_t errlen)
{
    events_pub_t *self = calloc(1, sizeof *self);
    if (!self) {
        snprintf(errbuf, errlen, "out of memory");
        return NULL;
    }
    snprintf(self->producer, sizeof self->producer, "%s", producer);
    self->pub = zmq_socket(zmq_ctx, ZMQ_PUB);
    int linger = 0;
    if (!self->pub || zmq_setsockopt(self->pub, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
        zmq_bind(self->pub, endpoint) != 0) {
        snprintf(errbuf, errlen, "cannot bind %s: %s", endpoint, zmq_strerror(zmq_errno()));
        events_pub_destroy(&self);
        return NULL;
    }
    return self;
}

void events_pub_destroy(events_pub_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    if ((*self_p)->pub)
        zmq_close((*self_p)->pub);
    free(*self_p);
    *self_p = NULL;
}

void events_pub_wake(events_pub_t *self, int64_t seq)
{
    char text[96];
    int n = snprintf(text, sizeof text, "%s %" PRId64, self->producer, seq);
    zmq_send(self->pub, text, (size_t)n, ZMQ_DONTWAIT);
}

struct events_sub {
    void *sub;
};

events_sub_t *events_sub_new(void *zmq_ctx, const char *endpoint, const char *producer,
                             char *errbuf, size_t errlen)
{
    events_sub_t *self = calloc(1, sizeof *self);
    if (!self) {
        snprintf(errbuf, errlen, "out of memory");
        return NULL;
    }
    self->sub = zmq_socket(zmq_ctx, ZMQ_SUB);
    int linger = 0;
    if (!self->sub || zmq_setsockopt(self->sub, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
        zmq_setsockopt(self->sub, ZMQ_SUBSCRIBE, producer, strlen(producer)) != 0 ||
        zmq_connect(self->sub, endpoint) != 0) {
        snprintf(errbuf, errlen, "cannot connect %s: %s", endpoint, zmq_strerror(zmq_errno()));
        events_sub_destroy(&self);
        return NULL;
    }
    return self;
}

void events_sub_destroy(events_sub_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    if ((*self_p)->sub)
        zmq_close((*self_p)->sub);
    free(*self_p);
    *self_p = NULL;
}

void *events_sub_socket(events_sub_t *self)
{
    return self->sub;
}

int events_wait(events_sub_t *self, int timeout_ms)
{
    zmq_pollitem_t item = {self->sub, 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&item, 1, timeout_ms) <= 0)
        return 0;
    /* Drain every pending wake-up: one catch-up reads them all. */
    char buf[96];
    while (zmq_recv(self->sub, buf, sizeof buf, ZMQ_DONTWAIT) >= 0)
        ;
    return 1;
}

static int decode_bytea(const char *text, uint8_t **out, size_t *len)
{
    size_t n = 0;
    unsigned char *bytes = PQunescapeBytea((const unsigned char *)text, &n);
    if (!bytes)
        return -1;
    *out = bytes;
    *len = n;
    return 0;
}

int events_consume(db_t *db, const char *consumer, const char *producer, int batch,
                   events_handler_fn handler, void *arg)
{
    return events_consume_flushed(db, consumer, producer, batch, handler, NULL, arg);
}

int events_consume_flushed(db_t *db, const char *consumer, const char *producer, int batch,
                           events_handler_fn handler, events_flush_fn flush, void *arg)
{
    char sql[512], limit[16];
    db_status_t st;
    PGresult *res = NULL;
    int applied = 0;
    if (!identifier_ok(consumer) || !identifier_ok(producer))
        return -1;
    if (db_begin(db) != DB_OK)
        return -1;
    snprintf(sql, sizeof sql,
             "INSERT INTO %s.event_cursor (producer, last_seq) VALUES ($1, 0) "
             "ON CONFLICT (producer) DO NOTHING",
             consumer);
    const char *p1[] = {producer};
    if (!(res = db_exec(db, sql, 1, p1, &st)))
        goto fail;
    PQclear(res);
    snprintf(sql, sizeof sql, "SELECT last_seq FROM %s.event_cursor WHERE producer = $1 FOR UPDATE",
             consumer);
    if (!(res = db_exec(db, sql, 1, p1, &st)))
        goto fail;
    char cursor[32];
    snprintf(cursor, sizeof cursor, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);

    snprintf(limit, sizeof limit, "%d", batch);
    snprintf(sql, sizeof sql,
             "SELECT seq, type, unit_code, payload, created_at FROM %s.events "
             "WHERE seq > $1 ORDER BY seq LIMIT $2",
             producer);
    const char *p2[] = {cursor, limit};
    if (!(res = db_exec(db, sql, 2, p2, &st)))
        goto fail;
    int rows = PQntuples(res);
    int64_t last = strtoll(cursor, NULL, 10);
    for (int i = 0; i < rows; i++) {
        event_t ev = {0};
        uint8_t *payload = NULL;
        ev.seq = strtoll(PQgetvalue(res, i, 0), NULL, 10);
        ev.type = PQgetvalue(res, i, 1);
        ev.unit_code = PQgetisnull(res, i, 2) ? NULL : PQgetvalue(res, i, 2);
        if (decode_bytea(PQgetvalue(res, i, 3), &payload, &ev.payload_len) < 0)
            goto fail;
        ev.payload = payload;
        ev.created_at = PQgetvalue(res, i, 4);
        if (ev.seq != last + 1)
            log_warn("event gap", "producer=%s after=%" PRId64 " next=%" PRId64, producer, last,
                     ev.seq);
        int rc = handler(db, &ev, arg);
        PQfreemem(payload);
        if (rc < 0)
            goto fail;
        last = ev.seq;
        applied++;
    }
    PQclear(res);
    res = NULL;
    if (applied > 0 && flush && flush(db, arg) < 0)
        goto fail;
    if (applied > 0) {
        char last_text[32];
        snprintf(last_text, sizeof last_text, "%" PRId64, last);
        snprintf(sql, sizeof sql,
                 "UPDATE %s.event_cursor SET last_seq = $2, updated_at = now() "
                 "WHERE producer = $1",
                 consumer);
        const char *p3[] = {producer, last_text};
        if (!(res = db_exec(db, sql, 2, p3, &st)))
            goto fail;
        PQclear(res);
        res = NULL;
    }
    if (db_commit(db) != DB_OK)
        goto fail;
    return applied;
fail:
    PQclear(res);
    db_rollback(db);
    return -1;
}
