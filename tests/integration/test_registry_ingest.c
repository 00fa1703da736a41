/* test_registry_ingest.c - other systems publishing into the registry
 *
 * The real registry on a fresh database with the sample city and one plan
 * of Phú Lãm; publishers registered with their CURVE public keys; a CURVE
 * DEALER of the test's own talking to the ingest endpoint: unknown and
 * revoked keys, scope, idempotency, task references, measurements, clock
 * skew, bad frames, and a batch of many updates.
 */
#include "events.pb-c.h"
#include "harness.h"
#include "ingest.pb-c.h"
#include "keyfile.h"
#include "msg.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

static harness_service_t registry;
static char db[64];

static const char plan[] = "STT\tNhiệm vụ\tĐơn vị chủ trì\tThời gian hoàn thành\n"
                           "1\tTổ chức đối thoại với cá nhân, tổ chức về TTHC\tBộ phận Một "
                           "cửa\ttrước ngày 30/6/2024\n"
                           "2\tRà soát thủ tục hành chính\tVăn phòng UBND\tQuý III/2024\n"
                           "3\tTriển khai phần mềm mới\tVăn phòng UBND\tSau khi Sở Nội vụ triển "
                           "khai\n";

static long sql(const char *query)
{
    return harness_sql_long(db, query);
}

/* Registers a publisher with a fresh keypair (into k). */
static void publisher(const char *name, const char *scope, keyfile_t *k)
{
    cr_assert_eq(keyfile_generate(k), 0);
    char query[512];
    snprintf(query, sizeof query,
             "INSERT INTO registry.publisher (name, public_key, scope) VALUES ('%s', '%s', "
             "'{%s}') RETURNING 1",
             name, k->public_key, scope);
    cr_assert_eq(sql(query), 1);
}

static char server_key[KEYFILE_Z85_LEN + 1];

/* A CURVE DEALER connected to the ingest endpoint with key k. */
static void *connect_with(const keyfile_t *k)
{
    return harness_curve_dealer(registry.ingest, server_key, k->public_key, k->secret_key);
}

static bool try_send(void *s, Partrack__MessageType type, const ProtobufCMessage *m,
                     const char *key, int64_t sent_at_ms)
{
    return harness_send_envelope(s, type, m, key, sent_at_ms);
}

static void send_message(void *s, Partrack__MessageType type, const ProtobufCMessage *m,
                         const char *key, int64_t sent_at_ms)
{
    cr_assert(try_send(s, type, m, key, sent_at_ms), "could not send %s", key);
}

static Partrack__Envelope *receive(void *s, int ms)
{
    return harness_recv_envelope(s, ms);
}

/* Sends an update and returns the ack (NULL: an error, its code in *code). */
static Partrack__IngestAck *update(void *s, const Partrack__TaskUpdate *u, const char *key,
                                   Partrack__ErrorCode *code, char *message, size_t len)
{
    send_message(s, PARTRACK__MESSAGE_TYPE__MSG_INGEST_TASK_UPDATE, &u->base, key, 0);
    Partrack__Envelope *env = receive(s, 10000);
    cr_assert_not_null(env, "no reply to %s", key);
    cr_assert_str_eq(env->correlation_id, key);
    Partrack__IngestAck *ack = NULL;
    if (env->type == PARTRACK__MESSAGE_TYPE__MSG_INGEST_ACK) {
        ack = partrack__ingest_ack__unpack(NULL, env->payload.len, env->payload.data);
        *code = PARTRACK__ERROR_CODE__ERR_NONE;
    } else {
        cr_assert_eq(env->type, PARTRACK__MESSAGE_TYPE__MSG_ERROR);
        Partrack__ErrorReply *e =
            partrack__error_reply__unpack(NULL, env->payload.len, env->payload.data);
        *code = e->code;
        if (message)
            snprintf(message, len, "%s", e->message);
        partrack__error_reply__free_unpacked(e, NULL);
    }
    partrack__envelope__free_unpacked(env, NULL);
    return ack;
}

static long task_id(const char *ordinal)
{
    char query[256];
    snprintf(query, sizeof query, "SELECT id FROM registry.task WHERE ordinal = '%s'", ordinal);
    return sql(query);
}

/* An update of the task with this ordinal setting its progress. */
static Partrack__TaskUpdate progress_update(const char *ordinal, int progress)
{
    Partrack__TaskUpdate u = PARTRACK__TASK_UPDATE__INIT;
    u.has_task_id = 1;
    u.task_id = task_id(ordinal);
    u.has_progress = 1;
    u.progress = progress;
    return u;
}

/* The newest TaskUpdated event. */
static Partrack__TaskUpdated *last_task_updated(void)
{
    size_t len;
    uint8_t *bytes = harness_sql_bytes(db,
                                       "SELECT payload FROM registry.event_log WHERE type = "
                                       "'TaskUpdated' ORDER BY seq DESC LIMIT 1",
                                       &len);
    cr_assert_not_null(bytes);
    Partrack__TaskUpdated *ev = partrack__task_updated__unpack(NULL, len, bytes);
    free(bytes);
    cr_assert_not_null(ev);
    return ev;
}

static void start(void)
{
    snprintf(db, sizeof db, "ingest_%d", (int)getpid());
    harness_db_create(db);
    cr_assert_eq(harness_registry_start(&registry, db, NULL), 0, "registry did not start (log %s)",
                 registry.log);
    harness_run_t r;
    int rc = harness_cli(&r, registry.endpoint, "unit", "import",
                         harness_source("deploy/sample/units.csv"),
                         harness_source("deploy/sample/people.csv"), NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    harness_run_free(&r);
    const char *file = harness_write_temp("ingest-plan.tsv", plan, strlen(plan));
    rc = harness_cli(&r, registry.endpoint, "plan", "import", file, "--unit", "HN.HADONG.PHULAM",
                     "--year", "2024", "--number", "104/KH-UBND", "--title", "Kế hoạch CCHC 2024",
                     NULL);
    cr_assert_eq(rc, 0, "%s", r.err);
    harness_run_free(&r);
    size_t len;
    uint8_t *key = harness_sql_bytes(db, "SELECT public_key::bytea FROM registry.ingest_key", &len);
    cr_assert_not_null(key);
    snprintf(server_key, sizeof server_key, "%.*s", (int)len, (const char *)key);
    free(key);
}

static void stop(void)
{
    harness_service_stop(&registry, SIGTERM);
}

TestSuite(ingest, .init = start, .fini = stop, .timeout = 120);

Test(ingest, an_update_is_stored_once_and_a_duplicate_gets_the_first_result)
{
    keyfile_t k;
    publisher("phulam-mc", "HN.HADONG.PHULAM", &k);
    void *s = connect_with(&k);
    Partrack__TaskUpdate u = progress_update("1", 40);
    u.note = "Đã tổ chức 1 buổi đối thoại";
    Partrack__ErrorCode code;
    Partrack__IngestAck *ack = update(s, &u, "k-1", &code, NULL, 0);
    cr_assert_not_null(ack, "code %d", code);
    cr_assert_not(ack->duplicate);
    cr_assert_eq(ack->task_id, u.task_id);
    int64_t first = ack->id;
    partrack__ingest_ack__free_unpacked(ack, NULL);
    ack = update(s, &u, "k-1", &code, NULL, 0);
    cr_assert_not_null(ack);
    cr_assert(ack->duplicate);
    cr_assert_eq(ack->id, first);
    partrack__ingest_ack__free_unpacked(ack, NULL);
    cr_assert_eq(sql("SELECT count(*) FROM registry.task_update WHERE actor = 'phulam-mc' AND "
                     "source_at IS NOT NULL"),
                 1);
    cr_assert_eq(sql("SELECT progress FROM registry.task WHERE ordinal = '1'"), 40);
    Partrack__TaskUpdated *ev = last_task_updated();
    cr_assert_str_eq(ev->actor, "phulam-mc");
    cr_assert_eq(ev->progress, 40);
    /* The event says what the task is, for readers without the registry. */
    cr_assert_str_eq(ev->title, "Tổ chức đối thoại với cá nhân, tổ chức về TTHC");
    cr_assert_str_eq(ev->plan_number, "104/KH-UBND");
    cr_assert_str_eq(ev->plan_unit, "HN.HADONG.PHULAM");
    cr_assert_eq(ev->n_lead, 1);
    cr_assert_str_eq(ev->lead[0], "HN.HADONG.PHULAM.MC");
    partrack__task_updated__free_unpacked(ev, NULL);
    /* Stored once, it stays acknowledged even if, judged again now, it
     * would be refused (the scope narrowed since; scopes are read a batch). */
    sql("UPDATE registry.publisher SET scope = '{HN.HADONG.PHULAM.VP}' WHERE name = 'phulam-mc' "
        "RETURNING 1");
    ack = update(s, &u, "k-1", &code, NULL, 0);
    cr_assert_not_null(ack, "code %d", code);
    cr_assert(ack->duplicate);
    cr_assert_eq(ack->id, first);
    partrack__ingest_ack__free_unpacked(ack, NULL);
    sql("UPDATE registry.publisher SET scope = '{HN.HADONG.PHULAM}' WHERE name = 'phulam-mc' "
        "RETURNING 1");
    /* Done, with the source's completion time; by plan, unit and ordinal. */
    Partrack__TaskUpdate d = PARTRACK__TASK_UPDATE__INIT;
    d.plan_number = "104/KH-UBND";
    d.plan_unit = "HN.HADONG.PHULAM";
    d.ordinal = "1";
    d.status = "done";
    d.completed_at = "2024-06-28T16:00:00+07:00";
    ack = update(s, &d, "k-2", &code, NULL, 0);
    cr_assert_not_null(ack, "code %d", code);
    partrack__ingest_ack__free_unpacked(ack, NULL);
    cr_assert_eq(sql("SELECT count(*) FROM registry.task WHERE ordinal = '1' AND status = 'done' "
                     "AND progress = 100 AND completed_at = '2024-06-28 16:00+07'"),
                 1);
    zmq_close(s);
}

Test(ingest, scope_and_bad_updates_are_refused_and_change_nothing)
{
    keyfile_t k;
    publisher("tayho-docs", "HN.TAYHO", &k);
    void *s = connect_with(&k);
    Partrack__TaskUpdate u = progress_update("2", 90);
    Partrack__ErrorCode code;
    char message[512];
    cr_assert_null(update(s, &u, "x-1", &code, message, sizeof message));
    cr_assert_eq(code, PARTRACK__ERROR_CODE__ERR_FORBIDDEN, "%s", message);
    cr_assert(strstr(message, "tayho-docs"), "%s", message);
    /* Sent again: judged again (refusals are not remembered). */
    cr_assert_null(update(s, &u, "x-1", &code, message, sizeof message));
    cr_assert_eq(code, PARTRACK__ERROR_CODE__ERR_FORBIDDEN);
    u.task_id = 999999;
    cr_assert_null(update(s, &u, "x-2", &code, message, sizeof message));
    cr_assert_eq(code, PARTRACK__ERROR_CODE__ERR_NOT_FOUND, "%s", message);
    zmq_close(s);
    keyfile_t p;
    publisher("phulam-vp", "HN.HADONG.PHULAM", &p);
    s = connect_with(&p);
    u.task_id = task_id("2");
    u.progress = 120;
    cr_assert_null(update(s, &u, "y-1", &code, message, sizeof message));
    cr_assert_eq(code, PARTRACK__ERROR_CODE__ERR_INVALID, "%s", message);
    u.progress = 50;
    u.completed_at = "2099-01-01";
    cr_assert_null(update(s, &u, "y-2", &code, message, sizeof message));
    cr_assert_eq(code, PARTRACK__ERROR_CODE__ERR_INVALID, "%s", message);
    cr_assert(strstr(message, "future"), "%s", message);
    /* The publisher's clock far ahead of ours. */
    u.completed_at = NULL;
    send_message(s, PARTRACK__MESSAGE_TYPE__MSG_INGEST_TASK_UPDATE, &u.base, "y-3",
                 msg_now_ms() + 3600 * 1000);
    Partrack__Envelope *env = receive(s, 10000);
    cr_assert_not_null(env);
    cr_assert_eq(env->type, PARTRACK__MESSAGE_TYPE__MSG_ERROR);
    partrack__envelope__free_unpacked(env, NULL);
    cr_assert_eq(sql("SELECT count(*) FROM registry.task_update"), 0);
    cr_assert_eq(sql("SELECT progress FROM registry.task WHERE ordinal = '2'"), 0);
    zmq_close(s);
}

Test(ingest, unknown_and_revoked_keys_are_refused)
{
    keyfile_t stranger;
    cr_assert_eq(keyfile_generate(&stranger), 0);
    void *s = connect_with(&stranger);
    Partrack__TaskUpdate u = progress_update("2", 10);
    try_send(s, PARTRACK__MESSAGE_TYPE__MSG_INGEST_TASK_UPDATE, &u.base, "s-1", 0);
    cr_assert_null(receive(s, 1500), "an unknown key gets no connection");
    zmq_close(s);
    keyfile_t k;
    publisher("phulam-old", "HN.HADONG.PHULAM", &k);
    s = connect_with(&k);
    Partrack__ErrorCode code;
    Partrack__IngestAck *ack = update(s, &u, "r-1", &code, NULL, 0);
    cr_assert_not_null(ack);
    partrack__ingest_ack__free_unpacked(ack, NULL);
    sql("UPDATE registry.publisher SET revoked_at = now() WHERE name = 'phulam-old' RETURNING 1");
    /* The open connection: every message after the revocation is refused. */
    cr_assert_null(update(s, &u, "r-2", &code, NULL, 0));
    cr_assert_eq(code, PARTRACK__ERROR_CODE__ERR_FORBIDDEN);
    zmq_close(s);
    /* A new connection is refused at the handshake. */
    s = connect_with(&k);
    try_send(s, PARTRACK__MESSAGE_TYPE__MSG_INGEST_TASK_UPDATE, &u.base, "r-3", 0);
    cr_assert_null(receive(s, 1500));
    zmq_close(s);
    cr_assert_eq(sql("SELECT count(*) FROM registry.task_update"), 1);
}

Test(ingest, measurements_are_stored_with_their_event)
{
    keyfile_t k;
    publisher("hadong-onestop", "HN.HADONG", &k);
    void *s = connect_with(&k);
    Partrack__Measurement m = PARTRACK__MEASUREMENT__INIT;
    m.unit = "HN.HADONG.PHULAM";
    m.indicator = "dossiers_online_l3";
    m.period = "2024";
    m.has_numerator = m.has_denominator = 1;
    m.numerator = 762;
    m.denominator = 4080;
    send_message(s, PARTRACK__MESSAGE_TYPE__MSG_INGEST_MEASUREMENT, &m.base, "m-1", 0);
    Partrack__Envelope *env = receive(s, 10000);
    cr_assert_not_null(env);
    cr_assert_eq(env->type, PARTRACK__MESSAGE_TYPE__MSG_INGEST_ACK);
    partrack__envelope__free_unpacked(env, NULL);
    cr_assert_eq(sql("SELECT count(*) FROM registry.measurement WHERE unit_code = "
                     "'HN.HADONG.PHULAM' AND numerator = 762 AND denominator = 4080 AND top_code "
                     "= 'HN' AND publisher = 'hadong-onestop'"),
                 1);
    cr_assert_eq(sql("SELECT count(*) FROM registry.event_log WHERE type = "
                     "'MeasurementRecorded'"),
                 1);
    const char *bad_periods[] = {"2024-Q5", "24", "2024-13"};
    for (size_t i = 0; i < 3; i++) {
        char key[16];
        snprintf(key, sizeof key, "m-bad-%zu", i);
        m.period = (char *)bad_periods[i];
        send_message(s, PARTRACK__MESSAGE_TYPE__MSG_INGEST_MEASUREMENT, &m.base, key, 0);
        env = receive(s, 10000);
        cr_assert_not_null(env);
        cr_assert_eq(env->type, PARTRACK__MESSAGE_TYPE__MSG_ERROR, "%s", bad_periods[i]);
        partrack__envelope__free_unpacked(env, NULL);
    }
    m.period = "2024-Q1";
    m.unit = "HN.TAYHO.BUOI";
    send_message(s, PARTRACK__MESSAGE_TYPE__MSG_INGEST_MEASUREMENT, &m.base, "m-2", 0);
    env = receive(s, 10000);
    cr_assert_not_null(env);
    Partrack__ErrorReply *e =
        partrack__error_reply__unpack(NULL, env->payload.len, env->payload.data);
    cr_assert_eq(e->code, PARTRACK__ERROR_CODE__ERR_FORBIDDEN, "%s", e->message);
    partrack__error_reply__free_unpacked(e, NULL);
    partrack__envelope__free_unpacked(env, NULL);
    cr_assert_eq(sql("SELECT count(*) FROM registry.measurement"), 1);
    zmq_close(s);
}

/* The ack in a reply (the reply must be one). */
static Partrack__IngestAck *ack_of(Partrack__Envelope *env)
{
    cr_assert_not_null(env, "no reply");
    cr_assert_eq(env->type, PARTRACK__MESSAGE_TYPE__MSG_INGEST_ACK, "reply to %s: type %d",
                 env->correlation_id, env->type);
    Partrack__IngestAck *a =
        partrack__ingest_ack__unpack(NULL, env->payload.len, env->payload.data);
    cr_assert_not_null(a);
    return a;
}

/* A publisher's key names one message, whatever its type: a measurement
 * sent with a task update's key (or the other way round) gets the first
 * message's acknowledgement, marked duplicate, and is not stored; in the
 * same batch as in a later one. */
Test(ingest, a_key_names_one_message_whatever_its_type)
{
    keyfile_t k;
    publisher("phulam-both", "HN.HADONG.PHULAM", &k);
    void *s = connect_with(&k);
    Partrack__TaskUpdate u = progress_update("2", 30);
    Partrack__Measurement m = PARTRACK__MEASUREMENT__INIT;
    m.unit = "HN.HADONG.PHULAM";
    m.indicator = "dossiers_online_l3";
    m.period = "2024-Q2";
    m.has_value = 1;
    m.value = 0.5;
    /* The update first, the measurement with its key after it: in one
     * burst (one batch, or two), then each again later. */
    int64_t update_id = 0;
    for (int round = 0; round < 2; round++) {
        send_message(s, PARTRACK__MESSAGE_TYPE__MSG_INGEST_TASK_UPDATE, &u.base, "same-1", 0);
        send_message(s, PARTRACK__MESSAGE_TYPE__MSG_INGEST_MEASUREMENT, &m.base, "same-1", 0);
        for (int r = 0; r < 2; r++) {
            Partrack__Envelope *env = receive(s, 10000);
            Partrack__IngestAck *a = ack_of(env);
            partrack__envelope__free_unpacked(env, NULL);
            cr_assert(a->has_task_id, "the update's acknowledgement, for both");
            cr_assert_eq(a->task_id, u.task_id);
            if (update_id == 0) {
                cr_assert_not(a->duplicate, "the first message");
                update_id = a->id;
            } else {
                cr_assert(a->duplicate, "round %d, reply %d: the same key again", round, r);
                cr_assert_eq(a->id, update_id);
            }
            partrack__ingest_ack__free_unpacked(a, NULL);
        }
    }
    /* A measurement first, then an update with its key: the update is the
     * duplicate. */
    send_message(s, PARTRACK__MESSAGE_TYPE__MSG_INGEST_MEASUREMENT, &m.base, "same-2", 0);
    Partrack__Envelope *env = receive(s, 10000);
    Partrack__IngestAck *a = ack_of(env);
    partrack__envelope__free_unpacked(env, NULL);
    cr_assert_not(a->duplicate);
    cr_assert_not(a->has_task_id);
    int64_t measurement_id = a->id;
    partrack__ingest_ack__free_unpacked(a, NULL);
    send_message(s, PARTRACK__MESSAGE_TYPE__MSG_INGEST_TASK_UPDATE, &u.base, "same-2", 0);
    env = receive(s, 10000);
    a = ack_of(env);
    partrack__envelope__free_unpacked(env, NULL);
    cr_assert(a->duplicate, "an update with a measurement's key");
    cr_assert_eq(a->id, measurement_id);
    partrack__ingest_ack__free_unpacked(a, NULL);

    cr_assert_eq(sql("SELECT count(*) FROM registry.task_update WHERE actor = 'phulam-both'"), 1);
    cr_assert_eq(sql("SELECT count(*) FROM registry.measurement WHERE publisher = 'phulam-both'"),
                 1);
    cr_assert_eq(sql("SELECT count(*) FROM registry.request_log WHERE publisher = 'phulam-both'"),
                 1, "the measurement's acknowledgement");
    zmq_close(s);
}

/* What the registry keeps in memory of a task between batches (its lead
 * units, title, plan) follows the database: a lead moved to another unit
 * moves the scope check and the events with it, at once. */
Test(ingest, a_tasks_lead_and_title_changed_take_effect_at_the_next_update)
{
    keyfile_t mc, vp;
    publisher("phulam-mc-only", "HN.HADONG.PHULAM.MC", &mc);
    publisher("phulam-vp-only", "HN.HADONG.PHULAM.VP", &vp);
    void *s_mc = connect_with(&mc), *s_vp = connect_with(&vp);
    Partrack__TaskUpdate u = progress_update("1", 10); /* led by the one-stop desk (MC) */
    Partrack__ErrorCode code;
    Partrack__IngestAck *ack = update(s_mc, &u, "lead-1", &code, NULL, 0);
    cr_assert_not_null(ack, "code %d", code);
    partrack__ingest_ack__free_unpacked(ack, NULL);
    cr_assert_null(update(s_vp, &u, "lead-2", &code, NULL, 0), "the office does not lead it");
    cr_assert_eq(code, PARTRACK__ERROR_CODE__ERR_FORBIDDEN);

    char query[256];
    snprintf(query, sizeof query,
             "UPDATE registry.task_unit SET unit_code = 'HN.HADONG.PHULAM.VP' WHERE task_id = %ld "
             "AND role = 'lead' RETURNING 1",
             (long)u.task_id);
    cr_assert_eq(sql(query), 1);
    u.progress = 20;
    ack = update(s_vp, &u, "lead-3", &code, NULL, 0);
    cr_assert_not_null(ack, "the office leads it now: code %d", code);
    partrack__ingest_ack__free_unpacked(ack, NULL);
    Partrack__TaskUpdated *ev = last_task_updated();
    cr_assert_eq(ev->n_lead, 1);
    cr_assert_str_eq(ev->lead[0], "HN.HADONG.PHULAM.VP");
    partrack__task_updated__free_unpacked(ev, NULL);
    cr_assert_null(update(s_mc, &u, "lead-4", &code, NULL, 0), "the desk leads it no more");
    cr_assert_eq(code, PARTRACK__ERROR_CODE__ERR_FORBIDDEN);

    snprintf(query, sizeof query,
             "UPDATE registry.task SET title = 'Đối thoại với doanh nghiệp' WHERE id = %ld "
             "RETURNING 1",
             (long)u.task_id);
    cr_assert_eq(sql(query), 1);
    u.progress = 30;
    ack = update(s_vp, &u, "lead-5", &code, NULL, 0);
    cr_assert_not_null(ack, "code %d", code);
    partrack__ingest_ack__free_unpacked(ack, NULL);
    ev = last_task_updated();
    cr_assert_str_eq(ev->title, "Đối thoại với doanh nghiệp");
    partrack__task_updated__free_unpacked(ev, NULL);
    zmq_close(s_mc);
    zmq_close(s_vp);
}

Test(ingest, bad_frames_get_errors_and_others_are_still_served)
{
    keyfile_t k;
    publisher("noisy", "HN.HADONG.PHULAM", &k);
    void *s = connect_with(&k);
    /* Garbage. */
    cr_assert_eq(zmq_send(s, "\x01\x02garbage", 9, 0), 9);
    Partrack__Envelope *env = receive(s, 10000);
    cr_assert_not_null(env);
    cr_assert_eq(env->type, PARTRACK__MESSAGE_TYPE__MSG_ERROR);
    partrack__envelope__free_unpacked(env, NULL);
    /* Two frames. */
    zmq_send(s, "a", 1, ZMQ_SNDMORE);
    zmq_send(s, "b", 1, 0);
    env = receive(s, 10000);
    cr_assert_not_null(env);
    cr_assert_eq(env->type, PARTRACK__MESSAGE_TYPE__MSG_ERROR);
    partrack__envelope__free_unpacked(env, NULL);
    /* An envelope of the wrong type, and one without a key. */
    Partrack__TaskUpdate u = progress_update("2", 5);
    send_message(s, PARTRACK__MESSAGE_TYPE__MSG_PING, &u.base, "w-1", 0);
    env = receive(s, 10000);
    cr_assert_not_null(env);
    cr_assert_eq(env->type, PARTRACK__MESSAGE_TYPE__MSG_ERROR);
    partrack__envelope__free_unpacked(env, NULL);
    /* A message without a key, and one with, in the same batch: the first
     * is refused, the second stored (a keyless message once crashed the
     * search for keys sent twice). */
    cr_assert(try_send(s, PARTRACK__MESSAGE_TYPE__MSG_INGEST_TASK_UPDATE, &u.base, NULL, 0));
    send_message(s, PARTRACK__MESSAGE_TYPE__MSG_INGEST_TASK_UPDATE, &u.base, "w-0", 0);
    int errors = 0, acks = 0;
    for (int i = 0; i < 2; i++) {
        env = receive(s, 10000);
        cr_assert_not_null(env, "reply %d", i);
        errors += env->type == PARTRACK__MESSAGE_TYPE__MSG_ERROR;
        acks += env->type == PARTRACK__MESSAGE_TYPE__MSG_INGEST_ACK;
        partrack__envelope__free_unpacked(env, NULL);
    }
    cr_assert_eq(errors, 1);
    cr_assert_eq(acks, 1);
    /* Over ZMQ_MAXMSGSIZE (16 MiB): the connection is dropped. */
    size_t big = 17u << 20;
    char *huge = calloc(1, big);
    zmq_send(s, huge, big, 0);
    free(huge);
    cr_assert_null(receive(s, 1500));
    zmq_close(s);
    /* Everyone else is still served. */
    s = connect_with(&k);
    Partrack__ErrorCode code;
    Partrack__IngestAck *ack = update(s, &u, "w-2", &code, NULL, 0);
    cr_assert_not_null(ack, "code %d", code);
    partrack__ingest_ack__free_unpacked(ack, NULL);
    zmq_close(s);
}

Test(ingest, a_window_of_many_updates_is_acknowledged_each_once)
{
    keyfile_t k;
    publisher("bulk", "HN.HADONG.PHULAM", &k);
    void *s = connect_with(&k);
    long ids[2] = {task_id("1"), task_id("2")};
    enum { N = 2000 };
    for (int i = 0; i < N; i++) {
        Partrack__TaskUpdate u = PARTRACK__TASK_UPDATE__INIT;
        u.has_task_id = 1;
        u.task_id = ids[i % 2];
        u.has_progress = 1;
        u.progress = i * 100 / N;
        char key[32];
        snprintf(key, sizeof key, "b-%d", i);
        send_message(s, PARTRACK__MESSAGE_TYPE__MSG_INGEST_TASK_UPDATE, &u.base, key, 0);
    }
    int acks = 0;
    for (int i = 0; i < N; i++) {
        Partrack__Envelope *env = receive(s, 20000);
        cr_assert_not_null(env, "reply %d of %d", i, N);
        acks += env->type == PARTRACK__MESSAGE_TYPE__MSG_INGEST_ACK;
        partrack__envelope__free_unpacked(env, NULL);
    }
    cr_assert_eq(acks, N);
    cr_assert_eq(sql("SELECT count(*) FROM registry.task_update WHERE actor = 'bulk'"), N);
    /* Each with its key, on its own row, and nothing in request_log. */
    cr_assert_eq(sql("SELECT count(DISTINCT idempotency_key) FROM registry.task_update WHERE "
                     "actor = 'bulk'"),
                 N);
    cr_assert_eq(sql("SELECT count(*) FROM registry.request_log WHERE publisher = 'bulk'"), 0);
    /* Arrival order is applied order: the last update of each task wins. */
    cr_assert_eq(sql("SELECT progress FROM registry.task WHERE ordinal = '2'"), (N - 1) * 100 / N);
    cr_assert_eq(sql("SELECT count(*) FROM registry.event_log WHERE type = 'TaskUpdated'"), N);
    zmq_close(s);
}
