/* ingest_check.h - the checks on a published message that need nothing but
 * the message
 *
 * The ingest endpoint (ingest_batch.h has the rules) first admits each
 * message on its own: a type it takes, an idempotency key, the publisher's
 * clock (sent_at_ms) not before 1970 and not ahead of ours by more than
 * the allowed skew, a payload that decodes and validates (msg_decode); then, once the task or unit
 * is known and in the publisher's scope, the formats of the payload's fields. These checks are
 * here, apart from the database work of ingest_batch.c, ingest_tasks.c and ingest_measurements.c,
 * so that they can be tested and fuzzed alone (tests/fuzz/fuzz_envelope.c). publish_jsonl.c checks
 * the same formats on the publisher's side.
 */
#ifndef PARTRACK_INGEST_CHECK_H
#define PARTRACK_INGEST_CHECK_H

#include "ingest.pb-c.h"
#include "msg.h"

#include <stddef.h>
#include <stdint.h>

/* The payload the ingest endpoint takes with `type`, or NULL for a type it
 * does not take. */
const ProtobufCMessageDescriptor *ingest_payload_descriptor(Partrack__MessageType type);

/* Admits a received envelope (valid: msg_open) at now_ms (our clock): on
 * success returns 0 and its decoded payload in *message (a TaskUpdate or a
 * Measurement, as env->type says; caller frees with
 * protobuf_c_message_free_unpacked). Otherwise returns -1 with the error
 * code and a sentence for the reply in reason, and *message NULL. */
int ingest_check_envelope(const msg_envelope_t *env, int64_t now_ms, int64_t max_skew_ms,
                          ProtobufCMessage **message, Partrack__ErrorCode *code, char *reason,
                          size_t reason_len);

/* A task update's own fields: progress 0-100, status open, done or
 * cancelled, completed_at (RFC 3339 or YYYY-MM-DD, due_parse_instant) not
 * before 1970 and not ahead of now_ms by more than max_skew_ms, and
 * something to update. Returns 0 with the
 * completion time in *completed_ms (-1 when not given), or -1 with a
 * sentence in reason (the reply's code is ERR_INVALID). */
int ingest_check_update(const Partrack__TaskUpdate *u, int64_t now_ms, int64_t max_skew_ms,
                        int64_t *completed_ms, char *reason, size_t reason_len);

/* A measurement's own fields: the indicator a code ([a-z][a-z0-9_.]*, at
 * most 64), the period 2024, 2024-Q1, 2024-H1 or 2024-06, a value or a
 * numerator and a denominator, finite, the denominator positive. Returns 0,
 * or -1 with a sentence in reason (ERR_INVALID). */
int ingest_check_measurement(const Partrack__Measurement *m, char *reason, size_t reason_len);

#endif
