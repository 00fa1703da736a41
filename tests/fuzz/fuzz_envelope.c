/* fuzz_envelope.c - libFuzzer harness for protobuf decoding and validation
 *
 * Every frame a service receives goes through msg_open (the envelope: a
 * declared type, UTF-8 strings, bounded ids) and then msg_decode with the
 * payload type of its message type (UTF-8 and enums everywhere inside);
 * the registry's ingest endpoint then admits published messages on their
 * own (ingest_check.h) and the command line reads them from JSON lines
 * (publish_jsonl.h). Each input is used three ways:
 *   1. as a received frame: msg_open, then msg_decode as its type's payload
 *      and, for the two ingest types, the ingest checks;
 *   2. as a payload: the first byte picks a message type (every type of
 *      envelope.proto, requests and replies), the rest is wrapped by
 *      msg_pack_bytes as a sender would, then opened and decoded as in 1;
 *   3. as a line of a `partrack publish` file: publish_jsonl_read.
 * Beyond the sanitizers it checks:
 *   - a refused frame gets a permanent (never retryable) error code and a
 *     reason; msg_open accepts every envelope msg_pack_bytes makes;
 *   - an opened envelope has a declared type other than MSG_UNKNOWN, ids of
 *     at most MSG_MAX_ID_LEN bytes, and validates again;
 *   - a decoded message holds only valid UTF-8 strings of bounded length
 *     and declared enum values, checked here by a walk of its own over the
 *     descriptors, and packs, unpacks and packs again to the same bytes
 *     (unless it kept unknown fields protobuf-c cannot read back: see
 *     check_message);
 *   - an admitted ingest message has the publisher's time, at or after
 *     1970 (the registry stores and formats it); an accepted task update's
 *     completion time is written as the documented formats allow (checked
 *     here by a grammar of its own) and is at or after 1970 (-1 means
 *     "none" to the registry); an accepted measurement has a finite value
 *     or a ratio with a positive denominator;
 *   - a JSON line `partrack publish` accepts, packed as it sends it, passes
 *     every check of the registry that needs no data (publish_jsonl.h
 *     promises it); a refused line has problems, all on its line, in
 *     valid UTF-8.
 * A broken invariant aborts.
 */
#include "consult.pb-c.h"
#include "deadline.pb-c.h"
#include "envelope.pb-c.h"
#include "fuzz_support.h"
#include "ingest.pb-c.h"
#include "ingest_batch.h"
#include "ingest_check.h"
#include "ingest_work.h"
#include "msg.h"
#include "notify.pb-c.h"
#include "plans.pb-c.h"
#include "problems.h"
#include "publish_jsonl.h"
#include "registry.pb-c.h"
#include "scoring.pb-c.h"
#include "targets.pb-c.h"
#include "text.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FRAME (4u << 20)
/* "now" for the ingest checks: 10001-01-01, after any instant a 4-digit
 * year can write, so no completion time of a valid input is "future". */
#define FAR_NOW_MS 253434009600000LL
#define SKEW_MS    120000LL

#define T(name)  PARTRACK__MESSAGE_TYPE__MSG_##name
#define D(cname) &partrack__##cname##__descriptor

/* Every message type and the payload it carries (NULL: none). */
static const struct {
    Partrack__MessageType type;
    const ProtobufCMessageDescriptor *payload;
} kinds[] = {
    {T(ERROR), D(error_reply)},
    {T(PING), NULL},
    {T(PONG), D(pong)},
    {T(UNIT_IMPORT), D(unit_import_request)},
    {T(UNIT_IMPORT_REPLY), D(unit_import_reply)},
    {T(UNIT_LIST), D(unit_list_request)},
    {T(UNIT_LIST_REPLY), D(unit_list_reply)},
    {T(UNIT_SHOW), D(unit_show_request)},
    {T(UNIT_SHOW_REPLY), D(unit_show_reply)},
    {T(UNIT_RESOLVE), D(unit_resolve_request)},
    {T(UNIT_RESOLVE_REPLY), D(unit_resolve_reply)},
    {T(UNIT_REORG), D(unit_reorg_request)},
    {T(UNIT_REORG_REPLY), D(unit_reorg_reply)},
    {T(PLAN_IMPORT), D(plan_import_request)},
    {T(PLAN_IMPORT_REPLY), D(plan_import_reply)},
    {T(PLAN_SHOW), D(plan_show_request)},
    {T(PLAN_SHOW_REPLY), D(plan_show_reply)},
    {T(TASK_LIST), D(task_list_request)},
    {T(TASK_LIST_REPLY), D(task_list_reply)},
    {T(TASK_SHOW), D(task_show_request)},
    {T(TASK_SHOW_REPLY), D(task_show_reply)},
    {T(TASK_UPDATE), D(task_update_request)},
    {T(TASK_TRIGGER), D(task_trigger_request)},
    {T(PLAN_TREE), D(plan_tree_request)},
    {T(PLAN_TREE_REPLY), D(plan_tree_reply)},
    {T(PLAN_COVERAGE), D(plan_show_request)},
    {T(PLAN_COVERAGE_REPLY), D(plan_coverage_reply)},
    {T(TARGET_IMPORT), D(target_import_request)},
    {T(TARGET_IMPORT_REPLY), D(target_import_reply)},
    {T(TARGET_LIST), D(plan_show_request)},
    {T(TARGET_LIST_REPLY), D(target_list_reply)},
    {T(TARGET_CASCADE), D(target_cascade_request)},
    {T(TARGET_CASCADE_REPLY), D(target_cascade_reply)},
    {T(PLAN_IMPORT_BATCH), D(plan_import_batch_request)},
    {T(PLAN_IMPORT_BATCH_REPLY), D(plan_import_batch_reply)},
    {T(DUE_LIST), D(due_list_request)},
    {T(DUE_LIST_REPLY), D(due_list_reply)},
    {T(STATUS), D(status_request)},
    {T(STATUS_REPLY), D(status_reply)},
    {T(DUE_ACK), D(due_ack_request)},
    {T(CLOCK), D(clock_request)},
    {T(CLOCK_REPLY), D(clock_reply)},
    {T(CALENDAR_IMPORT), D(calendar_import_request)},
    {T(CALENDAR_IMPORT_REPLY), D(calendar_import_reply)},
    {T(CONSULT_REQUEST), D(consult_request)},
    {T(CONSULT_ANSWER), D(consult_answer_request)},
    {T(CONSULT_SHOW), D(consult_show_request)},
    {T(CONSULTATION), D(consultation)},
    {T(TASK_FEED), D(task_feed_request)},
    {T(TASK_RESCHEDULE), D(task_reschedule_request)},
    {T(DUE_POLICY), D(due_policy_request)},
    {T(DUE_POLICY_REPLY), D(due_policy_reply)},
    {T(INGEST_TASK_UPDATE), D(task_update)},
    {T(INGEST_MEASUREMENT), D(measurement)},
    {T(INGEST_ACK), D(ingest_ack)},
    {T(PUBLISHER_ADD), D(publisher_add_request)},
    {T(PUBLISHER_REVOKE), D(publisher_revoke_request)},
    {T(PUBLISHER_LIST), D(publisher_list_request)},
    {T(PUBLISHER_REPLY), D(publisher_reply)},
    {T(PERSON_KEY), D(person_key_request)},
    {T(PERSON_KEY_REPLY), D(person_key_reply)},
    {T(FOLLOW), D(follow_request)},
    {T(FOLLOW_REPLY), D(follow_reply)},
    {T(FEED_REQUEST), D(feed_request)},
    {T(FEED_ENTRY), D(feed_entry)},
    {T(FEED_ACK), D(feed_ack)},
    {T(FEED_ACK_REPLY), D(feed_ack_reply)},
    {T(DIGEST), D(digest_request)},
    {T(DIGEST_REPLY), D(digest_reply)},
    {T(SCORE_SCHEME_IMPORT), D(score_scheme_import_request)},
    {T(SCORE_SCHEME_IMPORT_REPLY), D(score_scheme_import_reply)},
    {T(SCORE_FACTS_IMPORT), D(score_facts_import_request)},
    {T(SCORE_FACTS_IMPORT_REPLY), D(score_facts_import_reply)},
    {T(SCORE_SET), D(score_set_request)},
    {T(SCORE_STAGE), D(score_stage_request)},
    {T(SCORE_SHOW), D(score_show_request)},
    {T(SCORE_SHOW_REPLY), D(score_show_reply)},
    {T(SCORE_FORECAST), D(score_forecast_request)},
    {T(SCORE_FORECAST_REPLY), D(score_forecast_reply)},
    {T(SCORE_BIND), D(score_bind_request)},
    {T(SCORE_BIND_REPLY), D(score_bind_reply)},
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

static size_t kind_of(Partrack__MessageType type)
{
    for (size_t k = 0; k < NKINDS; k++)
        if (kinds[k].type == type)
            return k;
    return NKINDS;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    /* A type added to envelope.proto must be added above. */
    const ProtobufCEnumDescriptor *ed = &partrack__message_type__descriptor;
    for (unsigned i = 0; i < ed->n_values; i++) {
        if (ed->values[i].value == T(UNKNOWN))
            continue;
        if (kind_of((Partrack__MessageType)ed->values[i].value) == NKINDS) {
            fprintf(stderr, "fuzz_envelope: message type %s has no payload in kinds[]\n",
                    ed->values[i].name);
            abort();
        }
    }
    return 0;
}

/* ---- decoded messages, checked by a walk of our own ---- */

static void walk_value(const ProtobufCFieldDescriptor *f, const void *member)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_STRING: {
        const char *s = *(char *const *)member;
        if (s) {
            size_t n = strlen(s);
            fuzz_check(n <= MSG_MAX_STRING_LEN, "a string within MSG_MAX_STRING_LEN");
            fuzz_check(text_valid_utf8(s, n, NULL), "a string is valid UTF-8");
        }
        break;
    }
    case PROTOBUF_C_TYPE_ENUM:
        fuzz_check(protobuf_c_enum_descriptor_get_value(f->descriptor, *(const int *)member) !=
                       NULL,
                   "an enum holds a declared value");
        break;
    case PROTOBUF_C_TYPE_MESSAGE: {
        const ProtobufCMessage *m = *(ProtobufCMessage *const *)member;
        if (m) {
            fuzz_check(m->descriptor == f->descriptor, "a nested message of its field's type");
            for (unsigned i = 0; i < m->descriptor->n_fields; i++) {
                const ProtobufCFieldDescriptor *g = &m->descriptor->fields[i];
                const char *base = (const char *)m;
                if (g->label == PROTOBUF_C_LABEL_REPEATED) {
                    size_t n = *(const size_t *)(base + g->quantifier_offset);
                    const char *items = *(char *const *)(base + g->offset);
                    size_t step = g->type == PROTOBUF_C_TYPE_ENUM ? sizeof(int) : sizeof(void *);
                    if (g->type == PROTOBUF_C_TYPE_STRING || g->type == PROTOBUF_C_TYPE_ENUM ||
                        g->type == PROTOBUF_C_TYPE_MESSAGE)
                        for (size_t k = 0; k < n; k++)
                            walk_value(g, items + k * step);
                } else if (g->label == PROTOBUF_C_LABEL_OPTIONAL &&
                           g->type == PROTOBUF_C_TYPE_ENUM) {
                    if (*(const protobuf_c_boolean *)(base + g->quantifier_offset))
                        walk_value(g, base + g->offset);
                } else {
                    walk_value(g, base + g->offset);
                }
            }
        }
        break;
    }
    default: break;
    }
}

/* True if m or a message inside it kept unknown fields. */
static bool has_unknown(const ProtobufCMessage *m)
{
    if (m->n_unknown_fields)
        return true;
    const ProtobufCMessageDescriptor *d = m->descriptor;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (f->type != PROTOBUF_C_TYPE_MESSAGE)
            continue;
        const char *base = (const char *)m;
        size_t n = f->label == PROTOBUF_C_LABEL_REPEATED
                       ? *(const size_t *)(base + f->quantifier_offset)
                       : 1;
        ProtobufCMessage *const *items = f->label == PROTOBUF_C_LABEL_REPEATED
                                             ? *(ProtobufCMessage * *const *)(base + f->offset)
                                             : (ProtobufCMessage *const *)(base + f->offset);
        for (size_t k = 0; k < n; k++)
            if (items[k] && has_unknown(items[k]))
                return true;
    }
    return false;
}

static uint8_t *pack(const ProtobufCMessage *m, size_t *len)
{
    *len = protobuf_c_message_get_packed_size(m);
    uint8_t *buf = malloc(*len ? *len : 1);
    fuzz_check(buf != NULL, "memory");
    fuzz_check(protobuf_c_message_pack(m, buf) == *len, "packed size as announced");
    return buf;
}

static void check_message(const ProtobufCMessage *m, const ProtobufCMessageDescriptor *d)
{
    fuzz_check(m->descriptor == d, "decoded as the type asked for");
    ProtobufCFieldDescriptor self = {.type = PROTOBUF_C_TYPE_MESSAGE, .descriptor = d};
    walk_value(&self, &m);
    char reason[256];
    fuzz_check(msg_validate(m, reason, sizeof reason) == 0, "a decoded message validates again");
    size_t len1, len2;
    uint8_t *one = pack(m, &len1);
    ProtobufCMessage *again = protobuf_c_message_unpack(d, NULL, len1, one);
    if (!again) {
        /* protobuf-c keeps unknown fields and packs them back, and reads
         * an overlong tag of field 0 ("81 00") that it refuses written
         * plainly ("01"): only such a message may not unpack again.
         * partrack never sends a received message again (replies and
         * events are built afresh), so that is no harm. */
        fuzz_check(has_unknown(m), "a decoded message, packed, unpacks");
        free(one);
        return;
    }
    uint8_t *two = pack(again, &len2);
    fuzz_check(len1 == len2 && memcmp(one, two, len1) == 0, "pack, unpack, pack is stable");
    protobuf_c_message_free_unpacked(again, NULL);
    free(one);
    free(two);
}

/* ---- the ingest checks ---- */

static bool digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* due_levels.h: "2024-07-01T08:30:00+07:00", "...Z", "2024-07-01T08:30"
 * or "2024-07-01"; a space for the T, fractions of a second. */
static bool instant_shape(const char *s)
{
    if (!digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' || !digits(s + 8, 2))
        return false;
    s += 10;
    if (!*s)
        return true;
    if ((*s != 'T' && *s != ' ') || !digits(s + 1, 2) || s[3] != ':' || !digits(s + 4, 2))
        return false;
    s += 6;
    if (*s == ':') {
        if (!digits(s + 1, 2))
            return false;
        s += 3;
        if (*s == '.')
            for (s++; *s >= '0' && *s <= '9'; s++)
                ;
    }
    if (*s == 'Z')
        s++;
    else if (*s == '+' || *s == '-') {
        if (!digits(s + 1, 2) || s[3] != ':' || !digits(s + 4, 2))
            return false;
        s += 6;
    }
    return *s == '\0';
}

/* ingest_format_ms writes what PostgreSQL reads: YYYY-MM-DDTHH:MM:SS.mmmZ */
static void check_time_text(int64_t ms, const char *what)
{
    char out[40];
    ingest_format_ms(ms, out);
    bool ok = strlen(out) == 24 && digits(out, 4) && out[4] == '-' && digits(out + 5, 2) &&
              out[7] == '-' && digits(out + 8, 2) && out[10] == 'T' && digits(out + 11, 2) &&
              out[13] == ':' && digits(out + 14, 2) && out[16] == ':' && digits(out + 17, 2) &&
              out[19] == '.' && digits(out + 20, 3) && out[23] == 'Z';
    fuzz_check(ok, what);
}

/* The ingest endpoint's checks on an opened envelope. Returns 0 when every
 * check that needs no data passed. */
static int check_ingest(const msg_envelope_t *env)
{
    ProtobufCMessage *m;
    Partrack__ErrorCode code;
    char reason[512];
    if (ingest_check_envelope(env, FAR_NOW_MS, SKEW_MS, &m, &code, reason, sizeof reason) < 0) {
        fuzz_check(m == NULL, "a refused ingest message has no payload");
        fuzz_check(!msg_code_retryable(code) && *reason,
                   "a refused ingest message: permanent, why");
        return -1;
    }
    fuzz_check(m && m->descriptor == ingest_payload_descriptor(env->type), "admitted as its type");
    fuzz_check(env->has_sent_at_ms && env->sent_at_ms >= 0,
               "admitted: the publisher's time, >= 1970");
    check_time_text(env->sent_at_ms, "admitted: the publisher's time can be written");
    check_message(m, m->descriptor);
    int rc = -1;
    if (env->type == T(INGEST_TASK_UPDATE)) {
        const Partrack__TaskUpdate *u = (const Partrack__TaskUpdate *)m;
        int64_t completed;
        rc = ingest_check_update(u, FAR_NOW_MS, SKEW_MS, &completed, reason, sizeof reason);
        if (rc == 0) {
            fuzz_check(u->has_progress || u->status || u->note || u->n_evidence || u->completed_at,
                       "an accepted update changes something");
            fuzz_check(!u->has_progress || (u->progress >= 0 && u->progress <= 100), "progress");
            fuzz_check((completed == -1) == !u->completed_at, "completion time -1 only when none");
            if (u->completed_at) {
                fuzz_check(instant_shape(u->completed_at), "completed_at as documented");
                fuzz_check(completed >= 0, "completed_at at or after 1970");
                check_time_text(completed, "completed_at can be written");
            }
        }
    } else {
        const Partrack__Measurement *x = (const Partrack__Measurement *)m;
        rc = ingest_check_measurement(x, reason, sizeof reason);
        if (rc == 0)
            fuzz_check(x->has_value
                           ? isfinite(x->value) && !x->has_numerator && !x->has_denominator
                           : x->has_numerator && x->has_denominator && isfinite(x->numerator) &&
                                 isfinite(x->denominator) && x->denominator > 0,
                       "an accepted measurement has a finite value or ratio");
    }
    protobuf_c_message_free_unpacked(m, NULL);
    return rc;
}

/* ---- the three uses of an input ---- */

static void check_opened(const msg_envelope_t *env)
{
    fuzz_check(env->type != T(UNKNOWN) && kind_of(env->type) < NKINDS, "a declared type");
    fuzz_check(!env->correlation_id || strlen(env->correlation_id) <= MSG_MAX_ID_LEN,
               "correlation id");
    fuzz_check(!env->idempotency_key || strlen(env->idempotency_key) <= MSG_MAX_ID_LEN, "key");
    check_message(&env->base, &partrack__envelope__descriptor);
    const ProtobufCMessageDescriptor *d = kinds[kind_of(env->type)].payload;
    if (d) {
        char reason[256] = "";
        ProtobufCMessage *m = msg_decode(env, d, reason, sizeof reason);
        if (m) {
            check_message(m, d);
            protobuf_c_message_free_unpacked(m, NULL);
        } else {
            fuzz_check(*reason != '\0', "an undecodable payload has a reason");
        }
    }
    if (ingest_payload_descriptor(env->type))
        check_ingest(env);
}

static void as_frame(const uint8_t *data, size_t size)
{
    Partrack__ErrorCode code = PARTRACK__ERROR_CODE__ERR_NONE;
    char reason[256] = "";
    msg_envelope_t *env = msg_open(data, size, MAX_FRAME, &code, reason, sizeof reason);
    if (!env) {
        fuzz_check(code != PARTRACK__ERROR_CODE__ERR_NONE && !msg_code_retryable(code),
                   "a refused frame: a permanent error");
        fuzz_check(*reason != '\0', "a refused frame has a reason");
        return;
    }
    check_opened(env);
    msg_close(&env);
    fuzz_check(env == NULL, "msg_close clears the pointer");
}

static void as_payload(const uint8_t *data, size_t size)
{
    if (size == 0)
        return;
    size_t k = data[0] % NKINDS;
    size_t len;
    uint8_t *frame = msg_pack_bytes(kinds[k].type, "fuzz", "fuzz-key", data + 1, size - 1, &len);
    fuzz_check(frame != NULL, "memory");
    Partrack__ErrorCode code;
    char reason[256];
    msg_envelope_t *env = msg_open(frame, len, MAX_FRAME, &code, reason, sizeof reason);
    fuzz_check(env != NULL, "msg_open takes what msg_pack_bytes makes");
    fuzz_check(env->type == kinds[k].type && env->has_payload && env->payload.len == size - 1,
               "the envelope keeps type and payload");
    check_opened(env);
    msg_close(&env);
    free(frame);
}

static void as_jsonl(const uint8_t *data, size_t size)
{
    static problems_t problems;
    problems_clear(&problems);
    publish_line_t line;
    int rc = publish_jsonl_read("in.jsonl", 1, (const char *)data, size, &line, &problems);
    fuzz_check(rc >= -1 && rc <= 1, "publish_jsonl_read returns -1, 0 or 1");
    if (rc < 0)
        fuzz_check(problems.n > 0, "a refused line has problems");
    else
        fuzz_check(problems.n == 0, "an accepted or blank line has no problem");
    for (size_t i = 0; i < problems.n; i++) {
        const problem_t *p = &problems.items[i];
        fuzz_check(p->line == 1 && strcmp(p->file, "in.jsonl") == 0 && p->message,
                   "a line's problem is on its line");
        fuzz_check(text_valid_utf8(p->message, strlen(p->message), NULL) &&
                       (!p->field || text_valid_utf8(p->field, strlen(p->field), NULL)),
                   "a line's problem is UTF-8");
    }
    problems_clear(&problems);
    if (rc != 1)
        return;
    fuzz_check(line.type == T(INGEST_TASK_UPDATE) || line.type == T(INGEST_MEASUREMENT),
               "line type");
    fuzz_check(line.key && *line.key && strlen(line.key) <= MSG_MAX_ID_LEN, "line key");
    size_t len;
    uint8_t *frame = msg_pack(line.type, "fuzz", line.key, publish_line_payload(&line), &len);
    fuzz_check(frame != NULL, "memory");
    Partrack__ErrorCode code;
    char reason[256];
    msg_envelope_t *env = msg_open(frame, len, MAX_FRAME, &code, reason, sizeof reason);
    fuzz_check(env != NULL, "msg_open takes a published line");
    fuzz_check(check_ingest(env) == 0, "the registry takes what partrack publish accepts");
    check_opened(env);
    msg_close(&env);
    free(frame);
    publish_line_clear(&line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    as_frame(data, size);
    as_payload(data, size);
    as_jsonl(data, size);
    return 0;
}
