/* notify_admin.h - people's keys and follows, asked on the notify
 * service's local request endpoint
 *
 * `partrack person key ID`: the person must exist in the registry
 * (registry.people); the public key (made by the command line, whose secret
 * never travels) replaces any earlier key of the person, so a lost or
 * leaked key file is dealt with by issuing a new one. The reply names the
 * feed endpoint and its key for the key file.
 * `partrack follow CODE --person ID [--stop]`: the unit must exist
 * (registry.units); following twice, or stopping what was not followed,
 * changes nothing. Replies with every unit the person follows.
 */
#ifndef PARTRACK_NOTIFY_ADMIN_H
#define PARTRACK_NOTIFY_ADMIN_H

#include "db.h"
#include "rpc.h"

typedef struct {
    const char *feed_endpoint;
    const char *feed_public_key;
} notify_admin_t;

/* Handles MSG_PERSON_KEY and MSG_FOLLOW; returns false for other types. */
bool notify_admin_handle(db_t *db, rpc_server_t *rpc, rpc_request_t *req,
                         const notify_admin_t *admin);

#endif
