/* test_registry_robust.c - the registry refuses bad input and keeps serving
 *
 * Each case starts a real partrack-registry on a fresh database holding a
 * small base directory, then sends it something wrong over a raw libzmq
 * DEALER (frames rpc_call would never make) or through the real `partrack`
 * binary. Every case checks three things: the answer is an ErrorReply with
 * the expected code and a sentence (when an answer is possible at all), the
 * registry still answers a ping and a `unit list --json` afterwards, and the
 * database is exactly as it was (row counts of every registry table).
 * Idempotency is checked with rpc_call: the same key twice gives the same
 * reply and one copy of the data.
 */
#include "harness.h"
#include "msg.h"
#include "registry.pb-c.h"
#include "rpc.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zmq.h>

#define DB      "robust"
#define CAP     65536 /* PARTRACK_MAX_MESSAGE_BYTES of the capped registry */
#define WAIT_MS 5000  /* how long a reply may take */

static const char base_units[] = "code,name,kind,parent\n"
                                 "R,Thành phố Robust,city,\n"
                                 "R.SNV,Sở Nội vụ,department,R\n"
                                 "R.P1,Phường Một,ward,R\n";

static const char test_units[] = "code,name,kind,parent\nT,Thành phố Test,city,\n";

static harness_service_t reg;
static void *ctx;
static void *dealer;

/* ---- set-up ---- */

static void start(const char *env)
{
    harness_db_create(DB);
    cr_assert_eq(harness_registry_start(&reg, DB, env, NULL), 0,
                 "registry did not start (log in %s)", reg.log);
    const char *path = harness_write_temp("base.csv", base_units, strlen(base_units));
    harness_run_t r;
    int rc = harness_cli(&r, reg.endpoint, "unit", "import", path, NULL);
    cr_assert_eq(rc, 0, "base import failed: %s", r.err);
    harness_run_free(&r);
    cr_assert_eq(harness_sql_long(DB, "SELECT count(*) FROM registry.unit"), 3);
    ctx = zmq_ctx_new();
    cr_assert_not_null(ctx);
    dealer = zmq_socket(ctx, ZMQ_DEALER);
    cr_assert_not_null(dealer);
    int linger = 0;
    zmq_setsockopt(dealer, ZMQ_LINGER, &linger, sizeof linger);
    cr_assert_eq(zmq_connect(dealer, reg.endpoint), 0);
}

static void setup(void)
{
    start(NULL);
}

static void setup_capped(void)
{
    start("PARTRACK_MAX_MESSAGE_BYTES=65536");
}

static void teardown(void)
{
    if (dealer)
        zmq_close(dealer);
    if (ctx)
        zmq_ctx_term(ctx);
    dealer = ctx = NULL;
    harness_service_stop(&reg, SIGTERM);
}

/* ---- helpers ---- */

/* Row counts of every registry table, as one comparable string. */
static void db_state(char *out, size_t len)
{
    static const char *const tables[] = {"unit",
                                         "unit_alias",
                                         "unit_history",
                                         "person",
                                         "event_log",
                                         "request_log",
                                         "event_counter WHERE last_seq > 0"};
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM registry.%s", tables[i]);
        long n = harness_sql_long(DB, sql);
        cr_assert_geq(n, 0, "cannot count %s", tables[i]);
        used += (size_t)snprintf(out + used, len - used, "%s=%ld ", tables[i], n);
        cr_assert_lt(used, len);
    }
}

/* A normal client still gets served. */
static void expect_still_serving(void)
{
    harness_run_t r;
    int rc = harness_cli(&r, reg.endpoint, "--timeout", harness_seconds(5), "ping", NULL);
    cr_assert_eq(rc, 0, "ping after the bad message: exit %d, %s", rc, r.err);
    harness_run_free(&r);
    rc = harness_cli(&r, reg.endpoint, "--timeout", harness_seconds(5), "unit", "list", "--json",
                     NULL);
    cr_assert_eq(rc, 0, "unit list after the bad message: exit %d, %s", rc, r.err);
    cr_assert(r.out[0] == '[' && strstr(r.out, "\"code\": \"R.SNV\""), "unit list output: %s",
              r.out);
    harness_run_free(&r);
    int status;
    cr_assert_eq(waitpid(reg.pid, &status, WNOHANG), 0, "the registry exited");
}

/* Waits up to harness_scale(ms) for one frame; returns it decoded, or NULL
 * on silence. */
static msg_envelope_t *recv_reply(int ms)
{
    zmq_pollitem_t item = {dealer, 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&item, 1, harness_scale(ms)) <= 0)
        return NULL;
    zmq_msg_t frame;
    zmq_msg_init(&frame);
    cr_assert_geq(zmq_msg_recv(&frame, dealer, 0), 0);
    cr_assert_not(zmq_msg_more(&frame), "reply has more than one frame");
    Partrack__ErrorCode code;
    char reason[256];
    msg_envelope_t *env = msg_open(zmq_msg_data(&frame), zmq_msg_size(&frame), SIZE_MAX, &code,
                                   reason, sizeof reason);
    zmq_msg_close(&frame);
    cr_assert_not_null(env, "reply is not a valid envelope: %s", reason);
    return env;
}

/* Receives one reply and checks it is an ErrorReply with `want`, a sentence
 * and the right retryable flag. Returns it; caller frees with
 * partrack__error_reply__free_unpacked. */
static Partrack__ErrorReply *expect_error(Partrack__ErrorCode want)
{
    msg_envelope_t *env = recv_reply(WAIT_MS);
    cr_assert_not_null(env, "no reply within %d ms", WAIT_MS);
    cr_assert_eq(env->type, PARTRACK__MESSAGE_TYPE__MSG_ERROR, "reply type %d, want MSG_ERROR",
                 (int)env->type);
    cr_assert(env->has_payload, "error reply without payload");
    Partrack__ErrorReply *err =
        partrack__error_reply__unpack(NULL, env->payload.len, env->payload.data);
    msg_close(&env);
    cr_assert_not_null(err, "payload is not an ErrorReply");
    cr_assert_eq(err->code, want, "code %s (%s), want %s", msg_code_name(err->code), err->message,
                 msg_code_name(want));
    cr_assert(err->message && *err->message, "error reply without a sentence");
    cr_assert(!err->has_retryable || err->retryable == msg_code_retryable(want),
              "retryable flag wrong for %s", msg_code_name(want));
    return err;
}

static void send_frame(const void *data, size_t len, int flags)
{
    cr_assert_eq(zmq_send(dealer, data, len, flags), (int)len, "send: %s",
                 zmq_strerror(zmq_errno()));
}

/* Packs env with protobuf-c as it is, however invalid. Caller frees. */
static uint8_t *pack_envelope(const Partrack__Envelope *env, size_t *len)
{
    *len = partrack__envelope__get_packed_size(env);
    uint8_t *buf = malloc(*len ? *len : 1);
    cr_assert_not_null(buf);
    partrack__envelope__pack(env, buf);
    return buf;
}

/* An envelope of `type` around message m, packed without any check. */
static uint8_t *pack_request(Partrack__MessageType type, const ProtobufCMessage *m, size_t *len)
{
    size_t plen = protobuf_c_message_get_packed_size(m);
    uint8_t *payload = malloc(plen ? plen : 1);
    cr_assert_not_null(payload);
    protobuf_c_message_pack(m, payload);
    Partrack__Envelope env = PARTRACK__ENVELOPE__INIT;
    env.type = type;
    env.correlation_id = "robust";
    env.has_payload = 1;
    env.payload.data = payload;
    env.payload.len = plen;
    uint8_t *buf = pack_envelope(&env, len);
    free(payload);
    return buf;
}

/* Sends one frame and expects an ErrorReply with `want`; the sentence must
 * contain `needle` when it is not NULL. Checks the registry still serves and
 * the database did not change. */
static void refused(const void *frame, size_t len, Partrack__ErrorCode want, const char *needle)
{
    char before[512], after[512];
    db_state(before, sizeof before);
    send_frame(frame, len, 0);
    Partrack__ErrorReply *err = expect_error(want);
    if (needle)
        cr_expect(strstr(err->message, needle), "message \"%s\" does not mention %s", err->message,
                  needle);
    partrack__error_reply__free_unpacked(err, NULL);
    expect_still_serving();
    db_state(after, sizeof after);
    cr_assert_str_eq(after, before, "the database changed");
}

/* An import request for one file, packed as an envelope. Caller frees. */
static uint8_t *import_frame(const char *name, const char *content, size_t content_len, size_t *len)
{
    Partrack__ImportFile file = PARTRACK__IMPORT_FILE__INIT;
    Partrack__ImportFile *files[] = {&file};
    file.name = (char *)name;
    file.content.data = (uint8_t *)content;
    file.content.len = content_len;
    Partrack__UnitImportRequest req = PARTRACK__UNIT_IMPORT_REQUEST__INIT;
    req.files = files;
    req.n_files = 1;
    return pack_request(PARTRACK__MESSAGE_TYPE__MSG_UNIT_IMPORT, &req.base, len);
}

/* ---- raw frames ---- */

/* Criterion runs a suite's .init before a test's own, so the capped cases
 * live in a suite of their own rather than overriding .init. */
TestSuite(robust, .init = setup, .fini = teardown, .timeout = 60);
TestSuite(robust_cap, .init = setup_capped, .fini = teardown, .timeout = 60);

Test(robust, garbage_bytes)
{
    static const uint8_t garbage[] = {0xff, 0xfe, 0x00, 0x13, 0x37, 0xde, 0xad, 0xbe, 0xef};
    cr_assert_null(partrack__envelope__unpack(NULL, sizeof garbage, garbage));
    refused(garbage, sizeof garbage, PARTRACK__ERROR_CODE__ERR_BAD_MESSAGE, NULL);

    /* Pseudo-random frames (fixed seed): each one gets the error msg_open
     * gives it; the few that decode to some envelope are left out. */
    char before[512], after[512];
    db_state(before, sizeof before);
    uint32_t x = 2463534242u;
    int checked = 0;
    for (int i = 0; i < 40; i++) {
        uint8_t frame[512];
        size_t len = 1 + (size_t)(i * 13 % (int)sizeof frame);
        for (size_t k = 0; k < len; k++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            frame[k] = (uint8_t)x;
        }
        Partrack__ErrorCode code;
        char reason[256];
        msg_envelope_t *env = msg_open(frame, len, SIZE_MAX, &code, reason, sizeof reason);
        if (env) {
            msg_close(&env);
            continue;
        }
        send_frame(frame, len, 0);
        Partrack__ErrorReply *err = expect_error(code);
        partrack__error_reply__free_unpacked(err, NULL);
        checked++;
    }
    cr_assert_geq(checked, 30, "only %d random frames were undecodable", checked);
    expect_still_serving();
    db_state(after, sizeof after);
    cr_assert_str_eq(after, before, "the database changed");
}

Test(robust, empty_frame)
{
    refused("", 0, PARTRACK__ERROR_CODE__ERR_BAD_MESSAGE, NULL);
}

Test(robust, two_frames)
{
    char before[512], after[512];
    db_state(before, sizeof before);
    size_t len;
    uint8_t *frame = import_frame("t.csv", test_units, strlen(test_units), &len);
    /* Two valid envelopes in one message: still refused as a whole. */
    send_frame(frame, len, ZMQ_SNDMORE);
    send_frame(frame, len, 0);
    free(frame);
    Partrack__ErrorReply *err = expect_error(PARTRACK__ERROR_CODE__ERR_BAD_MESSAGE);
    cr_expect(strstr(err->message, "one frame"), "message: %s", err->message);
    partrack__error_reply__free_unpacked(err, NULL);
    /* Exactly one reply: nothing else follows. */
    msg_envelope_t *extra = recv_reply(300);
    cr_assert_null(extra, "a second reply (type %d) came", extra ? (int)extra->type : 0);
    expect_still_serving();
    db_state(after, sizeof after);
    cr_assert_str_eq(after, before, "the database changed");
}

Test(robust, unknown_type)
{
    Partrack__Envelope env = PARTRACK__ENVELOPE__INIT;
    env.type = (Partrack__MessageType)999;
    env.correlation_id = "robust";
    size_t len;
    uint8_t *frame = pack_envelope(&env, &len);
    refused(frame, len, PARTRACK__ERROR_CODE__ERR_UNKNOWN_TYPE, "999");
    free(frame);
}

Test(robust, known_type_not_served)
{
    /* A declared type the registry has no handler for (a reply type). */
    Partrack__UnitListReply list = PARTRACK__UNIT_LIST_REPLY__INIT;
    size_t len;
    uint8_t *frame = pack_request(PARTRACK__MESSAGE_TYPE__MSG_UNIT_LIST_REPLY, &list.base, &len);
    refused(frame, len, PARTRACK__ERROR_CODE__ERR_UNKNOWN_TYPE, NULL);
    free(frame);
}

Test(robust, garbage_payload)
{
    static const uint8_t garbage[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                      0xff, 0xff, 0xff, 0xff, 0x0a, 0x03};
    cr_assert_null(partrack__unit_import_request__unpack(NULL, sizeof garbage, garbage));
    Partrack__Envelope env = PARTRACK__ENVELOPE__INIT;
    env.type = PARTRACK__MESSAGE_TYPE__MSG_UNIT_IMPORT;
    env.has_payload = 1;
    env.payload.data = (uint8_t *)garbage;
    env.payload.len = sizeof garbage;
    size_t len;
    uint8_t *frame = pack_envelope(&env, &len);
    refused(frame, len, PARTRACK__ERROR_CODE__ERR_BAD_MESSAGE, "UnitImportRequest");
    free(frame);
}

Test(robust, file_name_not_utf8)
{
    size_t len;
    uint8_t *frame = import_frame("units\xff\xfe.csv", test_units, strlen(test_units), &len);
    refused(frame, len, PARTRACK__ERROR_CODE__ERR_BAD_MESSAGE, "UTF-8");
    free(frame);
    cr_assert_eq(harness_sql_long(DB, "SELECT count(*) FROM registry.unit WHERE code = 'T'"), 0);
}

Test(robust, cell_not_utf8)
{
    static const char content[] = "code,name,kind,parent\n"
                                  "T,Thành phố Test,city,\n"
                                  "T.X,Ph\xc3\xb2ng \xc3 X,section,T\n";
    char before[512], after[512];
    db_state(before, sizeof before);
    size_t len;
    uint8_t *frame = import_frame("bad-cell.csv", content, sizeof content - 1, &len);
    send_frame(frame, len, 0);
    free(frame);
    Partrack__ErrorReply *err = expect_error(PARTRACK__ERROR_CODE__ERR_INVALID);
    cr_assert_geq(err->n_problems, 1, "no problem listed: %s", err->message);
    const Partrack__Problem *p = err->problems[0];
    cr_expect(p->file && strcmp(p->file, "bad-cell.csv") == 0, "problem file %s", p->file);
    cr_expect(p->has_line && p->line == 3, "problem line %u", p->has_line ? p->line : 0);
    cr_expect(p->field && strcmp(p->field, "name") == 0, "problem field %s", p->field);
    cr_expect(p->message && strstr(p->message, "UTF-8"), "problem message %s", p->message);
    partrack__error_reply__free_unpacked(err, NULL);
    expect_still_serving();
    db_state(after, sizeof after);
    cr_assert_str_eq(after, before, "the database changed (the valid row was imported?)");
}

Test(robust, reorg_bad_kind)
{
    char *codes[] = {"R.P1"};
    Partrack__UnitReorgRequest req = PARTRACK__UNIT_REORG_REQUEST__INIT;
    req.kind = (Partrack__ReorgKind)42;
    req.codes = codes;
    req.n_codes = 1;
    req.target = "R";
    req.name = "Phường Mới";
    req.on_date = "2025-07-01";
    size_t len;
    uint8_t *frame = pack_request(PARTRACK__MESSAGE_TYPE__MSG_UNIT_REORG, &req.base, &len);
    refused(frame, len, PARTRACK__ERROR_CODE__ERR_BAD_MESSAGE, "kind");
    free(frame);
}

/* ---- size cap ---- */

Test(robust_cap, over_cap_gets_too_large)
{
    /* A valid import whose envelope is over the cap but under the cap plus
     * the envelope allowance libzmq is given (ZMQ_MAXMSGSIZE is cap + 4096):
     * the registry itself must say so. */
    size_t content_len = CAP + 2000;
    char *content = malloc(content_len);
    cr_assert_not_null(content);
    memset(content, 'a', content_len);
    size_t len;
    uint8_t *frame = import_frame("big.csv", content, content_len, &len);
    free(content);
    cr_assert(len > CAP && len <= CAP + 4096, "frame of %zu bytes is not between the limits", len);
    refused(frame, len, PARTRACK__ERROR_CODE__ERR_TOO_LARGE, "limit");
    free(frame);
}

Test(robust_cap, far_over_cap_is_dropped)
{
    char before[512], after[512];
    db_state(before, sizeof before);
    size_t content_len = 2u << 20;
    char *content = malloc(content_len);
    cr_assert_not_null(content);
    memset(content, 'b', content_len);
    size_t len;
    uint8_t *frame = import_frame("huge.csv", content, content_len, &len);
    free(content);
    send_frame(frame, len, 0);
    free(frame);
    msg_envelope_t *env = recv_reply(1000);
    cr_assert_null(env, "a reply (type %d) came to a frame libzmq should drop",
                   env ? (int)env->type : 0);
    expect_still_serving();
    db_state(after, sizeof after);
    cr_assert_str_eq(after, before, "the database changed");

    /* The same DEALER reconnects and is served again. */
    Partrack__Envelope ping = PARTRACK__ENVELOPE__INIT;
    ping.type = PARTRACK__MESSAGE_TYPE__MSG_PING;
    uint8_t *p = pack_envelope(&ping, &len);
    msg_envelope_t *pong = NULL;
    for (int i = 0; i < 20 && !pong; i++) {
        send_frame(p, len, 0);
        pong = recv_reply(250);
    }
    free(p);
    cr_assert_not_null(pong, "the dropped peer is not served after reconnecting");
    cr_assert_eq(pong->type, PARTRACK__MESSAGE_TYPE__MSG_PONG);
    msg_close(&pong);
}

/* ---- the command line ---- */

Test(robust, cli_usage_errors)
{
    static const char *const cases[][4] = {
        {"unit", "frobnicate", NULL, NULL},   {"frobnicate", NULL, NULL, NULL},
        {"--frobnicate", "ping", NULL, NULL}, {"unit", "list", "--frobnicate", NULL},
        {"unit", "show", "R", "--parent"},
    };
    char before[512], after[512];
    db_state(before, sizeof before);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        harness_run_t r;
        int rc =
            harness_cli(&r, reg.endpoint, cases[i][0], cases[i][1], cases[i][2], cases[i][3], NULL);
        cr_expect_eq(rc, 2, "case %zu (%s %s): exit %d, want 2", i, cases[i][0],
                     cases[i][1] ? cases[i][1] : "", rc);
        cr_expect(strstr(r.err, "usage:"), "case %zu: no usage message: %s", i, r.err);
        harness_run_free(&r);
    }
    expect_still_serving();
    db_state(after, sizeof after);
    cr_assert_str_eq(after, before, "the database changed");
}

Test(robust, cli_show_missing_unit)
{
    harness_run_t r;
    int rc = harness_cli(&r, reg.endpoint, "--timeout", harness_seconds(5), "unit", "show", "NOPE",
                         NULL);
    cr_expect_eq(rc, 1, "exit %d, want 1", rc);
    cr_expect(strstr(r.err, "no unit"), "stderr: %s", r.err);
    harness_run_free(&r);
    expect_still_serving();
}

Test(robust, cli_import_missing_file)
{
    char before[512], after[512];
    db_state(before, sizeof before);
    char path[128];
    snprintf(path, sizeof path, "/tmp/partrack-no-such-file-%d.csv", (int)getpid());
    unlink(path);
    harness_run_t r;
    int rc = harness_cli(&r, reg.endpoint, "unit", "import", path, NULL);
    cr_expect_neq(rc, 0, "import of a missing file succeeded");
    cr_expect(strstr(r.err, path), "the message does not name the path: %s", r.err);
    harness_run_free(&r);
    expect_still_serving();
    db_state(after, sizeof after);
    cr_assert_str_eq(after, before, "the database changed");
}

/* ---- idempotency ---- */

/* Sends the test file with rpc_call under `key`; returns the reply. */
static msg_envelope_t *import_with_key(const char *key)
{
    Partrack__ImportFile file = PARTRACK__IMPORT_FILE__INIT;
    Partrack__ImportFile *files[] = {&file};
    file.name = "t.csv";
    file.content.data = (uint8_t *)test_units;
    file.content.len = strlen(test_units);
    Partrack__UnitImportRequest req = PARTRACK__UNIT_IMPORT_REQUEST__INIT;
    req.files = files;
    req.n_files = 1;
    char errbuf[256];
    msg_envelope_t *env = rpc_call(ctx, reg.endpoint, PARTRACK__MESSAGE_TYPE__MSG_UNIT_IMPORT,
                                   &req.base, key, 10000, errbuf, sizeof errbuf);
    cr_assert_not_null(env, "no reply: %s", errbuf);
    cr_assert_eq(env->type, PARTRACK__MESSAGE_TYPE__MSG_UNIT_IMPORT_REPLY, "reply type %d",
                 (int)env->type);
    cr_assert(env->has_payload);
    return env;
}

static Partrack__UnitImportReply *import_counts(const msg_envelope_t *env)
{
    Partrack__UnitImportReply *r =
        partrack__unit_import_reply__unpack(NULL, env->payload.len, env->payload.data);
    cr_assert_not_null(r, "reply payload is not a UnitImportReply");
    return r;
}

Test(robust, idempotent_import)
{
    char first_state[512], state[512];
    msg_envelope_t *first = import_with_key("robust-key-1");
    Partrack__UnitImportReply *a = import_counts(first);
    cr_assert_eq(a->units_created, 1);
    cr_assert_eq(a->units_unchanged, 0);
    db_state(first_state, sizeof first_state);

    msg_envelope_t *second = import_with_key("robust-key-1");
    Partrack__UnitImportReply *b = import_counts(second);
    cr_assert_eq(second->payload.len, first->payload.len, "second reply differs in length");
    cr_assert(memcmp(second->payload.data, first->payload.data, first->payload.len) == 0,
              "second reply differs from the first");
    cr_assert_eq(b->units_created, 1, "the stored reply is not the first one");
    db_state(state, sizeof state);
    cr_assert_str_eq(state, first_state, "the repeated request changed the database");
    cr_assert_eq(harness_sql_long(DB, "SELECT count(*) FROM registry.unit WHERE code = 'T'"), 1);
    cr_assert_eq(
        harness_sql_long(DB, "SELECT count(*) FROM registry.unit_history WHERE unit_code = 'T'"),
        1);
    cr_assert_eq(harness_sql_long(DB, "SELECT count(*) FROM registry.request_log "
                                      "WHERE idempotency_key = 'robust-key-1'"),
                 1);

    msg_envelope_t *third = import_with_key("robust-key-2");
    Partrack__UnitImportReply *c = import_counts(third);
    cr_assert_eq(c->units_created, 0, "same content, new key: %u created", c->units_created);
    cr_assert_eq(c->units_updated, 0, "same content, new key: %u updated", c->units_updated);
    cr_assert_eq(c->units_unchanged, 1, "same content, new key: %u unchanged", c->units_unchanged);
    cr_assert_eq(harness_sql_long(DB, "SELECT count(*) FROM registry.unit WHERE code = 'T'"), 1);
    cr_assert_eq(
        harness_sql_long(DB, "SELECT count(*) FROM registry.unit_history WHERE unit_code = 'T'"),
        1);

    partrack__unit_import_reply__free_unpacked(a, NULL);
    partrack__unit_import_reply__free_unpacked(b, NULL);
    partrack__unit_import_reply__free_unpacked(c, NULL);
    msg_close(&first);
    msg_close(&second);
    msg_close(&third);
    expect_still_serving();
}
