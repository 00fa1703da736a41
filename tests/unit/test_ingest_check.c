/* test_ingest_check.c - unit tests for the ingest checks that need only the
 * message (services/registry/ingest_check.c)
 *
 * Envelopes are made with msg_pack as a publisher makes them and opened
 * with msg_open as the ingest endpoint opens them. The refusals listed
 * last were found by fuzzing (tests/fuzz/fuzz_envelope.c): a publisher's
 * time before 1970, a completion time before 1970 or with a signed field.
 */
#include "ingest_batch.h"
#include "ingest_check.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#define NOW_MS  1719567000000LL /* 2024-06-28T09:30:00Z */
#define SKEW_MS 120000LL

static msg_envelope_t *open_packed(Partrack__MessageType type, const char *key, int64_t sent_at,
                                   const ProtobufCMessage *payload)
{
    size_t plen = protobuf_c_message_get_packed_size(payload);
    uint8_t *p = malloc(plen + 1);
    cr_assert(p);
    protobuf_c_message_pack(payload, p);
    Partrack__Envelope e = PARTRACK__ENVELOPE__INIT;
    e.type = type;
    e.idempotency_key = (char *)key;
    e.has_sent_at_ms = 1;
    e.sent_at_ms = sent_at;
    e.has_payload = 1;
    e.payload.data = p;
    e.payload.len = plen;
    size_t len = partrack__envelope__get_packed_size(&e);
    uint8_t *frame = malloc(len);
    cr_assert(frame);
    partrack__envelope__pack(&e, frame);
    Partrack__ErrorCode code;
    char reason[256];
    msg_envelope_t *env = msg_open(frame, len, 1 << 20, &code, reason, sizeof reason);
    cr_assert_not_null(env, "%s", reason);
    free(frame);
    free(p);
    return env;
}

/* Admits the envelope or returns the refusal's reason (static). */
static const char *admit(msg_envelope_t *env, Partrack__ErrorCode *code)
{
    static char reason[512];
    ProtobufCMessage *m = NULL;
    reason[0] = '\0';
    int rc = ingest_check_envelope(env, NOW_MS, SKEW_MS, &m, code, reason, sizeof reason);
    cr_assert((rc == 0) == (m != NULL));
    if (m)
        protobuf_c_message_free_unpacked(m, NULL);
    return rc == 0 ? NULL : reason;
}

static const char *update_refused(const char *completed_at, int64_t *completed_ms)
{
    static char reason[512];
    Partrack__TaskUpdate u = PARTRACK__TASK_UPDATE__INIT;
    u.status = "done";
    u.completed_at = (char *)completed_at;
    reason[0] = '\0';
    int rc = ingest_check_update(&u, NOW_MS, SKEW_MS, completed_ms, reason, sizeof reason);
    return rc == 0 ? NULL : reason;
}

Test(ingest_check, admits_a_task_update_and_a_measurement)
{
    Partrack__TaskUpdate u = PARTRACK__TASK_UPDATE__INIT;
    u.has_task_id = 1;
    u.task_id = 12;
    u.status = "done";
    msg_envelope_t *env =
        open_packed(PARTRACK__MESSAGE_TYPE__MSG_INGEST_TASK_UPDATE, "k1", NOW_MS - 5000, &u.base);
    Partrack__ErrorCode code;
    cr_expect_null(admit(env, &code));
    msg_close(&env);

    Partrack__Measurement m = PARTRACK__MEASUREMENT__INIT;
    m.unit = "HN.HADONG.PHULAM";
    m.indicator = "dossiers_online_l3";
    m.period = "2024-Q2";
    m.has_numerator = m.has_denominator = 1;
    m.numerator = 762;
    m.denominator = 4080;
    char reason[512];
    cr_expect_eq(ingest_check_measurement(&m, reason, sizeof reason), 0, "%s", reason);
    m.period = "2024-Q5";
    cr_expect_eq(ingest_check_measurement(&m, reason, sizeof reason), -1);
    cr_expect(strstr(reason, "2024-Q5"));
}

Test(ingest_check, refuses_without_key_or_clock_and_other_types)
{
    Partrack__TaskUpdate u = PARTRACK__TASK_UPDATE__INIT;
    u.status = "open";
    Partrack__ErrorCode code;
    msg_envelope_t *env =
        open_packed(PARTRACK__MESSAGE_TYPE__MSG_INGEST_TASK_UPDATE, "", NOW_MS, &u.base);
    cr_expect(strstr(admit(env, &code), "idempotency key"));
    cr_expect_eq(code, PARTRACK__ERROR_CODE__ERR_INVALID);
    msg_close(&env);
    env = open_packed(PARTRACK__MESSAGE_TYPE__MSG_TASK_UPDATE, "k", NOW_MS, &u.base);
    cr_expect_not_null(admit(env, &code));
    cr_expect_eq(code, PARTRACK__ERROR_CODE__ERR_UNKNOWN_TYPE);
    msg_close(&env);
    env =
        open_packed(PARTRACK__MESSAGE_TYPE__MSG_INGEST_TASK_UPDATE, "k", NOW_MS + 3600000, &u.base);
    cr_expect(strstr(admit(env, &code), "ahead of the registry's clock"));
    msg_close(&env);
}

Test(ingest_check, completion_times)
{
    int64_t ms;
    cr_expect_null(update_refused("2024-06-28T16:00:00+07:00", &ms));
    cr_expect_eq(ms, 1719565200000LL);
    cr_expect_null(update_refused("2024-06-28", &ms));
    cr_expect_null(update_refused("1970-01-01T00:00:00Z", &ms));
    cr_expect_eq(ms, 0);
    cr_expect(strstr(update_refused("2024-06-29", &ms), "in the future"));
    cr_expect(strstr(update_refused("28/06/2024", &ms), "not RFC 3339"));
}

/* Found by fuzzing: each was taken, and stored wrong. */
Test(ingest_check, found_by_fuzzing)
{
    int64_t ms;
    /* a signed hour: sscanf's %2d read "-6" */
    cr_expect(strstr(update_refused("2024-02-28T-6:00:00+07:00", &ms), "not RFC 3339"));
    /* before the epoch: stored as "no completion time" (-1) */
    cr_expect(strstr(update_refused("0224-06-28", &ms), "before 1970"));
    cr_expect(strstr(update_refused("1970-01-01T06:59:59+07:00", &ms), "before 1970"));
    /* a publisher's time before 1970: written as "...00.-01Z", or past
     * PostgreSQL's range */
    Partrack__TaskUpdate u = PARTRACK__TASK_UPDATE__INIT;
    u.has_task_id = 1;
    u.task_id = 12;
    u.status = "done";
    Partrack__ErrorCode code;
    int64_t times[] = {-1, -62135596800001LL, INT64_MIN};
    for (size_t i = 0; i < 3; i++) {
        msg_envelope_t *env =
            open_packed(PARTRACK__MESSAGE_TYPE__MSG_INGEST_TASK_UPDATE, "k", times[i], &u.base);
        const char *why = admit(env, &code);
        cr_expect(why && strstr(why, "before 1970"), "sent_at_ms %lld", (long long)times[i]);
        cr_expect_eq(code, PARTRACK__ERROR_CODE__ERR_INVALID);
        msg_close(&env);
    }
}

/* A reply quoting a long value is cut at its buffer, maybe inside a letter:
 * it must still decode (its strings UTF-8), or the publisher loses the
 * reason with the reply. */
Test(ingest_check, error_replies_stay_utf8)
{
    char unit[1200] = "A";
    for (int i = 0; i < 300; i++)
        strcat(unit, "Ệ");
    ingest_item_t item = {0};
    ingest_item_error(&item, PARTRACK__ERROR_CODE__ERR_NOT_FOUND, "no unit %s", unit);
    cr_assert_eq(item.reply_type, PARTRACK__MESSAGE_TYPE__MSG_ERROR);
    Partrack__ErrorReply *e = partrack__error_reply__unpack(NULL, item.reply_len, item.reply);
    cr_assert_not_null(e);
    char reason[256];
    cr_expect_eq(msg_validate(&e->base, reason, sizeof reason), 0, "%s", reason);
    cr_expect_eq(strncmp(e->message, "no unit AỆ", strlen("no unit AỆ")), 0);
    partrack__error_reply__free_unpacked(e, NULL);
    ingest_item_clear(&item);
}
