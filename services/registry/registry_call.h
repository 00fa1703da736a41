/* registry_call.h - one request being handled by the registry, and the ways
 * a handler answers it
 *
 * Handlers (unit_handlers.c, plan_handlers.c) get a call_t: the services they
 * may use (database, event wake-ups, calendar) and the request. Reads reply
 * straight away. Mutations share one shape: mutation_begin (BEGIN, and the
 * stored reply if the idempotency key was seen), the work, then
 * mutation_finish (store the reply under the key, COMMIT, reply, wake
 * consumers) - or a rollback and an error reply.
 */
#ifndef PARTRACK_REGISTRY_CALL_H
#define PARTRACK_REGISTRY_CALL_H

#include "db.h"
#include "directory_cache.h"
#include "events.h"
#include "problems.h"
#include "rpc.h"
#include "workcal.h"

#include <stdint.h>

/* Until publishers authenticate (CURVE), requests come from the command line. */
#define LOCAL_PUBLISHER "cli"

typedef struct {
    db_t *db;
    rpc_server_t *rpc;
    events_pub_t *pub;
    const workcal_t *cal;
    directory_cache_t *units; /* the unit directory, for name resolution */
    rpc_request_t *req;
    const char *ingest_endpoint; /* where publishers connect (PublisherReply) */
} call_t;

typedef void (*registry_handler_fn)(call_t *c);

void call_reply(call_t *c, Partrack__MessageType type, const ProtobufCMessage *payload);
void call_reply_error(call_t *c, Partrack__ErrorCode code, const char *message);
void call_reply_db_failure(call_t *c);

/* ERR_INVALID with every problem attached; `message` gets the count. */
void call_reply_problems(call_t *c, const char *message, const problems_t *problems);

/* The same with another code (ERR_CONFLICT: the state forbids it). */
void call_reply_problems_code(call_t *c, Partrack__ErrorCode code, const char *message,
                              const problems_t *problems);

/* The request's payload decoded and validated, or NULL after replying
 * ERR_BAD_MESSAGE. Caller frees with protobuf_c_message_free_unpacked. */
void *call_decode(call_t *c, const ProtobufCMessageDescriptor *descriptor);

/* 1: a stored reply was sent (done); 0: go on inside the open transaction;
 * -1: a database failure was answered. */
int call_mutation_begin(call_t *c);

/* Stores the reply under the key, COMMITs, replies, wakes consumers up to
 * last_event (0: none). Failures are answered. */
void call_mutation_finish(call_t *c, Partrack__MessageType type, const ProtobufCMessage *reply,
                          int64_t last_event);

/* Today in Asia/Ho_Chi_Minh, YYYY-MM-DD. */
void call_today(char out[11]);

#endif
