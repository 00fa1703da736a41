/* ingest_check.c - the checks on a published message that need nothing but
 * the message (see the header; the rules are in ingest_batch.h)
 */
#include "ingest_check.h"

#include "due_levels.h"

#include <math.h>
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

const ProtobufCMessageDescriptor *ingest_payload_descriptor(Partrack__MessageType type)
{
    switch (type) {
    case PARTRACK__MESSAGE_TYPE__MSG_INGEST_TASK_UPDATE: return &partrack__task_update__descriptor;
    case PARTRACK__MESSAGE_TYPE__MSG_INGEST_MEASUREMENT: return &partrack__measurement__descriptor;
    default: return NULL;
    }
}

int ingest_check_envelope(const msg_envelope_t *env, int64_t now_ms, int64_t max_skew_ms,
                          ProtobufCMessage **message, Partrack__ErrorCode *code, char *reason,
                          size_t reason_len)
{
    const ProtobufCMessageDescriptor *d = ingest_payload_descriptor(env->type);
    *message = NULL;
    *code = PARTRACK__ERROR_CODE__ERR_INVALID;
    if (!d) {
        *code = PARTRACK__ERROR_CODE__ERR_UNKNOWN_TYPE;
        snprintf(reason, reason_len, "the ingest endpoint takes TaskUpdate and Measurement only");
    } else if (!env->idempotency_key || !*env->idempotency_key) {
        snprintf(reason, reason_len, "a published message needs an idempotency key");
    } else if (!env->has_sent_at_ms) {
        snprintf(reason, reason_len, "a published message needs the publisher's time (sent_at_ms)");
    } else if (env->sent_at_ms < 0) { /* stored and written as a time since the epoch */
        snprintf(reason, reason_len, "sent_at_ms %lld is before 1970", (long long)env->sent_at_ms);
    } else if (env->sent_at_ms > now_ms + max_skew_ms) {
        snprintf(reason, reason_len,
                 "sent_at_ms is %lld s ahead of the registry's clock (at most %lld s)",
                 (long long)((env->sent_at_ms - now_ms) / 1000), (long long)(max_skew_ms / 1000));
    } else if (!(*message = msg_decode(env, d, reason, reason_len))) {
        *code = PARTRACK__ERROR_CODE__ERR_BAD_MESSAGE;
    } else {
        return 0;
    }
    return -1;
}

int ingest_check_update(const Partrack__TaskUpdate *u, int64_t now_ms, int64_t max_skew_ms,
                        int64_t *completed_ms, char *reason, size_t reason_len)
{
    *completed_ms = -1;
    if (u->has_progress && (u->progress < 0 || u->progress > 100)) {
        snprintf(reason, reason_len, "progress %d is not between 0 and 100", u->progress);
        return -1;
    }
    if (u->status && strcmp(u->status, "open") != 0 && strcmp(u->status, "done") != 0 &&
        strcmp(u->status, "cancelled") != 0) {
        snprintf(reason, reason_len, "status \"%s\" is not open, done or cancelled", u->status);
        return -1;
    }
    if (u->completed_at) {
        int64_t s;
        if (due_parse_instant(u->completed_at, &s) < 0) {
            snprintf(reason, reason_len, "completed_at \"%s\" is not RFC 3339 or YYYY-MM-DD",
                     u->completed_at);
            return -1;
        }
        if (s < 0) { /* the registry's times start at the epoch (-1 is "none") */
            snprintf(reason, reason_len, "completed_at %s is before 1970", u->completed_at);
            return -1;
        }
        int64_t completed = s * 1000;
        if (completed > now_ms + max_skew_ms) {
            snprintf(reason, reason_len, "completed_at %s is in the future", u->completed_at);
            return -1;
        }
        *completed_ms = completed;
    }
    if (!u->has_progress && !u->status && !u->note && u->n_evidence == 0 && !u->completed_at) {
        snprintf(reason, reason_len, "nothing to update");
        return -1;
    }
    return 0;
}

static bool matches(const char *pattern, const char *text)
{
    regex_t re;
    if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
        return false;
    bool yes = regexec(&re, text, 0, NULL, 0) == 0;
    regfree(&re);
    return yes;
}

int ingest_check_measurement(const Partrack__Measurement *m, char *reason, size_t reason_len)
{
    bool ratio = m->has_numerator || m->has_denominator;
    if (!matches("^[a-z][a-z0-9_.]{0,63}$", m->indicator))
        snprintf(reason, reason_len,
                 "indicator \"%s\" is not a code ([a-z][a-z0-9_.]*, at most 64)", m->indicator);
    else if (!matches("^[0-9]{4}(-(Q[1-4]|H[12]|0[1-9]|1[0-2]))?$", m->period))
        snprintf(reason, reason_len, "period \"%s\" is not 2024, 2024-Q1, 2024-H1 or 2024-06",
                 m->period);
    else if (m->has_value == ratio || (ratio && !(m->has_numerator && m->has_denominator)))
        snprintf(reason, reason_len, "give a value, or a numerator and a denominator");
    else if ((m->has_value && !isfinite(m->value)) ||
             (ratio && (!isfinite(m->numerator) || !isfinite(m->denominator))))
        snprintf(reason, reason_len, "values must be finite numbers");
    else if (ratio && m->denominator <= 0)
        snprintf(reason, reason_len, "the denominator must be positive, not %g", m->denominator);
    else
        return 0;
    return -1;
}
