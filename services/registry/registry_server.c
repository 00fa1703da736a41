/* registry_server.c - the registry's request loop
 *
 * One handler per message type, looked up in a table; the handlers live in
 * unit_handlers.c and plan_handlers.c and answer through registry_call.h.
 * Each request is handled to the end before the next.
 */
#include "registry_server.h"

#include "consult_handlers.h"
#include "log.h"
#include "plan_handlers.h"
#include "publisher_handlers.h"
#include "target_handlers.h"
#include "registry_call.h"
#include "unit_handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct registry_server {
    db_t *db;
    const workcal_t *cal;
    rpc_server_t *rpc;
    events_pub_t *pub;
    directory_cache_t *units;
    char *ingest_endpoint;
};

registry_server_t *registry_server_new(void *zmq_ctx, db_t *db, const workcal_t *cal,
                                       const char *endpoint, const char *events_endpoint,
                                       const char *ingest_endpoint, size_t max_msg_bytes,
                                       char *errbuf, size_t errlen)
{
    registry_server_t *self = calloc(1, sizeof *self);
    if (!self) {
        snprintf(errbuf, errlen, "out of memory");
        return NULL;
    }
    self->db = db;
    self->cal = cal;
    self->rpc = rpc_server_new(zmq_ctx, endpoint, max_msg_bytes, errbuf, errlen);
    if (self->rpc)
        self->pub = events_pub_new(zmq_ctx, events_endpoint, "registry", errbuf, errlen);
    if (self->pub && (!(self->units = directory_cache_new()) ||
                      !(self->ingest_endpoint = strdup(ingest_endpoint ? ingest_endpoint : ""))))
        snprintf(errbuf, errlen, "out of memory");
    if (!self->rpc || !self->pub || !self->units || !self->ingest_endpoint)
        registry_server_destroy(&self);
    return self;
}

void registry_server_destroy(registry_server_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rpc_server_destroy(&(*self_p)->rpc);
    events_pub_destroy(&(*self_p)->pub);
    directory_cache_destroy(&(*self_p)->units);
    free((*self_p)->ingest_endpoint);
    free(*self_p);
    *self_p = NULL;
}

static const struct {
    Partrack__MessageType type;
    registry_handler_fn handle;
} handlers[] = {
    {PARTRACK__MESSAGE_TYPE__MSG_PING, registry_handle_ping},
    {PARTRACK__MESSAGE_TYPE__MSG_UNIT_IMPORT, unit_handle_import},
    {PARTRACK__MESSAGE_TYPE__MSG_UNIT_LIST, unit_handle_list},
    {PARTRACK__MESSAGE_TYPE__MSG_UNIT_SHOW, unit_handle_show},
    {PARTRACK__MESSAGE_TYPE__MSG_UNIT_RESOLVE, unit_handle_resolve},
    {PARTRACK__MESSAGE_TYPE__MSG_UNIT_REORG, unit_handle_reorg},
    {PARTRACK__MESSAGE_TYPE__MSG_PLAN_IMPORT, plan_handle_import},
    {PARTRACK__MESSAGE_TYPE__MSG_PLAN_IMPORT_BATCH, plan_handle_import_batch},
    {PARTRACK__MESSAGE_TYPE__MSG_PLAN_SHOW, plan_handle_show},
    {PARTRACK__MESSAGE_TYPE__MSG_PLAN_TREE, plan_handle_tree},
    {PARTRACK__MESSAGE_TYPE__MSG_PLAN_COVERAGE, plan_handle_coverage},
    {PARTRACK__MESSAGE_TYPE__MSG_TASK_LIST, task_handle_list},
    {PARTRACK__MESSAGE_TYPE__MSG_TASK_SHOW, task_handle_show},
    {PARTRACK__MESSAGE_TYPE__MSG_TASK_UPDATE, task_handle_update},
    {PARTRACK__MESSAGE_TYPE__MSG_TASK_TRIGGER, task_handle_trigger},
    {PARTRACK__MESSAGE_TYPE__MSG_TASK_FEED, task_handle_feed},
    {PARTRACK__MESSAGE_TYPE__MSG_TASK_RESCHEDULE, task_handle_reschedule},
    {PARTRACK__MESSAGE_TYPE__MSG_CONSULT_REQUEST, consult_handle_request},
    {PARTRACK__MESSAGE_TYPE__MSG_CONSULT_ANSWER, consult_handle_answer},
    {PARTRACK__MESSAGE_TYPE__MSG_CONSULT_SHOW, consult_handle_show},
    {PARTRACK__MESSAGE_TYPE__MSG_TARGET_IMPORT, target_handle_import},
    {PARTRACK__MESSAGE_TYPE__MSG_TARGET_LIST, target_handle_list},
    {PARTRACK__MESSAGE_TYPE__MSG_TARGET_CASCADE, target_handle_cascade},
    {PARTRACK__MESSAGE_TYPE__MSG_PUBLISHER_ADD, publisher_handle_add},
    {PARTRACK__MESSAGE_TYPE__MSG_PUBLISHER_REVOKE, publisher_handle_revoke},
    {PARTRACK__MESSAGE_TYPE__MSG_PUBLISHER_LIST, publisher_handle_list},
};

int registry_server_step(registry_server_t *self, int timeout_ms)
{
    rpc_request_t req;
    int rc = rpc_server_next(self->rpc, timeout_ms, &req);
    if (rc <= 0)
        return rc;
    call_t call = {
        self->db, self->rpc, self->pub, self->cal, self->units, &req, self->ingest_endpoint};
    bool known = false;
    for (size_t i = 0; i < sizeof handlers / sizeof handlers[0]; i++) {
        if (handlers[i].type == req.env->type) {
            handlers[i].handle(&call);
            known = true;
            break;
        }
    }
    if (!known) {
        char message[128];
        snprintf(message, sizeof message, "the registry does not serve message type %d",
                 (int)req.env->type);
        call_reply_error(&call, PARTRACK__ERROR_CODE__ERR_UNKNOWN_TYPE, message);
    }
    rpc_request_done(&req);
    return 1;
}

void registry_server_wake(registry_server_t *self, int64_t seq)
{
    events_pub_wake(self->pub, seq);
}

void *registry_server_socket(registry_server_t *self)
{
    return rpc_server_socket(self->rpc);
}
