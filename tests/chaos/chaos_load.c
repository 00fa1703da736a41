/* chaos_load.c - the steady load of the chaos run: a publisher, feed readers
 * and the deadline service's clock, each a thread of its own
 *
 * The publisher sends message i at start + i/rate (never in a burst to make
 * up for lost time: while the registry is down the schedule slides), through
 * the real publish client (a window in flight, resends on silence and on
 * retryable errors, each message under its own idempotency key "chaos-i").
 * Nineteen in twenty are task updates with the note "chaos note i": most of
 * a load task, whose status goes done and back to open (or cancelled) every
 * sixteen rounds as in the durability test, one in ten progress alone of a
 * deadline task; one in twenty is a measurement of Phú Lãm's online
 * dossiers for 2023 whose value names it and alternates on both sides of
 * the scheme's 40% mark, so each moves the ward's score and gets published.
 *
 * A feed reader asks for its person's entries after the last one it has,
 * takes them strictly in order (an entry at or below it is a redelivery,
 * one past the next a gap: a broken invariant), asks again when its credit
 * is used up or after two seconds of silence (after three silent asks it
 * opens a new connection), and, if it acknowledges, sends FeedAck for what
 * it has read every 0.7 s, one at a time (unless the main thread holds
 * them back, so that escalations wait for acknowledgement when it stops the
 * deadline service); an unanswered one is given up after 8 s (notify waits
 * up to 5 s for the deadline service).
 *
 * The requester sends task updates to the registry's request endpoint as
 * `partrack task update` does (rpc_call: a new socket and the same
 * idempotency key "chaos-request-i" for each attempt, retryable errors
 * retried), note "chaos request i", twenty a second, one at a time,
 * waiting up to a minute for each; one in a hundred is instead the import
 * of a plan of its own (CHAOS_IMPORT_TASKS tasks in one transaction).
 *
 * The clock thread sets the deadline service's manual clock every tick
 * along a straight line from CHAOS_CLOCK_FROM to CHAOS_CLOCK_TO over the
 * planned length of the load, one call at a time (a call waits up to 10 s,
 * longer than any pause, so no older time can arrive after a newer one),
 * and makes none while the main thread holds it (the service is dead).
 */
#include "chaos.h"

#include "deadline.pb-c.h"
#include "ingest.pb-c.h"
#include "msg.h"
#include "notify.pb-c.h"
#include "plans.pb-c.h"
#include "registry.pb-c.h"
#include "rpc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

/* ---- what message i is ---- */

chaos_msg_kind_t chaos_msg_kind(long i)
{
    if (i % 20 == 19)
        return CHAOS_MSG_MEASUREMENT;
    if (i % 10 == 4)
        return CHAOS_MSG_PROGRESS;
    return CHAOS_MSG_UPDATE;
}

long chaos_measurement_number(long i)
{
    return i / 20;
}

/* Phú Lãm has 4080 dossiers: 500 + m/1000 is about 12% online, 2000 +
 * m/1000 about 49%, on either side of criterion 3.3.4's 40%. */
double chaos_measurement_value(long m)
{
    return (m % 2 ? 2000.0 : 500.0) + (double)m / 1000.0;
}

long chaos_measurement_of_value(double value)
{
    double base = value >= 2000.0 ? 2000.0 : 500.0;
    long m = lround((value - base) * 1000.0);
    return m >= 0 && chaos_measurement_value(m) == value ? m : -1;
}

/* The status message i sets on its load task, or NULL (progress only). */
static const char *status_of(long i)
{
    long task = i % CHAOS_LOAD_TASKS, round = i / CHAOS_LOAD_TASKS;
    if (round % 16 == 8)
        return "done";
    if (round % 16 == 15)
        return task % 5 == 0 ? "cancelled" : "open";
    return NULL;
}

/* ---- the publisher ---- */

static void take_result(chaos_pub_t *p, const publish_result_t *r)
{
    if (r->tag >= (uint64_t)p->capacity)
        return;
    if (p->answers[r->tag]++ == 0) {
        p->code[r->tag] = (unsigned char)r->code;
        p->stored_id[r->tag] = r->code == PARTRACK__ERROR_CODE__ERR_NONE ? r->id : 0;
    }
    if (r->code == PARTRACK__ERROR_CODE__ERR_NONE) {
        atomic_fetch_add(&p->acked, 1);
        atomic_store(&p->last_ack_ms, chaos_now_ms());
    } else if (atomic_fetch_add(&p->failed, 1) == 0) {
        snprintf(p->first_failure, sizeof p->first_failure,
                 "message %llu: %s (answered %d) after %d attempts: %s", (unsigned long long)r->tag,
                 msg_code_name(r->code), (int)r->answered, r->attempts, r->message);
    }
    atomic_fetch_add(&p->duplicates, r->duplicate ? 1 : 0);
    atomic_fetch_add(&p->resent, r->attempts > 1 ? 1 : 0);
}

static void drain(chaos_pub_t *p, int timeout_ms)
{
    publish_result_t r;
    while (publish_client_result(p->client, &r, timeout_ms) == 1) {
        take_result(p, &r);
        timeout_ms = 0;
    }
}

static int send_one(chaos_pub_t *p, long i)
{
    char key[32], note[48], period[8] = "2023";
    snprintf(key, sizeof key, "chaos-%ld", i);
    snprintf(note, sizeof note, CHAOS_NOTE "%ld", i);
    switch (chaos_msg_kind(i)) {
    case CHAOS_MSG_MEASUREMENT: {
        Partrack__Measurement m = PARTRACK__MEASUREMENT__INIT;
        m.unit = "HN.HADONG.PHULAM";
        m.indicator = "dossiers_online_l3";
        m.period = period;
        m.has_value = 1;
        m.value = chaos_measurement_value(chaos_measurement_number(i));
        return publish_client_send(p->client, PARTRACK__MESSAGE_TYPE__MSG_INGEST_MEASUREMENT,
                                   &m.base, key, (uint64_t)i);
    }
    case CHAOS_MSG_PROGRESS: {
        Partrack__TaskUpdate u = PARTRACK__TASK_UPDATE__INIT;
        u.has_task_id = 1;
        u.task_id = p->deadline_tasks[(i / 10) % CHAOS_DEADLINE_TASKS];
        u.has_progress = 1;
        u.progress = (int32_t)((i / 10 / CHAOS_DEADLINE_TASKS) % 100);
        u.note = note;
        return publish_client_send(p->client, PARTRACK__MESSAGE_TYPE__MSG_INGEST_TASK_UPDATE,
                                   &u.base, key, (uint64_t)i);
    }
    case CHAOS_MSG_UPDATE: break;
    }
    Partrack__TaskUpdate u = PARTRACK__TASK_UPDATE__INIT;
    u.has_task_id = 1;
    u.task_id = p->load_tasks[i % CHAOS_LOAD_TASKS];
    u.has_progress = 1;
    u.progress = (int32_t)((i / CHAOS_LOAD_TASKS) % 100);
    u.status = (char *)status_of(i);
    u.note = note;
    return publish_client_send(p->client, PARTRACK__MESSAGE_TYPE__MSG_INGEST_TASK_UPDATE, &u.base,
                               key, (uint64_t)i);
}

void *chaos_publish(void *arg)
{
    chaos_pub_t *p = arg;
    double interval = 1000.0 / p->rate;
    double due = (double)chaos_now_ms();
    long i = 0;
    for (; i < p->capacity && !atomic_load(&p->stop); i++) {
        /* Wait for the message's time, taking results in meanwhile; never
         * more than 200 ms behind (no burst after an outage). */
        for (int64_t now = chaos_now_ms(); now < (int64_t)due; now = chaos_now_ms())
            drain(p, (int)((int64_t)due - now));
        if (chaos_now_ms() > (int64_t)due + 200)
            due = (double)(chaos_now_ms() - 200);
        due += interval;
        if (send_one(p, i) < 0) {
            p->send_failures++;
            break;
        }
        atomic_store(&p->sent, i + 1);
        drain(p, 0);
    }
    /* The rest; the client gives a message up at its deadline by itself. */
    while (publish_client_in_flight(p->client) > 0 || publish_client_pending_results(p->client) > 0)
        drain(p, 1000);
    atomic_store(&p->finished, true);
    return NULL;
}

/* ---- the feed readers ---- */

#define CREDIT          500
#define SILENCE_MS      2000
#define ACK_EVERY_MS    700
#define ACK_GIVE_UP_MS  8000
#define SILENT_ASKS_MAX 3

static void reader_send(chaos_reader_t *r, Partrack__MessageType type, const ProtobufCMessage *m,
                        const char *correlation)
{
    size_t len;
    uint8_t *buf = msg_pack(type, correlation, NULL, m, &len);
    if (buf && zmq_send(r->cd.socket, buf, len, ZMQ_DONTWAIT) != (int)len)
        r->errors++;
    free(buf);
}

static void reader_ask(chaos_reader_t *r)
{
    Partrack__FeedRequest q = PARTRACK__FEED_REQUEST__INIT;
    q.has_since = 1;
    q.since = r->last;
    q.credit = CREDIT;
    reader_send(r, PARTRACK__MESSAGE_TYPE__MSG_FEED_REQUEST, &q.base, "chaos-feed");
    r->credit = CREDIT;
    r->asked_ms = chaos_now_ms();
    r->asks++;
}

static void reader_open(chaos_reader_t *r, void *ctx)
{
    char err[256];
    if (curve_dealer_open(&r->cd, ctx, &r->key, r->key.endpoint, 1000, CHAOS_MAX_MSG + 65536, err,
                          sizeof err) < 0) {
        r->errors++;
        return;
    }
    r->open = true;
    r->ack_pending = 0;
    r->silent_asks = 0;
    r->last_rx_ms = chaos_now_ms();
    reader_ask(r);
}

static void reader_close(chaos_reader_t *r)
{
    if (r->open)
        curve_dealer_close(&r->cd);
    r->open = false;
}

static void reader_entry(chaos_reader_t *r, const msg_envelope_t *env)
{
    Partrack__FeedEntry *e =
        partrack__feed_entry__unpack(NULL, env->payload.len, env->payload.data);
    if (!e) {
        r->errors++;
        return;
    }
    if (e->seq == r->last + 1) {
        r->last = e->seq;
        r->entries++;
        if (r->credit > 0)
            r->credit--;
        atomic_store(&r->seen, r->last);
    } else if (e->seq <= r->last) {
        r->redelivered++;
    } else {
        if (r->gaps++ == 0)
            snprintf(r->first_gap, sizeof r->first_gap, "%s: entry %llu came after %llu (%s)",
                     r->person, (unsigned long long)e->seq, (unsigned long long)r->last, e->kind);
        reader_ask(r); /* from where it is */
    }
    partrack__feed_entry__free_unpacked(e, NULL);
}

static void reader_take(chaos_reader_t *r)
{
    for (;;) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, r->cd.socket, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&m);
            return;
        }
        r->last_rx_ms = chaos_now_ms();
        r->silent_asks = 0;
        Partrack__ErrorCode code;
        char reason[256];
        msg_envelope_t *env =
            msg_open(zmq_msg_data(&m), zmq_msg_size(&m), SIZE_MAX, &code, reason, sizeof reason);
        zmq_msg_close(&m);
        if (!env) {
            r->errors++;
            continue;
        }
        if (env->type == PARTRACK__MESSAGE_TYPE__MSG_FEED_ENTRY) {
            reader_entry(r, env);
        } else if (env->type == PARTRACK__MESSAGE_TYPE__MSG_FEED_ACK_REPLY) {
            Partrack__FeedAckReply *a =
                partrack__feed_ack_reply__unpack(NULL, env->payload.len, env->payload.data);
            if (a) {
                if (a->seq > atomic_load(&r->acked))
                    atomic_store(&r->acked, a->seq);
                r->escalations_stopped += a->escalations_stopped;
                partrack__feed_ack_reply__free_unpacked(a, NULL);
            }
            r->acks_ok++;
            r->ack_pending = 0;
        } else if (env->type == PARTRACK__MESSAGE_TYPE__MSG_ERROR) {
            bool ack = env->correlation_id && strncmp(env->correlation_id, "chaos-ack", 9) == 0;
            if (ack) {
                r->acks_refused++; /* the deadline service or the database did not answer */
                r->ack_pending = 0;
            } else {
                r->errors++;
            }
        } else {
            r->errors++;
        }
        msg_close(&env);
    }
}

static void reader_timers(chaos_reader_t *r, void *ctx, bool hold_acks)
{
    int64_t now = chaos_now_ms();
    if (!r->open) {
        reader_open(r, ctx);
        return;
    }
    uint32_t value;
    while (curve_dealer_event(&r->cd, &value) != CURVE_DEALER_NONE)
        ; /* handshakes: the silence rule below covers whatever they mean */
    if (r->credit == 0) {
        reader_ask(r); /* everything asked for came: nothing in flight to come again */
    } else if (now - r->last_rx_ms > SILENCE_MS && now - r->asked_ms > SILENCE_MS) {
        if (++r->silent_asks > SILENT_ASKS_MAX) {
            reader_close(r);
            r->reconnects++;
            reader_open(r, ctx);
            return;
        }
        reader_ask(r);
    }
    if (r->ack_pending && now - r->ack_sent_ms > ACK_GIVE_UP_MS) {
        r->acks_lost++;
        r->ack_pending = 0;
    }
    if (r->acks && !hold_acks && !r->ack_pending && r->last > atomic_load(&r->acked) &&
        now - r->ack_sent_ms > ACK_EVERY_MS) {
        Partrack__FeedAck a = PARTRACK__FEED_ACK__INIT;
        a.seq = r->last;
        char correlation[48];
        snprintf(correlation, sizeof correlation, "chaos-ack-%llu", (unsigned long long)r->last);
        reader_send(r, PARTRACK__MESSAGE_TYPE__MSG_FEED_ACK, &a.base, correlation);
        r->ack_pending = r->last;
        r->ack_sent_ms = now;
    }
}

void *chaos_read_feeds(void *arg)
{
    chaos_readers_t *rs = arg;
    void *ctx = zmq_ctx_new();
    for (int k = 0; k < rs->n; k++)
        reader_open(&rs->r[k], ctx);
    while (!atomic_load(&rs->stop)) {
        zmq_pollitem_t items[CHAOS_READERS];
        int map[CHAOS_READERS], n = 0;
        for (int k = 0; k < rs->n; k++)
            if (rs->r[k].open) {
                items[n] = (zmq_pollitem_t){rs->r[k].cd.socket, 0, ZMQ_POLLIN, 0};
                map[n++] = k;
            }
        zmq_poll(items, n, 50);
        for (int j = 0; j < n; j++)
            if (items[j].revents & ZMQ_POLLIN)
                reader_take(&rs->r[map[j]]);
        for (int k = 0; k < rs->n; k++)
            reader_timers(&rs->r[k], ctx, atomic_load(&rs->hold_acks));
    }
    for (int k = 0; k < rs->n; k++)
        reader_close(&rs->r[k]);
    zmq_ctx_term(ctx);
    return NULL;
}

/* ---- the requester ---- */

bool chaos_request_is_import(long i)
{
    return i % 100 == 50;
}

/* Plan "C<k>/KH-UBND" of Phú Lãm: CHAOS_IMPORT_TASKS tasks due at the end
 * of the year, in one request (one transaction in the registry). */
static msg_envelope_t *import_plan(void *ctx, const char *endpoint, long k, const char *key,
                                   char *err, size_t errlen)
{
    static const char *const leads[] = {"Văn phòng UBND", "Bộ phận Một cửa", "Bộ phận Tư pháp",
                                        "Bộ phận Tài chính"};
    char tsv[CHAOS_IMPORT_TASKS * 128 + 128], number[32], title[64];
    size_t len =
        (size_t)snprintf(tsv, sizeof tsv, "STT\tNhiệm vụ\tĐơn vị chủ trì\tThời gian hoàn thành\n");
    for (int t = 1; t <= CHAOS_IMPORT_TASKS; t++)
        len += (size_t)snprintf(tsv + len, sizeof tsv - len,
                                "%d\tNhiệm vụ của kế hoạch C%ld số %d\t%s\tQuý IV/2024\n", t, k, t,
                                leads[t % 4]);
    snprintf(number, sizeof number, "C%ld/KH-UBND", k);
    snprintf(title, sizeof title, "Kế hoạch thử số %ld", k);
    Partrack__ImportFile file = PARTRACK__IMPORT_FILE__INIT;
    file.name = "chaos-plan.tsv";
    file.content.data = (uint8_t *)tsv;
    file.content.len = len;
    Partrack__PlanImportRequest r = PARTRACK__PLAN_IMPORT_REQUEST__INIT;
    r.file = &file;
    r.unit = "HN.HADONG.PHULAM";
    r.year = 2024;
    r.number = number;
    r.title = title;
    return rpc_call(ctx, endpoint, PARTRACK__MESSAGE_TYPE__MSG_PLAN_IMPORT, &r.base, key, 60000,
                    err, errlen);
}

void *chaos_request(void *arg)
{
    chaos_req_t *q = arg;
    void *ctx = zmq_ctx_new();
    int64_t due = chaos_now_ms();
    for (long i = 0; i < q->capacity && !atomic_load(&q->stop); i++) {
        due += 1000 / q->per_second;
        int64_t now = chaos_now_ms();
        if (now < due)
            chaos_sleep_ms((int)(due - now));
        else
            due = now;
        char key[48], note[48], err[256];
        snprintf(key, sizeof key, "chaos-request-%ld", i);
        snprintf(note, sizeof note, CHAOS_REQUEST_NOTE "%ld", i);
        int64_t t = chaos_now_ms();
        msg_envelope_t *reply;
        Partrack__MessageType want;
        if (chaos_request_is_import(i)) {
            reply = import_plan(ctx, q->endpoint, i / 100, key, err, sizeof err);
            want = PARTRACK__MESSAGE_TYPE__MSG_PLAN_IMPORT_REPLY;
        } else {
            Partrack__TaskUpdateRequest r = PARTRACK__TASK_UPDATE_REQUEST__INIT;
            r.id = q->tasks[(i * 7) % CHAOS_LOAD_TASKS];
            r.has_progress = 1;
            r.progress = (int32_t)(i % 100);
            r.status = i % 8 == 3 ? "done" : i % 8 == 7 ? "open" : NULL;
            r.note = note;
            reply = rpc_call(ctx, q->endpoint, PARTRACK__MESSAGE_TYPE__MSG_TASK_UPDATE, &r.base,
                             key, 60000, err, sizeof err);
            want = PARTRACK__MESSAGE_TYPE__MSG_TASK_SHOW_REPLY;
        }
        if (chaos_now_ms() - t > 2000)
            q->resent++;
        if (reply && reply->type == want) {
            q->outcome[i] = CHAOS_REQ_OK;
        } else {
            q->outcome[i] = reply ? CHAOS_REQ_ERROR : CHAOS_REQ_SILENT;
            if (!q->first_problem[0]) {
                Partrack__ErrorReply *e = reply && reply->type == PARTRACK__MESSAGE_TYPE__MSG_ERROR
                                              ? partrack__error_reply__unpack(
                                                    NULL, reply->payload.len, reply->payload.data)
                                              : NULL;
                snprintf(q->first_problem, sizeof q->first_problem, "request %ld: %s%s%s", i,
                         e       ? msg_code_name(e->code)
                         : reply ? "an unexpected reply"
                                 : err,
                         e ? ": " : "", e ? e->message : "");
                if (e)
                    partrack__error_reply__free_unpacked(e, NULL);
            }
        }
        msg_close(&reply);
        atomic_store(&q->sent, i + 1);
    }
    zmq_ctx_term(ctx);
    return NULL;
}

/* ---- the clock ---- */

int64_t chaos_instant(const char *text)
{
    struct tm tm = {0};
    if (sscanf(text, "%d-%d-%dT%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min) != 5)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (int64_t)timegm(&tm) - 7 * 3600;
}

void chaos_instant_text(int64_t t, char out[32])
{
    time_t local = (time_t)(t + 7 * 3600);
    struct tm tm;
    gmtime_r(&local, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M", &tm);
}

int64_t chaos_clock_position(const chaos_clock_t *c)
{
    int64_t elapsed = chaos_now_ms() - c->start_ms;
    if (elapsed > c->span_ms)
        elapsed = c->span_ms;
    return c->from + (int64_t)((double)(c->to - c->from) * (double)elapsed / (double)c->span_ms);
}

void *chaos_move_clock(void *arg)
{
    chaos_clock_t *c = arg;
    void *ctx = zmq_ctx_new();
    while (!atomic_load(&c->stop)) {
        chaos_sleep_ms(c->tick_ms);
        if (atomic_load(&c->hold))
            continue;
        int64_t when = chaos_clock_position(c);
        char text[32], err[256];
        chaos_instant_text(when, text);
        Partrack__ClockRequest q = PARTRACK__CLOCK_REQUEST__INIT;
        q.set = text;
        msg_envelope_t *reply = rpc_call(ctx, c->endpoint, PARTRACK__MESSAGE_TYPE__MSG_CLOCK,
                                         &q.base, NULL, 10000, err, sizeof err);
        if (reply && reply->type == PARTRACK__MESSAGE_TYPE__MSG_CLOCK_REPLY) {
            Partrack__ClockReply *r =
                partrack__clock_reply__unpack(NULL, reply->payload.len, reply->payload.data);
            if (r) {
                atomic_fetch_add(&c->transitions, (long)r->transitions);
                partrack__clock_reply__free_unpacked(r, NULL);
            }
            atomic_store(&c->now, when);
            atomic_fetch_add(&c->ticks, 1);
        } else {
            atomic_fetch_add(&c->failures, 1);
        }
        msg_close(&reply);
    }
    zmq_ctx_term(ctx);
    return NULL;
}
