/* msg.c - the envelope: packing, unpacking and validation of messages
 *
 * Validation walks the protobuf-c descriptors, so every message type gets the
 * same checks without code of its own: nested messages, repeated fields,
 * strings (UTF-8, length) and enums (declared value).
 */
#include "msg.h"

#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/time.h>

uint8_t *msg_pack_bytes(Partrack__MessageType type, const char *correlation_id,
                        const char *idempotency_key, const uint8_t *payload, size_t payload_len,
                        size_t *len)
{
    Partrack__Envelope env = PARTRACK__ENVELOPE__INIT;
    env.type = type;
    env.correlation_id = (char *)correlation_id;
    env.idempotency_key = (char *)idempotency_key;
    env.has_sent_at_ms = 1;
    env.sent_at_ms = msg_now_ms();
    if (payload) {
        env.has_payload = 1;
        env.payload.data = (uint8_t *)payload;
        env.payload.len = payload_len;
    }
    size_t total = partrack__envelope__get_packed_size(&env);
    uint8_t *buf = malloc(total ? total : 1);
    if (buf) {
        partrack__envelope__pack(&env, buf);
        *len = total;
    }
    return buf;
}

uint8_t *msg_pack(Partrack__MessageType type, const char *correlation_id,
                  const char *idempotency_key, const ProtobufCMessage *payload, size_t *len)
{
    if (!payload)
        return msg_pack_bytes(type, correlation_id, idempotency_key, NULL, 0, len);
    size_t plen = protobuf_c_message_get_packed_size(payload);
    uint8_t *payload_buf = malloc(plen ? plen : 1);
    if (!payload_buf)
        return NULL;
    protobuf_c_message_pack(payload, payload_buf);
    uint8_t *buf = msg_pack_bytes(type, correlation_id, idempotency_key, payload_buf, plen, len);
    free(payload_buf);
    return buf;
}

static int validate_string(const char *s, const char *field, char *reason, size_t reason_len)
{
    size_t len = strlen(s);
    size_t bad;
    if (len > MSG_MAX_STRING_LEN) {
        snprintf(reason, reason_len, "field %s is longer than %d bytes", field, MSG_MAX_STRING_LEN);
        return -1;
    }
    if (!text_valid_utf8(s, len, &bad)) {
        snprintf(reason, reason_len, "field %s is not valid UTF-8 (byte %zu)", field, bad);
        return -1;
    }
    return 0;
}

static int validate_enum(const ProtobufCFieldDescriptor *f, int value, char *reason,
                         size_t reason_len)
{
    const ProtobufCEnumDescriptor *ed = f->descriptor;
    if (!protobuf_c_enum_descriptor_get_value(ed, value)) {
        snprintf(reason, reason_len, "field %s has unknown value %d", f->name, value);
        return -1;
    }
    return 0;
}

static int validate_value(const ProtobufCFieldDescriptor *f, const void *member, char *reason,
                          size_t reason_len)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_STRING: {
        const char *s = *(char *const *)member;
        return s ? validate_string(s, f->name, reason, reason_len) : 0;
    }
    case PROTOBUF_C_TYPE_ENUM: return validate_enum(f, *(const int *)member, reason, reason_len);
    case PROTOBUF_C_TYPE_MESSAGE: {
        const ProtobufCMessage *m = *(ProtobufCMessage *const *)member;
        return m ? msg_validate(m, reason, reason_len) : 0;
    }
    default: return 0;
    }
}

static size_t member_size(const ProtobufCFieldDescriptor *f)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_MESSAGE: return sizeof(void *);
    case PROTOBUF_C_TYPE_ENUM: return sizeof(int);
    default: return 0;
    }
}

int msg_validate(const ProtobufCMessage *message, char *reason, size_t reason_len)
{
    const ProtobufCMessageDescriptor *d = message->descriptor;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (member_size(f) == 0)
            continue;
        const char *base = (const char *)message + f->offset;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(const size_t *)((const char *)message + f->quantifier_offset);
            const char *items = *(char *const *)base;
            for (size_t k = 0; k < n; k++)
                if (validate_value(f, items + k * member_size(f), reason, reason_len) < 0)
                    return -1;
            continue;
        }
        if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->quantifier_offset &&
            f->type == PROTOBUF_C_TYPE_ENUM &&
            !*(const protobuf_c_boolean *)((const char *)message + f->quantifier_offset))
            continue;
        if (validate_value(f, base, reason, reason_len) < 0)
            return -1;
    }
    return 0;
}

msg_envelope_t *msg_open(const uint8_t *data, size_t len, size_t max_len, Partrack__ErrorCode *code,
                         char *reason, size_t reason_len)
{
    if (len > max_len) {
        *code = PARTRACK__ERROR_CODE__ERR_TOO_LARGE;
        snprintf(reason, reason_len, "message of %zu bytes is over the limit of %zu bytes", len,
                 max_len);
        return NULL;
    }
    msg_envelope_t *env = partrack__envelope__unpack(NULL, len, data);
    if (!env) {
        *code = PARTRACK__ERROR_CODE__ERR_BAD_MESSAGE;
        snprintf(reason, reason_len, "message is not a partrack envelope (undecodable)");
        return NULL;
    }
    if (!protobuf_c_enum_descriptor_get_value(&partrack__message_type__descriptor,
                                              (int)env->type)) {
        *code = PARTRACK__ERROR_CODE__ERR_UNKNOWN_TYPE;
        snprintf(reason, reason_len, "unknown message type %d", (int)env->type);
        goto fail;
    }
    if (msg_validate(&env->base, reason, reason_len) < 0) {
        *code = PARTRACK__ERROR_CODE__ERR_BAD_MESSAGE;
        goto fail;
    }
    if ((env->correlation_id && strlen(env->correlation_id) > MSG_MAX_ID_LEN) ||
        (env->idempotency_key && strlen(env->idempotency_key) > MSG_MAX_ID_LEN)) {
        *code = PARTRACK__ERROR_CODE__ERR_BAD_MESSAGE;
        snprintf(reason, reason_len, "correlation id or idempotency key over %d bytes",
                 MSG_MAX_ID_LEN);
        goto fail;
    }
    if (env->type == PARTRACK__MESSAGE_TYPE__MSG_UNKNOWN) {
        *code = PARTRACK__ERROR_CODE__ERR_UNKNOWN_TYPE;
        snprintf(reason, reason_len, "message type is missing");
        goto fail;
    }
    return env;
fail:
    partrack__envelope__free_unpacked(env, NULL);
    return NULL;
}

void msg_close(msg_envelope_t **env_p)
{
    if (env_p && *env_p) {
        partrack__envelope__free_unpacked(*env_p, NULL);
        *env_p = NULL;
    }
}

ProtobufCMessage *msg_decode(const msg_envelope_t *env,
                             const ProtobufCMessageDescriptor *descriptor, char *reason,
                             size_t reason_len)
{
    const uint8_t *data = env->has_payload ? env->payload.data : (const uint8_t *)"";
    size_t len = env->has_payload ? env->payload.len : 0;
    ProtobufCMessage *m = protobuf_c_message_unpack(descriptor, NULL, len, data);
    if (!m) {
        snprintf(reason, reason_len, "payload is not a valid %s (undecodable or missing field)",
                 descriptor->short_name);
        return NULL;
    }
    if (msg_validate(m, reason, reason_len) < 0) {
        protobuf_c_message_free_unpacked(m, NULL);
        return NULL;
    }
    return m;
}

bool msg_code_retryable(Partrack__ErrorCode code)
{
    return code == PARTRACK__ERROR_CODE__ERR_UNAVAILABLE ||
           code == PARTRACK__ERROR_CODE__ERR_OVERLOADED ||
           code == PARTRACK__ERROR_CODE__ERR_INTERNAL;
}

const char *msg_code_name(Partrack__ErrorCode code)
{
    const ProtobufCEnumValue *v =
        protobuf_c_enum_descriptor_get_value(&partrack__error_code__descriptor, (int)code);
    return v ? v->name + 4 /* skip "ERR_" */ : "UNKNOWN";
}

void msg_new_id(char out[33])
{
    unsigned char raw[16];
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw) {
        struct timeval tv;
        gettimeofday(&tv, NULL);
        for (size_t i = 0; i < sizeof raw; i++)
            raw[i] = (unsigned char)((tv.tv_usec >> (i % 4)) ^ (tv.tv_sec >> i) ^ rand());
    }
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
}

int64_t msg_now_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}
