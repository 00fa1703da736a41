/* msg.h - the envelope: packing, unpacking and validation of messages
 *
 * Every partrack message is an Envelope (proto/envelope.proto) whose payload is
 * the message its type names. msg_open checks a received frame before anyone
 * uses it: size within the cap, a decodable envelope, a known type, valid
 * UTF-8 and bounded lengths everywhere (protobuf-c does not check UTF-8 in
 * proto2 strings). msg_decode does the same for a payload. Any failure yields
 * an ErrorReply-ready code and sentence, and nothing else happens.
 */
#ifndef PARTRACK_MSG_H
#define PARTRACK_MSG_H

#include "envelope.pb-c.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MSG_MAX_ID_LEN     128       /* correlation id and idempotency key */
#define MSG_MAX_STRING_LEN (1 << 20) /* any string field */

/* A received envelope; the caller frees it with msg_close. */
typedef Partrack__Envelope msg_envelope_t;

/* Packs an envelope around `payload` (may be NULL). Returns a malloc'd buffer
 * and its length in *len, or NULL on allocation failure. Caller frees. */
uint8_t *msg_pack(Partrack__MessageType type, const char *correlation_id,
                  const char *idempotency_key, const ProtobufCMessage *payload, size_t *len);

/* The same around a payload already encoded (payload[0..payload_len), may
 * be NULL): a stored reply is sent again as it was stored. */
uint8_t *msg_pack_bytes(Partrack__MessageType type, const char *correlation_id,
                        const char *idempotency_key, const uint8_t *payload, size_t payload_len,
                        size_t *len);

/* Unpacks and validates a received frame. On success returns the envelope;
 * on failure returns NULL with *code and reason set. */
msg_envelope_t *msg_open(const uint8_t *data, size_t len, size_t max_len, Partrack__ErrorCode *code,
                         char *reason, size_t reason_len);
void msg_close(msg_envelope_t **env_p);

/* Unpacks and validates the payload of `env` as `descriptor`. Returns the
 * message (free with protobuf_c_message_free_unpacked) or NULL with a reason. */
ProtobufCMessage *msg_decode(const msg_envelope_t *env,
                             const ProtobufCMessageDescriptor *descriptor, char *reason,
                             size_t reason_len);

/* Checks a decoded message recursively: strings valid UTF-8 and at most
 * MSG_MAX_STRING_LEN bytes, enum fields hold declared values. Returns 0, or -1
 * with the offending field's name in reason. */
int msg_validate(const ProtobufCMessage *message, char *reason, size_t reason_len);

/* True for codes that invite a retry with the same idempotency key. */
bool msg_code_retryable(Partrack__ErrorCode code);

/* Short stable name of a code ("INVALID", "UNAVAILABLE", ...). */
const char *msg_code_name(Partrack__ErrorCode code);

/* A fresh random identifier (32 hex chars + NUL) for keys and correlation. */
void msg_new_id(char out[33]);

/* Milliseconds since the epoch. */
int64_t msg_now_ms(void);

#endif
